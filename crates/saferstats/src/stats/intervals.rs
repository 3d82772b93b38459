//! Confidence intervals for counts, rates and proportions, following the PHE / Fingertips
//! conventions (PHEindicatormethods `phe_rate`, `phe_proportion`; Fingertips technical guidance
//! "Rates" and "Proportions"; APHO Technical Briefing 3, Eayres 2008):
//!
//! * z = Φ⁻¹(c + (1 − c)/2) for a two-sided level c ([`z_for`]);
//! * counts O < 10: exact χ² limits ([`exact_poisson_limits`]); O ≥ 10: Byar's approximation
//!   ([`byar_limits`]); the switch is [`poisson_count_limits`] / [`ExactLimitCache`];
//! * proportions: Wilson score ([`wilson_limits`]); differences: Newcombe's hybrid score
//!   ([`newcombe_diff_limits`]); weighted surveys: Kish effective n ([`kish_effective_n`]).
//!
//! Limits are on the count (or proportion) scale: divide by the denominator and multiply by the
//! multiplier for a rate. These kernels take already-validated numbers ([`validate_confidence`]);
//! NaN in gives NaN out, never a panic.

use crate::error::{Error, Result};
use crate::stats::special::{chi2_quantile, chi2_quantile_upper, normal_quantile};

/// Two-sided normal critical value for confidence level `c`: z = Φ⁻¹(c + (1 − c)/2). 95% →
/// 1.959964, 99.8% → 3.090232 ("3 sigma"). Takes a fraction (see [`validate_confidence`]);
/// NaN gives NaN.
///
/// # Examples
///
/// ```
/// use saferstats::stats::intervals::z_for;
/// assert!((z_for(0.95) - 1.959963984540054).abs() < 1e-14);
/// assert!((z_for(0.998) - 3.090232306167813).abs() < 1e-12);
/// ```
///
/// # References
///
/// As PHEindicatormethods (`qnorm(confidence + (1 - confidence)/2)`) and
/// `scipy.stats.norm.ppf(0.5 + c/2)`; Φ⁻¹ is [`crate::stats::special::normal_quantile`].
pub fn z_for(confidence: f64) -> f64 {
    normal_quantile(confidence + (1.0 - confidence) / 2.0)
}

/// Byar's approximation to exact Poisson limits for an observed count `o`:
///
/// O_L = O·(1 − 1/(9O) − z/(3√O))³, O_U = (O+1)·(1 − 1/(9(O+1)) + z/(3√(O+1)))³.
///
/// The lower limit is `None` when the cube goes negative (tiny O or a level near 1; PHE returns
/// NA), including O = 0. Negative or NaN `o` gives NaN.
///
/// # Examples
///
/// ```
/// use saferstats::stats::intervals::byar_limits;
/// // PHE test data (testdata_Byars_Wilson.xlsx): O = 65 at 95%.
/// let (lo, hi) = byar_limits(65.0, 0.95);
/// assert!((lo.unwrap() - 50.163187710459454).abs() < 1e-9);
/// assert!((hi - 82.849138545939837).abs() < 1e-9);
/// assert_eq!(byar_limits(0.0, 0.95).0, None);
/// ```
///
/// # References
///
/// Breslow & Day (1987), *Statistical Methods in Cancer Research* vol. II, IARC; Byar's method,
/// as PHEindicatormethods `byars_lower` / `byars_upper` and Fingertips technical guidance
/// "Rates"; PHE test data `testdata_Byars_Wilson.xlsx` to 1e-9.
pub fn byar_limits(o: f64, confidence: f64) -> (Option<f64>, f64) {
    byar_limits_z(o, z_for(confidence))
}

fn byar_limits_z(o: f64, z: f64) -> (Option<f64>, f64) {
    if o.is_nan() || o < 0.0 || z.is_nan() {
        return (Some(f64::NAN), f64::NAN);
    }
    let cube = 1.0 - 1.0 / (9.0 * o) - z / (3.0 * o.sqrt());
    let lower = if cube < 0.0 {
        None
    } else {
        Some(o * cube.powi(3))
    };
    let o1 = o + 1.0;
    let upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * o1.sqrt())).powi(3);
    (lower, upper)
}

