//! Five-year trends for every series of an annual counts table.
//!
//! Two answers per series (area × group), from annual, non-overlapping, complete periods:
//!
//! - **PHE recent-trend marker** (Fingertips "Trend markers"): on the last five consecutive
//!   years of rates, an inverse-variance weighted regression of the rate on the year with
//!   σᵢ = (UCLᵢ − LCLᵢ)/(2 × 1.96) from the 95% Byar/exact interval; "Increasing" or
//!   "Decreasing" when X² > 9.5495 (χ²₁ at 99.8%) and no single point drives it, else "No
//!   significant change", or "Cannot be calculated" with a reason. Needs a `population`.
//! - **Poisson log-linear trend** over all the series' years: log μ = a + bt + log exposure,
//!   annual change 100(eᵇ − 1) with a Wald interval, widened by √φ when over-dispersed.
//!
//! Rolling 12-month totals overlap and are refused, as Fingertips refuses them
//! (`docs/methods.md`, "Trends").
//!
//! ```
//! use saferstats::frame::trends::{trends, TrendSpec};
//! use saferstats::period::YearMonth;
//! use saferstats::polars::prelude::*;
//! let apr = |y| YearMonth::new(y, 4).unwrap().to_epoch_days();
//! let mut annual = df!(
//!     "area_code" => ["A"; 5], "period" => ["2015/16", "2016/17", "2017/18", "2018/19", "2019/20"],
//!     "count" => [1000i64, 1100, 1210, 1331, 1464], "population" => [100_000.0; 5],
//! )?;
//! annual.with_column(Column::new("period_start".into(), (2015..2020).map(apr).collect::<Vec<_>>())
//!     .cast(&DataType::Date)?)?;
//! let out = trends(&annual, &TrendSpec::default())?.table;
//! assert_eq!(out.column("trend")?.str()?.get(0), Some("Increasing"));
//! let apc = out.column("annual_pct_change")?.f64()?.get(0).unwrap();
//! assert!((apc - 10.0).abs() < 0.01); // counts rise 10% a year
//! # Ok::<(), saferstats::Error>(())
//! ```

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::Output;
use crate::frame::table::{check_counts, check_rows_unique, row_groups};
use crate::period::{RecordingBreak, YearMonth, caveats_for};
use crate::schema::{COUNT, Keys};
use crate::stats::intervals::validate_confidence;
use crate::stats::trend::{TrendMarker, log_linear_trend, phe_trend_rates};

/// Options for [`trends`].
///
/// Defaults: no grouping columns, no recording breaks, 95%. Deserialises with every field
/// optional and unknown fields refused.
///
/// # Examples
///
/// ```
/// use saferstats::frame::trends::TrendSpec;
/// let spec: TrendSpec = serde_json::from_str(
///     r#"{"keys": ["crime_type"], "breaks": [{"month": "2014-11", "description": "NCRS audit"}]}"#,
/// ).unwrap();
/// assert_eq!(spec.breaks.len(), 1);
/// assert_eq!(spec.check()?, 0.95);
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrendSpec {
    /// Grouping columns of the annual counts table (besides `area_code` and `period`).
    pub keys: Keys,
    /// Known recording-practice changes: a trend spanning one gets a caveat in `flags`.
    pub breaks: Vec<RecordingBreak>,
    /// Confidence level of the log-linear trend's interval (0.90 to 0.999; default 0.95).
    pub confidence: f64,
}

impl Default for TrendSpec {
    fn default() -> Self {
        TrendSpec {
            keys: Keys::none(),
            breaks: Vec::new(),
            confidence: 0.95,
        }
    }
}

impl TrendSpec {
    /// Check the options; returns the confidence level (as a fraction: 95 becomes 0.95).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `confidence`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::frame::trends::TrendSpec;
    /// assert_eq!(TrendSpec { confidence: 99.0, ..TrendSpec::default() }.check()?, 0.99);
    /// assert!(TrendSpec { confidence: 0.5, ..TrendSpec::default() }.check().is_err());
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn check(&self) -> Result<f64> {
        validate_confidence(self.confidence)
    }
}

/// What [`trends`] computed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TrendReport {
    /// The grouping columns of the input; the table's rows are identified by `area_code` and
    /// these (one row per series, [`Keys::series`]).
    pub keys: Keys,
    /// Series (rows of the table).
    pub series: u64,
    /// Confidence level of the log-linear interval.
    pub confidence: f64,
}

