//! Funnel-plot kernels: exact Poisson funnel limits (PHE's, the default, and Spiegelhalter's
//! interpolated quantiles), PHE's funnel for proportions, PHE's significance labels, and
//! Spiegelhalter's over-dispersion estimate for a peer group (`docs/methods.md`, "Peers").
//!
//! The Poisson limits take the same time for any expected count: each is a bracketed root
//! (Brent) of the regularised incomplete gamma function, taken from [`crate::stats::special`]
//! below a shape of 10,000 and from Temme's uniform asymptotic expansion above it, so a count
//! of 10⁷ or 2⁵³ costs what a count of 100 does (microseconds).
//!
//! ```
//! use saferstats::stats::funnel::{dispersion, phe_poisson_funnel, poisson_funnel_counts};
//! // A benchmark rate of 5 per 1,000 in an area of 20,000 people: 100 expected.
//! let (lo, hi) = phe_poisson_funnel(100.0, 0.001);
//! assert!(lo < 75.0 && hi > 125.0);
//! // Spiegelhalter's interpolated quantiles: about the same lower limit, an upper limit about
//! // one count lower.
//! let (slo, shi) = poisson_funnel_counts(100.0, 0.001);
//! assert!((slo - lo).abs() < 0.5 && hi - shi > 0.5 && hi - shi < 1.5);
//! assert_eq!(dispersion(&[100.0, 100.0], &[100.0, 100.0]).phi, 0.0);
//! ```

use serde::{Deserialize, Serialize};

use crate::stats::special::{brent, gamma_pq as gamma_tails, ln_dpois, normal_quantile};

/// Over-dispersion estimate for one peer group, the result of [`dispersion`].
///
/// # Examples
///
/// ```
/// use saferstats::stats::funnel::{dispersion, Dispersion};
/// // Every area exactly as expected: no variation at all, so φ = 0 and τ² = 0.
/// let d: Dispersion = dispersion(&[50.0, 100.0, 200.0], &[50.0, 100.0, 200.0]);
/// assert_eq!((d.phi, d.tau2, d.areas), (0.0, 0.0, 3));
/// ```
///
/// # References
///
/// Spiegelhalter (2005), "Handling over-dispersion of performance indicators", *Quality and
/// Safety in Health Care* 14(5):347–351 (additive random effects on the log scale, Winsorised
/// z-scores); as FunnelPlotR's log-ratio method (`docs/methods.md`, "Peers").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dispersion {
    /// φ: mean squared Winsorised z-score (1 under pure Poisson variation).
    pub phi: f64,
    /// τ²: between-area variance on the log scale (0 when φ·k ≤ k − 1).
    pub tau2: f64,
    /// Areas used.
    pub areas: usize,
}

