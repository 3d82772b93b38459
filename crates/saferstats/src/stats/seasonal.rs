//! Seasonality of one monthly series: month-length adjustment, classical seasonal indices, STL
//! decomposition, seasonality tests, peak and trough months, and anomalous months.
//!
//! These are pure numeric kernels on **one** series held in a slice; apply them per area and
//! crime group yourself. The conventions shared by every function:
//!
//! * `counts` holds consecutive calendar months, oldest first, with **no gaps** (reject or fill
//!   gaps before calling). `first_month` (1 = January … 12 = December) is the calendar month of
//!   `counts[0]`; it only matters where months are grouped by calendar month.
//! * Counts must be finite and non-negative ([`Error::InvalidValue`] otherwise). Zeros are
//!   fine, and so are non-integer values such as the per-day rates from [`per_day`]; only the
//!   Poisson p-value of [`anomalies`] assumes the values are counts.
//! * Twelve-month arrays (`[f64; 12]`) are always **January first**, whatever `first_month` is,
//!   and months are reported by name ([`month_name`], [`peak_and_trough`]), never by index.
//!
//! Minimum lengths: [`classical_indices`], [`stl`] and [`kruskal_wallis_by_month`] need 24
//! months (two full years); [`qs_test`] needs 36. STL on 24–35 months runs but is fragile: warn
//! below [`STL_WARN_MONTHS`].
//!
//! ```
//! use saferstats::stats::seasonal::{classical_indices, kruskal_wallis_by_month, peak_and_trough};
//!
//! // Three years from April with a summer peak and a February trough.
//! let pattern = [90.0, 80.0, 95.0, 100.0, 105.0, 110.0, 125.0, 115.0, 100.0, 95.0, 90.0, 95.0];
//! let counts: Vec<f64> = (0..36).map(|i| pattern[(3 + i) % 12]).collect();
//! let idx = classical_indices(&counts, 4)?;
//! assert_eq!(peak_and_trough(&idx), ("July", "February"));
//! assert!(kruskal_wallis_by_month(&counts, 4)?.p_value < 0.01);
//! # Ok::<(), saferstats::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::stats::special::{chi2_sf, gamma_p, gamma_q};

/// The period of a monthly series.
///
/// All kernels here are monthly: the seasonal period is always 12.
///
/// # Examples
///
/// ```
/// assert_eq!(saferstats::stats::seasonal::PERIOD, 12);
/// ```
pub const PERIOD: usize = 12;

/// English month names, January first.
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn check_month(first_month: u32) -> Result<()> {
    if (1..=12).contains(&first_month) {
        Ok(())
    } else {
        Err(Error::param(
            "first_month",
            format!("must be 1..=12, got {first_month}"),
        ))
    }
}

/// [`Error::InsufficientPeriods`] naming the function and the months it needs.
fn check_len(n: usize, needed: usize, method: &'static str) -> Result<()> {
    if n < needed {
        Err(Error::InsufficientPeriods {
            what: method.to_string(),
            reason: format!("needs at least {needed} months, got {n}"),
        })
    } else {
        Ok(())
    }
}

/// [`Error::InvalidValue`] for the first element of `values` that fails `ok`.
fn check_values(values: &[f64], what: &str, ok: impl Fn(f64) -> bool, reason: &str) -> Result<()> {
    match values.iter().enumerate().find(|(_, v)| !ok(**v)) {
        Some((index, &value)) => Err(Error::InvalidValue {
            what: what.to_string(),
            index,
            value,
            reason: reason.to_string(),
        }),
        None => Ok(()),
    }
}

/// The largest monthly count the seasonal kernels accept: 2⁵³, the largest whole number an
/// `f64` holds exactly. Far above any real count, it keeps the loess and regression sums of a
/// few hundred months finite (stlrs sorts residuals that would otherwise become NaN).
pub const MAX_MONTHLY_COUNT: f64 = 9_007_199_254_740_992.0;

fn check_counts(counts: &[f64]) -> Result<()> {
    check_values(
        counts,
        "counts",
        |v| v.is_finite() && (0.0..=MAX_MONTHLY_COUNT).contains(&v),
        "counts must be finite, non-negative and at most 2^53",
    )
}

/// The checks every calendar-month kernel makes, in order: `first_month`, the length, the counts.
fn check_series(
    counts: &[f64],
    first_month: u32,
    needed: usize,
    method: &'static str,
) -> Result<()> {
    check_month(first_month)?;
    check_len(counts.len(), needed, method)?;
    check_counts(counts)
}

fn degenerate(method: &str, reason: impl Into<String>) -> Error {
    Error::Degenerate {
        method: method.to_string(),
        reason: reason.into(),
    }
}

/// 0-based calendar month (0 = January) of position `i` in a series starting in `first_month`.
fn calendar_month(first_month: u32, i: usize) -> usize {
    (first_month as usize - 1 + i) % 12
}

/// English name of a 1-based month number: `month_name(1) == "January"`.
///
/// 1-based on purpose: feasts' `feat_stl` returns the peak "month" modulo the period, so
/// December comes back as 0 and `month.abb[0]` silently breaks (methods note §6.3).
///
/// # Panics
/// If `m` is not in `1..=12`.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::month_name;
/// assert_eq!(month_name(1), "January");
/// assert_eq!(month_name(12), "December");
/// ```
pub fn month_name(m: u32) -> &'static str {
    assert!((1..=12).contains(&m), "month must be 1..=12, got {m}");
    MONTH_NAMES[m as usize - 1]
}

/// Days in a month of the proleptic Gregorian calendar.
///
/// February has 29 days when `year` is divisible by 4 and not by 100, or divisible by 400.
///
/// # Panics
/// If `month` is not in `1..=12`.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::days_in_month;
/// assert_eq!(days_in_month(2023, 2), 28);
/// assert_eq!(days_in_month(2024, 2), 29);
/// assert_eq!(days_in_month(1900, 2), 28);
/// assert_eq!(days_in_month(2000, 2), 29);
/// assert_eq!(days_in_month(2024, 9), 30);
/// ```
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
        _ => panic!("month must be 1..=12, got {month}"),
    }
}

/// Month-length adjustment: each count divided by the days in its month, `yₜ / dₜ`.
///
/// February has about 10% fewer days than a 31-day month, which alone makes it look like a
/// seasonal trough. Dividing by days removes that before computing indices or tests (standard
/// practice; methods note §6.3). Multiply the result by 365.25 / 12 = 30.4375 to get counts per
/// average-length month. `counts[0]` is `first_month` of `first_year`.
///
/// # Errors
///
/// [`Error::InvalidParameter`] (`first_month`) for a month outside 1..=12;
/// [`Error::InvalidValue`] for a negative or non-finite count.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::per_day;
/// // December 2023, January 2024, February 2024 (leap year).
/// let rates = per_day(&[310.0, 310.0, 290.0], 2023, 12)?;
/// assert_eq!(rates, vec![10.0, 10.0, 10.0]);
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Calendar (month-length) adjustment: Hyndman & Athanasopoulos, *Forecasting: Principles and
/// Practice*, 3rd ed. (2021), §3.1; methods note §6.3.
pub fn per_day(counts: &[f64], first_year: i32, first_month: u32) -> Result<Vec<f64>> {
    check_month(first_month)?;
    check_counts(counts)?;
    Ok(counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let months_since = first_month as i64 - 1 + i as i64;
            let year = first_year as i64 + months_since.div_euclid(12);
            let month = months_since.rem_euclid(12) as u32 + 1;
            c / f64::from(days_in_month(year as i32, month))
        })
        .collect())
}