/// Trend for every series of an annual counts table (one row per area, group and year, with
/// `period_start`, `months_expected`, `months_covered`, `count`, and `population` if rates are
/// wanted). Output: one row per series with `trend` (PHE marker label), `trend_reason`,
/// `annual_pct_change`, `lower`, `upper`, `p_value`, `dispersion`, `periods`, `flags`
/// (recording-break caveats).
///
/// The series' key columns (and `level`, `area_name` when present) come first, from the
/// series' first row. Without `months_expected`/`months_covered` every period is taken as a
/// complete year. A series with a period that is not a year, overlapping (rolling) periods or
/// an incomplete period gets "Cannot be calculated" with that reason and null log-linear
/// columns; without `population` the marker cannot be calculated but the log-linear trend of
/// the counts is still given. The log-linear columns are null when the fit fails (fewer than
/// three years, all counts zero). `dispersion` is the Pearson φ of the log-linear fit.
///
/// # Errors
///
/// - [`Error::InvalidParameter`]: `confidence` out of range; `keys` reserved or repeated;
///   `counts` when `count` is not numeric.
/// - [`Error::MissingColumn`] for a missing grouping column, `count` or `period_start`, or
///   `area_code`.
/// - [`Error::BadValue`] for a missing, negative, fractional or non-finite count, or a null
///   key value.
/// - [`Error::Duplicate`] when two rows share every key value (area, period and grouping
///   columns).
/// - [`Error::Polars`] when `period_start` or `population` cannot be cast.
///
/// # Examples
///
/// ```
/// use saferstats::frame::trends::{trends, TrendSpec};
/// use saferstats::period::{RecordingBreak, YearMonth};
/// use saferstats::polars::prelude::*;
/// let apr = |y| YearMonth::new(y, 4).unwrap().to_epoch_days();
/// let mut annual = df!(
///     "area_code" => ["A"; 5], "period" => ["2015/16", "2016/17", "2017/18", "2018/19", "2019/20"],
///     "count" => [1000i64, 1100, 1210, 1331, 1464], "population" => [100_000.0; 5],
///     "months_expected" => [12u32; 5], "months_covered" => [12u32; 5],
/// )?;
/// annual.with_column(Column::new("period_start".into(), (2015..2020).map(apr).collect::<Vec<_>>())
///     .cast(&DataType::Date)?)?;
/// let spec = TrendSpec {
///     breaks: vec![RecordingBreak { month: YearMonth::new(2017, 4).unwrap(), description: "NCRS audit".into() }],
///     ..TrendSpec::default()
/// };
/// let out = trends(&annual, &spec)?;
/// let t = &out.table;
/// assert_eq!(t.column("trend")?.str()?.get(0), Some("Increasing"));
/// assert!(t.column("trend_reason")?.str()?.get(0).unwrap().ends_with("> 9.5495 (99.8%)"));
/// assert_eq!(t.column("periods")?.u32()?.get(0), Some(5));
/// let (lo, hi) = (t.column("lower")?.f64()?.get(0).unwrap(), t.column("upper")?.f64()?.get(0).unwrap());
/// assert!(lo < 10.0 && 10.0 < hi);
/// assert!(t.column("flags")?.str()?.get(0).unwrap().contains("NCRS audit"));
/// assert_eq!(out.report.series, 1);
///
/// // Four years are not enough for the PHE marker.
/// let short = annual.slice(1, 4);
/// let t = trends(&short, &TrendSpec::default())?.table;
/// assert_eq!(t.column("trend")?.str()?.get(0), Some("Cannot be calculated"));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// PHE / OHID Fingertips technical guidance "Trend markers"; PHEindicatormethods PR #92 (the
/// marker); Breslow & Day (1987) for the Byar intervals; McCullagh & Nelder (1989),
/// *Generalized Linear Models*, 2nd ed. (Poisson log-linear trend, quasi-Poisson dispersion);
/// `docs/methods.md`, "Trends".
pub fn trends(annual: &DataFrame, spec: &TrendSpec) -> Result<Output<TrendReport>> {
    let confidence = spec.check()?;
    check_rows_unique(annual, &spec.keys, "annual counts")?;
    let breaks = spec.breaks.as_slice();
    let y: Vec<f64> = check_counts(annual, COUNT)?.into_no_null_iter().collect();
    let starts: Vec<Option<i32>> = annual
        .column("period_start")
        .map_err(|_| Error::missing_column("annual counts", "period_start", annual))?
        .cast(&DataType::Int32)?
        .i32()?
        .iter()
        .collect();
    let expected: Vec<u32> = annual
        .column("months_expected")
        .and_then(|c| c.cast(&DataType::UInt32))
        .map(|c| c.u32().map(|v| v.iter().map(|x| x.unwrap_or(12)).collect()))
        .unwrap_or_else(|_| Ok(vec![12; annual.height()]))?;
    let covered: Vec<u32> = annual
        .column("months_covered")
        .and_then(|c| c.cast(&DataType::UInt32))
        .map(|c| c.u32().map(|v| v.iter().map(|x| x.unwrap_or(12)).collect()))
        .unwrap_or_else(|_| Ok(vec![12; annual.height()]))?;
    let pops: Option<Vec<f64>> = annual
        .column("population")
        .ok()
        .map(|c| -> Result<Vec<f64>> {
            Ok(c.cast(&DataType::Float64)?
                .f64()?
                .iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect())
        })
        .transpose()?;
    let keys = spec.keys.series();
    let groups = row_groups(annual, &keys)?;
    let first_rows: Vec<IdxSize> = groups.iter().map(|g| g[0] as IdxSize).collect();
    let mut keep: Vec<String> = ["level", "area_code", "area_name"]
        .iter()
        .filter(|c| annual.schema().contains(c))
        .map(|c| c.to_string())
        .collect();
    keep.extend(keys.iter().filter(|k| *k != "area_code").cloned());
    let mut out = annual
        .select(keep)?
        .take(&IdxCa::from_vec("idx".into(), first_rows))?;
    let mut marker = Vec::new();
    let mut reason = Vec::new();
    let mut apc = Vec::new();
    let mut lo = Vec::new();
    let mut hi = Vec::new();
    let mut pv = Vec::new();
    let mut phi = Vec::new();
    let mut periods = Vec::new();
    let mut flags = Vec::new();
    for g in &groups {
        let mut rows: Vec<usize> = g.iter().copied().filter(|&i| starts[i].is_some()).collect();
        rows.sort_by_key(|&i| starts[i]);
        let months: Vec<YearMonth> = rows
            .iter()
            .map(|&i| YearMonth::from_epoch_days(starts[i].unwrap_or_default()))
            .collect();
        periods.push(rows.len() as u32);
        let refuse = if rows.iter().any(|&i| expected[i] != 12) {
            Some("not annual periods (PHE tests annual, non-overlapping points only)".to_string())
        } else if months.windows(2).any(|w| w[1].index() - w[0].index() < 12) {
            Some("overlapping (rolling) periods".to_string())
        } else if rows.iter().any(|&i| covered[i] < expected[i]) {
            Some("a period is incomplete".to_string())
        } else {
            None
        };
        let t: Vec<f64> = months.iter().map(|m| m.index() as f64 / 12.0).collect();
        let years: Vec<i32> = months.iter().map(|m| m.year).collect();
        let c: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
        let e: Vec<f64> = match &pops {
            Some(p) => rows.iter().map(|&i| p[i]).collect(),
            None => vec![1.0; rows.len()],
        };
        let (m, r) = match &refuse {
            Some(r) => (TrendMarker::CannotBeCalculated, r.clone()),
            None if pops.is_none() => (
                TrendMarker::CannotBeCalculated,
                "no population: the PHE marker is for rates".to_string(),
            ),
            None => phe_trend_rates(&years, &c, &e),
        };
        marker.push(m.label());
        reason.push(r);
        match (&refuse, log_linear_trend(&t, &c, &e, confidence)) {
            (None, Ok(fit)) => {
                apc.push(Some(fit.annual_pct_change));
                lo.push(Some(fit.lower));
                hi.push(Some(fit.upper));
                pv.push(Some(fit.p_value));
                phi.push(Some(fit.dispersion));
            }
            _ => {
                apc.push(None);
                lo.push(None);
                hi.push(None);
                pv.push(None);
                phi.push(None);
            }
        }
        flags.push(match (months.first(), months.last()) {
            (Some(f), Some(l)) => caveats_for(*f, l.plus(11), breaks),
            _ => None,
        });
    }
    for c in [
        Column::new("trend".into(), marker),
        Column::new("trend_reason".into(), reason),
        Column::new("annual_pct_change".into(), apc),
        Column::new("lower".into(), lo),
        Column::new("upper".into(), hi),
        Column::new("p_value".into(), pv),
        Column::new("dispersion".into(), phi),
        Column::new("periods".into(), periods),
        Column::new("flags".into(), flags),
    ] {
        out.with_column(c)?;
    }
    Ok(Output {
        report: TrendReport {
            keys: spec.keys.clone(),
            series: out.height() as u64,
            confidence,
        },
        table: out,
    })
}
