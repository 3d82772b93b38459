//! Funnel limits, funnel significance and recent-trend markers against PHE's own test outputs
//! (PHEindicatormethods' `tests/testthat` data in `../shared/data/phe-oracles`, read in place;
//! the trend workbook through its CSV conversion `tests/fixtures/phe_trend_markers.csv`). Where
//! every expected value comes from and why each tolerance is what it is:
//! `tests/PROVENANCE_phe.md`.
//!
//! Tolerances, in short: PHE finds its funnel points by bisection and stops with the tail
//! probability within about 3.5e-7 of the target, so its expected counts (and the populations
//! and limits derived from them) differ from the exact roots by up to 4.7e-5 relative (at 1
//! event, upper 99.8%); we compute the exact roots and allow 1e-4. The proportion funnels are
//! closed-form and agree to half a unit of PHE's last printed digit. Labels and markers must
//! agree exactly; trend statistics and gradients to PHE's four printed decimals.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use saferstats::frame::peers::{PeerSpec, funnel_limits};
use saferstats::polars::prelude::*;
use saferstats::stats::funnel::{
    FunnelMethod, phe_funnel_label, phe_poisson_funnel, phe_poisson_funnel_expected,
    phe_proportion_funnel, poisson_funnel_counts,
};
use saferstats::stats::special::{gamma_p, gamma_q};
use saferstats::stats::trend::{
    TrendMarker, phe_trend_proportion_counts, phe_trend_proportions, phe_trend_values,
};

