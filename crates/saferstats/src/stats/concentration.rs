//! Crime concentration: Lorenz curve, the Gini family, the share held by the top areas, and
//! the per-area test of whether an area's share of incidents changed between two periods.
//!
//! Pure numeric kernels on slices, one value per area (ward, LSOA, grid cell …).
//!
//! Conventions shared by the functions on `&[f64]` counts:
//! - counts must be finite and non-negative; an empty slice, a negative or non-finite value, or a
//!   zero total gives `NaN` (or an empty curve / all-`NaN` thresholds), never a panic;
//! - results do not depend on the order of the input (everything that ranks areas sorts first);
//! - "descending Lorenz curve" means the concentration curve used in crime-concentration work:
//!   cumulative share of incidents held by the `m` busiest areas against `m/N`.
//!
//! Sources (see `docs/methods.md` §4): DescTools `Gini`; Bernasco & Steenbeek (2017) "More places
//! than crimes", J. Quant. Criminol. 33:451–467 (R package `lorenzgini`); safer-streets-core
//! Poisson-baseline ("modified") Gini; Wheeler, Steenbeek & Andresen (2018) `sppt_diff`;
//! Benjamini & Hochberg (1995); Benjamini & Yekutieli (2001).

use serde::{Deserialize, Serialize};

use crate::stats::multiple_testing::benjamini_yekutieli;
use crate::stats::special::{chi2_sf, ln_dbinom, ln_dhyper, ln_dpois};

/// Counts sorted ascending and their total, or `None` if the counts are empty, contain a
/// negative or non-finite value, or sum to zero.
fn sorted_valid(counts: &[f64], descending: bool) -> Option<(Vec<f64>, f64)> {
    if counts.is_empty() || counts.iter().any(|x| !x.is_finite() || *x < 0.0) {
        return None;
    }
    let mut sorted = counts.to_vec();
    if descending {
        sorted.sort_by(|a, b| b.total_cmp(a));
    } else {
        sorted.sort_by(f64::total_cmp);
    }
    let total: f64 = sorted.iter().sum();
    (total > 0.0 && total.is_finite()).then_some((sorted, total))
}

/// Lorenz curve: the `N + 1` points (cumulative share of areas, cumulative share of incidents)
/// with areas sorted by count **ascending**, starting at `(0, 0)` and ending at `(1, 1)`.
///
/// Point `i` is `(i/N, Σ_{k≤i} x₍ₖ₎ / Σx)` with `x₍₁₎ ≤ … ≤ x₍N₎`. Returns an empty vector for
/// invalid counts (see the module conventions). The concentration ("top areas first") curve is `(1
/// − x, 1 − y)` of these points read backwards.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::lorenz_curve;
/// let curve = lorenz_curve(&[3.0, 0.0, 1.0]);
/// assert_eq!(curve, vec![(0.0, 0.0), (1.0 / 3.0, 0.0), (2.0 / 3.0, 0.25), (1.0, 1.0)]);
/// ```
///
/// # References
///
/// Lorenz (1905), "Methods of measuring the concentration of wealth", *Publications of the
/// American Statistical Association* 9(70):209–219; the curve of R `DescTools::Lc` and
/// `lorenzgini::lorenz`.
pub fn lorenz_curve(counts: &[f64]) -> Vec<(f64, f64)> {
    let Some((sorted, total)) = sorted_valid(counts, false) else {
        return Vec::new();
    };
    let n = sorted.len() as f64;
    let mut points = Vec::with_capacity(sorted.len() + 1);
    points.push((0.0, 0.0));
    let mut cum = 0.0;
    for (i, x) in sorted.iter().enumerate() {
        cum += x;
        points.push(((i + 1) as f64 / n, cum / total));
    }
    // Exact end point whatever the rounding of the running sum.
    if let Some(last) = points.last_mut() {
        *last = (1.0, 1.0);
    }
    points
}

/// Gini coefficient in the DescTools form: with `x` sorted ascending,
/// `G = 2·Σᵢ i·x₍ᵢ₎ / (n·Σx) − 1 − 1/n`.
///
/// `G` is 0 when all areas have the same count and `1 − 1/n` when one area
/// holds everything. `NaN` for invalid counts.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::gini;
/// let x = [3.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
/// assert!((gini(&x) - 0.78).abs() < 1e-12);
/// ```
///
/// # References
///
/// Gini (1912), *Variabilità e mutabilità*; as R `DescTools::Gini(x, unbiased = FALSE)` and
/// `lorenzgini::gini(x, generalized = FALSE, unbiased = FALSE)` (methods note §4.1); checked
/// against numpy (`tests/PROVENANCE_concentration.md`).
pub fn gini(counts: &[f64]) -> f64 {
    let Some((sorted, total)) = sorted_valid(counts, false) else {
        return f64::NAN;
    };
    let n = sorted.len();
    // Σ (2i − n − 1)·x₍ᵢ₎ / (n·Σx): the same formula with the constant terms folded into the
    // integer weights, so equal counts give exactly 0 instead of a rounding error.
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, _)| (2 * (i + 1)) as f64 - (n + 1) as f64)
        .zip(&sorted)
        .map(|(w, x)| w * x)
        .sum();
    weighted / (n as f64 * total)
}

/// "Unbiased" (small-sample) Gini: `max(0, G · n/(n − 1))` with `G` from [`gini`].
///
/// One area holding everything gives exactly 1. `NaN` for invalid counts or
/// `n < 2`.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::gini_unbiased;
/// let mut x = vec![0.0; 10];
/// x[0] = 10.0;
/// assert!((gini_unbiased(&x) - 1.0).abs() < 1e-12);
/// ```
///
/// # References
///
/// Deltas (2003), "The small-sample bias of the Gini coefficient", *Review of Economics and
/// Statistics* 85(1):226–234; the default of R `DescTools::Gini(x, unbiased = TRUE)` (methods
/// note §4.1).
pub fn gini_unbiased(counts: &[f64]) -> f64 {
    let n = counts.len() as f64;
    if counts.len() < 2 {
        return f64::NAN;
    }
    (gini(counts) * n / (n - 1.0)).max(0.0)
}

/// Generalised Gini for sparse data (more areas than incidents):
/// `G′ = max(1, n/c)·(G − 1) + 1`, with `n` areas, `c = Σx` incidents and `G` from [`gini`].
///
/// It equals [`gini`] when `c ≥ n`;
/// when `c < n` the "maximal equality" reference puts one incident in each of `c` areas, so that
/// arrangement scores 0. Not clamped (the package does not clamp; with integer counts the
/// value is in `[0, 1]`). `NaN` for invalid counts.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::{generalised_gini, gini};
/// let x = [5.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
/// assert!((gini(&x) - 0.80).abs() < 1e-12);
/// assert!((generalised_gini(&x) - 0.75).abs() < 1e-12);
/// ```
///
/// # References
///
/// Bernasco & Steenbeek (2017), "More places than crimes: implications for evaluating the law of
/// crime concentration at place", *J. Quant. Criminol.* 33:451–467; R
/// `lorenzgini::gini(x, generalized = TRUE, unbiased = FALSE)` (methods note §4.2).
pub fn generalised_gini(counts: &[f64]) -> f64 {
    let g = gini(counts);
    let n = counts.len() as f64;
    let c: f64 = counts.iter().sum();
    (n / c).max(1.0) * (g - 1.0) + 1.0
}

