//! Comparison with peers: benchmark significance (PHE rules), funnel-plot limits with and
//! without over-dispersion, and rank among peers with a rank interval.
//!
//! All functions take a rates table (from [`crate::rates::rates`]) and compare each area with
//! the other areas of its peer group: rows sharing the values of the peer keys (by default every
//! column that is not an area, value or limit column, e.g. `period` and `crime_type`). Filter
//! the table to the peer set you want (all CSPs, a force's CSPs, a list) before calling.
//!
//! - **Benchmark** (PHE / Fingertips): an area is "Higher" when the lower limit of its
//!   interval is above the benchmark, "Lower" when the upper limit is below it, else
//!   "Similar", at 95% and 99.8%. The benchmark is the peer group's pooled rate
//!   (Σcount / Σpopulation) or a value given by the caller (e.g. England's rate). As in PHE,
//!   the benchmark is treated as fixed; that is fair when it pools many areas.
//! - **Funnel limits**: exact Poisson limits around the benchmark for each area's population,
//!   at 95% and 99.8% (two-sided: one-sided tail probabilities 0.025 and 0.001, as PHE), and
//!   Spiegelhalter's (2005) over-dispersion-adjusted limits on the log scale with 10%
//!   Winsorisation (as FunnelPlotR's "SR" with log transform), with φ and τ² reported.
//! - **Rank interval**: the rank (1 = highest rate) and its 95% interval from a seeded
//!   simulation: each area's count is redrawn from Poisson(observed) and ranks recomputed.
//!
//! ```
//! use saferstats::peers::{compare_with_benchmark, Benchmark};
//! use saferstats::polars::prelude::*;
//! let rates = df!(
//!     "area_code" => ["A", "B", "C"], "period" => ["2014", "2014", "2014"],
//!     "count" => [120i64, 100, 80], "population" => [1000.0, 1000.0, 1000.0],
//!     "value" => [120.0, 100.0, 80.0],
//! )?;
//! let out = compare_with_benchmark(&rates, &Benchmark::PeerRate, 1000.0, None)?;
//! let labels: Vec<_> = out.column("vs_benchmark_95")?.str()?.iter().flatten().collect();
//! assert_eq!(labels, ["Similar", "Similar", "Lower"]);
//! # Ok::<(), saferstats::Error>(())
//! ```

use polars::prelude::*;
use rand_distr::{Distribution, Poisson};
use rand_pcg::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::counts::COUNT;
use crate::error::{Error, Result};
use crate::intervals::poisson_count_limits;
use crate::rates::{check_counts, default_peer_keys, peer_rates, row_groups};
use crate::special::poisson_cdf;

/// What to compare each area with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Benchmark {
    /// The pooled rate of the peer group (Σcount / Σpopulation).
    PeerRate,
    /// A rate given by the caller, per the same multiplier (e.g. England's rate).
    Value(f64),
}

fn f64_column(df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    let c = df
        .column(name)
        .map_err(|_| Error::missing_column("rates table", name, df))?;
    let c = c.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

fn peer_groups(df: &DataFrame, keys: Option<&[String]>) -> Result<Vec<Vec<usize>>> {
    let keys = keys
        .map(<[String]>::to_vec)
        .unwrap_or_else(|| default_peer_keys(df));
    row_groups(df, &keys)
}

fn benchmark_values(
    df: &DataFrame,
    benchmark: &Benchmark,
    per: f64,
    groups: &[Vec<usize>],
) -> Result<Vec<f64>> {
    let o = f64_column(df, COUNT)?;
    let n = f64_column(df, "population")?;
    Ok(match benchmark {
        Benchmark::PeerRate => peer_rates(&o, &n, groups, per),
        Benchmark::Value(v) if v.is_finite() && *v >= 0.0 => vec![*v; df.height()],
        Benchmark::Value(v) => {
            return Err(Error::param(
                "benchmark",
                format!("must be a rate ≥ 0, got {v}"),
            ));
        }
    })
}

fn label(lower: f64, upper: f64, benchmark: f64) -> &'static str {
    if lower > benchmark {
        "Higher"
    } else if upper < benchmark {
        "Lower"
    } else {
        "Similar"
    }
}

