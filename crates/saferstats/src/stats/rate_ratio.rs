//! Two-sample Poisson rate comparison: "is this year's count really higher than last year's?"
//!
//! With counts y₁ (this period), y₂ (comparison period) and exposures n₁, n₂ (population,
//! days, …), the rate ratio is R = (y₁/n₁)/(y₂/n₂). The tests match statsmodels
//! `test_poisson_2indep(y1, n1, y2, n2, value=1, method=…, compare="ratio",
//! alternative="two-sided")` (Gu, Ng, Tang & Schucany 2008, Biometrical Journal 50:283) and, for
//! the exact conditional test, R `poisson.test(c(y1, y2), c(n1, n2))`. With d = n₂/n₁ and
//! r_d = 1/d under H₀: R = 1:
//!
//! | method | statistic | CI for R |
//! |---|---|---|
//! | `exact-cond` | binomial test of y₁ given y₁+y₂, p = r_d/(1+r_d), two-sided "minlike" (scipy `binomtest`, which statsmodels calls) | Clopper–Pearson on y₁ of y₁+y₂, mapped p/(1−p)·d (R `poisson.test`) |
//! | `cond-midp` | exact-cond p − ½·P(Y₁ = y₁) (statsmodels) | mid-p exact interval (Lancaster), mapped the same way |
//! | `score` | z = (y₁ − y₂r_d)/√((y₁+y₂)r_d) | score-test inversion, closed form (statsmodels `confint_poisson_2indep(method="score")` solves the same numerically) |
//! | `wald` | z = (y₁ − y₂r_d)/√(y₁ + y₂r_d²) | wald-log (statsmodels has no Wald ratio CI) |
//! | `wald-log` | z = (ln(y₁/y₂) − ln r_d)/√(1/y₁ + 1/y₂) | (y₁/y₂)·d·exp(∓z·√(1/y₁+1/y₂)) (statsmodels `wald-log`) |
//! | `score-log` | z = (ln(y₁/y₂) − ln r_d)/√((2 + 1/r_d + r_d)/(y₁+y₂)) | score-log inversion (statsmodels `score-log`), the branch around the estimate |
//! | `sqrt` | z = 2(√(y₁+3/8) − √((y₂+3/8)r_d))/√(1+r_d) | inversion of this statistic, closed form (the Price–Bonett form with 3/8; statsmodels' `sqrtcc` uses ½ and omits the exposures) |
//!
//! Asymptotic p-values are two-sided normal, 2·(1 − Φ(|z|)).
//!
//! **Zero counts** never panic or give NaN p-values:
//! * both counts 0: no information; `statistic` None, p = 1, CI (0, ∞), ratio NaN (0/0) — except
//!   `sqrt`, whose statistic is defined at 0/0 and is reported as statsmodels does;
//! * one count 0: ratio is 0 or +∞. `exact-cond`, `cond-midp`, `score`, `wald` and `sqrt` are
//!   computed as statsmodels does (all finite). `wald-log` and `score-log` are undefined at a zero
//!   count (statsmodels gives NaN or ±∞), so ½ is added to both counts (Haldane–Anscombe) for the
//!   statistic and the CI; the wald-log CI is then statsmodels' `waldcc`.
//!
//! **Over-dispersion** ([`compare_poisson_rates_dispersed`]): quasi-Poisson, Var = φ·mean. The
//! asymptotic statistics are divided by √φ and their CIs are the inversions at z·√φ (for
//! wald-log: the log-ratio half-width times √φ). The exact conditional methods have no
//! quasi-Poisson form (under over-dispersion y₁ given the total is not binomial), so with φ > 1
//! they are replaced by the quasi-Poisson score test. φ < 1 is treated as 1 (under-dispersion is
//! not used to narrow intervals).
//!
//! **Matched tests** ([`compare_poisson_rates_matched`], used by [`crate::frame::change`]): the
//! interval is the inversion of the test that gave the p-value, so the two always agree. The
//! functions above keep the reference intervals their oracle tests pin (Clopper–Pearson with
//! the "minlike" exact p, Lancaster's mid-p interval with statsmodels' mid-p, the log-Wald
//! interval with the Wald test), which can disagree with their p-values.
//!
//! **Dispersion from monthly counts**: [`dispersion_from_monthly`] (the Pearson χ²/df of the
//! year + calendar-month model) and [`dispersion_robust`] (a Huber M-estimate of the same
//! model with Huber's Proposal 2 scale, robust to a few anomalous months).

// `!(x > 0.0)` is deliberate throughout: it is true for NaN, which must be refused, where
// `x <= 0.0` would let NaN through.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::collapsible_match)]

use crate::error::Error;

use crate::stats::special::{
    beta_quantile_pq, binom_cdf_pq, binom_pmf_pq, binom_sf_pq, brent, ln_dbinom, normal_cdf,
    normal_quantile, normal_two_sided_p,
};

/// Test (and matching confidence interval) for comparing two Poisson rates; names as statsmodels
/// `test_poisson_2indep(method=…)`.
///
/// # Examples
///
/// ```
/// use saferstats::stats::rate_ratio::PoissonTest;
/// let m: PoissonTest = "exact-cond".parse().unwrap();
/// assert_eq!(m, PoissonTest::ExactConditional);
/// assert_eq!(PoissonTest::Score.name(), "score");
/// ```
///
/// # References
///
/// Gu, Ng, Tang & Schucany (2008), "Testing the ratio of two Poisson rates", *Biometrical
/// Journal* 50(2):283–298; the method names of statsmodels
/// `test_poisson_2indep(method=…)`.
///
/// Parsed case-insensitively; `exact`, `midp` and `mid-p` are aliases. An unknown name is an
/// [`Error::InvalidParameter`] (`method`) listing the known ones.
///
/// ```
/// use saferstats::stats::rate_ratio::PoissonTest;
/// assert_eq!("MID-P".parse::<PoissonTest>()?, PoissonTest::MidP);
/// let err = "etest".parse::<PoissonTest>().unwrap_err();
/// assert!(matches!(err, saferstats::Error::InvalidParameter { name: "method", .. }));
/// assert!(err.to_string().contains("etest"));
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoissonTest {
    /// Exact conditional binomial test (`exact-cond`; R `poisson.test`).
    ExactConditional,
    /// Mid-p version of the exact conditional test (`cond-midp`).
    MidP,
    /// Score test, variance under H₀ (`score`, Gu et al. W2A; statsmodels' default).
    Score,
    /// Wald test on the log ratio (`wald-log`, W3A).
    WaldLog,
    /// Wald test, variance from observed rates (`wald`, W1A).
    Wald,
    /// Score test on the log ratio (`score-log`, W4A).
    ScoreLog,
    /// Variance-stabilising square-root test (`sqrt`, W5A).
    Sqrt,
}

impl PoissonTest {
    /// All methods, in declaration order.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::stats::rate_ratio::PoissonTest;
    /// assert_eq!(PoissonTest::ALL.len(), 7);
    /// ```
    pub const ALL: [PoissonTest; 7] = [
        PoissonTest::ExactConditional,
        PoissonTest::MidP,
        PoissonTest::Score,
        PoissonTest::WaldLog,
        PoissonTest::Wald,
        PoissonTest::ScoreLog,
        PoissonTest::Sqrt,
    ];

    /// The statsmodels method name (`"exact-cond"`, `"cond-midp"`, `"score"`, `"wald-log"`,
    /// `"wald"`, `"score-log"`, `"sqrt"`), also the serde name.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::stats::rate_ratio::PoissonTest;
    /// assert_eq!(PoissonTest::MidP.name(), "cond-midp");
    /// for m in PoissonTest::ALL {
    ///     assert_eq!(m.name().parse::<PoissonTest>().unwrap(), m);
    /// }
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            PoissonTest::ExactConditional => "exact-cond",
            PoissonTest::MidP => "cond-midp",
            PoissonTest::Score => "score",
            PoissonTest::WaldLog => "wald-log",
            PoissonTest::Wald => "wald",
            PoissonTest::ScoreLog => "score-log",
            PoissonTest::Sqrt => "sqrt",
        }
    }

    fn is_exact(self) -> bool {
        matches!(self, PoissonTest::ExactConditional | PoissonTest::MidP)
    }
}

crate::choice::choice!(PoissonTest, "method", {
    ExactConditional => "exact-cond" | "exact" | "exact_conditional",
    MidP => "cond-midp" | "midp" | "mid-p",
    Score => "score",
    WaldLog => "wald-log",
    Wald => "wald",
    ScoreLog => "score-log",
    Sqrt => "sqrt",
});