/// Spiegelhalter's additive random-effects estimate of over-dispersion for ratios O/E.
///
/// On the log scale: z = √E·log(O/E) per area, Winsorised at the 10th and 90th percentiles
/// (R's type-7 quantiles); φ = Σz²/k; τ² = max(0, (kφ − (k − 1)) / (Σw − Σw²/Σw)), w = E.
/// Areas with O = 0 or E ≤ 0 are left out (their log ratio is undefined); `areas` counts the
/// others. Fewer than two usable areas give φ = NaN and τ² = 0. Pairs are taken in order up
/// to the shorter slice.
///
/// # Examples
///
/// ```
/// use saferstats::stats::funnel::dispersion;
/// let observed = [80.0, 120.0, 60.0, 140.0, 100.0, 0.0];
/// let expected = [100.0; 6];
/// let d = dispersion(&observed, &expected);
/// assert_eq!(d.areas, 5); // the zero count is left out
/// assert!(d.phi > 1.0); // far more spread than Poisson
/// // τ² = (kφ − (k − 1)) / (Σw − Σw²/Σw) with k = 5, w = 100 each.
/// assert!((d.tau2 - (5.0 * d.phi - 4.0) / (500.0 - 100.0)).abs() < 1e-12);
/// ```
///
/// # References
///
/// Spiegelhalter (2005), "Handling over-dispersion of performance indicators", *Quality and
/// Safety in Health Care* 14(5):347–351 (additive random effects on the log scale, Winsorised
/// z-scores); as FunnelPlotR's log-ratio method (`docs/methods.md`, "Peers").
pub fn dispersion(observed: &[f64], expected: &[f64]) -> Dispersion {
    // Areas with a positive, finite count and expectation and a finite z-score; the rest
    // (zero counts, infinities, overflowing ratios) carry no information on the spread.
    let (z, w): (Vec<f64>, Vec<f64>) = observed
        .iter()
        .zip(expected)
        .filter(|(o, e)| **o > 0.0 && **e > 0.0 && o.is_finite() && e.is_finite())
        .map(|(o, e)| (e.sqrt() * (o / e).ln(), *e))
        .filter(|(z, _)| z.is_finite())
        .unzip();
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

/// How the exact Poisson funnel limits are placed between integer counts ([`funnel_counts`]).
///
/// Both are exact Poisson limits and agree at integer counts on the lower limit; they differ in
/// which tail the upper limit counts the observed value in (see `docs/methods.md`, "Peers").
///
/// # Examples
///
/// ```
/// use saferstats::stats::funnel::FunnelMethod;
/// assert_eq!("PHE".parse::<FunnelMethod>()?, FunnelMethod::Phe);
/// assert_eq!("interpolated".parse::<FunnelMethod>()?, FunnelMethod::Spiegelhalter);
/// assert_eq!(FunnelMethod::Phe.to_string(), "phe");
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// PHEindicatormethods `calculate_funnel_limits` and `assign_funnel_significance` (tested
/// against their test data, `tests/PROVENANCE_phe.md`); Spiegelhalter (2005), *Statistics in
/// Medicine* 24(8):1185–1202, appendix A.1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunnelMethod {
    /// PHE's limits ([`phe_poisson_funnel`]), the default: a count is outside exactly when the
    /// exact one-sided Poisson test, P(X ≥ O) or P(X ≤ O), is below the tail probability.
    Phe,
    /// Spiegelhalter's interpolated quantiles ([`poisson_funnel_counts`]): the upper limit is
    /// about one count lower than PHE's, so a count at the boundary is flagged one count
    /// sooner.
    Spiegelhalter,
}

crate::choice::choice!(FunnelMethod, "funnel_method", {
    Phe => "phe" | "fingertips",
    Spiegelhalter => "spiegelhalter" | "interpolated",
});

/// Exact Poisson funnel limits `(lower, upper)`, as counts, for an expected count `expected` by
/// either method: [`phe_poisson_funnel`] or [`poisson_funnel_counts`].
///
/// # Examples
///
/// ```
/// use saferstats::stats::funnel::{funnel_counts, phe_poisson_funnel, FunnelMethod};
/// assert_eq!(funnel_counts(FunnelMethod::Phe, 100.0, 0.025), phe_poisson_funnel(100.0, 0.025));
/// ```
pub fn funnel_counts(method: FunnelMethod, expected: f64, tail: f64) -> (f64, f64) {
    match method {
        FunnelMethod::Phe => phe_poisson_funnel(expected, tail),
        FunnelMethod::Spiegelhalter => poisson_funnel_counts(expected, tail),
    }
}

