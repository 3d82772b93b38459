//! Comparison with peers: benchmark significance (PHE rules), funnel-plot limits with and
//! without over-dispersion, and rank among peers with a rank interval.
//!
//! All functions take a rates table (from [`crate::frame::rates::rates`]) and compare each area with
//! the other areas of its peer group: rows sharing the values of the peer keys (by default
//! `period` and the grouping columns declared in [`PeerSpec::keys`], e.g. `crime_type`; or
//! the columns of [`PeerSpec::peer_group`]). Filter the table to the peer set you want (all
//! CSPs, a force's CSPs, a list) before calling. Only `count` and `population` are read (the
//! rate is recomputed as count / population × `per`); every input column is kept.
//!
//! - **Benchmark** (PHE / Fingertips): an area is "Higher" when the lower limit of its
//!   interval is above the benchmark, "Lower" when the upper limit is below it, else
//!   "Similar", at 95% and 99.8%. The benchmark is the peer group's pooled rate
//!   (Σcount / Σpopulation) or a value given by the caller (e.g. England's rate). As in PHE,
//!   the benchmark is treated as fixed; that is fair when it pools many areas.
//! - **Funnel limits**: exact Poisson limits around the benchmark for each area's population,
//!   at 95% and 99.8% (two-sided: one-sided tail probabilities 0.025 and 0.001, as PHE), by
//!   PHE's method (default; an area is outside exactly when the exact one-sided Poisson test
//!   rejects, as PHEindicatormethods) or Spiegelhalter's interpolated quantiles
//!   ([`PeerSpec::funnel_method`]), and Spiegelhalter's (2005) over-dispersion-adjusted
//!   limits on the log scale with 10% Winsorisation (as FunnelPlotR's "SR" with log
//!   transform), with φ and τ² reported.
//! - **Rank interval**: the rank (1 = highest rate) and its 95% interval from a seeded
//!   simulation: each area's count is redrawn from Poisson(observed) and ranks recomputed.
//!
//! ```
//! use saferstats::frame::peers::{compare_with_benchmark, PeerSpec};
//! use saferstats::polars::prelude::*;
//! let rates = df!(
//!     "area_code" => ["A", "B", "C"], "period" => ["2014", "2014", "2014"],
//!     "count" => [120i64, 100, 80], "population" => [1000.0, 1000.0, 1000.0],
//!     "value" => [120.0, 100.0, 80.0],
//! )?;
//! let out = compare_with_benchmark(&rates, &PeerSpec::default())?.table;
//! let labels: Vec<_> = out.column("vs_benchmark_95")?.str()?.iter().flatten().collect();
//! assert_eq!(labels, ["Similar", "Similar", "Lower"]);
//! # Ok::<(), saferstats::Error>(())
//! ```

use polars::prelude::*;
use rand_distr::{Distribution, Poisson};
use rand_pcg::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::Output;
use crate::frame::table::{check_counts, check_rows_unique, column_f64, row_groups};
use crate::schema::{COUNT, Keys};
use crate::stats::funnel::{FunnelMethod, dispersion, funnel_counts};
use crate::stats::intervals::poisson_count_limits;

/// What to compare each area with.
///
/// Serialised as `"peer_rate"` or `{"value": 12.5}`.
///
/// # Examples
///
/// ```
/// use saferstats::frame::peers::Benchmark;
/// let b: Benchmark = serde_json::from_str(r#"{"value": 12.5}"#).unwrap();
/// assert_eq!(b, Benchmark::Value(12.5));
/// assert_eq!(serde_json::to_string(&Benchmark::PeerRate).unwrap(), r#""peer_rate""#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Benchmark {
    /// The pooled rate of the peer group (Σcount / Σpopulation).
    PeerRate,
    /// A rate given by the caller, per the same multiplier (e.g. England's rate).
    Value(f64),
}