/// Result of comparing two Poisson rates.
///
/// # Examples
///
/// ```
/// use saferstats::stats::rate_ratio::{compare_poisson_rates, PoissonTest};
/// let r = compare_poisson_rates(130, 1.0, 120, 1.0, PoissonTest::Score, 0.95);
/// assert!(r.statistic.is_some() && r.p_value > 0.5 && r.ratio_lower < 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RateComparison {
    /// The z statistic (asymptotic methods; divided by √φ when dispersed); `None` for the exact
    /// methods and when undefined (both counts zero).
    pub statistic: Option<f64>,
    /// Two-sided p-value for H₀: rate ratio = 1.
    pub p_value: f64,
    /// Rate ratio (y₁/n₁)/(y₂/n₂): 0 or +∞ when one count is 0, NaN when both are.
    pub ratio: f64,
    /// Lower confidence limit for the rate ratio.
    pub ratio_lower: f64,
    /// Upper confidence limit for the rate ratio (may be +∞).
    pub ratio_upper: f64,
}

/// Compare two Poisson rates y₁/n₁ and y₂/n₂: two-sided test of equal rates and a CI for the rate
/// ratio (see the [module docs](self) for each method's formula, CI and zero handling). Exposures
/// must be positive and finite (otherwise everything is NaN); a confidence outside (0, 1) gives NaN
/// limits.
///
/// # Examples
///
/// ```
/// use saferstats::stats::rate_ratio::{compare_poisson_rates, PoissonTest};
/// // "6% increase, 1,117 additional crimes" (methods.md §3.3): 18,617 → 19,734, equal exposure.
/// let r = compare_poisson_rates(19_734, 1.0, 18_617, 1.0, PoissonTest::Score, 0.95);
/// assert!((r.statistic.unwrap() - 5.70).abs() < 0.005);
/// assert!(r.p_value < 2e-8);
/// // Domestic abuse up 8% at ward scale, 120 → 130: nothing to see.
/// let r = compare_poisson_rates(130, 1.0, 120, 1.0, PoissonTest::ExactConditional, 0.95);
/// assert!((r.p_value - 0.57).abs() < 0.005);
/// ```
///
/// # References
///
/// Gu, Ng, Tang & Schucany (2008), "Testing the ratio of two Poisson rates", *Biometrical
/// Journal* 50(2):283–298; as statsmodels
/// `test_poisson_2indep(y1, n1, y2, n2, method=…, compare="ratio")` and
/// `confint_poisson_2indep` (p-values to 1e-9 over a grid of counts and exposures,
/// `tests/PROVENANCE_numerics.md`), `scipy.stats.binomtest` and R `poisson.test` for the exact
/// conditional test; Clopper & Pearson (1934), *Biometrika* 26:404–413; Lancaster (1961),
/// "Significance tests in discrete distributions", *JASA* 56:223–234 (mid-p); Price & Bonett
/// (2000) for the square-root statistic.
pub fn compare_poisson_rates(
    y1: u64,
    n1: f64,
    y2: u64,
    n2: f64,
    method: PoissonTest,
    confidence: f64,
) -> RateComparison {
    compare_poisson_rates_dispersed(y1, n1, y2, n2, method, confidence, 1.0)
}

/// [`compare_poisson_rates`] allowing over-dispersion φ (quasi-Poisson, Var = φ·mean, e.g. the
/// estimate of [`dispersion_robust`]): asymptotic statistics are divided by √φ and their CIs
/// widened accordingly (the log-ratio CI by √φ). The exact methods, which have no quasi-Poisson
/// form, become the quasi-Poisson score test when φ > 1 (`statistic` is then its z); rounding
/// the counts to y/φ for an exact test, which this function did before, is not a valid test.
/// φ < 1 is treated as 1; NaN φ gives NaN results. φ = 1 is exactly [`compare_poisson_rates`].
///
/// # Examples
///
/// ```
/// use saferstats::stats::rate_ratio::{compare_poisson_rates, compare_poisson_rates_dispersed, PoissonTest};
/// let plain = compare_poisson_rates(1350, 1.0, 1250, 1.0, PoissonTest::WaldLog, 0.95);
/// let quasi = compare_poisson_rates_dispersed(1350, 1.0, 1250, 1.0, PoissonTest::WaldLog, 0.95, 2.0);
/// assert!((quasi.statistic.unwrap() - plain.statistic.unwrap() / 2f64.sqrt()).abs() < 1e-12);
/// let half = |r: &saferstats::stats::rate_ratio::RateComparison| (r.ratio_upper / r.ratio).ln();
/// assert!((half(&quasi) / half(&plain) - 2f64.sqrt()).abs() < 1e-12);
/// ```
///
/// # References
///
/// As [`compare_poisson_rates`]; quasi-Poisson scaling: McCullagh & Nelder (1989),
/// *Generalized Linear Models*, 2nd ed., Chapman & Hall.
pub fn compare_poisson_rates_dispersed(
    y1: u64,
    n1: f64,
    y2: u64,
    n2: f64,
    method: PoissonTest,
    confidence: f64,
    dispersion: f64,
) -> RateComparison {
    let ratio = (y1 as f64 / n1) / (y2 as f64 / n2);
    let mut out = RateComparison {
        statistic: None,
        p_value: f64::NAN,
        ratio,
        ratio_lower: f64::NAN,
        ratio_upper: f64::NAN,
    };
    let valid_exposure = |n: f64| n > 0.0 && n.is_finite();
    if !valid_exposure(n1) || !valid_exposure(n2) || dispersion.is_nan() {
        out.ratio = f64::NAN;
        return out;
    }
    let phi = dispersion.max(1.0);
    let ci_ok = confidence > 0.0 && confidence < 1.0;
    let alpha = 1.0 - confidence;
    let d = n2 / n1;
    // An exact conditional test has no quasi-Poisson form: with φ > 1 it is the score test.
    let method = if phi > 1.0 {
        quasi_form(method)
    } else {
        method
    };

    if method.is_exact() {
        let (e1, e2) = (y1, y2);
        let Some(n) = e1.checked_add(e2).filter(|&n| n <= MAX_EXACT_TOTAL) else {
            out.ratio = f64::NAN;
            return out;
        };
        if n == 0 {
            out.p_value = 1.0;
            if ci_ok {
                out.ratio_lower = 0.0;
                out.ratio_upper = f64::INFINITY;
            }
            return out;
        }
        let r_d = 1.0 / d;
        let bp = r_d / (1.0 + r_d);
        let bq = 1.0 / (1.0 + r_d);
        let mut p = binom_test_two_sided(e1, n, bp, bq);
        let (lo, hi) = if method == PoissonTest::MidP {
            p -= 0.5 * binom_pmf_pq(e1, n, bp, bq);
            midp_odds_limits(e1, n, alpha)
        } else {
            clopper_pearson_odds(e1, n, alpha)
        };
        out.p_value = p;
        if ci_ok {
            out.ratio_lower = lo * d;
            out.ratio_upper = hi * d;
        }
        return out;
    }

    let both_zero = y1 == 0 && y2 == 0;
    let (c1, c2) = (y1 as f64, y2 as f64);
    // Log methods: Haldane–Anscombe ½ when a count is zero.
    let (a, b) = if y1 == 0 || y2 == 0 {
        (c1 + 0.5, c2 + 0.5)
    } else {
        (c1, c2)
    };
    let r_d = 1.0 / d;
    let stat = match method {
        PoissonTest::Score => (!both_zero).then(|| (c1 - c2 * r_d) / ((c1 + c2) * r_d).sqrt()),
        PoissonTest::Wald => (!both_zero).then(|| (c1 - c2 * r_d) / (c1 + c2 * r_d.powi(2)).sqrt()),
        PoissonTest::WaldLog => {
            (!both_zero).then(|| ((a / b).ln() - r_d.ln()) / (1.0 / a + 1.0 / b).sqrt())
        }
        PoissonTest::ScoreLog => (!both_zero)
            .then(|| ((a / b).ln() - r_d.ln()) / ((2.0 + 1.0 / r_d + r_d) / (a + b)).sqrt()),
        PoissonTest::Sqrt => Some(
            2.0 * ((c1 + 3.0 / 8.0).sqrt() - ((c2 + 3.0 / 8.0) * r_d).sqrt()) / (1.0 + r_d).sqrt(),
        ),
        PoissonTest::ExactConditional | PoissonTest::MidP => unreachable!("handled above"),
    };
    let sqrt_phi = phi.sqrt();
    out.statistic = stat.map(|z| z / sqrt_phi);
    out.p_value = match out.statistic {
        Some(z) => normal_two_sided_p(z),
        None => 1.0,
    };
    if !ci_ok {
        return out;
    }
    if both_zero && method != PoissonTest::Sqrt {
        out.ratio_lower = 0.0;
        out.ratio_upper = f64::INFINITY;
        return out;
    }
    let crit = -normal_quantile(alpha / 2.0) * sqrt_phi;
    let (lo, hi) = match method {
        PoissonTest::Score => score_limits(c1, c2, crit),
        PoissonTest::Wald | PoissonTest::WaldLog => {
            let half = crit * (1.0 / a + 1.0 / b).sqrt();
            let centre = a / b;
            (centre * (-half).exp(), centre * half.exp())
        }
        PoissonTest::ScoreLog => score_log_limits(a, b, crit),
        PoissonTest::Sqrt => sqrt_limits(c1, c2, crit),
        PoissonTest::ExactConditional | PoissonTest::MidP => unreachable!("handled above"),
    };
    out.ratio_lower = lo * d;
    out.ratio_upper = hi * d;
    out
}