/// Months [`classical_indices`] needs: the centred moving average loses 6 months at each end,
/// so 24 months leave exactly one ratio per calendar month.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::{classical_indices, CLASSICAL_MIN_MONTHS};
/// assert!(classical_indices(&vec![5.0; CLASSICAL_MIN_MONTHS], 1).is_ok());
/// assert!(classical_indices(&vec![5.0; CLASSICAL_MIN_MONTHS - 1], 1).is_err());
/// ```
pub const CLASSICAL_MIN_MONTHS: usize = 24;

/// Classical (ratio-to-moving-average) seasonal indices, January first, averaging 1.
///
/// The spreadsheet method (classical multiplicative decomposition):
///
/// 1. centred 2×12 moving average
///    `MAₜ = (½yₜ₋₆ + yₜ₋₅ + … + yₜ₊₅ + ½yₜ₊₆) / 12`, defined for `t = 6 … n−7`;
/// 2. ratios `rₜ = yₜ / MAₜ` (months with `MAₜ = 0` are skipped);
/// 3. `r̄ₘ` = arithmetic mean of the ratios of calendar month `m` over the available years;
/// 4. normalise: `Iₘ = 12 · r̄ₘ / Σₖ r̄ₖ`, so the twelve indices average exactly 1.
///
/// `Iₘ = 1.15` reads "15% above an average month". Index 0 is always January (not
/// `first_month`). For month-length adjusted indices pass [`per_day`] rates.
///
/// # Errors
///
/// [`Error::InvalidParameter`] (`first_month`) for a month outside 1..=12;
/// [`Error::InsufficientPeriods`] below [`CLASSICAL_MIN_MONTHS`] months; [`Error::InvalidValue`]
/// for a negative or non-finite count; [`Error::Degenerate`] if a calendar month has no usable
/// ratio (all its moving averages zero) or every ratio is zero.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::classical_indices;
/// // A constant level of 100 times a pattern that averages 1, three years from January: the
/// // 2×12 moving average of a purely periodic series is its annual mean (100), so the indices
/// // are the pattern itself.
/// let pattern = [0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7];
/// let counts: Vec<f64> = (0..36).map(|i| 100.0 * pattern[i % 12]).collect();
/// let idx = classical_indices(&counts, 1)?;
/// for m in 0..12 {
///     assert!((idx[m] - pattern[m]).abs() < 1e-12);
/// }
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Classical multiplicative decomposition: Makridakis, Wheelwright & Hyndman (1998), *Forecasting:
/// Methods and Applications*, 3rd ed., ch. 3; Hyndman & Athanasopoulos, *Forecasting: Principles
/// and Practice*, 3rd ed. (2021), §3.4. Equals a pandas computation of the same steps to 1e-12
/// (`tests/PROVENANCE_seasonal.md`).
pub fn classical_indices(counts: &[f64], first_month: u32) -> Result<[f64; 12]> {
    const METHOD: &str = "classical_indices";
    check_series(counts, first_month, CLASSICAL_MIN_MONTHS, METHOD)?;
    let n = counts.len();
    let mut sum = [0.0_f64; 12];
    let mut k = [0_usize; 12];
    for t in 6..n - 6 {
        let inner: f64 = counts[t - 5..=t + 5].iter().sum();
        let ma = (0.5 * counts[t - 6] + inner + 0.5 * counts[t + 6]) / 12.0;
        if ma > 0.0 {
            let m = calendar_month(first_month, t);
            sum[m] += counts[t] / ma;
            k[m] += 1;
        }
    }
    let mut raw = [0.0_f64; 12];
    for m in 0..12 {
        if k[m] == 0 {
            return Err(degenerate(
                METHOD,
                format!(
                    "no {} has a non-zero centred moving average",
                    MONTH_NAMES[m]
                ),
            ));
        }
        raw[m] = sum[m] / k[m] as f64;
    }
    let total: f64 = raw.iter().sum();
    if total <= 0.0 {
        return Err(degenerate(
            METHOD,
            "every ratio to the moving average is zero",
        ));
    }
    Ok(raw.map(|r| 12.0 * r / total))
}

/// Mean of a seasonal component per calendar month, January first.
///
/// `Sₘ = mean{ sₜ : month(t) = m }`: turns the STL seasonal component (one value per month of
/// the series) into the twelve-value profile [`peak_and_trough`] takes. With the default,
/// nearly periodic, seasonal smoother every year's values are almost the same. Seasonal
/// components may be negative.
///
/// # Errors
///
/// [`Error::InvalidParameter`] (`first_month`) for a month outside 1..=12;
/// [`Error::InsufficientPeriods`] for fewer than 12 values (a full year); [`Error::InvalidValue`]
/// for a non-finite value.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::seasonal_profile;
/// // 14 months from November: Nov, Dec, Jan, ..., Dec.
/// let s: Vec<f64> = (0..14).map(|i| ((10 + i) % 12) as f64).collect();
/// let p = seasonal_profile(&s, 11)?;
/// assert_eq!(p[0], 0.0); // January
/// assert_eq!(p[11], 11.0); // December (both Decembers are 11)
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// The seasonal peak and trough features of Hyndman & Athanasopoulos, *Forecasting: Principles and
/// Practice*, 3rd ed. (2021), §4.3 (feasts `feat_stl`'s `seasonal_peak_year`,
/// `seasonal_trough_year`), here averaged over the years.
pub fn seasonal_profile(seasonal: &[f64], first_month: u32) -> Result<[f64; 12]> {
    check_month(first_month)?;
    check_len(seasonal.len(), PERIOD, "seasonal_profile")?;
    check_values(
        seasonal,
        "seasonal",
        f64::is_finite,
        "seasonal components must be finite",
    )?;
    let mut sum = [0.0_f64; 12];
    let mut k = [0_usize; 12];
    for (t, &s) in seasonal.iter().enumerate() {
        let m = calendar_month(first_month, t);
        sum[m] += s;
        k[m] += 1;
    }
    Ok(std::array::from_fn(|m| sum[m] / k[m] as f64))
}

/// Names of the highest and the lowest month of a January-first profile: `(peak, trough)`.
///
/// `peak = month_name(1 + argmax Iₘ)`, `trough = month_name(1 + argmin Iₘ)`; ties go to the
/// earlier month of the calendar year, NaN entries are never chosen, and twelve NaNs give
/// `("", "")`. Takes classical indices or a [`seasonal_profile`]. Returns names rather than
/// indices to avoid the feasts 0-for-December trap (methods note §6.3).
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::peak_and_trough;
/// let idx = [1.0, 0.8, 0.9, 1.0, 1.0, 1.1, 1.3, 1.2, 1.0, 0.9, 0.9, 0.9];
/// assert_eq!(peak_and_trough(&idx), ("July", "February"));
/// ```
///
/// # References
///
/// Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed. (2021), §4.3 (feasts
/// `feat_stl` `seasonal_peak_year`, which returns December as 0); methods note §6.3.
pub fn peak_and_trough(seasonal_or_indices: &[f64; 12]) -> (&'static str, &'static str) {
    let mut peak: Option<usize> = None;
    let mut trough: Option<usize> = None;
    for (m, &v) in seasonal_or_indices.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        if peak.is_none_or(|p| v > seasonal_or_indices[p]) {
            peak = Some(m);
        }
        if trough.is_none_or(|t| v < seasonal_or_indices[t]) {
            trough = Some(m);
        }
    }
    (
        peak.map_or("", |m| MONTH_NAMES[m]),
        trough.map_or("", |m| MONTH_NAMES[m]),
    )
}

