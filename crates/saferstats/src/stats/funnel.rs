//! Funnel-plot kernels: exact Poisson funnel limits and Spiegelhalter's over-dispersion
//! estimate for a peer group (`docs/methods.md`, "Peers").
//!
//! ```
//! use saferstats::stats::funnel::{dispersion, poisson_funnel_counts};
//! // A benchmark rate of 5 per 1,000 in an area of 20,000 people: 100 expected.
//! let (lo, hi) = poisson_funnel_counts(100.0, 0.001);
//! assert!(lo < 75.0 && hi > 125.0);
//! assert_eq!(dispersion(&[100.0, 100.0], &[100.0, 100.0]).phi, 0.0);
//! ```

use serde::{Deserialize, Serialize};

use crate::stats::special::poisson_cdf;

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
    let z: Vec<f64> = observed
        .iter()
        .zip(expected)
        .filter(|(o, e)| **o > 0.0 && **e > 0.0)
        .map(|(o, e)| e.sqrt() * (o / e).ln())
        .collect();
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
    let w: Vec<f64> = observed
        .iter()
        .zip(expected)
        .filter(|(o, e)| **o > 0.0 && **e > 0.0)
        .map(|(_, e)| *e)
        .collect();
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

/// Exact Poisson funnel limits for an expected count `e`: the counts `(lower, upper)` at which
/// the one-sided tail probability reaches `tail` (0.025 and 0.001 for PHE's two funnels).
///
/// Each limit is the Poisson quantile `r` (smallest integer with P(X ≤ r) ≥ p, for p = `tail`
/// and 1 − `tail`) interpolated between integers, `r − (P(X ≤ r) − p) / P(X = r)`, so the
/// funnels are smooth in `e`; the lower limit is at least 0. Divide by the denominator for a
/// rate. `e ≤ 0` gives `(0, 0)`.
///
/// # Examples
///
/// ```
/// use saferstats::stats::funnel::poisson_funnel_counts;
/// let (lo, hi) = poisson_funnel_counts(100.0, 0.025);
/// assert!(lo > 80.0 && lo < 81.0 && hi > 119.0 && hi < 120.0);
/// let (lo3, hi3) = poisson_funnel_counts(100.0, 0.001);
/// assert!(lo3 < lo && hi3 > hi); // the 99.8% funnel is wider
/// assert_eq!(poisson_funnel_counts(0.0, 0.025), (0.0, 0.0));
/// ```
///
/// # References
///
/// Spiegelhalter (2005), "Funnel plots for comparing institutional performance", *Statistics in
/// Medicine* 24(8):1185–1202, appendix A.1.1 (interpolation between integers); PHE's funnel
/// limits at 95% and 99.8% (`docs/methods.md`, "Peers").
pub fn poisson_funnel_counts(e: f64, tail: f64) -> (f64, f64) {
    if e <= 0.0 {
        return (0.0, 0.0);
    }
    // Upper: smallest integer r with P(X ≤ r) ≥ 1 − tail, interpolated.
    let p = 1.0 - tail;
    let quantile = |p: f64| -> f64 {
        // search r such that cdf(r) >= p
        let mut r = (e + 10.0 * e.sqrt() + 10.0).floor() as u64;
        while r > 0 && poisson_cdf(r - 1, e) >= p {
            r -= 1;
        }
        while poisson_cdf(r, e) < p {
            r += 1;
        }
        let cdf_r = poisson_cdf(r, e);
        let cdf_prev = if r == 0 { 0.0 } else { poisson_cdf(r - 1, e) };
        let alpha = if cdf_r > cdf_prev {
            (cdf_r - p) / (cdf_r - cdf_prev)
        } else {
            0.0
        };
        r as f64 - alpha
    };
    let upper = quantile(p);
    let lower = quantile(tail).max(0.0);
    (lower, upper)
}

#[cfg(test)]
mod scratch_timing {
    #[test]
    #[ignore]
    fn scratch_timing() {
        use crate::stats::special::{gamma_p, gamma_q};
        for a in [1e4, 1e5, 1e7, 1e10, 2f64.powi(53)] {
            let t = std::time::Instant::now();
            let p = gamma_p(a + 2.0 * a.sqrt(), a);
            let q = gamma_q(a - 2.0 * a.sqrt(), a);
            eprintln!("a={a:e} P={p:.17e} Q={q:.17e} {:?}", t.elapsed());
        }
        let t = std::time::Instant::now();
        let r = super::poisson_funnel_counts(1e6, 0.025);
        eprintln!("funnel 1e6 {r:?} {:?}", t.elapsed());
    }
}
