//! Five-year trends: PHE's recent-trend marker and a Poisson log-linear trend, for every area
//! and group at once; plus recording-practice breaks attached as caveats.
//!
//! **PHE trend marker** (Fingertips "Trend markers" guidance; PHEindicatormethods PR #92): the
//! five most recent non-overlapping annual points. For rates, an inverse-variance weighted
//! regression of the rate on the year, σᵢ = (UCLᵢ − LCLᵢ)/(2·1.96) from the 95% Byar or exact
//! interval (any value with its own 95% limits: [`phe_trend_values`]); for proportions, the χ²
//! test for trend (Cochran-Armitage form, [`phe_trend_proportion_counts`]), the five points
//! taken as periods 1 to 5. Significant when X² > 9.5495 (χ²₁ at 99.8%); then, for the
//! regression, a leave-one-out check: if dropping any one point flips the sign of the slope the
//! marker is "No significant change" with reason "outlier found". Result: "Increasing",
//! "Decreasing", "No significant change" or "Cannot be calculated", with a reason (and, from
//! the `PheTrend` functions, the statistic and gradient). The markers, statistics and gradients
//! reproduce PHEindicatormethods' test data (`tests/rust/phe_oracles.rs`). Monthly, quarterly,
//! partial or rolling (overlapping) periods are refused, as Fingertips requires; so are a year
//! given twice and, unlike PHEindicatormethods (which numbers whatever five points it is given
//! 1 to 5), a gap between years (Fingertips: "there must be no breaks in the series").
//!
//! **Poisson log-linear trend** (beyond PHE): log μₜ = a + b·t + log(exposureₜ) fitted by
//! iteratively reweighted least squares on all annual points; the annual percentage change is
//! 100·(eᵇ − 1) with a Wald interval, widened by √φ where φ = Pearson χ²/(n − 2) when φ > 1
//! (quasi-Poisson).
//!
//! ```
//! use saferstats::stats::trend::{phe_trend_rates, TrendMarker};
//! // Counts rising 10% a year on a population of 100,000.
//! let counts = [1000.0, 1100.0, 1210.0, 1331.0, 1464.0];
//! let pop = [100_000.0; 5];
//! let (marker, _) = phe_trend_rates(&[2015, 2016, 2017, 2018, 2019], &counts, &pop);
//! assert_eq!(marker, TrendMarker::Increasing);
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::stats::intervals::{poisson_count_limits, z_for};
use crate::stats::special::normal_two_sided_p;

/// PHE's recent-trend categories.
///
/// # Examples
///
/// ```
/// use saferstats::stats::trend::TrendMarker;
/// assert_eq!(TrendMarker::CannotBeCalculated.label(), "Cannot be calculated");
/// ```
///
/// # References
///
/// Fingertips technical guidance "Trend markers" (Public Health England / OHID);
/// PHEindicatormethods PR #92.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrendMarker {
    /// Significant increase at 99.8%.
    Increasing,
    /// Significant decrease at 99.8%.
    Decreasing,
    /// No significant trend (or an outlier drives it).
    NoSignificantChange,
    /// Fewer than five annual points, or unsuitable periods.
    CannotBeCalculated,
}

impl TrendMarker {
    /// PHE's label: "Increasing", "Decreasing", "No significant change" or "Cannot be
    /// calculated".
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::stats::trend::TrendMarker;
    /// assert_eq!(TrendMarker::NoSignificantChange.label(), "No significant change");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            TrendMarker::Increasing => "Increasing",
            TrendMarker::Decreasing => "Decreasing",
            TrendMarker::NoSignificantChange => "No significant change",
            TrendMarker::CannotBeCalculated => "Cannot be calculated",
        }
    }
}

/// A marker that cannot be calculated, with the reason.
type Unmarked = (TrendMarker, String);

/// The last five years and their values and denominators.
type Points<'a> = (&'a [i32], &'a [f64], &'a [f64]);

