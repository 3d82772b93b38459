//! Seasonality for many monthly series at once: profiles, classical indices, STL, tests and
//! anomalous months. The numerical kernels are in [`crate::stats::seasonal`]; this module validates a
//! monthly frame (gaps, duplicates, negative counts, non-monthly periods), runs the kernels on
//! every series (area x group) and returns three frames.
//!
//! Methods (`docs/methods.md`, "Seasonality"): STL with pinned parameters (periodic seasonal,
//! robust; Cleveland et al. 1990) and the seasonal and trend strengths of Wang, Smith &
//! Hyndman (2006); classical ratio-to-moving-average indices; month-length adjusted means;
//! Kruskal-Wallis by calendar month and the QS test; anomalous months from the STL remainder.
//!
//! ```
//! use saferstats::frame::seasonality::{seasonality, SeasonalitySpec};
//! use saferstats::polars::prelude::*;
//! // Three years of a series peaking in July.
//! let months: Vec<i32> = (0..36).map(|i| saferstats::period::YearMonth::new(2015 + i / 12, (i % 12) as u32 + 1).unwrap().to_epoch_days()).collect();
//! let counts: Vec<i64> = (0..36).map(|i| 100 + if i % 12 == 6 { 40 } else { 0 } + (i % 5)).collect();
//! let frame = df!("area_code" => vec!["A"; 36], "count" => counts)?
//!     .lazy()
//!     .with_column(lit(Series::new("m".into(), months)).cast(DataType::Date).alias("period_start"))
//!     .collect()?;
//! let out = seasonality(&frame, &SeasonalitySpec::default())?;
//! let peak = out.summary.column("peak_month")?.str()?.get(0);
//! assert_eq!(peak, Some("July"));
//! # Ok::<(), saferstats::Error>(())
//! ```

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::frame::table::{
    check_counts, check_rows_unique, monthly_rows_uncovered, row_groups, under_published,
};
use crate::period::YearMonth;
use crate::schema::{COUNT, Keys};
use crate::stats::seasonal::{
    self, DEFAULT_ANOMALY_THRESHOLD, StlParams, classical_indices, kruskal_wallis_by_month,
    peak_and_trough, per_day, qs_test, seasonal_profile, stl,
};

/// Options for [`seasonality`].
///
/// Defaults: the pinned STL parameters ([`StlParams::default`]), an anomaly threshold of
/// 3.5, no grouping columns. Deserialises with every field optional and unknown fields
/// refused. The options are checked by the kernels when [`seasonality`] runs.
///
/// # Examples
///
/// ```
/// use saferstats::frame::seasonality::SeasonalitySpec;
/// let spec: SeasonalitySpec =
///     serde_json::from_str(r#"{"anomaly_threshold": 3.0, "keys": ["crime_type"]}"#).unwrap();
/// assert_eq!(spec.anomaly_threshold, 3.0);
/// assert_eq!(spec.stl, SeasonalitySpec::default().stl);
/// ```
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeasonalitySpec {
    /// STL parameters (pinned defaults: see [`StlParams`]).
    pub stl: StlParams,
    /// Robust score beyond which a month is anomalous (default 3.5).
    pub anomaly_threshold: f64,
    /// Grouping columns of the monthly counts (besides `area_code` and `period`): one
    /// series per area and group.
    pub keys: Keys,
}

impl Default for SeasonalitySpec {
    fn default() -> Self {
        SeasonalitySpec {
            stl: StlParams::default(),
            anomaly_threshold: DEFAULT_ANOMALY_THRESHOLD,
            keys: Keys::none(),
        }
    }
}

impl SeasonalitySpec {
    /// Check the options: a positive finite anomaly threshold.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `anomaly_threshold`.
    pub fn check(&self) -> Result<()> {
        if !(self.anomaly_threshold.is_finite() && self.anomaly_threshold > 0.0) {
            return Err(Error::param(
                "anomaly_threshold",
                format!(
                    "must be a positive number of robust standard deviations, got {}",
                    self.anomaly_threshold
                ),
            ));
        }
        Ok(())
    }
}