/// PHE's exact Poisson funnel limits for an expected count `expected`: the counts
/// `(lower, upper)` at which the one-sided tail probability equals `tail` (0.025 and 0.001 for
/// PHE's 95% and 99.8% funnels), continuous in the count.
///
/// With the Poisson CDF continued to real counts by the regularised incomplete gamma function,
/// P(X ≤ c) = Q(c + 1, E) and P(X ≥ c) = P(c, E): the lower limit solves Q(c + 1, E) = `tail`
/// (0 when even a count of 0 is not unusually low, e^{−E} ≥ `tail`) and the upper limit solves
/// P(c, E) = `tail`. At an integer count O these are exactly the points of PHE's funnels (the
/// expected count at which O is on the limit, [`phe_poisson_funnel_expected`]), and an integer
/// count is outside a limit exactly when the exact one-sided test rejects: O > upper ⇔
/// P(X ≥ O) < `tail`, O < lower ⇔ P(X ≤ O) < `tail`, which is how PHE assigns significance.
/// Each root is bracketed from the normal approximation and found by Brent's method to full
/// double precision, in time that does not grow with `expected`. Divide by the denominator for
/// a rate, or by `expected` for a ratio.
///
/// `expected` ≤ 0 gives `(0, 0)`; a NaN or infinite `expected`, or `tail` outside (0, 0.5),
/// gives NaN.
///
/// # Examples
///
/// ```
/// use saferstats::stats::funnel::phe_poisson_funnel;
/// use saferstats::stats::special::{poisson_cdf, poisson_sf};
/// let (lo, hi) = phe_poisson_funnel(100.0, 0.025);
/// assert!(lo > 80.0 && lo < 81.0 && hi > 120.0 && hi < 121.0);
/// // 121 events is significantly high (P(X ≥ 121) < 0.025), 120 is not; 80 is low, 81 not.
/// assert!(poisson_sf(121, 100.0) < 0.025 && poisson_sf(120, 100.0) > 0.025);
/// assert!(poisson_cdf(80, 100.0) < 0.025 && poisson_cdf(81, 100.0) > 0.025);
/// // Any size of count, in microseconds.
/// let (lo, hi) = phe_poisson_funnel(1e12, 0.001);
/// let z = 3.090232306167813 * 1e6; // z₀.₉₉₉·√E
/// assert!((hi - 1e12 - z).abs() < 3.0 && (1e12 - lo - z).abs() < 3.0);
/// assert_eq!(phe_poisson_funnel(0.0, 0.025), (0.0, 0.0));
/// ```
///
/// # References
///
/// PHEindicatormethods `calculate_funnel_limits` (statistic "rate" or "ratio") and
/// `assign_funnel_significance`, reproduced on their test data (`tests/rust/phe_oracles.rs`,
/// `tests/PROVENANCE_phe.md`); Fingertips technical guidance (funnel plots, exact Poisson
/// limits); Temme (1979), "The asymptotic expansion of the incomplete gamma functions", *SIAM J.
/// Math. Anal.* 10(4):757–766, and DLMF §8.12 for large shapes.
pub fn phe_poisson_funnel(expected: f64, tail: f64) -> (f64, f64) {
    if expected.is_nan() || !expected.is_finite() || !(tail > 0.0 && tail < 0.5) {
        return (f64::NAN, f64::NAN);
    }
    if expected <= 0.0 {
        return (0.0, 0.0);
    }
    (
        phe_lower_count(expected, tail),
        phe_upper_count(expected, tail),
    )
}

