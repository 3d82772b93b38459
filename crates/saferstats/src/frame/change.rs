//! Change between two periods, with a significance test, for every area and group at once.
//!
//! Each row of a counts table is compared with the row of the same area and group whose period
//! starts `k` months earlier: the previous period (`k` = the period's length), the same period a
//! year earlier (`k` = 12, the default: quarter-on-quarter change is confounded by seasonality,
//! so "July-September vs April-June" is answered by "July-September vs July-September last year"
//! unless the caller asks otherwise), or any number of months earlier.
//!
//! The test compares two Poisson rates with exposures (months covered, or population-months when
//! a population is attached): by default the exact conditional test (binomial on the total,
//! Clopper-Pearson interval for the rate ratio, as R's `poisson.test`), or the score, Wald-log,
//! mid-p and other tests of statsmodels' `test_poisson_2indep`. Crime counts are usually
//! over-dispersed (repeat victims, series offences, recording drives): pass a quasi-Poisson
//! dispersion factor φ ([`dispersion_from_monthly`]) to widen intervals and shrink z by √φ.
//!
//! A comparison involving a period with missing months is refused (left out of the table and
//! listed in [`ChangeReport::refused_partial`]) unless `exposure_adjust` is set; then the
//! exposure is the months covered and the row is flagged. Small counts are flagged. A zero
//! baseline gives no percentage change (null), never an infinity.
//!
//! [`dispersion_from_monthly`]: crate::stats::rate_ratio::dispersion_from_monthly
//!
//! ```
//! use saferstats::frame::change::{change, ChangeSpec, Compare};
//! use saferstats::{counts::{counts, CountSpec}, datasets, geo::geography::Level, period::PeriodKind};
//! let medway = datasets::medway_2014()?;
//! let q = counts(&medway.crimes.crimes, &medway.geography,
//!                &CountSpec::new(Level::Lad, PeriodKind::Quarter))?.table;
//! let spec = ChangeSpec { compare: Compare::Previous, ..ChangeSpec::default() };
//! let table = change(&q, &spec)?.table;
//! // Q2 vs Q1 and Q3 vs Q2 are complete; Q4 (two months) is refused without exposure_adjust.
//! assert_eq!(table.height(), 2);
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::collections::HashMap;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::Output;
use crate::frame::dispersion::series_dispersion;
use crate::frame::table::{
    check_counts, check_rows_unique, checked_coverage, row_groups, thousands, under_published,
    under_published_flag,
};
use crate::period::YearMonth;
use crate::period::{RecordingBreak, caveats_for};
use crate::schema::{AREA_CODE, COUNT, Keys};
use crate::stats::intervals::validate_confidence;
use crate::stats::rate_ratio::{PoissonTest, RateTest, compare_poisson_rates_matched};
use rayon::prelude::*;

/// Which earlier period each row is compared with.
///
/// Serialised as `"previous"`, `"year_earlier"` or `{"months_earlier": 24}`. The earlier
/// row must have the same area, grouping values and period length (`months_expected`).
///
/// # Examples
///
/// ```
/// use saferstats::frame::change::Compare;
/// let c: Compare = serde_json::from_str(r#"{"months_earlier": 24}"#).unwrap();
/// assert_eq!(c, Compare::MonthsEarlier(24));
/// assert_eq!(serde_json::to_string(&Compare::YearEarlier).unwrap(), r#""year_earlier""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// The period immediately before (same length).
    Previous,
    /// The same period one year earlier (default; removes seasonality).
    YearEarlier,
    /// The period starting this many months earlier (24 = two years earlier).
    MonthsEarlier(u32),
}

/// Options for [`change`].
///
/// Defaults: the same period a year earlier, the exact conditional test, 95%, no
/// over-dispersion (φ = 1), partial periods refused, counts below 10 flagged, no recording
/// breaks, no grouping columns. Deserialises with every field optional (`method` as a word,
/// e.g. `"score"`) and unknown fields refused.
///
/// # Examples
///
/// ```
/// use saferstats::frame::change::{ChangeSpec, Compare};
/// use saferstats::stats::rate_ratio::PoissonTest;
/// let spec: ChangeSpec = serde_json::from_str(
///     r#"{"compare": "previous", "method": "wald-log", "dispersion": 1.8, "keys": ["crime_type"]}"#,
/// ).unwrap();
/// assert_eq!((spec.compare, spec.method), (Compare::Previous, PoissonTest::WaldLog));
/// assert_eq!(spec.confidence, 0.95);
/// spec.check()?;
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChangeSpec {
    /// Which earlier period to compare with.
    pub compare: Compare,
    /// Test (default: exact conditional).
    pub method: PoissonTest,
    /// Confidence level for the rate-ratio interval and significance (0.90 to 0.999).
    pub confidence: f64,
    /// Quasi-Poisson dispersion factor φ; 1 = plain Poisson. Any finite value of 0 or more is
    /// accepted (the estimators can return values below 1); below 1 it is used as 1.
    pub dispersion: f64,
    /// Allow periods with missing months, using months covered as exposure (flagged).
    pub exposure_adjust: bool,
    /// Counts below this are flagged as small (default 10).
    pub small_count: f64,
    /// Known recording-practice changes: a comparison spanning one gets a caveat in `flags`.
    pub breaks: Vec<RecordingBreak>,
    /// Grouping columns of the counts table (besides `area_code` and `period`).
    pub keys: Keys,
}