/// Add `benchmark`, `vs_benchmark_95` and `vs_benchmark_99_8` (Higher / Similar / Lower, PHE
/// rule: the area's Byar or exact interval against a fixed benchmark).
pub fn compare_with_benchmark(
    rates: &DataFrame,
    benchmark: &Benchmark,
    per: f64,
    peer_keys: Option<&[String]>,
) -> Result<DataFrame> {
    let groups = peer_groups(rates, peer_keys)?;
    let bench = benchmark_values(rates, benchmark, per, &groups)?;
    let o: Vec<f64> = check_counts(rates, COUNT)?.into_no_null_iter().collect();
    let n = f64_column(rates, "population")?;
    let mut out = rates.clone();
    out.with_column(Column::new("benchmark".into(), bench.clone()))?;
    for (level, name) in [(0.95, "vs_benchmark_95"), (0.998, "vs_benchmark_99_8")] {
        let labels: Vec<&str> = (0..o.len())
            .map(|i| {
                let (l, u, _) = poisson_count_limits(o[i], level);
                label(l / n[i] * per, u / n[i] * per, bench[i])
            })
            .collect();
        out.with_column(Column::new(name.into(), labels))?;
    }
    Ok(out)
}

/// Over-dispersion estimate for one peer group (Spiegelhalter 2005).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dispersion {
    /// φ: mean squared Winsorised z-score (1 under pure Poisson variation).
    pub phi: f64,
    /// τ²: between-area variance on the log scale (0 when φ·k ≤ k − 1).
    pub tau2: f64,
    /// Areas used.
    pub areas: usize,
}

/// Spiegelhalter's additive random-effects estimate for ratios O/E on the log scale:
/// z = √E·log(O/E), Winsorised at the 10th and 90th percentiles; φ = Σz²/k;
/// τ² = max(0, (kφ − (k−1)) / (Σw − Σw²/Σw)), w = E.
pub fn dispersion(observed: &[f64], expected: &[f64]) -> Dispersion {
    let z: Vec<f64> = observed
        .iter()
        .zip(expected)
        .filter(|(o, e)| **o > 0.0 && **e > 0.0)
        .map(|(o, e)| e.sqrt() * (o / e).ln())
        .collect();
    let k = z.len();
    if k < 2 {
        return Dispersion {
            phi: f64::NAN,
            tau2: 0.0,
            areas: k,
        };
    }
    let mut sorted = z.clone();
    sorted.sort_by(f64::total_cmp);
    let lo = quantile_type7(&sorted, 0.1);
    let hi = quantile_type7(&sorted, 0.9);
    let phi = z.iter().map(|v| v.clamp(lo, hi).powi(2)).sum::<f64>() / k as f64;
    let w: Vec<f64> = observed
        .iter()
        .zip(expected)
        .filter(|(o, e)| **o > 0.0 && **e > 0.0)
        .map(|(_, e)| *e)
        .collect();
    let sw: f64 = w.iter().sum();
    let sw2: f64 = w.iter().map(|x| x * x).sum();
    let kf = k as f64;
    let tau2 = if kf * phi > kf - 1.0 {
        ((kf * phi - (kf - 1.0)) / (sw - sw2 / sw)).max(0.0)
    } else {
        0.0
    };
    Dispersion {
        phi,
        tau2,
        areas: k,
    }
}