/// PHE's funnel points: the expected counts `(on_lower, on_upper)` at which `observed` events
/// lie exactly on the lower and on the upper funnel limit at one-sided `tail`.
///
/// `on_lower` solves P(X ≤ O | E) = Q(O + 1, E) = `tail` (E > O) and `on_upper` solves
/// P(X ≥ O | E) = P(O, E) = `tail` (E < O): they are the exact (Garwood) upper and lower
/// confidence limits of the count at level 1 − 2·`tail`, and the inverse of
/// [`phe_poisson_funnel`]. PHE draws its rate and ratio funnels through these points: the
/// population at which O is a limit is E / benchmark rate, and the limit there is O / E as a
/// ratio (O / population as a rate). `observed` = 0 gives `(−ln tail, 0)`. Negative, NaN or
/// infinite `observed`, or `tail` outside (0, 0.5), gives NaN.
///
/// # Examples
///
/// ```
/// use saferstats::stats::funnel::{phe_poisson_funnel, phe_poisson_funnel_expected};
/// // One event is on the upper 95% limit when 0.0253 are expected: 1 − e^{−E} = 0.025.
/// let (on_lower, on_upper) = phe_poisson_funnel_expected(1.0, 0.025);
/// assert!((on_upper + (0.975_f64).ln()).abs() < 1e-14);
/// // ... and on the lower limit when 5.57 are expected: e^{−E}(1 + E) = 0.025.
/// assert!((on_lower - 5.571643390938898).abs() < 1e-12);
/// // The round trip through the funnel returns the count.
/// assert!((phe_poisson_funnel(on_lower, 0.025).0 - 1.0).abs() < 1e-9);
/// assert!((phe_poisson_funnel(on_upper, 0.025).1 - 1.0).abs() < 1e-9);
/// ```
///
/// # References
///
/// PHEindicatormethods `calculate_funnel_limits` (its funnel points, found there by
/// bisection); Garwood (1936), *Biometrika* 28:437–442.
pub fn phe_poisson_funnel_expected(observed: f64, tail: f64) -> (f64, f64) {
    if !(observed.is_finite() && observed >= 0.0 && tail > 0.0 && tail < 0.5) {
        return (f64::NAN, f64::NAN);
    }
    let z = normal_quantile(1.0 - tail);
    let spread = z * (observed + 1.0).sqrt();
    // Q(O + 1, E) falls from Q(O + 1, O) > ½ to 0 as E rises past O.
    let a = observed + 1.0;
    let on_lower = root(
        |e| tail - gamma_tails(a, e).1,
        observed + spread + z * z / 3.0,
        2.0 + 0.1 * spread,
        observed,
    );
    // P(O, E) rises from 0 at E = 0 to P(O, O) > ½.
    let on_upper = if observed == 0.0 {
        0.0
    } else {
        root(
            |e| gamma_tails(observed, e).0 - tail,
            (observed - spread + z * z / 3.0).max(0.5 * observed),
            2.0 + 0.1 * spread,
            0.0,
        )
    };
    (on_lower, on_upper)
}

/// The lower PHE limit: c ≥ 0 with Q(c + 1, E) = tail (increasing in c), or 0.
fn phe_lower_count(e: f64, tail: f64) -> f64 {
    if gamma_tails(1.0, e).1 >= tail {
        return 0.0; // even a count of 0 is not unusually low: e^{−E} ≥ tail
    }
    let z = normal_quantile(1.0 - tail);
    root(
        |c| gamma_tails(c + 1.0, e).1 - tail,
        e - z * e.sqrt() + (z * z - 4.0) / 6.0,
        2.0 + 0.01 * e.sqrt(),
        0.0,
    )
}

/// The upper PHE limit: c > 0 with P(c, E) = tail (decreasing in c; P(0⁺, E) = 1).
fn phe_upper_count(e: f64, tail: f64) -> f64 {
    let z = normal_quantile(1.0 - tail);
    root(
        |c| tail - gamma_tails(c, e).0,
        e + z * e.sqrt() + (z * z + 2.0) / 6.0,
        2.0 + 0.01 * e.sqrt(),
        f64::MIN_POSITIVE,
    )
}

/// Root of an increasing function `f` on (`floor`, ∞): a bracket `guess ± width` is widened (4×
/// a step) until `f` changes sign, then Brent's method to full precision. `floor` is returned
/// when `f(floor) ≥ 0`. The number of evaluations depends on how good the guess is, not on the
/// size of the root.
fn root(f: impl Fn(f64) -> f64, guess: f64, width: f64, floor: f64) -> f64 {
    let mut step = width;
    let mut lo = (guess - step).max(floor);
    let mut hi = (guess + step).max(floor + step);
    while f(lo) >= 0.0 {
        if lo <= floor {
            return floor;
        }
        hi = lo;
        step *= 4.0;
        lo = (lo - step).max(floor);
    }
    while f(hi) <= 0.0 {
        lo = hi;
        step *= 4.0;
        hi += step;
    }
    brent(&f, lo, hi, 0.0)
}

