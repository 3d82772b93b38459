//! Hotspots and concentration for every group and period at once: area rankings and top-N
//! shares (with the regression-to-the-mean-safe share and a Poisson-null share), the Gini
//! family, persistence in the top N, and per-area tests of a change in share. Getis-Ord Gi*
//! on a regular grid built from police.uk points is in [`crate::frame::grid_hotspots`].
//! Kernels: [`crate::stats::concentration`].
//!
//! **Ties:** areas are ranked by count (descending), then by area code, so the top N never
//! depends on row order; the top-N *share* does not depend on how ties are broken.
//!
//! **Regression to the mean:** picking this period's top N and quoting their share overstates
//! concentration. With a previous period, `share_of_previous_top` gives the share that the
//! previous period's top N hold now; `poisson_null_share` is the share the top N would hold if
//! every area had the same underlying rate (Poisson, same total).
//!
//! ```
//! use saferstats::{counts::{counts, CountSpec}, datasets, geo::geography::Level, period::PeriodKind};
//! use saferstats::frame::hotspots::{hotspots, HotspotSpec};
//! let medway = datasets::medway_2014()?;
//! let c = counts(&medway.crimes.crimes, &medway.geography,
//!                &CountSpec::new(Level::Ward, PeriodKind::CalendarYear).by(["crime_type"]))?;
//! // Areas are ranked within each period and each group the counts declare (crime type).
//! let spec = HotspotSpec { keys: c.report.keys.clone(), ..HotspotSpec::default() };
//! let out = hotspots(&c.table, None, &spec)?;
//! assert_eq!(out.summary.height(), 14); // one row per crime type
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::collections::{HashMap, HashSet};

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::Output;
use crate::frame::table::{check_counts, check_rows_unique, row_groups};
use crate::schema::{AREA_CODE, COUNT, Keys};
use crate::stats::concentration::{
    ShareTest, areas_holding, generalised_gini, generalised_gini_unbiased, gini, gini_unbiased,
    global_similarity, poisson_null_and_baseline_gini, rank_descending, robust_mask,
    share_change_test,
};

/// Options for [`hotspots`] (also used by [`lorenz`] and [`persistence`]).
///
/// Defaults: a top group of 5, no grouping columns. Deserialises with every field optional
/// and unknown fields refused.
///
/// # Examples
///
/// ```
/// use saferstats::frame::hotspots::HotspotSpec;
/// let spec: HotspotSpec = serde_json::from_str(r#"{"top": 10, "keys": ["crime_type"]}"#).unwrap();
/// assert_eq!((spec.top, spec.keys.by.len()), (10, 1));
/// spec.check()?;
/// assert_eq!(HotspotSpec::default().top, 5);
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HotspotSpec {
    /// Size of the top group (default 5).
    pub top: usize,
    /// Grouping columns of the counts table (besides `area_code` and `period`); areas are
    /// ranked within each period and group.
    pub keys: Keys,
    /// Compute `poisson_null_share` and `gini_poisson_baseline` (default true). Their expected
    /// order statistics cost time that grows with the counts (about 0.1 ms a group at a few
    /// hundred crimes per area); `false` leaves both columns null, for when only the observed
    /// shares and Gini coefficients are wanted.
    pub poisson_null: bool,
}

/// Largest `top` accepted (a top group of more areas than any level has is a mistake).
///
/// ```
/// use saferstats::frame::hotspots::{HotspotSpec, MAX_TOP};
/// assert!(HotspotSpec { top: MAX_TOP + 1, ..HotspotSpec::default() }.check().is_err());
/// ```
pub const MAX_TOP: usize = 1_000_000;

impl Default for HotspotSpec {
    fn default() -> Self {
        HotspotSpec {
            top: 5,
            keys: Keys::none(),
            poisson_null: true,
        }
    }
}

impl HotspotSpec {
    /// Check the options: `top` from 1 to [`MAX_TOP`]. [`hotspots`] and [`persistence`] call
    /// it first.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `top`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::frame::hotspots::HotspotSpec;
    /// let none = HotspotSpec { top: 0, ..HotspotSpec::default() };
    /// assert!(matches!(none.check(), Err(saferstats::Error::InvalidParameter { name: "top", .. })));
    /// ```
    pub fn check(&self) -> Result<()> {
        if !(1..=MAX_TOP).contains(&self.top) {
            return Err(Error::param(
                "top",
                format!("must be between 1 and {MAX_TOP}, got {}", self.top),
            ));
        }
        Ok(())
    }
}