/// Exact Poisson limits for a count `o` from χ² quantiles: lower = χ²_{α/2, 2O}/2 (0 for O = 0),
/// upper = χ²_{1−α/2, 2O+2}/2, with α = 1 − confidence. Non-integer `o` is allowed (real degrees of
/// freedom). Quantiles are solved to ~1e-15 relative ([`chi2_quantile`]).
///
/// # Examples
///
/// ```
/// use saferstats::stats::intervals::exact_poisson_limits;
/// // PHE test data: O = 1 at 95% → rate per 100 of n = 100 is 0.0253178… to 5.5716….
/// let (lo, hi) = exact_poisson_limits(1.0, 0.95);
/// assert!((lo - 0.025317807984289897).abs() < 1e-12);
/// assert!((hi - 5.571643390938898).abs() < 1e-12);
/// // O = 0: lower 0, upper −ln(0.025) = 3.689.
/// let (lo, hi) = exact_poisson_limits(0.0, 0.95);
/// assert_eq!(lo, 0.0);
/// assert!((hi + 0.025_f64.ln()).abs() < 1e-14);
/// ```
///
/// # References
///
/// Armitage & Berry, *Statistical Methods in Medical Research*; as PHEindicatormethods
/// `exact_lower` / `exact_upper` and `scipy.stats.chi2.ppf` (counts 0..10,000, levels
/// 0.90..0.999, to 1e-9: `tests/PROVENANCE_numerics.md`).
pub fn exact_poisson_limits(o: f64, confidence: f64) -> (f64, f64) {
    if o.is_nan() || o < 0.0 || confidence.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    let half_alpha = (1.0 - confidence) / 2.0;
    let lower = if o == 0.0 {
        0.0
    } else {
        chi2_quantile(half_alpha, 2.0 * o) / 2.0
    };
    let upper = chi2_quantile_upper(half_alpha, 2.0 * o + 2.0) / 2.0;
    (lower, upper)
}

/// Which method produced a count's confidence limits; serialised as its PHE label.
///
/// # Examples
///
/// ```
/// use saferstats::stats::intervals::CountCiMethod;
/// assert_eq!(CountCiMethod::Byar.label(), "Byars");
/// assert_eq!(CountCiMethod::Exact.label(), "Exact");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CountCiMethod {
    /// Byar's approximation (counts ≥ 10).
    #[serde(rename = "Byars")]
    Byar,
    /// Exact χ² limits (counts < 10).
    Exact,
}

impl CountCiMethod {
    /// The PHEindicatormethods `method` column value: `"Byars"` or `"Exact"`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::stats::intervals::CountCiMethod;
    /// assert_eq!(CountCiMethod::Exact.label(), "Exact");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            CountCiMethod::Byar => "Byars",
            CountCiMethod::Exact => "Exact",
        }
    }
}

/// Confidence limits for a count with the PHE switch: exact χ² for O < 10, Byar's for O ≥ 10,
/// decided per row on the numerator. The Byar lower limit cannot go negative for O ≥ 10 at any
/// level up to 99.9999…%; if it ever did it is clamped to 0. NaN or negative `o` gives NaN limits
/// (labelled Exact).
///
/// # Examples
///
/// ```
/// use saferstats::stats::intervals::{poisson_count_limits, CountCiMethod};
/// let (lo, hi, m) = poisson_count_limits(1045.0, 0.998);
/// assert_eq!(m, CountCiMethod::Byar);
/// assert!((lo - 947.94070356103737).abs() < 1e-9 && (hi - 1148.8061609880331).abs() < 1e-9);
/// let (_, _, m) = poisson_count_limits(9.0, 0.95);
/// assert_eq!(m, CountCiMethod::Exact);
/// ```
///
/// # References
///
/// PHEindicatormethods `phe_rate`; Fingertips technical guidance "Rates"; Eayres (2008), APHO
/// Technical Briefing 3, *Commonly used public health statistics and their confidence
/// intervals*.
pub fn poisson_count_limits(o: f64, confidence: f64) -> (f64, f64, CountCiMethod) {
    if o >= 10.0 {
        let (lo, hi) = byar_limits(o, confidence);
        (lo.unwrap_or(0.0), hi, CountCiMethod::Byar)
    } else {
        let (lo, hi) = exact_poisson_limits(o, confidence);
        (lo, hi, CountCiMethod::Exact)
    }
}