/// Spiegelhalter's exact Poisson funnel limits for an expected count `e`: the counts
/// `(lower, upper)` where the Poisson quantiles at `tail` and 1 − `tail` lie, interpolated
/// between integers (0.025 and 0.001 for the 95% and 99.8% funnels).
///
/// Each limit is the Poisson quantile `r` (smallest integer with P(X ≤ r) ≥ p, for p = `tail`
/// and 1 − `tail`) interpolated between integers, `r − (P(X ≤ r) − p) / P(X = r)`, so the
/// funnels are smooth in `e`; the lower limit is at least 0. Divide by the denominator for a
/// rate. `e ≤ 0` gives `(0, 0)`; a NaN or infinite `e`, or `tail` outside (0, 0.5), gives NaN.
///
/// The lower limit is within a fraction of a count of [`phe_poisson_funnel`]'s (both
/// interpolate P(X ≤ c) = `tail`); the upper limit, where P(X ≤ c) = 1 − `tail`, is about one
/// count below PHE's, where P(X ≥ c) = `tail`: a count equal to the quantile is flagged here
/// but not by PHE's exact test. The quantile `r` is found from the continuous root, so the
/// time does not grow with `e`.
///
/// # Examples
///
/// ```
/// use saferstats::stats::funnel::{phe_poisson_funnel, poisson_funnel_counts};
/// let (lo, hi) = poisson_funnel_counts(100.0, 0.025);
/// assert!(lo > 80.0 && lo < 81.0 && hi > 119.0 && hi < 120.0);
/// let (lo3, hi3) = poisson_funnel_counts(100.0, 0.001);
/// assert!(lo3 < lo && hi3 > hi); // the 99.8% funnel is wider
/// assert_eq!(poisson_funnel_counts(0.0, 0.025), (0.0, 0.0));
/// // PHE's upper limit is about one count higher.
/// let (_, phe_hi) = phe_poisson_funnel(100.0, 0.025);
/// assert!(phe_hi - hi > 0.5 && phe_hi - hi < 1.5);
/// ```
///
/// # References
///
/// Spiegelhalter (2005), "Funnel plots for comparing institutional performance", *Statistics in
/// Medicine* 24(8):1185–1202, appendix A.1.1 (interpolation between integers); PHE's funnel
/// limits at 95% and 99.8% (`docs/methods.md`, "Peers").
pub fn poisson_funnel_counts(e: f64, tail: f64) -> (f64, f64) {
    if e.is_nan() || !e.is_finite() || !(tail > 0.0 && tail < 0.5) {
        return (f64::NAN, f64::NAN);
    }
    if e <= 0.0 {
        return (0.0, 0.0);
    }
    let pmf = |r: f64| ln_dpois(r, e).exp();
    // P(X ≤ r) = Q(r + 1, E) and P(X > r) = P(r + 1, E).
    let cdf = |r: f64| gamma_tails(r + 1.0, e).1;
    let sf = |r: f64| gamma_tails(r + 1.0, e).0;
    // Lower: the smallest r with P(X ≤ r) ≥ tail is the ceiling of the continuous root c of
    // Q(c + 1, E) = tail (PHE's lower limit, or below 0); checked on the integers.
    let mut r = if cdf(0.0) >= tail {
        0.0
    } else {
        phe_lower_count(e, tail).ceil()
    };
    for _ in 0..3 {
        if r > 0.0 && cdf(r - 1.0) >= tail {
            r -= 1.0;
        } else if cdf(r) < tail {
            r += 1.0;
        }
    }
    let lower = (r - (cdf(r) - tail) / pmf(r)).max(0.0);
    // Upper: the smallest r with P(X ≤ r) ≥ 1 − tail, i.e. P(X ≥ r + 1) ≤ tail, is the
    // ceiling of PHE's upper limit minus one; checked on the integers.
    let mut r = (phe_upper_count(e, tail) - 1.0).ceil().max(0.0);
    for _ in 0..3 {
        if r > 0.0 && sf(r - 1.0) <= tail {
            r -= 1.0;
        } else if sf(r) > tail {
            r += 1.0;
        }
    }
    // P(X ≤ r) − (1 − tail) = tail − P(X > r), without forming 1 − tail.
    let upper = r - (tail - sf(r)) / pmf(r);
    (lower, upper)
}