/// What a hotspot function ranked.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HotspotReport {
    /// The key columns of the input (kept in the outputs).
    pub keys: Keys,
    /// Columns defining the groups inside which areas are ranked.
    pub within: Vec<String>,
    /// Number of groups.
    pub groups: u64,
    /// Areas ranked (rows of the input).
    pub rows: u64,
}

/// Outputs of [`hotspots`].
#[derive(Debug, Clone)]
pub struct Hotspots {
    /// The input rows (in input order, every column kept) with `rank` (1 = most incidents),
    /// `share` and `cumulative_share` (of the group's total, in rank order; NaN when the
    /// total is 0) and `in_top`.
    pub ranking: DataFrame,
    /// One row per group (`level` when present, then the group columns): `areas`, `total`,
    /// `top`, `top_areas` (codes, in rank order), `top_share`, `share_of_previous_top`,
    /// `poisson_null_share`, `areas_for_25`, `fraction_for_25`, `areas_for_50`,
    /// `fraction_for_50`, `gini`, `gini_unbiased`, `gini_generalised`,
    /// `gini_generalised_unbiased`, `gini_poisson_baseline` (null where undefined, e.g. a
    /// total of 0).
    pub summary: DataFrame,
    /// Keys and groups.
    pub report: HotspotReport,
}

fn hotspot_report(
    df: &DataFrame,
    keys: &Keys,
    within: Vec<String>,
    groups: usize,
) -> HotspotReport {
    HotspotReport {
        keys: keys.clone(),
        within,
        groups: groups as u64,
        rows: df.height() as u64,
    }
}

fn area_codes(df: &DataFrame) -> Result<Vec<String>> {
    Ok(df
        .column(AREA_CODE)
        .map_err(|_| Error::missing_column("counts", AREA_CODE, df))?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|s| s.unwrap_or("").to_string())
        .collect())
}