/// Unbiased generalised Gini: `G′ · m/(m − 1)` with `m = min(n, c)` and `G′` from
/// [`generalised_gini`].
///
/// Not clamped, like the package.
/// `NaN` for invalid counts or `min(n, c) ≤ 1`.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::generalised_gini_unbiased;
/// let x = [3.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
/// // G = 0.78, G′ = 2·(0.78 − 1) + 1 = 0.56, × 5/4 = 0.70
/// assert!((generalised_gini_unbiased(&x) - 0.70).abs() < 1e-12);
/// ```
///
/// # References
///
/// Bernasco & Steenbeek (2017), "More places than crimes: implications for evaluating the law of
/// crime concentration at place", *J. Quant. Criminol.* 33:451–467; R `lorenzgini::gini(x)`
/// with its defaults `generalized = TRUE, unbiased = TRUE` (methods note §4.2).
pub fn generalised_gini_unbiased(counts: &[f64]) -> f64 {
    let n = counts.len() as f64;
    let c: f64 = counts.iter().sum();
    let m = n.min(c);
    if m.is_nan() || m <= 1.0 {
        return f64::NAN;
    }
    generalised_gini(counts) * m / (m - 1.0)
}

/// Area under the descending (concentration) Lorenz curve through `(m/N, cum[m]/cum[N])`,
/// `m = 0..=N`, by the trapezoid rule. `cum[0]` must be 0.
fn descending_area(cum: &[f64]) -> f64 {
    let n = cum.len() - 1;
    let total = cum[n];
    let inner: f64 = cum[1..n].iter().map(|c| c / total).sum();
    (inner + 0.5) / n as f64
}

/// Poisson-baseline ("modified") Gini: `(A − A₀)/(A_c − A₀)`.
///
/// All three areas are under the **descending** (concentration) Lorenz curve, points
/// `(m/N, share held by the m busiest areas)`, `m = 0..=N`, by the trapezoid rule:
/// - `A`: the observed curve;
/// - `A₀`: the expected curve when each of the `N` areas has an i.i.d. Poisson(λ = C/N) count
///   (`C` = observed total);
/// - `A_c = 1 − 0.5/N`: all incidents in one area (the largest `A` possible with `N` areas).
///
/// Equivalently `(G − G₀)/(G_max − G₀)` with `G = 2A − 1` the [`gini`] of the counts,
/// `G₀ = 2A₀ − 1` and `G_max = 1 − 1/N`. 0 means "as concentrated as pure chance", 1 means
/// "all in one area", negative values mean more even than chance.
///
/// **Baseline choice (differs from safer-streets):** safer-streets uses the
/// population Lorenz curve of Poisson(λ) (the `N → ∞` limit) and `A_c = 1`; here `A₀` is the
/// curve of the *exact expected order statistics* of `N` i.i.d. Poisson(λ) counts, computed
/// deterministically (no simulation) as `E[sum of the m largest] = Σ_k E[min(m, M_k)]`,
/// `M_k ~ Binomial(N, P(X > k))` the number of areas with more than `k` incidents. This keeps
/// the same finite `N` in all three terms, so perfectly chance-like data score about 0 even
/// for small `N`; the quantile shortcut `F⁻¹((i − 0.5)/N)` was not used because it rounds each
/// area to an integer and its total is not `C` (for λ = 0.3, N = 1000 it gives about 299 instead
/// of 300). The baseline treats the total as Poisson rather than fixed at `C` (multinomial), as
/// safer-streets does; see [`poisson_null_top_n_share`] for the size of that approximation
/// (negligible from about 100 incidents). `NaN` for invalid counts or `N < 2`.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::poisson_baseline_gini;
/// // All incidents in one of 10 areas: maximal concentration.
/// let mut x = vec![0.0; 10];
/// x[3] = 40.0;
/// assert!((poisson_baseline_gini(&x) - 1.0).abs() < 1e-12);
/// // Perfectly even counts are *more* even than chance: negative.
/// assert!(poisson_baseline_gini(&[4.0; 10]) < 0.0);
/// ```
///
/// # References
///
/// safer-streets-core `measures.py` (`lorenz_baseline_from_poisson`, `calc_modified_gini`) and
/// its blog post "Comparison of crime concentration measures" (methods note §4.3); Poisson
/// order statistics as in [`poisson_null_top_n_share`].
pub fn poisson_baseline_gini(counts: &[f64]) -> f64 {
    let Some((sorted, total)) = sorted_valid(counts, true) else {
        return f64::NAN;
    };
    let n = sorted.len();
    if n < 2 {
        return f64::NAN;
    }
    baseline_gini_from(
        &sorted,
        total,
        &poisson_expected_top_sums(total / n as f64, n),
    )
}

/// [`poisson_null_top_n_share`] of the counts' total and number and [`poisson_baseline_gini`]
/// of the counts, from one computation of the expected order statistics (the two share it).
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::{
///     poisson_baseline_gini, poisson_null_and_baseline_gini, poisson_null_top_n_share,
/// };
/// let counts = [40.0, 25.0, 10.0, 9.0, 8.0, 5.0, 3.0];
/// let (null, gini) = poisson_null_and_baseline_gini(&counts, 3);
/// assert_eq!(null, poisson_null_top_n_share(100, 7, 3));
/// assert_eq!(gini, poisson_baseline_gini(&counts));
/// ```
pub fn poisson_null_and_baseline_gini(counts: &[f64], top: usize) -> (f64, f64) {
    let Some((sorted, total)) = sorted_valid(counts, true) else {
        return (f64::NAN, f64::NAN);
    };
    let n = sorted.len();
    if n == 0 || total <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let expected = poisson_expected_top_sums(total / n as f64, n);
    let null = if top >= n {
        1.0
    } else {
        expected[top] / expected[n]
    };
    let gini = if n < 2 {
        f64::NAN
    } else {
        baseline_gini_from(&sorted, total, &expected)
    };
    (null, gini)
}

/// The baseline Gini of counts sorted descending with their total, given the expected sums.
fn baseline_gini_from(sorted: &[f64], total: f64, expected: &[f64]) -> f64 {
    let n = sorted.len();
    let mut cum = Vec::with_capacity(n + 1);
    cum.push(0.0);
    let mut running = 0.0;
    for x in sorted {
        running += x;
        cum.push(running);
    }
    cum[n] = total;
    let a = descending_area(&cum);
    let a0 = descending_area(expected);
    let ac = 1.0 - 0.5 / n as f64;
    (a - a0) / (ac - a0)
}

/// Expected Lorenz curve (ascending, same layout as [`lorenz_curve`]) of `n_areas` i.i.d.
/// Poisson counts with mean `total / n_areas`: the baseline `A₀` of [`poisson_baseline_gini`].
///
/// Point `i` is `(i/N, E[sum of the i smallest]/E[sum of all])`, from the exact expected order
/// statistics (see [`poisson_baseline_gini`]). Empty for `n_areas = 0` or a total that is not
/// finite and positive.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::poisson_expected_lorenz_curve;
/// let curve = poisson_expected_lorenz_curve(100.0, 10);
/// assert_eq!(curve.len(), 11);
/// // The smallest of 10 Poisson(10) counts is well below the mean.
/// assert!(curve[1].1 < 0.1 && curve[10] == (1.0, 1.0));
/// ```
///
/// # References
///
/// safer-streets-core `measures.py` (`lorenz_baseline_from_poisson`, `calc_modified_gini`) and
/// its blog post "Comparison of crime concentration measures" (methods note §4.3).
pub fn poisson_expected_lorenz_curve(total: f64, n_areas: usize) -> Vec<(f64, f64)> {
    if n_areas == 0 || !(total > 0.0 && total.is_finite()) {
        return Vec::new();
    }
    let top = poisson_expected_top_sums(total / n_areas as f64, n_areas);
    let all = top[n_areas];
    let n = n_areas as f64;
    (0..=n_areas)
        .map(|i| {
            if i == n_areas {
                (1.0, 1.0)
            } else {
                (i as f64 / n, 1.0 - top[n_areas - i] / all)
            }
        })
        .collect()
}

/// How many areas, ranked by count descending, hold 25% and 50% of incidents: the result of
/// [`areas_holding`].
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::areas_holding;
/// let t = areas_holding(&[6.0, 2.0, 1.0, 1.0]);
/// assert_eq!((t.areas_for_25, t.areas_for_50), (2.5 / 6.0, 5.0 / 6.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShareThresholds {
    /// Number of areas (fractional, see [`areas_holding`]) holding 25% of incidents.
    pub areas_for_25: f64,
    /// Number of areas (fractional) holding 50% of incidents.
    pub areas_for_50: f64,
    /// `areas_for_25 / N`.
    pub fraction_for_25: f64,
    /// `areas_for_50 / N`.
    pub fraction_for_50: f64,
}