impl Default for ChangeSpec {
    fn default() -> Self {
        ChangeSpec {
            compare: Compare::YearEarlier,
            method: PoissonTest::ExactConditional,
            confidence: 0.95,
            dispersion: 1.0,
            exposure_adjust: false,
            small_count: 10.0,
            breaks: Vec::new(),
            keys: Keys::none(),
        }
    }
}

impl ChangeSpec {
    /// Check the options: confidence 0.90 to 0.999, a positive dispersion, a non-negative
    /// small-count threshold, and a positive number of months for `MonthsEarlier`. A
    /// dispersion between 0 and 1 is accepted and used as 1 (no narrowing). [`change`] calls
    /// it first.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the option (`confidence`, `dispersion`,
    /// `small_count` or `compare`).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::frame::change::{ChangeSpec, Compare};
    /// use saferstats::Error;
    /// ChangeSpec::default().check()?;
    /// let bad = ChangeSpec { compare: Compare::MonthsEarlier(0), ..ChangeSpec::default() };
    /// assert!(matches!(bad.check(), Err(Error::InvalidParameter { name: "compare", .. })));
    /// let bad = ChangeSpec { dispersion: f64::NAN, ..ChangeSpec::default() };
    /// assert!(matches!(bad.check(), Err(Error::InvalidParameter { name: "dispersion", .. })));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn check(&self) -> Result<()> {
        validate_confidence(self.confidence)?;
        // Any estimate the dispersion functions return (0 or more) is accepted; below 1 it is
        // used as 1, the plain test.
        if !(self.dispersion.is_finite() && self.dispersion >= 0.0) {
            return Err(Error::param(
                "dispersion",
                format!(
                    "must be a finite number of 0 or more (below 1 is used as 1), got {}",
                    self.dispersion
                ),
            ));
        }
        if !(self.small_count.is_finite() && self.small_count >= 0.0) {
            return Err(Error::param(
                "small_count",
                format!("must be a number of 0 or more, got {}", self.small_count),
            ));
        }
        if self.compare == Compare::MonthsEarlier(0) {
            return Err(Error::param("compare", "months earlier must be at least 1"));
        }
        Ok(())
    }
}

/// What [`change`] compared and what it could not.
///
/// Every row of the input is either compared, without an earlier period, or refused as
/// partial (one text per distinct pair of periods); a row without a `period_start` is an
/// error, never left out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ChangeReport {
    /// The key columns of the table (as the input's).
    pub keys: Keys,
    /// Rows with a comparison.
    pub compared: u64,
    /// Rows with no earlier period in the table (e.g. the first year).
    pub without_earlier_period: u64,
    /// Rows refused because a period is partial (without `exposure_adjust`).
    pub refused_partial: Vec<String>,
    /// Where the dispersion came from: `"fixed"` (the spec's φ, 1 = plain Poisson) or
    /// `"monthly"` (estimated per series from monthly counts, [`change_with_monthly`]).
    pub dispersion_source: String,
    /// Compared rows whose test scaled the variance by a dispersion above 1 (quasi-Poisson).
    pub quasi_rows: u64,
    /// Compared rows without a verdict because the test could not be computed (see `flags`).
    pub no_verdict: u64,
    /// Compared rows where either period holds an under-published month
    /// (`months_under_published` > 0): flagged, the count being incomplete.
    #[serde(default)]
    pub under_published_rows: u64,
}

fn dates(df: &DataFrame, name: &str) -> Result<Vec<YearMonth>> {
    let c = df
        .column(name)
        .map_err(|_| Error::missing_column("counts", name, df))?;
    if c.dtype() != &DataType::Date {
        return Err(Error::param(
            "counts",
            format!("column '{name}' must be a Date, found {}", c.dtype()),
        ));
    }
    let days = c.cast(&DataType::Int32)?;
    days.i32()?
        .iter()
        .enumerate()
        .map(|(i, d)| {
            d.map(YearMonth::from_epoch_days)
                .ok_or_else(|| Error::BadValue {
                    source_name: "counts".into(),
                    line: i as u64 + 1,
                    column: name.into(),
                    value: "null".into(),
                    reason: "every row needs the start of its period".into(),
                })
        })
        .collect()
}