/// Two-sided exact binomial test p-value, the "minlike" rule exactly as scipy `binomtest`
/// (which statsmodels `binom_test` calls): sum the probabilities of all outcomes no more likely
/// than the observed one, with a relative tolerance of 1e-7 on "no more likely"; capped at 1.
/// This is also R `binom.test`'s rule (R uses the same 1 + 1e-7 factor).
fn binom_test_two_sided(k: u64, n: u64, p: f64, q: f64) -> f64 {
    let pmf = |x: i64| -> f64 {
        if x < 0 || x as u64 > n {
            0.0
        } else {
            binom_pmf_pq(x as u64, n, p, q)
        }
    };
    // scipy's sf(m) = P(X > m), cdf(m) = P(X ≤ m).
    let sf = |m: i64| -> f64 {
        if m < 0 {
            1.0
        } else {
            binom_sf_pq(m as u64 + 1, n, p, q)
        }
    };
    let cdf = |m: i64| -> f64 {
        if m < 0 {
            0.0
        } else {
            binom_cdf_pq(m as u64, n, p, q)
        }
    };
    let (kf, nf) = (k as f64, n as f64);
    let (ki, ni) = (k as i64, n as i64);
    let d = pmf(ki);
    let rerr = 1.0 + 1e-7;
    let pval = if kf == p * nf {
        1.0
    } else if kf < p * nf {
        let ix = binary_search(|x| -pmf(x), -d * rerr, (p * nf).ceil() as i64, ni);
        let y = ni - ix + i64::from(d * rerr == pmf(ix));
        cdf(ki) + sf(ni - y)
    } else {
        let ix = binary_search(pmf, d * rerr, 0, (p * nf).floor() as i64);
        let y = ix + 1;
        cdf(y - 1) + sf(ki - 1)
    };
    pval.min(1.0)
}

/// scipy's `_binary_search_for_binom_tst`: the i in [lo, hi] with a(i) ≤ d < a(i+1) for a
/// function increasing on the range.
fn binary_search(a: impl Fn(i64) -> f64, d: f64, mut lo: i64, mut hi: i64) -> i64 {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let midval = a(mid);
        if midval < d {
            lo = mid + 1;
        } else if midval > d {
            hi = mid - 1;
        } else {
            return mid;
        }
    }
    if a(lo) <= d { lo } else { lo - 1 }
}

/// Clopper–Pearson limits for x of n, returned as odds p/(1 − p) (both p and 1 − p from the
/// beta quantile directly, so odds near 0 or ∞ keep full precision).
fn clopper_pearson_odds(x: u64, n: u64, alpha: f64) -> (f64, f64) {
    let h = alpha / 2.0;
    let (xf, nf) = (x as f64, n as f64);
    let lower = if x == 0 {
        0.0
    } else {
        let (p, q) = beta_quantile_pq(h, 1.0 - h, xf, nf - xf + 1.0);
        p / q
    };
    let upper = if x == n {
        f64::INFINITY
    } else {
        let (p, q) = beta_quantile_pq(1.0 - h, h, xf + 1.0, nf - xf);
        p / q
    };
    (lower, upper)
}

/// Mid-p exact limits for x of n (Lancaster 1961; Berry & Armitage 1995) as odds: the lower limit
/// solves P(X > x) + ½P(X = x) = α/2, the upper P(X < x) + ½P(X = x) = α/2, by Brent's method on
/// the log odds.
fn midp_odds_limits(x: u64, n: u64, alpha: f64) -> (f64, f64) {
    let h = alpha / 2.0;
    if h.is_nan() || h <= 0.0 || h >= 0.5 {
        return (f64::NAN, f64::NAN);
    }
    let pq = |u: f64| {
        let w = u.exp();
        (w / (1.0 + w), 1.0 / (1.0 + w))
    };
    // Increasing in u.
    let upper_tail = |u: f64| {
        let (p, q) = pq(u);
        (binom_sf_pq(x + 1, n, p, q) + 0.5 * binom_pmf_pq(x, n, p, q)).ln() - h.ln()
    };
    // Decreasing in u.
    let lower_tail = |u: f64| {
        let (p, q) = pq(u);
        let below = if x == 0 {
            0.0
        } else {
            binom_cdf_pq(x - 1, n, p, q)
        };
        (below + 0.5 * binom_pmf_pq(x, n, p, q)).ln() - h.ln()
    };
    let u0 = ((x as f64 + 0.5) / ((n - x) as f64 + 0.5)).ln();
    let lower = if x == 0 {
        0.0
    } else {
        let mut step = 1.0;
        let mut lo = u0 - step;
        while upper_tail(lo) > 0.0 && lo > -800.0 {
            step *= 2.0;
            lo = u0 - step;
        }
        brent(upper_tail, lo, u0, 1e-15).exp()
    };
    let upper = if x == n {
        f64::INFINITY
    } else {
        let mut step = 1.0;
        let mut hi = u0 + step;
        while lower_tail(hi) > 0.0 && hi < 800.0 {
            step *= 2.0;
            hi = u0 + step;
        }
        brent(lower_tail, u0, hi, 1e-15).exp()
    };
    (lower, upper)
}

/// Score-test limits for t = R·n₁/n₂: the roots of y₂²t² − (2y₁y₂ + c²N)t + y₁² = 0, N = y₁+y₂,
/// in cancellation-free form.
fn score_limits(y1: f64, y2: f64, c: f64) -> (f64, f64) {
    let n = y1 + y2;
    let c2n = c * c * n;
    let b = 2.0 * y1 * y2 + c2n;
    let s = b + (c2n * (4.0 * y1 * y2 + c2n)).sqrt();
    let lower = 2.0 * y1 * y1 / s;
    let upper = if y2 == 0.0 {
        f64::INFINITY
    } else {
        s / (2.0 * y2 * y2)
    };
    (lower, upper)
}

/// Limits from inverting the variance-stabilised statistic
/// f(s) = 2(√a − √b·s)/√(1 + s²) = ±c with s = √t, a = y₁ + 3/8, b = y₂ + 3/8 (f decreases from
/// 2√a to −2√b, so each side has at most one root; no root means an open end).
fn sqrt_limits(y1: f64, y2: f64, c: f64) -> (f64, f64) {
    let a = y1 + 3.0 / 8.0;
    let b = y2 + 3.0 / 8.0;
    let c2 = c * c;
    let root = c * (4.0 * (a + b) - c2).max(0.0).sqrt();
    let sab = 4.0 * (a * b).sqrt();
    let lower = if 4.0 * a - c2 <= 0.0 {
        0.0
    } else {
        ((4.0 * a - c2) / (sab + root)).powi(2)
    };
    let upper = if 4.0 * b - c2 <= 0.0 {
        f64::INFINITY
    } else {
        ((sab + root) / (4.0 * b - c2)).powi(2)
    };
    (lower, upper)
}

/// Limits from inverting the score-log statistic z(u) = (L − u)/√((2 + e⁻ᵘ + eᵘ)/N), u = ln t,
/// L = ln(a/b). z is not monotone (it returns to 0 as u → ±∞), so each limit is the root between
/// the estimate and the extremum of z on that side; if the extremum does not reach ±c that end
/// is open (0 or ∞).
fn score_log_limits(a: f64, b: f64, c: f64) -> (f64, f64) {
    let n = a + b;
    let l = (a / b).ln();
    let z = |u: f64| (l - u) / ((2.0 + (-u).exp() + u.exp()) / n).sqrt();
    // Lower side: extremum where (L − u)·tanh(u/2) = −2, u < min(L, 0).
    let g = |u: f64| (l - u) * (u / 2.0).tanh() + 2.0;
    let top = l.min(0.0);
    let mut step = 1.0;
    while g(top - step) > 0.0 && step < 1e3 {
        step *= 2.0;
    }
    let u_peak = brent(g, top - step, top, 1e-15);
    let lower = if z(u_peak) < c {
        0.0
    } else {
        brent(|u| z(u) - c, u_peak, l, 1e-15).exp()
    };
    // Upper side: extremum where (u − L)·tanh(u/2) = 2, u > max(L, 0).
    let g2 = |u: f64| (u - l) * (u / 2.0).tanh() - 2.0;
    let bottom = l.max(0.0);
    let mut step = 1.0;
    while g2(bottom + step) < 0.0 && step < 1e3 {
        step *= 2.0;
    }
    let u_trough = brent(g2, bottom, bottom + step, 1e-15);
    let upper = if z(u_trough) > -c {
        f64::INFINITY
    } else {
        brent(|u| z(u) + c, l, u_trough, 1e-15).exp()
    };
    (lower, upper)
}

