//! Agreement of saferstats' numeric kernels with scipy / statsmodels (intervals, two-sample
//! Poisson tests) and with 60-digit mpmath references (distribution functions, where scipy itself
//! is off by up to 4e-4 at n = 10⁷; see the provenance file).
//!
//! The expected values are in `tests/fixtures/*.csv`, written by
//! `tests/fixtures/generate_oracles.py` (see `tests/PROVENANCE_numerics.md` for versions and
//! column meanings). Every comparison is to 1e-9 relative. Confidence limits also accept an
//! absolute error of 1e-12 (limits near 0, e.g. a Wilson lower limit at x = 0, where 1e-12 is far
//! below any reported digit); p-values and distribution functions are compared purely
//! relatively, so far tails must keep their digits too. Infinite and NaN expectations must be
//! matched exactly. Each test prints the worst relative error it saw
//! (`cargo test --test oracles -- --nocapture`).

use std::collections::HashMap;
use std::path::PathBuf;

use saferstats::stats::intervals::{
    CountCiMethod, ExactLimitCache, exact_poisson_limits, newcombe_diff_limits,
    poisson_count_limits, wilson_limits,
};
use saferstats::stats::rate_ratio::{PoissonTest, compare_poisson_rates};
use saferstats::stats::special::{
    beta_quantile, binom_cdf, binom_pmf, binom_sf, chi2_quantile, chi2_sf, gamma_p, gamma_q,
    normal_cdf, normal_quantile, normal_sf, poisson_cdf, poisson_sf,
};

const REL: f64 = 1e-9;
const ABS: f64 = 1e-12;