/// The three outputs of [`seasonality`]. Each frame starts with the series' key columns (and
/// `level`, `area_name` when present).
#[derive(Debug, Clone)]
pub struct Seasonality {
    /// One row per series: strengths, peak and trough months, test results, flags. Columns
    /// `months`, `first_month`, `last_month`, `seasonal_strength`, `trend_strength`,
    /// `peak_month`, `trough_month` (from the STL seasonal component), `peak_month_per_day`,
    /// `trough_month_per_day` (from month-length adjusted indices), `kruskal_wallis`,
    /// `kruskal_wallis_p`, `qs`, `qs_p` (null when a test is undefined, with the reason in
    /// `flags`), `method`, `flags`.
    pub summary: DataFrame,
    /// One row per series and calendar month: mean count, mean per day, classical index,
    /// STL seasonal component (`calendar_month` as a name, `mean_count`, `mean_per_day`,
    /// `classical_index`, `stl_seasonal`).
    pub profile: DataFrame,
    /// One row per anomalous month: `month`, `observed`, `expected` (trend + seasonal),
    /// `robust_score`, `p_value` (Poisson tail), `direction` ("high" or "low").
    pub anomalies: DataFrame,
    /// Keys and series analysed.
    pub report: SeasonalityReport,
}

/// What [`seasonality`] analysed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SeasonalityReport {
    /// The key columns of the input (each series is `area_code` plus the grouping columns).
    pub keys: Keys,
    /// Series analysed (rows of the summary).
    pub series: u64,
    /// Months in the input.
    pub months: u64,
}

/// A kernel error raised on one series, naming the series (see [`Error::in_series`]).
fn seasonal_err(series: &str, e: Error) -> Error {
    e.in_series(series)
}

