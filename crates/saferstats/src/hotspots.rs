//! Hotspots and concentration for every group and period at once: area rankings and top-N
//! shares (with the regression-to-the-mean-safe share and a Poisson-null share), the Gini
//! family, persistence in the top N, per-area tests of a change in share, and Getis-Ord Gi*
//! on a regular grid built from police.uk points. Kernels: [`crate::concentration`],
//! [`crate::gistar`], [`crate::bng`].
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
//! use saferstats::{counts::{counts, CountSpec}, datasets, geography::Level, period::PeriodKind};
//! use saferstats::hotspots::{hotspots, HotspotSpec};
//! let medway = datasets::medway_2014()?;
//! let (t, _) = counts(&medway.crimes.crimes, &medway.geography,
//!                     &CountSpec::new(Level::Ward, PeriodKind::CalendarYear).by(["crime_type"]))?;
//! let out = hotspots(&t, None, &HotspotSpec::default())?;
//! assert_eq!(out.summary.height(), 14); // one row per crime type
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::collections::HashMap;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::bng::to_bng;
use crate::concentration::{
    ShareTest, areas_holding, benjamini_hochberg, benjamini_yekutieli, generalised_gini,
    generalised_gini_unbiased, gini, gini_unbiased, global_similarity, poisson_baseline_gini,
    poisson_null_top_n_share, rank_descending, robust_mask, share_change_test,
};
use crate::counts::{AREA_CODE, COUNT, key_columns};
use crate::error::{Error, Result};
use crate::gistar::{
    count_points, distance_band_neighbours, gi_star, gi_star_p_values, grid_for, queen_neighbours,
};
use crate::rates::{check_counts, row_groups};

/// Options for [`hotspots`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HotspotSpec {
    /// Size of the top group (default 5).
    pub top: usize,
    /// Group keys (default: every column except the area, the count and period metadata
    /// other than `period`).
    pub keys: Option<Vec<String>>,
}

impl Default for HotspotSpec {
    fn default() -> Self {
        HotspotSpec { top: 5, keys: None }
    }
}

/// Outputs of [`hotspots`].
#[derive(Debug, Clone)]
pub struct Hotspots {
    /// One row per group and area: `rank`, `share`, `cumulative_share`, `in_top`.
    pub ranking: DataFrame,
    /// One row per group: totals, top-N shares, thresholds and the Gini family.
    pub summary: DataFrame,
}

fn group_keys(df: &DataFrame, keys: &Option<Vec<String>>) -> Vec<String> {
    keys.clone()
        .unwrap_or_else(|| key_columns(df, &[AREA_CODE]))
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
/// table of the previous period(s), with the same keys except `period`; when given, each group
/// gets `share_of_previous_top`: the share held now by the areas that were top N then (matched
/// on the keys other than `period`, and the latest previous period before this one).
pub fn hotspots(
    counts: &DataFrame,
    previous: Option<&DataFrame>,
    spec: &HotspotSpec,
) -> Result<Hotspots> {
    if spec.top == 0 {
        return Err(Error::param("top", "must be at least 1"));
    }
    let y: Vec<f64> = check_counts(counts, COUNT)?.into_no_null_iter().collect();
    let codes = area_codes(counts)?;
    let keys = group_keys(counts, &spec.keys);
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
    for g in &groups {
        let c: Vec<f64> = g.iter().map(|&i| y[i]).collect();
        let k: Vec<&str> = g.iter().map(|&i| codes[i].as_str()).collect();
        let total: f64 = c.iter().sum();
        let order = rank_descending(&c, &k);
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
                .zip(&c)
                .filter(|(i, _)| tops.contains(&codes[**i]))
                .map(|(_, v)| *v)
                .sum();
            held / total
        });
        prev_shares.push(prev_share.filter(|v| v.is_finite()));
        null_shares
            .push((total > 0.0).then(|| poisson_null_top_n_share(total as u64, g.len(), spec.top)));
        let t = areas_holding(&c);
        let finite = |v: f64| v.is_finite().then_some(v);
        a25.push(finite(t.areas_for_25));
        f25.push(finite(t.fraction_for_25));
        a50.push(finite(t.areas_for_50));
        f50.push(finite(t.fraction_for_50));
        g0.push(finite(gini(&c)));
        g1.push(finite(gini_unbiased(&c)));
        g2.push(finite(generalised_gini(&c)));
        g3.push(finite(generalised_gini_unbiased(&c)));
        g4.push(finite(poisson_baseline_gini(&c)));
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
    Ok(Hotspots { ranking, summary })
}