/// Rankings and concentration per group (see the module docs). `previous` is the counts
/// table of the previous period, with the same keys; when given, each group gets
/// `share_of_previous_top`: the share held now by the areas that were top N then, matched on
/// the keys other than `period`. Give `previous` one period: its rows are ranked within each
/// group of the keys other than `period`, so several periods would be ranked together.
///
/// Groups are the rows sharing `period` (when the table has one) and the grouping columns
/// ([`Keys::within`]); see [`Hotspots`] for the columns.
///
/// # Errors
///
/// - [`Error::InvalidParameter`]: `top` out of range ([`HotspotSpec::check`]); `keys`
///   reserved or repeated; `counts` when `count` is not numeric.
/// - [`Error::MissingColumn`] for a missing grouping column, `count` or `area_code` (in
///   `counts` or `previous`).
/// - [`Error::BadValue`] for a missing, negative, fractional or non-finite count, or a null
///   key value in `counts`.
/// - [`Error::Duplicate`] when two rows of `counts` share every key value (area, period and
///   grouping columns).
///
/// # Examples
///
/// ```
/// use saferstats::frame::hotspots::{hotspots, HotspotSpec};
/// use saferstats::polars::prelude::*;
/// let now = df!("area_code" => ["A", "B", "C", "D", "E"], "period" => ["2014"; 5],
///               "count" => [50i64, 20, 15, 10, 5])?;
/// let before = df!("area_code" => ["A", "B", "C", "D", "E"], "period" => ["2013"; 5],
///                  "count" => [40i64, 10, 30, 10, 10])?;
/// let spec = HotspotSpec { top: 2, ..HotspotSpec::default() };
/// let out = hotspots(&now, Some(&before), &spec)?;
/// let s = &out.summary;
/// assert_eq!(s.column("top_areas")?.str()?.get(0), Some("A, B"));
/// assert_eq!(s.column("top_share")?.f64()?.get(0), Some(0.7));
/// // Last year's top two (A and C) hold 65% now: the regression-to-the-mean-safe figure.
/// let prev = s.column("share_of_previous_top")?.f64()?.get(0).unwrap();
/// assert!((prev - 0.65).abs() < 1e-12);
/// // Two of five areas would hold about 47% by chance alone.
/// let null = s.column("poisson_null_share")?.f64()?.get(0).unwrap();
/// assert!(null > 0.4 && null < 0.5);
/// let gini = s.column("gini")?.f64()?.get(0).unwrap();
/// assert!((gini - 0.4).abs() < 1e-12);
/// let rank: Vec<u32> = out.ranking.column("rank")?.u32()?.into_no_null_iter().collect();
/// assert_eq!(rank, [1, 2, 3, 4, 5]);
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Weisburd (2015), "The law of crime concentration and the criminology of place",
/// *Criminology* 53(2):133–157 (top-N shares, areas holding 25% and 50%); Bernasco &
/// Steenbeek (2017), "More places than crimes: implications for evaluating the law of crime
/// concentration at place", *J. Quant. Criminol.* 33:451–467 (generalised Gini); R
/// `DescTools::Gini` and `lorenzgini`; safer-streets-core (Poisson-baseline Gini);
/// `docs/methods.md`, "Hotspots and concentration".
pub fn hotspots(
    counts: &DataFrame,
    previous: Option<&DataFrame>,
    spec: &HotspotSpec,
) -> Result<Hotspots> {
    spec.check()?;
    check_rows_unique(counts, &spec.keys, "counts")?;
    let y: Vec<f64> = check_counts(counts, COUNT)?.into_no_null_iter().collect();
    let codes = area_codes(counts)?;
    let keys = spec.keys.within(counts);
    let groups = row_groups(counts, &keys)?;
    let n_rows = y.len();
    let mut rank = vec![0u32; n_rows];
    let mut share = vec![f64::NAN; n_rows];
    let mut cum = vec![f64::NAN; n_rows];
    let mut in_top = vec![false; n_rows];

    // Previous top N per group key without the period: key text -> area codes.
    let prev_tops: HashMap<String, Vec<String>> = match previous {
        Some(prev) => {
            let pk: Vec<String> = keys.iter().filter(|k| *k != "period").cloned().collect();
            let py: Vec<f64> = check_counts(prev, COUNT)?.into_no_null_iter().collect();
            let pcodes = area_codes(prev)?;
            let pgroups = row_groups(prev, &pk)?;
            let mut out = HashMap::new();
            for g in &pgroups {
                let c: Vec<f64> = g.iter().map(|&i| py[i]).collect();
                let k: Vec<&str> = g.iter().map(|&i| pcodes[i].as_str()).collect();
                let order = rank_descending(&c, &k);
                let top: Vec<String> = order
                    .iter()
                    .take(spec.top)
                    .map(|&j| k[j].to_string())
                    .collect();
                out.insert(key_text(prev, &pk, g[0])?, top);
            }
            out
        }
        None => HashMap::new(),
    };
    let pk: Vec<String> = keys.iter().filter(|k| *k != "period").cloned().collect();

    let mut first_rows: Vec<IdxSize> = Vec::new();
    let (mut areas, mut totals, mut top_shares, mut prev_shares, mut null_shares) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut a25, mut f25, mut a50, mut f50) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut g0, mut g1, mut g2, mut g3, mut g4) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut top_names = Vec::new();
    // The Poisson null share and the baseline Gini share one set of expected order statistics
    // (the costly part, growing with the counts): computed once per group, groups in parallel.
    let group_counts: Vec<Vec<f64>> = groups
        .iter()
        .map(|g| g.iter().map(|&i| y[i]).collect())
        .collect();
    let nulls: Vec<(f64, f64)> = group_counts
        .par_iter()
        .map(|c| {
            if spec.poisson_null {
                poisson_null_and_baseline_gini(c, spec.top)
            } else {
                (f64::NAN, f64::NAN)
            }
        })
        .collect();
    for ((g, c), &(null_share, baseline_gini)) in groups.iter().zip(&group_counts).zip(&nulls) {
        let k: Vec<&str> = g.iter().map(|&i| codes[i].as_str()).collect();
        let total: f64 = c.iter().sum();
        let order = rank_descending(c, &k);
        let mut running = 0.0;
        for (pos, &j) in order.iter().enumerate() {
            let i = g[j];
            running += c[j];
            rank[i] = pos as u32 + 1;
            share[i] = if total > 0.0 { c[j] / total } else { f64::NAN };
            cum[i] = if total > 0.0 {
                running / total
            } else {
                f64::NAN
            };
            in_top[i] = pos < spec.top;
        }
        let top_sum: f64 = order.iter().take(spec.top).map(|&j| c[j]).sum();
        first_rows.push(g[0] as IdxSize);
        areas.push(g.len() as u32);
        totals.push(total);
        top_shares.push((total > 0.0).then(|| top_sum / total));
        top_names.push(
            order
                .iter()
                .take(spec.top)
                .map(|&j| k[j].to_string())
                .collect::<Vec<_>>()
                .join(", "),
        );
        let prev_share = prev_tops.get(&key_text(counts, &pk, g[0])?).map(|tops| {
            let held: f64 = g
                .iter()
                .zip(c)
                .filter(|(i, _)| tops.contains(&codes[**i]))
                .map(|(_, v)| *v)
                .sum();
            held / total
        });
        prev_shares.push(prev_share.filter(|v| v.is_finite()));
        null_shares.push((total > 0.0 && null_share.is_finite()).then_some(null_share));
        let t = areas_holding(c);
        let finite = |v: f64| v.is_finite().then_some(v);
        a25.push(finite(t.areas_for_25));
        f25.push(finite(t.fraction_for_25));
        a50.push(finite(t.areas_for_50));
        f50.push(finite(t.fraction_for_50));
        g0.push(finite(gini(c)));
        g1.push(finite(gini_unbiased(c)));
        g2.push(finite(generalised_gini(c)));
        g3.push(finite(generalised_gini_unbiased(c)));
        g4.push(finite(baseline_gini));
    }
    let mut ranking = counts.clone();
    for c in [
        Column::new("rank".into(), rank),
        Column::new("share".into(), share),
        Column::new("cumulative_share".into(), cum),
        Column::new("in_top".into(), in_top),
    ] {
        ranking.with_column(c)?;
    }
    let idx = IdxCa::from_vec("idx".into(), first_rows);
    let keep: Vec<&str> = ["level"]
        .into_iter()
        .filter(|c| counts.schema().contains(c))
        .chain(keys.iter().map(String::as_str))
        .collect();
    let mut summary = counts.select(keep)?.take(&idx)?;
    let n = areas.len();
    for c in [
        Column::new("areas".into(), areas),
        Column::new("total".into(), totals),
        Column::new("top".into(), vec![spec.top as u32; n]),
        Column::new("top_areas".into(), top_names),
        Column::new("top_share".into(), top_shares),
        Column::new("share_of_previous_top".into(), prev_shares),
        Column::new("poisson_null_share".into(), null_shares),
        Column::new("areas_for_25".into(), a25),
        Column::new("fraction_for_25".into(), f25),
        Column::new("areas_for_50".into(), a50),
        Column::new("fraction_for_50".into(), f50),
        Column::new("gini".into(), g0),
        Column::new("gini_unbiased".into(), g1),
        Column::new("gini_generalised".into(), g2),
        Column::new("gini_generalised_unbiased".into(), g3),
        Column::new("gini_poisson_baseline".into(), g4),
    ] {
        summary.with_column(c)?;
    }
    let report = hotspot_report(counts, &spec.keys, keys, groups.len());
    Ok(Hotspots {
        ranking,
        summary,
        report,
    })
}