/// Months [`stl`] needs: two full periods (`stlrs` refuses fewer, as does the Fortran original).
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::{stl, StlParams, STL_MIN_MONTHS};
/// let two_years: Vec<f64> = (0..STL_MIN_MONTHS).map(|t| (10 + t % 12) as f64).collect();
/// assert!(stl(&two_years, &StlParams::default()).is_ok());
/// assert!(stl(&two_years[1..], &StlParams::default()).is_err());
/// ```
pub const STL_MIN_MONTHS: usize = 24;

/// Below this many months (three years) STL still runs but each calendar month's seasonal
/// value rests on two or three observations: callers should warn.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::{STL_MIN_MONTHS, STL_WARN_MONTHS};
/// let n = 30;
/// let warn = (STL_MIN_MONTHS..STL_WARN_MONTHS).contains(&n);
/// assert!(warn);
/// ```
pub const STL_WARN_MONTHS: usize = 36;

/// The default seasonal smoother length: long enough to act like R's
/// `stl(s.window = "periodic")`.
///
/// With a degree-0 seasonal loess and a window `q` longer than a cycle-subseries of `k` years,
/// the Fortran/`stlrs`/statsmodels loess widens its bandwidth to
/// `h = (k + 1) + ⌊(q − k)/2⌋`, so the smallest tricube weight is
/// `(1 − ((k+1)/h)³)³ ≥ 0.9999` for `k ≤ 14` years (168 months) and ≥ 0.99 up to 60 years: the
/// seasonal pattern is in effect the same every year. R gets the same effect with
/// `s.window = 10·n + 1`.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::{StlParams, STL_LONG_SEASONAL_LENGTH};
/// assert_eq!(StlParams::default().seasonal_length, STL_LONG_SEASONAL_LENGTH);
/// ```
pub const STL_LONG_SEASONAL_LENGTH: usize = 1001;

/// STL settings for a monthly series (period 12), passed to the `stlrs` crate.
///
/// Smoother lengths are in months for trend and low-pass and in **years** for the seasonal
/// smoother (it runs along each calendar month's subseries); all must be odd and ≥ 3. Jumps are
/// always 1 (every point is an exact loess fit; the Fortran default interpolates between every
/// ⌈length/10⌉-th point). Loop counts follow the Fortran original, R and `stlrs`: 2 inner and 0
/// outer loops, or 1 inner and 15 outer when `robust` ([`StlParams::inner_loops`],
/// [`StlParams::outer_loops`]). The low-pass degree equals `trend_degree` (as in `stlrs` and R).
///
/// **Pinned default** ([`StlParams::default`]), chosen for short police series (often 3–5
/// years of police.uk data) with shocks such as the April–May 2020 lockdown:
///
/// | setting | saferstats | `stlrs` 0.4 default | statsmodels `STL` | R `stl` |
/// |---|---|---|---|---|
/// | seasonal window | 1001 (≈ periodic) | period (12 → 13) | **7** | required (`"periodic"` = 10n+1) |
/// | seasonal degree | 0 | 0 | **1** | 0 |
/// | trend window | next odd ≥ ⌈18/(1−1.5/ns)⌉ = 19 | same formula (in f32) | same formula (23 for its ns = 7) | same formula |
/// | low-pass window | 13 | 13 | 13 | 13 |
/// | degrees trend / low-pass | 1 / 1 | 1 / 1 | 1 / 1 | 1 / 1 |
/// | jumps | 1 | ⌈len/10⌉ | **1** | ⌈len/10⌉ |
/// | robust | **true** | false | false | false |
/// | inner / outer loops | 2/0, robust 1/15 | 2/0, 1/15 | **5/0, 2/15** | 2/0, 1/15 |
///
/// Rationale: with 3–5 years a calendar month's subseries has 3–5 points, too few to let the
/// seasonal pattern drift, so it is held (almost) fixed, like R's `"periodic"` and like the
/// classical indices analysts know; robustness weights stop a lockdown or a recording change
/// from bending the trend and the seasonal pattern, so it shows up in the remainder where
/// [`anomalies`] can find it. For long series (10+ years) where the pattern may change, use
/// e.g. `seasonal_length: 13` (13 years) or statsmodels' 7.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::StlParams;
/// let p = StlParams::default();
/// assert_eq!((p.seasonal_length, p.seasonal_degree, p.trend_degree, p.robust), (1001, 0, 1, true));
/// assert_eq!((p.effective_trend_length(), p.effective_low_pass_length()), (19, 13));
/// assert_eq!((p.inner_loops(), p.outer_loops()), (1, 15));
/// // statsmodels' defaults written out: its seasonal=7 gives a trend window of 23.
/// let sm = StlParams { seasonal_length: 7, seasonal_degree: 1, robust: false, ..p };
/// assert_eq!(sm.effective_trend_length(), 23);
/// ```
///
/// # References
///
/// Cleveland et al. (1990), *J. Official Statistics* 6(1):3–73; `stlrs` 0.4.0
/// `src/stl_params.rs`; statsmodels 0.15 `statsmodels/tsa/stl/_stl.pyx`; R `stats::stl`; methods
/// note §6.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StlParams {
    /// Seasonal smoother length in years (odd, ≥ 3).
    pub seasonal_length: usize,
    /// Trend smoother length in months (odd, ≥ 3); `None` = smallest odd integer
    /// ≥ ⌈1.5·12 / (1 − 1.5/seasonal_length)⌉ (Cleveland et al. 1990; statsmodels, R, stlrs).
    pub trend_length: Option<usize>,
    /// Low-pass filter length in months (odd, ≥ 3); `None` = 13, the smallest odd integer > 12.
    pub low_pass_length: Option<usize>,
    /// Degree of the seasonal loess, 0 or 1.
    pub seasonal_degree: i32,
    /// Degree of the trend and low-pass loess, 0 or 1.
    pub trend_degree: i32,
    /// Robustness iterations (bisquare weights on the remainder, 6 × median |remainder|).
    pub robust: bool,
}

impl Default for StlParams {
    /// The pinned saferstats default: see [`StlParams`].
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::stats::seasonal::StlParams;
    /// assert!(StlParams::default().robust);
    /// ```
    fn default() -> Self {
        Self {
            seasonal_length: STL_LONG_SEASONAL_LENGTH,
            trend_length: None,
            low_pass_length: None,
            seasonal_degree: 0,
            trend_degree: 1,
            robust: true,
        }
    }
}

impl StlParams {
    /// The trend window used: `trend_length`, or the smallest odd integer
    /// ≥ ⌈1.5·12 / (1 − 1.5/seasonal_length)⌉ (computed in f64).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::stats::seasonal::StlParams;
    /// let p = StlParams { seasonal_length: 13, ..StlParams::default() };
    /// assert_eq!(p.effective_trend_length(), 21); // ⌈18 / (1 − 1.5/13)⌉ = ⌈20.35⌉
    /// let p = StlParams { trend_length: Some(25), ..p };
    /// assert_eq!(p.effective_trend_length(), 25);
    /// ```
    pub fn effective_trend_length(&self) -> usize {
        self.trend_length.unwrap_or_else(|| {
            let ns = self.seasonal_length.max(3) as f64;
            let nt = (1.5 * PERIOD as f64 / (1.0 - 1.5 / ns)).ceil() as usize;
            if nt.is_multiple_of(2) { nt + 1 } else { nt }
        })
    }

    /// The low-pass window used: `low_pass_length`, or 13 (the smallest odd integer > 12).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::stats::seasonal::StlParams;
    /// assert_eq!(StlParams::default().effective_low_pass_length(), 13);
    /// ```
    pub fn effective_low_pass_length(&self) -> usize {
        self.low_pass_length.unwrap_or(PERIOD + 1)
    }