/// Quasi-Poisson dispersion φ of a monthly series after its seasonal pattern and level:
/// the Pearson χ² of the two-way log-linear model year + calendar month (closed form:
/// expected = year total × month total / grand total), divided by its degrees of freedom
/// (years − 1)(12 − 1). Needs at least two complete calendar years (Jan-Dec) of counts,
/// given in order; only complete years are used (`first_month` is the calendar month of
/// `counts[0]`; the months before the first January are skipped, and so are those after the
/// last complete year).
///
/// # Errors
///
/// [`Error::InvalidParameter`] (`first_month`) for a month outside 1..=12;
/// [`Error::InsufficientPeriods`] for fewer than two complete calendar years;
/// [`Error::InvalidValue`] for a negative or non-finite count in the years used;
/// [`Error::Degenerate`] when those years hold no crime at all (0/0).
///
/// Every value returned (0 or more, finite) is accepted by
/// [`crate::frame::change::ChangeSpec::dispersion`], which uses values below 1 as 1.
///
/// # Examples
///
/// ```
/// use saferstats::stats::rate_ratio::dispersion_from_monthly;
/// // Two identical years: no variation beyond the seasonal pattern, φ = 0 (floor at 1 in use).
/// let year = [10.0, 12.0, 9.0, 11.0, 13.0, 15.0, 14.0, 12.0, 11.0, 10.0, 9.0, 12.0];
/// let both: Vec<f64> = year.iter().chain(year.iter()).copied().collect();
/// assert_eq!(dispersion_from_monthly(&both, 1)?, 0.0);
/// // No crimes at all: undefined, an error rather than a number.
/// assert!(matches!(dispersion_from_monthly(&[0.0; 24], 1),
///                  Err(saferstats::Error::Degenerate { .. })));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// The Pearson χ²/df estimate of the dispersion of a quasi-Poisson model (McCullagh & Nelder
/// (1989), *Generalized Linear Models*, 2nd ed.), here of the year × calendar-month independence
/// model (`docs/methods.md`, "Change between periods").
pub fn dispersion_from_monthly(counts: &[f64], first_month: u32) -> crate::Result<f64> {
    if !(1..=12).contains(&first_month) {
        return Err(Error::param(
            "first_month",
            format!("{first_month} is not 1 to 12"),
        ));
    }
    let skip = ((13 - first_month) % 12) as usize;
    let usable = &counts[skip.min(counts.len())..];
    let years = usable.len() / 12;
    if years < 2 {
        return Err(Error::InsufficientPeriods {
            what: "dispersion".into(),
            reason: format!(
                "needs at least 2 complete calendar years of monthly counts, got {} months ({} complete years)",
                counts.len(),
                years
            ),
        });
    }
    let table = &usable[..years * 12];
    if let Some((i, &bad)) = table
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_finite() || **v < 0.0)
    {
        return Err(Error::InvalidValue {
            what: "counts".into(),
            index: skip + i,
            value: bad,
            reason: "monthly counts must be finite and ≥ 0".into(),
        });
    }
    let total: f64 = table.iter().sum();
    if total == 0.0 {
        return Err(Error::Degenerate {
            method: "dispersion".into(),
            reason: "no crimes in the complete years used: Pearson's χ²/df is 0/0, undefined \
                     (a series of zeros says nothing about month-to-month variation)"
                .into(),
        });
    }
    let year_tot: Vec<f64> = (0..years)
        .map(|y| table[y * 12..(y + 1) * 12].iter().sum())
        .collect();
    let month_tot: Vec<f64> = (0..12)
        .map(|m| (0..years).map(|y| table[y * 12 + m]).sum())
        .collect();
    let mut x2 = 0.0;
    for y in 0..years {
        for m in 0..12 {
            let e = year_tot[y] * month_tot[m] / total;
            if e > 0.0 {
                x2 += (table[y * 12 + m] - e).powi(2) / e;
            }
        }
    }
    Ok(x2 / ((years - 1) * 11) as f64)
}

/// The quasi-Poisson form of a method: the exact conditional methods have none (under
/// over-dispersion y₁ given the total is not binomial), so they become the score test, the
/// quasi-likelihood score test of the log rate ratio.
fn quasi_form(method: PoissonTest) -> PoissonTest {
    if method.is_exact() {
        PoissonTest::Score
    } else {
        method
    }
}

/// A p-value and an interval for the rate ratio from one statistic
/// ([`compare_poisson_rates_matched`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RateTest {
    /// The method whose statistic gave both the p-value and the interval (the score test when
    /// an exact method was asked for with a dispersion above 1).
    pub method: PoissonTest,
    /// Whether the variance was scaled by the dispersion (quasi-Poisson).
    pub quasi: bool,
    /// The dispersion φ used (at least 1; NaN when the input φ was NaN).
    pub dispersion: f64,
    /// z (asymptotic methods, divided by √φ when quasi); `None` for the exact methods and
    /// when undefined.
    pub statistic: Option<f64>,
    /// Two-sided p-value for H₀: rate ratio = 1 (NaN for invalid exposures).
    pub p_value: f64,
    /// Rate ratio (y₁/n₁)/(y₂/n₂).
    pub ratio: f64,
    /// Lower limit: every ratio the test does not reject at 1 − confidence lies in
    /// [`ratio_lower`, `ratio_upper`].
    pub ratio_lower: f64,
    /// Upper limit (may be +∞).
    pub ratio_upper: f64,
    /// Why the interval is degenerate or wider than the test's acceptance region, if it is.
    pub note: Option<&'static str>,
}

impl RateTest {
    /// The name of the test used: the method's name, prefixed `quasi-` when the variance was
    /// scaled by φ (`"exact-cond"`, `"quasi-score"`, `"quasi-wald-log"`).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::stats::rate_ratio::{compare_poisson_rates_matched, PoissonTest};
    /// let t = compare_poisson_rates_matched(130, 1.0, 120, 1.0, PoissonTest::ExactConditional, 0.95, 4.0);
    /// assert_eq!(t.name(), "quasi-score");
    /// let t = compare_poisson_rates_matched(130, 1.0, 120, 1.0, PoissonTest::ExactConditional, 0.95, 1.0);
    /// assert_eq!(t.name(), "exact-cond");
    /// ```
    pub fn name(&self) -> String {
        if self.quasi {
            format!("quasi-{}", self.method.name())
        } else {
            self.method.name().to_string()
        }
    }
}