/// [`poisson_count_limits`] for many counts at one level: the exact limits for the integer
/// counts 0..=9 are computed once, so a column of ten million counts costs a table look-up or a
/// Byar formula per row. Non-integer counts below 10 fall back to computing the exact limits.
///
/// # Examples
///
/// ```
/// use saferstats::stats::intervals::{poisson_count_limits, ExactLimitCache};
/// let cache = ExactLimitCache::new(0.95);
/// for o in [0.0, 3.0, 9.0, 9.5, 10.0, 65.0, 1e6] {
///     assert_eq!(cache.limits(o), poisson_count_limits(o, 0.95));
/// }
/// ```
///
/// # References
///
/// As [`poisson_count_limits`].
#[derive(Debug, Clone)]
pub struct ExactLimitCache {
    confidence: f64,
    z: f64,
    table: [(f64, f64); 10],
}

impl ExactLimitCache {
    /// Precompute the exact limits of counts 0..=9 at `confidence`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::stats::intervals::ExactLimitCache;
    /// let cache = ExactLimitCache::new(0.998);
    /// assert_eq!(cache.limits(5.0).0, saferstats::stats::intervals::exact_poisson_limits(5.0, 0.998).0);
    /// ```
    pub fn new(confidence: f64) -> Self {
        let mut table = [(0.0, 0.0); 10];
        for (o, slot) in table.iter_mut().enumerate() {
            *slot = exact_poisson_limits(o as f64, confidence);
        }
        ExactLimitCache {
            confidence,
            z: z_for(confidence),
            table,
        }
    }

    /// Limits and method for count `o`, identical to [`poisson_count_limits`]`(o, confidence)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::stats::intervals::{CountCiMethod, ExactLimitCache};
    /// let cache = ExactLimitCache::new(0.95);
    /// let (lo, hi, m) = cache.limits(65.0);
    /// assert_eq!(m, CountCiMethod::Byar);
    /// assert!((lo - 50.163187710459454).abs() < 1e-9 && (hi - 82.849138545939837).abs() < 1e-9);
    /// ```
    #[inline]
    pub fn limits(&self, o: f64) -> (f64, f64, CountCiMethod) {
        if o >= 10.0 {
            let (lo, hi) = byar_limits_z(o, self.z);
            return (lo.unwrap_or(0.0), hi, CountCiMethod::Byar);
        }
        if o >= 0.0 && o == o.trunc() {
            let (lo, hi) = self.table[o as usize];
            return (lo, hi, CountCiMethod::Exact);
        }
        let (lo, hi) = exact_poisson_limits(o, self.confidence);
        (lo, hi, CountCiMethod::Exact)
    }
}

/// Wilson score interval for a proportion x/n: L, U = (2x + z² ∓ z√(z² + 4x(1 − x/n))) / (2(n +
/// z²)), clamped to [0, 1]. `x` may be non-integer (PHE test data uses x = 0.445, n = 1);
/// confidence == 1 gives (0, 1).
///
/// # Examples
///
/// ```
/// use saferstats::stats::intervals::wilson_limits;
/// // PHE test data: x = 65, n = 100 at 95%.
/// let (lo, hi) = wilson_limits(65.0, 100.0, 0.95);
/// assert!((lo - 0.55254443296887967).abs() < 1e-12);
/// assert!((hi - 0.73635751756902468).abs() < 1e-12);
/// assert_eq!(wilson_limits(3.0, 10.0, 1.0), (0.0, 1.0));
/// ```
///
/// # References
///
/// Wilson (1927), "Probable inference, the law of succession, and statistical inference",
/// *JASA* 22:209–212; Newcombe & Altman (2000) in *Statistics with Confidence*, 2nd ed.; as
/// PHEindicatormethods `phe_proportion` and statsmodels
/// `proportion_confint(x, n, method="wilson")` (`tests/PROVENANCE_numerics.md`).
pub fn wilson_limits(x: f64, n: f64, confidence: f64) -> (f64, f64) {
    if confidence == 1.0 {
        return (0.0, 1.0);
    }
    wilson_limits_z(x, n, z_for(confidence))
}