/// Number and fraction of areas, ranked by count descending, holding 25% and 50% of
/// incidents ("x% of places hold 50% of crime", Weisburd's law of crime concentration).
///
/// **Fractional rule:** with the busiest areas first and `S_k` the incidents in the first `k`,
/// the area `k` that crosses the target `t·C` counts fractionally, by linear interpolation:
/// `areas = (k − 1) + (t·C − S_{k−1}) / x₍ₖ₎`. So `ceil(areas)` is the smallest whole number of
/// areas holding at least `t` of incidents and the value is exact (an integer) when a whole
/// number of areas holds exactly `t`. Ties do not matter: equal counts give the same curve in
/// any order. Fractions are `areas / N`.
/// All fields are `NaN` for invalid counts.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::areas_holding;
/// let t = areas_holding(&[50.0, 30.0, 10.0, 10.0]);
/// assert_eq!(t.areas_for_25, 0.5); // half of the busiest area holds 25 of the 100
/// assert_eq!(t.areas_for_50, 1.0);
/// assert_eq!(t.fraction_for_50, 0.25);
/// ```
///
/// # References
///
/// Weisburd (2015), "The law of crime concentration and the criminology of place", *Criminology*
/// 53(2):133–157; methods note §4.4.
pub fn areas_holding(counts: &[f64]) -> ShareThresholds {
    let Some((sorted, total)) = sorted_valid(counts, true) else {
        return ShareThresholds {
            areas_for_25: f64::NAN,
            areas_for_50: f64::NAN,
            fraction_for_25: f64::NAN,
            fraction_for_50: f64::NAN,
        };
    };
    let n = sorted.len() as f64;
    let areas_for = |share: f64| {
        let target = share * total;
        let mut cum = 0.0;
        for (k, x) in sorted.iter().enumerate() {
            if cum + x >= target {
                return k as f64 + (target - cum) / x;
            }
            cum += x;
        }
        n
    };
    let (a25, a50) = (areas_for(0.25), areas_for(0.5));
    ShareThresholds {
        areas_for_25: a25,
        areas_for_50: a50,
        fraction_for_25: a25 / n,
        fraction_for_50: a50 / n,
    }
}

/// Indices of the areas ordered by count descending, then by `keys` ascending (byte order of
/// the strings), then by position; `NaN` counts go last.
///
/// Use it to *name* the top areas: the result does not depend on the input row order as long
/// as keys (area codes) are unique. Source: convention of this crate (methods.md §4.4 asks for
/// a defined tie rule).
///
/// # Panics
/// If `counts` and `keys` have different lengths.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::rank_descending;
/// let order = rank_descending(&[5.0, 9.0, 5.0], &["E05000003", "E05000001", "E05000002"]);
/// assert_eq!(order, vec![1, 2, 0]);
/// ```
pub fn rank_descending(counts: &[f64], keys: &[&str]) -> Vec<usize> {
    assert_eq!(
        counts.len(),
        keys.len(),
        "rank_descending: {} counts but {} keys",
        counts.len(),
        keys.len()
    );
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (counts[i], counts[j]);
        a.is_nan()
            .cmp(&b.is_nan())
            .then_with(|| b.total_cmp(&a))
            .then_with(|| keys[i].cmp(keys[j]))
            .then_with(|| i.cmp(&j))
    });
    order
}

/// Share of all incidents held by the `n` areas with the largest counts:
/// `Σ_{i≤n} x₍ᵢ₎ / Σx` with `x₍₁₎ ≥ x₍₂₎ ≥ …`.
///
/// **Ties:** the value does not depend on how ties at the boundary are broken (tied areas have
/// equal counts, so any choice gives the same sum); to name the areas use [`rank_descending`].
/// `n = 0` gives 0 and `n ≥ N` gives 1. `NaN` for invalid counts.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::top_n_share;
/// assert_eq!(top_n_share(&[10.0, 30.0, 20.0, 20.0, 20.0], 2), 0.5);
/// ```
///
/// # References
///
/// Weisburd (2015), "The law of crime concentration and the criminology of place", *Criminology*
/// 53(2):133–157; methods note §4.4.
pub fn top_n_share(counts: &[f64], n: usize) -> f64 {
    let Some((sorted, total)) = sorted_valid(counts, true) else {
        return f64::NAN;
    };
    if n >= sorted.len() {
        return 1.0;
    }
    sorted[..n].iter().sum::<f64>() / total
}