/// Options shared by the peer functions ([`compare_with_benchmark`], [`funnel_limits`],
/// [`rank_among_peers`]).
///
/// Defaults: no grouping columns, the peer group's pooled rate as benchmark, rates per 1,000,
/// peer groups by `period` and the grouping columns, 1,000 simulations with seed 2015, PHE's
/// funnel limits.
/// Deserialises with every field optional and unknown fields refused.
///
/// # Examples
///
/// ```
/// use saferstats::frame::peers::{Benchmark, PeerSpec};
/// use saferstats::schema::Keys;
/// let spec = PeerSpec {
///     keys: Keys::by(["crime_type"]),
///     benchmark: Benchmark::Value(12.5), // e.g. England's rate per 1,000
///     ..PeerSpec::default()
/// };
/// spec.check()?;
/// let same: PeerSpec =
///     serde_json::from_str(r#"{"keys": ["crime_type"], "benchmark": {"value": 12.5}}"#).unwrap();
/// assert_eq!((same.keys, same.benchmark, same.simulations), (spec.keys, spec.benchmark, 1000));
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PeerSpec {
    /// Grouping columns of the rates table (besides `area_code` and `period`).
    pub keys: Keys,
    /// What each area is compared with (default: the peer group's pooled rate).
    pub benchmark: Benchmark,
    /// The multiplier the rates were computed with (default 1,000).
    pub per: f64,
    /// Columns whose values define a peer group; default `period` plus the grouping
    /// columns: every area of the table in the same period and group is a peer. Filter the
    /// table to the peer set first (all CSPs, a force's CSPs, an authority type).
    pub peer_group: Option<Vec<String>>,
    /// Simulations for rank intervals (100 to 1,000,000; default 1,000).
    pub simulations: usize,
    /// Seed of the rank simulation (results repeat exactly for the same seed and input).
    pub seed: u64,
    /// How [`funnel_limits`] places the exact Poisson limits: `"phe"` (default; PHE's limits,
    /// an area is outside exactly when the exact one-sided test rejects) or `"spiegelhalter"`
    /// (interpolated quantiles, an upper limit about one count lower). See
    /// [`FunnelMethod`].
    pub funnel_method: FunnelMethod,
}

impl Default for PeerSpec {
    fn default() -> Self {
        PeerSpec {
            keys: Keys::none(),
            benchmark: Benchmark::PeerRate,
            per: 1000.0,
            peer_group: None,
            simulations: 1000,
            seed: 2015,
            funnel_method: FunnelMethod::Phe,
        }
    }
}

/// Most simulations [`rank_among_peers`] runs.
///
/// ```
/// use saferstats::frame::peers::{PeerSpec, MAX_SIMULATIONS};
/// let too_many = PeerSpec { simulations: MAX_SIMULATIONS + 1, ..PeerSpec::default() };
/// assert!(too_many.check().is_err());
/// ```
pub const MAX_SIMULATIONS: usize = 1_000_000;

impl PeerSpec {
    /// Check the options: a positive finite `per`, a benchmark value that is finite and not
    /// negative, and 100 to [`MAX_SIMULATIONS`] simulations. Every peer function calls it
    /// first.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `per`, `benchmark` or `simulations`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::frame::peers::{Benchmark, PeerSpec};
    /// use saferstats::Error;
    /// PeerSpec::default().check()?;
    /// let bad = PeerSpec { benchmark: Benchmark::Value(-1.0), ..PeerSpec::default() };
    /// assert!(matches!(bad.check(), Err(Error::InvalidParameter { name: "benchmark", .. })));
    /// let bad = PeerSpec { simulations: 10, ..PeerSpec::default() };
    /// assert!(matches!(bad.check(), Err(Error::InvalidParameter { name: "simulations", .. })));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn check(&self) -> Result<()> {
        if !(self.per.is_finite() && self.per > 0.0) {
            return Err(Error::param(
                "per",
                format!("multiplier must be a positive number, got {}", self.per),
            ));
        }
        if let Benchmark::Value(v) = self.benchmark
            && !(v.is_finite() && v >= 0.0)
        {
            return Err(Error::param(
                "benchmark",
                format!("a benchmark rate must be a finite number of 0 or more, got {v}"),
            ));
        }
        if !(100..=MAX_SIMULATIONS).contains(&self.simulations) {
            return Err(Error::param(
                "simulations",
                format!(
                    "must be between 100 and {MAX_SIMULATIONS} (100 at least for a 95% rank \
                     interval), got {}",
                    self.simulations
                ),
            ));
        }
        Ok(())
    }

    fn groups(&self, df: &DataFrame) -> Result<(Vec<String>, Vec<Vec<usize>>)> {
        self.check()?;
        check_rows_unique(df, &self.keys, "rates table")?;
        let keys = match &self.peer_group {
            Some(k) => {
                for c in k {
                    if df.column(c).is_err() {
                        return Err(Error::missing_column("rates table", c, df));
                    }
                }
                k.clone()
            }
            None => self.keys.within(df),
        };
        let groups = row_groups(df, &keys)?;
        Ok((keys, groups))
    }
}

/// What a peer function compared.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PeerReport {
    /// The key columns of the table (as the input's).
    pub keys: Keys,
    /// Columns that defined the peer groups.
    pub peer_group: Vec<String>,
    /// Number of peer groups.
    pub groups: u64,
    /// Rows compared.
    pub rows: u64,
}