/// R's default (type 7) quantile of sorted data.
fn quantile_type7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Exact Poisson funnel limits for an expected count `e`: the count x at which the one-sided
/// tail probability reaches `tail`, interpolated between integers as in Spiegelhalter (2005,
/// appendix A.1.1), returned on the count scale.
pub fn poisson_funnel_counts(e: f64, tail: f64) -> (f64, f64) {
    if e <= 0.0 {
        return (0.0, 0.0);
    }
    // Upper: smallest integer r with P(X ≤ r) ≥ 1 − tail, interpolated.
    let p = 1.0 - tail;
    let quantile = |p: f64| -> f64 {
        // search r such that cdf(r) >= p
        let mut r = (e + 10.0 * e.sqrt() + 10.0).floor() as u64;
        while r > 0 && poisson_cdf(r - 1, e) >= p {
            r -= 1;
        }
        while poisson_cdf(r, e) < p {
            r += 1;
        }
        let cdf_r = poisson_cdf(r, e);
        let cdf_prev = if r == 0 { 0.0 } else { poisson_cdf(r - 1, e) };
        let alpha = if cdf_r > cdf_prev {
            (cdf_r - p) / (cdf_r - cdf_prev)
        } else {
            0.0
        };
        r as f64 - alpha
    };
    let upper = quantile(p);
    let lower = quantile(tail).max(0.0);
    (lower, upper)
}

/// Add funnel limits around the benchmark: `expected` (benchmark × population / per),
/// `funnel_lower_95`, `funnel_upper_95`, `funnel_lower_99_8`, `funnel_upper_99_8` (exact
/// Poisson), the same with the `_od` suffix (over-dispersion adjusted), `funnel_flag`
/// ("High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)", "Not significant", on the
/// exact limits, PHE's labels), `funnel_flag_od`, and the group's `phi` and `tau2`.
pub fn funnel_limits(
    rates: &DataFrame,
    benchmark: &Benchmark,
    per: f64,
    peer_keys: Option<&[String]>,
) -> Result<DataFrame> {
    let groups = peer_groups(rates, peer_keys)?;
    let bench = benchmark_values(rates, benchmark, per, &groups)?;
    let o: Vec<f64> = check_counts(rates, COUNT)?.into_no_null_iter().collect();
    let n = f64_column(rates, "population")?;
    let h = o.len();
    let e: Vec<f64> = (0..h).map(|i| bench[i] * n[i] / per).collect();
    let mut phi = vec![f64::NAN; h];
    let mut tau2 = vec![0.0; h];
    for g in &groups {
        let d = dispersion(
            &g.iter().map(|&i| o[i]).collect::<Vec<_>>(),
            &g.iter().map(|&i| e[i]).collect::<Vec<_>>(),
        );
        for &i in g {
            phi[i] = d.phi;
            tau2[i] = d.tau2;
        }
    }
    let mut out = rates.clone();
    out.with_column(Column::new("expected".into(), e.clone()))?;
    let mut flags = vec!["Not significant"; h];
    let mut flags_od = vec!["Not significant"; h];
    for (tail, suffix, high, low) in [
        (0.025, "95", "High (0.025)", "Low (0.025)"),
        (0.001, "99_8", "High (0.001)", "Low (0.001)"),
    ] {
        let z = crate::special::normal_quantile(1.0 - tail);
        let mut lo = Vec::with_capacity(h);
        let mut hi = Vec::with_capacity(h);
        let mut lo_od = Vec::with_capacity(h);
        let mut hi_od = Vec::with_capacity(h);
        for i in 0..h {
            let (cl, cu) = poisson_funnel_counts(e[i], tail);
            let to_rate = |c: f64| c / n[i] * per;
            lo.push(to_rate(cl));
            hi.push(to_rate(cu));
            let sd = (1.0 / e[i] + tau2[i]).sqrt();
            let l_od = bench[i] * (-z * sd).exp();
            let u_od = bench[i] * (z * sd).exp();
            lo_od.push(l_od);
            hi_od.push(u_od);
            let rate = o[i] / n[i] * per;
            if rate > to_rate(cu) {
                flags[i] = high;
            } else if rate < to_rate(cl) {
                flags[i] = low;
            }
            if rate > u_od {
                flags_od[i] = high;
            } else if rate < l_od {
                flags_od[i] = low;
            }
        }
        out.with_column(Column::new(format!("funnel_lower_{suffix}").into(), lo))?;
        out.with_column(Column::new(format!("funnel_upper_{suffix}").into(), hi))?;
        out.with_column(Column::new(
            format!("funnel_lower_{suffix}_od").into(),
            lo_od,
        ))?;
        out.with_column(Column::new(
            format!("funnel_upper_{suffix}_od").into(),
            hi_od,
        ))?;
    }
    out.with_column(Column::new("funnel_flag".into(), flags))?;
    out.with_column(Column::new("funnel_flag_od".into(), flags_od))?;
    out.with_column(Column::new("phi".into(), phi))?;
    out.with_column(Column::new("tau2".into(), tau2))?;
    Ok(out)
}