/// Lorenz curve points for every group of a counts table: one row per group and point with
/// `area_share` (cumulative share of areas, quietest first) and `incident_share` (cumulative
/// share of incidents), starting at (0, 0). See [`crate::stats::concentration::lorenz_curve`].
///
/// Groups are as in [`hotspots`]; only the group columns are kept. `spec.top` is not used. A
/// group whose counts total 0 has no points.
///
/// # Errors
///
/// [`Error::InvalidParameter`] (`keys` reserved or repeated; `counts` when `count` is not
/// numeric); [`Error::MissingColumn`] for a missing grouping column, `count` or `area_code`;
/// [`Error::BadValue`] for a bad count or a null key value; [`Error::Duplicate`] when two rows
/// share every key value.
///
/// # Examples
///
/// ```
/// use saferstats::frame::hotspots::{lorenz, HotspotSpec};
/// use saferstats::polars::prelude::*;
/// let t = df!("area_code" => ["A", "B", "C", "D", "E"], "period" => ["2014"; 5],
///             "count" => [50i64, 20, 15, 10, 5])?;
/// let out = lorenz(&t, &HotspotSpec::default())?.table;
/// assert_eq!(out.height(), 6); // (0, 0) and one point per area
/// let y: Vec<f64> = out.column("incident_share")?.f64()?.into_no_null_iter().collect();
/// assert_eq!(y[1], 0.05); // the quietest fifth of areas has 5% of incidents
/// assert_eq!(y[5], 1.0);
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Lorenz (1905), "Methods of measuring the concentration of wealth", *Publications of the
/// American Statistical Association* 9(70):209–219; as R `DescTools::Lc`.
pub fn lorenz(counts: &DataFrame, spec: &HotspotSpec) -> Result<Output<HotspotReport>> {
    check_rows_unique(counts, &spec.keys, "counts")?;
    let y: Vec<f64> = check_counts(counts, COUNT)?.into_no_null_iter().collect();
    let keys = spec.keys.within(counts);
    let groups = row_groups(counts, &keys)?;
    let (mut rows, mut xs, mut ys) = (Vec::new(), Vec::new(), Vec::new());
    for g in &groups {
        let c: Vec<f64> = g.iter().map(|&i| y[i]).collect();
        for (x, share) in crate::stats::concentration::lorenz_curve(&c) {
            rows.push(g[0] as IdxSize);
            xs.push(x);
            ys.push(share);
        }
    }
    let keep: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut out = counts
        .select(keep)?
        .take(&IdxCa::from_vec("idx".into(), rows))?;
    out.with_column(Column::new("area_share".into(), xs))?;
    out.with_column(Column::new("incident_share".into(), ys))?;
    let report = hotspot_report(counts, &spec.keys, keys, groups.len());
    Ok(Output { table: out, report })
}