fn peer_output(
    table: DataFrame,
    spec: &PeerSpec,
    keys: Vec<String>,
    groups: usize,
) -> Output<PeerReport> {
    let rows = table.height() as u64;
    Output {
        table,
        report: PeerReport {
            keys: spec.keys.clone(),
            peer_group: keys,
            groups: groups as u64,
            rows,
        },
    }
}

fn f64_column(df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    let c = df
        .column(name)
        .map_err(|_| Error::missing_column("rates table", name, df))?;
    let c = c.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

/// The `population` column, checked: numeric, and every value positive and finite (a rate needs
/// residents; a zero, negative, missing or infinite population would give a meaningless
/// "Higher" or "Similar").
fn populations(df: &DataFrame) -> Result<Vec<f64>> {
    let c = column_f64(df, "population", "rates table")?;
    let v: Vec<Option<f64>> = c.iter().collect();
    if let Some((row, bad)) = v
        .iter()
        .enumerate()
        .find(|(_, p)| !p.is_some_and(|p| p.is_finite() && p > 0.0))
    {
        return Err(Error::BadValue {
            source_name: "rates table".into(),
            line: row as u64 + 1,
            column: "population".into(),
            value: bad.map_or_else(|| "null".to_string(), |p| p.to_string()),
            reason: "a population must be a positive, finite number of residents".into(),
        });
    }
    Ok(v.into_iter().flatten().collect())
}

fn benchmark_values(
    df: &DataFrame,
    benchmark: &Benchmark,
    per: f64,
    groups: &[Vec<usize>],
) -> Result<Vec<f64>> {
    let o = f64_column(df, COUNT)?;
    let n = populations(df)?;
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
///
/// `rates` needs `area_code`, `count` and `population` (and the peer-group columns). The
/// intervals are recomputed from `count` at 95% and 99.8% whatever level the table's own
/// limits are at. Every population must be positive and finite.
///
/// # Errors
///
/// - [`Error::InvalidParameter`]: an option out of range ([`PeerSpec::check`]); `keys`
///   reserved or repeated; `counts` when `count` is not numeric.
/// - [`Error::MissingColumn`] for a missing grouping or peer-group column, `count` or
///   `population`.
/// - [`Error::BadValue`] for a missing, negative, fractional or non-finite count, or a null
///   key value.
/// - [`Error::Duplicate`] when two rows share every key value (area, period and grouping
///   columns).
/// - [`Error::InvalidParameter`] when `population` is not numeric; [`Error::BadValue`] for a
///   zero, negative, missing or infinite population (naming the row).
///
/// # Examples
///
/// ```
/// use saferstats::frame::peers::{compare_with_benchmark, Benchmark, PeerSpec};
/// use saferstats::polars::prelude::*;
/// let rates = df!(
///     "area_code" => ["A", "B", "C", "D", "E"], "period" => ["2014"; 5],
///     "count" => [150i64, 100, 95, 105, 50], "population" => [10_000.0; 5],
/// )?;
/// let out = compare_with_benchmark(&rates, &PeerSpec::default())?;
/// // The pooled rate of the five areas is 10 per 1,000.
/// assert_eq!(out.table.column("benchmark")?.f64()?.get(0), Some(10.0));
/// let labels: Vec<&str> = out.table.column("vs_benchmark_99_8")?.str()?.iter().flatten().collect();
/// assert_eq!(labels, ["Higher", "Similar", "Similar", "Similar", "Lower"]);
/// assert_eq!((out.report.groups, out.report.rows), (1, 5));
///
/// // Against a given rate of 12 per 1,000, C (9.5) is lower at 95% but not at 99.8%.
/// let england = PeerSpec { benchmark: Benchmark::Value(12.0), ..PeerSpec::default() };
/// let out = compare_with_benchmark(&rates, &england)?;
/// assert_eq!(out.table.column("vs_benchmark_95")?.str()?.get(2), Some("Lower"));
/// assert_eq!(out.table.column("vs_benchmark_99_8")?.str()?.get(2), Some("Similar"));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// PHE Fingertips technical guidance "Benchmarking" (comparison with a benchmark by
/// confidence-interval overlap at 95% and 99.8%) and "Confidence intervals"; Breslow & Day
/// (1987) for Byar's interval; `docs/methods.md`, "Peers".
pub fn compare_with_benchmark(rates: &DataFrame, spec: &PeerSpec) -> Result<Output<PeerReport>> {
    let (keys, groups) = spec.groups(rates)?;
    let (benchmark, per) = (&spec.benchmark, spec.per);
    let bench = benchmark_values(rates, benchmark, per, &groups)?;
    let o: Vec<f64> = check_counts(rates, COUNT)?.into_no_null_iter().collect();
    let n = populations(rates)?;
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
    Ok(peer_output(out, spec, keys, groups.len()))
}

/// Add funnel limits around the benchmark: `expected` (benchmark × population / per),
/// `funnel_lower_95`, `funnel_upper_95`, `funnel_lower_99_8`, `funnel_upper_99_8` (exact
/// Poisson), the same with the `_od` suffix (over-dispersion adjusted), `funnel_flag`
/// ("High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)", "Not significant", on the
/// exact limits, PHE's labels), `funnel_flag_od`, and the group's `phi` and `tau2`.
///
/// The limits are rates (per `per`). The exact limits are at one-sided tails 0.025 and 0.001
/// of the Poisson distribution of the expected count, by [`PeerSpec::funnel_method`]: PHE's
/// (default, [`crate::stats::funnel::phe_poisson_funnel`]: a count is flagged exactly when
/// P(X ≥ O) or P(X ≤ O) is below the tail, as PHEindicatormethods'
/// `assign_funnel_significance`) or Spiegelhalter's quantiles interpolated between integers
/// ([`crate::stats::funnel::poisson_funnel_counts`], an upper limit about one count lower); the
/// over-dispersion limits are benchmark × exp(±z√(1/E + τ²)), with φ and τ² estimated per
/// peer group from Winsorised (10%/90%) z-scores √E·log(O/E). `phi` is NaN (and `tau2` 0)
/// for a peer group with fewer than two areas with a positive count and expectation. Needs
/// the same columns as [`compare_with_benchmark`].
///
/// # Errors
///
/// As [`compare_with_benchmark`].
///
/// # Examples
///
/// ```
/// use saferstats::frame::peers::{funnel_limits, PeerSpec};
/// use saferstats::polars::prelude::*;
/// use saferstats::stats::funnel::FunnelMethod;
/// let rates = df!(
///     "area_code" => ["A", "B", "C", "D", "E"], "period" => ["2014"; 5],
///     "count" => [150i64, 100, 95, 105, 50], "population" => [10_000.0; 5],
/// )?;
/// let limits_95 = |out: &DataFrame| -> PolarsResult<(f64, f64)> {
///     Ok((out.column("funnel_lower_95")?.f64()?.get(0).unwrap(),
///         out.column("funnel_upper_95")?.f64()?.get(0).unwrap()))
/// };
/// let out = funnel_limits(&rates, &PeerSpec::default())?.table;
/// assert_eq!(out.column("expected")?.f64()?.get(0), Some(100.0)); // 10 per 1,000 x 10,000
/// // PHE's limits: P(X ≤ 80.39) = P(X ≥ 120.56) = 0.025 for X ~ Poisson(100).
/// let (lo, hi) = limits_95(&out)?;
/// assert!((lo - 8.039).abs() < 0.001 && (hi - 12.056).abs() < 0.001);
/// // Spiegelhalter's interpolated quantiles: the upper limit is about one count lower.
/// let spiegelhalter = PeerSpec { funnel_method: FunnelMethod::Spiegelhalter, ..PeerSpec::default() };
/// let (lo, hi) = limits_95(&funnel_limits(&rates, &spiegelhalter)?.table)?;
/// assert!((lo - 8.04).abs() < 0.05 && (hi - 11.96).abs() < 0.05); // about 10 ± 1.96
/// let flags: Vec<&str> = out.column("funnel_flag")?.str()?.iter().flatten().collect();
/// assert_eq!(flags[0], "High (0.001)");
/// assert_eq!(flags[4], "Low (0.001)");
/// // These areas vary more than Poisson chance allows (φ > 1): with the wider
/// // over-dispersion limits, A is no longer an outlier.
/// assert!(out.column("phi")?.f64()?.get(0).unwrap() > 1.0);
/// assert_eq!(out.column("funnel_flag_od")?.str()?.get(0), Some("Not significant"));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Spiegelhalter (2005), "Funnel plots for comparing institutional performance", *Statistics
/// in Medicine* 24(8):1185–1202 (exact limits, interpolation between integers); Spiegelhalter
/// (2005), "Handling over-dispersion of performance indicators", *Quality and Safety in Health
/// Care* 14(5):347–351 (additive random effects, Winsorised z-scores); PHE's funnel limits at
/// 95% and 99.8%; as FunnelPlotR's log-ratio method; `docs/methods.md`, "Peers".
pub fn funnel_limits(rates: &DataFrame, spec: &PeerSpec) -> Result<Output<PeerReport>> {
    let (keys, groups) = spec.groups(rates)?;
    let (benchmark, per) = (&spec.benchmark, spec.per);
    let bench = benchmark_values(rates, benchmark, per, &groups)?;
    let o: Vec<f64> = check_counts(rates, COUNT)?.into_no_null_iter().collect();
    let n = populations(rates)?;
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
        let z = crate::stats::special::normal_quantile(1.0 - tail);
        let mut lo = Vec::with_capacity(h);
        let mut hi = Vec::with_capacity(h);
        let mut lo_od = Vec::with_capacity(h);
        let mut hi_od = Vec::with_capacity(h);
        for i in 0..h {
            let (cl, cu) = funnel_counts(spec.funnel_method, e[i], tail);
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
    Ok(peer_output(out, spec, keys, groups.len()))
}

/// Add `rank` (1 = highest rate; ties share the lowest rank), `peers` (areas in the group),
/// `rank_lower` and `rank_upper` (2.5% and 97.5% quantiles of the rank over `simulations`
/// redraws of every count from Poisson(observed), seeded for reproducibility).
///
/// Rates are compared as count / population; a count of 0 is redrawn as 0. One random
/// stream (PCG64 seeded with [`PeerSpec::seed`]) runs over the peer groups in order of
/// first appearance, so results repeat exactly for the same input, seed and number of
/// simulations. Needs the same columns as [`compare_with_benchmark`].
///
/// # Errors
///
/// As [`compare_with_benchmark`].
///
/// # Examples
///
/// ```
/// use saferstats::frame::peers::{rank_among_peers, PeerSpec};
/// use saferstats::polars::prelude::*;
/// let rates = df!(
///     "area_code" => ["A", "B", "C", "D", "E"], "period" => ["2014"; 5],
///     "count" => [150i64, 100, 95, 105, 50], "population" => [10_000.0; 5],
/// )?;
/// let out = rank_among_peers(&rates, &PeerSpec::default())?.table;
/// let rank: Vec<u32> = out.column("rank")?.u32()?.into_no_null_iter().collect();
/// assert_eq!(rank, [1, 3, 4, 2, 5]);
/// let (lo, hi) = (out.column("rank_lower")?.u32()?, out.column("rank_upper")?.u32()?);
/// // B, C and D are too close to tell apart: each could be 2nd to 4th.
/// assert!(lo.get(1).unwrap() <= 2 && hi.get(1).unwrap() >= 4);
/// assert_eq!((lo.get(0), hi.get(0)), (Some(1), Some(1)));
/// // The same seed gives the same intervals.
/// let again = rank_among_peers(&rates, &PeerSpec::default())?.table;
/// assert!(again.column("rank_upper")?.equals_missing(out.column("rank_upper")?));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Goldstein & Spiegelhalter (1996), "League tables and their limitations: statistical issues
/// in comparisons of institutional performance", *JRSS A* 159(3):385–443 (intervals for
/// ranks); here by parametric bootstrap of Poisson counts; `docs/methods.md`, "Peers".
pub fn rank_among_peers(rates: &DataFrame, spec: &PeerSpec) -> Result<Output<PeerReport>> {
    let (keys, groups) = spec.groups(rates)?;
    let (simulations, seed) = (spec.simulations, spec.seed);
    let o: Vec<f64> = check_counts(rates, COUNT)?.into_no_null_iter().collect();
    let n = populations(rates)?;
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
    Ok(peer_output(out, spec, keys, groups.len()))
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

/// Sum of counts and populations per peer group: the peer (benchmark) rate per row.
pub(crate) fn peer_rates(
    counts: &[f64],
    pops: &[f64],
    groups: &[Vec<usize>],
    per: f64,
) -> Vec<f64> {
    let mut out = vec![f64::NAN; counts.len()];
    for g in groups {
        let o: f64 = g.iter().map(|&i| counts[i]).sum();
        let n: f64 = g.iter().map(|&i| pops[i]).sum();
        for &i in g {
            out[i] = o / n * per;
        }
    }
    out
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
        use crate::stats::funnel::poisson_funnel_counts;
        let (lo, hi) = poisson_funnel_counts(100.0, 0.025);
        // Normal approximation: 100 ± 1.96·10.
        assert!(
            (lo - 80.4).abs() < 1.5 && (hi - 119.6).abs() < 1.5,
            "{lo} {hi}"
        );
    }
}
