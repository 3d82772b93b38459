//! Five-year trends: PHE's recent-trend marker and a Poisson log-linear trend, for every area
//! and group at once; plus recording-practice breaks attached as caveats.
//!
//! **PHE trend marker** (Fingertips "Trend markers" guidance; PHEindicatormethods PR #92): the
//! five most recent non-overlapping annual points. For rates, an inverse-variance weighted
//! regression of the rate on the year, σᵢ = (UCLᵢ − LCLᵢ)/(2·1.96) from the 95% Byar or exact
//! interval; for proportions, the χ² test for trend (Cochran-Armitage form). Significant when
//! X² > 9.5495 (χ²₁ at 99.8%); then a leave-one-out check: if dropping any one point flips the
//! sign of the slope the marker is "No significant change" with reason "outlier found".
//! Result: "Increasing", "Decreasing", "No significant change" or "Cannot be calculated", with a
//! reason. Monthly, quarterly, partial or rolling (overlapping) periods are refused, as
//! Fingertips requires.
//!
//! **Poisson log-linear trend** (beyond PHE): log μₜ = a + b·t + log(exposureₜ) fitted by
//! iteratively reweighted least squares on all annual points; the annual percentage change is
//! 100·(eᵇ − 1) with a Wald interval, widened by √φ where φ = Pearson χ²/(n − 2) when φ > 1
//! (quasi-Poisson).
//!
//! ```
//! use saferstats::trend::{phe_trend_rates, TrendMarker};
//! // Counts rising 10% a year on a population of 100,000.
//! let counts = [1000.0, 1100.0, 1210.0, 1331.0, 1464.0];
//! let pop = [100_000.0; 5];
//! let (marker, _) = phe_trend_rates(&[2015, 2016, 2017, 2018, 2019], &counts, &pop);
//! assert_eq!(marker, TrendMarker::Increasing);
//! ```

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::counts::{COUNT, key_columns};
use crate::error::{Error, Result};
use crate::intervals::{poisson_count_limits, z_for};
use crate::period::YearMonth;
use crate::rates::check_counts;

/// PHE's recent-trend categories.
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
    /// PHE's label.
    pub fn label(self) -> &'static str {
        match self {
            TrendMarker::Increasing => "Increasing",
            TrendMarker::Decreasing => "Decreasing",
            TrendMarker::NoSignificantChange => "No significant change",
            TrendMarker::CannotBeCalculated => "Cannot be calculated",
        }
    }
}

/// A known change in recording practice (e.g. "NCRS audit, Kent Police, Nov 2014").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingBreak {
    /// First month recorded under the new practice.
    pub month: YearMonth,
    /// What changed.
    pub description: String,
}

