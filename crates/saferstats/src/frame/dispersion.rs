//! Over-dispersion of every monthly series at once: how much more month-to-month variation a
//! series has than a Poisson count, after its level and seasonal pattern.
//!
//! Recorded crime is far from Poisson (repeat victims, series offences, recording drives): for
//! the London boroughs' monthly counts the quasi-Poisson dispersion φ is 4.7 to 113. A change
//! test that ignores it calls almost every change in a large area significant.
//! [`series_dispersion`] estimates φ for each series (area and grouping columns) with the
//! robust estimator [`dispersion_robust`] (year + calendar-month log-linear model, Huber
//! Proposal 2 scale of the standardised Pearson residuals, so a few anomalous months such as the
//! 2020 lockdown move it by a bounded amount), floored at 1. [`crate::frame::change::change_with_monthly`]
//! uses it for every comparison.
//!
//! A month the data do not cover (`months_covered` = 0: a missing file, an unpublished month)
//! is missing, never a zero; so is a month absent from the table inside the series' run.
//!
//! [`dispersion_robust`]: crate::stats::rate_ratio::dispersion_robust

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::Output;
use crate::frame::table::{check_counts, check_rows_unique, monthly_rows_uncovered, row_groups};
use crate::period::YearMonth;
use crate::schema::{COUNT, Keys};
use crate::stats::rate_ratio::{HUBER_K, dispersion_robust};

/// The method label of [`series_dispersion`]'s estimates, as carried into change tables.
pub const DISPERSION_METHOD: &str = "robust quasi-Poisson (year + month model, Huber k = 1.5)";

/// What [`series_dispersion`] estimated and what it could not.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DispersionReport {
    /// The series keys (`area_code` and the grouping columns).
    pub keys: Keys,
    /// Series with an estimate.
    pub estimated: u64,
    /// Series without one (too few months, or no crimes), each with the reason in `flags`.
    pub not_estimated: u64,
    /// Months treated as missing: not covered by the data, or absent inside a series' run.
    pub missing_months: u64,
    /// The estimator (see [`DISPERSION_METHOD`]).
    pub method: String,
}