/// Compare two Poisson rates with a p-value and an interval that agree: the interval is the
/// set of ratios the same test does not reject, so p < 1 − confidence exactly when the interval
/// excludes 1. Used by [`crate::frame::change`]. With φ > 1 (after flooring at 1) the variance is
/// scaled by φ: the quasi-Poisson form of `method` (z/√φ, interval inverted at z·√φ); the exact
/// methods, which have no quasi-Poisson form, become the quasi-Poisson score test
/// z = (y₁ − N·π₀)/√(φ·N·π₀(1 − π₀)), N = y₁ + y₂, π₀ = n₁/(n₁ + n₂) (the Rao score test of the
/// Poisson GLM with scale φ). Per method, at φ = 1:
///
/// | method | p-value | interval |
/// |---|---|---|
/// | `exact-cond` | central: min(1, 2·min(P(X ≤ y₁), P(X ≥ y₁))), X ~ Bin(N, π₀); equal to the "minlike" p of statsmodels and R when n₁ = n₂ | Clopper–Pearson (its inversion; R `poisson.test`) |
/// | `cond-midp` | statsmodels' (as [`compare_poisson_rates`]) | the smallest interval holding every ratio the same p-value does not reject, by a 200-point grid on each side and bisection; this p-value is not monotone in the ratio, so a rejected ratio can lie inside (`note` says so) |
/// | `score`, `wald-log`, `sqrt` | as [`compare_poisson_rates`] | as [`compare_poisson_rates`] (already its inversion) |
/// | `wald` | as [`compare_poisson_rates`] | inversion of the Wald statistic (closed form); with a zero count the statistic is the same for every ratio, so the interval is (0, ∞), [0, 0] or [∞, ∞] (`note`) |
/// | `score-log` | as [`compare_poisson_rates`] | the inversion around the estimate, widened to include 1 when the test does not reject 1 there (the statistic returns to 0 far from the estimate) |
///
/// [`compare_poisson_rates`] keeps the reference intervals (Clopper–Pearson, Lancaster mid-p,
/// log-Wald for `wald`) that its oracle tests pin.
///
/// # Examples
///
/// ```
/// use saferstats::stats::rate_ratio::{compare_poisson_rates_matched, PoissonTest};
/// // 4 crimes after none: the Wald test rejects (p = 0.046) and so does its interval.
/// let t = compare_poisson_rates_matched(4, 1.0, 0, 1.0, PoissonTest::Wald, 0.95, 1.0);
/// assert!(t.p_value < 0.05 && t.ratio_lower > 1.0 && t.note.is_some());
/// // Quasi-Poisson with φ = 6.2: the log-Wald half-width grows by √6.2.
/// let t = compare_poisson_rates_matched(1350, 1.0, 1250, 1.0, PoissonTest::WaldLog, 0.95, 6.2);
/// assert_eq!(t.name(), "quasi-wald-log");
/// let half = (t.ratio_upper / t.ratio).ln();
/// assert!((half - 1.959963984540054 * (6.2f64 * (1.0 / 1350.0 + 1.0 / 1250.0)).sqrt()).abs() < 1e-12);
/// ```
///
/// # References
///
/// Fay (2010), "Two-sided exact tests and matching confidence intervals for discrete data",
/// *R Journal* 2(1):53–58 (central and minlike p-values and their matching intervals);
/// Wedderburn (1974), "Quasi-likelihood functions, generalized linear models, and the
/// Gauss–Newton method", *Biometrika* 61:439–447, and McCullagh & Nelder (1989), *Generalized
/// Linear Models*, 2nd ed., §9.2 (quasi-Poisson: variance φ·μ, tests and intervals with the
/// scale φ); Gu, Ng, Tang & Schucany (2008) for the statistics.
pub fn compare_poisson_rates_matched(
    y1: u64,
    n1: f64,
    y2: u64,
    n2: f64,
    method: PoissonTest,
    confidence: f64,
    dispersion: f64,
) -> RateTest {
    let phi = if dispersion.is_nan() {
        f64::NAN
    } else {
        dispersion.max(1.0)
    };
    let quasi = phi > 1.0;
    let used = if quasi { quasi_form(method) } else { method };
    let base = compare_poisson_rates_dispersed(y1, n1, y2, n2, used, confidence, phi);
    let mut out = RateTest {
        method: used,
        quasi,
        dispersion: phi,
        statistic: base.statistic,
        p_value: base.p_value,
        ratio: base.ratio,
        ratio_lower: base.ratio_lower,
        ratio_upper: base.ratio_upper,
        note: None,
    };
    if base.p_value.is_nan() {
        return out;
    }
    let ci_ok = confidence > 0.0 && confidence < 1.0;
    let alpha = 1.0 - confidence;
    let d = n2 / n1;
    // compare_poisson_rates_dispersed returned NaN above MAX_EXACT_TOTAL; the other methods
    // use the total only as a float.
    let n = y1.saturating_add(y2);
    match used {
        PoissonTest::ExactConditional => {
            if n > 0 {
                let (bp, bq) = (n1 / (n1 + n2), n2 / (n1 + n2));
                let below = binom_cdf_pq(y1, n, bp, bq);
                let above = binom_sf_pq(y1, n, bp, bq);
                out.p_value = (2.0 * below.min(above)).min(1.0);
            }
        }
        PoissonTest::MidP if ci_ok && n > 0 => {
            let (lo, hi, hole) = midp_hull(y1, n, alpha, (n1 / n2).ln(), base.p_value);
            out.ratio_lower = lo * d;
            out.ratio_upper = hi * d;
            if !(base.p_value < alpha) {
                // The null is inside; keep it so after rounding in exp(u₀)·d.
                out.ratio_lower = out.ratio_lower.min(1.0);
                out.ratio_upper = out.ratio_upper.max(1.0);
            }
            if hole {
                out.note = Some(
                    "cond-midp: the test rejects a ratio of 1 that lies inside the interval \
                     (statsmodels' mid-p value is not monotone in the ratio, so the set it does \
                     not reject has gaps); use exact-cond",
                );
            }
        }
        PoissonTest::Wald if ci_ok && n > 0 => {
            let crit = -normal_quantile(alpha / 2.0) * phi.sqrt();
            let (lo, hi) = wald_limits(y1 as f64, y2 as f64, crit);
            out.ratio_lower = lo * d;
            out.ratio_upper = hi * d;
            if y1 == 0 || y2 == 0 {
                out.note = Some(
                    "wald: with a zero count the Wald statistic is the same for every ratio, so \
                     it rejects all or none of them; use exact-cond or score",
                );
            }
        }
        PoissonTest::ScoreLog if ci_ok => {
            let accepted = !(base.p_value < alpha);
            if accepted && (out.ratio_lower > 1.0 || out.ratio_upper < 1.0) {
                out.ratio_lower = out.ratio_lower.min(1.0);
                out.ratio_upper = out.ratio_upper.max(1.0);
                out.note = Some(
                    "score-log: the interval is widened to include 1, which the test does not \
                     reject (its statistic returns towards 0 far from the estimate)",
                );
            }
        }
        _ => {}
    }
    out
}

/// Limits for t = R·n₁/n₂ from inverting the Wald statistic z(t) = (y₁ − y₂t)/√(y₁ + y₂t²)
/// = ±c. z decreases from √y₁ (t = 0) to −√y₂ (t → ∞), so the lower limit is 0 when
/// √y₁ ≤ c and the upper ∞ when √y₂ ≤ c; otherwise the roots of
/// y₂(y₂ − c²)t² − 2y₁y₂t + y₁(y₁ − c²) = 0, in cancellation-free form. With y₁ = 0 (y₂ = 0)
/// z is constant in t > 0 and the limits are [0, 0] or (0, ∞) ([∞, ∞] or (0, ∞)).
fn wald_limits(y1: f64, y2: f64, c: f64) -> (f64, f64) {
    let c2 = c * c;
    let b = y1 * y2;
    let disc = (y1 * y2 * c2 * (y1 + y2 - c2)).max(0.0).sqrt();
    let lower = if y1 <= c2 {
        0.0
    } else if y2 == 0.0 {
        f64::INFINITY
    } else {
        y1 * (y1 - c2) / (b + disc)
    };
    let upper = if y2 <= c2 {
        f64::INFINITY
    } else if y1 == 0.0 {
        0.0
    } else {
        (b + disc) / (y2 * (y2 - c2))
    };
    (lower, upper)
}