fn strings(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    Ok(df
        .column(name)
        .map_err(|_| Error::missing_column("counts", name, df))?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|s| s.map(str::to_string))
        .collect())
}

/// Plain-English verdict, e.g. "increase of 6.0% (1,117 more), statistically significant at
/// 95%" or "no significant change (+8.3%, 10 more)".
///
/// `current` and `previous` are counts (or a count scaled to the previous exposure);
/// `confidence` is a fraction (0.95). The difference is rounded to a whole number; a zero
/// `previous` gives "from zero" instead of a percentage.
///
/// # Examples
///
/// ```
/// use saferstats::frame::change::verdict;
/// assert_eq!(
///     verdict(19_734.0, 18_617.0, true, 0.95),
///     "increase of 6.0% (1,117 more), statistically significant at 95%"
/// );
/// assert_eq!(verdict(130.0, 120.0, false, 0.95), "no significant change (+8.3%, 10 more)");
/// assert_eq!(verdict(90.0, 120.0, true, 0.998),
///            "decrease of 25.0% (30 fewer), statistically significant at 99.8%");
/// assert_eq!(verdict(7.0, 0.0, false, 0.95), "no significant change (from zero, 7 more)");
/// assert_eq!(verdict(12.0, 12.0, false, 0.95), "no change");
/// ```
pub fn verdict(current: f64, previous: f64, significant: bool, confidence: f64) -> String {
    verdict_dispersed(current, previous, significant, confidence, 1.0)
}

/// [`verdict`] for a test that allowed for over-dispersion φ: above 1 the text says so and
/// quotes φ, e.g. "no significant change once month-to-month variation is allowed for (+8.0%,
/// 100 more; dispersion 6.2)"; at 1 (plain Poisson) it is [`verdict`]'s text.
///
/// # Examples
///
/// ```
/// use saferstats::frame::change::verdict_dispersed;
/// assert_eq!(
///     verdict_dispersed(1350.0, 1250.0, false, 0.95, 6.2),
///     "no significant change once month-to-month variation is allowed for (+8.0%, 100 more; dispersion 6.2)"
/// );
/// assert_eq!(
///     verdict_dispersed(1600.0, 1250.0, true, 0.95, 6.2),
///     "increase of 28.0% (350 more), statistically significant at 95% allowing for \
///      month-to-month variation (dispersion 6.2)"
/// );
/// assert_eq!(verdict_dispersed(130.0, 120.0, false, 0.95, 1.0), "no significant change (+8.3%, 10 more)");
/// ```
pub fn verdict_dispersed(
    current: f64,
    previous: f64,
    significant: bool,
    confidence: f64,
    dispersion: f64,
) -> String {
    let quasi = dispersion > 1.0;
    let diff = current - previous;
    let pct = if previous > 0.0 {
        Some(diff / previous * 100.0)
    } else {
        None
    };
    let amount = |d: f64| {
        let n = d.abs().round() as i64;
        let text = thousands(n as f64);
        if d >= 0.0 {
            format!("{text} more")
        } else {
            format!("{text} fewer")
        }
    };
    if significant {
        let level = format!("{}%", trim_float(confidence * 100.0));
        let direction = if diff > 0.0 { "increase" } else { "decrease" };
        let allowing = if quasi {
            let phi = trim_float(dispersion);
            format!(" allowing for month-to-month variation (dispersion {phi})")
        } else {
            String::new()
        };
        match pct {
            Some(p) => format!(
                "{direction} of {:.1}% ({}), statistically significant at {level}{allowing}",
                p.abs(),
                amount(diff)
            ),
            None => format!(
                "{direction} from zero ({}), statistically significant at {level}{allowing}",
                amount(diff)
            ),
        }
    } else if diff == 0.0 {
        "no change".into()
    } else {
        let (head, tail) = if quasi {
            (
                "no significant change once month-to-month variation is allowed for",
                format!("; dispersion {}", trim_float(dispersion)),
            )
        } else {
            ("no significant change", String::new())
        };
        match pct {
            Some(p) => format!("{head} ({p:+.1}%, {}{tail})", amount(diff)),
            None => format!("{head} (from zero, {}{tail})", amount(diff)),
        }
    }
}

fn trim_float(x: f64) -> String {
    let s = format!("{x:.1}");
    s.trim_end_matches(".0").to_string()
}