fn wilson_limits_z(x: f64, n: f64, z: f64) -> (f64, f64) {
    if x.is_nan() || n.is_nan() || z.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    // (p + z²/2n ± z√(p(1 − p)/n + z²/4n²)) / (1 + z²/n), p = x/n: the textbook
    // (2x + z² ± z√(z² + 4x(1 − x/n))) / 2(n + z²) divided through by 2n, so that counts near
    // f64::MAX do not overflow.
    let z2 = z * z;
    let p = x / n;
    let zn = z2 / n;
    let centre = p + zn / 2.0;
    let half = z * (p * (1.0 - p) / n + zn / (4.0 * n)).sqrt();
    let den = 1.0 + zn;
    // The limits at x = 0 and x = n are 0 and 1 exactly; the formula gives them only to
    // rounding (1 − 2⁻⁵³), which would put a share of 100% above its own upper limit.
    let lo = if x == 0.0 { 0.0 } else { (centre - half) / den };
    let hi = if x == n { 1.0 } else { (centre + half) / den };
    (lo.clamp(0.0, 1.0), hi.clamp(0.0, 1.0))
}

/// Newcombe's hybrid score interval for the difference of two independent proportions
/// p₁ − p₂: with Wilson limits (l₁, u₁), (l₂, u₂) and d = p₁ − p₂,
/// L = d − √((p₁ − l₁)² + (u₂ − p₂)²), U = d + √((u₁ − p₁)² + (p₂ − l₂)²).
///
/// # Examples
///
/// ```
/// use saferstats::stats::intervals::newcombe_diff_limits;
/// // Newcombe (1998) Table II example (a): 56/70 vs 48/80 → 0.0524 to 0.3339.
/// let (lo, hi) = newcombe_diff_limits(56.0, 70.0, 48.0, 80.0, 0.95);
/// assert!((lo - 0.0524).abs() < 5e-5 && (hi - 0.3339).abs() < 5e-5);
/// ```
///
/// # References
///
/// Newcombe (1998), "Interval estimation for the difference between independent proportions:
/// comparison of eleven methods", *Statistics in Medicine* 17:873–890, method 10; as statsmodels
/// `confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")`.
pub fn newcombe_diff_limits(x1: f64, n1: f64, x2: f64, n2: f64, confidence: f64) -> (f64, f64) {
    let (l1, u1) = wilson_limits(x1, n1, confidence);
    let (l2, u2) = wilson_limits(x2, n2, confidence);
    let (p1, p2) = (x1 / n1, x2 / n2);
    let d = p1 - p2;
    let lo = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let hi = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    (lo, hi)
}

/// Kish's effective sample size for a weighted sample, n_eff = (Σw)² / Σw², for Wilson intervals on
/// weighted survey proportions. An empty slice or all-zero weights give 0; NaN weights give NaN.
///
/// # Examples
///
/// ```
/// use saferstats::stats::intervals::kish_effective_n;
/// assert_eq!(kish_effective_n(&[1.0; 50]), 50.0);
/// assert!((kish_effective_n(&[1.0, 3.0]) - 1.6).abs() < 1e-15);
/// assert_eq!(kish_effective_n(&[]), 0.0);
/// ```
///
/// # References
///
/// Kish (1965), *Survey Sampling*, Wiley (the design effect of unequal weights).
pub fn kish_effective_n(weights: &[f64]) -> f64 {
    let (sum, sum_sq) = weights
        .iter()
        .fold((0.0, 0.0), |(s, s2), &w| (s + w, s2 + w * w));
    if sum_sq == 0.0 {
        return 0.0;
    }
    sum * sum / sum_sq
}