fn shared() -> PathBuf {
    std::env::var_os("SAFERSTATS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

type Row = BTreeMap<String, String>;

/// Rows of a CSV as header → field maps; headers lose a byte-order mark and surrounding
/// whitespace (the ratio file's first header is `"Observed_events\n"`).
fn read_csv(path: &Path) -> Vec<Row> {
    let mut rdr = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let header: Vec<String> = rdr
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
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

fn phe(name: &str) -> Vec<Row> {
    read_csv(&shared().join("phe-oracles").join(name))
}

/// A number, or NaN for an empty or `NA` field.
fn num(row: &Row, column: &str) -> f64 {
    let v = row
        .get(column)
        .unwrap_or_else(|| panic!("no column {column} in {row:?}"));
    if v.is_empty() || v == "NA" {
        f64::NAN
    } else {
        v.parse()
            .unwrap_or_else(|e| panic!("{column} = {v:?}: {e}"))
    }
}

/// Worst relative difference per quantity, printed (run with `--nocapture`) and checked.
#[derive(Default)]
struct Worst(BTreeMap<String, (f64, String)>);

impl Worst {
    fn relative(&mut self, quantity: &str, ours: f64, theirs: f64, at: impl std::fmt::Display) {
        let d = ((ours - theirs) / theirs).abs();
        assert!(
            d.is_finite(),
            "{quantity} at {at}: ours {ours}, PHE {theirs}"
        );
        let e = self.0.entry(quantity.to_string()).or_default();
        if d >= e.0 {
            *e = (d, format!("{at}: ours {ours}, PHE {theirs}"));
        }
    }

    fn absolute(&mut self, quantity: &str, ours: f64, theirs: f64, at: impl std::fmt::Display) {
        let d = (ours - theirs).abs();
        assert!(
            d.is_finite(),
            "{quantity} at {at}: ours {ours}, PHE {theirs}"
        );
        let e = self.0.entry(quantity.to_string()).or_default();
        if d >= e.0 {
            *e = (d, format!("{at}: ours {ours}, PHE {theirs}"));
        }
    }

    fn check(&self, what: &str, tolerance: f64) {
        for (quantity, (d, at)) in &self.0 {
            eprintln!("{what} {quantity}: worst {d:.3e} ({at})");
            assert!(
                *d <= tolerance,
                "{what} {quantity}: {d:e} > {tolerance:e} at {at}"
            );
        }
    }
}

const TAILS: [(&str, f64); 2] = [("2s", 0.025), ("3s", 0.001)];

/// PHE's bisection leaves its expected counts within this relative distance of the exact roots
/// (largest seen: 4.7e-5, upper 99.8% limit at 1 event; tests/PROVENANCE_phe.md).
const PHE_BISECTION: f64 = 1e-4;

/// The baseline of PHE's rate funnels: Σ events / Σ (events / rate × multiplier) × multiplier,
/// the denominators derived from each area's events and rate.
fn rate_baseline(rows: &[Row], max_events_to: Option<f64>) -> (Vec<f64>, f64) {
    let mut ev: Vec<f64> = rows.iter().map(|r| num(r, "ev")).collect();
    if let Some(v) = max_events_to {
        let max = ev.iter().cloned().fold(f64::MIN, f64::max);
        let at = ev.iter().position(|e| *e == max).unwrap();
        ev[at] = v;
    }
    let derived: f64 = ev
        .iter()
        .zip(rows)
        .map(|(e, r)| e / num(r, "rate") * 1e5)
        .sum();
    let baseline = ev.iter().sum::<f64>() / derived * 1e5;
    (ev, baseline)
}

#[test]
fn rate_funnels_match_phe() {
    // testFunnels.R: calculate_funnel_limits(numerator = ev, rate = rate, multiplier = 1e5,
    // statistic = "rate", years_of_data = 3), rate_type "dsr" on the inputs as they are and
    // "crude" with the largest ev set to 5.
    let inputs = phe("testdata_funnel_rate_input_funnels.csv");
    for (file, change) in [
        ("testdata_funnel_rate_outputs.csv", None),
        ("testdata_funnel_rate_outputs_2.csv", Some(5.0)),
    ] {
        let (_, baseline) = rate_baseline(&inputs, change);
        let rows = phe(file);
        assert_eq!(rows.len(), 100, "{file}");
        let mut worst = Worst::default();
        for r in &rows {
            let o = num(r, "Events");
            worst.relative("baseline", baseline, num(r, "baseline"), o);
            for (s, tail) in TAILS {
                let (on_lower, on_upper) = phe_poisson_funnel_expected(o, tail);
                for (side, e) in [("lower", on_lower), ("upper", on_upper)] {
                    // The population (per year of the 3) at which o events are on the limit,
                    // and the limit there.
                    let population = e / (baseline / 1e5) / 3.0;
                    let limit = o / (population * 3.0) * 1e5;
                    let pop_col = format!("{side}_{s}_population_1_year");
                    let lim_col = format!("{side}_{s}_limit");
                    worst.relative(&pop_col, population, num(r, &pop_col), o);
                    worst.relative(&lim_col, limit, num(r, &lim_col), o);
                }
            }
        }
        worst.check(file, PHE_BISECTION);
        // The baseline is computed as PHE does, to its printed 10 significant digits.
        assert!(worst.0["baseline"].0 < 1e-9);
    }
}

#[test]
fn ratio_funnels_match_phe() {
    // calculate_funnel_limits(obs, expected, statistic = "ratio", multiplier = 100,
    // ratio_type = "count" / "isr"): both forms are in the one output file.
    let rows = phe("testdata_funnel_ratio_outputs.csv");
    assert_eq!(rows.len(), 100);
    let mut worst = Worst::default();
    let mut residual = Worst::default();
    for r in &rows {
        let o = num(r, "Observed_events");
        for (s, tail) in TAILS {
            let (on_lower, on_upper) = phe_poisson_funnel_expected(o, tail);
            for (side, e) in [("lower", on_lower), ("upper", on_upper)] {
                let exp_col = format!("{side}_{s}_exp_events");
                let count_col = format!("{side}_{s}_count");
                let isr_col = format!("{side}_{s}_isr");
                let theirs = num(r, &exp_col);
                worst.relative(&exp_col, e, theirs, o);
                // count = O/E − 1, compared as the ratio O/E (it crosses 0).
                worst.relative(&count_col, o / e, 1.0 + num(r, &count_col), o);
                worst.relative(&isr_col, 100.0 * o / e, num(r, &isr_col), o);
                // PHE's points solve the same equations to within its bisection tolerance:
                // P(X ≤ O | E) = tail on the lower limit, P(X ≥ O | E) = tail on the upper.
                let p = if side == "lower" {
                    gamma_q(o + 1.0, theirs)
                } else {
                    gamma_p(o, theirs)
                };
                residual.absolute(&format!("{side}_{s} tail probability"), p, tail, o);
            }
        }
    }
    worst.check("ratio", PHE_BISECTION);
    residual.check("ratio, at PHE's points,", 4e-7);
}

fn proportion_inputs() -> (Vec<f64>, Vec<f64>, Vec<String>) {
    let rows = phe("testdata_funnel_prop_inputs.csv");
    assert_eq!(rows.len(), 303);
    (
        rows.iter().map(|r| num(r, "numerator")).collect(),
        rows.iter().map(|r| num(r, "denominator")).collect(),
        rows.iter().map(|r| r["significance"].clone()).collect(),
    )
}

#[test]
fn proportion_funnels_match_phe() {
    // calculate_funnel_limits(numerator, denominator, statistic = "proportion",
    // multiplier = 100), on all inputs (limits printed to 6 decimals) and on those with
    // denominator < 31000 (printed to 8).
    let (num_in, den_in, _) = proportion_inputs();
    for (file, keep, decimals) in [
        ("testdata_funnel_prop_outputs.csv", f64::INFINITY, 6),
        (
            "testdata_funnel_prop_outputs_with_axis_variation.csv",
            31000.0,
            8,
        ),
    ] {
        let (mut c, mut d) = (0.0, 0.0);
        for (x, n) in num_in.iter().zip(&den_in) {
            if *n < keep {
                c += x;
                d += n;
            }
        }
        let baseline = c / d;
        let rows = phe(file);
        assert_eq!(rows.len(), 100, "{file}");
        let mut worst = Worst::default();
        for r in &rows {
            let n = num(r, "Population");
            worst.absolute("Baseline", 100.0 * baseline, num(r, "Baseline"), n);
            for (tail, lo_col, hi_col) in [
                (0.025, "Lower2s0025limit", "Upper2s0025limit"),
                (0.001, "Lower3s0001limit", "Upper3s0001limit"),
            ] {
                let (lo, hi) = phe_proportion_funnel(baseline, n, tail);
                worst.absolute(lo_col, 100.0 * lo, num(r, lo_col), n);
                worst.absolute(hi_col, 100.0 * hi, num(r, hi_col), n);
            }
        }
        // Half a unit of the last printed decimal, plus 1e-10 for the arithmetic.
        worst.check(file, 0.5 * 10f64.powi(-decimals) + 1e-10);
    }
}

#[test]
fn proportion_significance_matches_phe() {
    // assign_funnel_significance(numerator, denominator, statistic = "proportion").
    let (x, n, expected) = proportion_inputs();
    let baseline = x.iter().sum::<f64>() / n.iter().sum::<f64>();
    for i in 0..x.len() {
        let label = phe_funnel_label(
            x[i] / n[i],
            phe_proportion_funnel(baseline, n[i], 0.025),
            phe_proportion_funnel(baseline, n[i], 0.001),
        );
        assert_eq!(label, expected[i], "row {}: {} of {}", i + 1, x[i], n[i]);
    }
}

/// PHE's label of a count against the Poisson funnels around its expected count.
fn count_label(o: f64, e: f64, method: FunnelMethod) -> &'static str {
    let limits = |tail| match method {
        FunnelMethod::Phe => phe_poisson_funnel(e, tail),
        FunnelMethod::Spiegelhalter => poisson_funnel_counts(e, tail),
    };
    phe_funnel_label(o, limits(0.025), limits(0.001))
}

fn rank(label: &str) -> i32 {
    match label {
        "High (0.001)" => 2,
        "High (0.025)" => 1,
        "Low (0.025)" => -1,
        "Low (0.001)" => -2,
        _ => 0,
    }
}

#[test]
fn ratio_significance_matches_phe_and_spiegelhalter_flags_sooner() {
    // assign_funnel_significance(obs, expected, statistic = "ratio").
    let rows = phe("testdata_funnel_ratio_inputs.csv");
    assert_eq!(rows.len(), 300);
    let mut sooner = 0;
    for (i, r) in rows.iter().enumerate() {
        let (o, e) = (num(r, "obs"), num(r, "expected"));
        let ours = count_label(o, e, FunnelMethod::Phe);
        assert_eq!(ours, r["significance"], "row {}: O = {o}, E = {e}", i + 1);
        // The documented difference of Spiegelhalter's interpolation: never less significant
        // than PHE, one level more for a count at the boundary of the upper limit.
        let spiegelhalter = count_label(o, e, FunnelMethod::Spiegelhalter);
        if spiegelhalter != ours {
            sooner += 1;
            assert!(
                rank(ours) >= 0 && rank(spiegelhalter) == rank(ours) + 1,
                "row {}",
                i + 1
            );
        }
    }
    eprintln!(
        "ratio significance: Spiegelhalter's limits flag {sooner} of 300 rows one level higher"
    );
}

fn rate_inputs() -> Vec<Row> {
    let rows = phe("testdata_funnel_rate_dsr_inputs.csv");
    assert_eq!(rows.len(), 40);
    rows
}

#[test]
fn crude_rate_significance_matches_phe_through_funnel_limits() {
    // assign_funnel_significance(count, pop, rate = crude rate, statistic = "rate",
    // rate_type = "crude", multiplier = 1e5 or 100), with and without the area of 0 events;
    // here through the frame function with its defaults (PHE's method, the pooled rate).
    let rows = rate_inputs();
    for (column, per, with_zero) in [
        ("crude_per_100000_with_0", 1e5, true),
        ("crude_per_100_with_0", 100.0, true),
        ("crude_per_100000_without_0", 1e5, false),
        ("crude_per_100_without_0", 100.0, false),
    ] {
        let rows: Vec<&Row> = rows
            .iter()
            .filter(|r| with_zero || num(r, "count") != 0.0)
            .collect();
        let rates = df!(
            "area_code" => (0..rows.len()).map(|i| format!("A{i:02}")).collect::<Vec<_>>(),
            "period" => vec!["2020"; rows.len()],
            "count" => rows.iter().map(|r| num(r, "count") as i64).collect::<Vec<_>>(),
            "population" => rows.iter().map(|r| num(r, "pop")).collect::<Vec<_>>(),
        )
        .unwrap();
        let spec = PeerSpec {
            per,
            ..PeerSpec::default()
        };
        let out = funnel_limits(&rates, &spec).unwrap().table;
        let flags: Vec<&str> = out
            .column("funnel_flag")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|f| f.unwrap_or("null"))
            .collect();
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(flags[i], r[column], "{column} row {}", i + 1);
        }
    }
}