/// Expected share held by the top `top` of `n_areas` areas when every area has the same
/// expected count:
/// `E[sum of the top largest] / E[sum of all]` for `n_areas` i.i.d. Poisson(λ = total/n_areas)
/// counts.
///
/// The null for a "top-5 wards hold 48%" claim: even with equal rates the busiest areas in a
/// period hold more than `top/n_areas` by chance (the regression-to-the-mean trap of
/// methods.md §4.4). Computed exactly and deterministically from the Poisson order statistics:
/// `E[sum of the m largest] = Σ_k E[min(m, M_k)]` with `M_k ~ Binomial(n_areas, P(X > k))`,
/// truncated where the omitted terms are negligible (`k` within λ ± (40√λ + 40), binomial
/// terms within ±(40 SD + 40) of their mean).
///
/// **Approximation:** the total is treated as Poisson (ratio of expectations) rather than fixed
/// at `total` (multinomial). Against a 20,000-draw Monte Carlo of the multinomial the value is
/// within 0.0004 for totals of 100 or more (1000 in 20 areas: 0.29354 vs 0.29364 ± 0.00006);
/// it drifts for very small totals, either way (12 in 4 areas, top 1: 0.4033 vs 0.4059; 7 in
/// 50 areas, top 5: 0.733 vs 0.772), where a top-`n` share says little anyway
/// (`tests/PROVENANCE_concentration.md`). `NaN` if `n_areas = 0` or `total = 0`; 1 if
/// `top ≥ n_areas`.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::poisson_null_top_n_share;
/// let share = poisson_null_top_n_share(1000, 20, 5);
/// // more than the 25% an exactly even split would give, by chance alone
/// assert!(share > 0.25 && share < 0.30);
/// ```
///
/// # References
///
/// The null of a top-N share claim (regression to the mean, methods note §4.4); the expected
/// order statistics are derived above and checked against a multinomial Monte Carlo
/// (`tests/PROVENANCE_concentration.md`).
pub fn poisson_null_top_n_share(total: u64, n_areas: usize, top: usize) -> f64 {
    if n_areas == 0 || total == 0 {
        return f64::NAN;
    }
    if top >= n_areas {
        return 1.0;
    }
    let sums = poisson_expected_top_sums(total as f64 / n_areas as f64, n_areas);
    sums[top] / sums[n_areas]
}

/// The mean above which [`poisson_expected_top_sums`] uses a scaled proxy (see there).
const PROXY_LAMBDA: f64 = 1e5;

/// `E[T_m]` for `m = 0..=n`, `T_m` the sum of the `m` largest of `n` i.i.d. Poisson(`lambda`).
///
/// `T_m = Σ_{k≥0} min(m, M_k)` with `M_k = #{areas with count > k} ~ Binomial(n, S(k))`,
/// `S(k) = P(X > k)`, so `E[T_m] = Σ_k Σ_{j<m} P(M_k > j)`.
///
/// Above [`PROXY_LAMBDA`] the sums come from the affine proxy `λ + √(λ/λ₀)·(Y − λ₀)`,
/// `Y ~ Poisson(λ₀)`: order statistics follow an increasing affine map exactly, and the proxy
/// differs from Poisson(λ) only in skewness (1/√λ₀ against 1/√λ), which moves a top-`m`
/// share by less than 1e-4 relative. This keeps the work and memory bounded (the exact sum
/// spans about 21√λ values of `k`: 8 GB for a total of 2^53 in four areas).
fn poisson_expected_top_sums(lambda: f64, n: usize) -> Vec<f64> {
    let sums = vec![0.0; n + 1];
    if n == 0 || !(lambda > 0.0 && lambda.is_finite()) {
        return sums;
    }
    if lambda > PROXY_LAMBDA {
        let scale = (lambda / PROXY_LAMBDA).sqrt();
        let shift = lambda - scale * PROXY_LAMBDA;
        return exact_top_sums(PROXY_LAMBDA, n)
            .iter()
            .enumerate()
            .map(|(m, t)| m as f64 * shift + scale * t)
            .collect();
    }
    exact_top_sums(lambda, n)
}

/// Fill `values` with a unimodal pmf from its log-value at index `mode` and the ratio
/// `ratio(i) = p(i + 1) / p(i)`: upwards by multiplying, downwards by dividing, so every term
/// costs one multiplication and the relative rounding error grows by about one ulp a step
/// (below 1e-12 over the few thousand steps used here). Terms that underflow are 0.
fn pmf_outwards(values: &mut [f64], mode: usize, ln_at_mode: f64, ratio: impl Fn(usize) -> f64) {
    let at_mode = ln_at_mode.exp();
    values[mode] = at_mode;
    let mut p = at_mode;
    for i in mode..values.len() - 1 {
        p *= ratio(i);
        values[i + 1] = p;
    }
    p = at_mode;
    for i in (0..mode).rev() {
        p /= ratio(i);
        values[i] = p;
    }
}

/// Relative size of the last Poisson pmf term [`exact_top_sums`] keeps on either side of the
/// mode. Beyond it the pmf falls at least geometrically, so each tail holds less than about
/// `1e-24·√λ` of the mass: areas above the range, or below it counted as surely above, move a
/// top-`m` sum by less than 1e-17 relative for up to 10⁶ areas.
const POISSON_SUPPORT_CUTOFF: f64 = 1e-24;

/// The range `[k_lo, k_hi]` of counts whose Poisson(λ) pmf is at least
/// [`POISSON_SUPPORT_CUTOFF`] times the pmf at the mode, found by walking the ratio
/// `p(k+1)/p(k) = λ/(k+1)` outwards (about ±10.5√λ + a few values; λ > 0 finite).
fn poisson_support(lambda: f64) -> (u64, u64) {
    let mode = lambda.floor() as u64;
    let mut k_hi = mode;
    let mut rel = 1.0;
    while rel >= POISSON_SUPPORT_CUTOFF {
        rel *= lambda / (k_hi as f64 + 1.0);
        k_hi += 1;
    }
    let mut k_lo = mode;
    rel = 1.0;
    while k_lo > 0 && rel >= POISSON_SUPPORT_CUTOFF {
        rel *= k_lo as f64 / lambda;
        k_lo -= 1;
    }
    (k_lo, k_hi)
}

/// [`poisson_expected_top_sums`] from the Poisson distribution itself (any finite λ > 0).
fn exact_top_sums(lambda: f64, n: usize) -> Vec<f64> {
    let mut sums = vec![0.0; n + 1];
    let (k_lo, k_hi) = poisson_support(lambda);
    let len = (k_hi - k_lo + 2) as usize;
    // The Poisson pmf by its ratio p(k+1)/p(k) = λ/(k+1), outwards from the mode (one exact
    // log-density there): a multiplication per term instead of a log-gamma.
    let mut pmf = vec![0.0; len];
    let mode = (lambda.floor() as u64).clamp(k_lo, k_lo + len as u64 - 1);
    pmf_outwards(
        &mut pmf,
        (mode - k_lo) as usize,
        ln_dpois(mode as f64, lambda),
        |i| lambda / ((k_lo + i as u64) as f64 + 1.0),
    );
    // cdf[i] = P(k_lo ≤ X ≤ k_lo + i) ≈ P(X ≤ k); sf[i] = P(X > k_lo + i), each summed from its
    // own small side so both stay accurate in their tails.
    let mut cdf = vec![0.0; len];
    let mut acc = 0.0;
    for i in 0..len {
        acc += pmf[i];
        cdf[i] = acc;
    }
    let mut sf = vec![0.0; len];
    for i in (0..len - 1).rev() {
        sf[i] = sf[i + 1] + pmf[i + 1];
    }

    // T(m) = m·slope(m) + level(m) + explicit(m), slope and level as difference arrays.
    let mut slope = vec![0.0f64; n + 2];
    let mut level = vec![0.0f64; n + 2];
    let mut explicit = vec![0.0f64; n + 1];
    slope[0] += k_lo as f64;
    slope[n + 1] -= k_lo as f64;
    let nf = n as f64;
    let mut binom = Vec::new();
    let mut tail = Vec::new();
    for i in 0..len - 1 {
        let (s, f) = (sf[i], cdf[i]);
        if s <= 0.0 {
            break;
        }
        let mean = nf * s;
        let bsd = (nf * s * f).sqrt();
        let a = (mean - 40.0 * bsd - 40.0).floor().max(0.0) as usize;
        let b = ((mean + 40.0 * bsd + 40.0).ceil() as usize).min(n);
        binom.clear();
        if f > 0.0 {
            // By the ratio p(j+1)/p(j) = (n − j)/(j + 1) · s/f, outwards from the mode.
            binom.resize(b - a + 1, 0.0);
            let odds = s / f;
            let mode = (((n + 1) as f64 * s).floor() as usize).clamp(a, b);
            pmf_outwards(
                &mut binom,
                mode - a,
                ln_dbinom(mode as f64, nf, s, f),
                |i| (n - (a + i)) as f64 / ((a + i) as f64 + 1.0) * odds,
            );
        } else {
            binom.extend((a..=b).map(|j| ln_dbinom(j as f64, nf, s, f).exp()));
        }
        // tail[j − a] = P(M > j) for j in a..b
        tail.clear();
        tail.resize(b - a, 0.0);
        let mut above = 0.0;
        for j in (a..b).rev() {
            above += binom[j + 1 - a];
            tail[j - a] = above;
        }
        // E[min(m, M)] = min(m, a) + Σ_{j=a}^{min(m,b)−1} P(M > j)
        slope[0] += 1.0;
        slope[a + 1] -= 1.0;
        level[a + 1] += a as f64;
        let mut running = 0.0;
        for m in a + 1..=b {
            running += tail[m - 1 - a];
            explicit[m] += running;
        }
        level[b + 1] += running;
    }
    let (mut sl, mut lv) = (0.0, 0.0);
    for m in 0..=n {
        sl += slope[m];
        lv += level[m];
        sums[m] = m as f64 * sl + lv + explicit[m];
    }
    sums
}