/// [`kish_effective_n`] with its input checked, and exact for extreme magnitudes: the weights
/// are scaled by the largest before squaring, so `[1e-200, 1e-200]` and `[1e200, 1e200]` both
/// give 2 (the plain formula underflows to 0 or overflows to NaN).
///
/// # Errors
/// [`Error::InvalidParameter`] (`weights`) for an empty slice, a negative or non-finite weight,
/// or weights that are all zero.
///
/// # Examples
///
/// ```
/// use saferstats::stats::intervals::checked_kish_effective_n;
/// assert_eq!(checked_kish_effective_n(&[1e-200, 1e-200])?, 2.0);
/// assert_eq!(checked_kish_effective_n(&[1e200, 1e200])?, 2.0);
/// assert!(checked_kish_effective_n(&[1.0, -1.0]).is_err());
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// As [`kish_effective_n`]: Kish (1965), *Survey Sampling*, Wiley.
pub fn checked_kish_effective_n(weights: &[f64]) -> Result<f64> {
    if let Some(w) = weights.iter().find(|w| !w.is_finite() || **w < 0.0) {
        return Err(Error::param(
            "weights",
            format!("weights must be finite and non-negative, got {w}"),
        ));
    }
    let max = weights.iter().copied().fold(0.0, f64::max);
    if max == 0.0 {
        return Err(Error::param(
            "weights",
            "need at least one positive weight (got none, or all zero)",
        ));
    }
    let scaled: Vec<f64> = weights.iter().map(|w| w / max).collect();
    Ok(kish_effective_n(&scaled))
}

/// [`newcombe_diff_limits`] with its inputs checked: `0 ≤ x ≤ n`, `n > 0`, finite, and a
/// confidence level accepted by [`validate_confidence`].
///
/// # Errors
/// [`Error::InvalidParameter`] naming `confidence` or the counts.
///
/// # Examples
///
/// ```
/// use saferstats::stats::intervals::newcombe_difference;
/// let (lo, hi) = newcombe_difference(56.0, 70.0, 48.0, 80.0, 0.95)?;
/// assert!((lo - 0.0524).abs() < 5e-5 && (hi - 0.3339).abs() < 5e-5);
/// assert!(newcombe_difference(5.0, 4.0, 1.0, 2.0, 0.95).is_err());
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// As [`newcombe_diff_limits`]: Newcombe (1998), method 10; statsmodels
/// `confint_proportions_2indep(method="newcomb")`.
pub fn newcombe_difference(
    x1: f64,
    n1: f64,
    x2: f64,
    n2: f64,
    confidence: f64,
) -> Result<(f64, f64)> {
    let c = validate_confidence(confidence)?;
    let ok = |x: f64, n: f64| n.is_finite() && n > 0.0 && x.is_finite() && (0.0..=n).contains(&x);
    if !(ok(x1, n1) && ok(x2, n2)) {
        return Err(Error::param(
            "counts",
            format!("need 0 ≤ x ≤ n, n > 0 and finite values, got {x1}/{n1} and {x2}/{n2}"),
        ));
    }
    Ok(newcombe_diff_limits(x1, n1, x2, n2, c))
}