    /// Inner loops per pass: 1 when robust, else 2 (Fortran `stlez`, R `stl`, `stlrs`;
    /// statsmodels uses 2 and 5).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::stats::seasonal::StlParams;
    /// let p = StlParams { robust: false, ..StlParams::default() };
    /// assert_eq!(p.inner_loops(), 2);
    /// ```
    pub fn inner_loops(&self) -> usize {
        if self.robust { 1 } else { 2 }
    }

    /// Robustness (outer) iterations: 15 when robust, else 0 (Fortran, R, `stlrs`, statsmodels).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::stats::seasonal::StlParams;
    /// assert_eq!(StlParams::default().outer_loops(), 15);
    /// ```
    pub fn outer_loops(&self) -> usize {
        if self.robust { 15 } else { 0 }
    }

    fn validate(&self) -> Result<(usize, usize, usize)> {
        let odd = |name: &'static str, v: usize| {
            if v >= 3 && v % 2 == 1 {
                Ok(v)
            } else {
                Err(Error::param(
                    name,
                    format!("must be odd and at least 3, got {v}"),
                ))
            }
        };
        let ns = odd("seasonal_length", self.seasonal_length)?;
        let nt = odd("trend_length", self.effective_trend_length())?;
        let nl = odd("low_pass_length", self.effective_low_pass_length())?;
        for (name, d) in [
            ("seasonal_degree", self.seasonal_degree),
            ("trend_degree", self.trend_degree),
        ] {
            if d != 0 && d != 1 {
                return Err(Error::param(name, format!("must be 0 or 1, got {d}")));
            }
        }
        Ok((ns, nt, nl))
    }
}

/// An STL decomposition `yₜ = Tₜ + Sₜ + Rₜ` and its strength measures.
///
/// `seasonal_strength = max(0, 1 − Var(R)/Var(S + R))` and
/// `trend_strength = max(0, 1 − Var(R)/Var(T + R))`, sample variances (denominator n − 1)
/// Both are 0 when the denominator variance is 0. Near 0: almost no seasonality (trend); near
/// 1: strong; above 0.5 the component varies more than the remainder when the two are
/// uncorrelated. `weights` are the final robustness weights (1 when not robust; near 0
/// for months treated as outliers).
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::{stl, StlParams};
/// let counts: Vec<f64> = (0..48)
///     .map(|t| 200.0 + t as f64 + 30.0 * (std::f64::consts::TAU * t as f64 / 12.0).sin())
///     .collect();
/// let fit = stl(&counts, &StlParams::default())?;
/// for t in 0..48 {
///     assert!((fit.trend[t] + fit.seasonal[t] + fit.remainder[t] - counts[t]).abs() < 1e-9);
/// }
/// assert!(fit.seasonal_strength > 0.9 && fit.trend_strength > 0.9);
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Wang, Smith & Hyndman (2006), "Characteristic-based clustering for time series data", *Data
/// Mining and Knowledge Discovery* 13:335–364; Hyndman & Athanasopoulos, *Forecasting: Principles
/// and Practice*, 3rd ed. (2021), §4.3 (feasts `feat_stl`); equals `stlrs`'
/// `seasonal_strength`/`trend_strength` to 1e-12.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StlFit {
    /// Trend component Tₜ.
    pub trend: Vec<f64>,
    /// Seasonal component Sₜ (sums to about 0 over any 12 consecutive months).
    pub seasonal: Vec<f64>,
    /// Remainder Rₜ = yₜ − Tₜ − Sₜ.
    pub remainder: Vec<f64>,
    /// Final robustness weights in [0, 1] (all 1 when `robust` is false).
    pub weights: Vec<f64>,
    /// max(0, 1 − Var(R)/Var(S + R)).
    pub seasonal_strength: f64,
    /// max(0, 1 − Var(R)/Var(T + R)).
    pub trend_strength: f64,
}

fn sample_variance(x: impl Iterator<Item = f64> + Clone) -> f64 {
    let (n, sum) = x.clone().fold((0_usize, 0.0), |(n, s), v| (n + 1, s + v));
    let mean = sum / n as f64;
    x.map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n as f64 - 1.0)
}

fn strength(component: &[f64], remainder: &[f64]) -> f64 {
    let var_r = sample_variance(remainder.iter().copied());
    let var_cr = sample_variance(component.iter().zip(remainder).map(|(c, r)| c + r));
    if var_cr > 0.0 {
        (1.0 - var_r / var_cr).max(0.0)
    } else {
        0.0
    }
}

/// STL decomposition of a monthly series (Cleveland, Cleveland, McRae & Terpenning 1990) with
/// the `stlrs` crate (a port of the netlib Fortran), period 12.
///
/// Every setting is passed to `stlrs` explicitly (lengths, degrees, jumps of 1, loop counts;
/// see [`StlParams`]), so results do not depend on `stlrs` defaults, and equal statsmodels'
/// `STL(y, period=12, seasonal=ns, trend=nt, low_pass=nl, seasonal_deg=…, trend_deg=…,
/// low_pass_deg=trend_deg, robust=…, *_jump=1).fit(inner_iter=…, outer_iter=…)` to about
/// 1e-10 relative (see tests/PROVENANCE_seasonal.md). Strengths: see [`StlFit`].
///
/// # Errors
///
/// [`Error::InvalidParameter`] (naming the field) for lengths that are even or below 3 or
/// degrees other than 0 and 1; [`Error::InsufficientPeriods`] below [`STL_MIN_MONTHS`] (warn
/// yourself below [`STL_WARN_MONTHS`]); [`Error::InvalidValue`] for a negative or non-finite count.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::{stl, StlParams};
/// // Three years: level 100, +20 every July, one spike of +60 in month 20.
/// let mut counts: Vec<f64> = (0..36).map(|t| if t % 12 == 6 { 120.0 } else { 100.0 }).collect();
/// counts[20] += 60.0;
/// let fit = stl(&counts, &StlParams::default())?;
/// assert!((fit.seasonal[18] - fit.seasonal[17] - 20.0).abs() < 1.0); // July stands out
/// assert!(fit.weights[20] < 0.01); // the spike is down-weighted ...
/// assert!((fit.remainder[20] - 60.0).abs() < 2.0); // ... and left in the remainder
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Cleveland, Cleveland, McRae & Terpenning (1990), "STL: a seasonal-trend decomposition
/// procedure based on loess", *Journal of Official Statistics* 6(1):3–73; the `stlrs` 0.4 port
/// of the netlib Fortran; as `statsmodels.tsa.seasonal.STL` with the same settings (components
/// to about 1e-10 relative, `tests/PROVENANCE_seasonal.md`) and R `stats::stl`.
pub fn stl(counts: &[f64], params: &StlParams) -> Result<StlFit> {
    let (ns, nt, nl) = params.validate()?;
    check_len(counts.len(), STL_MIN_MONTHS, "stl")?;
    check_counts(counts)?;
    let fit = stlrs::params()
        .seasonal_length(ns)
        .trend_length(nt)
        .low_pass_length(nl)
        .seasonal_degree(params.seasonal_degree)
        .trend_degree(params.trend_degree)
        .low_pass_degree(params.trend_degree)
        .seasonal_jump(1)
        .trend_jump(1)
        .low_pass_jump(1)
        .inner_loops(params.inner_loops())
        .outer_loops(params.outer_loops())
        .robust(params.robust)
        .fit(counts, PERIOD)
        .map_err(|e| Error::param("params", format!("stlrs refused the fit: {e}")))?;
    let (seasonal, trend, remainder, weights) = fit.into_parts();
    Ok(StlFit {
        seasonal_strength: strength(&seasonal, &remainder),
        trend_strength: strength(&trend, &remainder),
        trend,
        seasonal,
        remainder,
        weights,
    })
}