/// The robust quasi-Poisson dispersion of every monthly series of `monthly`.
///
/// `monthly` needs `area_code`, `period_start` (a `Date`, one row per month) and `count`, plus
/// the grouping columns of `keys`; `months_covered` = 0 marks a month the data do not cover.
/// Output, one row per series: the keys, `dispersion` (φ̂ floored at 1; null when it cannot be
/// estimated), `dispersion_raw` (φ̂ before the floor), `months` (months that informed it),
/// `downweighted` (months down-weighted as anomalous), `first_month`, `last_month`, `method`
/// and `flags` (why there is no estimate, or which months were missing).
///
/// A series needs 11 residual degrees of freedom (two complete years of months) and at least
/// one crime; otherwise its `dispersion` is null and `flags` says why: never a value that a
/// test would then reject, never a zero.
///
/// # Errors
///
/// [`Error::MissingColumn`] for a missing key, `period_start` or `count` column;
/// [`Error::InvalidParameter`] (`monthly`) when `period_start` is not a `Date` or a period is
/// longer than a month; [`Error::BadValue`] for a negative, fractional or missing count;
/// [`Error::Duplicate`] for two rows of the same series and month.
///
/// # Examples
///
/// ```
/// use saferstats::frame::dispersion::series_dispersion;
/// use saferstats::period::YearMonth;
/// use saferstats::polars::prelude::*;
/// use saferstats::schema::Keys;
/// let season: [f64; 12] = [1.0, 0.9, 1.0, 1.1, 1.2, 1.1, 1.0, 0.9, 1.0, 1.1, 0.9, 0.8];
/// let noise = [3.0, -2.0, 5.0, -4.0, 1.0, 0.0, -3.0, 2.0, 4.0, -1.0, -5.0, 2.0];
/// let (mut area, mut month, mut count) = (vec![], vec![], vec![]);
/// for (code, spread) in [("calm", 0.0), ("noisy", 12.0)] {
///     for t in 0..36usize {
///         area.push(code);
///         month.push(YearMonth::new(2020 + (t / 12) as i32, (t % 12) as u32 + 1).unwrap().to_epoch_days());
///         count.push((400.0 * season[t % 12] + spread * noise[(t * 7 + t / 12) % 12]).round());
///     }
/// }
/// let mut monthly = df!("area_code" => area, "count" => count)?;
/// monthly.with_column(Column::new("period_start".into(), month).cast(&DataType::Date)?)?;
/// let out = series_dispersion(&monthly, &Keys::none())?;
/// let phi: Vec<f64> = out.table.column("dispersion")?.f64()?.into_no_null_iter().collect();
/// assert!(phi[0] == 1.0 && phi[1] > 2.0); // floored at 1; far more spread than Poisson
/// assert_eq!(out.report.estimated, 2);
/// // One year is too short: no estimate, and the flag says why.
/// let short = series_dispersion(&monthly.slice(0, 12), &Keys::none())?;
/// assert_eq!(short.table.column("dispersion")?.null_count(), 1);
/// assert!(short.table.column("flags")?.str()?.get(0).unwrap().contains("residual degrees"));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// As [`dispersion_robust`]; Wedderburn (1974) and McCullagh & Nelder (1989), §9.2
/// (quasi-Poisson); `docs/methods.md`, "Change between periods".
pub fn series_dispersion(monthly: &DataFrame, keys: &Keys) -> Result<Output<DispersionReport>> {
    keys.check(monthly, "monthly counts")?;
    check_rows_unique(monthly, keys, "monthly counts")?;
    let dates = monthly
        .column("period_start")
        .map_err(|_| Error::missing_column("monthly counts", "period_start", monthly))?;
    if dates.dtype() != &DataType::Date {
        return Err(Error::param(
            "monthly",
            format!(
                "column 'period_start' must be a Date, found {}",
                dates.dtype()
            ),
        ));
    }
    let uncovered = monthly_rows_uncovered(monthly, "the dispersion")?;
    let days: Vec<Option<i32>> = dates.cast(&DataType::Int32)?.i32()?.iter().collect();
    let y: Vec<f64> = check_counts(monthly, COUNT)?.into_no_null_iter().collect();
    let key_names = keys.series();
    let groups = row_groups(monthly, &key_names)?;

    let mut report = DispersionReport {
        keys: keys.clone(),
        method: DISPERSION_METHOD.into(),
        ..DispersionReport::default()
    };
    let n = groups.len();
    let mut first_rows: Vec<IdxSize> = Vec::with_capacity(n);
    let (mut phi, mut raw, mut months, mut down) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut first, mut last, mut flags) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for g in &groups {
        let mut rows: Vec<(YearMonth, usize)> = Vec::with_capacity(g.len());
        for &i in g {
            let d = days[i].ok_or_else(|| Error::BadValue {
                source_name: "monthly counts".into(),
                line: i as u64 + 1,
                column: "period_start".into(),
                value: "null".into(),
                reason: "every month of a series needs a period_start".into(),
            })?;
            rows.push((YearMonth::from_epoch_days(d), i));
        }
        rows.sort();
        first_rows.push(g[0] as IdxSize);
        let (start, end) = (rows[0].0, rows[rows.len() - 1].0);
        let span = (end.index() - start.index() + 1) as usize;
        // The run from the first to the last month, NaN where a month is missing.
        let mut series = vec![f64::NAN; span];
        for &(m, i) in &rows {
            if !uncovered[i] {
                series[(m.index() - start.index()) as usize] = y[i];
            }
        }
        let missing = series.iter().filter(|v| v.is_nan()).count();
        report.missing_months += missing as u64;
        let mut f: Vec<String> = Vec::new();
        if missing > 0 {
            f.push(format!("{missing} month(s) missing, left out"));
        }
        match dispersion_robust(&series) {
            Ok(est) => {
                report.estimated += 1;
                phi.push(Some(est.dispersion.max(1.0)));
                raw.push(Some(est.dispersion));
                months.push(est.months as u32);
                down.push(est.downweighted as u32);
                if est.downweighted > 0 {
                    f.push(format!(
                        "{} anomalous month(s) down-weighted (|residual| > {HUBER_K} scale)",
                        est.downweighted
                    ));
                }
            }
            Err(e @ (Error::InsufficientPeriods { .. } | Error::Degenerate { .. })) => {
                report.not_estimated += 1;
                phi.push(None);
                raw.push(None);
                months.push((span - missing) as u32);
                down.push(0);
                f.insert(0, format!("no dispersion estimate: {e}"));
            }
            Err(e) => return Err(e),
        }
        first.push(start.to_string());
        last.push(end.to_string());
        flags.push((!f.is_empty()).then(|| f.join("; ")));
    }
    let idx = IdxCa::from_vec("idx".into(), first_rows);
    let mut table = monthly
        .select(key_names.iter().map(String::as_str))?
        .take(&idx)?;
    for c in [
        Column::new("dispersion".into(), phi),
        Column::new("dispersion_raw".into(), raw),
        Column::new("months".into(), months),
        Column::new("downweighted".into(), down),
        Column::new("first_month".into(), first),
        Column::new("last_month".into(), last),
        Column::new("method".into(), vec![DISPERSION_METHOD; n]),
        Column::new("flags".into(), flags),
    ] {
        table.with_column(c)?;
    }
    Ok(Output { table, report })
}