/// Check a confidence level: accepts 0.90..=0.999, or 90..=99.9 as a percentage (divided by 100,
/// as PHEindicatormethods does for values ≥ 90), and returns it as a fraction.
///
/// # Errors
///
/// [`Error::InvalidParameter`] (`confidence`) naming the value for anything else, including NaN.
///
/// # Examples
///
/// ```
/// use saferstats::stats::intervals::validate_confidence;
/// use saferstats::Error;
/// assert_eq!(validate_confidence(0.95)?, 0.95);
/// assert_eq!(validate_confidence(99.8)?, 0.998);
/// let err = validate_confidence(0.5).unwrap_err();
/// assert!(matches!(err, Error::InvalidParameter { name: "confidence", .. }));
/// assert!(err.to_string().contains("0.5"));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// PHEindicatormethods `phe_rate`, `phe_proportion` (`confidence` argument: 0.9 to 1, or 90 to
/// 100 as a percentage).
pub fn validate_confidence(c: f64) -> Result<f64> {
    if (0.90..=0.999).contains(&c) {
        Ok(c)
    } else if (90.0..=99.9).contains(&c) {
        Ok(c / 100.0)
    } else {
        Err(Error::param(
            "confidence",
            format!(
                "confidence level {c} is not between 0.90 and 0.999 (or 90 and 99.9 as a percentage)"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `intervals` fuzz target (docs/fuzzing.md): exact limits of huge counts took
    /// up to a second each (the incomplete gamma series needs O(√count) terms, capped at 10⁶,
    /// so beyond ~10¹¹ it also stopped short). From a shape of 10⁴ Temme's expansion is used:
    /// microseconds at any count, and Byar's approximation, excellent there, agrees.
    #[test]
    fn exact_limits_of_huge_counts_are_fast_and_agree_with_byar() {
        for o in [2e4, 1e6, 1e9, 1e12, 9_007_199_254_740_992.0] {
            for c in [0.95, 0.998] {
                let (lo, hi) = exact_poisson_limits(o, c);
                let (blo, bhi) = byar_limits(o, c);
                let blo = blo.expect("Byar lower limit for a positive count");
                assert!(lo < o && o < hi, "{o} {c}: {lo} {hi}");
                // Byar's error is O(1/count) relative to the half-width.
                let half = hi - o;
                assert!(
                    (lo - blo).abs() <= 1e-3 * half + 1e-9 * o,
                    "{o} {c}: {lo} {blo}"
                );
                assert!(
                    (hi - bhi).abs() <= 1e-3 * half + 1e-9 * o,
                    "{o} {c}: {hi} {bhi}"
                );
            }
        }
    }

    fn rel(a: f64, b: f64) -> f64 {
        if a == b { 0.0 } else { ((a - b) / b).abs() }
    }

    /// methods.md §1.7, from PHEindicatormethods tests/testthat/testdata_Byars_Wilson.xlsx and
    /// testdata_Rate.xlsx. The digits are kept as published.
    #[test]
    #[allow(clippy::excessive_precision, clippy::inconsistent_digit_grouping)]
    fn phe_golden_values() {
        let tol = 1e-9;
        let (lo, hi) = byar_limits(65.0, 0.95);
        assert!(rel(lo.unwrap(), 50.163_187_710_459_454) < tol);
        assert!(rel(hi, 82.849_138_545_939_837) < tol);
        let (lo, hi) = byar_limits(1045.0, 0.95);
        assert!(rel(lo.unwrap(), 982.593_201_807_332_55) < tol);
        assert!(rel(hi, 1110.331_212_985_649_9) < tol);
        let (lo, hi) = byar_limits(1045.0, 0.998);
        assert!(rel(lo.unwrap(), 947.940_703_561_037_37) < tol);
        assert!(rel(hi, 1148.806_160_988_033_1) < tol);
        // Rates: O/n × 100.
        let (lo, hi, m) = poisson_count_limits(1.0, 0.95);
        assert_eq!(m, CountCiMethod::Exact);
        assert!(rel(lo / 100.0 * 100.0, 0.025_317_807_984_289_897) < tol);
        assert!(rel(hi / 100.0 * 100.0, 5.571_643_390_938_898) < tol);
        let (lo, hi, m) = poisson_count_limits(5.0, 0.998);
        assert_eq!(m, CountCiMethod::Exact);
        assert!(rel(lo, 0.739_371_731_917_839) < tol);
        assert!(rel(hi, 16.454_745_203_680_105) < tol);
        let (lo, hi, m) = poisson_count_limits(9856.0, 0.95);
        assert_eq!(m, CountCiMethod::Byar);
        assert!(rel(lo / 12345.0 * 100.0, 78.269_490_589_767_571) < tol);
        assert!(rel(hi / 12345.0 * 100.0, 81.430_016_542_721_404) < tol);
        let (lo, hi) = wilson_limits(65.0, 100.0, 0.95);
        assert!(rel(lo, 0.552_544_432_968_879_67) < tol);
        assert!(rel(hi, 0.736_357_517_569_024_68) < tol);
        let (lo, hi) = wilson_limits(1045.0, 5000.0, 0.998);
        assert!(rel(lo, 0.191_793_817_990_152_44) < tol);
        assert!(rel(hi, 0.227_315_629_025_258_18) < tol);
    }

    #[test]
    fn byar_lower_goes_missing() {
        assert_eq!(byar_limits(0.0, 0.95).0, None);
        assert_eq!(byar_limits(1.0, 0.999).0, None);
        assert!(byar_limits(10.0, 0.999).0.unwrap() > 0.0);
        let (lo, hi) = byar_limits(f64::NAN, 0.95);
        assert!(lo.unwrap().is_nan() && hi.is_nan());
    }

    #[test]
    fn exact_limits_edge_cases() {
        let (lo, hi) = exact_poisson_limits(0.0, 0.95);
        assert_eq!(lo, 0.0);
        assert!(rel(hi, 3.688_879_454_113_936) < 1e-14);
        let (lo, hi) = exact_poisson_limits(-1.0, 0.95);
        assert!(lo.is_nan() && hi.is_nan());
        // Exact and Byar agree closely at O = 10.
        let (elo, ehi) = exact_poisson_limits(10.0, 0.95);
        let (blo, bhi) = byar_limits(10.0, 0.95);
        assert!(rel(blo.unwrap(), elo) < 2e-3 && rel(bhi, ehi) < 2e-3);
    }

    #[test]
    fn cache_matches_direct() {
        for &c in &[0.9, 0.95, 0.98, 0.99, 0.998, 0.999] {
            let cache = ExactLimitCache::new(c);
            for i in 0..400 {
                let o = f64::from(i) * 0.25;
                assert_eq!(cache.limits(o), poisson_count_limits(o, c), "o={o} c={c}");
            }
            let (lo, hi, _) = cache.limits(f64::NAN);
            assert!(lo.is_nan() && hi.is_nan());
        }
    }

    #[test]
    fn wilson_edges() {
        let (lo, hi) = wilson_limits(0.0, 20.0, 0.95);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0 && hi < 0.2);
        let (lo, hi) = wilson_limits(20.0, 20.0, 0.95);
        assert_eq!(hi, 1.0);
        assert!(lo > 0.8);
        let (lo, hi) = wilson_limits(0.445, 1.0, 0.95);
        assert!(lo > 0.0 && hi < 1.0 && lo < 0.445 && hi > 0.445);
    }

    #[test]
    fn newcombe_examples() {
        // Newcombe (1998) Table II, method 10 (4 decimals; statsmodels agrees).
        let cases = [
            ((56.0, 70.0, 48.0, 80.0), (0.0524, 0.3339)),
            ((9.0, 10.0, 3.0, 10.0), (0.1705, 0.8090)),
            ((5.0, 56.0, 0.0, 29.0), (-0.0381, 0.1926)),
            ((0.0, 10.0, 0.0, 20.0), (-0.1611, 0.2775)),
            ((10.0, 10.0, 0.0, 20.0), (0.6791, 1.0)),
            ((10.0, 10.0, 0.0, 10.0), (0.6075, 1.0)),
        ];
        for ((x1, n1, x2, n2), (l, u)) in cases {
            let (lo, hi) = newcombe_diff_limits(x1, n1, x2, n2, 0.95);
            assert!((lo - l).abs() < 5e-5, "{x1}/{n1} − {x2}/{n2}: {lo}");
            assert!((hi - u).abs() < 5e-5, "{x1}/{n1} − {x2}/{n2}: {hi}");
        }
    }

    #[test]
    fn kish() {
        assert_eq!(kish_effective_n(&[0.0, 0.0]), 0.0);
        assert!(kish_effective_n(&[1.0, f64::NAN]).is_nan());
        assert!(rel(kish_effective_n(&[0.5, 1.0, 2.0]), 12.25 / 5.25) < 1e-15);
    }

    #[test]
    fn confidence_validation() {
        assert_eq!(validate_confidence(0.9).unwrap(), 0.9);
        assert_eq!(validate_confidence(0.999).unwrap(), 0.999);
        assert_eq!(validate_confidence(95.0).unwrap(), 0.95);
        assert!(validate_confidence(99.9).is_ok());
        for bad in [
            0.0,
            0.5,
            0.8999,
            0.9995,
            1.0,
            5.0,
            89.0,
            99.95,
            100.0,
            f64::NAN,
        ] {
            let err = validate_confidence(bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidParameter {
                        name: "confidence",
                        ..
                    }
                ),
                "{err:?}"
            );
            let err = err.to_string();
            assert!(err.contains(&bad.to_string()), "{err}");
        }
    }
}