fn key_text(df: &DataFrame, keys: &[String], row: usize) -> Result<String> {
    let mut parts = Vec::with_capacity(keys.len());
    for k in keys {
        let c = df
            .column(k)
            .map_err(|_| Error::missing_column("previous counts", k, df))?;
        parts.push(format!("{}", c.get(row)?));
    }
    Ok(parts.join("\u{1f}"))
}

/// How often each area is in the top N over the periods of a counts table: one row per area
/// and group (keys other than `period`) with `periods`, `periods_in_top`, `fraction_in_top`.
///
/// The top N of each period and group are those of [`hotspots`]; the rows (with `area_name`
/// when present) are sorted by `periods_in_top`, most first, ties in order of first
/// appearance. The report's `within` is the grouping columns and its `groups` the number of
/// rows.
///
/// # Errors
///
/// As [`hotspots`].
///
/// # Examples
///
/// ```
/// use saferstats::frame::hotspots::{persistence, HotspotSpec};
/// use saferstats::polars::prelude::*;
/// let t = df!(
///     "area_code" => ["A", "B", "C", "A", "B", "C"],
///     "period" => ["2013", "2013", "2013", "2014", "2014", "2014"],
///     "count" => [40i64, 10, 30, 50, 20, 15],
/// )?;
/// let out = persistence(&t, &HotspotSpec { top: 1, ..HotspotSpec::default() })?.table;
/// assert_eq!(out.column("area_code")?.str()?.get(0), Some("A")); // top in both years
/// assert_eq!(out.column("periods_in_top")?.u32()?.get(0), Some(2));
/// assert_eq!(out.column("fraction_in_top")?.f64()?.get(1), Some(0.0));
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn persistence(counts: &DataFrame, spec: &HotspotSpec) -> Result<Output<HotspotReport>> {
    let h = hotspots(counts, None, spec)?;
    let keys: Vec<String> = spec.keys.by.clone();
    let mut report = h.report.clone();
    report.within = keys.clone();
    let mut by: Vec<Expr> = vec![col(AREA_CODE)];
    if counts.schema().contains("area_name") {
        by.push(col("area_name"));
    }
    by.extend(keys.iter().map(|k| col(k.as_str())));
    let table = h
        .ranking
        .lazy()
        .group_by_stable(by)
        .agg([
            len().cast(DataType::UInt32).alias("periods"),
            col("in_top")
                .cast(DataType::UInt32)
                .sum()
                .alias("periods_in_top"),
        ])
        .with_column(
            (col("periods_in_top").cast(DataType::Float64)
                / col("periods").cast(DataType::Float64))
            .alias("fraction_in_top"),
        )
        .sort(
            ["periods_in_top"],
            SortMultipleOptions::default()
                .with_order_descending(true)
                .with_maintain_order(true),
        )
        .collect()?;
    report.groups = table.height() as u64;
    Ok(Output { table, report })
}