/// The caveat text for a span of months that contains one or more breaks, if any.
pub fn caveats_for(first: YearMonth, last: YearMonth, breaks: &[RecordingBreak]) -> Option<String> {
    let hits: Vec<String> = breaks
        .iter()
        .filter(|b| b.month > first && b.month <= last)
        .map(|b| format!("spans a recording change ({}: {})", b.month, b.description))
        .collect();
    (!hits.is_empty()).then(|| hits.join("; "))
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

/// PHE trend marker for rates from annual counts and populations (in year order; the last
/// five are used). Returns the marker and a reason or the X² statistic as text.
pub fn phe_trend_rates(
    years: &[i32],
    counts: &[f64],
    populations: &[f64],
) -> (TrendMarker, String) {
    let n = years.len();
    if n < 5 {
        return (
            TrendMarker::CannotBeCalculated,
            format!("needs 5 annual points, has {n}"),
        );
    }
    let years = &years[n - 5..];
    let counts = &counts[n - 5..];
    let pops = &populations[n - 5..];
    if years.windows(2).any(|w| w[1] - w[0] != 1) {
        return (
            TrendMarker::CannotBeCalculated,
            "the last 5 points are not consecutive years".into(),
        );
    }
    let z = z_for(0.95);
    let t: Vec<f64> = years.iter().map(|y| *y as f64).collect();
    let y: Vec<f64> = counts.iter().zip(pops).map(|(o, n)| o / n).collect();
    let sigma: Vec<f64> = counts
        .iter()
        .zip(pops)
        .map(|(o, n)| {
            let (l, u, _) = poisson_count_limits(*o, 0.95);
            (u - l) / n / (2.0 * z)
        })
        .collect();
    marker_from_regression(&t, &y, &sigma)
}

fn marker_from_regression(t: &[f64], y: &[f64], sigma: &[f64]) -> (TrendMarker, String) {
    let Some((beta, var)) = weighted_slope(t, y, sigma) else {
        return (
            TrendMarker::CannotBeCalculated,
            "zero-width intervals: the weighted regression is undefined".into(),
        );
    };
    let x2 = beta * beta / var;
    if x2 <= PHE_CRITICAL {
        return (
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
            return (
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
    (marker, format!("X² = {x2:.3} > 9.5495 (99.8%)"))
}

/// PHE trend marker for proportions (χ² test for trend) from annual numerators and
/// denominators (last five used). Direction from the sign of the Cochran-Armitage numerator.
pub fn phe_trend_proportions(
    years: &[i32],
    numerators: &[f64],
    denominators: &[f64],
) -> (TrendMarker, String) {
    let n = years.len();
    if n < 5 {
        return (
            TrendMarker::CannotBeCalculated,
            format!("needs 5 annual points, has {n}"),
        );
    }
    let t: Vec<f64> = years[n - 5..].iter().map(|y| *y as f64).collect();
    let c = &numerators[n - 5..];
    let d = &denominators[n - 5..];
    let big_d: f64 = d.iter().sum();
    let big_c: f64 = c.iter().sum();
    let sct: f64 = c.iter().zip(&t).map(|(c, t)| c * t).sum();
    let sdt: f64 = d.iter().zip(&t).map(|(d, t)| d * t).sum();
    let sdtt: f64 = d.iter().zip(&t).map(|(d, t)| d * t * t).sum();
    let denom = big_c * (big_d - big_c) * (big_d * sdtt - sdt * sdt);
    if denom <= 0.0 {
        return (
            TrendMarker::CannotBeCalculated,
            "all or none of the denominators are events: the test is undefined".into(),
        );
    }
    let numer = big_d * sct - big_c * sdt;
    let x2 = big_d * numer * numer / denom;
    if x2 <= PHE_CRITICAL {
        return (
            TrendMarker::NoSignificantChange,
            format!("X² = {x2:.3} ≤ 9.5495 (99.8%)"),
        );
    }
    let marker = if numer > 0.0 {
        TrendMarker::Increasing
    } else {
        TrendMarker::Decreasing
    };
    (marker, format!("X² = {x2:.3} > 9.5495 (99.8%)"))
}

/// A Poisson log-linear trend fit.
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

/// Fit log μₜ = a + b·t + log(exposureₜ) by IRLS (Newton-Raphson on the Poisson likelihood).
///
/// ```
/// use saferstats::trend::log_linear_trend;
/// let fit = log_linear_trend(&[0.0, 1.0, 2.0, 3.0], &[100.0, 110.0, 121.0, 133.1], &[1.0; 4], 0.95)?;
/// assert!((fit.annual_pct_change - 10.0).abs() < 1e-6);
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn log_linear_trend(
    t: &[f64],
    counts: &[f64],
    exposure: &[f64],
    confidence: f64,
) -> Result<LogLinearTrend> {
    let n = t.len();
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
    let p = 2.0 * crate::special::normal_sf((b / se).abs());
    Ok(LogLinearTrend {
        annual_pct_change: (b.exp() - 1.0) * 100.0,
        lower: ((b - z * se).exp() - 1.0) * 100.0,
        upper: ((b + z * se).exp() - 1.0) * 100.0,
        p_value: p,
        dispersion: phi,
    })
}

/// Trend for every series of an annual counts table (one row per area, group and year, with
/// `period_start`, `months_expected`, `months_covered`, `count`, and `population` if rates are
/// wanted). Output: one row per series with `trend` (PHE marker label), `trend_reason`,
/// `annual_pct_change`, `lower`, `upper`, `p_value`, `dispersion`, `periods`, `first_period`,
/// `last_period`, `flags` (recording-break caveats).
pub fn trends(annual: &DataFrame, breaks: &[RecordingBreak], confidence: f64) -> Result<DataFrame> {
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
    let keys = key_columns(annual, &["period"]);
    let groups = crate::rates::row_groups(annual, &keys)?;
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
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::special::chi2_quantile;

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