/// The hull of the set of odds ratios ω = θ/(1 − θ) (θ the binomial probability of x of n)
/// that statsmodels' cond-midp p-value does not reject at `alpha`, and whether the null `u0`
/// (log odds), whose p-value is `p0`, lies in a gap of that set inside the hull.
///
/// Every term of the "minlike" sum is at most pmf(x)·(1 + 10⁻⁷), so p ≤ (n + 1)·1.0000001·pmf(x)
/// and the set lies where that bound reaches `alpha`; each side of the estimate is searched on a
/// 200-point grid in the log odds and the outermost change refined by bisection. The null itself
/// is always classified by its own p-value `p0`, so the interval contains it exactly when
/// it is not rejected, unless it lies in a gap (`true`).
fn midp_hull(x: u64, n: u64, alpha: f64, u0: f64, p0: f64) -> (f64, f64, bool) {
    let pq = |u: f64| {
        let w = u.exp();
        if w.is_infinite() {
            (1.0, (-u).exp())
        } else {
            (w / (1.0 + w), 1.0 / (1.0 + w))
        }
    };
    let p_at = |u: f64| {
        let (p, q) = pq(u);
        binom_test_two_sided(x, n, p, q) - 0.5 * binom_pmf_pq(x, n, p, q)
    };
    let accept = |u: f64| !(p_at(u) < alpha);
    let (xf, nf) = (x as f64, n as f64);
    let bound = (alpha / ((nf + 1.0) * (1.0 + 1e-7))).ln();
    let lnf = |u: f64| {
        let (p, q) = pq(u);
        ln_dbinom(xf, nf, p, q) - bound
    };
    // The log odds of the estimate (finite stand-ins at x = 0 and x = n), and the ends of the
    // region where the bound reaches alpha.
    let u_hat = ((xf + 0.5) / (nf - xf + 0.5)).ln();
    let outward = |dir: f64| -> f64 {
        let mut step = 1.0;
        while lnf(u_hat + dir * step) >= 0.0 && step < 1e3 {
            step *= 2.0;
        }
        let far = u_hat + dir * step;
        let near = if dir < 0.0 {
            (far, u_hat)
        } else {
            (u_hat, far)
        };
        let root = brent(lnf, near.0, near.1, 1e-13);
        if root.is_nan() { far } else { root }
    };
    let u_a = if x == 0 { u_hat - 40.0 } else { outward(-1.0) };
    let u_b = if x == n { u_hat + 40.0 } else { outward(1.0) };
    const M: usize = 200;
    let bisect = |mut inside: f64, mut outside: f64| -> f64 {
        for _ in 0..200 {
            let mid = 0.5 * (inside + outside);
            if mid == inside || mid == outside {
                break;
            }
            if accept(mid) {
                inside = mid;
            } else {
                outside = mid;
            }
        }
        inside
    };
    // Lower side: the first accepted grid point from u_a towards the estimate.
    let lower = if x == 0 {
        f64::NEG_INFINITY
    } else {
        let mut found = None;
        for k in 0..=M {
            let u = u_a + (u_hat - u_a) * k as f64 / M as f64;
            if accept(u) {
                found = Some(if k == 0 {
                    u
                } else {
                    bisect(u, u_a + (u_hat - u_a) * (k - 1) as f64 / M as f64)
                });
                break;
            }
        }
        found.unwrap_or(u_hat)
    };
    let upper = if x == n {
        f64::INFINITY
    } else {
        let mut found = None;
        for k in 0..=M {
            let u = u_b - (u_b - u_hat) * k as f64 / M as f64;
            if accept(u) {
                found = Some(if k == 0 {
                    u
                } else {
                    bisect(u, u_b - (u_b - u_hat) * (k - 1) as f64 / M as f64)
                });
                break;
            }
        }
        found.unwrap_or(u_hat)
    };
    let (mut lower, mut upper) = (lower, upper);
    let null_accepted = !(p0 < alpha);
    if null_accepted {
        lower = lower.min(u0);
        upper = upper.max(u0);
    }
    let hole = !null_accepted && lower <= u0 && u0 <= upper;
    (lower.exp(), upper.exp(), hole)
}

/// Huber's tuning constant for the robust dispersion (the default of MASS `hubers` and
/// statsmodels `robust.scale.Huber`).
pub const HUBER_K: f64 = 1.5;

/// The largest total count y₁ + y₂ the exact conditional tests accept: 2⁵³, beyond which
/// counts are no longer whole numbers in `f64` and the binomial tails lose their meaning. Above
/// it (or when the total overflows `u64`) the exact methods return NaN, which the frame
/// functions report as a flagged row, never as a verdict.
pub const MAX_EXACT_TOTAL: u64 = 1 << 53;

/// A robust quasi-Poisson dispersion estimate of one monthly series ([`dispersion_robust`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct DispersionEstimate {
    /// φ̂: the squared Huber scale of the standardised Pearson residuals; may be below 1
    /// (floor it at 1 in use) and is 0 when no month departs from the fitted pattern.
    pub dispersion: f64,
    /// Months that informed the estimate (months with a count, in years and calendar months
    /// that are not all zero).
    pub months: usize,
    /// Residual degrees of freedom: months − (years + calendar months − 1).
    pub df: usize,
    /// Months down-weighted as anomalous (|standardised residual| above `HUBER_K`·σ̂).
    pub downweighted: usize,
}

/// Robust quasi-Poisson dispersion φ of a monthly series after its level and seasonal
/// pattern: the year + calendar-month log-linear model (years are the consecutive 12-month
/// blocks from `counts[0]`, so April–March years start in April) fitted as a Huber M-estimate,
/// and φ̂ = σ̂², where σ̂ is Huber's "Proposal 2" scale of the standardised Pearson residuals
/// eᵢ = (yᵢ − μᵢ)/√(μᵢ(1 − hᵢ)) (hᵢ the leverage of the Poisson fit):
/// Σ min(eᵢ², (kσ̂)²) = n·E[min(Z², k²)], k = [`HUBER_K`], Z standard normal. The fit and the
/// scale are iterated together: months with |eᵢ| > kσ̂ get weight kσ̂/|eᵢ| in the fit
/// (iterative proportional fitting of the weighted Poisson likelihood) and count as (kσ̂)² in the
/// scale, so a few anomalous months (a lockdown, a recording drive) move φ̂ by a bounded amount,
/// where in the Pearson χ²/df ([`dispersion_from_monthly`]) each adds its squared residual.
///
/// A NaN count is a missing month. Years and calendar months whose counts are all zero carry no
/// information and are left out. Consistent for near-normal residuals (monthly counts of about
/// 20 or more); for small, strongly over-dispersed counts the clipping of the skewed upper tail
/// makes φ̂ low.
///
/// # Errors
///
/// [`Error::InvalidValue`] for a negative or infinite count; [`Error::Degenerate`] when no
/// month has a crime; [`Error::InsufficientPeriods`] for fewer than 11 residual degrees of
/// freedom (two complete years give 11).
///
/// # Examples
///
/// ```
/// use saferstats::stats::rate_ratio::dispersion_robust;
/// let season: [f64; 12] = [1.0, 0.9, 1.0, 1.1, 1.2, 1.1, 1.0, 0.9, 1.0, 1.1, 0.9, 0.8];
/// let noise = [3.0, -2.0, 5.0, -4.0, 1.0, 0.0, -3.0, 2.0, 4.0, -1.0, -5.0, 2.0];
/// // Three years of about 500 a month, with deviations about 1.6 times Poisson's (φ ≈ 2.7).
/// let mut y: Vec<f64> = (0..36)
///     .map(|t| (500.0 * season[t % 12] + 9.0 * noise[(t * 7 + t / 12) % 12]).round())
///     .collect();
/// let calm = dispersion_robust(&y)?;
/// // A lockdown: two months at 40%.
/// y[25] *= 0.4;
/// y[26] *= 0.4;
/// let hit = dispersion_robust(&y)?;
/// let pearson = saferstats::stats::rate_ratio::dispersion_from_monthly(&y, 1)?;
/// // The two months move the robust φ̂ by a third; Pearson's χ²/df grows 6.6-fold (2.3 to 15.1).
/// assert!(calm.dispersion > 2.0 && hit.dispersion < 1.35 * calm.dispersion);
/// assert!(pearson > 4.0 * hit.dispersion);
/// assert_eq!((hit.months, hit.df, hit.downweighted >= 2), (36, 22, true));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Huber (1964), "Robust estimation of a location parameter", *Annals of Mathematical
/// Statistics* 35:73–101 (Proposal 2); Huber & Ronchetti (2009), *Robust Statistics*, 2nd ed.,
/// §7.7 (regression M-estimates with Proposal 2 scale); Cantoni & Ronchetti (2001), "Robust
/// inference for generalized linear models", *JASA* 96:1022–1030 (Huber-type estimation of
/// Poisson GLMs on Pearson residuals); Venables & Ripley (2002), *Modern Applied Statistics with
/// S*, 4th ed., §5.5 (`hubers`, k = 1.5); McCullagh & Nelder (1989), *Generalized Linear
/// Models*, 2nd ed., §12.5 (standardised Pearson residuals).
pub fn dispersion_robust(counts: &[f64]) -> crate::Result<DispersionEstimate> {
    if let Some((i, &bad)) = counts
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_nan() && (v.is_infinite() || **v < 0.0))
    {
        return Err(Error::InvalidValue {
            what: "monthly counts".into(),
            index: i,
            value: bad,
            reason: "monthly counts must be finite and ≥ 0 (NaN marks a missing month)".into(),
        });
    }
    let years = counts.len().div_ceil(12);
    let mut row_tot = vec![0.0; years];
    let mut col_tot = [0.0; 12];
    for (t, &v) in counts.iter().enumerate() {
        if !v.is_nan() {
            row_tot[t / 12] += v;
            col_tot[t % 12] += v;
        }
    }
    let mut row_id = vec![usize::MAX; years];
    let mut rows = 0;
    for (r, &tot) in row_tot.iter().enumerate() {
        if tot > 0.0 {
            row_id[r] = rows;
            rows += 1;
        }
    }
    let mut col_id = [usize::MAX; 12];
    let mut cols = 0;
    for (c, &tot) in col_tot.iter().enumerate() {
        if tot > 0.0 {
            col_id[c] = cols;
            cols += 1;
        }
    }
    if rows == 0 {
        return Err(Error::Degenerate {
            method: "dispersion".into(),
            reason: "no month has a crime, so there is no variation to measure".into(),
        });
    }
    // Cells: (row, column, count).
    let cells: Vec<(usize, usize, f64)> = counts
        .iter()
        .enumerate()
        .filter(|(t, v)| {
            !v.is_nan() && row_id[t / 12] != usize::MAX && col_id[t % 12] != usize::MAX
        })
        .map(|(t, &v)| (row_id[t / 12], col_id[t % 12], v))
        .collect();
    let n = cells.len();
    let p = rows + cols - 1;
    if n < p + 11 {
        return Err(Error::InsufficientPeriods {
            what: "dispersion".into(),
            reason: format!(
                "needs at least 11 residual degrees of freedom (two complete years of monthly \
                 counts), got {n} months in {rows} years and {cols} calendar months ({} df)",
                n.saturating_sub(p)
            ),
        });
    }
    let mut fit = TwoWayFit::new(rows, cols, &cells);
    let mut weights = vec![1.0; n];
    fit.fit(&cells, &weights);
    let mut e = fit.standardised_residuals(&cells);
    let live: Vec<bool> = e.iter().map(|v| v.is_finite()).collect();
    let n_eff = live.iter().filter(|&&l| l).count() as f64;
    if n_eff == 0.0 {
        return Err(Error::Degenerate {
            method: "dispersion".into(),
            reason: "the year + calendar-month model fits every month exactly".into(),
        });
    }
    let abs: Vec<f64> = e
        .iter()
        .zip(&live)
        .filter(|(_, l)| **l)
        .map(|(v, _)| v.abs())
        .collect();
    let mut sigma = median(&abs) / 0.674_489_750_196_081_7;
    if !(sigma > 0.0) {
        sigma = (abs.iter().map(|v| v * v).sum::<f64>() / n_eff).sqrt();
    }
    let df = n - p;
    if !(sigma > 0.0) {
        return Ok(DispersionEstimate {
            dispersion: 0.0,
            months: n,
            df,
            downweighted: 0,
        });
    }
    let k = HUBER_K;
    let gamma = {
        let inside = 2.0 * normal_cdf(k) - 1.0;
        let pdf = (-0.5 * k * k).exp() / (2.0 * std::f64::consts::PI).sqrt();
        inside + k * k * (1.0 - inside) - 2.0 * k * pdf
    };
    for _ in 0..1000 {
        for ((w, v), l) in weights.iter_mut().zip(&e).zip(&live) {
            let a = v.abs();
            *w = if !*l || a <= k * sigma {
                1.0
            } else {
                k * sigma / a
            };
        }
        let moved = fit.fit(&cells, &weights);
        e = fit.standardised_residuals(&cells);
        let clip = (k * sigma).powi(2);
        let sum: f64 = e
            .iter()
            .zip(&live)
            .filter(|(_, l)| **l)
            .map(|(v, _)| (v * v).min(clip))
            .sum();
        let next = (sum / (n_eff * gamma)).sqrt();
        let done = (next - sigma).abs() <= 1e-12 * next && moved < 1e-12;
        sigma = next;
        if done || !(sigma > 0.0) {
            break;
        }
    }
    let downweighted = e
        .iter()
        .zip(&live)
        .filter(|(v, l)| **l && v.abs() > k * sigma)
        .count();
    Ok(DispersionEstimate {
        dispersion: sigma * sigma,
        months: n,
        df,
        downweighted,
    })
}

fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        0.5 * (v[m - 1] + v[m])
    }
}

/// The log-linear model log μ = a(year) + b(calendar month) on the observed cells of a
/// years × months table, fitted by iterative proportional fitting of the (weighted) Poisson
/// likelihood: each sweep sets every a, then every b, to its weighted-margin solution.
struct TwoWayFit {
    a: Vec<f64>,
    b: Vec<f64>,
    mu: Vec<f64>,
}

impl TwoWayFit {
    fn new(rows: usize, cols: usize, cells: &[(usize, usize, f64)]) -> Self {
        TwoWayFit {
            a: vec![0.0; rows],
            b: vec![0.0; cols],
            mu: vec![0.0; cells.len()],
        }
    }

    /// Fit from the current parameters; returns the last sweep's largest parameter change.
    fn fit(&mut self, cells: &[(usize, usize, f64)], w: &[f64]) -> f64 {
        let (rows, cols) = (self.a.len(), self.b.len());
        let mut wy_r = vec![0.0; rows];
        let mut wy_c = vec![0.0; cols];
        for (&(r, c, y), &wi) in cells.iter().zip(w) {
            wy_r[r] += wi * y;
            wy_c[c] += wi * y;
        }
        let mut change = f64::INFINITY;
        for _ in 0..10_000 {
            let mut den = vec![0.0; rows];
            for (&(r, c, _), &wi) in cells.iter().zip(w) {
                den[r] += wi * self.b[c].exp();
            }
            change = 0.0f64;
            for r in 0..rows {
                let next = wy_r[r].ln() - den[r].ln();
                change = change.max((next - self.a[r]).abs());
                self.a[r] = next;
            }
            let mut den = vec![0.0; cols];
            for (&(r, c, _), &wi) in cells.iter().zip(w) {
                den[c] += wi * self.a[r].exp();
            }
            for c in 0..cols {
                let next = wy_c[c].ln() - den[c].ln();
                change = change.max((next - self.b[c]).abs());
                self.b[c] = next;
            }
            if change < 1e-13 {
                break;
            }
        }
        for (m, &(r, c, _)) in self.mu.iter_mut().zip(cells) {
            *m = (self.a[r] + self.b[c]).exp();
        }
        change
    }

    /// (y − μ)/√(μ(1 − h)), h the leverage of the Poisson fit (working weights μ); NaN for a
    /// cell the model fits exactly (h = 1).
    fn standardised_residuals(&self, cells: &[(usize, usize, f64)]) -> Vec<f64> {
        let (rows, cols) = (self.a.len(), self.b.len());
        // Parameters: a_0..a_{rows-1}, then b_1..b_{cols-1} (b_0 absorbed).
        let p = rows + cols - 1;
        let index =
            |r: usize, c: usize| -> (usize, Option<usize>) { (r, (c > 0).then(|| rows + c - 1)) };
        let mut info = vec![0.0; p * p];
        for (&(r, c, _), &m) in cells.iter().zip(&self.mu) {
            let (i, j) = index(r, c);
            info[i * p + i] += m;
            if let Some(j) = j {
                info[j * p + j] += m;
                info[i * p + j] += m;
                info[j * p + i] += m;
            }
        }
        let inv = match invert_spd(&info, p) {
            Some(inv) => inv,
            None => return vec![f64::NAN; cells.len()],
        };
        cells
            .iter()
            .zip(&self.mu)
            .map(|(&(r, c, y), &m)| {
                let (i, j) = index(r, c);
                let mut q = inv[i * p + i];
                if let Some(j) = j {
                    q += inv[j * p + j] + 2.0 * inv[i * p + j];
                }
                let h = m * q;
                if h >= 1.0 - 1e-10 {
                    f64::NAN
                } else {
                    (y - m) / (m * (1.0 - h)).sqrt()
                }
            })
            .collect()
    }
}