/// Add `rank` (1 = highest rate; ties share the lowest rank), `peers` (areas in the group),
/// `rank_lower` and `rank_upper` (2.5% and 97.5% quantiles of the rank over `simulations`
/// redraws of every count from Poisson(observed), seeded for reproducibility).
pub fn rank_among_peers(
    rates: &DataFrame,
    peer_keys: Option<&[String]>,
    simulations: usize,
    seed: u64,
) -> Result<DataFrame> {
    if simulations < 100 {
        return Err(Error::param(
            "simulations",
            format!(
                "at least 100 simulations are needed for a 95% rank interval, got {simulations}"
            ),
        ));
    }
    let groups = peer_groups(rates, peer_keys)?;
    let o: Vec<f64> = check_counts(rates, COUNT)?.into_no_null_iter().collect();
    let n = f64_column(rates, "population")?;
    let h = o.len();
    let mut rank = vec![0u32; h];
    let mut peers = vec![0u32; h];
    let mut lower = vec![0u32; h];
    let mut upper = vec![0u32; h];
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    for g in &groups {
        let rates_g: Vec<f64> = g.iter().map(|&i| o[i] / n[i]).collect();
        let ranks = ranks_descending(&rates_g);
        let mut draws: Vec<Vec<u32>> = vec![Vec::with_capacity(simulations); g.len()];
        let mut sim = vec![0.0; g.len()];
        for _ in 0..simulations {
            for (k, &i) in g.iter().enumerate() {
                let c = if o[i] > 0.0 {
                    Poisson::new(o[i])
                        .map_err(|e| Error::param("count", e.to_string()))?
                        .sample(&mut rng)
                } else {
                    0.0
                };
                sim[k] = c / n[i];
            }
            for (k, r) in ranks_descending(&sim).into_iter().enumerate() {
                draws[k].push(r);
            }
        }
        for (k, &i) in g.iter().enumerate() {
            draws[k].sort_unstable();
            rank[i] = ranks[k];
            peers[i] = g.len() as u32;
            lower[i] = draws[k][(0.025 * (simulations - 1) as f64).round() as usize];
            upper[i] = draws[k][(0.975 * (simulations - 1) as f64).round() as usize];
        }
    }
    let mut out = rates.clone();
    out.with_column(Column::new("rank".into(), rank))?;
    out.with_column(Column::new("peers".into(), peers))?;
    out.with_column(Column::new("rank_lower".into(), lower))?;
    out.with_column(Column::new("rank_upper".into(), upper))?;
    Ok(out)
}

/// Rank 1 = largest; ties share the smallest rank ("min" method). O(n log n).
fn ranks_descending(values: &[f64]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*b].total_cmp(&values[*a]));
    let mut ranks = vec![0u32; values.len()];
    let mut current = 0u32;
    for (pos, &i) in order.iter().enumerate() {
        if pos == 0 || values[i] != values[order[pos - 1]] {
            current = pos as u32 + 1;
        }
        ranks[i] = current;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_with_ties() {
        assert_eq!(ranks_descending(&[1.0, 3.0, 3.0, 2.0]), vec![4, 1, 1, 3]);
    }

    #[test]
    fn dispersion_is_zero_for_identical_ratios() {
        let d = dispersion(&[100.0, 200.0, 300.0], &[100.0, 200.0, 300.0]);
        assert_eq!(d.phi, 0.0);
        assert_eq!(d.tau2, 0.0);
    }

    #[test]
    fn funnel_counts_bracket_the_expectation() {
        let (lo, hi) = poisson_funnel_counts(100.0, 0.025);
        // Normal approximation: 100 ± 1.96·10.
        assert!(
            (lo - 80.4).abs() < 1.5 && (hi - 119.6).abs() < 1.5,
            "{lo} {hi}"
        );
    }
}