/// A test statistic, its degrees of freedom and its (upper-tail χ²) p-value.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::{qs_test, TestResult};
/// let counts: Vec<f64> = (0..48).map(|t| if t % 12 == 0 { 150.0 } else { 100.0 + (t % 5) as f64 }).collect();
/// let r: TestResult = qs_test(&counts, 1)?;
/// assert_eq!(r.df, 2.0);
/// assert!(r.statistic > 0.0 && r.p_value < 0.01);
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The test statistic (H for Kruskal–Wallis, QS for the QS test).
    pub statistic: f64,
    /// Degrees of freedom of the reference χ² distribution.
    pub df: f64,
    /// P(χ²_df ≥ statistic).
    pub p_value: f64,
}

/// Months [`kruskal_wallis_by_month`] needs: two full years, so every calendar month has at
/// least two observations.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::{kruskal_wallis_by_month, KW_MIN_MONTHS};
/// let counts: Vec<f64> = (0..KW_MIN_MONTHS).map(|t| t as f64).collect();
/// assert!(kruskal_wallis_by_month(&counts, 1).is_ok());
/// assert!(kruskal_wallis_by_month(&counts[1..], 1).is_err());
/// ```
pub const KW_MIN_MONTHS: usize = 24;

/// Kruskal–Wallis test that the twelve calendar months have the same distribution.
///
/// Rank all `N` values (mid-ranks for ties), `Rₘ` = rank sum and `nₘ` = size of calendar month
/// `m`'s group:
/// `H = [12/(N(N+1)) Σₘ Rₘ²/nₘ − 3(N+1)] / [1 − Σ(t³ − t)/(N³ − N)]` (tie groups of size `t`),
/// p = P(χ²₁₁ ≥ H) ([`chi2_sf`]). seastests' *default* (`diff = TRUE`) ranks the
/// first differences instead, and its combined test uses ARIMA residuals; this function ranks
/// the levels, so a strong trend dilutes the test (apply it to a detrended or short series, or
/// use [`qs_test`], which differences).
///
/// # Errors
///
/// [`Error::InvalidParameter`] (`first_month`) for a month outside 1..=12;
/// [`Error::InsufficientPeriods`] below [`KW_MIN_MONTHS`]; [`Error::InvalidValue`] for a negative
/// or non-finite count; [`Error::Degenerate`] if every value is equal.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::kruskal_wallis_by_month;
/// // Two years from January; July and August clearly higher.
/// let y = [50., 48., 52., 51., 55., 57., 80., 82., 54., 50., 49., 51.,
///          51., 47., 53., 50., 56., 58., 81., 83., 55., 49., 50., 52.];
/// let r = kruskal_wallis_by_month(&y, 1)?;
/// assert_eq!(r.df, 11.0);
/// assert!(r.statistic > 19.7 && r.p_value < 0.05); // 19.675 = χ²₁₁ 95th percentile
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Kruskal & Wallis (1952), "Use of ranks in one-criterion variance analysis", *JASA*
/// 47:583–621. Equals `scipy.stats.kruskal` on the 12 calendar-month groups (statistic and
/// p-value to 1e-9, `tests/PROVENANCE_seasonal.md`) and seastests
/// `kw(x, freq = 12, diff = FALSE)`.
pub fn kruskal_wallis_by_month(counts: &[f64], first_month: u32) -> Result<TestResult> {
    const METHOD: &str = "kruskal_wallis_by_month";
    check_series(counts, first_month, KW_MIN_MONTHS, METHOD)?;
    let n = counts.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| counts[a].total_cmp(&counts[b]));
    let mut rank_sum = [0.0_f64; 12];
    let mut group_n = [0_usize; 12];
    let mut ties = 0.0_f64;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && counts[order[j]] == counts[order[i]] {
            j += 1;
        }
        // Positions i..j (0-based) share the mid-rank (i+1 + j)/2.
        let rank = (i + 1 + j) as f64 / 2.0;
        let t = (j - i) as f64;
        ties += t * t * t - t;
        for &idx in &order[i..j] {
            let m = calendar_month(first_month, idx);
            rank_sum[m] += rank;
            group_n[m] += 1;
        }
        i = j;
    }
    let nf = n as f64;
    let correction = 1.0 - ties / (nf * nf * nf - nf);
    if correction <= 0.0 {
        return Err(degenerate(
            METHOD,
            "every value is equal, so ranks carry no information",
        ));
    }
    let ssbn: f64 = (0..12)
        .map(|m| rank_sum[m] * rank_sum[m] / group_n[m] as f64)
        .sum();
    let h = ((12.0 / (nf * (nf + 1.0)) * ssbn - 3.0 * (nf + 1.0)) / correction).max(0.0);
    let df = (PERIOD - 1) as f64;
    Ok(TestResult {
        statistic: h,
        df,
        p_value: chi2_sf(h, df),
    })
}

/// Months [`qs_test`] needs: three years, i.e. 35 first differences, so the lag-24
/// autocorrelation rests on at least 11 pairs.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::{qs_test, QS_MIN_MONTHS};
/// use saferstats::Error;
/// let err = qs_test(&vec![1.0; QS_MIN_MONTHS - 1], 1).unwrap_err();
/// assert!(matches!(err, Error::InsufficientPeriods { .. }));
/// assert_eq!(err.to_string(), "insufficient periods for qs_test: needs at least 36 months, got 35");
/// ```
pub const QS_MIN_MONTHS: usize = 36;

/// QS test for seasonality: a seasonal Ljung–Box statistic on the first differences.
///
/// With `dₜ = yₜ − yₜ₋₁` (`N = n − 1` values), `d̄` their mean and the standard sample
/// autocorrelation (R `acf`, statsmodels `acf(adjusted=False)`: mean removed, the same
/// denominator for every lag) `ρₖ = Σₜ₌₁ᴺ⁻ᵏ (dₜ − d̄)(dₜ₊ₖ − d̄) / Σₜ₌₁ᴺ (dₜ − d̄)²`:
/// `QS = N(N+2)·(ρ₁₂²/(N−12) + ρ₂₄²/(N−24))`, and **if either ρ₁₂ ≤ 0 or ρ₂₄ ≤ 0 both are set
/// to 0** (seastests `if (any(rho <= 0)) rho <- c(0,0)`, so QS = 0 and p = 1: only positive
/// seasonal autocorrelation counts as seasonality). p = P(χ²₂ ≥ QS) = exp(−QS/2), computed
/// exactly ([`chi2_sf`]'s closed form; seastests' `1 − pchisq` loses digits below about 1e-16). `first_month` is only
/// validated (the test uses lags, not calendar months).
///
/// # Errors
///
/// [`Error::InvalidParameter`] (`first_month`) for a month outside 1..=12;
/// [`Error::InsufficientPeriods`] below [`QS_MIN_MONTHS`]; [`Error::InvalidValue`] for a negative
/// or non-finite count; [`Error::Degenerate`] if the first differences are all equal.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::qs_test;
/// // A repeating yearly pattern: strongly seasonal.
/// let pattern = [90.0, 80.0, 95.0, 100.0, 105.0, 110.0, 125.0, 115.0, 100.0, 95.0, 90.0, 95.0];
/// let counts: Vec<f64> = (0..48).map(|t| pattern[t % 12] + (t % 7) as f64).collect();
/// let r = qs_test(&counts, 1)?;
/// assert!((r.p_value - (-r.statistic / 2.0).exp()).abs() < 1e-15);
/// assert!(r.p_value < 1e-6);
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Maravall (2011), "Seasonality tests and automatic model identification in TRAMO-SEATS",
/// Bank of Spain; Ollech & Webel's R package seastests, `qs(x, freq = 12, diff = TRUE,
/// residuals = FALSE)`; Ljung & Box (1978), *Biometrika* 65:297–303. Autocorrelations equal
/// statsmodels `acf(adjusted=False)` (`tests/PROVENANCE_seasonal.md`).
pub fn qs_test(counts: &[f64], first_month: u32) -> Result<TestResult> {
    const METHOD: &str = "qs_test";
    check_series(counts, first_month, QS_MIN_MONTHS, METHOD)?;
    let d: Vec<f64> = counts.windows(2).map(|w| w[1] - w[0]).collect();
    let n = d.len();
    let mean = d.iter().sum::<f64>() / n as f64;
    let dev: Vec<f64> = d.iter().map(|v| v - mean).collect();
    let c0: f64 = dev.iter().map(|v| v * v).sum();
    if c0 <= 0.0 {
        return Err(degenerate(
            METHOD,
            "the first differences are all equal (no variation)",
        ));
    }
    let rho = |k: usize| (0..n - k).map(|t| dev[t] * dev[t + k]).sum::<f64>() / c0;
    let (mut r1, mut r2) = (rho(PERIOD), rho(2 * PERIOD));
    if r1 <= 0.0 || r2 <= 0.0 {
        (r1, r2) = (0.0, 0.0);
    }
    let nf = n as f64;
    let qs = nf * (nf + 2.0) * (r1 * r1 / (nf - 12.0) + r2 * r2 / (nf - 24.0));
    Ok(TestResult {
        statistic: qs,
        df: 2.0,
        p_value: chi2_sf(qs, 2.0),
    })
}

