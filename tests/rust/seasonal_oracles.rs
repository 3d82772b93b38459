//! `saferstats::stats::seasonal` against independent oracles: scipy (Kruskal–Wallis), pandas (classical
//! indices), statsmodels (STL, autocorrelations for QS) and scipy's Poisson (anomaly p-values),
//! all written by `tests/fixtures/seasonal_oracles.py` into `tests/fixtures/seasonal_*.csv`;
//! plus a hand-worked classical-index example and the April–May 2020 lockdown in the MPS
//! borough data. How every expected value was produced: tests/PROVENANCE_seasonal.md.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use saferstats::stats::seasonal::{
    DEFAULT_ANOMALY_THRESHOLD, StlParams, anomalies, classical_indices, kruskal_wallis_by_month,
    peak_and_trough, per_day, qs_test, seasonal_profile, stl,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn shared() -> PathBuf {
    std::env::var_os("SAFERSTATS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

/// Rows of a fixture CSV as header-name → field maps.
fn read_csv(name: &str) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_path(fixtures().join(name))
        .unwrap_or_else(|e| panic!("{name}: {e} (run tests/fixtures/seasonal_oracles.py)"));
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn f(row: &BTreeMap<String, String>, key: &str) -> f64 {
    row[key].parse().unwrap()
}

fn u(row: &BTreeMap<String, String>, key: &str) -> usize {
    row[key].parse().unwrap()
}

struct Series {
    first_month: u32,
    counts: Vec<f64>,
}

fn series() -> BTreeMap<String, Series> {
    let mut out: BTreeMap<String, Series> = BTreeMap::new();
    for row in read_csv("seasonal_series.csv") {
        let s = out.entry(row["series"].clone()).or_insert_with(|| Series {
            first_month: row["month"].parse().unwrap(),
            counts: Vec::new(),
        });
        assert_eq!(u(&row, "index"), s.counts.len());
        s.counts.push(f(&row, "count"));
    }
    out
}

fn rel_err(actual: f64, expected: f64) -> f64 {
    if actual == expected {
        0.0
    } else {
        (actual - expected).abs() / expected.abs()
    }
}

#[test]
fn kruskal_wallis_equals_scipy_to_1e9_relative() {
    let series = series();
    let mut checked = 0;
    let mut worst = 0.0_f64;
    for row in read_csv("seasonal_tests.csv") {
        if row["test"] != "kruskal_wallis" {
            continue;
        }
        let s = &series[&row["series"]];
        let r = kruskal_wallis_by_month(&s.counts, s.first_month).unwrap();
        let name = &row["series"];
        let (e_h, e_p) = (
            rel_err(r.statistic, f(&row, "statistic")),
            rel_err(r.p_value, f(&row, "p_value")),
        );
        worst = worst.max(e_h).max(e_p);
        assert!(e_h < 1e-9, "{name}: H {r:?} vs {row:?}");
        assert!(e_p < 1e-9, "{name}: p {r:?} vs {row:?}");
        assert_eq!(r.df, f(&row, "df"));
        checked += 1;
    }
    assert_eq!(checked, 5);
    eprintln!("worst Kruskal-Wallis relative difference vs scipy: {worst:e}");
}

#[test]
fn qs_equals_statsmodels_acf_with_seastests_rule() {
    let series = series();
    let mut checked = 0;
    let mut worst = 0.0_f64;
    for row in read_csv("seasonal_tests.csv") {
        if row["test"] != "qs" {
            continue;
        }
        let s = &series[&row["series"]];
        let r = qs_test(&s.counts, s.first_month).unwrap();
        let name = &row["series"];
        let (e_q, e_p) = (
            rel_err(r.statistic, f(&row, "statistic")),
            rel_err(r.p_value, f(&row, "p_value")),
        );
        worst = worst.max(e_q).max(e_p);
        assert!(e_q < 1e-9, "{name}: {r:?} vs {row:?}");
        assert!(e_p < 1e-9, "{name}: {r:?} vs {row:?}");
        assert_eq!(r.df, 2.0);
        checked += 1;
    }
    // "synthetic" has a negative seasonal autocorrelation: QS = 0, p = 1 (seastests rule).
    assert_eq!(checked, 5);
    let s = &series["synthetic"];
    assert_eq!(qs_test(&s.counts, s.first_month).unwrap().statistic, 0.0);
    eprintln!("worst QS relative difference vs the statsmodels-acf oracle: {worst:e}");
}

#[test]
fn classical_indices_equal_pandas_to_1e12() {
    let series = series();
    let mut expected: BTreeMap<String, [f64; 12]> = BTreeMap::new();
    for row in read_csv("seasonal_classical.csv") {
        expected
            .entry(row["series"].clone())
            .or_insert([f64::NAN; 12])[u(&row, "month") - 1] = f(&row, "index");
    }
    assert_eq!(expected.len(), series.len());
    let mut worst = 0.0_f64;
    for (name, exp) in &expected {
        let s = &series[name];
        let idx = classical_indices(&s.counts, s.first_month).unwrap();
        for m in 0..12 {
            worst = worst.max((idx[m] - exp[m]).abs());
            assert!(
                (idx[m] - exp[m]).abs() < 1e-12,
                "{name} month {}: {} vs pandas {}",
                m + 1,
                idx[m],
                exp[m]
            );
        }
    }
    eprintln!("worst classical index difference vs pandas: {worst:e}");
}

/// The hand-worked spreadsheet example, also in the fixtures as "classical_hand".
///
/// 36 months from July 2019 (t = 0 … 35), `yₜ = 100 + 2t + s[month]` with the zero-sum pattern
/// s = Jan −12, Feb −18, Mar −6, Apr 0, May 6, Jun 12, Jul 18, Aug 12, Sep 6, Oct 0, Nov −6,
/// Dec −12. The centred 2×12 moving average reproduces a straight line and cancels a zero-sum
/// period-12 pattern, so `MAₜ = 100 + 2t` for t = 6 … 29 (January 2020 … December 2021).
/// Each calendar month gets two ratios, e.g.
///
/// * January: t = 6 (y = 112 − 12 = 100, MA 112) and t = 18 (y = 136 − 12 = 124, MA 136):
///   r̄ = (100/112 + 124/136)/2 = (0.892857142857 + 0.911764705882)/2 = 0.902310924370;
/// * February: t = 7 and 19: (114 − 18)/114 and (138 − 18)/138 → r̄ = (0.842105263158 +
///   0.869565217391)/2 = 0.855835240275;
/// * July: t = 12 (July 2020) and t = 24 (July 2021; July 2019 at t = 0 has no moving
///   average): (124 + 18)/124 and (148 + 18)/148 → r̄ = (1.145161290323 + 1.121621621622)/2 =
///   1.133391455972;
/// * April and October (s = 0): r̄ = 1 exactly.
///
/// The twelve r̄ sum to 11.986 441… (slightly under 12 because yₜ/MAₜ is convex in MAₜ), so each
/// index is r̄ · 12/11.986 441…: January 0.903 332, February 0.856 803, July 1.134 674, April and
/// October 1.001 131. pandas (with the shift(-1) alignment, see the oracle script) gives the
/// same to 1e-15.
#[test]
fn classical_indices_hand_worked_example() {
    let s = [
        -12.0, -18.0, -6.0, 0.0, 6.0, 12.0, 18.0, 12.0, 6.0, 0.0, -6.0, -12.0,
    ];
    let y: Vec<f64> = (0..36)
        .map(|t| 100.0 + 2.0 * t as f64 + s[(6 + t) % 12])
        .collect();
    assert_eq!(y, series()["classical_hand"].counts);
    let idx = classical_indices(&y, 7).unwrap();

    let jan: f64 = (100.0 / 112.0 + 124.0 / 136.0) / 2.0;
    let feb: f64 = (96.0 / 114.0 + 120.0 / 138.0) / 2.0;
    let jul: f64 = (142.0 / 124.0 + 166.0 / 148.0) / 2.0;
    assert!((jan - 0.902_310_924_370).abs() < 1e-12);
    assert!((feb - 0.855_835_240_275).abs() < 1e-12);
    assert!((jul - 1.133_391_455_972).abs() < 1e-12);
    // Sum of the twelve raw means, month by month (t = 6..29, calendar month (6 + t) % 12).
    let raw_sum: f64 = (6..30).map(|t| y[t] / (100.0 + 2.0 * t as f64) / 2.0).sum();
    assert!((raw_sum - 11.986_441).abs() < 1e-6);
    let k = 12.0 / raw_sum;
    assert!((idx[0] - jan * k).abs() < 1e-14);
    assert!((idx[1] - feb * k).abs() < 1e-14);
    assert!((idx[6] - jul * k).abs() < 1e-14);
    assert!((idx[3] - k).abs() < 1e-14 && (idx[9] - k).abs() < 1e-14);
    assert!((idx[0] - 0.903_332).abs() < 1e-6);
    assert!((idx[1] - 0.856_803).abs() < 1e-6);
    assert!((idx[6] - 1.134_674).abs() < 1e-6);
    assert!((idx[3] - 1.001_131).abs() < 1e-6);
    assert_eq!(peak_and_trough(&idx), ("July", "February"));
}

/// STL configurations of the oracle script, as saferstats parameters.
fn stl_configs() -> BTreeMap<String, StlParams> {
    let mut out = BTreeMap::new();
    for row in read_csv("seasonal_stl_configs.csv") {
        let robust = u(&row, "robust") == 1;
        let p = StlParams {
            seasonal_length: u(&row, "seasonal"),
            trend_length: Some(u(&row, "trend")),
            low_pass_length: Some(u(&row, "low_pass")),
            seasonal_degree: row["seasonal_deg"].parse().unwrap(),
            trend_degree: row["trend_deg"].parse().unwrap(),
            robust,
        };
        // What saferstats passes to stlrs is what the oracle passed to statsmodels.
        assert_eq!(row["low_pass_deg"], row["trend_deg"]);
        assert_eq!(p.inner_loops(), u(&row, "inner_iter"));
        assert_eq!(p.outer_loops(), u(&row, "outer_iter"));
        out.insert(row["config"].clone(), p);
    }
    out
}

#[test]
fn oracle_default_config_is_the_pinned_default() {
    let p = stl_configs()["saferstats_default"];
    let d = StlParams::default();
    assert_eq!(
        (
            d.seasonal_length,
            d.seasonal_degree,
            d.trend_degree,
            d.robust
        ),
        (
            p.seasonal_length,
            p.seasonal_degree,
            p.trend_degree,
            p.robust
        )
    );
    assert_eq!(Some(d.effective_trend_length()), p.trend_length);
    assert_eq!(Some(d.effective_low_pass_length()), p.low_pass_length);
}

/// Largest |saferstats − statsmodels| over trend, seasonal and remainder, relative to the
/// largest count of the series, for every series × configuration.
///
/// The two are ports of the same Fortran with every setting pinned (lengths, degrees, jumps 1,
/// inner/outer loop counts, bisquare weights on 6·median|R|), so agreement is limited only by
/// floating-point summation order; measured worst case 1.0e-14 (statsmodels 0.15.0, stlrs
/// 0.4.0) — asserted at 1e-12.
#[test]
fn stl_equals_statsmodels() {
    let series = series();
    let configs = stl_configs();
    let mut expected: BTreeMap<(String, String), Vec<[f64; 3]>> = BTreeMap::new();
    for row in read_csv("seasonal_stl.csv") {
        let v = expected
            .entry((row["series"].clone(), row["config"].clone()))
            .or_default();
        assert_eq!(u(&row, "index"), v.len());
        v.push([f(&row, "trend"), f(&row, "seasonal"), f(&row, "remainder")]);
    }
    let mut strengths: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
    for row in read_csv("seasonal_stl_strength.csv") {
        strengths.insert(
            (row["series"].clone(), row["config"].clone()),
            (f(&row, "seasonal_strength"), f(&row, "trend_strength")),
        );
    }
    assert_eq!(expected.len(), 12);
    let mut worst = 0.0_f64;
    let mut worst_strength = 0.0_f64;
    for ((name, config), exp) in &expected {
        let y = &series[name].counts;
        let fit = stl(y, &configs[config]).unwrap();
        let scale = y.iter().copied().fold(0.0, f64::max);
        for (t, e) in exp.iter().enumerate() {
            for (k, got) in [fit.trend[t], fit.seasonal[t], fit.remainder[t]]
                .into_iter()
                .enumerate()
            {
                let err = (got - e[k]).abs() / scale;
                worst = worst.max(err);
                assert!(
                    err < 1e-12,
                    "{name}/{config} t={t} component {k}: {got} vs {}",
                    e[k]
                );
            }
        }
        let (ss, ts) = strengths[&(name.clone(), config.clone())];
        worst_strength = worst_strength
            .max((fit.seasonal_strength - ss).abs())
            .max((fit.trend_strength - ts).abs());
        assert!(
            (fit.seasonal_strength - ss).abs() < 1e-12,
            "{name}/{config}"
        );
        assert!((fit.trend_strength - ts).abs() < 1e-12, "{name}/{config}");
    }
    eprintln!("worst STL difference vs statsmodels, relative to max count: {worst:e}");
    eprintln!("worst STL strength difference vs statsmodels components: {worst_strength:e}");
}

#[test]
fn anomalies_equal_oracle_from_statsmodels_components() {
    let series = series();
    let configs = stl_configs();
    let mut expected: BTreeMap<(String, String), Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for row in read_csv("seasonal_anomalies.csv") {
        expected
            .entry((row["series"].clone(), row["config"].clone()))
            .or_default()
            .push(row);
    }
    let mut worst_p = 0.0_f64;
    for name in ["synthetic", "sparse", "mps_croydon", "mps_westminster"] {
        for (config, params) in &configs {
            let y = &series[name].counts;
            let fit = stl(y, params).unwrap();
            let found = anomalies(y, &fit, DEFAULT_ANOMALY_THRESHOLD).unwrap();
            let exp = expected
                .get(&(name.to_string(), config.clone()))
                .cloned()
                .unwrap_or_default();
            let got_idx: Vec<usize> = found.iter().map(|a| a.index).collect();
            let exp_idx: Vec<usize> = exp.iter().map(|r| u(r, "index")).collect();
            assert_eq!(got_idx, exp_idx, "{name}/{config}");
            for (a, e) in found.iter().zip(&exp) {
                assert_eq!(a.observed, f(e, "observed"));
                assert!(rel_err(a.expected, f(e, "expected")) < 1e-10);
                assert!(rel_err(a.robust_score, f(e, "robust_score")) < 1e-8);
                assert_eq!(a.direction, e["direction"].parse::<i8>().unwrap());
                let p = f(e, "p_value");
                if p > 1e-280 {
                    let err = rel_err(a.p_value, p);
                    worst_p = worst_p.max(err);
                    assert!(
                        err < 1e-6,
                        "{name}/{config} t={}: p {} vs {p}",
                        a.index,
                        a.p_value
                    );
                } else {
                    // scipy underflows to 0 (or near the subnormal range): both negligible.
                    assert!(a.p_value < 1e-250, "{name}/{config}: {}", a.p_value);
                }
            }
        }
    }
    eprintln!("worst Poisson p-value relative difference vs scipy: {worst_p:e}");
}

/// Total recorded crime per London borough (sum of all MajorText/MinorText rows), Apr 2010 to
/// Sep 2023, read straight from the gzip file (not from the fixtures).
fn mps_borough_totals() -> BTreeMap<String, Vec<f64>> {
    let path = shared().join("mps/MPS_Borough_Level_Crime_Historical_201004-202309.csv.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().unwrap().clone();
    assert_eq!(&header[3], "201004");
    assert_eq!(&header[header.len() - 1], "202309");
    let n = header.len() - 3;
    let mut totals: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let t = totals
            .entry(r[2].to_string())
            .or_insert_with(|| vec![0.0; n]);
        for (i, v) in r.iter().skip(3).enumerate() {
            t[i] += v.parse::<f64>().unwrap();
        }
    }
    totals
}

/// The 32 London boroughs (the file's "Unknown" and airports rows left out).
fn mps_32_boroughs() -> BTreeMap<String, Vec<f64>> {
    let mut totals = mps_borough_totals();
    totals.retain(|name, _| name != "Unknown" && !name.starts_with("London Heathrow"));
    assert_eq!(totals.len(), 32);
    for y in totals.values() {
        assert_eq!(y.len(), 162);
    }
    totals
}

const MAR_2020: usize = 119; // months since April 2010
const APR_2020: usize = 120;
const MAY_2020: usize = 121;

/// With the pinned defaults (near-periodic robust STL, |robust score| > 3.5) the first
/// lockdown is found: for London as a whole March, April and May 2020 are low anomalies with
/// April the lowest score of the 162 months; per borough, April 2020 is a low anomaly in 29 of
/// the 32 boroughs and May 2020 in 27. The exceptions are asserted exactly: in Hounslow,
/// Sutton and Waltham Forest April 2020 scores between −3.0 and −3.2 (a drop of about 20%
/// against a noisier series), and the May 2020 drop is within the threshold in Bexley,
/// Hounslow, Lewisham, Sutton and Waltham Forest. No lockdown month is flagged high anywhere.
#[test]
fn mps_lockdown_months_are_low_anomalies() {
    let boroughs = mps_32_boroughs();
    let mut london = vec![0.0; 162];
    let mut april_missed = Vec::new();
    let mut may_missed = Vec::new();
    for (name, y) in &boroughs {
        for (l, v) in london.iter_mut().zip(y) {
            *l += v;
        }
        let fit = stl(y, &StlParams::default()).unwrap();
        let found = anomalies(y, &fit, DEFAULT_ANOMALY_THRESHOLD).unwrap();
        for (month, missed) in [(APR_2020, &mut april_missed), (MAY_2020, &mut may_missed)] {
            match found.iter().find(|a| a.index == month) {
                Some(a) => {
                    assert_eq!(a.direction, -1, "{name}: {a:?}");
                    assert!(
                        a.observed < 0.9 * a.expected && a.p_value < 1e-6,
                        "{name}: {a:?}"
                    );
                }
                None => missed.push(name.as_str()),
            }
        }
        assert!(
            found
                .iter()
                .filter(|a| (MAR_2020..=MAY_2020).contains(&a.index))
                .all(|a| a.direction == -1),
            "{name}"
        );
    }
    assert_eq!(april_missed, ["Hounslow", "Sutton", "Waltham Forest"]);
    assert_eq!(
        may_missed,
        ["Bexley", "Hounslow", "Lewisham", "Sutton", "Waltham Forest"]
    );

    let fit = stl(&london, &StlParams::default()).unwrap();
    let found = anomalies(&london, &fit, DEFAULT_ANOMALY_THRESHOLD).unwrap();
    for month in [MAR_2020, APR_2020, MAY_2020] {
        let a = found.iter().find(|a| a.index == month).unwrap();
        assert_eq!(a.direction, -1);
    }
    let lowest = found
        .iter()
        .min_by(|a, b| a.robust_score.total_cmp(&b.robust_score))
        .unwrap();
    assert_eq!(lowest.index, APR_2020);
    // April 2020: 48,040 crimes against about 70,700 expected.
    assert_eq!(lowest.observed, 48_040.0);
    assert!((lowest.expected - 70_734.0).abs() < 1.0, "{lowest:?}");
}

/// February's low counts are mostly its length: classical indices on raw counts put the
/// trough in February in 23 of the 32 boroughs, indices on per-day rates in none of them
/// (December becomes the usual trough). Total crime is seasonal by the QS test (p < 0.01) in
/// 30 boroughs; Kingston upon Thames (p = 0.04) and Sutton (p = 0.16) are the exceptions.
#[test]
fn mps_month_length_adjustment_moves_the_february_trough() {
    let boroughs = mps_32_boroughs();
    let (mut raw_feb, mut per_day_feb) = (0, 0);
    let mut not_seasonal = Vec::new();
    for (name, y) in &boroughs {
        let raw = classical_indices(y, 4).unwrap();
        let adjusted = classical_indices(&per_day(y, 2010, 4).unwrap(), 4).unwrap();
        raw_feb += usize::from(peak_and_trough(&raw).1 == "February");
        per_day_feb += usize::from(peak_and_trough(&adjusted).1 == "February");
        // Dividing by days lifts February relative to the 31-day months by about 28/31.
        assert!(adjusted[1] > raw[1] * 1.06, "{name}");
        if qs_test(y, 4).unwrap().p_value >= 0.01 {
            not_seasonal.push(name.as_str());
        }
        let fit = stl(y, &StlParams::default()).unwrap();
        let profile = seasonal_profile(&fit.seasonal, 4).unwrap();
        assert!(profile.iter().sum::<f64>().abs() < 1e-6 * y[0], "{name}");
    }
    assert_eq!((raw_feb, per_day_feb), (23, 0));
    assert_eq!(not_seasonal, ["Kingston upon Thames", "Sutton"]);
}