/// The last five points of a year column and its two value columns, or why there is no marker
/// (columns of different lengths, fewer than five years).
fn last_five<'a>(
    years: &'a [i32],
    values: &'a [f64],
    denominators: &'a [f64],
) -> std::result::Result<Points<'a>, Unmarked> {
    let n = years.len();
    if values.len() != n || denominators.len() != n {
        return Err((
            TrendMarker::CannotBeCalculated,
            format!(
                "{n} years but {} values and {} denominators: one of each per year",
                values.len(),
                denominators.len()
            ),
        ));
    }
    if n < 5 {
        return Err((
            TrendMarker::CannotBeCalculated,
            format!("needs 5 annual points, has {n}"),
        ));
    }
    Ok((&years[n - 5..], &values[n - 5..], &denominators[n - 5..]))
}

const PHE_CRITICAL: f64 = 9.549_535_706_083_237; // χ²₁ at 99.8% (scipy.stats.chi2.ppf(0.998, 1))

fn weighted_slope(t: &[f64], y: &[f64], sigma: &[f64]) -> Option<(f64, f64)> {
    let w: Vec<f64> = sigma.iter().map(|s| 1.0 / (s * s)).collect();
    if w.iter().any(|w| !w.is_finite()) {
        return None;
    }
    let s0: f64 = w.iter().sum();
    let st: f64 = w.iter().zip(t).map(|(w, t)| w * t).sum();
    let sy: f64 = w.iter().zip(y).map(|(w, y)| w * y).sum();
    let stt: f64 = w.iter().zip(t).map(|(w, t)| w * t * t).sum();
    let sty: f64 = w.iter().zip(t).zip(y).map(|((w, t), y)| w * t * y).sum();
    let denom = s0 * stt - st * st;
    if denom <= 0.0 {
        return None;
    }
    let beta = (s0 * sty - st * sy) / denom;
    let var = s0 / denom;
    Some((beta, var))
}

/// A PHE trend marker with the numbers behind it, the result of [`phe_trend_values`] and
/// [`phe_trend_proportion_counts`].
///
/// # Examples
///
/// ```
/// use saferstats::stats::trend::{phe_trend_values, TrendMarker};
/// let t = phe_trend_values(&[30.6, 30.2, 28.0, 24.6, 24.67], &[28.98, 28.63, 26.44, 23.15, 23.16],
///                          &[32.25, 31.9, 29.64, 26.19, 26.25]);
/// assert_eq!(t.marker, TrendMarker::Decreasing);
/// assert!((t.statistic - 46.7636).abs() < 5e-5 && (t.gradient + 1.7516).abs() < 5e-5);
/// ```
///
/// # References
///
/// Fingertips technical guidance "Trend markers" (Public Health England / OHID);
/// PHEindicatormethods PR #92 (its test data, `tests/PROVENANCE_phe.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PheTrend {
    /// The marker.
    pub marker: TrendMarker,
    /// Why: the statistic against the threshold, the outlier found, or why there is no marker.
    pub reason: String,
    /// The χ² statistic on 1 degree of freedom (NaN when not calculated).
    pub statistic: f64,
    /// The gradient per period (NaN when not calculated): the inverse-variance weighted slope
    /// of the value ([`phe_trend_values`]), or the least-squares slope of the log-odds
    /// ([`phe_trend_proportion_counts`]).
    pub gradient: f64,
}

impl PheTrend {
    fn unmarked((marker, reason): Unmarked) -> PheTrend {
        PheTrend {
            marker,
            reason,
            statistic: f64::NAN,
            gradient: f64::NAN,
        }
    }

    fn pair(self) -> (TrendMarker, String) {
        (self.marker, self.reason)
    }
}