/// Lorenz curve points for every group of a counts table: one row per group and point with
/// `area_share` (cumulative share of areas, quietest first) and `incident_share` (cumulative
/// share of incidents), starting at (0, 0). See [`crate::concentration::lorenz_curve`].
pub fn lorenz(counts: &DataFrame, keys: Option<Vec<String>>) -> Result<DataFrame> {
    let y: Vec<f64> = check_counts(counts, COUNT)?.into_no_null_iter().collect();
    let keys = group_keys(counts, &keys);
    let groups = row_groups(counts, &keys)?;
    let (mut rows, mut xs, mut ys) = (Vec::new(), Vec::new(), Vec::new());
    for g in &groups {
        let c: Vec<f64> = g.iter().map(|&i| y[i]).collect();
        for (x, share) in crate::concentration::lorenz_curve(&c) {
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
    Ok(out)
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
pub fn persistence(counts: &DataFrame, spec: &HotspotSpec) -> Result<DataFrame> {
    let h = hotspots(counts, None, spec)?;
    let keys: Vec<String> = group_keys(counts, &spec.keys)
        .into_iter()
        .filter(|k| k != "period")
        .collect();
    let mut by: Vec<Expr> = vec![col(AREA_CODE)];
    if counts.schema().contains("area_name") {
        by.push(col("area_name"));
    }
    by.extend(keys.iter().map(|k| col(k.as_str())));
    Ok(h.ranking
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
        .collect()?)
}

/// Per-area test of a change in share between two counts tables (same areas and groups;
/// `before` and `after` are matched on the keys other than `period`): the `sppt_diff`
/// approach (Wheeler, Steenbeek & Andresen 2018), 2x2 χ² with the N−1 correction or Fisher's
/// exact test, p-values adjusted with Benjamini-Yekutieli within each group. Adds
/// `count_before`, `share_before`, `share_after`, `statistic`, `p_value`, `p_adjusted`,
/// `s_index` (+1 share rose, −1 fell, 0 no significant change at 0.05) and the group's
/// `similarity` (robust global S: mean of 1 − |s| over areas with incidents in either period).
pub fn share_change(before: &DataFrame, after: &DataFrame, test: ShareTest) -> Result<DataFrame> {
    let keys: Vec<String> = group_keys(after, &None)
        .into_iter()
        .filter(|k| k != "period")
        .collect();
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
        Column::new("statistic".into(), opt(st)),
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
    Ok(out)
}

/// Neighbourhood for Gi* on a grid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Neighbours {
    /// The cell and its eight neighbours (sfhotspot's default, distance cell·√2).
    Queen,
    /// Cells whose centres are within this many metres (self included).
    DistanceBand(f64),
}

/// False-discovery-rate adjustment of Gi* p-values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FdrAdjust {
    /// No adjustment.
    None,
    /// Benjamini-Hochberg.
    BenjaminiHochberg,
    /// Benjamini-Yekutieli (valid under any dependence).
    BenjaminiYekutieli,
}

/// Options for [`grid_hotspots`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GridSpec {
    /// Cell size in metres (British National Grid).
    pub cell_size: f64,
    /// Neighbourhood.
    pub neighbours: Neighbours,
    /// p-value adjustment.
    pub fdr: FdrAdjust,
    /// Refuse grids larger than this many cells (checked before allocating).
    pub max_cells: usize,
}

impl Default for GridSpec {
    fn default() -> Self {
        GridSpec {
            cell_size: 250.0,
            neighbours: Neighbours::Queen,
            fdr: FdrAdjust::None,
            max_cells: 2_000_000,
        }
    }
}

/// Where the points went.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GridReport {
    /// Rows in the input.
    pub rows_in: u64,
    /// Points placed on the grid.
    pub points_used: u64,
    /// Rows without coordinates (police.uk "No Location").
    pub without_coordinates: u64,
    /// Rows whose coordinates fall outside Great Britain.
    pub outside_great_britain: u64,
    /// Grid size.
    pub columns: u64,
    pub rows: u64,
}