#[test]
fn dsr_significance_matches_phe_on_derived_denominators() {
    // assign_funnel_significance(count, pop, rate = rate_dsr, rate_type = "dsr"): the
    // denominator is derived from the events and the rate (count / dsr × multiplier), the
    // baseline pools the areas with 10 or more events, and an area with fewer is "Not
    // applicable". saferstats' frame functions work on crude rates; this checks the kernel.
    let rows = rate_inputs();
    const NA: &str = "Not applicable for events less than 10 for dsrs";
    for (column, multiplier, with_zero) in [
        ("dsr_per_100000_with_0", 1e5, true),
        ("dsr_per_100_with_0", 100.0, true),
        ("dsr_per_100000_without_0", 1e5, false),
        ("dsr_per_100_without_0", 100.0, false),
    ] {
        let rows: Vec<&Row> = rows
            .iter()
            .filter(|r| with_zero || num(r, "count") != 0.0)
            .collect();
        let derived = |r: &Row| num(r, "count") / num(r, "rate_dsr") * multiplier;
        let usable = |r: &Row| num(r, "count") >= 10.0;
        let (c, d) = rows
            .iter()
            .filter(|r| usable(r))
            .fold((0.0, 0.0), |(c, d), r| {
                (c + num(r, "count"), d + derived(r))
            });
        for (i, r) in rows.iter().enumerate() {
            let label = if usable(r) {
                count_label(num(r, "count"), c / d * derived(r), FunnelMethod::Phe)
            } else {
                NA
            };
            assert_eq!(label, r[column], "{column} row {}", i + 1);
        }
    }
}

