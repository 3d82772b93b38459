//! Getis-Ord Gi* hot spots on a British National Grid from police.uk coordinates.
//!
//! Unlike the other frame functions this one takes points, not counts: a frame of crimes with
//! `longitude` and `latitude` (as [`crate::io::police_uk`] reads them), filtered beforehand to
//! the crimes, period and area wanted. The building blocks are in [`crate::geo::grid`],
//! [`crate::geo::bng`] and [`crate::stats::gistar`] (`docs/methods.md`, "Hotspots and
//! concentration").
//!
//! ```
//! use saferstats::frame::grid_hotspots::{grid_hotspots, GridSpec};
//! let medway = saferstats::datasets::medway_2014()?;
//! let out = grid_hotspots(&medway.crimes.crimes, &GridSpec::default())?;
//! assert_eq!(out.report.points_used, 25_117);
//! assert_eq!(out.table.height() as u64, out.report.columns * out.report.rows);
//! # Ok::<(), saferstats::Error>(())
//! ```

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::Output;
use crate::geo::bng::to_bng;
use crate::geo::grid::{count_points, distance_band_neighbours, grid_for, queen_neighbours};
use crate::stats::gistar::{gi_star, gi_star_p_values};
use crate::stats::multiple_testing::{benjamini_hochberg, benjamini_yekutieli};

/// Neighbourhood for Gi* on a grid.
///
/// Serialised as `"queen"` or `{"distance_band": 400}`.
///
/// # Examples
///
/// ```
/// use saferstats::frame::grid_hotspots::Neighbours;
/// let n: Neighbours = serde_json::from_str(r#"{"distance_band": 400}"#).unwrap();
/// assert_eq!(n, Neighbours::DistanceBand(400.0));
/// assert_eq!(serde_json::to_string(&Neighbours::Queen).unwrap(), r#""queen""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Neighbours {
    /// The cell and its eight neighbours (sfhotspot's default, distance cell·√2).
    Queen,
    /// Cells whose centres are within this many metres (self included).
    DistanceBand(f64),
}

/// False-discovery-rate adjustment of Gi* p-values.
///
/// A word-valued option ([`crate::choice::Choice`], parameter `fdr`): `none`,
/// `benjamini_hochberg` (`bh`, `fdr_bh`), `benjamini_yekutieli` (`by`, `fdr_by`), the last two
/// as statsmodels `multipletests` names them.
///
/// # Examples
///
/// ```
/// use saferstats::frame::grid_hotspots::FdrAdjust;
/// assert_eq!("fdr_bh".parse::<FdrAdjust>()?, FdrAdjust::BenjaminiHochberg);
/// assert_eq!(FdrAdjust::BenjaminiYekutieli.to_string(), "benjamini_yekutieli");
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Benjamini & Hochberg (1995), *JRSS B* 57(1):289–300; Benjamini & Yekutieli (2001),
/// *Annals of Statistics* 29(4):1165–1188.
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
///
/// Defaults: 250 m cells, queen neighbours, no FDR adjustment, at most 2,000,000 cells.
/// Deserialises with every field optional and unknown fields refused. There is no grouping
/// (`keys`): filter the crimes first. The options are checked by [`grid_hotspots`].
///
/// # Examples
///
/// ```
/// use saferstats::frame::grid_hotspots::{FdrAdjust, GridSpec, Neighbours};
/// let spec: GridSpec = serde_json::from_str(
///     r#"{"cell_size": 500, "fdr": "by", "neighbours": {"distance_band": 750}}"#,
/// ).unwrap();
/// assert_eq!(spec.fdr, FdrAdjust::BenjaminiYekutieli);
/// assert_eq!(spec.neighbours, Neighbours::DistanceBand(750.0));
/// assert_eq!(spec.max_cells, GridSpec::default().max_cells);
/// ```
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