/// Compare each row with its earlier period (see the module docs). Output columns: the keys,
/// `period`, `comparison_period`, `count`, `count_previous`, `exposure`, `exposure_previous`,
/// `change`, `pct_change`, `value` (rate ratio), `lower`, `upper`, `p_value`, `test_statistic`,
/// `method`, `confidence`, `dispersion`, `significant`, `verdict`, `flags`.
///
/// `counts` needs `area_code`, `count`, `period` and `period_start` (a `Date`); without
/// `months_expected`/`months_covered` every period is taken as one full month. The table also
/// keeps `level`, `area_name` and `period_start` when present, and has one row per compared
/// row (the later period). The exposure is the months covered, or population × months / 12
/// when a `population` column is present (a rates table). `significant` is p < 1 −
/// confidence. `pct_change` and `change` compare the counts as they are; with unequal
/// exposures the `verdict` speaks of the rate change (the current count scaled to the earlier
/// exposure). Flags: exposure-adjusted periods, small counts, a zero baseline, and recording
/// breaks spanned.
///
/// # Errors
///
/// - [`Error::InvalidParameter`]: an option out of range ([`ChangeSpec::check`]); `keys`
///   reserved or repeated; `counts` when `period_start` is not a `Date` or `count` is not
///   numeric.
/// - [`Error::MissingColumn`] for a missing grouping column, `area_code`, `count` or
///   `period_start`.
/// - [`Error::BadValue`] for a missing, negative, fractional or non-finite count, a null
///   key value or `period_start`, or months covered negative or above the months expected.
/// - [`Error::Duplicate`] when two rows share every key value (area, period and grouping
///   columns).
/// - [`Error::Polars`] for a missing `period` column, or a coverage or population column
///   that cannot be cast to a number.
///
/// # Examples
///
/// ```
/// use saferstats::frame::change::{change, ChangeSpec};
/// use saferstats::period::YearMonth;
/// use saferstats::polars::prelude::*;
/// let jan = |y| YearMonth::new(y, 1).unwrap().to_epoch_days();
/// let mut t = df!(
///     "area_code" => ["A", "A", "B", "B"], "period" => ["2014", "2015", "2014", "2015"],
///     "count" => [120i64, 130, 1250, 1350],
///     "months_expected" => [12u32; 4], "months_covered" => [12u32; 4],
/// )?;
/// t.with_column(Column::new("period_start".into(), [jan(2014), jan(2015), jan(2014), jan(2015)])
///     .cast(&DataType::Date)?)?;
/// let out = change(&t, &ChangeSpec::default())?; // each year against the year before
/// assert_eq!((out.report.compared, out.report.without_earlier_period), (2, 2));
/// let p: Vec<f64> = out.table.column("p_value")?.f64()?.into_no_null_iter().collect();
/// assert!((p[0] - 0.5693).abs() < 1e-4); // 120 -> 130: no evidence of change
/// assert!((p[1] - 0.0522).abs() < 1e-4); // 1,250 -> 1,350: not quite significant at 95%
/// let ratio = out.table.column("value")?.f64()?.get(1).unwrap(); // rate ratio
/// assert!((ratio - 1.08).abs() < 1e-12);
/// assert_eq!(out.table.column("verdict")?.str()?.get(0), Some("no significant change (+8.3%, 10 more)"));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// Partial periods are refused unless asked for:
///
/// ```
/// use saferstats::frame::change::{change, ChangeSpec, Compare};
/// use saferstats::{counts::{counts, CountSpec}, geo::geography::Level, period::PeriodKind};
/// let medway = saferstats::datasets::medway_2014()?;
/// let q = counts(&medway.crimes.crimes, &medway.geography,
///                &CountSpec::new(Level::Lad, PeriodKind::Quarter))?.table;
/// let spec = ChangeSpec { compare: Compare::Previous, ..ChangeSpec::default() };
/// let out = change(&q, &spec)?;
/// assert_eq!(out.report.refused_partial, ["2014 Q4 (2 of 3 months) vs 2014 Q3 (3 of 3 months)"]);
/// let adjusted = change(&q, &ChangeSpec { exposure_adjust: true, ..spec })?.table;
/// assert_eq!(adjusted.height(), 3);
/// let flags = adjusted.column("flags")?.str()?.get(2).unwrap();
/// assert!(flags.starts_with("exposure-adjusted: 2 and 3 of 3 months"));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Gu, Ng, Tang & Schucany (2008), "Testing the ratio of two Poisson rates", *Biometrical
/// Journal* 50(2):283–298; statsmodels `test_poisson_2indep` (method names and formulas); R
/// `poisson.test` and `scipy.stats.binomtest` (exact conditional test); McCullagh & Nelder
/// (1989), *Generalized Linear Models*, 2nd ed. (quasi-Poisson dispersion); `docs/methods.md`,
/// "Change between periods".
pub fn change(counts: &DataFrame, spec: &ChangeSpec) -> Result<Output<ChangeReport>> {
    change_rows(counts, spec, None)
}