/// Fisher's exact test, two-sided, for the 2×2 table `[[a, b], [c, d]]` (no zero margin).
///
/// p = Σ P(table) over tables with the same margins whose probability is at most
/// `P(observed)·(1 + 1e-7)` (R `fisher.test`'s tolerance for equal probabilities; scipy uses
/// 1e-14, which only differs for probabilities equal to 7+ significant digits but not exactly).
fn fisher_two_sided(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let r = a + b; // first row total
    let bl = c + d; // second row total
    let n = a + c; // first column total
    let lo = n.saturating_sub(bl);
    let hi = n.min(r);
    let lp = |x: u64| ln_dhyper(x, r, bl, n);
    let l_obs = lp(a);
    let cutoff = l_obs + 1e-7f64.ln_1p();
    // Mode of the hypergeometric; the pmf is log-concave, so it rises to the mode and falls
    // after it, and the tables at least as extreme form a left and a right tail.
    let mode = (((n + 1) as f64 * (r + 1) as f64) / ((r + bl + 2) as f64)).floor() as u64;
    let mode = mode.clamp(lo, hi);
    // Sum of exp(lp(x) − l_obs) from `start` outwards (towards `lo` if `down`, else `hi`),
    // stopping once the rest of the tail is below 1e-17 of the sum.
    let walk = |start: u64, down: bool| -> f64 {
        let mut sum = 0.0;
        let mut x = start;
        let mut prev = lp(x);
        loop {
            sum += (prev - l_obs).exp();
            if (down && x == lo) || (!down && x == hi) {
                break;
            }
            x = if down { x - 1 } else { x + 1 };
            let next = lp(x);
            let ratio = (next - prev).exp();
            prev = next;
            // Log-concave: later ratios are smaller, so the rest is < term·ratio/(1 − ratio).
            let term = (next - l_obs).exp();
            if ratio < 1.0 && term / (1.0 - ratio) < 1e-17 * sum {
                sum += term;
                break;
            }
        }
        sum
    };
    // Right tail: first x in [from, hi] (pmf falling past the mode) with lp(x) ≤ cutoff, by
    // bisection; left tail: last such x in [lo, from]. None if there is none.
    let first_below_right = |from: u64| -> Option<u64> {
        if lp(hi) > cutoff {
            return None;
        }
        let (mut l, mut h) = (from, hi); // lp(h) ≤ cutoff
        while l < h {
            let mid = l + (h - l) / 2;
            if lp(mid) <= cutoff {
                h = mid
            } else {
                l = mid + 1
            }
        }
        Some(l)
    };
    let first_below_left = |from: u64| -> Option<u64> {
        if lp(lo) > cutoff {
            return None;
        }
        let (mut l, mut h) = (lo, from); // lp(l) ≤ cutoff
        while l < h {
            let mid = l + (h - l).div_ceil(2);
            if lp(mid) <= cutoff {
                l = mid
            } else {
                h = mid - 1
            }
        }
        Some(l)
    };
    let total = if lp(mode) <= cutoff {
        // Observed is (within tolerance) as likely as the mode: every table counts.
        return 1.0;
    } else if a < mode {
        walk(a, true) + first_below_right(mode).map_or(0.0, |x| walk(x, false))
    } else {
        walk(a, false) + first_below_left(mode).map_or(0.0, |x| walk(x, true))
    };
    (l_obs + total.ln()).exp().min(1.0)
}

// ---------------------------------------------------------------------------------------------
// Change in share between two periods (sppt_diff).

/// Test used by [`share_change_test`] on each area's 2×2 table.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::{share_change_test, ShareTest};
/// let chi = share_change_test(&[30, 10], &[10, 30], ShareTest::ChiSquaredNMinus1);
/// let fisher = share_change_test(&[30, 10], &[10, 30], ShareTest::Fisher);
/// assert!(chi[0].p_value < 0.001 && fisher[0].p_value < 0.001);
/// ```
///
/// # References
///
/// Campbell (2007), "Chi-squared and Fisher–Irwin tests of two-by-two tables with small sample
/// recommendations", *Statistics in Medicine* 26(19):3661–3675 (the N − 1 χ²); Wheeler, Steenbeek &
/// Andresen (2018), "Testing for similarity in area-based spatial patterns: alternative methods to
/// Andresen's spatial point pattern test", *Transactions in GIS* 22(3):760–774; R `sppt::sppt_diff`
/// (`test = "Chi2_Nmin1"` or `"Fisher"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareTest {
    /// Pearson χ² without continuity correction, multiplied by `(N − 1)/N` (the "N − 1" χ² of
    /// Campbell 2007), upper tail of χ² with 1 df. The `sppt_diff` default (`"Chi2_Nmin1"`).
    ChiSquaredNMinus1,
    /// Fisher's exact test, two-sided (as `scipy.stats.fisher_exact` and R `fisher.test`).
    Fisher,
}

crate::choice::choice!(ShareTest, "test", {
    ChiSquaredNMinus1 => "chi2" | "chi2_nmin1" | "chi_squared",
    Fisher => "fisher",
});