/// The last five of equally long columns (all values, no years), or why there is no marker.
fn last_five_points<'a, const N: usize>(
    columns: [&'a [f64]; N],
    names: [&str; N],
) -> std::result::Result<[&'a [f64]; N], Unmarked> {
    let n = columns[0].len();
    if columns.iter().any(|c| c.len() != n) {
        let lengths: Vec<String> = columns
            .iter()
            .zip(names)
            .map(|(c, name)| format!("{} {name}", c.len()))
            .collect();
        return Err((
            TrendMarker::CannotBeCalculated,
            format!("{}: one of each per period", lengths.join(", ")),
        ));
    }
    if n < 5 {
        return Err((
            TrendMarker::CannotBeCalculated,
            format!("needs 5 annual points, has {n}"),
        ));
    }
    Ok(columns.map(|c| &c[n - 5..]))
}

/// Fingertips' conditions on the years of the five points: no year twice and no gap (breaks in
/// the series are not tested).
fn check_years(years: &[i32]) -> std::result::Result<(), Unmarked> {
    let mut sorted = years.to_vec();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err((
            TrendMarker::CannotBeCalculated,
            "duplicate years in the last 5 points".into(),
        ));
    }
    if years.windows(2).any(|w| w[1] - w[0] != 1) {
        return Err((
            TrendMarker::CannotBeCalculated,
            "the last 5 points are not consecutive years".into(),
        ));
    }
    Ok(())
}

/// PHE trend marker for rates from annual counts and populations, in year order; the last five
/// points are used and must be consecutive years.
///
/// The rate O/n with its 95% [`poisson_count_limits`] (Byar or exact) divided by n, then
/// [`phe_trend_values`]: an inverse-variance weighted regression of the rate on the year,
/// σᵢ = (UCLᵢ − LCLᵢ)/(2·1.96); significant when X² = β²/Var(β) > 9.5495 (χ²₁ at 99.8%),
/// unless dropping any one point flips the sign of the slope ("outlier found"). Returns the
/// marker and a reason, or the X² statistic, as text. Slices of different lengths, fewer than
/// five points, a year given twice, non-consecutive years (Fingertips does not test series
/// with breaks), a missing (NaN) count or population, or zero-width intervals give
/// [`TrendMarker::CannotBeCalculated`].
///
/// # Examples
///
/// ```
/// use saferstats::stats::trend::{phe_trend_rates, TrendMarker};
/// let years = [2015, 2016, 2017, 2018, 2019];
/// // Counts rising 10% a year on a population of 100,000.
/// let counts = [1000.0, 1100.0, 1210.0, 1331.0, 1464.0];
/// let (marker, reason) = phe_trend_rates(&years, &counts, &[100_000.0; 5]);
/// assert_eq!(marker, TrendMarker::Increasing);
/// assert!(reason.starts_with("X² = ") && reason.ends_with("> 9.5495 (99.8%)"));
/// let (marker, _) = phe_trend_rates(&years[1..], &counts[1..], &[100_000.0; 4]);
/// assert_eq!(marker, TrendMarker::CannotBeCalculated);
/// // A gap (2016 missing) is not tested.
/// let gap = [2014, 2015, 2017, 2018, 2019];
/// let (marker, reason) = phe_trend_rates(&gap, &counts, &[100_000.0; 5]);
/// assert_eq!(marker, TrendMarker::CannotBeCalculated);
/// assert!(reason.contains("not consecutive"));
/// ```
///
/// # References
///
/// Fingertips technical guidance "Trend markers" (Public Health England / OHID);
/// PHEindicatormethods PR #92; intervals as PHEindicatormethods `phe_rate`.
pub fn phe_trend_rates(
    years: &[i32],
    counts: &[f64],
    populations: &[f64],
) -> (TrendMarker, String) {
    let (years, counts, pops) = match last_five(years, counts, populations) {
        Ok(points) => points,
        Err(unmarked) => return unmarked,
    };
    if let Err(unmarked) = check_years(years) {
        return unmarked;
    }
    if counts.iter().chain(pops).any(|v| v.is_nan()) {
        return (TrendMarker::CannotBeCalculated, "missing values".into());
    }
    let rate: Vec<f64> = counts.iter().zip(pops).map(|(o, n)| o / n).collect();
    let (lower, upper): (Vec<f64>, Vec<f64>) = counts
        .iter()
        .zip(pops)
        .map(|(o, n)| {
            let (l, u, _) = poisson_count_limits(*o, 0.95);
            (l / n, u / n)
        })
        .unzip();
    phe_trend_values(&rate, &lower, &upper).pair()
}