/// Default cut-off for [`anomalies`]: |robust score| > 3.5, Iglewicz & Hoaglin's (1993, *How
/// to Detect and Handle Outliers*, ASQC) recommended limit for modified z-scores.
///
/// # Examples
///
/// ```
/// assert_eq!(saferstats::stats::seasonal::DEFAULT_ANOMALY_THRESHOLD, 3.5);
/// ```
///
/// # References
///
/// Iglewicz & Hoaglin (1993), *How to Detect and Handle Outliers*, ASQC, §3.3.
pub const DEFAULT_ANOMALY_THRESHOLD: f64 = 3.5;

/// Consistency constant of the MAD for a normal distribution, as in R's `mad()`
/// (1/Φ⁻¹(3/4) = 1.482602…, rounded as R rounds it).
///
/// # Examples
///
/// ```
/// assert_eq!(saferstats::stats::seasonal::MAD_SCALE, 1.4826);
/// ```
///
/// # References
///
/// R `stats::mad` (`constant = 1.4826`); Iglewicz & Hoaglin (1993).
pub const MAD_SCALE: f64 = 1.4826;

/// A month whose count is far from its STL expectation.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::Anomaly;
/// let a = Anomaly { index: 3, observed: 40.0, expected: 100.0, robust_score: -6.0, p_value: 1e-12, direction: -1 };
/// assert!(a.direction < 0 && a.observed < a.expected);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// 0-based position in the series.
    pub index: usize,
    /// The count yₜ.
    pub observed: f64,
    /// Tₜ + Sₜ from the STL fit.
    pub expected: f64,
    /// Rₜ / (1.4826 · MAD(R)).
    pub robust_score: f64,
    /// Two-sided Poisson p-value of `observed` given mean `expected`.
    pub p_value: f64,
    /// +1 above expected, −1 below.
    pub direction: i8,
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
    }
}

/// Two-sided (doubled smaller tail) Poisson p-value:
/// `min(1, 2·min(P(X ≤ x), P(X ≥ x)))`, X ~ Poisson(μ), with `P(X ≤ x) = Q(x+1, μ)` and
/// `P(X ≥ x) = P(x, μ)` (regularised incomplete gamma functions, which extend the tails
/// continuously to non-integer x). μ ≤ 0: 1 if x = 0, else 0.
fn poisson_two_sided(x: f64, mu: f64) -> f64 {
    if mu <= 0.0 {
        return if x == 0.0 { 1.0 } else { 0.0 };
    }
    let lower = gamma_q(x + 1.0, mu);
    let upper = if x <= 0.0 { 1.0 } else { gamma_p(x, mu) };
    (2.0 * lower.min(upper)).min(1.0)
}