/// Rows of a fixture CSV as maps from column name to text.
fn rows(name: &str) -> Vec<HashMap<String, String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name);
    let mut reader = csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let headers = reader.headers().expect("header row").clone();
    let out: Vec<_> = reader
        .records()
        .map(|r| {
            let r = r.expect("well-formed CSV row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    assert!(!out.is_empty(), "{name} has no rows");
    out
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    let text = &row[col];
    text.parse()
        .unwrap_or_else(|_| panic!("column {col}: {text:?} is not a number"))
}

fn opt(row: &HashMap<String, String>, col: &str) -> Option<f64> {
    (!row[col].is_empty()).then(|| num(row, col))
}

/// Compares values to the tolerance, collecting failures and the worst errors seen.
struct Check {
    what: &'static str,
    abs: f64,
    worst_rel: f64,
    worst_abs_small: f64,
    count: usize,
    failures: Vec<String>,
}

impl Check {
    /// 1e-9 relative, or 1e-12 absolute (for values near 0).
    fn new(what: &'static str) -> Self {
        Check {
            what,
            abs: ABS,
            worst_rel: 0.0,
            worst_abs_small: 0.0,
            count: 0,
            failures: Vec::new(),
        }
    }

    /// Purely relative comparison (probabilities whose far tails must keep their digits).
    fn relative(what: &'static str) -> Self {
        let mut check = Check::new(what);
        check.abs = 0.0;
        check
    }

    fn close(&mut self, got: f64, want: f64, context: &dyn Fn() -> String) {
        self.count += 1;
        if want.is_nan() || want.is_infinite() || got.is_nan() || got.is_infinite() {
            if !((want.is_nan() && got.is_nan()) || got == want) {
                self.failures
                    .push(format!("got {got}, want {want} ({})", context()));
            }
            return;
        }
        let err = (got - want).abs();
        // Where the absolute floor decides (|want| < 1e-3), report the absolute error instead.
        if self.abs > 0.0 && want.abs() * REL < self.abs {
            self.worst_abs_small = self.worst_abs_small.max(err);
        } else if err > 0.0 {
            self.worst_rel = self.worst_rel.max(err / want.abs());
        }
        if err > (REL * want.abs()).max(self.abs) {
            self.failures.push(format!(
                "got {got:e}, want {want:e}, rel err {:e} ({})",
                err / want.abs(),
                context()
            ));
        }
    }

    /// Print the worst errors and fail with every disagreement listed.
    fn finish(self) {
        eprintln!(
            "{:<26} {:>5} values, worst relative error {:.1e}{}",
            self.what,
            self.count,
            self.worst_rel,
            if self.abs > 0.0 {
                format!(
                    " (values < 1e-3: worst absolute error {:.1e})",
                    self.worst_abs_small
                )
            } else {
                String::new()
            }
        );
        assert!(
            self.failures.is_empty(),
            "{}: {} disagreements:\n{}",
            self.what,
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

#[test]
fn exact_poisson_limits_match_scipy_chi2() {
    let mut lower = Check::new("exact lower (chi2.ppf)");
    let mut upper = Check::new("exact upper (chi2.ppf)");
    let mut caches: HashMap<u64, ExactLimitCache> = HashMap::new();
    for row in rows("exact_poisson_limits.csv") {
        let (o, c) = (num(&row, "count"), num(&row, "confidence"));
        let ctx = || format!("count {o}, confidence {c}");
        let (lo, hi) = exact_poisson_limits(o, c);
        lower.close(lo, num(&row, "lower"), &ctx);
        upper.close(hi, num(&row, "upper"), &ctx);
        if o < 10.0 {
            // The PHE switch and the cache give exactly the same numbers below 10.
            let cache = caches
                .entry(c.to_bits())
                .or_insert_with(|| ExactLimitCache::new(c));
            assert_eq!(cache.limits(o), (lo, hi, CountCiMethod::Exact), "{}", ctx());
            assert_eq!(poisson_count_limits(o, c), (lo, hi, CountCiMethod::Exact));
        }
    }
    lower.finish();
    upper.finish();
}

#[test]
fn wilson_limits_match_statsmodels() {
    let mut lower = Check::new("wilson lower");
    let mut upper = Check::new("wilson upper");
    for row in rows("wilson_limits.csv") {
        let (x, n, c) = (num(&row, "x"), num(&row, "n"), num(&row, "confidence"));
        let ctx = || format!("x {x}, n {n}, confidence {c}");
        let (lo, hi) = wilson_limits(x, n, c);
        lower.close(lo, num(&row, "lower"), &ctx);
        upper.close(hi, num(&row, "upper"), &ctx);
    }
    lower.finish();
    upper.finish();
}

#[test]
fn newcombe_limits_match_statsmodels() {
    let mut lower = Check::new("newcombe lower");
    let mut upper = Check::new("newcombe upper");
    for row in rows("newcombe.csv") {
        let (x1, n1, x2, n2) = (
            num(&row, "x1"),
            num(&row, "n1"),
            num(&row, "x2"),
            num(&row, "n2"),
        );
        let c = num(&row, "confidence");
        let ctx = || format!("{x1}/{n1} vs {x2}/{n2}, confidence {c}");
        let (lo, hi) = newcombe_diff_limits(x1, n1, x2, n2, c);
        lower.close(lo, num(&row, "lower"), &ctx);
        upper.close(hi, num(&row, "upper"), &ctx);
    }
    lower.finish();
    upper.finish();
}

#[test]
fn poisson_rate_comparisons_match_statsmodels() {
    let mut stat = Check::new("2-indep statistic");
    let mut pval = Check::relative("2-indep p-value");
    let mut ratio = Check::new("2-indep ratio");
    let mut lower = Check::new("2-indep ratio lower");
    let mut upper = Check::new("2-indep ratio upper");
    let mut methods_seen = std::collections::HashSet::new();
    for row in rows("poisson_2indep.csv") {
        let y1 = num(&row, "count1") as u64;
        let y2 = num(&row, "count2") as u64;
        let (n1, n2) = (num(&row, "exposure1"), num(&row, "exposure2"));
        let method: PoissonTest = row["method"].parse().expect("known method");
        methods_seen.insert(method.name());
        let c = num(&row, "confidence");
        let ctx = || {
            format!(
                "{y1}/{n1} vs {y2}/{n2}, {method}, confidence {c}, source {}, ci {}",
                row["source"], row["ci_source"]
            )
        };
        let r = compare_poisson_rates(y1, n1, y2, n2, method, c);
        match (r.statistic, opt(&row, "statistic")) {
            (Some(got), Some(want)) => stat.close(got, want, &ctx),
            (None, None) => {}
            (got, want) => panic!("statistic {got:?} vs {want:?} ({})", ctx()),
        }
        pval.close(r.p_value, num(&row, "p_value"), &ctx);
        ratio.close(r.ratio, num(&row, "ratio"), &ctx);
        lower.close(r.ratio_lower, num(&row, "ci_lower"), &ctx);
        upper.close(r.ratio_upper, num(&row, "ci_upper"), &ctx);
    }
    assert_eq!(methods_seen.len(), PoissonTest::ALL.len());
    for check in [stat, pval, ratio, lower, upper] {
        check.finish();
    }
}

#[test]
fn distribution_functions_match_mpmath_references() {
    let mut checks: HashMap<String, Check> = HashMap::new();
    let names = [
        ("normal_quantile", "normal_quantile vs mpmath"),
        ("normal_cdf", "normal_cdf vs mpmath"),
        ("normal_sf", "normal_sf vs mpmath"),
        ("chi2_quantile", "chi2_quantile vs mpmath"),
        ("beta_quantile", "beta_quantile vs mpmath"),
        ("binom_pmf", "binom_pmf vs mpmath"),
        ("binom_cdf", "binom_cdf vs mpmath"),
        ("binom_sf", "binom_sf vs mpmath"),
        ("poisson_cdf", "poisson_cdf vs mpmath"),
        ("poisson_sf", "poisson_sf vs mpmath"),
    ];
    for (f, label) in names {
        checks.insert(f.to_string(), Check::relative(label));
    }
    for row in rows("special_functions.csv") {
        let f = row["function"].as_str();
        let x = num(&row, "x");
        let (a, b) = (opt(&row, "a"), opt(&row, "b"));
        let got = match f {
            "normal_quantile" => normal_quantile(x),
            "normal_cdf" => normal_cdf(x),
            "normal_sf" => normal_sf(x),
            "chi2_quantile" => chi2_quantile(x, a.unwrap()),
            "beta_quantile" => beta_quantile(x, a.unwrap(), b.unwrap()),
            "binom_pmf" => binom_pmf(x as u64, a.unwrap() as u64, b.unwrap()),
            "binom_cdf" => binom_cdf(x as u64, a.unwrap() as u64, b.unwrap()),
            "binom_sf" => binom_sf(x as u64, a.unwrap() as u64, b.unwrap()),
            "poisson_cdf" => poisson_cdf(x as u64, a.unwrap()),
            "poisson_sf" => poisson_sf(x as u64, a.unwrap()),
            other => panic!("unknown function {other}"),
        };
        let want = num(&row, "value");
        let check = checks.get_mut(f).expect("known function");
        check.close(got, want, &|| format!("{f}({x}, {a:?}, {b:?})"));
    }
    for (f, _) in names {
        checks.remove(f).expect("known function").finish();
    }
}

/// The regularised incomplete gamma functions and the χ² survival function against the same
/// mpmath references, read the other way round: the Poisson tails are P(X ≤ k) = Q(k + 1, λ) and
/// P(X ≥ k) = P(k, λ), and at the χ² quantile x_p the lower tail is p (checked where p < 0.5, as
/// P(df/2, x_p/2)) and the upper tail 1 − p (checked where p ≥ 0.5, as `chi2_sf`), so each
/// tail is compared where it is the small one.
#[test]
fn incomplete_gamma_and_chi2_sf_match_mpmath_references() {
    let mut q = Check::relative("gamma_q(k + 1, λ) vs mpmath");
    let mut p = Check::relative("gamma_p(k, λ) vs mpmath");
    let mut lower = Check::relative("gamma_p at chi2 quantiles");
    let mut upper = Check::relative("chi2_sf at chi2 quantiles");
    for row in rows("special_functions.csv") {
        let x = num(&row, "x");
        let value = num(&row, "value");
        let context = || format!("{}({x}, {:?})", row["function"], opt(&row, "a"));
        match row["function"].as_str() {
            "poisson_cdf" => q.close(gamma_q(x + 1.0, num(&row, "a")), value, &context),
            "poisson_sf" if x >= 1.0 => p.close(gamma_p(x, num(&row, "a")), value, &context),
            "chi2_quantile" => {
                let df = num(&row, "a");
                if x < 0.5 {
                    lower.close(gamma_p(df / 2.0, value / 2.0), x, &context);
                } else {
                    upper.close(chi2_sf(value, df), 1.0 - x, &context);
                }
            }
            _ => {}
        }
    }
    for check in [q, p, lower, upper] {
        assert!(check.count > 0, "{}: no rows", check.what);
        check.finish();
    }
}