/// Seasonality of every monthly series of `monthly` (columns: series keys such as `area_code`
/// and `crime_type`, `period_start` (or `month`) as a Date at the first of the month, and
/// `count`). Gaps, duplicated months, negative counts and non-monthly periods are errors
/// naming the series; a series shorter than 24 months is an error (STL and the seasonal
/// indices need two full years) and one shorter than 36 months is flagged.
///
/// A month the data does not cover (`months_covered = 0` on the complete grid of
/// [`crate::counts::counts`]) is an error too: it is missing, not a count of zero.
///
/// # Errors
///
/// Errors on one series name it (e.g. `area_code=E05002249, crime_type=Burglary`).
///
/// - [`Error::MissingColumn`] without `period_start` (or `month`), `count`, `area_code` or
///   a grouping column.
/// - [`Error::InvalidParameter`]: `monthly` when the date column is not a `Date`, a period is
///   not a month (`months_expected` other than 1), a row has no date, or a series has a gap;
///   `keys` reserved or repeated; `counts` when `count` is not numeric; an STL parameter or
///   the anomaly threshold out of range (naming the field).
/// - [`Error::Duplicate`] for a month repeated in a series (or two rows with the same keys).
/// - [`Error::BadValue`] for a missing, negative, fractional or non-finite count, or a null
///   key.
/// - [`Error::InsufficientPeriods`] for a series shorter than 24 months, or one with months
///   not covered by the data.
/// - [`Error::Degenerate`] when the classical indices are undefined (a zero moving average).
///
/// # Examples
///
/// ```
/// use saferstats::frame::seasonality::{seasonality, SeasonalitySpec};
/// use saferstats::period::YearMonth;
/// use saferstats::polars::prelude::*;
/// // Four years of two series: A peaks in July, B in December.
/// let start = YearMonth::new(2015, 1).unwrap();
/// let (mut area, mut month, mut count) = (Vec::new(), Vec::new(), Vec::new());
/// for (code, peak) in [("A", 6), ("B", 11)] {
///     for i in 0..48 {
///         area.push(code);
///         month.push(start.plus(i).to_epoch_days());
///         count.push(100 + if i % 12 == peak { 40 } else { 0 } + (i % 7) as i64);
///     }
/// }
/// let mut monthly = df!("area_code" => area, "count" => count)?;
/// monthly.with_column(Column::new("period_start".into(), month).cast(&DataType::Date)?)?;
/// let out = seasonality(&monthly, &SeasonalitySpec::default())?;
/// let peaks: Vec<&str> = out.summary.column("peak_month")?.str()?.iter().flatten().collect();
/// assert_eq!(peaks, ["July", "December"]);
/// assert_eq!(out.profile.height(), 2 * 12);
/// assert_eq!((out.report.series, out.report.months), (2, 96));
/// let strength = out.summary.column("seasonal_strength")?.f64()?.get(0).unwrap();
/// assert!(strength > 0.5);
///
/// // Two years at least.
/// let short = monthly.slice(0, 20);
/// assert!(matches!(seasonality(&short, &SeasonalitySpec::default()),
///                  Err(saferstats::Error::InsufficientPeriods { .. })));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Cleveland, Cleveland, McRae & Terpenning (1990), "STL: a seasonal-trend decomposition
/// procedure based on Loess", *Journal of Official Statistics* 6(1):3–73; Wang, Smith &
/// Hyndman (2006), "Characteristic-based clustering for time series data", *Data Mining and
/// Knowledge Discovery* 13(3):335–364 (strength of seasonality and trend); Kruskal & Wallis
/// (1952), *JASA* 47:583–621; the QS test as R `seastests::qs`; `docs/methods.md`,
/// "Seasonality".
pub fn seasonality(monthly: &DataFrame, spec: &SeasonalitySpec) -> Result<Seasonality> {
    spec.check()?;
    let date_col = if monthly.schema().contains("period_start") {
        "period_start"
    } else {
        "month"
    };
    let dates = monthly
        .column(date_col)
        .map_err(|_| Error::missing_column("monthly counts", "period_start", monthly))?;
    if dates.dtype() != &DataType::Date {
        return Err(Error::param(
            "monthly",
            format!(
                "column '{date_col}' must be a Date, found {}",
                dates.dtype()
            ),
        ));
    }
    // A month the data does not cover (a missing file, an unpublished month) has a count of 0
    // on the complete grid but is missing, not zero: it must never read as a low month.
    let uncovered = monthly_rows_uncovered(monthly, "seasonality")?;
    // Months a force under-published: kept (their counts are real), named in the flags.
    let low_months = under_published(monthly)?;
    let days: Vec<Option<i32>> = dates.cast(&DataType::Int32)?.i32()?.iter().collect();
    let y: Vec<f64> = check_counts(monthly, COUNT)?.into_no_null_iter().collect();
    check_rows_unique(monthly, &spec.keys, "monthly counts")?;
    let keys: Vec<String> = spec.keys.series();
    let groups = row_groups(monthly, &keys)?;
    let key_text: Vec<Column> = keys
        .iter()
        .map(|k| Ok(monthly.column(k)?.cast(&DataType::String)?))
        .collect::<Result<_>>()?;
    let describe = |i: usize| -> String {
        keys.iter()
            .zip(&key_text)
            .map(|(k, c)| {
                format!(
                    "{k}={}",
                    c.str().ok().and_then(|s| s.get(i)).unwrap_or("null")
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };

    let mut first_rows: Vec<IdxSize> = Vec::new();
    let mut s_months = Vec::new();
    let mut s_first = Vec::new();
    let mut s_last = Vec::new();
    let (mut s_ss, mut s_ts) = (Vec::new(), Vec::new());
    let (mut s_peak, mut s_trough, mut s_peak_day, mut s_trough_day) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut kw_h, mut kw_p, mut qs_s, mut qs_p) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut s_flags = Vec::new();
    let mut p_rows: Vec<IdxSize> = Vec::new();
    let (mut p_month, mut p_mean, mut p_day, mut p_index, mut p_stl) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut a_rows: Vec<IdxSize> = Vec::new();
    let (mut a_month, mut a_obs, mut a_exp, mut a_score, mut a_p, mut a_dir) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );

    for g in &groups {
        let series = describe(g[0]);
        let mut rows: Vec<(YearMonth, usize)> = Vec::with_capacity(g.len());
        for &i in g {
            let d = days[i].ok_or_else(|| {
                Error::param("monthly", format!("{series}: a row has no {date_col}"))
            })?;
            rows.push((YearMonth::from_epoch_days(d), i));
        }
        rows.sort();
        let not_covered: Vec<String> = rows
            .iter()
            .filter(|(_, i)| uncovered[*i])
            .map(|(m, _)| m.to_string())
            .collect();
        if !not_covered.is_empty() {
            return Err(Error::InsufficientPeriods {
                what: format!("seasonality of {series}"),
                reason: format!(
                    "months not covered by the data ({}): a missing file or unpublished month is \
                     missing, not a count of zero; seasonality needs every month of the series \
                     (read the missing months, or analyse the span before or after them)",
                    not_covered.join(", ")
                ),
            });
        }
        for w in rows.windows(2) {
            let step = w[1].0.index() - w[0].0.index();
            if step == 0 {
                return Err(Error::Duplicate {
                    source_name: "monthly counts".into(),
                    what: "month",
                    key: format!("{} in {series}", w[0].0),
                });
            }
            if step > 1 {
                let missing: Vec<String> = (w[0].0.index() + 1..w[1].0.index())
                    .map(|m| YearMonth::from_index(m).to_string())
                    .collect();
                return Err(Error::param(
                    "monthly",
                    format!(
                        "{series}: months missing from the series ({}); gaps are not \
                         interpolated: supply zeros if the months were empty",
                        missing.join(", ")
                    ),
                ));
            }
        }
        let first = rows[0].0;
        let counts: Vec<f64> = rows.iter().map(|(_, i)| y[*i]).collect();
        let n = counts.len();
        let fit = stl(&counts, &spec.stl).map_err(|e| seasonal_err(&series, e))?;
        let indices =
            classical_indices(&counts, first.month).map_err(|e| seasonal_err(&series, e))?;
        let stl_profile =
            seasonal_profile(&fit.seasonal, first.month).map_err(|e| seasonal_err(&series, e))?;
        let daily =
            per_day(&counts, first.year, first.month).map_err(|e| seasonal_err(&series, e))?;
        let daily_indices =
            classical_indices(&daily, first.month).map_err(|e| seasonal_err(&series, e))?;
        let (peak, trough) = peak_and_trough(&stl_profile);
        let (peak_d, trough_d) = peak_and_trough(&daily_indices);
        let mut flags: Vec<String> = Vec::new();
        if let Some(low) = &low_months {
            let named: Vec<String> = rows
                .iter()
                .filter(|(_, i)| low[*i] > 0)
                .map(|(m, _)| m.to_string())
                .collect();
            if !named.is_empty() {
                flags.push(format!(
                    "under-published months ({}): far fewer rows than the force's neighbouring \
                     months, so a low anomaly there may be missing records",
                    named.join(", ")
                ));
            }
        }
        if n < seasonal::STL_WARN_MONTHS {
            flags.push(format!(
                "only {n} months: STL and the indices rest on {} values per calendar month",
                n / 12
            ));
        }
        match kruskal_wallis_by_month(&counts, first.month) {
            Ok(t) => {
                kw_h.push(Some(t.statistic));
                kw_p.push(Some(t.p_value));
            }
            Err(e) => {
                flags.push(format!("Kruskal-Wallis not computed: {e}"));
                kw_h.push(None);
                kw_p.push(None);
            }
        }
        match qs_test(&counts, first.month) {
            Ok(t) => {
                qs_s.push(Some(t.statistic));
                qs_p.push(Some(t.p_value));
            }
            Err(e) => {
                flags.push(format!("QS not computed: {e}"));
                qs_s.push(None);
                qs_p.push(None);
            }
        }
        first_rows.push(g[0] as IdxSize);
        s_months.push(n as u32);
        s_first.push(first.to_epoch_days());
        s_last.push(rows[n - 1].0.to_epoch_days());
        s_ss.push(fit.seasonal_strength);
        s_ts.push(fit.trend_strength);
        s_peak.push(peak);
        s_trough.push(trough);
        s_peak_day.push(peak_d);
        s_trough_day.push(trough_d);
        s_flags.push((!flags.is_empty()).then(|| flags.join("; ")));

        // Profile: mean count and mean per day for each calendar month.
        let mut sums = [0.0; 12];
        let mut day_sums = [0.0; 12];
        let mut ns = [0.0; 12];
        for (k, (m, _)) in rows.iter().enumerate() {
            let c = m.month as usize - 1;
            sums[c] += counts[k];
            day_sums[c] += daily[k];
            ns[c] += 1.0;
        }
        for c in 0..12 {
            p_rows.push(g[0] as IdxSize);
            p_month.push(seasonal::month_name(c as u32 + 1));
            p_mean.push(sums[c] / ns[c]);
            p_day.push(day_sums[c] / ns[c]);
            p_index.push(indices[c]);
            p_stl.push(stl_profile[c]);
        }
        for a in seasonal::anomalies(&counts, &fit, spec.anomaly_threshold)
            .map_err(|e| seasonal_err(&series, e))?
        {
            a_rows.push(g[0] as IdxSize);
            a_month.push(rows[a.index].0.to_epoch_days());
            a_obs.push(a.observed);
            a_exp.push(a.expected);
            a_score.push(a.robust_score);
            a_p.push(a.p_value);
            a_dir.push(if a.direction > 0 { "high" } else { "low" });
        }
    }

    let mut keep: Vec<String> = ["level", "area_name"]
        .iter()
        .filter(|c| monthly.schema().contains(c))
        .map(|c| c.to_string())
        .collect();
    keep.splice(0..0, keys.iter().cloned());
    let key_frame = monthly.select(keep)?;
    let take = |rows: Vec<IdxSize>| -> Result<DataFrame> {
        Ok(key_frame.take(&IdxCa::from_vec("idx".into(), rows))?)
    };
    let date = |name: &str, v: Vec<i32>| -> Result<Column> {
        Ok(Column::new(name.into(), v).cast(&DataType::Date)?)
    };
    let mut summary = take(first_rows)?;
    for c in [
        Column::new("months".into(), s_months),
        date("first_month", s_first)?,
        date("last_month", s_last)?,
        Column::new("seasonal_strength".into(), s_ss),
        Column::new("trend_strength".into(), s_ts),
        Column::new("peak_month".into(), s_peak),
        Column::new("trough_month".into(), s_trough),
        Column::new("peak_month_per_day".into(), s_peak_day),
        Column::new("trough_month_per_day".into(), s_trough_day),
        Column::new("kruskal_wallis".into(), kw_h),
        Column::new("kruskal_wallis_p".into(), kw_p),
        Column::new("qs".into(), qs_s),
        Column::new("qs_p".into(), qs_p),
        Column::new(
            "method".into(),
            vec!["stl (robust, periodic seasonal)"; groups.len()],
        ),
        Column::new("flags".into(), s_flags),
    ] {
        summary.with_column(c)?;
    }
    let mut profile = take(p_rows)?;
    for c in [
        Column::new("calendar_month".into(), p_month),
        Column::new("mean_count".into(), p_mean),
        Column::new("mean_per_day".into(), p_day),
        Column::new("classical_index".into(), p_index),
        Column::new("stl_seasonal".into(), p_stl),
    ] {
        profile.with_column(c)?;
    }
    let mut anomalies = take(a_rows)?;
    for c in [
        date("month", a_month)?,
        Column::new("observed".into(), a_obs),
        Column::new("expected".into(), a_exp),
        Column::new("robust_score".into(), a_score),
        Column::new("p_value".into(), a_p),
        Column::new("direction".into(), a_dir),
    ] {
        anomalies.with_column(c)?;
    }
    let report = SeasonalityReport {
        keys: spec.keys.clone(),
        series: summary.height() as u64,
        months: monthly.height() as u64,
    };
    Ok(Seasonality {
        summary,
        profile,
        anomalies,
        report,
    })
}
