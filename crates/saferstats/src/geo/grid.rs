//! Regular grids of square cells on projected coordinates, point counts per cell, and binary
//! neighbour lists (distance band between points, queen contiguity between cells).
//!
//! These are the building blocks of [`crate::frame::grid_hotspots::grid_hotspots`]: project
//! points with [`crate::geo::bng::to_bng`], lay a grid over them with [`grid_for`], count with
//! [`count_points`], and give [`crate::stats::gistar::gi_star`] the neighbour lists.
//!
//! ```
//! use saferstats::geo::{bng::to_bng, grid::{count_points, grid_for, queen_neighbours}};
//! use saferstats::stats::gistar::gi_star;
//! let lonlat = [(0.5228, 51.3846), (0.5230, 51.3847), (0.5290, 51.3800)]; // Chatham
//! let points: Vec<(f64, f64)> = lonlat.iter().filter_map(|&(x, y)| to_bng(x, y)).collect();
//! let grid = grid_for(&points, 250.0, 10_000)?;
//! let counts = count_points(&grid, &points);
//! assert_eq!(counts.iter().sum::<f64>(), 3.0);
//! let z = gi_star(&counts, &queen_neighbours(&grid));
//! assert_eq!(z.len(), grid.n_cells());
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A regular grid of square cells: cell `(ix, iy)` covers
/// `[x0 + ix·cell_size, x0 + (ix+1)·cell_size) × [y0 + iy·cell_size, y0 + (iy+1)·cell_size)`
/// and has row-major index `iy·nx + ix`. Usually made by [`grid_for`].
///
/// # Examples
///
/// ```
/// use saferstats::geo::grid::Grid;
/// let g = Grid { cell_size: 250.0, x0: 530_000.0, y0: 178_000.0, nx: 4, ny: 4 };
/// assert_eq!(g.cell_of(530_260.0, 178_510.0), Some(2 * 4 + 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    /// Side of a cell, in the units of the coordinates.
    pub cell_size: f64,
    /// x of the grid's west edge.
    pub x0: f64,
    /// y of the grid's south edge.
    pub y0: f64,
    /// Number of columns (along x).
    pub nx: usize,
    /// Number of rows (along y).
    pub ny: usize,
}

impl Grid {
    /// Number of cells, `nx·ny`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::geo::grid::Grid;
    /// let g = Grid { cell_size: 100.0, x0: 0.0, y0: 0.0, nx: 3, ny: 2 };
    /// assert_eq!(g.n_cells(), 6);
    /// ```
    pub fn n_cells(&self) -> usize {
        self.nx * self.ny
    }

    /// Row-major index of the cell holding `(x, y)`, or `None` outside the grid or for
    /// non-finite coordinates. Cells are closed on the west/south edge and open on the
    /// east/north edge.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::geo::grid::Grid;
    /// let g = Grid { cell_size: 100.0, x0: 0.0, y0: 0.0, nx: 3, ny: 2 };
    /// assert_eq!(g.cell_of(250.0, 100.0), Some(5));
    /// assert_eq!(g.cell_of(300.0, 50.0), None);
    /// ```
    pub fn cell_of(&self, x: f64, y: f64) -> Option<usize> {
        let fx = ((x - self.x0) / self.cell_size).floor();
        let fy = ((y - self.y0) / self.cell_size).floor();
        if !(fx >= 0.0 && fy >= 0.0 && fx < self.nx as f64 && fy < self.ny as f64) {
            return None;
        }
        Some(fy as usize * self.nx + fx as usize)
    }

    /// Centre of cell `index` (row-major). `index` is not checked: one past the last cell
    /// gives a point outside the grid.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::geo::grid::Grid;
    /// let g = Grid { cell_size: 100.0, x0: 500.0, y0: 0.0, nx: 3, ny: 2 };
    /// assert_eq!(g.centre(4), (650.0, 150.0));
    /// ```
    pub fn centre(&self, index: usize) -> (f64, f64) {
        let (ix, iy) = (index % self.nx, index / self.nx);
        (
            self.x0 + (ix as f64 + 0.5) * self.cell_size,
            self.y0 + (iy as f64 + 0.5) * self.cell_size,
        )
    }
}