/// PHE trend marker for any value with 95% confidence limits (rates, ratios, means, ... : every
/// indicator type but proportions), from the last five points in order, taken as equally spaced
/// periods 1 to 5.
///
/// Inverse-variance weighted least squares of the value on the period with
/// σᵢ = (UCLᵢ − LCLᵢ)/(2·Φ⁻¹(0.975)): gradient β and X² = β²/Var(β), Var(β) = Σw/(Σw·Σwt² −
/// (Σwt)²), w = 1/σ². Significant when X² > 9.5495 (χ²₁ at 99.8%), unless dropping any one
/// point flips the sign of the slope (then "No significant change", "outlier found"). Slices of
/// different lengths, fewer than five points, a missing (NaN) value or limit among the last
/// five, or zero-width intervals give [`TrendMarker::CannotBeCalculated`]. The caller checks
/// that the points are consecutive, non-overlapping years ([`phe_trend_rates`] does).
/// Reproduces PHEindicatormethods' markers, statistics and gradients on its test data
/// (`tests/rust/phe_oracles.rs`).
///
/// # Examples
///
/// ```
/// use saferstats::stats::trend::{phe_trend_values, TrendMarker};
/// let values = [30.2, 28.0, 24.6, 24.67, 30.9];
/// let t = phe_trend_values(&values, &[28.63, 26.44, 23.15, 23.16, 28.98], &[31.9, 29.64, 26.19, 26.25, 32.25]);
/// assert_eq!(t.marker, TrendMarker::NoSignificantChange);
/// assert!((t.statistic - 0.7433).abs() < 5e-5);
/// let t = phe_trend_values(&values, &[28.63, f64::NAN, 23.15, 23.16, 28.98], &[31.9, 29.64, 26.19, 26.25, 32.25]);
/// assert_eq!(t.marker, TrendMarker::CannotBeCalculated);
/// ```
///
/// # References
///
/// Fingertips technical guidance "Trend markers" (Public Health England / OHID);
/// PHEindicatormethods PR #92.
pub fn phe_trend_values(values: &[f64], lower: &[f64], upper: &[f64]) -> PheTrend {
    let [y, lower, upper] = match last_five_points(
        [values, lower, upper],
        ["values", "lower limits", "upper limits"],
    ) {
        Ok(points) => points,
        Err(unmarked) => return PheTrend::unmarked(unmarked),
    };
    if y.iter().any(|v| v.is_nan()) {
        return PheTrend::unmarked((TrendMarker::CannotBeCalculated, "missing values".into()));
    }
    if lower.iter().chain(upper).any(|v| v.is_nan()) {
        return PheTrend::unmarked((
            TrendMarker::CannotBeCalculated,
            "missing a confidence limit".into(),
        ));
    }
    let z = z_for(0.95);
    let t = [1.0, 2.0, 3.0, 4.0, 5.0];
    let sigma: Vec<f64> = lower
        .iter()
        .zip(upper)
        .map(|(l, u)| (u - l) / (2.0 * z))
        .collect();
    trend_from_regression(&t, y, &sigma)
}