/// [`change`] with the dispersion of each series estimated from its monthly counts
/// ([`series_dispersion`]): the recommended test whenever monthly counts exist (police.uk and
/// MPS data always have them).
///
/// `monthly` is a monthly counts table of the same areas and grouping columns (`spec.keys`);
/// each row of `counts` is tested with its series' φ̂ (floored at 1): the quasi-Poisson form of
/// `spec.method` (the score test for the exact methods, which have none), its interval from the
/// same statistic, and a verdict that says so ("... once month-to-month variation is allowed
/// for, dispersion 6.2"). A series with too few months for an estimate falls back to
/// `spec.dispersion` and is flagged. The table's `dispersion` and `method` columns say what
/// each row used.
///
/// # Errors
///
/// As [`change`] and [`series_dispersion`].
///
/// # Examples
///
/// ```
/// use saferstats::frame::change::{change, change_with_monthly, ChangeSpec};
/// use saferstats::period::YearMonth;
/// use saferstats::polars::prelude::*;
/// // 36 months of one area with month-to-month variation far beyond Poisson's.
/// let noise = [60.0, -45.0, 80.0, -70.0, 20.0, 5.0, -55.0, 35.0, 75.0, -20.0, -90.0, 30.0];
/// let month: Vec<i32> = (0..36).map(|t| YearMonth::new(2020, 1).unwrap().plus(t).to_epoch_days()).collect();
/// let count: Vec<f64> = (0..36usize).map(|t| 500.0 + if t >= 24 { 20.0 } else { 0.0 }
///     + noise[(t * 7 + t / 12) % 12]).collect();
/// let mut monthly = df!("area_code" => vec!["A"; 36], "count" => count.clone())?;
/// monthly.with_column(Column::new("period_start".into(), month.clone()).cast(&DataType::Date)?)?;
/// // The two calendar years 2021 and 2022.
/// let year = |k: usize| count[12 * k..12 * k + 12].iter().sum::<f64>();
/// let mut annual = df!("area_code" => ["A", "A"], "period" => ["2021", "2022"],
///     "count" => [year(1), year(2)], "months_expected" => [12u32; 2], "months_covered" => [12u32; 2])?;
/// annual.with_column(Column::new("period_start".into(), [month[12], month[24]]).cast(&DataType::Date)?)?;
/// let plain = change(&annual, &ChangeSpec::default())?.table;
/// let dispersed = change_with_monthly(&annual, &monthly, &ChangeSpec::default())?;
/// let t = &dispersed.table;
/// assert_eq!(plain.column("significant")?.bool()?.get(0), Some(true)); // +4%: "significant"
/// assert_eq!(t.column("significant")?.bool()?.get(0), Some(false)); // not once φ is allowed for
/// assert!(t.column("dispersion")?.f64()?.get(0).unwrap() > 3.0);
/// assert_eq!(t.column("method")?.str()?.get(0), Some("quasi-score"));
/// assert!(t.column("verdict")?.str()?.get(0).unwrap()
///     .starts_with("no significant change once month-to-month variation is allowed for"));
/// assert_eq!(dispersed.report.dispersion_source, "monthly");
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn change_with_monthly(
    counts: &DataFrame,
    monthly: &DataFrame,
    spec: &ChangeSpec,
) -> Result<Output<ChangeReport>> {
    spec.check()?;
    let est = series_dispersion(monthly, &spec.keys)?.table;
    // One φ̂ per input row, matched on the series keys (as text, nulls never match).
    let keys = spec.keys.series();
    for k in &keys {
        if !counts.schema().contains(k) {
            return Err(Error::missing_column("counts", k, counts));
        }
    }
    let text_cols = |df: &DataFrame| -> Result<Vec<Vec<Option<String>>>> {
        keys.iter().map(|k| strings(df, k)).collect()
    };
    let (est_keys, row_keys) = (text_cols(&est)?, text_cols(counts)?);
    type SeriesKey = Vec<Option<String>>;
    let est_phi: Vec<Option<f64>> = est.column("dispersion")?.f64()?.iter().collect();
    let est_flag: Vec<Option<String>> = strings(&est, "flags")?;
    let mut by_key: HashMap<SeriesKey, (Option<f64>, Option<String>)> = HashMap::new();
    for r in 0..est.height() {
        let k: Vec<Option<String>> = est_keys.iter().map(|c| c[r].clone()).collect();
        by_key.insert(k, (est_phi[r], est_flag[r].clone()));
    }
    let per_row: Vec<std::result::Result<f64, String>> = (0..counts.height())
        .map(|i| {
            let k: Vec<Option<String>> = row_keys.iter().map(|c| c[i].clone()).collect();
            match by_key.get(&k) {
                Some((Some(phi), _)) => Ok(*phi),
                Some((None, why)) => Err(why.clone().unwrap_or_default()),
                None => Err("no monthly counts for this series".into()),
            }
        })
        .collect();
    change_rows(counts, spec, Some(&per_row))
}

