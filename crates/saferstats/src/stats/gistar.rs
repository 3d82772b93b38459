//! Getis–Ord Gi* hot spots on points or a regular grid: grid building and counting, binary
//! neighbour lists (distance band, queen contiguity) and the Gi* z-scores with two-sided
//! p-values.
//!
//! Coordinates are projected metres (e.g. British National Grid from [`crate::geo::bng::to_bng`]);
//! longitude/latitude degrees would make distances meaningless. Grids are row-major: cell
//! `(ix, iy)` has index `iy·nx + ix`, `ix` along x (east), `iy` along y (north).
//!
//! Sources: Ord & Getis (1995) "Local spatial autocorrelation statistics", Geogr. Anal. 27:286;
//! the ArcGIS "Hot Spot Analysis (Getis-Ord Gi*)" form; esda `G_Local(star=True,
//! transform="B")`; sfhotspot `hotspot_gistar` (methods.md §5.1, §5.3).

use crate::stats::special::normal_two_sided_p;

/// Getis–Ord Gi* z-scores with binary weights, self included:
///
/// `zᵢ = (Σⱼ wᵢⱼ xⱼ − x̄·Wᵢ) / (S·√((n·Wᵢ − Wᵢ²)/(n − 1)))`, `wᵢⱼ = 1` for `j` in
/// `neighbours[i]` and for `j = i`, `Wᵢ = Σⱼ wᵢⱼ` (binary weights so `Σⱼ wᵢⱼ² = Wᵢ`),
/// `x̄` the mean and `S = √(Σ(x − x̄)²/n)` the population SD of all `n` values.
///
/// `neighbours[i]` lists the neighbours of `i`; `i` itself is counted once whether or not the
/// list contains it; lists must not repeat an index. Positive z = hot spot. `NaN` for every
/// area if `n < 2` or all values are equal, and for an area whose neighbourhood is every area
/// (zero variance).
///
/// # Panics
/// If `neighbours.len() != values.len()` or a neighbour index is out of range.
///
/// # Examples
///
/// ```
/// use saferstats::geo::grid::distance_band_neighbours;
/// use saferstats::stats::gistar::gi_star;
/// // esda's docstring example (methods.md §5.1)
/// let pts = [(10.0, 10.0), (20.0, 10.0), (40.0, 10.0), (15.0, 20.0), (30.0, 20.0), (30.0, 30.0)];
/// let y = [2.0, 3.0, 3.2, 5.0, 8.0, 7.0];
/// let z = gi_star(&y, &distance_band_neighbours(&pts, 15.0));
/// assert!((z[5] - 2.02424331).abs() < 1e-6);
/// ```
///
/// # References
///
/// Ord & Getis (1995), "Local spatial autocorrelation statistics: distributional issues and an
/// application", *Geographical Analysis* 27(4):286–306, eq. 9; the ArcGIS "Hot Spot Analysis
/// (Getis-Ord Gi*)" form; equals esda `G_Local(y, w, star=True, transform="B").Zs` (methods note
/// §5.1; `tests/PROVENANCE_concentration.md`) and sfhotspot `hotspot_gistar`.
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
/// For false discovery
/// rate control pass the result to [`crate::stats::multiple_testing::benjamini_hochberg`] (or
/// [`crate::stats::multiple_testing::benjamini_yekutieli`]).
///
/// # Examples
///
/// ```
/// use saferstats::stats::gistar::gi_star_p_values;
/// let p = gi_star_p_values(&[1.959963984540054, 0.0]);
/// assert!((p[0] - 0.05).abs() < 1e-12 && p[1] == 1.0);
/// ```
///
/// # References
///
/// As sfhotspot `hotspot_gistar` (esda's `p_norm` is one-sided: double it); the normal tail is
/// [`crate::stats::special::normal_two_sided_p`].
pub fn gi_star_p_values(z: &[f64]) -> Vec<f64> {
    z.iter().map(|&z| normal_two_sided_p(z)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::grid::{
        Grid, count_points, distance_band_neighbours, grid_for, queen_neighbours,
    };

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
                .to_string()
                .contains("cell_size")
        );
        assert!(grid_for(&[(0.0, 0.0)], f64::NAN, 10).is_err());
        assert!(
            grid_for(&[], 10.0, 10)
                .unwrap_err()
                .to_string()
                .contains("no point")
        );
        let err = grid_for(&[(0.0, 0.0), (1e9, 1e9)], 1e-3, usize::MAX)
            .unwrap_err()
            .to_string();
        assert!(err.contains("cells"), "{err}");
        let err = grid_for(&[(0.0, 0.0), (999.0, 499.0)], 1.0, 1000)
            .unwrap_err()
            .to_string();
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