/// Getis-Ord Gi* on a regular British National Grid from police.uk longitudes and latitudes.
///
/// Points are projected to EPSG:27700 (Helmert + Transverse Mercator, ~5 m, see
/// [`crate::bng`]), counted into square cells covering their extent, and Gi* z-scores (binary
/// weights, self included) computed with two-sided p-values, optionally FDR-adjusted.
/// police.uk snaps every crime to one of ~750,000 anonymous map points, so cell counts near
/// snap points are partly an artefact; prefer cells of 200 m or more.
///
/// Output: one row per cell with `cell_x`, `cell_y` (indices), `easting`, `northing` (cell
/// centre), `count`, `gi_star` (z), `p_value`, `p_adjusted`, `hotspot` ("hot", "cold" or
/// null at 0.05 on the adjusted p-value).
pub fn grid_hotspots(crimes: &DataFrame, spec: &GridSpec) -> Result<(DataFrame, GridReport)> {
    if !(spec.cell_size.is_finite() && spec.cell_size > 0.0) {
        return Err(Error::param(
            "cell_size",
            format!(
                "must be a positive number of metres, got {}",
                spec.cell_size
            ),
        ));
    }
    let lon = crimes
        .column("longitude")
        .map_err(|_| Error::missing_column("crimes", "longitude", crimes))?;
    let lat = crimes
        .column("latitude")
        .map_err(|_| Error::missing_column("crimes", "latitude", crimes))?;
    let lon = lon.cast(&DataType::Float64)?;
    let lat = lat.cast(&DataType::Float64)?;
    let mut report = GridReport {
        rows_in: crimes.height() as u64,
        ..GridReport::default()
    };
    let mut points = Vec::with_capacity(crimes.height());
    for (x, y) in lon.f64()?.iter().zip(lat.f64()?.iter()) {
        match (x, y) {
            (Some(x), Some(y)) => match to_bng(x, y) {
                Some(p) => points.push(p),
                None => report.outside_great_britain += 1,
            },
            _ => report.without_coordinates += 1,
        }
    }
    report.points_used = points.len() as u64;
    if points.is_empty() {
        return Err(Error::InsufficientPeriods {
            what: "grid hotspots".into(),
            reason: format!(
                "no points with coordinates in Great Britain ({} without coordinates, {} outside)",
                report.without_coordinates, report.outside_great_britain
            ),
        });
    }
    let grid = grid_for(&points, spec.cell_size, spec.max_cells)
        .map_err(|reason| Error::param("cell_size", reason))?;
    report.columns = grid.nx as u64;
    report.rows = grid.ny as u64;
    let counts = count_points(&grid, &points);
    let neighbours = match spec.neighbours {
        Neighbours::Queen => queen_neighbours(&grid),
        Neighbours::DistanceBand(d) => {
            if !(d.is_finite() && d > 0.0) {
                return Err(Error::param(
                    "neighbours",
                    format!("distance band must be > 0, got {d}"),
                ));
            }
            let centres: Vec<(f64, f64)> = (0..grid.n_cells()).map(|i| grid.centre(i)).collect();
            distance_band_neighbours(&centres, d)
        }
    };
    let z = gi_star(&counts, &neighbours);
    let p = gi_star_p_values(&z);
    let p_adj = match spec.fdr {
        FdrAdjust::None => p.clone(),
        FdrAdjust::BenjaminiHochberg => benjamini_hochberg(&p),
        FdrAdjust::BenjaminiYekutieli => benjamini_yekutieli(&p),
    };
    let n = counts.len();
    let (mut cx, mut cy, mut e, mut nn) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for i in 0..n {
        cx.push((i % grid.nx) as u32);
        cy.push((i / grid.nx) as u32);
        let (x, y) = grid.centre(i);
        e.push(x);
        nn.push(y);
    }
    let hot: Vec<Option<&str>> = z
        .iter()
        .zip(&p_adj)
        .map(|(z, p)| match (z, p) {
            (z, p) if *p < 0.05 && *z > 0.0 => Some("hot"),
            (z, p) if *p < 0.05 && *z < 0.0 => Some("cold"),
            _ => None,
        })
        .collect();
    let opt = |v: Vec<f64>| -> Vec<Option<f64>> {
        v.into_iter().map(|x| x.is_finite().then_some(x)).collect()
    };
    let table = DataFrame::new(
        n,
        vec![
            Column::new("cell_x".into(), cx),
            Column::new("cell_y".into(), cy),
            Column::new("easting".into(), e),
            Column::new("northing".into(), nn),
            Column::new("count".into(), counts),
            Column::new("gi_star".into(), opt(z)),
            Column::new("p_value".into(), opt(p)),
            Column::new("p_adjusted".into(), opt(p_adj)),
            Column::new("hotspot".into(), hot),
        ],
    )?;
    Ok((table, report))
}