fn trend_from_regression(t: &[f64], y: &[f64], sigma: &[f64]) -> PheTrend {
    let Some((beta, var)) = weighted_slope(t, y, sigma) else {
        return PheTrend::unmarked((
            TrendMarker::CannotBeCalculated,
            "zero-width intervals: the weighted regression is undefined".into(),
        ));
    };
    let x2 = beta * beta / var;
    let marked = |marker, reason| PheTrend {
        marker,
        reason,
        statistic: x2,
        gradient: beta,
    };
    if x2 <= PHE_CRITICAL {
        return marked(
            TrendMarker::NoSignificantChange,
            format!("X² = {x2:.3} ≤ 9.5495 (99.8%)"),
        );
    }
    for drop in 0..t.len() {
        let keep = |v: &[f64]| -> Vec<f64> {
            v.iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, x)| *x)
                .collect()
        };
        if let Some((b, _)) = weighted_slope(&keep(t), &keep(y), &keep(sigma))
            && b.signum() != beta.signum()
        {
            return marked(
                TrendMarker::NoSignificantChange,
                format!(
                    "outlier found (dropping point {} flips the slope)",
                    drop + 1
                ),
            );
        }
    }
    let marker = if beta > 0.0 {
        TrendMarker::Increasing
    } else {
        TrendMarker::Decreasing
    };
    marked(marker, format!("X² = {x2:.3} > 9.5495 (99.8%)"))
}

/// PHE trend marker for proportions from annual numerators and denominators, in year order
/// (last five used, consecutive years): the χ² test for trend, [`phe_trend_proportion_counts`].
///
/// Slices of different lengths, fewer than five points, a year given twice, non-consecutive
/// years (Fingertips does not test series with breaks), a missing (NaN) numerator or
/// denominator, or all or none of the denominators being events, give
/// [`TrendMarker::CannotBeCalculated`].
///
/// # Examples
///
/// ```
/// use saferstats::stats::trend::{phe_trend_proportions, TrendMarker};
/// let years = [2015, 2016, 2017, 2018, 2019];
/// let (marker, _) = phe_trend_proportions(&years, &[100.0, 150.0, 200.0, 250.0, 300.0], &[1000.0; 5]);
/// assert_eq!(marker, TrendMarker::Increasing);
/// let (marker, _) = phe_trend_proportions(&years, &[300.0, 250.0, 200.0, 150.0, 100.0], &[1000.0; 5]);
/// assert_eq!(marker, TrendMarker::Decreasing);
/// let (marker, _) = phe_trend_proportions(&years, &[100.0, 101.0, 99.0, 100.0, 100.0], &[1000.0; 5]);
/// assert_eq!(marker, TrendMarker::NoSignificantChange);
/// ```
///
/// # References
///
/// Fingertips technical guidance "Trend markers" (Public Health England / OHID);
/// PHEindicatormethods PR #92; the Cochran–Armitage test for trend: Cochran (1954), *Biometrics*
/// 10:417–451; Armitage (1955), *Biometrics* 11:375–386.
pub fn phe_trend_proportions(
    years: &[i32],
    numerators: &[f64],
    denominators: &[f64],
) -> (TrendMarker, String) {
    let (years, c, d) = match last_five(years, numerators, denominators) {
        Ok(points) => points,
        Err(unmarked) => return unmarked,
    };
    if let Err(unmarked) = check_years(years) {
        return unmarked;
    }
    phe_trend_proportion_counts(c, d).pair()
}