/// The fixture's groups (sheet and group), rows in workbook order.
fn trend_groups() -> Vec<Vec<Row>> {
    let rows = read_csv(&fixtures().join("phe_trend_markers.csv"));
    assert_eq!(rows.len(), 65, "run tests/fixtures/phe_trend_markers.py");
    let mut groups: Vec<Vec<Row>> = Vec::new();
    for r in rows {
        match groups.last_mut() {
            Some(g) if g[0]["sheet"] == r["sheet"] && g[0]["group"] == r["group"] => g.push(r),
            _ => groups.push(vec![r]),
        }
    }
    groups
}

fn marker(label: &str) -> TrendMarker {
    match label {
        "Increasing" => TrendMarker::Increasing,
        "Decreasing" => TrendMarker::Decreasing,
        "No significant change" => TrendMarker::NoSignificantChange,
        "Cannot be calculated" => TrendMarker::CannotBeCalculated,
        other => panic!("unknown marker {other}"),
    }
}

/// Our reason for PHE's.
fn reason_matches(phe: &str, ours: &str) -> bool {
    match phe {
        "No outliers and significant trend" => ours.starts_with("X² = ") && ours.contains(" > "),
        "No significant trend" => ours.starts_with("X² = ") && ours.contains(" ≤ "),
        "Missing values" => ours == "missing values",
        "Missing at least one confidence interval value" => ours == "missing a confidence limit",
        "Not enough data points" => ours.starts_with("needs 5 annual points"),
        "Duplicate years in group" => ours.starts_with("duplicate years"),
        _ => false,
    }
}