/// Grid of `cell_size` cells covering the finite points, its origin snapped down to a multiple
/// of `cell_size` (so grids of the same cell size from different data line up, e.g. on the
/// National Grid's 100 m lines).
///
/// `x0 = ⌊min x / cell_size⌋·cell_size`, `nx = ⌊(max x − x0)/cell_size⌋ + 1`, likewise for y.
/// Points with a non-finite coordinate are ignored. Errors (before anything is allocated):
/// `cell_size` not finite and positive; no finite point; more than `max_cells` cells (the
/// message names the cell size, the columns × rows and the limit; sfhotspot warns above
/// 100,000 cells).
///
/// # Errors
///
/// [`Error::InvalidParameter`] naming `cell_size` (not finite and positive), `points` (no
/// point with finite coordinates) or `max_cells` (the grid would need more cells).
///
/// # Examples
///
/// ```
/// use saferstats::geo::grid::grid_for;
/// use saferstats::Error;
/// let err = grid_for(&[(f64::NAN, 0.0)], 100.0, 10).unwrap_err();
/// assert!(matches!(err, Error::InvalidParameter { name: "points", .. }));
/// let err = grid_for(&[(0.0, 0.0)], 0.0, 10).unwrap_err();
/// assert!(matches!(err, Error::InvalidParameter { name: "cell_size", .. }));
/// let g = grid_for(&[(530_120.0, 178_010.0), (530_480.0, 178_260.0)], 100.0, 10_000).unwrap();
/// assert_eq!((g.x0, g.y0, g.nx, g.ny), (530_100.0, 178_000.0, 4, 3));
/// assert!(grid_for(&[(0.0, 0.0), (1e6, 1e6)], 1.0, 1_000_000).is_err());
/// ```
pub fn grid_for(points: &[(f64, f64)], cell_size: f64, max_cells: usize) -> Result<Grid> {
    if !(cell_size.is_finite() && cell_size > 0.0) {
        return Err(Error::param(
            "cell_size",
            format!("must be finite and positive, got {cell_size}"),
        ));
    }
    let (mut xmin, mut ymin) = (f64::INFINITY, f64::INFINITY);
    let (mut xmax, mut ymax) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &(x, y) in points {
        if x.is_finite() && y.is_finite() {
            xmin = xmin.min(x);
            xmax = xmax.max(x);
            ymin = ymin.min(y);
            ymax = ymax.max(y);
        }
    }
    if !xmin.is_finite() {
        return Err(Error::param(
            "points",
            format!(
                "no point with finite coordinates among {} points",
                points.len()
            ),
        ));
    }
    let snap = |v: f64| {
        let s = (v / cell_size).floor() * cell_size;
        // guard against rounding putting the origin just past the minimum
        if s > v { s - cell_size } else { s }
    };
    let (x0, y0) = (snap(xmin), snap(ymin));
    let nx = ((xmax - x0) / cell_size).floor() + 1.0;
    let ny = ((ymax - y0) / cell_size).floor() + 1.0;
    let cells = nx * ny;
    if cells.is_nan() || cells > max_cells as f64 {
        return Err(Error::param(
            "max_cells",
            format!(
                "a grid of {cell_size} cells over these points needs {nx} × {ny} = {cells} cells, \
             more than the limit of {max_cells}; use larger cells or raise the limit"
            ),
        ));
    }
    Ok(Grid {
        cell_size,
        x0,
        y0,
        nx: nx as usize,
        ny: ny as usize,
    })
}

/// Number of points in each cell of `grid`, row-major (length `nx·ny`). Points outside the
/// grid or with a non-finite coordinate are not counted (compare the sum with the number of
/// points to see how many were left out).
///
/// # Examples
///
/// ```
/// use saferstats::geo::grid::{count_points, Grid};
/// let g = Grid { cell_size: 10.0, x0: 0.0, y0: 0.0, nx: 2, ny: 2 };
/// let counts = count_points(&g, &[(1.0, 1.0), (15.0, 2.0), (12.0, 3.0), (5.0, 19.0), (50.0, 0.0)]);
/// assert_eq!(counts, vec![1.0, 2.0, 1.0, 0.0]);
/// ```
pub fn count_points(grid: &Grid, points: &[(f64, f64)]) -> Vec<f64> {
    let mut counts = vec![0.0; grid.n_cells()];
    for &(x, y) in points {
        if let Some(i) = grid.cell_of(x, y) {
            counts[i] += 1.0;
        }
    }
    counts
}

