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
//! wald-log: the log-ratio half-width times √φ). The exact methods use effective counts y/φ,
//! rounded to the nearest integer, for both p-value and CI (the ratio itself is always from the
//! observed counts). φ < 1 is treated as 1 (under-dispersion is not used to narrow intervals).

use crate::error::Error;

use crate::stats::special::{
    beta_quantile_pq, binom_cdf_pq, binom_pmf_pq, binom_sf_pq, brent, normal_quantile,
    normal_two_sided_p,
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
/// Pearson χ²/df of a model for the monthly counts): asymptotic statistics are divided by √φ and
/// their CIs widened accordingly (the log-ratio CI by √φ); exact methods use effective counts
/// round(y/φ). φ < 1 is treated as 1; NaN φ gives NaN results. φ = 1 is exactly
/// [`compare_poisson_rates`].
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

    if method.is_exact() {
        let (e1, e2) = if phi > 1.0 {
            (
                (y1 as f64 / phi).round() as u64,
                (y2 as f64 / phi).round() as u64,
            )
        } else {
            (y1, y2)
        };
        let n = e1 + e2;
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
/// [`Error::InvalidValue`] for a negative or non-finite count in the years used.
///
/// # Examples
///
/// ```
/// use saferstats::stats::rate_ratio::dispersion_from_monthly;
/// // Two identical years: no variation beyond the seasonal pattern, φ = 0 (floor at 1 in use).
/// let year = [10.0, 12.0, 9.0, 11.0, 13.0, 15.0, 14.0, 12.0, 11.0, 10.0, 9.0, 12.0];
/// let both: Vec<f64> = year.iter().chain(year.iter()).copied().collect();
/// assert_eq!(dispersion_from_monthly(&both, 1)?, 0.0);
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
        return Ok(0.0);
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
        // Exact methods at φ = 2 are the exact methods on round(y/2).
        let c = compare_poisson_rates_dispersed(
            40,
            1.0,
            26,
            1.0,
            PoissonTest::ExactConditional,
            0.95,
            2.0,
        );
        let e = compare_poisson_rates(20, 1.0, 13, 1.0, PoissonTest::ExactConditional, 0.95);
        assert_eq!(
            (c.p_value, c.ratio_lower, c.ratio_upper),
            (e.p_value, e.ratio_lower, e.ratio_upper)
        );
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