/// One area's result from [`share_change_test`].
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::{share_change_test, ShareTest};
/// let r = share_change_test(&[30, 10], &[10, 30], ShareTest::Fisher)[1];
/// assert_eq!((r.share_before, r.share_after, r.s_index), (0.25, 0.75, 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShareChange {
    /// Area's share of all incidents in the first period, `n_i0 / N0` (`NaN` if `N0 = 0`).
    pub share_before: f64,
    /// Area's share of all incidents in the second period, `n_i1 / N1` (`NaN` if `N1 = 0`).
    pub share_after: f64,
    /// χ²·(N − 1)/N for [`ShareTest::ChiSquaredNMinus1`]; the sample odds ratio
    /// `n_i0·(N1 − n_i1) / ((N0 − n_i0)·n_i1)` for [`ShareTest::Fisher`] (`inf` when the
    /// denominator is 0, as scipy). `NaN` when the area cannot be tested.
    pub statistic: f64,
    /// Unadjusted two-sided p-value; `NaN` when the area cannot be tested.
    pub p_value: f64,
    /// Benjamini–Yekutieli adjusted p-value over the testable areas; `NaN` when not tested.
    pub p_adjusted: f64,
    /// +1: share rose significantly (`p_adjusted < 0.05`); −1: fell significantly; 0 otherwise.
    pub s_index: i8,
}

/// Per-area test of whether the area's **share** of incidents changed between two periods.
///
/// For area `i` the 2×2 table is `[[n_i0, N0 − n_i0], [n_i1, N1 − n_i1]]` (rows = periods,
/// `N0`, `N1` the period totals). The test is [`ShareTest::ChiSquaredNMinus1`]
/// (`χ²·(N − 1)/N`, `N = N0 + N1`, `p = P(χ²₁ > stat)`, [`chi2_sf`]) or
/// [`ShareTest::Fisher`] (two-sided). p-values are adjusted with [`benjamini_yekutieli`] across
/// the testable areas. `s_index` is +1 if the share rose (`share_after > share_before`) with
/// `p_adjusted < 0.05`, −1 if it fell, else 0.
///
/// **Sign:** `sppt_diff`'s `SIndex` is +1 when the *first* period's share is higher; our
/// `s_index` is its `localS` (+1 = increase over time), as the brief of this crate asks.
///
/// **Untestable areas** (a zero margin: no incidents in the area in either period, all
/// incidents in the area in both periods, or an empty period) get `NaN` statistic and p-values,
/// `s_index = 0`, and are left out of the multiple-testing family, which is what `sppt_diff`'s
/// default does (R's `chisq.test` gives `NaN` and `p.adjust` drops it). With `Fisher`,
/// `sppt_diff` would instead give such areas p = 1 and count them in the family.
///
/// # Panics
/// If `before` and `after` have different lengths.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::{share_change_test, ShareTest};
/// let before = [50, 50, 50, 50, 0];
/// let after = [20, 50, 50, 80, 0];
/// let res = share_change_test(&before, &after, ShareTest::ChiSquaredNMinus1);
/// assert_eq!(res[0].s_index, -1);
/// assert_eq!(res[3].s_index, 1);
/// assert_eq!(res[1].s_index, 0);
/// assert!(res[4].p_value.is_nan()); // no incidents in either period: not tested
/// ```
///
/// # References
///
/// Wheeler, Steenbeek & Andresen (2018), "Testing for similarity in area-based spatial
/// patterns: alternative methods to Andresen's spatial point pattern test", *Transactions in GIS*
/// 22(3):760–774; R `sppt::sppt_diff` (methods note §4.5); Campbell (2007)
/// for the N − 1 χ²; Fisher's test as `scipy.stats.fisher_exact` and R `fisher.test`;
/// Benjamini & Yekutieli (2001) for the adjustment. Checked against scipy and statsmodels
/// (`tests/PROVENANCE_concentration.md`).
pub fn share_change_test(before: &[u64], after: &[u64], test: ShareTest) -> Vec<ShareChange> {
    assert_eq!(
        before.len(),
        after.len(),
        "share_change_test: {} areas before but {} after",
        before.len(),
        after.len()
    );
    let n0: u64 = before.iter().sum();
    let n1: u64 = after.iter().sum();
    let mut out: Vec<ShareChange> = before
        .iter()
        .zip(after)
        .map(|(&a, &c)| {
            let (b, d) = (n0 - a, n1 - c);
            let share_before = if n0 > 0 {
                a as f64 / n0 as f64
            } else {
                f64::NAN
            };
            let share_after = if n1 > 0 {
                c as f64 / n1 as f64
            } else {
                f64::NAN
            };
            let testable = n0 > 0 && n1 > 0 && a + c > 0 && b + d > 0;
            let (statistic, p_value) = if !testable {
                (f64::NAN, f64::NAN)
            } else {
                match test {
                    ShareTest::ChiSquaredNMinus1 => {
                        let det = a as i128 * d as i128 - b as i128 * c as i128;
                        let det = det as f64;
                        let big_n = (n0 + n1) as f64;
                        let denom = n0 as f64 * n1 as f64 * (a + c) as f64 * (b + d) as f64;
                        let stat = (big_n - 1.0) * det * det / denom;
                        (stat, chi2_sf(stat, 1.0))
                    }
                    ShareTest::Fisher => {
                        let odds = if c > 0 && b > 0 {
                            (a as f64 * d as f64) / (c as f64 * b as f64)
                        } else {
                            f64::INFINITY
                        };
                        (odds, fisher_two_sided(a, b, c, d))
                    }
                }
            };
            ShareChange {
                share_before,
                share_after,
                statistic,
                p_value,
                p_adjusted: f64::NAN,
                s_index: 0,
            }
        })
        .collect();
    let p: Vec<f64> = out.iter().map(|r| r.p_value).collect();
    let adjusted = benjamini_yekutieli(&p);
    for (r, q) in out.iter_mut().zip(adjusted) {
        r.p_adjusted = q;
        if q < 0.05 {
            if r.share_after > r.share_before {
                r.s_index = 1;
            } else if r.share_after < r.share_before {
                r.s_index = -1;
            }
        }
    }
    out
}

/// `true` for areas with at least one incident in either period: the areas kept by the
/// "robust" global similarity of `sppt_diff` (`SIndex.robust`).
///
/// # Panics
/// If `before` and `after` have different lengths.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::robust_mask;
/// assert_eq!(robust_mask(&[0, 3, 0], &[0, 0, 1]), vec![false, true, true]);
/// ```
///
/// # References
///
/// Wheeler, Steenbeek & Andresen (2018), "Testing for similarity in area-based spatial
/// patterns: alternative methods to Andresen's spatial point pattern test", *Transactions in GIS*
/// 22(3):760–774; R `sppt::sppt_diff` (`SIndex.robust`).
pub fn robust_mask(before: &[u64], after: &[u64]) -> Vec<bool> {
    assert_eq!(before.len(), after.len(), "robust_mask: lengths differ");
    before.iter().zip(after).map(|(a, c)| a + c > 0).collect()
}

