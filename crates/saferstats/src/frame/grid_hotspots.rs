//! Getis-Ord Gi* hot spots on a British National Grid from police.uk coordinates.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::Output;
use crate::geo::bng::to_bng;
use crate::geo::grid::{count_points, distance_band_neighbours, grid_for, queen_neighbours};
use crate::stats::gistar::{gi_star, gi_star_p_values};
use crate::stats::multiple_testing::{benjamini_hochberg, benjamini_yekutieli};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdrAdjust {
    /// No adjustment.
    None,
    /// Benjamini-Hochberg.
    BenjaminiHochberg,
    /// Benjamini-Yekutieli (valid under any dependence).
    BenjaminiYekutieli,
}

crate::choice::choice!(FdrAdjust, "fdr", {
    None => "none",
    BenjaminiHochberg => "benjamini_hochberg" | "bh" | "fdr_bh",
    BenjaminiYekutieli => "benjamini_yekutieli" | "by" | "fdr_by",
});

/// Options for [`grid_hotspots`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
/// [`crate::geo::bng`]), counted into square cells covering their extent, and Gi* z-scores (binary
/// weights, self included) computed with two-sided p-values, optionally FDR-adjusted.
/// police.uk snaps every crime to one of ~750,000 anonymous map points, so cell counts near
/// snap points are partly an artefact; prefer cells of 200 m or more.
///
/// Output: one row per cell with `cell_x`, `cell_y` (indices), `easting`, `northing` (cell
/// centre), `count`, `gi_star` (z), `p_value`, `p_adjusted`, `hotspot` ("hot", "cold" or
/// null at 0.05 on the adjusted p-value).
pub fn grid_hotspots(crimes: &DataFrame, spec: &GridSpec) -> Result<Output<GridReport>> {
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
    let grid = grid_for(&points, spec.cell_size, spec.max_cells)?;
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
    Ok(Output { table, report })
}