/// Options for [`share_change`].
///
/// Defaults: no grouping columns, the N − 1 χ² test. Deserialises with every field optional
/// (`test` as a word: `"chi2"` or `"fisher"`) and unknown fields refused.
///
/// # Examples
///
/// ```
/// use saferstats::frame::hotspots::ShareChangeSpec;
/// use saferstats::stats::concentration::ShareTest;
/// let spec: ShareChangeSpec = serde_json::from_str(r#"{"test": "fisher"}"#).unwrap();
/// assert_eq!(spec.test, ShareTest::Fisher);
/// assert_eq!(ShareChangeSpec::default().test, ShareTest::ChiSquaredNMinus1);
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShareChangeSpec {
    /// Grouping columns of both counts tables (besides `area_code` and `period`).
    pub keys: Keys,
    /// The per-area test (default: χ² with the N−1 correction).
    pub test: ShareTest,
}

impl Default for ShareChangeSpec {
    fn default() -> Self {
        ShareChangeSpec {
            keys: Keys::none(),
            test: ShareTest::ChiSquaredNMinus1,
        }
    }
}

/// Per-area test of a change in share between two counts tables (same areas and groups;
/// `before` and `after` are matched on the keys other than `period`): the `sppt_diff`
/// approach (Wheeler, Steenbeek & Andresen 2018), 2x2 χ² with the N−1 correction or Fisher's
/// exact test, p-values adjusted with Benjamini-Yekutieli within each group. Adds
/// `count_before`, `share_before`, `share_after`, `test_statistic`, `p_value`, `p_adjusted`,
/// `s_index` (+1 share rose, −1 fell, 0 no significant change at 0.05) and the group's
/// `similarity` (robust global S: mean of 1 − |s| over areas with incidents in either period).
///
/// The output is `after` (every column kept, in its row order) with those columns and a
/// `method` label. Groups are the grouping columns only, so give each table one period
/// (rows of `before` for one area and group in several periods are summed). An area of
/// `after` missing from `before` is an error, and so is an area of `before` missing from
/// `after` (never silently left out: give an area without crimes a count of 0).
///
/// # Errors
///
/// - [`Error::InvalidParameter`]: `keys` reserved or repeated; `before` when an area of
///   `after` is not in `before`; `counts` when `count` is not numeric.
/// - [`Error::MissingColumn`] for a missing grouping column, `count` or `area_code`.
/// - [`Error::BadValue`] for a missing, negative, fractional or non-finite count, a null
///   key value, or an area of `before` missing from `after`.
/// - [`Error::Duplicate`] when two rows of one table share every key value.
///
/// # Examples
///
/// ```
/// use saferstats::frame::hotspots::{share_change, ShareChangeSpec};
/// use saferstats::polars::prelude::*;
/// let before = df!("area_code" => ["A", "B", "C", "D", "E"], "count" => [40i64, 10, 30, 10, 10])?;
/// let after = df!("area_code" => ["A", "B", "C", "D", "E"], "count" => [50i64, 20, 15, 10, 5])?;
/// let out = share_change(&before, &after, &ShareChangeSpec::default())?.table;
/// let p: Vec<f64> = out.column("p_value")?.f64()?.into_no_null_iter().collect();
/// assert!(p[2] < 0.05); // C's share fell from 30% to 15% ...
/// let p_adj = out.column("p_adjusted")?.f64()?.get(2).unwrap();
/// assert!(p_adj > 0.05); // ... but not after adjusting for five tests
/// let s: Vec<i8> = out.column("s_index")?.i8()?.into_no_null_iter().collect();
/// assert_eq!(s, [0, 0, 0, 0, 0]);
/// assert_eq!(out.column("similarity")?.f64()?.get(0), Some(1.0));
/// // Every area of the later table must be in the earlier one, and the other way round.
/// let new_area = df!("area_code" => ["F"], "count" => [1i64])?;
/// assert!(share_change(&before, &new_area, &ShareChangeSpec::default()).is_err());
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Wheeler, Steenbeek & Andresen (2018), "Testing for similarity in area-based spatial
/// patterns: alternative methods to Andresen's spatial point pattern test", *Transactions in
/// GIS* 22(3):760–774; R `sppt::sppt_diff`; Campbell (2007), *Statistics in Medicine*
/// 26(19):3661–3675 (the N − 1 χ²); Benjamini & Yekutieli (2001), *Annals of Statistics*
/// 29(4):1165–1188; `docs/methods.md`, "Hotspots and concentration".
pub fn share_change(
    before: &DataFrame,
    after: &DataFrame,
    spec: &ShareChangeSpec,
) -> Result<Output<HotspotReport>> {
    check_rows_unique(before, &spec.keys, "before")?;
    check_rows_unique(after, &spec.keys, "after")?;
    let test = spec.test;
    let keys: Vec<String> = spec.keys.by.clone();
    let b_codes = area_codes(before)?;
    let b_y: Vec<f64> = check_counts(before, COUNT)?.into_no_null_iter().collect();
    let mut b_map: HashMap<(String, String), f64> = HashMap::new();
    for i in 0..before.height() {
        *b_map
            .entry((key_text(before, &keys, i)?, b_codes[i].clone()))
            .or_default() += b_y[i];
    }
    let a_codes = area_codes(after)?;
    let a_y: Vec<f64> = check_counts(after, COUNT)?.into_no_null_iter().collect();
    // The reverse of the check below: an area left out of the later table would silently leave
    // the comparison, so it must be there (with a count of 0 if it had no crimes).
    let mut in_after: HashSet<(String, &str)> = HashSet::with_capacity(after.height());
    for (i, code) in a_codes.iter().enumerate() {
        in_after.insert((key_text(after, &keys, i)?, code.as_str()));
    }
    for (i, code) in b_codes.iter().enumerate() {
        if !in_after.contains(&(key_text(before, &keys, i)?, code.as_str())) {
            return Err(Error::BadValue {
                source_name: "after".into(),
                line: i as u64 + 1,
                column: AREA_CODE.into(),
                value: code.clone(),
                reason: "area of the earlier table missing from the later one (give it a \
                         count of 0 if it had no crimes)"
                    .into(),
            });
        }
    }
    let groups = row_groups(after, &keys)?;
    let h = after.height();
    let mut count_before = vec![0.0; h];
    let (mut sb, mut sa, mut st, mut p, mut pa, mut s, mut sim) = (
        vec![f64::NAN; h],
        vec![f64::NAN; h],
        vec![f64::NAN; h],
        vec![f64::NAN; h],
        vec![f64::NAN; h],
        vec![0i8; h],
        vec![f64::NAN; h],
    );
    for g in &groups {
        let key = key_text(after, &keys, g[0])?;
        let mut bv = Vec::with_capacity(g.len());
        for &i in g {
            let v = b_map
                .get(&(key.clone(), a_codes[i].clone()))
                .copied()
                .ok_or_else(|| {
                    Error::param(
                        "before",
                        format!(
                            "area {} is in the later table but not the earlier one",
                            a_codes[i]
                        ),
                    )
                })?;
            count_before[i] = v;
            bv.push(v as u64);
        }
        let av: Vec<u64> = g.iter().map(|&i| a_y[i] as u64).collect();
        let res = share_change_test(&bv, &av, test);
        let mask = robust_mask(&bv, &av);
        let similarity = global_similarity(&res, Some(&mask));
        for (k, &i) in g.iter().enumerate() {
            sb[i] = res[k].share_before;
            sa[i] = res[k].share_after;
            st[i] = res[k].statistic;
            p[i] = res[k].p_value;
            pa[i] = res[k].p_adjusted;
            s[i] = res[k].s_index;
            sim[i] = similarity;
        }
    }
    let opt = |v: Vec<f64>| -> Vec<Option<f64>> {
        v.into_iter().map(|x| x.is_finite().then_some(x)).collect()
    };
    let mut out = after.clone();
    for c in [
        Column::new("count_before".into(), count_before),
        Column::new("share_before".into(), opt(sb)),
        Column::new("share_after".into(), opt(sa)),
        Column::new("test_statistic".into(), opt(st)),
        Column::new("p_value".into(), opt(p)),
        Column::new("p_adjusted".into(), opt(pa)),
        Column::new("s_index".into(), s),
        Column::new("similarity".into(), opt(sim)),
        Column::new(
            "method".into(),
            vec![
                match test {
                    ShareTest::ChiSquaredNMinus1 => "chi2 N-1, BY-adjusted",
                    ShareTest::Fisher => "Fisher exact, BY-adjusted",
                };
                h
            ],
        ),
    ] {
        out.with_column(c)?;
    }
    let report = hotspot_report(after, &spec.keys, keys, groups.len());
    Ok(Output { table: out, report })
}