/// For each point, the indices of the points within distance `band` (Euclidean, `≤ band`),
/// **itself included**, sorted ascending: binary distance-band weights for
/// [`gi_star`](crate::stats::gistar::gi_star) (libpysal `DistanceBand(points, band,
/// binary=True)` plus self).
///
/// Uses buckets of side `band` and only compares points in adjacent buckets, so the cost is
/// about linear in the number of points for sparse neighbourhoods. A point with a non-finite
/// coordinate has only itself. For a grid's cell centres, `band = cell_size·√2` gives the
/// queen neighbourhood used by sfhotspot (see also [`queen_neighbours`]).
///
/// # Panics
/// If `band` is negative or not finite.
///
/// # Examples
///
/// ```
/// use saferstats::geo::grid::distance_band_neighbours;
/// let nb = distance_band_neighbours(&[(0.0, 0.0), (3.0, 4.0), (10.0, 0.0)], 5.0);
/// assert_eq!(nb, vec![vec![0, 1], vec![0, 1], vec![2]]);
/// ```
///
/// # References
///
/// Ord & Getis (1995), "Local spatial autocorrelation statistics: distributional issues and an
/// application", *Geographical Analysis* 27(4):286–306 (binary weights with the point itself,
/// for Gi*); libpysal `weights.DistanceBand`.
pub fn distance_band_neighbours(points: &[(f64, f64)], band: f64) -> Vec<Vec<usize>> {
    assert!(
        band.is_finite() && band >= 0.0,
        "distance band must be finite and non-negative, got {band}"
    );
    let bucket = if band > 0.0 { band } else { 1.0 };
    let key = |x: f64, y: f64| {
        // float → int casts saturate, which only merges far-away buckets (still correct)
        ((x / bucket).floor() as i64, (y / bucket).floor() as i64)
    };
    let mut buckets: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, &(x, y)) in points.iter().enumerate() {
        if x.is_finite() && y.is_finite() {
            buckets.entry(key(x, y)).or_default().push(i);
        }
    }
    let band2 = band * band;
    points
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| {
            if !(x.is_finite() && y.is_finite()) {
                return vec![i];
            }
            let (bx, by) = key(x, y);
            let mut out = Vec::new();
            for dx in -1i64..=1 {
                for dy in -1i64..=1 {
                    let k = (bx.saturating_add(dx), by.saturating_add(dy));
                    if let Some(members) = buckets.get(&k) {
                        for &j in members {
                            let (xj, yj) = points[j];
                            let d2 = (x - xj) * (x - xj) + (y - yj) * (y - yj);
                            if d2 <= band2 {
                                out.push(j);
                            }
                        }
                    }
                }
            }
            out.sort_unstable();
            out.dedup(); // saturated keys can visit one bucket twice
            out
        })
        .collect()
}

/// Queen-contiguity neighbours of every cell of `grid` (the up to 8 cells sharing an edge or a
/// corner), **itself included**, as sorted row-major indices.
///
/// Equivalent to [`distance_band_neighbours`] on the cell centres with band `cell_size·√2`,
/// the sfhotspot `hotspot_gistar` default, without any floating-point comparison.
///
/// # Examples
///
/// ```
/// use saferstats::geo::grid::{queen_neighbours, Grid};
/// let g = Grid { cell_size: 1.0, x0: 0.0, y0: 0.0, nx: 3, ny: 2 };
/// let nb = queen_neighbours(&g);
/// assert_eq!(nb[0], vec![0, 1, 3, 4]);
/// assert_eq!(nb[4], vec![0, 1, 2, 3, 4, 5]);
/// ```
///
/// # References
///
/// Ord & Getis (1995), *Geographical Analysis* 27(4):286–306 (Gi* with the cell itself in its
/// neighbourhood); sfhotspot `hotspot_gistar` (queen neighbours of a regular grid).
pub fn queen_neighbours(grid: &Grid) -> Vec<Vec<usize>> {
    let (nx, ny) = (grid.nx, grid.ny);
    let mut out = Vec::with_capacity(nx * ny);
    for iy in 0..ny {
        for ix in 0..nx {
            let mut list = Vec::with_capacity(9);
            for jy in iy.saturating_sub(1)..=(iy + 1).min(ny - 1) {
                for jx in ix.saturating_sub(1)..=(ix + 1).min(nx - 1) {
                    list.push(jy * nx + jx);
                }
            }
            out.push(list);
        }
    }
    out
}