/// Inverse of a symmetric positive-definite p × p matrix (row-major) by Cholesky; `None` if it
/// is not positive definite.
fn invert_spd(a: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            if i == j {
                if !(s > 0.0) {
                    return None;
                }
                l[i * p + i] = s.sqrt();
            } else {
                l[i * p + j] = s / l[j * p + j];
            }
        }
    }
    // inv = L⁻ᵀ L⁻¹: invert L (lower triangular), then multiply.
    let mut li = vec![0.0; p * p];
    for i in 0..p {
        li[i * p + i] = 1.0 / l[i * p + i];
        for j in 0..i {
            let mut s = 0.0;
            for k in j..i {
                s -= l[i * p + k] * li[k * p + j];
            }
            li[i * p + j] = s / l[i * p + i];
        }
    }
    let mut inv = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..=i {
            let mut s = 0.0;
            for k in i..p {
                s += li[k * p + i] * li[k * p + j];
            }
            inv[i * p + j] = s;
            inv[j * p + i] = s;
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(y1: u64, y2: u64, m: PoissonTest) -> RateComparison {
        compare_poisson_rates(y1, 1.0, y2, 1.0, m, 0.95)
    }

    /// methods.md §3.3 worked numbers (equal exposure), to the digits printed there.
    #[test]
    fn worked_numbers() {
        // (y2 → y1, score z, score p, its last printed digit, exact-cond p and its last digit,
        // log-Wald CI and its last digit)
        type Row = (
            u64,
            u64,
            f64,
            (f64, f64),
            Option<(f64, f64)>,
            (f64, f64),
            f64,
        );
        let rows: [Row; 4] = [
            (
                18_617,
                19_734,
                5.70,
                (1.2e-8, 1e-9),
                None,
                (1.039, 1.081),
                1e-3,
            ),
            (
                1_250,
                1_350,
                1.96,
                (0.0499, 1e-4),
                Some((0.0522, 1e-4)),
                (1.000, 1.166),
                1e-3,
            ),
            (
                120,
                130,
                0.63,
                (0.53, 1e-2),
                Some((0.57, 1e-2)),
                (0.845, 1.388),
                1e-3,
            ),
            (
                20,
                26,
                0.88,
                (0.38, 1e-2),
                Some((0.46, 1e-2)),
                (0.73, 2.33),
                1e-2,
            ),
        ];
        for (y2, y1, z, (p, pd), pex, (lo, hi), cid) in rows {
            let s = cmp(y1, y2, PoissonTest::Score);
            assert!(
                (s.statistic.unwrap() - z).abs() <= 5e-3,
                "{y1}/{y2} z {:?}",
                s.statistic
            );
            assert!(
                (s.p_value - p).abs() <= 0.5 * pd,
                "{y1}/{y2} p {}",
                s.p_value
            );
            if let Some((pex, pexd)) = pex {
                let e = cmp(y1, y2, PoissonTest::ExactConditional);
                assert!(
                    (e.p_value - pex).abs() <= 0.5 * pexd,
                    "{y1}/{y2} exact {}",
                    e.p_value
                );
            }
            let citol = 0.5 * cid;
            let w = cmp(y1, y2, PoissonTest::WaldLog);
            assert!(
                (w.ratio_lower - lo).abs() < citol,
                "{y1}/{y2} lo {}",
                w.ratio_lower
            );
            assert!(
                (w.ratio_upper - hi).abs() < citol,
                "{y1}/{y2} hi {}",
                w.ratio_upper
            );
            assert!((w.ratio - y1 as f64 / y2 as f64).abs() < 1e-15);
        }
    }

    /// Gu et al. (2008) example used in statsmodels' tests: 60 events in 51,477.5 person-years vs
    /// 30 in 54,308.7; Wald one-sided p = 0.000356, so two-sided 0.000712.
    #[test]
    fn gu_et_al_example() {
        let r = compare_poisson_rates(60, 51_477.5, 30, 54_308.7, PoissonTest::Wald, 0.95);
        assert!((r.p_value / 2.0 - 0.000356).abs() < 5e-7, "{}", r.p_value);
    }

    #[test]
    fn zeros_never_nan() {
        for m in PoissonTest::ALL {
            for (y1, y2) in [(0, 0), (0, 5), (5, 0), (0, 1), (1, 0), (0, 1000), (1000, 0)] {
                let r = compare_poisson_rates(y1, 2.0, y2, 3.0, m, 0.95);
                assert!(
                    !r.p_value.is_nan() && (0.0..=1.0).contains(&r.p_value),
                    "{m} {y1} {y2}"
                );
                assert!(
                    !r.ratio_lower.is_nan() && !r.ratio_upper.is_nan(),
                    "{m} {y1} {y2} {r:?}"
                );
                assert!(r.ratio_lower <= r.ratio_upper, "{m} {y1} {y2} {r:?}");
                if let Some(z) = r.statistic {
                    assert!(z.is_finite(), "{m} {y1} {y2}");
                }
                match (y1, y2) {
                    (0, 0) => assert!(r.ratio.is_nan()),
                    (0, _) => assert_eq!(r.ratio, 0.0),
                    (_, 0) => assert_eq!(r.ratio, f64::INFINITY),
                    _ => {}
                }
            }
        }
        let r = cmp(0, 0, PoissonTest::ExactConditional);
        assert_eq!(
            (r.p_value, r.ratio_lower, r.ratio_upper),
            (1.0, 0.0, f64::INFINITY)
        );
    }

    #[test]
    fn nan_inputs_give_nan() {
        for m in PoissonTest::ALL {
            let r = compare_poisson_rates(3, f64::NAN, 4, 1.0, m, 0.95);
            assert!(r.p_value.is_nan() && r.ratio.is_nan());
            let r = compare_poisson_rates(3, 1.0, 4, 0.0, m, 0.95);
            assert!(r.p_value.is_nan());
            let r = compare_poisson_rates_dispersed(3, 1.0, 4, 1.0, m, 0.95, f64::NAN);
            assert!(r.p_value.is_nan());
            let r = compare_poisson_rates(3, 1.0, 4, 1.0, m, f64::NAN);
            assert!(!r.p_value.is_nan() && r.ratio_lower.is_nan());
        }
    }

    #[test]
    fn ci_contains_estimate_and_agrees_with_test() {
        // Score and sqrt CIs are exact inversions of their tests: p < α ⇔ 1 outside the CI.
        for m in [
            PoissonTest::Score,
            PoissonTest::Sqrt,
            PoissonTest::ScoreLog,
            PoissonTest::WaldLog,
        ] {
            for (y1, y2, n1, n2) in [
                (3, 9, 1.0, 1.0),
                (40, 20, 1.0, 1.3),
                (25, 10, 2.0, 1.0),
                (7, 8, 1.0, 1.0),
            ] {
                let r = compare_poisson_rates(y1, n1, y2, n2, m, 0.95);
                assert!(
                    r.ratio_lower < r.ratio && r.ratio < r.ratio_upper,
                    "{m} {r:?}"
                );
                let excluded = r.ratio_lower > 1.0 || r.ratio_upper < 1.0;
                assert_eq!(r.p_value < 0.05, excluded, "{m} {y1} {y2} {r:?}");
            }
        }
    }

    #[test]
    fn dispersion() {
        for m in PoissonTest::ALL {
            let a = compare_poisson_rates(40, 1.0, 25, 1.0, m, 0.95);
            let b = compare_poisson_rates_dispersed(40, 1.0, 25, 1.0, m, 0.95, 0.5);
            assert_eq!(a, b, "φ < 1 is treated as 1");
            let c = compare_poisson_rates_dispersed(40, 1.0, 25, 1.0, m, 0.95, 3.0);
            assert!(c.p_value > a.p_value, "{m}");
            assert!(
                c.ratio_lower < a.ratio_lower && c.ratio_upper > a.ratio_upper,
                "{m}"
            );
            assert_eq!(c.ratio, a.ratio);
        }
        // Exact methods with φ > 1 no longer round the counts by 1/φ (not a defensible
        // method); the dispersed comparison is at least as cautious as the plain one.
        let c = compare_poisson_rates_dispersed(
            40,
            1.0,
            26,
            1.0,
            PoissonTest::ExactConditional,
            0.95,
            2.0,
        );
        let e = compare_poisson_rates(40, 1.0, 26, 1.0, PoissonTest::ExactConditional, 0.95);
        assert!(c.p_value >= e.p_value, "{} < {}", c.p_value, e.p_value);
    }

    #[test]
    fn midp_limits_solve_their_equations_at_large_counts() {
        for (x, n) in [
            (5_000_000u64, 10_010_000u64),
            (3, 9_000_000),
            (9_000_000, 9_000_004),
        ] {
            let (lo, hi) = midp_odds_limits(x, n, 0.05);
            let at = |w: f64| (w / (1.0 + w), 1.0 / (1.0 + w));
            let (p, q) = at(lo);
            let upper = binom_sf_pq(x + 1, n, p, q) + 0.5 * binom_pmf_pq(x, n, p, q);
            assert!(
                (upper / 0.025 - 1.0).abs() < 1e-11,
                "x={x} n={n} lower tail {upper}"
            );
            let (p, q) = at(hi);
            let lower = binom_cdf_pq(x - 1, n, p, q) + 0.5 * binom_pmf_pq(x, n, p, q);
            assert!(
                (lower / 0.025 - 1.0).abs() < 1e-11,
                "x={x} n={n} upper tail {lower}"
            );
        }
    }

    #[test]
    fn midp_is_less_conservative() {
        let e = cmp(26, 20, PoissonTest::ExactConditional);
        let m = cmp(26, 20, PoissonTest::MidP);
        assert!(m.p_value < e.p_value);
        assert!(m.ratio_lower > e.ratio_lower && m.ratio_upper < e.ratio_upper);
    }

    #[test]
    fn parse_and_serde_names() {
        for m in PoissonTest::ALL {
            assert_eq!(m.to_string().parse::<PoissonTest>().unwrap(), m);
        }
        assert_eq!(
            "EXACT".parse::<PoissonTest>().unwrap(),
            PoissonTest::ExactConditional
        );
        assert_eq!("mid-p".parse::<PoissonTest>().unwrap(), PoissonTest::MidP);
        assert!(matches!(
            "etest-score".parse::<PoissonTest>(),
            Err(Error::InvalidParameter { name: "method", .. })
        ));
    }
}
