//! The strategic-assessment analytics on real data, from Rust. The Python tests
//! (tests/python/test_assessment.py) assert the same numbers through the bindings, so both
//! front ends are checked against one set of expected values.

use saferstats::counts::{CountSpec, counts};
use saferstats::datasets::medway_2014;
use saferstats::frame::change::{ChangeSpec, Compare, change};
use saferstats::frame::grid_hotspots::{GridSpec, grid_hotspots};
use saferstats::frame::hotspots::{HotspotSpec, hotspots};
use saferstats::frame::rates::{PopulationYear, RateSpec, rates};
use saferstats::geo::geography::Level;
use saferstats::period::PeriodKind;
use saferstats::polars::prelude::*;

/// Top-5 wards for anti-social behaviour, April to November 2014, and their counts: computed
/// independently with a polars group-by in tests/python/test_assessment.py.
const TOP5_ASB: [(&str, i64); 5] = [
    ("River", 708),
    ("Gillingham North", 677),
    ("Gillingham South", 664),
    ("Chatham Central", 603),
    ("Luton and Wayfield", 567),
];

fn asb_april_november() -> DataFrame {
    let m = medway_2014().unwrap();
    let asb = m
        .crimes
        .crimes
        .clone()
        .lazy()
        .filter(
            col("crime_type")
                .eq(lit("Anti-social behaviour"))
                .and(col("month").dt().month().gt_eq(lit(4))),
        )
        .collect()
        .unwrap();
    counts(
        &asb,
        &m.geography,
        &CountSpec::new(Level::Ward, PeriodKind::CalendarYear),
    )
    .unwrap()
    .table
}

#[test]
fn medway_asb_top_five_wards_and_their_share() {
    let table = asb_april_november();
    let h = hotspots(&table, None, &HotspotSpec::default()).unwrap();
    let top = h
        .ranking
        .lazy()
        .filter(col("in_top"))
        .sort(["rank"], SortMultipleOptions::default())
        .collect()
        .unwrap();
    let names: Vec<&str> = top
        .column("area_name")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    let counts: Vec<i64> = top
        .column("count")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(names, TOP5_ASB.map(|t| t.0));
    assert_eq!(counts, TOP5_ASB.map(|t| t.1));
    let total: i64 = table.column("count").unwrap().i64().unwrap().sum().unwrap();
    let share = h
        .summary
        .column("top_share")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    let expected = TOP5_ASB.iter().map(|t| t.1).sum::<i64>() as f64 / total as f64;
    assert!((share - expected).abs() < 1e-12);
    assert_eq!(total, 6_697);
    assert!((share - 3_219.0 / 6_697.0).abs() < 1e-12, "{share}"); // "these wards account for 48%"
    let null = h
        .summary
        .column("poisson_null_share")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!(null < share);
}

#[test]
fn medway_ward_rates_with_mid_2017_ward_populations() {
    let m = medway_2014().unwrap();
    let c = counts(
        &m.crimes.crimes,
        &m.geography,
        &CountSpec::new(Level::Ward, PeriodKind::CalendarYear),
    )
    .unwrap()
    .table;
    let spec = RateSpec {
        population_year: PopulationYear::Fixed(2017),
        ..RateSpec::default()
    };
    let out = rates(&c, &m.ward_population.table, &spec).unwrap();
    let (r, report) = (out.table, out.report);
    assert_eq!(report.population_years, vec![2017]);
    assert_eq!(r.height(), 22);
    let river = r
        .lazy()
        .filter(col("area_name").eq(lit("River")))
        .collect()
        .unwrap();
    let count = river
        .column("count")
        .unwrap()
        .i64()
        .unwrap()
        .get(0)
        .unwrap() as f64;
    let pop = river
        .column("population")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    let value = river
        .column("value")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!((value - count / pop * 1000.0).abs() < 1e-12);
}

#[test]
fn medway_ward_quarters_with_verdicts() {
    let m = medway_2014().unwrap();
    let q = counts(
        &m.crimes.crimes,
        &m.geography,
        &CountSpec::new(Level::Ward, PeriodKind::Quarter),
    )
    .unwrap()
    .table;
    let spec = ChangeSpec {
        compare: Compare::Previous,
        ..ChangeSpec::default()
    };
    let out = change(&q, &spec).unwrap();
    let (t, report) = (out.table, out.report);
    assert_eq!(t.height(), 22 * 2); // Q2 vs Q1 and Q3 vs Q2; Q4 is partial
    assert_eq!(report.refused_partial.len(), 1);
    let verdicts = t.column("verdict").unwrap().str().unwrap();
    assert!(
        verdicts
            .iter()
            .flatten()
            .all(|v| v.contains("significant") || v == "no change")
    );
}

#[test]
fn medway_grid_hotspots() {
    let m = medway_2014().unwrap();
    let out = grid_hotspots(&m.crimes.crimes, &GridSpec::default()).unwrap();
    let (cells, report) = (out.table, out.report);
    assert_eq!(
        report.points_used + report.without_coordinates + report.outside_great_britain,
        report.rows_in
    );
    assert_eq!(report.outside_great_britain, 0);
    let total: f64 = cells.column("count").unwrap().f64().unwrap().sum().unwrap();
    assert_eq!(total as u64, report.points_used);
    let hot = cells
        .column("hotspot")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .filter(|h| *h == Some("hot"))
        .count();
    // The same grid and hot cells from Python: tests/python/test_assessment.py.
    assert_eq!((report.columns, report.rows), (80, 66));
    assert_eq!(hot, 384);
}

#[test]
fn grid_errors_are_clear() {
    let m = medway_2014().unwrap();
    let zero = GridSpec {
        cell_size: 0.0,
        ..GridSpec::default()
    };
    assert!(grid_hotspots(&m.crimes.crimes, &zero).is_err());
    let tiny = GridSpec {
        cell_size: 0.01,
        ..GridSpec::default()
    };
    let err = grid_hotspots(&m.crimes.crimes, &tiny)
        .unwrap_err()
        .to_string();
    assert!(err.contains("cells"), "{err}");
}