/// PHE's funnel limits for a proportion: `(lower, upper)` around the benchmark proportion
/// `baseline` (a fraction) for a denominator `denominator`, at one-sided `tail` (0.025 and
/// 0.001 for the 95% and 99.8% funnels).
///
/// The normal approximation to the binomial, p ± z·√(p(1 − p)/n) with z = Φ⁻¹(1 − `tail`),
/// clipped to [0, 1]: what PHEindicatormethods `calculate_funnel_limits` (statistic
/// "proportion") draws, reproduced on its test data to its 6 and 8 printed decimals
/// (`tests/rust/phe_oracles.rs`). Multiply by 100 for percentages. A `baseline` outside
/// [0, 1], a `denominator` that is not positive and finite, or `tail` outside (0, 0.5), gives
/// NaN.
///
/// # Examples
///
/// ```
/// use saferstats::stats::funnel::phe_proportion_funnel;
/// let (lo, hi) = phe_proportion_funnel(0.5, 100.0, 0.025);
/// assert!((lo - (0.5 - 1.959963984540054 * 0.05)).abs() < 1e-15 && (hi - 0.598).abs() < 1e-3);
/// // Clipped at 0 and 1 for small denominators.
/// assert_eq!(phe_proportion_funnel(0.8, 2.0, 0.001), (0.0, 1.0));
/// ```
///
/// # References
///
/// PHEindicatormethods `calculate_funnel_limits` (statistic "proportion"); Spiegelhalter
/// (2005), *Statistics in Medicine* 24(8):1185–1202 (the normal approximation).
pub fn phe_proportion_funnel(baseline: f64, denominator: f64, tail: f64) -> (f64, f64) {
    if !((0.0..=1.0).contains(&baseline)
        && denominator.is_finite()
        && denominator > 0.0
        && tail > 0.0
        && tail < 0.5)
    {
        return (f64::NAN, f64::NAN);
    }
    let z = normal_quantile(1.0 - tail);
    let sd = (baseline * (1.0 - baseline) / denominator).sqrt();
    ((baseline - z * sd).max(0.0), (baseline + z * sd).min(1.0))
}