/// PHE trend marker for proportions from numerators and denominators, from the last five
/// points in order, taken as equally spaced periods tᵢ = 1 to 5: the χ² test for trend.
///
/// With events cᵢ of dᵢ, C = Σc and D = Σd: U = D·Σcᵢtᵢ − C·Σdᵢtᵢ and
/// X² = D·U² / (C(D − C)(D·Σdᵢtᵢ² − (Σdᵢtᵢ)²)) (Cochran–Armitage), significant when
/// X² > 9.5495 (χ²₁ at 99.8%); the direction is the sign of U. The gradient reported is
/// PHEindicatormethods' (reproduced on its test data): the ordinary least-squares slope of the
/// log-odds ln(cᵢ/(dᵢ − cᵢ)) on tᵢ (infinite or NaN when a proportion is 0 or 1). Slices of
/// different lengths, fewer than five points, a missing (NaN) numerator or denominator among
/// the last five, or all or none of the denominators being events, give
/// [`TrendMarker::CannotBeCalculated`]. The caller checks the years ([`phe_trend_proportions`]
/// does).
///
/// # Examples
///
/// ```
/// use saferstats::stats::trend::{phe_trend_proportion_counts, TrendMarker};
/// let t = phe_trend_proportion_counts(&[318.0, 314.0, 318.0, 291.0, 292.0],
///     &[468.3357879234167, 472.8915662650602, 500.78740157480314, 480.1980198019802, 499.14529914529913]);
/// assert_eq!(t.marker, TrendMarker::Decreasing);
/// assert!((t.statistic - 12.5688).abs() < 5e-5 && (t.gradient + 0.1062).abs() < 5e-5);
/// ```
///
/// # References
///
/// As [`phe_trend_proportions`].
pub fn phe_trend_proportion_counts(numerators: &[f64], denominators: &[f64]) -> PheTrend {
    let [c, d] = match last_five_points([numerators, denominators], ["numerators", "denominators"])
    {
        Ok(points) => points,
        Err(unmarked) => return PheTrend::unmarked(unmarked),
    };
    if c.iter().chain(d).any(|v| v.is_nan()) {
        return PheTrend::unmarked((TrendMarker::CannotBeCalculated, "missing values".into()));
    }
    let t = [1.0, 2.0, 3.0, 4.0, 5.0];
    let big_d: f64 = d.iter().sum();
    let big_c: f64 = c.iter().sum();
    let sct: f64 = c.iter().zip(&t).map(|(c, t)| c * t).sum();
    let sdt: f64 = d.iter().zip(&t).map(|(d, t)| d * t).sum();
    let sdtt: f64 = d.iter().zip(&t).map(|(d, t)| d * t * t).sum();
    let denom = big_c * (big_d - big_c) * (big_d * sdtt - sdt * sdt);
    if denom.is_nan() || denom <= 0.0 {
        return PheTrend::unmarked((
            TrendMarker::CannotBeCalculated,
            "all or none of the denominators are events: the test is undefined".into(),
        ));
    }
    let numer = big_d * sct - big_c * sdt;
    let x2 = big_d * numer * numer / denom;
    // Least-squares slope of the log-odds on t (t̄ = 3, Σ(t − t̄)² = 10).
    let gradient = c
        .iter()
        .zip(d)
        .zip(&t)
        .map(|((c, d), t)| (c / (d - c)).ln() * (t - 3.0))
        .sum::<f64>()
        / 10.0;
    let marked = |marker, reason| PheTrend {
        marker,
        reason,
        statistic: x2,
        gradient,
    };
    if x2 <= PHE_CRITICAL {
        return marked(
            TrendMarker::NoSignificantChange,
            format!("X² = {x2:.3} ≤ 9.5495 (99.8%)"),
        );
    }
    let marker = if numer > 0.0 {
        TrendMarker::Increasing
    } else {
        TrendMarker::Decreasing
    };
    marked(marker, format!("X² = {x2:.3} > 9.5495 (99.8%)"))
}

/// A Poisson log-linear trend fit, the result of [`log_linear_trend`].
///
/// # Examples
///
/// ```
/// use saferstats::stats::trend::{log_linear_trend, LogLinearTrend};
/// let fit: LogLinearTrend = log_linear_trend(&[0.0, 1.0, 2.0, 3.0, 4.0], &[100.0, 95.0, 90.0, 86.0, 81.0], &[1.0; 5], 0.95)?;
/// assert!(fit.annual_pct_change < 0.0 && fit.lower < fit.annual_pct_change && fit.annual_pct_change < fit.upper);
/// assert!(fit.dispersion < 1.0); // less variation than Poisson: the interval is not widened
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogLinearTrend {
    /// Annual percentage change 100·(eᵇ − 1).
    pub annual_pct_change: f64,
    /// Lower and upper limits of the annual percentage change.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
    /// Two-sided p-value for b = 0 (Wald, with φ when > 1).
    pub p_value: f64,
    /// Pearson dispersion φ = χ²/(n − 2).
    pub dispersion: f64,
}