/// Global similarity index `S = mean over areas of (1 − |s_index|)`: the share of areas whose
/// share of incidents did not change significantly.
///
/// As `sppt_diff`'s `globalS`. With
/// `robust_mask = Some(mask)` only areas with `mask[i] == true` count (`globalS.robust`: pass
/// [`robust_mask`] to drop areas with no incidents in either period). `NaN` if no area counts.
///
/// # Panics
/// If the mask's length differs from the number of areas.
///
/// # Examples
///
/// ```
/// use saferstats::stats::concentration::{global_similarity, robust_mask, share_change_test, ShareTest};
/// let (before, after) = ([50, 50, 50, 50, 0], [20, 50, 50, 80, 0]);
/// let res = share_change_test(&before, &after, ShareTest::ChiSquaredNMinus1);
/// assert_eq!(global_similarity(&res, None), 0.6);
/// let mask = robust_mask(&before, &after);
/// assert_eq!(global_similarity(&res, Some(&mask)), 0.5);
/// ```
///
/// # References
///
/// Wheeler, Steenbeek & Andresen (2018), "Testing for similarity in area-based spatial
/// patterns: alternative methods to Andresen's spatial point pattern test", *Transactions in GIS*
/// 22(3):760–774; R `sppt::sppt_diff` (`globalS`, `globalS.robust`).
pub fn global_similarity(changes: &[ShareChange], robust_mask: Option<&[bool]>) -> f64 {
    if let Some(mask) = robust_mask {
        assert_eq!(
            mask.len(),
            changes.len(),
            "global_similarity: mask has {} entries for {} areas",
            mask.len(),
            changes.len()
        );
    }
    let (mut kept, mut similar) = (0usize, 0usize);
    for (i, ch) in changes.iter().enumerate() {
        if robust_mask.is_none_or(|m| m[i]) {
            kept += 1;
            if ch.s_index == 0 {
                similar += 1;
            }
        }
    }
    if kept == 0 {
        f64::NAN
    } else {
        similar as f64 / kept as f64
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::multiple_testing::benjamini_hochberg;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300) || (a - b).abs() <= tol
    }

    fn x1() -> Vec<f64> {
        let mut x = vec![3.0, 1.0, 1.0];
        x.extend([0.0; 7]);
        x
    }

    fn x2() -> Vec<f64> {
        let mut x = vec![5.0, 2.0, 1.0];
        x.extend([0.0; 7]);
        x
    }

    #[test]
    fn large_means_use_a_bounded_proxy_within_its_stated_error() {
        // Just above the threshold the proxy agrees with the exact sums to 1e-4 relative on
        // the excess over an even split (the part the proxy approximates).
        for n in [4usize, 20, 300] {
            let lambda = 4.0 * PROXY_LAMBDA;
            let exact = exact_top_sums(lambda, n);
            let proxy = poisson_expected_top_sums(lambda, n);
            for m in 1..n {
                let (e, p) = (exact[m] - m as f64 * lambda, proxy[m] - m as f64 * lambda);
                assert!(
                    (e - p).abs() <= 1e-3 * e.abs() + 1e-6 * exact[m],
                    "n {n} m {m}: {e} {p}"
                );
            }
        }
        // A total of 2^53 in four areas: finite, just above an even split, no huge allocation.
        let share = poisson_null_top_n_share(1u64 << 53, 4, 1);
        assert!(share > 0.25 && share < 0.25 + 1e-6, "{share}");
    }

    #[test]
    fn methods_check_values_are_exact_decimals() {
        // methods.md §4.2: these are exact (not rounded) values of the formulas.
        assert!(close(gini(&x1()), 0.78, 1e-14));
        assert!(close(generalised_gini(&x1()), 0.56, 1e-14));
        assert!(close(generalised_gini_unbiased(&x1()), 0.70, 1e-14));
        assert!(close(gini(&x2()), 0.80, 1e-14));
        assert!(close(generalised_gini(&x2()), 0.75, 1e-14));
    }

    #[test]
    fn lorenzgini_docstring_examples() {
        let mut x = vec![10.0, 8.0, 2.0];
        x.extend([0.0; 7]);
        assert!(close(gini(&x), 0.78, 1e-14));
        assert!(close(generalised_gini(&x), 0.78, 1e-14));
        let mut y = vec![10.0];
        y.extend([0.0; 9]);
        assert!(close(gini(&y), 0.9, 1e-14));
        assert!(close(gini_unbiased(&y), 1.0, 1e-14));
        let mut z = vec![10.0];
        z.extend([0.0; 99]);
        assert!(close(gini(&z), 0.99, 1e-14));
        assert!(close(gini_unbiased(&z), 1.0, 1e-14));
    }

    #[test]
    fn gini_invariants() {
        assert_eq!(gini(&[2.0; 7]), 0.0);
        assert!(gini(&[]).is_nan());
        assert!(gini(&[0.0, 0.0]).is_nan());
        assert!(gini(&[1.0, -1.0, 3.0]).is_nan());
        assert!(gini(&[1.0, f64::NAN]).is_nan());
        assert!(gini_unbiased(&[3.0]).is_nan());
        // order does not matter
        let mut x = x2();
        x.reverse();
        assert_eq!(gini(&x), gini(&x2()));
        // Gini = 1 − 2·(area under the ascending Lorenz curve) for the trapezoid rule
        let curve = lorenz_curve(&x);
        let area: f64 = curve
            .windows(2)
            .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
            .sum();
        assert!(close(gini(&x), 1.0 - 2.0 * area, 1e-14));
    }

    #[test]
    fn lorenz_curve_shape() {
        let curve = lorenz_curve(&[1.0, 2.0, 7.0]);
        assert_eq!(curve.len(), 4);
        assert_eq!(curve[0], (0.0, 0.0));
        assert_eq!(curve[3], (1.0, 1.0));
        assert!(close(curve[1].1, 0.1, 1e-15) && close(curve[2].1, 0.3, 1e-15));
        assert!(lorenz_curve(&[0.0, 0.0]).is_empty());
    }

    #[test]
    fn expected_top_sums_total_and_small_cases() {
        // E[sum] = n·λ; E[max of one] = λ
        for &(lambda, n) in &[(0.3, 50usize), (2.5, 7), (40.0, 12), (1e4, 3)] {
            let t = poisson_expected_top_sums(lambda, n);
            assert!(
                close(t[n], lambda * n as f64, 1e-12),
                "{lambda} {n}: {}",
                t[n]
            );
            assert!(t.windows(2).all(|w| w[1] >= w[0]));
        }
        let t = poisson_expected_top_sums(3.0, 1);
        assert!(close(t[1], 3.0, 1e-13));
        // Two i.i.d. Poisson(λ): E[max] = λ + E|X − Y|/2, E|X − Y| = 2λ·e^{−2λ}(I0(2λ) + I1(2λ)).
        // For λ = 1: I0(2) = 2.2795853023360673, I1(2) = 1.590636854637329 (scipy.special.iv).
        let t = poisson_expected_top_sums(1.0, 2);
        let e_abs = 2.0 * (-2.0f64).exp() * (2.279_585_302_336_067_3 + 1.590_636_854_637_329);
        assert!(close(t[1], 1.0 + e_abs / 2.0, 1e-13), "{}", t[1]);
    }

    #[test]
    fn expected_curve_approaches_population_curve() {
        // Large N: the baseline area tends to safer-streets' population Lorenz curve of
        // Poisson(λ), whose descending area is 1 − Σ_k ... computed here from its vertices.
        let lambda = 0.5;
        let n = 20000;
        let t = poisson_expected_top_sums(lambda, n);
        let finite = descending_area(&t);
        // population descending curve: vertices (S(k), E[X; X > k]/λ) for k = −1, 0, 1, ...
        let mut pts = vec![(0.0, 0.0)];
        let mut pk = (-lambda).exp();
        let mut cdf = pk;
        let mut mean_le = 0.0; // E[X; X ≤ k]
        for k in 0..60 {
            if k > 0 {
                pk *= lambda / k as f64;
                cdf += pk;
                mean_le += k as f64 * pk;
            }
            pts.push((1.0 - cdf, 1.0 - mean_le / lambda));
        }
        pts.push((1.0, 1.0));
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let pop: f64 = pts
            .windows(2)
            .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
            .sum();
        assert!((finite - pop).abs() < 1e-3, "{finite} vs {pop}");
    }

    #[test]
    fn poisson_baseline_gini_behaviour() {
        let mut one = vec![0.0; 25];
        one[7] = 12.0;
        assert!(close(poisson_baseline_gini(&one), 1.0, 1e-12));
        assert!(poisson_baseline_gini(&[5.0; 30]) < 0.0);
        assert!(poisson_baseline_gini(&[5.0]).is_nan());
        // equivalence with the Gini form (G − G0)/(Gmax − G0)
        let x = [0.0, 3.0, 1.0, 0.0, 7.0, 2.0, 2.0, 0.0, 1.0, 0.0];
        let n = x.len();
        let t = poisson_expected_top_sums(16.0 / n as f64, n);
        let g0 = 2.0 * descending_area(&t) - 1.0;
        let gmax = 1.0 - 1.0 / n as f64;
        assert!(close(
            poisson_baseline_gini(&x),
            (gini(&x) - g0) / (gmax - g0),
            1e-12
        ));
    }

    #[test]
    fn thresholds_and_top_share() {
        let t = areas_holding(&[10.0, 10.0, 10.0, 10.0]);
        assert_eq!(t.areas_for_25, 1.0);
        assert_eq!(t.areas_for_50, 2.0);
        assert_eq!(t.fraction_for_25, 0.25);
        let t = areas_holding(&[1.0, 0.0, 6.0, 3.0]);
        // 25% of 10 = 2.5 → 2.5/6 of the top area; 50% = 5 → 5/6
        assert!(close(t.areas_for_25, 2.5 / 6.0, 1e-15));
        assert!(close(t.areas_for_50, 5.0 / 6.0, 1e-15));
        let t = areas_holding(&[4.0, 3.0, 3.0]);
        // 50% = 5: 4 from the first, then 1/3 of the second
        assert!(close(t.areas_for_50, 1.0 + 1.0 / 3.0, 1e-15));
        assert!(areas_holding(&[]).areas_for_50.is_nan());
        assert_eq!(top_n_share(&[1.0, 2.0, 3.0], 0), 0.0);
        assert_eq!(top_n_share(&[1.0, 2.0, 3.0], 5), 1.0);
        assert!(top_n_share(&[0.0, 0.0], 1).is_nan());
    }

    #[test]
    fn ranking_is_independent_of_row_order() {
        let counts = [3.0, 7.0, 3.0, f64::NAN, 7.0];
        let keys = ["c", "b", "a", "z", "a"];
        let order = rank_descending(&counts, &keys);
        assert_eq!(order, vec![4, 1, 2, 0, 3]);
        let perm = [2usize, 0, 4, 3, 1];
        let counts2: Vec<f64> = perm.iter().map(|&i| counts[i]).collect();
        let keys2: Vec<&str> = perm.iter().map(|&i| keys[i]).collect();
        let order2: Vec<&str> = rank_descending(&counts2, &keys2)
            .into_iter()
            .map(|i| keys2[i])
            .collect();
        let order1: Vec<&str> = order.into_iter().map(|i| keys[i]).collect();
        assert_eq!(order1, order2);
    }

    #[test]
    fn null_top_share() {
        assert_eq!(poisson_null_top_n_share(10, 5, 5), 1.0);
        assert!(poisson_null_top_n_share(0, 5, 1).is_nan());
        assert!(poisson_null_top_n_share(10, 0, 1).is_nan());
        assert_eq!(poisson_null_top_n_share(10, 5, 0), 0.0);
        // With λ huge the chance excess over top/n vanishes relative to 1
        let s = poisson_null_top_n_share(100_000_000, 10, 5);
        assert!(s > 0.5 && s < 0.5005, "{s}");
    }

    #[test]
    fn fisher_matches_known_values() {
        // scipy docstring: fisher_exact([[8, 2], [1, 5]]) p = 0.034965034965034975
        assert!(close(
            fisher_two_sided(8, 2, 1, 5),
            0.034_965_034_965_034_975,
            1e-13
        ));
        // R: fisher.test(matrix(c(3,1,1,3),2)) p = 0.4857142857142857 (= 17/35)
        assert!(close(fisher_two_sided(3, 1, 1, 3), 17.0 / 35.0, 1e-13));
        // symmetric table: p = 1
        assert_eq!(fisher_two_sided(2, 2, 2, 2), 1.0);
        // large counts stay finite and symmetric under transposition
        let p1 = fisher_two_sided(1200, 48_000, 1500, 47_000);
        let p2 = fisher_two_sided(1200, 1500, 48_000, 47_000);
        assert!(close(p1, p2, 1e-10) && p1 > 0.0 && p1 < 1e-6, "{p1} {p2}");
    }

    #[test]
    fn ln_dhyper_sums_to_one() {
        let (r, b, n) = (40u64, 25u64, 30u64);
        let s: f64 = (0..=n).map(|x| ln_dhyper(x, r, b, n).exp()).sum();
        assert!(close(s, 1.0, 1e-13));
        let s: f64 = (0..=12u64).map(|x| ln_dpois(x as f64, 0.0001).exp()).sum();
        assert!(close(s, 1.0, 1e-15));
    }

    #[test]
    fn share_change_untestable_and_directions() {
        let res = share_change_test(&[0, 0], &[0, 5], ShareTest::Fisher);
        assert!(res.iter().all(|r| r.p_value.is_nan() && r.s_index == 0));
        assert!(res[0].share_before.is_nan());
        // one area holds everything in both periods: not testable, others are
        let res = share_change_test(&[5, 0], &[7, 0], ShareTest::ChiSquaredNMinus1);
        assert!(res.iter().all(|r| r.p_value.is_nan()));
        let res = share_change_test(&[30, 10, 0], &[10, 30, 0], ShareTest::Fisher);
        assert_eq!(res[0].s_index, -1);
        assert_eq!(res[1].s_index, 1);
        assert!(res[2].p_adjusted.is_nan());
        // only the two testable areas form the family: c(2) = 1.5
        let raw = res[0].p_value;
        assert!(close(
            res[0].p_adjusted,
            (raw * 2.0 * 1.5 / 2.0).min(1.0),
            1e-12
        ));
    }

    #[test]
    fn fdr_matches_hand_values() {
        let q = benjamini_hochberg(&[0.5, f64::NAN, 0.01]);
        assert!(q[1].is_nan());
        assert!(close(q[2], 0.02, 1e-15) && close(q[0], 0.5, 1e-15));
        assert!(benjamini_yekutieli(&[]).is_empty());
        let q = benjamini_yekutieli(&[0.9, 0.8]);
        assert_eq!(q, vec![1.0, 1.0]);
    }
}