#[test]
fn trend_markers_match_phe() {
    // PHEindicatormethods PR #92's workbook: proportions (Count of denominator) and "other"
    // values with their 95% limits, grouped and ungrouped; the marker, reason, statistic and
    // gradient are on each group's last row.
    let groups = trend_groups();
    assert_eq!(groups.len(), 13);
    let (mut compared, mut with_numbers) = (0, 0);
    let mut worst = Worst::default();
    for g in &groups {
        let last = g.last().unwrap();
        let name = format!("{} / {}", last["sheet"], last["group"]);
        let col = |c: &str| g.iter().map(|r| num(r, c)).collect::<Vec<f64>>();
        let years: Vec<i32> = col("year").iter().map(|y| *y as i32).collect();
        let (phe_marker, phe_reason) =
            (marker(&last["recent_trend"]), &last["recent_trend_reason"]);
        let proportions = last["sheet"].starts_with("testdata_prop");
        let ours = if proportions {
            phe_trend_proportion_counts(&col("count"), &col("denominator"))
        } else {
            phe_trend_values(&col("value"), &col("lower"), &col("upper"))
        };
        if phe_reason == "Duplicate years in group" {
            // The point-only kernels do not see years; the year-checked one refuses.
            let (m, r) = phe_trend_proportions(&years, &col("count"), &col("denominator"));
            assert_eq!(m, phe_marker, "{name}");
            assert!(reason_matches(phe_reason, &r), "{name}: {r}");
            compared += 1;
            continue;
        }
        assert_eq!(ours.marker, phe_marker, "{name}: {}", ours.reason);
        assert!(
            reason_matches(phe_reason, &ours.reason),
            "{name}: {}",
            ours.reason
        );
        compared += 1;
        let (statistic, gradient) = (num(last, "significance"), num(last, "gradient"));
        if statistic.is_nan() {
            assert!(ours.statistic.is_nan() && ours.gradient.is_nan(), "{name}");
        } else {
            worst.absolute("statistic", ours.statistic, statistic, &name);
            worst.absolute("gradient", ours.gradient, gradient, &name);
            with_numbers += 1;
        }
    }
    assert_eq!((compared, with_numbers), (13, 7));
    // PHE prints four decimals.
    worst.check("trend", 5e-5 + 1e-12);
}

#[test]
fn trend_markers_refuse_a_gap_where_phe_numbers_the_points() {
    // Documented choice (docs/methods.md, "Trends"): Fingertips does not test series with
    // breaks; PHEindicatormethods numbers the five points 1 to 5 whatever their years. The
    // "Other ethnic group" proportions have no 2015: PHE gives "Increasing" (X² = 47.3463, on
    // points 1 to 5; on the years themselves it would be 44.74), the year-checked marker
    // refuses, the point-only kernel reproduces PHE.
    let groups = trend_groups();
    let g = groups
        .iter()
        .find(|g| g[0]["sheet"] == "testdata_prop_grouped" && g[0]["group"] == "Other ethnic group")
        .unwrap();
    let col = |c: &str| g.iter().map(|r| num(r, c)).collect::<Vec<f64>>();
    let years: Vec<i32> = col("year").iter().map(|y| *y as i32).collect();
    assert_eq!(years, [2012, 2013, 2014, 2016, 2017]);
    let (m, reason) = phe_trend_proportions(&years, &col("count"), &col("denominator"));
    assert_eq!(m, TrendMarker::CannotBeCalculated);
    assert!(reason.contains("not consecutive"), "{reason}");
    let points = phe_trend_proportion_counts(&col("count"), &col("denominator"));
    assert_eq!(points.marker, marker(&g.last().unwrap()["recent_trend"]));
    assert!((points.statistic - 47.3463).abs() < 5e-5);
    // With consecutive years the two agree (the test is unchanged by shifting t).
    let consecutive = [2013, 2014, 2015, 2016, 2017];
    let (m, _) = phe_trend_proportions(&consecutive, &col("count"), &col("denominator"));
    assert_eq!(m, points.marker);
}
