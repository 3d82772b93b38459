//! Getis–Ord Gi* hot spots on points or a regular grid: grid building and counting, binary
//! neighbour lists (distance band, queen contiguity) and the Gi* z-scores with two-sided
//! p-values.
//!
//! Coordinates are projected metres (e.g. British National Grid from [`crate::bng::to_bng`]);
//! longitude/latitude degrees would make distances meaningless. Grids are row-major: cell
//! `(ix, iy)` has index `iy·nx + ix`, `ix` along x (east), `iy` along y (north).
//!
//! Sources: Ord & Getis (1995) "Local spatial autocorrelation statistics", Geogr. Anal. 27:286;
//! the ArcGIS "Hot Spot Analysis (Getis-Ord Gi*)" form; esda `G_Local(star=True,
//! transform="B")`; sfhotspot `hotspot_gistar` (methods.md §5.1, §5.3).

use crate::concentration::erfc;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A regular grid of square cells: cell `(ix, iy)` covers
/// `[x0 + ix·cell_size, x0 + (ix+1)·cell_size) × [y0 + iy·cell_size, y0 + (iy+1)·cell_size)`
/// and has row-major index `iy·nx + ix`.
///
/// ```
/// use saferstats::gistar::Grid;
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
    /// ```
    /// use saferstats::gistar::Grid;
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
    /// ```
    /// use saferstats::gistar::Grid;
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

    /// Centre of cell `index` (row-major).
    ///
    /// ```
    /// use saferstats::gistar::Grid;
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
/// ```
/// use saferstats::gistar::grid_for;
/// let g = grid_for(&[(530_120.0, 178_010.0), (530_480.0, 178_260.0)], 100.0, 10_000).unwrap();
/// assert_eq!((g.x0, g.y0, g.nx, g.ny), (530_100.0, 178_000.0, 4, 3));
/// assert!(grid_for(&[(0.0, 0.0), (1e6, 1e6)], 1.0, 1_000_000).is_err());
/// ```
pub fn grid_for(points: &[(f64, f64)], cell_size: f64, max_cells: usize) -> Result<Grid, String> {
    if !(cell_size.is_finite() && cell_size > 0.0) {
        return Err(format!(
            "cell size must be finite and positive, got {cell_size}"
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
        return Err(format!(
            "no point with finite coordinates among {} points",
            points.len()
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
        return Err(format!(
            "a grid of {cell_size} cells over these points needs {nx} × {ny} = {cells} cells, \
             more than the limit of {max_cells}; use larger cells or raise the limit"
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
/// ```
/// use saferstats::gistar::{count_points, Grid};
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

/// Getis–Ord Gi* z-scores with binary weights, self included:
///
/// `zᵢ = (Σⱼ wᵢⱼ xⱼ − x̄·Wᵢ) / (S·√((n·Wᵢ − Wᵢ²)/(n − 1)))`, `wᵢⱼ = 1` for `j` in
/// `neighbours[i]` and for `j = i`, `Wᵢ = Σⱼ wᵢⱼ` (binary weights so `Σⱼ wᵢⱼ² = Wᵢ`),
/// `x̄` the mean and `S = √(Σ(x − x̄)²/n)` the population SD of all `n` values.
///
/// Source: Ord & Getis (1995) eq. 9 / ArcGIS Hot Spot Analysis; equals esda
/// `G_Local(y, w, star=True, transform="B").Zs` (methods.md §5.1, golden test below).
/// `neighbours[i]` lists the neighbours of `i`; `i` itself is counted once whether or not the
/// list contains it; lists must not repeat an index. Positive z = hot spot. `NaN` for every
/// area if `n < 2` or all values are equal, and for an area whose neighbourhood is every area
/// (zero variance).
///
/// # Panics
/// If `neighbours.len() != values.len()` or a neighbour index is out of range.
///
/// ```
/// use saferstats::gistar::{distance_band_neighbours, gi_star};
/// // esda's docstring example (methods.md §5.1)
/// let pts = [(10.0, 10.0), (20.0, 10.0), (40.0, 10.0), (15.0, 20.0), (30.0, 20.0), (30.0, 30.0)];
/// let y = [2.0, 3.0, 3.2, 5.0, 8.0, 7.0];
/// let z = gi_star(&y, &distance_band_neighbours(&pts, 15.0));
/// assert!((z[5] - 2.02424331).abs() < 1e-6);
/// ```
pub fn gi_star(values: &[f64], neighbours: &[Vec<usize>]) -> Vec<f64> {
    assert_eq!(
        values.len(),
        neighbours.len(),
        "gi_star: {} values but {} neighbour lists",
        values.len(),
        neighbours.len()
    );
    let n = values.len();
    let nf = n as f64;
    let mean = values.iter().sum::<f64>() / nf;
    let s = (values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / nf).sqrt();
    if n < 2 || s.is_nan() || s <= 0.0 {
        return vec![f64::NAN; n];
    }
    neighbours
        .iter()
        .enumerate()
        .map(|(i, list)| {
            let mut sum = values[i];
            let mut w = 1.0;
            for &j in list {
                if j != i {
                    sum += values[j];
                    w += 1.0;
                }
            }
            let var = (nf * w - w * w) / (nf - 1.0);
            if var > 0.0 {
                (sum - mean * w) / (s * var.sqrt())
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// Two-sided normal p-values `2·Φ(−|z|) = erfc(|z|/√2)` for Gi* z-scores (`NaN` stays `NaN`).
///
/// As sfhotspot `hotspot_gistar` (esda's `p_norm` is one-sided: double it). For false discovery
/// rate control pass the result to [`crate::concentration::benjamini_hochberg`] (or
/// [`crate::concentration::benjamini_yekutieli`]).
///
/// ```
/// use saferstats::gistar::gi_star_p_values;
/// let p = gi_star_p_values(&[1.959963984540054, 0.0]);
/// assert!((p[0] - 0.05).abs() < 1e-12 && p[1] == 1.0);
/// ```
pub fn gi_star_p_values(z: &[f64]) -> Vec<f64> {
    z.iter()
        .map(|z| erfc(z.abs() / std::f64::consts::SQRT_2))
        .collect()
}

/// For each point, the indices of the points within distance `band` (Euclidean, `≤ band`),
/// **itself included**, sorted ascending: binary distance-band weights for [`gi_star`]
/// (libpysal `DistanceBand(points, band, binary=True)` plus self).
///
/// Uses buckets of side `band` and only compares points in adjacent buckets, so the cost is
/// about linear in the number of points for sparse neighbourhoods. A point with a non-finite
/// coordinate has only itself. For a grid's cell centres, `band = cell_size·√2` gives the
/// queen neighbourhood used by sfhotspot (see also [`queen_neighbours`]).
///
/// # Panics
/// If `band` is negative or not finite.
///
/// ```
/// use saferstats::gistar::distance_band_neighbours;
/// let nb = distance_band_neighbours(&[(0.0, 0.0), (3.0, 4.0), (10.0, 0.0)], 5.0);
/// assert_eq!(nb, vec![vec![0, 1], vec![0, 1], vec![2]]);
/// ```
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
/// ```
/// use saferstats::gistar::{queen_neighbours, Grid};
/// let g = Grid { cell_size: 1.0, x0: 0.0, y0: 0.0, nx: 3, ny: 2 };
/// let nb = queen_neighbours(&g);
/// assert_eq!(nb[0], vec![0, 1, 3, 4]);
/// assert_eq!(nb[4], vec![0, 1, 2, 3, 4, 5]);
/// ```
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

#[cfg(test)]
mod tests {
    use super::*;

    const PTS: [(f64, f64); 6] = [
        (10.0, 10.0),
        (20.0, 10.0),
        (40.0, 10.0),
        (15.0, 20.0),
        (30.0, 20.0),
        (30.0, 30.0),
    ];
    const Y: [f64; 6] = [2.0, 3.0, 3.2, 5.0, 8.0, 7.0];

    #[test]
    fn esda_docstring_golden_values() {
        // esda/getisord.py docstring: G_Local(y, DistanceBand(points, 15), 'B', star=True).Zs
        let expected = [
            -1.39727626,
            -0.28917762,
            0.65064964,
            -0.28917762,
            1.23452088,
            2.02424331,
        ];
        let z = gi_star(&Y, &distance_band_neighbours(&PTS, 15.0));
        for (a, b) in z.iter().zip(expected) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn band_is_inclusive_and_self_optional() {
        // (15,20)–(30,20) is exactly 15 apart: included
        let nb = distance_band_neighbours(&PTS, 15.0);
        assert!(nb[3].contains(&4) && nb[4].contains(&3));
        // lists without self give the same Gi*
        let without: Vec<Vec<usize>> = nb
            .iter()
            .enumerate()
            .map(|(i, l)| l.iter().copied().filter(|&j| j != i).collect())
            .collect();
        assert_eq!(gi_star(&Y, &nb), gi_star(&Y, &without));
    }

    #[test]
    fn bucketed_neighbours_match_brute_force() {
        // deterministic pseudo-random points (LCG), some coincident
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut pts: Vec<(f64, f64)> = (0..400)
            .map(|_| (next() * 1000.0, next() * 500.0))
            .collect();
        pts.push(pts[3]);
        pts.push((f64::NAN, 1.0));
        for &band in &[0.0, 12.5, 80.0, 2000.0] {
            let nb = distance_band_neighbours(&pts, band);
            for (i, &(x, y)) in pts.iter().enumerate() {
                let brute: Vec<usize> = if x.is_nan() {
                    vec![i]
                } else {
                    (0..pts.len())
                        .filter(|&j| {
                            let (xj, yj) = pts[j];
                            (x - xj) * (x - xj) + (y - yj) * (y - yj) <= band * band
                        })
                        .collect()
                };
                assert_eq!(nb[i], brute, "band {band} point {i}");
            }
        }
    }

    #[test]
    fn queen_equals_band_on_centres() {
        let g = Grid {
            cell_size: 250.0,
            x0: 500_000.0,
            y0: 100_000.0,
            nx: 7,
            ny: 5,
        };
        let centres: Vec<(f64, f64)> = (0..g.n_cells()).map(|i| g.centre(i)).collect();
        // a hair over √2 so rounding of the centres cannot drop diagonal neighbours
        let band = g.cell_size * std::f64::consts::SQRT_2 * (1.0 + 1e-9);
        assert_eq!(
            queen_neighbours(&g),
            distance_band_neighbours(&centres, band)
        );
    }

    #[test]
    fn grid_errors_and_counting() {
        assert!(
            grid_for(&[(0.0, 0.0)], 0.0, 10)
                .unwrap_err()
                .contains("cell size")
        );
        assert!(grid_for(&[(0.0, 0.0)], f64::NAN, 10).is_err());
        assert!(grid_for(&[], 10.0, 10).unwrap_err().contains("no point"));
        let err = grid_for(&[(0.0, 0.0), (1e9, 1e9)], 1e-3, usize::MAX).unwrap_err();
        assert!(err.contains("cells"), "{err}");
        let err = grid_for(&[(0.0, 0.0), (999.0, 499.0)], 1.0, 1000).unwrap_err();
        assert!(
            err.contains("1000 × 500") && err.contains("limit of 1000"),
            "{err}"
        );
        let pts = [(-5.0, -5.0), (0.0, 0.0), (19.999, 9.0), (f64::NAN, 3.0)];
        let g = grid_for(&pts, 10.0, 100).unwrap();
        assert_eq!((g.x0, g.y0, g.nx, g.ny), (-10.0, -10.0, 3, 2));
        let c = count_points(&g, &pts);
        assert_eq!(c.iter().sum::<f64>(), 3.0);
        assert_eq!(c, vec![1.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
        // every finite point is inside its grid, including the extremes
        let pts = [(0.3, 0.7), (0.1 + 0.2, 0.9), (3.0, 0.30000000000000004)];
        let g = grid_for(&pts, 0.1, 10_000).unwrap();
        assert_eq!(count_points(&g, &pts).iter().sum::<f64>(), 3.0);
    }

    #[test]
    fn degenerate_gi_star() {
        assert!(
            gi_star(
                &[1.0; 4],
                &queen_neighbours(&Grid {
                    cell_size: 1.0,
                    x0: 0.0,
                    y0: 0.0,
                    nx: 2,
                    ny: 2,
                })
            )
            .iter()
            .all(|z| z.is_nan())
        );
        // neighbourhood = everything: zero variance → NaN
        let nb = vec![vec![0, 1, 2]; 3];
        assert!(gi_star(&[1.0, 2.0, 4.0], &nb).iter().all(|z| z.is_nan()));
        assert!(gi_star_p_values(&[f64::NAN])[0].is_nan());
    }
}