/// The body of [`change`]: `phis`, when given, holds each input row's estimated dispersion, or
/// why there is none (then `spec.dispersion` is used and the row flagged).
fn change_rows(
    counts: &DataFrame,
    spec: &ChangeSpec,
    phis: Option<&[std::result::Result<f64, String>]>,
) -> Result<Output<ChangeReport>> {
    spec.check()?;
    check_rows_unique(counts, &spec.keys, "counts")?;
    let confidence = validate_confidence(spec.confidence)?;
    if !counts.schema().contains(AREA_CODE) {
        return Err(Error::missing_column("counts", AREA_CODE, counts));
    }
    let y: Vec<f64> = check_counts(counts, COUNT)?.into_no_null_iter().collect();
    // Integer counts are reported exactly (a f64 holds whole numbers only up to 2^53).
    let whole: Vec<i64> = match counts.column(COUNT)?.dtype() {
        DataType::UInt64 => counts
            .column(COUNT)?
            .u64()?
            .iter()
            .map(|v| v.map_or(0, |v| i64::try_from(v).unwrap_or(i64::MAX)))
            .collect(),
        dt if dt.is_integer() => counts
            .column(COUNT)?
            .cast(&DataType::Int64)?
            .i64()?
            .into_no_null_iter()
            .collect(),
        _ => y.iter().map(|&v| v as i64).collect(),
    };
    let start = dates(counts, "period_start")?;
    let (covered, expected): (Vec<u32>, Vec<u32>) =
        checked_coverage(counts, 1, "counts")?.into_iter().unzip();
    let labels = strings(counts, "period")?;
    let low_months = under_published(counts)?;
    let population: Option<Vec<f64>> = match counts.column("population") {
        Ok(c) => Some(
            c.cast(&DataType::Float64)?
                .f64()?
                .iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect(),
        ),
        Err(_) => None,
    };
    let keys = spec.keys.series();
    // Each row's series (its key values) as a number, from polars' hash group-by, so the
    // earlier period is found without building a key of strings per row.
    let mut series = vec![0u32; counts.height()];
    for (id, rows) in row_groups(counts, &keys)?.into_iter().enumerate() {
        for row in rows {
            series[row] = id as u32;
        }
    }
    let mut index: PlHashMap<(u32, YearMonth, u32), usize> =
        PlHashMap::with_capacity(counts.height());
    for i in 0..counts.height() {
        index.insert((series[i], start[i], expected[i]), i);
    }
    let mut report = ChangeReport {
        keys: spec.keys.clone(),
        dispersion_source: if phis.is_some() { "monthly" } else { "fixed" }.into(),
        ..ChangeReport::default()
    };
    let mut cur_rows = Vec::new();
    let mut prev_rows = Vec::new();
    for i in 0..counts.height() {
        let s = start[i];
        let back = match spec.compare {
            Compare::Previous => expected[i],
            Compare::YearEarlier => 12,
            Compare::MonthsEarlier(k) => k,
        };
        if back == 0 {
            return Err(Error::param("compare", "months earlier must be at least 1"));
        }
        let Some(&j) = index.get(&(series[i], s.plus(-(back as i32)), expected[i])) else {
            report.without_earlier_period += 1;
            continue;
        };
        let partial = covered[i] < expected[i] || covered[j] < expected[j];
        // A period with no month covered has no data at all: never a count of zero, even with
        // exposure adjustment.
        let uncovered = covered[i] == 0 || covered[j] == 0;
        if uncovered || (partial && !spec.exposure_adjust) {
            let text = format!(
                "{} ({} of {} months) vs {} ({} of {} months)",
                labels[i].as_deref().unwrap_or("?"),
                covered[i],
                expected[i],
                labels[j].as_deref().unwrap_or("?"),
                covered[j],
                expected[j]
            );
            if !report.refused_partial.contains(&text) {
                report.refused_partial.push(text);
            }
            continue;
        }
        cur_rows.push(i as IdxSize);
        prev_rows.push(j);
    }
    report.compared = cur_rows.len() as u64;
    let idx = IdxCa::from_vec("idx".into(), cur_rows.clone());
    let mut keep: Vec<&str> = vec!["level", AREA_CODE, "area_name"];
    keep.retain(|c| counts.schema().contains(c));
    let key_names: Vec<&str> = keys
        .iter()
        .map(String::as_str)
        .filter(|k| *k != AREA_CODE)
        .collect();
    keep.extend(key_names);
    keep.extend(["period", "period_start"]);
    let mut out = counts.select(keep)?.take(&idx)?;
    let n = cur_rows.len();
    let mut cols: Vec<Column> = Vec::new();
    let (mut comp_period, mut c1, mut c0, mut e1, mut e0) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut abs, mut pct, mut ratio, mut lo, mut hi, mut p, mut stat) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut sig, mut verdicts, mut flags) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut methods, mut dispersions) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let exposure = |k: usize| -> f64 {
        let months = covered[k] as f64;
        match &population {
            Some(pop) => pop[k] * months / 12.0,
            None => months,
        }
    };
    let phi_of = |i: usize| match phis.map(|p| &p[i]) {
        None | Some(Err(_)) => spec.dispersion,
        Some(Ok(phi)) => *phi,
    };
    // The tests, in parallel (the exact ones sum binomial tails: most of the time here). The
    // p-value and the interval come from one statistic (counts are whole, finite and
    // non-negative: check_counts).
    let tests: Vec<RateTest> = cur_rows
        .par_iter()
        .zip(&prev_rows)
        .with_min_len(64)
        .map(|(&i, &j)| {
            let i = i as usize;
            compare_poisson_rates_matched(
                y[i] as u64,
                exposure(i),
                y[j] as u64,
                exposure(j),
                spec.method,
                confidence,
                phi_of(i),
            )
        })
        .collect();
    for ((&i, &j), r) in cur_rows.iter().zip(&prev_rows).zip(tests) {
        let i = i as usize;
        let (x1, x0) = (exposure(i), exposure(j));
        let mut f: Vec<String> = Vec::new();
        if let Some(Err(why)) = phis.map(|p| &p[i]) {
            f.push(format!(
                "dispersion {} used ({why})",
                trim_float(spec.dispersion.max(1.0))
            ));
        }
        let significant = r
            .p_value
            .is_finite()
            .then_some(r.p_value < 1.0 - confidence);
        if r.quasi {
            report.quasi_rows += 1;
        }
        if let Some(note) = r.note {
            f.push(note.to_string());
        }
        if covered[i] < expected[i] || covered[j] < expected[j] {
            f.push(format!(
                "exposure-adjusted: {} and {} of {} months",
                covered[i], covered[j], expected[i]
            ));
        }
        if let Some(low) = &low_months
            && low[i] + low[j] > 0
        {
            report.under_published_rows += 1;
            f.push(under_published_flag(low[i] + low[j]));
        }
        if y[i] < spec.small_count || y[j] < spec.small_count {
            f.push(format!("small count (below {})", spec.small_count));
        }
        if y[j] == 0.0 {
            f.push("zero baseline: no percentage change".into());
        }
        if let Some(c) = caveats_for(
            start[j],
            start[i].plus(expected[i] as i32 - 1),
            &spec.breaks,
        ) {
            f.push(c);
        }
        comp_period.push(labels[j].clone());
        c1.push(whole[i]);
        c0.push(whole[j]);
        e1.push(x1);
        e0.push(x0);
        abs.push(whole[i].saturating_sub(whole[j]));
        pct.push((y[j] > 0.0).then(|| (y[i] - y[j]) / y[j] * 100.0));
        ratio.push(r.ratio.is_finite().then_some(r.ratio));
        lo.push(r.ratio_lower.is_finite().then_some(r.ratio_lower));
        hi.push(r.ratio_upper.is_finite().then_some(r.ratio_upper));
        p.push(r.p_value);
        stat.push(r.statistic);
        sig.push(significant);
        methods.push(r.name());
        dispersions.push(r.dispersion);
        // The verdict speaks of counts; with unequal exposures it speaks of the rate change.
        let (v1, v0) = if (x1 - x0).abs() > 1e-9 * x0.abs().max(1.0) {
            (y[i] / x1 * x0, y[j])
        } else {
            (y[i], y[j])
        };
        match significant {
            Some(s) => verdicts.push(Some(verdict_dispersed(v1, v0, s, confidence, r.dispersion))),
            None => {
                // A NaN p-value is not "no significant change": no verdict, and the reason.
                report.no_verdict += 1;
                verdicts.push(None);
                f.push(if x1 > 0.0 && x0 > 0.0 && x1.is_finite() && x0.is_finite() {
                    "no verdict: the test cannot be computed for these counts (total above 2^53)"
                        .to_string()
                } else {
                    "no verdict: an exposure (population or months covered) is missing, zero or \
                     not finite"
                        .to_string()
                });
            }
        }
        flags.push((!f.is_empty()).then(|| f.join("; ")));
    }
    cols.push(Column::new("comparison_period".into(), comp_period));
    cols.push(Column::new("count".into(), c1));
    cols.push(Column::new("count_previous".into(), c0));
    cols.push(Column::new("exposure".into(), e1));
    cols.push(Column::new("exposure_previous".into(), e0));
    cols.push(Column::new("change".into(), abs));
    cols.push(Column::new("pct_change".into(), pct));
    cols.push(Column::new("value".into(), ratio));
    cols.push(Column::new("lower".into(), lo));
    cols.push(Column::new("upper".into(), hi));
    cols.push(Column::new("p_value".into(), p));
    cols.push(Column::new("test_statistic".into(), stat));
    cols.push(Column::new("method".into(), methods));
    let confidence_text = format!("{}%", trim_float(confidence * 100.0));
    cols.push(Column::new(
        "confidence".into(),
        vec![confidence_text.as_str(); n],
    ));
    cols.push(Column::new("dispersion".into(), dispersions));
    cols.push(Column::new("significant".into(), sig));
    cols.push(Column::new("verdict".into(), verdicts));
    cols.push(Column::new("flags".into(), flags));
    for c in cols {
        out.with_column(c)?;
    }
    Ok(Output { table: out, report })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rate_ratio::dispersion_from_monthly;

    #[test]
    fn verdicts_read_as_the_assessment_would() {
        assert_eq!(
            verdict(19_734.0, 18_617.0, true, 0.95),
            "increase of 6.0% (1,117 more), statistically significant at 95%"
        );
        assert_eq!(
            verdict(130.0, 120.0, false, 0.95),
            "no significant change (+8.3%, 10 more)"
        );
        assert_eq!(
            verdict(90.0, 120.0, true, 0.998),
            "decrease of 25.0% (30 fewer), statistically significant at 99.8%"
        );
        assert_eq!(
            verdict(5.0, 0.0, false, 0.95),
            "no significant change (from zero, 5 more)"
        );
    }

    fn two_years(count: [i64; 2], covered: [i64; 2]) -> DataFrame {
        let start =
            [YearMonth::new(2014, 1), YearMonth::new(2015, 1)].map(|m| m.unwrap().to_epoch_days());
        let mut t = df!("area_code" => ["A", "A"], "period" => ["2014", "2015"],
            "count" => count, "months_expected" => [12i64, 12], "months_covered" => covered)
        .unwrap();
        t.with_column(
            Column::new("period_start".into(), start)
                .cast(&DataType::Date)
                .unwrap(),
        )
        .unwrap();
        t
    }

    #[test]
    fn coverage_and_period_start_are_checked_not_guessed() {
        let spec = ChangeSpec::default();
        for (covered, bad) in [([12, -1], "-1"), ([12, 13], "13")] {
            let e = change(&two_years([10, 12], covered), &spec).unwrap_err();
            assert!(
                matches!(e, Error::BadValue { ref column, ref value, .. }
                if column == "months_covered" && value == bad),
                "{e}"
            );
        }
        let mut t = two_years([10, 12], [12, 12]);
        let later = YearMonth::new(2015, 1).unwrap().to_epoch_days();
        let nulled = Column::new("period_start".into(), [None, Some(later)]);
        t.with_column(nulled.cast(&DataType::Date).unwrap())
            .unwrap();
        let e = change(&t, &spec).unwrap_err();
        assert!(e.to_string().contains("period_start"), "{e}");
        // Integer counts beyond 2^53 are reported exactly.
        let big = 1i64 << 53;
        let out = change(&two_years([big, big + 1], [12, 12]), &spec)
            .unwrap()
            .table;
        assert_eq!(out.column("change").unwrap().i64().unwrap().get(0), Some(1));
    }

    #[test]
    fn dispersion_needs_two_years() {
        let err = dispersion_from_monthly(&[1.0; 20], 1).unwrap_err();
        assert!(matches!(err, Error::InsufficientPeriods { .. }));
        // Starting in April: the first complete calendar year starts 9 months in.
        assert!(dispersion_from_monthly(&[5.0; 33], 4).is_ok());
    }
}