impl GridSpec {
    /// Check the options: a positive cell size, a positive distance band, at least one cell.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `cell_size`, `distance_band` or `max_cells`.
    pub fn check(&self) -> Result<()> {
        if !(self.cell_size.is_finite() && self.cell_size > 0.0) {
            return Err(Error::param(
                "cell_size",
                format!(
                    "must be a positive number of metres, got {}",
                    self.cell_size
                ),
            ));
        }
        if let Neighbours::DistanceBand(band) = self.neighbours
            && !(band.is_finite() && band > 0.0)
        {
            return Err(Error::param(
                "distance_band",
                format!("must be a positive number of metres, got {band}"),
            ));
        }
        if self.max_cells == 0 {
            return Err(Error::param("max_cells", "must be at least 1"));
        }
        Ok(())
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
    /// Rows whose coordinates fall outside Great Britain (outside the box of
    /// [`crate::geo::bng::to_bng`], e.g. `(0, 0)` placeholders).
    pub outside_great_britain: u64,
    /// Grid size: number of columns (cells west to east).
    pub columns: u64,
    /// Grid size: number of rows (cells south to north).
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
///
/// Cells are in row-major order (west to east, then south to north) and cover the extent of
/// the points with the origin snapped to a multiple of `cell_size`
/// ([`crate::geo::grid::grid_for`]), so empty cells are included. Rows with a null coordinate are counted in
/// [`GridReport::without_coordinates`], rows outside Great Britain in
/// [`GridReport::outside_great_britain`]; neither is an error.
///
/// # Errors
///
/// - [`Error::InvalidParameter`]: `cell_size` not a positive number; `distance_band` not
///   positive or reaching across the whole grid (every Gi* would be 0/0); `max_cells` when
///   the grid would need more cells.
/// - [`Error::MissingColumn`] without `longitude` or `latitude`.
/// - [`Error::InsufficientPeriods`] when no row has coordinates in Great Britain.
/// - [`Error::Polars`] when a coordinate column cannot be cast to a number.
///
/// # Examples
///
/// ```
/// use saferstats::frame::grid_hotspots::{grid_hotspots, FdrAdjust, GridSpec};
/// use saferstats::polars::prelude::*;
/// let points = df!(
///     "longitude" => [Some(0.52), None, Some(0.0), Some(0.53)],
///     "latitude" => [Some(51.38), None, Some(0.0), Some(51.39)],
/// )?;
/// let out = grid_hotspots(&points, &GridSpec::default())?;
/// let r = &out.report;
/// assert_eq!((r.points_used, r.without_coordinates, r.outside_great_britain), (2, 1, 1));
/// assert_eq!(out.table.column("count")?.f64()?.sum(), Some(2.0));
///
/// // Medway 2014 on 500 m cells, p-values adjusted for the number of cells.
/// let medway = saferstats::datasets::medway_2014()?;
/// let spec = GridSpec { cell_size: 500.0, fdr: FdrAdjust::BenjaminiYekutieli, ..GridSpec::default() };
/// let out = grid_hotspots(&medway.crimes.crimes, &spec)?;
/// let hot = out.table.column("hotspot")?.str()?.iter().filter(|h| *h == Some("hot")).count();
/// assert!(hot > 0);
///
/// let none = df!("longitude" => [0.0], "latitude" => [0.0])?;
/// assert!(matches!(grid_hotspots(&none, &GridSpec::default()),
///                  Err(saferstats::Error::InsufficientPeriods { .. })));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Ord & Getis (1995), "Local spatial autocorrelation statistics: distributional issues and an
/// application", *Geographical Analysis* 27(4):286–306; as ArcGIS "Hot Spot Analysis
/// (Getis-Ord Gi*)", esda `G_Local(star=True, transform="B")` and sfhotspot `hotspot_gistar`;
/// Benjamini & Hochberg (1995) and Benjamini & Yekutieli (2001) for the adjustments;
/// `docs/methods.md`, "Hotspots and concentration".
pub fn grid_hotspots(crimes: &DataFrame, spec: &GridSpec) -> Result<Output<GridReport>> {
    spec.check()?;
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
            // A band reaching every cell makes each Gi* the global mean against itself:
            // 0/0 everywhere, so refuse it rather than return a grid of nulls.
            let diagonal = spec.cell_size * (grid.nx as f64).hypot(grid.ny as f64);
            if !(d.is_finite() && d > 0.0) || d >= diagonal {
                return Err(Error::param(
                    "distance_band",
                    format!(
                        "must be a positive number of metres below the grid's diagonal \
                         ({diagonal:.0} m for {} x {} cells of {} m), got {d}",
                        grid.nx, grid.ny, spec.cell_size
                    ),
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