/// Months whose STL remainder is extreme: `|Rₜ / (1.4826·MAD(R))| > threshold`.
///
/// * `expected = Tₜ + Sₜ`; `robust_score = Rₜ / (1.4826 · median|Rᵢ − median(R)|)`, the
///   modified z-score of Iglewicz & Hoaglin (1993) with R's MAD constant ([`MAD_SCALE`]); the
///   numerator is the remainder itself (STL remainders are centred on 0). If the MAD is 0
///   (more than half the remainders equal), the scale falls back to
///   `1.253314 · mean|Rᵢ − median(R)|` (√(π/2), the normal-consistent mean absolute deviation;
///   the fallback of IBM's modified z-score); if that is 0 too, nothing is flagged. "0" here means at
///   most 1e-9 × the mean count, so rounding noise in the remainder of a perfectly regular
///   series is not scored.
/// * `p_value` = two-sided Poisson p of `observed` given mean `expected`,
///   `min(1, 2·min(P(X ≤ yₜ), P(X ≥ yₜ)))` via the regularised incomplete gamma functions
///   [`gamma_q`]`(yₜ + 1, μ)` and [`gamma_p`]`(yₜ, μ)` (non-integer counts use the same
///   formulas, a continuous extension). It assumes
///   the series is counts (not per-day rates) and ignores
///   over-dispersion, so with large counts it is tiny for any visible deviation: rank and
///   flag by `robust_score`, report `p_value` as supporting detail. Expected ≤ 0 gives p = 1
///   for a zero count, 0 otherwise.
/// * `threshold`: use [`DEFAULT_ANOMALY_THRESHOLD`] (3.5). `counts` must be the series the fit
///   was made from.
///
/// Returns the flagged months in time order.
///
/// # Errors
///
/// [`Error::InvalidParameter`] (`fit`) if `counts` and the fit differ in length, (`threshold`) if
/// the threshold is not a positive finite number; [`Error::InvalidValue`] for a negative or
/// non-finite count.
///
/// # Examples
///
/// ```
/// use saferstats::stats::seasonal::{anomalies, stl, StlParams, DEFAULT_ANOMALY_THRESHOLD};
/// // Four years of a stable seasonal pattern with small noise, and a lockdown-like drop in
/// // month 40 (to about 60% of normal).
/// let pattern = [90.0, 80.0, 95.0, 100.0, 105.0, 110.0, 125.0, 115.0, 100.0, 95.0, 90.0, 95.0];
/// let noise = [3.0, -2.0, 1.0, -4.0, 2.0, 0.0, -1.0, 4.0, -3.0, 1.0, 2.0];
/// let mut counts: Vec<f64> = (0..48).map(|t| pattern[t % 12] + noise[t % 11]).collect();
/// counts[40] = 60.0;
/// let fit = stl(&counts, &StlParams::default())?;
/// let found = anomalies(&counts, &fit, DEFAULT_ANOMALY_THRESHOLD)?;
/// assert_eq!(found.len(), 1);
/// assert_eq!((found[0].index, found[0].direction), (40, -1));
/// assert!(found[0].robust_score < -3.5 && found[0].p_value < 0.001);
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Iglewicz & Hoaglin (1993), *How to Detect and Handle Outliers*, ASQC (modified z-scores);
/// the MAD constant of R `mad()`; the p-value equals
/// `min(1, 2 * min(scipy.stats.poisson.cdf(x, μ), scipy.stats.poisson.sf(x - 1, μ)))` for
/// integer counts (`tests/PROVENANCE_seasonal.md`).
pub fn anomalies(counts: &[f64], fit: &StlFit, threshold: f64) -> Result<Vec<Anomaly>> {
    let n = counts.len();
    if fit.trend.len() != n || fit.seasonal.len() != n || fit.remainder.len() != n {
        return Err(Error::param(
            "fit",
            format!(
                "counts has {n} months but the STL fit has {}",
                fit.remainder.len()
            ),
        ));
    }
    if !(threshold.is_finite() && threshold > 0.0) {
        return Err(Error::param(
            "threshold",
            format!("must be positive and finite, got {threshold}"),
        ));
    }
    check_counts(counts)?;
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut sorted = fit.remainder.clone();
    sorted.sort_by(f64::total_cmp);
    let med = median(&sorted);
    let mut abs_dev: Vec<f64> = fit.remainder.iter().map(|r| (r - med).abs()).collect();
    abs_dev.sort_by(f64::total_cmp);
    // Remainders this small relative to the counts are rounding noise (e.g. a perfectly
    // periodic series), not variation.
    let noise = 1e-9 * counts.iter().sum::<f64>() / n as f64;
    let mut scale = MAD_SCALE * median(&abs_dev);
    if scale <= noise {
        scale = 1.253_314 * abs_dev.iter().sum::<f64>() / n as f64;
    }
    if scale.is_nan() || scale <= noise {
        return Ok(Vec::new());
    }
    Ok((0..n)
        .filter_map(|t| {
            let r = fit.remainder[t];
            let score = r / scale;
            (score.abs() > threshold).then(|| {
                let expected = fit.trend[t] + fit.seasonal[t];
                Anomaly {
                    index: t,
                    observed: counts[t],
                    expected,
                    robust_score: score,
                    p_value: poisson_two_sided(counts[t], expected),
                    direction: if r > 0.0 { 1 } else { -1 },
                }
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approx(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    #[test]
    fn month_names_are_one_based() {
        assert_eq!(month_name(1), "January");
        assert_eq!(month_name(7), "July");
        let names: Vec<&str> = (1..=12).map(month_name).collect();
        assert_eq!(names, MONTH_NAMES);
    }

    #[test]
    #[should_panic(expected = "month must be 1..=12")]
    fn month_name_zero_panics() {
        let _ = month_name(0);
    }

    #[test]
    fn days_in_month_matches_a_year_of_days() {
        for (year, days) in [(2023, 365), (2024, 366), (1900, 365), (2000, 366)] {
            let total: u32 = (1..=12).map(|m| days_in_month(year, m)).sum();
            assert_eq!(total, days, "{year}");
        }
    }

    #[test]
    fn per_day_crosses_years_and_validates() {
        // Nov 2019 .. Mar 2020: 30, 31, 31, 29, 31 days.
        let r = per_day(&[30.0, 31.0, 62.0, 29.0, 0.0], 2019, 11).unwrap();
        assert_eq!(r, vec![1.0, 1.0, 2.0, 1.0, 0.0]);
        // Negative years use the proleptic calendar (year 0 and -4 are leap years).
        assert_eq!(per_day(&[29.0], -4, 2).unwrap(), vec![1.0]);
        let err = per_day(&[1.0, -1.0], 2020, 1).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidValue { what, index: 1, value, .. }
                if what == "counts" && *value == -1.0),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "counts: value -1 at index 1 (0-based): counts must be finite, non-negative and at most 2^53"
        );
        assert!(matches!(
            per_day(&[1.0], 2020, 13),
            Err(Error::InvalidParameter {
                name: "first_month",
                ..
            })
        ));
    }

    #[test]
    fn validation_errors() {
        let mut y = vec![10.0; 36];
        y[5] = f64::NAN;
        assert!(matches!(
            classical_indices(&y, 1),
            Err(Error::InvalidValue { index: 5, .. })
        ));
        y[5] = f64::INFINITY;
        assert!(matches!(
            stl(&y, &StlParams::default()),
            Err(Error::InvalidValue { index: 5, .. })
        ));
        assert!(matches!(
            kruskal_wallis_by_month(&[1.0; 30], 0),
            Err(Error::InvalidParameter {
                name: "first_month",
                ..
            })
        ));
        let too_short = |e: Error, method: &str, needed: usize, got: usize| match e {
            Error::InsufficientPeriods { what, reason } => {
                assert_eq!(what, method);
                assert_eq!(reason, format!("needs at least {needed} months, got {got}"));
            }
            other => panic!("{method}: {other:?}"),
        };
        too_short(
            stl(&[1.0; 23], &StlParams::default()).unwrap_err(),
            "stl",
            24,
            23,
        );
        too_short(qs_test(&[1.0; 35], 1).unwrap_err(), "qs_test", 36, 35);
        // Degenerate data.
        assert!(matches!(
            kruskal_wallis_by_month(&[4.0; 24], 1),
            Err(Error::Degenerate { method, .. }) if method == "kruskal_wallis_by_month"
        ));
        let line: Vec<f64> = (0..36).map(f64::from).collect();
        assert!(matches!(
            qs_test(&line, 1),
            Err(Error::Degenerate { method, .. }) if method == "qs_test"
        ));
        assert!(matches!(
            classical_indices(&[0.0; 24], 1),
            Err(Error::Degenerate { method, .. }) if method == "classical_indices"
        ));
        // A seasonal component may be negative but not NaN.
        let mut s = vec![-1.0; 12];
        assert!(seasonal_profile(&s, 1).is_ok());
        s[11] = f64::NAN;
        assert!(matches!(
            seasonal_profile(&s, 1),
            Err(Error::InvalidValue { what, index: 11, .. }) if what == "seasonal"
        ));
    }

    #[test]
    fn stl_parameter_validation() {
        let y: Vec<f64> = (0..36).map(|t| (t % 12) as f64).collect();
        for (p, name) in [
            StlParams {
                seasonal_length: 12,
                ..StlParams::default()
            },
            StlParams {
                seasonal_length: 1,
                ..StlParams::default()
            },
            StlParams {
                trend_length: Some(20),
                ..StlParams::default()
            },
            StlParams {
                low_pass_length: Some(14),
                ..StlParams::default()
            },
            StlParams {
                seasonal_degree: 2,
                ..StlParams::default()
            },
            StlParams {
                trend_degree: -1,
                ..StlParams::default()
            },
        ]
        .into_iter()
        .zip([
            "seasonal_length",
            "seasonal_length",
            "trend_length",
            "low_pass_length",
            "seasonal_degree",
            "trend_degree",
        ]) {
            assert!(
                matches!(stl(&y, &p), Err(Error::InvalidParameter { name: n, .. }) if n == name),
                "{p:?}"
            );
        }
    }

    #[test]
    fn default_trend_length_formula() {
        // smallest odd >= ceil(18 / (1 - 1.5/ns)); statsmodels: smallest odd > 18/(1 - 1.5/ns).
        for (ns, nt) in [
            (7, 23),
            (9, 23),
            (11, 21),
            (13, 21),
            (35, 19),
            (1001, 19),
            (3, 37),
        ] {
            let p = StlParams {
                seasonal_length: ns,
                ..StlParams::default()
            };
            assert_eq!(p.effective_trend_length(), nt, "ns = {ns}");
        }
    }

    #[test]
    fn stl_strengths_match_stlrs() {
        let y: Vec<f64> = (0..60)
            .map(|t| {
                100.0 + 0.5 * t as f64 + 10.0 * ((t % 12) as f64 - 5.5).abs() + (t * 7 % 5) as f64
            })
            .collect();
        for robust in [false, true] {
            let p = StlParams {
                seasonal_length: 7,
                robust,
                ..StlParams::default()
            };
            let fit = stl(&y, &p).unwrap();
            let direct = stlrs::params()
                .seasonal_length(7)
                .trend_length(p.effective_trend_length())
                .low_pass_length(13)
                .seasonal_degree(0)
                .trend_degree(1)
                .seasonal_jump(1)
                .trend_jump(1)
                .low_pass_jump(1)
                .robust(robust)
                .fit(&y, 12)
                .unwrap();
            assert!(approx(
                fit.seasonal_strength,
                direct.seasonal_strength(),
                1e-12
            ));
            assert!(approx(fit.trend_strength, direct.trend_strength(), 1e-12));
            assert_eq!(fit.seasonal, direct.seasonal());
        }
    }

    #[test]
    fn strength_edge_cases() {
        // Constant series: every variance 0, strengths 0 (not NaN).
        let fit = stl(&[5.0; 36], &StlParams::default()).unwrap();
        assert_eq!(fit.seasonal_strength, 0.0);
        assert_eq!(fit.trend_strength, 0.0);
        assert!(anomalies(&[5.0; 36], &fit, 3.5).unwrap().is_empty());
    }

    #[test]
    fn classical_hand_example_closed_form() {
        // y_t = 100 + 2t + s[month], 36 months from July; MA_t = 100 + 2t exactly.
        let s = [
            -12.0, -18.0, -6.0, 0.0, 6.0, 12.0, 18.0, 12.0, 6.0, 0.0, -6.0, -12.0,
        ];
        let y: Vec<f64> = (0..36)
            .map(|t| 100.0 + 2.0 * t as f64 + s[(6 + t) % 12])
            .collect();
        let idx = classical_indices(&y, 7).unwrap();
        // January: t = 6 and 18: (100/112 + 124/136) / 2 before normalisation.
        let mut raw = [0.0; 12];
        for t in 6..30 {
            let ma = 100.0 + 2.0 * t as f64;
            raw[(6 + t) % 12] += y[t] / ma / 2.0;
        }
        assert!(approx(raw[0], (100.0 / 112.0 + 124.0 / 136.0) / 2.0, 1e-15));
        let total: f64 = raw.iter().sum();
        for m in 0..12 {
            assert!(approx(idx[m], 12.0 * raw[m] / total, 1e-13), "{m}");
        }
        assert!(approx(idx.iter().sum::<f64>(), 12.0, 1e-14));
        assert_eq!(peak_and_trough(&idx), ("July", "February"));
    }

    #[test]
    fn classical_skips_zero_moving_averages() {
        // A year of zeros in the middle: MAs there are zero and those ratios are skipped.
        let mut y: Vec<f64> = (0..48).map(|t| 10.0 + (t % 12) as f64).collect();
        for v in &mut y[18..30] {
            *v = 0.0;
        }
        y[24] = 0.0;
        let idx = classical_indices(&y, 1).unwrap();
        assert!(approx(idx.iter().sum::<f64>(), 12.0, 1e-14));
    }

    #[test]
    fn peak_and_trough_ties_and_nan() {
        let mut v = [1.0; 12];
        assert_eq!(peak_and_trough(&v), ("January", "January"));
        v[0] = f64::NAN;
        v[11] = 2.0;
        v[3] = 0.5;
        assert_eq!(peak_and_trough(&v), ("December", "April"));
        assert_eq!(peak_and_trough(&[f64::NAN; 12]), ("", ""));
    }

    #[test]
    fn seasonal_profile_aligns_calendar_months() {
        let s: Vec<f64> = (0..30).map(|t| ((4 + t) % 12) as f64).collect(); // from May
        let p = seasonal_profile(&s, 5).unwrap();
        for (m, v) in p.iter().enumerate() {
            assert_eq!(*v, m as f64);
        }
    }

    #[test]
    fn kruskal_wallis_hand_computed() {
        // 24 distinct values, two per month; values rank exactly as their order: month m gets
        // ranks m+1 and m+13 in both years, H = 12/(24·25) Σ (2m+14)²/2 − 75.
        let y: Vec<f64> = (0..24).map(f64::from).collect();
        let r = kruskal_wallis_by_month(&y, 1).unwrap();
        let ssbn: f64 = (0..12).map(|m| ((2 * m + 14) as f64).powi(2) / 2.0).sum();
        let h = 12.0 / 600.0 * ssbn - 75.0;
        assert!(approx(r.statistic, h, 1e-13));
        // Same partition whatever the first month.
        let r5 = kruskal_wallis_by_month(&y, 5).unwrap();
        assert!(approx(r5.statistic, r.statistic, 1e-15));
    }

    #[test]
    fn qs_negative_autocorrelation_zeroes_both() {
        // Alternating differences: ρ12 > 0, but a pattern with period 24 sign flips makes ρ24
        // depend on data; build one where ρ12 < 0 explicitly: period-24 square wave.
        let y: Vec<f64> = (0..48)
            .map(|t| {
                if (t / 12) % 2 == 0 {
                    10.0 + (t % 3) as f64
                } else {
                    30.0 + (t % 3) as f64
                }
            })
            .collect();
        let r = qs_test(&y, 1).unwrap();
        assert_eq!(r.statistic, 0.0);
        assert_eq!(r.p_value, 1.0);
    }

    #[test]
    fn poisson_two_sided_known_values() {
        // P(X <= 0 | 1) = e^-1; doubled.
        assert!(approx(
            poisson_two_sided(0.0, 1.0),
            2.0 * (-1.0_f64).exp(),
            1e-14
        ));
        // x = mu = 10: both tails > 0.5, p = 1.
        assert_eq!(poisson_two_sided(10.0, 10.0), 1.0);
        // P(X >= 3 | 0.5) = 1 - e^-0.5 (1 + 0.5 + 0.125).
        let upper = 1.0 - (-0.5_f64).exp() * (1.0 + 0.5 + 0.125);
        assert!(approx(poisson_two_sided(3.0, 0.5), 2.0 * upper, 1e-12));
        assert_eq!(poisson_two_sided(0.0, 0.0), 1.0);
        assert_eq!(poisson_two_sided(2.0, -1.0), 0.0);
    }

    #[test]
    fn anomalies_validation_and_mad_fallback() {
        let y: Vec<f64> = (0..36).map(|t| 50.0 + (t % 12) as f64).collect();
        let fit = stl(&y, &StlParams::default()).unwrap();
        assert!(matches!(
            anomalies(&y[..35], &fit, 3.5),
            Err(Error::InvalidParameter { name: "fit", .. })
        ));
        assert!(matches!(
            anomalies(&y, &fit, f64::NAN),
            Err(Error::InvalidParameter {
                name: "threshold",
                ..
            })
        ));
        assert!(matches!(
            anomalies(&y, &fit, 0.0),
            Err(Error::InvalidParameter {
                name: "threshold",
                ..
            })
        ));
        // MAD = 0 (most remainders exactly 0): fall back to the mean absolute deviation.
        let mut fake = fit.clone();
        fake.remainder = vec![0.0; 36];
        fake.remainder[10] = 8.0;
        fake.remainder[20] = -1.0;
        let found = anomalies(&y, &fake, 3.5).unwrap();
        // scale = 1.253314 * 9/36; 8/scale = 25.5, 1/scale = 3.19.
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].index, 10);
        assert!(approx(
            found[0].robust_score,
            8.0 / (1.253_314 * 0.25),
            1e-12
        ));
    }
}