/// PHE's funnel-plot label for a value against its 95% and 99.8% limits: "High (0.001)" above
/// the upper 99.8% limit, "High (0.025)" above the upper 95% limit, "Low (0.001)" and
/// "Low (0.025)" below the lower ones, else "Not significant" (also for NaN).
///
/// # Examples
///
/// ```
/// use saferstats::stats::funnel::{phe_funnel_label, phe_poisson_funnel};
/// let (l95, u95) = phe_poisson_funnel(100.0, 0.025);
/// let (l998, u998) = phe_poisson_funnel(100.0, 0.001);
/// assert_eq!(phe_funnel_label(125.0, (l95, u95), (l998, u998)), "High (0.025)");
/// assert_eq!(phe_funnel_label(60.0, (l95, u95), (l998, u998)), "Low (0.001)");
/// assert_eq!(phe_funnel_label(100.0, (l95, u95), (l998, u998)), "Not significant");
/// ```
///
/// # References
///
/// PHEindicatormethods `assign_funnel_significance` (its labels).
pub fn phe_funnel_label(
    value: f64,
    limits_95: (f64, f64),
    limits_99_8: (f64, f64),
) -> &'static str {
    if value > limits_99_8.1 {
        "High (0.001)"
    } else if value > limits_95.1 {
        "High (0.025)"
    } else if value < limits_99_8.0 {
        "Low (0.001)"
    } else if value < limits_95.0 {
        "Low (0.025)"
    } else {
        "Not significant"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::special::{poisson_cdf, poisson_sf};

    /// The integer walk `poisson_funnel_counts` used before the bracketed search (from
    /// e + 10√e + 10 down, then up), kept to show the new search gives the same limits.
    fn walked_spiegelhalter(e: f64, tail: f64) -> (f64, f64) {
        let quantile = |p: f64| -> f64 {
            let mut r = (e + 10.0 * e.sqrt() + 10.0).floor() as u64;
            while r > 0 && poisson_cdf(r - 1, e) >= p {
                r -= 1;
            }
            while poisson_cdf(r, e) < p {
                r += 1;
            }
            let cdf_r = poisson_cdf(r, e);
            let cdf_prev = if r == 0 { 0.0 } else { poisson_cdf(r - 1, e) };
            r as f64 - (cdf_r - p) / (cdf_r - cdf_prev)
        };
        (quantile(tail).max(0.0), quantile(1.0 - tail))
    }

    const EXPECTED: [f64; 16] = [
        1e-3, 0.02, 0.5, 1.0, 3.0, 3.6, 3.7, 7.0, 10.0, 33.3, 100.0, 257.5, 1000.0, 4321.0, 9999.0,
        20000.0,
    ];

    #[test]
    fn spiegelhalter_limits_are_unchanged_by_the_bracketed_search() {
        for e in EXPECTED {
            for tail in [0.025, 0.001] {
                let (lo, hi) = poisson_funnel_counts(e, tail);
                let (wlo, whi) = walked_spiegelhalter(e, tail);
                assert!(
                    (lo - wlo).abs() < 1e-9 * e.max(1.0),
                    "{e} {tail}: {lo} {wlo}"
                );
                assert!(
                    (hi - whi).abs() < 1e-9 * e.max(1.0),
                    "{e} {tail}: {hi} {whi}"
                );
            }
        }
    }

    #[test]
    fn phe_limits_are_the_exact_tests() {
        // An integer count is outside PHE's limit exactly when the one-sided exact test
        // rejects; the limits sit between the last count inside and the first outside.
        for e in EXPECTED {
            for tail in [0.025, 0.001] {
                let (lo, hi) = phe_poisson_funnel(e, tail);
                let first_high = hi.floor() as u64 + 1;
                assert!(poisson_sf(first_high, e) < tail, "{e} {tail} {hi}");
                assert!(poisson_sf(first_high - 1, e) >= tail, "{e} {tail} {hi}");
                if lo > 0.0 {
                    let last_low = lo.ceil() as u64 - 1;
                    assert!(poisson_cdf(last_low, e) < tail, "{e} {tail} {lo}");
                    assert!(poisson_cdf(last_low + 1, e) >= tail, "{e} {tail} {lo}");
                } else {
                    assert!(poisson_cdf(0, e) >= tail, "{e} {tail}");
                }
                // The continuous tails equal the target at the limits.
                assert!((gamma_tails(hi, e).0 - tail).abs() < 1e-13, "{e} {tail}");
                if lo > 0.0 {
                    assert!(
                        (gamma_tails(lo + 1.0, e).1 - tail).abs() < 1e-13,
                        "{e} {tail}"
                    );
                }
                // Spiegelhalter's lower limit is within a count of PHE's, the upper a count
                // below it (up to one count more).
                let (slo, shi) = poisson_funnel_counts(e, tail);
                assert!((slo - lo).abs() < 1.0, "{e} {tail}: {slo} {lo}");
                assert!(hi - shi > 0.0 && hi - shi <= 2.0, "{e} {tail}: {shi} {hi}");
            }
        }
    }

    #[test]
    fn funnel_points_invert_the_limits() {
        for o in [
            0.0, 1.0, 2.0, 5.0, 24.0, 100.0, 716.0, 9999.0, 1e4, 123_456.0, 1e9,
        ] {
            for tail in [0.025, 0.001] {
                let (on_lower, on_upper) = phe_poisson_funnel_expected(o, tail);
                assert!(on_lower > o && on_upper < o.max(1e-300), "{o} {tail}");
                let back = phe_poisson_funnel(on_lower, tail).0;
                assert!((back - o).abs() < 1e-9 * o.max(1.0), "{o} {tail}: {back}");
                if o > 0.0 {
                    let back = phe_poisson_funnel(on_upper, tail).1;
                    assert!((back - o).abs() < 1e-9 * o.max(1.0), "{o} {tail}: {back}");
                }
            }
        }
        assert!((phe_poisson_funnel_expected(0.0, 0.025).0 + 0.025_f64.ln()).abs() < 1e-14);
        assert_eq!(phe_poisson_funnel_expected(0.0, 0.025).1, 0.0);
        assert!(phe_poisson_funnel_expected(-1.0, 0.025).0.is_nan());
        assert!(phe_poisson_funnel(f64::NAN, 0.025).0.is_nan());
        assert!(phe_poisson_funnel(10.0, 0.7).0.is_nan());
        assert!(poisson_funnel_counts(f64::INFINITY, 0.025).1.is_nan());
    }

    #[test]
    fn large_counts_match_scipy() {
        // scipy.special.gammainc / gammaincc roots by scipy.optimize.brentq
        // (tests/PROVENANCE_phe.md): (E, tail, lower, upper).
        let scipy = [
            (10000.0, 0.025, 9803.978775003012, 10196.96839155726),
            (10000.0, 0.001, 9691.906689533043, 10310.943235818215),
            (123456.789, 0.025, 122768.1018857142, 124146.4232683293),
            (123456.789, 0.001, 122371.91838755456, 124544.50946416944),
            (1e7, 0.025, 9993802.023303716, 10006198.923849238),
            (1e7, 0.001, 9990228.752492888, 10009774.097352426),
            (1e10, 0.025, 9999804003.575125, 10000195997.372028),
            (1e10, 0.001, 9999690977.694311, 10000309025.155535),
        ];
        for (e, tail, lo, hi) in scipy {
            let (l, h) = phe_poisson_funnel(e, tail);
            assert!((l - lo).abs() < 1e-12 * e, "{e} {tail}: {l} {lo}");
            assert!((h - hi).abs() < 1e-12 * e, "{e} {tail}: {h} {hi}");
        }
    }

    #[test]
    fn huge_counts_take_microseconds() {
        // The old walk took seconds at 1e7 and never returned at 2^53.
        let huge = 2f64.powi(53);
        let start = std::time::Instant::now();
        for e in [1e7, 1e12, huge, 1e18] {
            for tail in [0.025, 0.001] {
                // Each limit is z√E from E to within the O(1) skewness terms (and the spacing
                // of doubles, 2 at 2^53 and 128 at 1e18).
                let z = normal_quantile(1.0 - tail);
                let spread = z * e.sqrt();
                let close = |v: f64| (v - spread).abs() < 4.5 + 4.0 * f64::EPSILON * e;
                let (lo, hi) = phe_poisson_funnel(e, tail);
                let (slo, shi) = poisson_funnel_counts(e, tail);
                let (on_lower, on_upper) = phe_poisson_funnel_expected(e, tail);
                for v in [e - lo, hi - e, e - slo, shi - e, on_lower - e, e - on_upper] {
                    assert!(close(v), "{e} {tail}: {v} {spread}");
                }
            }
        }
        // 48 limits (8 of each function at 2^53); generous for an unoptimised build on a busy
        // machine: about 1 ms in all in a release build.
        let took = start.elapsed();
        assert!(took.as_millis() < 500, "{took:?}");
    }

    #[test]
    fn proportion_funnel_and_labels() {
        let (lo, hi) = phe_proportion_funnel(0.8, 100.0, 0.025);
        let sd = (0.8_f64 * 0.2 / 100.0).sqrt();
        assert!((lo - (0.8 - 1.959963984540054 * sd)).abs() < 1e-15);
        assert!((hi - (0.8 + 1.959963984540054 * sd)).abs() < 1e-15);
        assert_eq!(phe_proportion_funnel(1.0, 10.0, 0.025), (1.0, 1.0));
        assert!(phe_proportion_funnel(1.2, 10.0, 0.025).0.is_nan());
        assert!(phe_proportion_funnel(0.5, 0.0, 0.025).0.is_nan());
        let l95 = (80.0, 120.0);
        let l998 = (70.0, 130.0);
        assert_eq!(phe_funnel_label(131.0, l95, l998), "High (0.001)");
        assert_eq!(phe_funnel_label(121.0, l95, l998), "High (0.025)");
        assert_eq!(phe_funnel_label(120.0, l95, l998), "Not significant");
        assert_eq!(phe_funnel_label(79.0, l95, l998), "Low (0.025)");
        assert_eq!(phe_funnel_label(69.0, l95, l998), "Low (0.001)");
        assert_eq!(phe_funnel_label(f64::NAN, l95, l998), "Not significant");
    }
}