/// Poisson log-linear trend: fit log μₜ = a + b·t + log(exposureₜ) by Newton–Raphson (IRLS) on
/// the Poisson likelihood, with `t` centred, and report the annual percentage change 100·(eᵇ − 1).
///
/// The interval is the Wald interval of b at `confidence` (a fraction), widened by √φ with the
/// Pearson dispersion φ = χ²/(n − 2) when φ > 1 (quasi-Poisson); the p-value is the two-sided
/// Wald test of b = 0 on the same scale.
///
/// # Errors
///
/// [`Error::InvalidParameter`] (`counts`) if `t`, `counts` and `exposure` differ in length;
/// [`Error::InsufficientPeriods`] for fewer than 3 periods, all counts zero, or a degenerate fit
/// (no variation in `t`).
///
/// # Examples
///
/// ```
/// use saferstats::stats::trend::log_linear_trend;
/// let fit = log_linear_trend(&[0.0, 1.0, 2.0, 3.0], &[100.0, 110.0, 121.0, 133.1], &[1.0; 4], 0.95)?;
/// assert!((fit.annual_pct_change - 10.0).abs() < 1e-6);
/// assert!(fit.p_value < 0.05);
/// assert!(log_linear_trend(&[0.0, 1.0], &[1.0, 2.0], &[1.0; 2], 0.95).is_err());
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// McCullagh & Nelder (1989), *Generalized Linear Models*, 2nd ed., Chapman & Hall (Poisson
/// log-linear models, quasi-likelihood dispersion); as R `glm(y ~ t + offset(log(n)),
/// family = quasipoisson)` for the estimate; `docs/methods.md`, "Trends".
pub fn log_linear_trend(
    t: &[f64],
    counts: &[f64],
    exposure: &[f64],
    confidence: f64,
) -> Result<LogLinearTrend> {
    let n = t.len();
    if counts.len() != n || exposure.len() != n {
        return Err(Error::param(
            "counts",
            format!(
                "t has {n} periods but counts has {} and exposure {}",
                counts.len(),
                exposure.len()
            ),
        ));
    }
    if n < 3 {
        return Err(Error::InsufficientPeriods {
            what: "log-linear trend".into(),
            reason: format!("needs at least 3 periods, got {n}"),
        });
    }
    if counts.iter().sum::<f64>() <= 0.0 {
        return Err(Error::InsufficientPeriods {
            what: "log-linear trend".into(),
            reason: "all counts are zero".into(),
        });
    }
    let tm = t.iter().sum::<f64>() / n as f64;
    let tc: Vec<f64> = t.iter().map(|x| x - tm).collect();
    let total_rate = counts.iter().sum::<f64>() / exposure.iter().sum::<f64>();
    let (mut a, mut b) = (total_rate.ln(), 0.0);
    for _ in 0..100 {
        let mu: Vec<f64> = (0..n)
            .map(|i| exposure[i] * (a + b * tc[i]).exp())
            .collect();
        let g0: f64 = (0..n).map(|i| counts[i] - mu[i]).sum();
        let g1: f64 = (0..n).map(|i| (counts[i] - mu[i]) * tc[i]).sum();
        let h00: f64 = mu.iter().sum();
        let h01: f64 = (0..n).map(|i| mu[i] * tc[i]).sum();
        let h11: f64 = (0..n).map(|i| mu[i] * tc[i] * tc[i]).sum();
        let det = h00 * h11 - h01 * h01;
        if det <= 0.0 || !det.is_finite() {
            return Err(Error::InsufficientPeriods {
                what: "log-linear trend".into(),
                reason: "the fit is degenerate (periods without variation in time?)".into(),
            });
        }
        let da = (h11 * g0 - h01 * g1) / det;
        let db = (h00 * g1 - h01 * g0) / det;
        a += da;
        b += db;
        if da.abs() < 1e-12 && db.abs() < 1e-12 {
            break;
        }
    }
    let mu: Vec<f64> = (0..n)
        .map(|i| exposure[i] * (a + b * tc[i]).exp())
        .collect();
    let h00: f64 = mu.iter().sum();
    let h01: f64 = (0..n).map(|i| mu[i] * tc[i]).sum();
    let h11: f64 = (0..n).map(|i| mu[i] * tc[i] * tc[i]).sum();
    let var_b = h00 / (h00 * h11 - h01 * h01);
    let pearson: f64 = (0..n).map(|i| (counts[i] - mu[i]).powi(2) / mu[i]).sum();
    let phi = if n > 2 {
        pearson / (n - 2) as f64
    } else {
        f64::NAN
    };
    let scale = if phi > 1.0 { phi } else { 1.0 };
    let se = (var_b * scale).sqrt();
    let z = z_for(confidence);
    let p = normal_two_sided_p(b / se);
    Ok(LogLinearTrend {
        annual_pct_change: (b.exp() - 1.0) * 100.0,
        lower: ((b - z * se).exp() - 1.0) * 100.0,
        upper: ((b + z * se).exp() - 1.0) * 100.0,
        p_value: p,
        dispersion: phi,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::{RecordingBreak, YearMonth, caveats_for};
    use crate::stats::special::chi2_quantile;

    #[test]
    fn phe_critical_value_is_chi2_998() {
        assert!((chi2_quantile(0.998, 1.0) - PHE_CRITICAL).abs() < 1e-9);
    }

    #[test]
    fn flat_series_is_no_significant_change() {
        let (m, _) = phe_trend_rates(&[2015, 2016, 2017, 2018, 2019], &[1000.0; 5], &[1e5; 5]);
        assert_eq!(m, TrendMarker::NoSignificantChange);
        let (m, r) = phe_trend_rates(&[2016, 2017, 2018, 2019], &[1000.0; 4], &[1e5; 4]);
        assert_eq!(m, TrendMarker::CannotBeCalculated);
        assert!(r.contains("5 annual points"));
    }

    #[test]
    fn outlier_check() {
        // A huge jump in the last year only: significant slope, but dropping it flips nothing;
        // a dip then a spike: dropping the spike reverses the sign.
        let (m, r) = phe_trend_rates(
            &[2015, 2016, 2017, 2018, 2019],
            &[1000.0, 990.0, 980.0, 970.0, 2000.0],
            &[1e5; 5],
        );
        assert_eq!(m, TrendMarker::NoSignificantChange, "{r}");
        assert!(r.contains("outlier"), "{r}");
    }

    #[test]
    fn mismatched_lengths_cannot_be_calculated() {
        let years = [2015, 2016, 2017, 2018, 2019, 2020];
        let (m, r) = phe_trend_rates(&years, &[1000.0; 5], &[1e5; 6]);
        assert_eq!(m, TrendMarker::CannotBeCalculated);
        assert!(r.contains("6 years but 5 values"), "{r}");
        let (m, _) = phe_trend_proportions(&years, &[10.0; 6], &[100.0; 2]);
        assert_eq!(m, TrendMarker::CannotBeCalculated);
        assert!(log_linear_trend(&[0.0, 1.0, 2.0], &[1.0, 2.0], &[1.0; 3], 0.95).is_err());
    }

    #[test]
    fn proportions_trend() {
        let (m, _) = phe_trend_proportions(
            &[2015, 2016, 2017, 2018, 2019],
            &[100.0, 150.0, 200.0, 250.0, 300.0],
            &[1000.0; 5],
        );
        assert_eq!(m, TrendMarker::Increasing);
    }

    #[test]
    fn breaks_become_caveats() {
        let b = [RecordingBreak {
            month: YearMonth::new(2014, 11).unwrap(),
            description: "HMIC crime data integrity inspection".into(),
        }];
        let c = caveats_for(
            YearMonth::new(2014, 1).unwrap(),
            YearMonth::new(2015, 12).unwrap(),
            &b,
        );
        assert!(c.unwrap().contains("2014-11"));
        assert!(
            caveats_for(
                YearMonth::new(2015, 1).unwrap(),
                YearMonth::new(2015, 12).unwrap(),
                &b
            )
            .is_none()
        );
    }
}
