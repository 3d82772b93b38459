//! Declared keys: every frame function keeps exactly the key columns of its input, and a
//! column it does not know (a caller's note, PHE-named limits) never becomes a key.

use saferstats::counts::{CountSpec, counts};
use saferstats::datasets::medway_2014;
use saferstats::frame::change::{ChangeSpec, change};
use saferstats::frame::hotspots::{
    HotspotSpec, ShareChangeSpec, hotspots, lorenz, persistence, share_change,
};
use saferstats::frame::peers::{PeerSpec, compare_with_benchmark, funnel_limits, rank_among_peers};
use saferstats::frame::rates::{Confidence, RateSpec, rates};
use saferstats::frame::seasonality::{SeasonalitySpec, seasonality};
use saferstats::frame::shares::{ShareSpec, shares};
use saferstats::frame::trends::{TrendSpec, trends};
use saferstats::geo::geography::Level;
use saferstats::period::PeriodKind;
use saferstats::polars::prelude::*;
use saferstats::schema::{AREA_CODE, Keys, PERIOD};

/// Medway ward counts by crime type and quarter, with a caller's note column.
fn ward_counts() -> (DataFrame, Keys) {
    let m = medway_2014().unwrap();
    let spec = CountSpec::new(Level::Ward, PeriodKind::Quarter)
        .by(["crime_type"])
        .coverage(m.crimes.report.months_covered.iter().copied());
    let out = counts(&m.crimes.crimes, &m.geography, &spec).unwrap();
    assert_eq!(out.report.keys, Keys::by(["crime_type"]));
    let mut table = out.table;
    let note = Column::new_scalar(
        "note".into(),
        Scalar::from(PlSmallStr::from("mine")),
        table.height(),
    );
    table.with_column(note).unwrap();
    (table, out.report.keys)
}

fn has_columns(table: &DataFrame, columns: &[String]) {
    for c in columns {
        assert!(
            table.column(c).is_ok(),
            "missing key column {c}: {:?}",
            table.get_column_names()
        );
    }
}

/// A table with one year of synthetic annual counts per area and crime type, five years.
fn annual() -> DataFrame {
    let years = [2015, 2016, 2017, 2018, 2019];
    let mut area = Vec::new();
    let mut kind = Vec::new();
    let mut start = Vec::new();
    let mut count = Vec::new();
    let mut pop = Vec::new();
    for (a, base) in [("A", 100i64), ("B", 200)] {
        for k in ["Burglary", "Drugs"] {
            for (i, y) in years.iter().enumerate() {
                area.push(a);
                kind.push(k);
                start.push(chrono_days(*y, 4));
                count.push(base + 10 * i as i64);
                pop.push(10_000.0);
            }
        }
    }
    let n = area.len();
    let mut df = df!(
        "area_code" => area, "crime_type" => kind, "count" => count, "population" => pop,
        "months_expected" => vec![12u32; n], "months_covered" => vec![12u32; n],
        "period" => (0..n).map(|i| format!("{}/{}", years[i % 5], (years[i % 5] + 1) % 100)).collect::<Vec<_>>(),
        "note" => vec!["x"; n],
    )
    .unwrap();
    let dates = Column::new("period_start".into(), start)
        .cast(&DataType::Date)
        .unwrap();
    df.with_column(dates).unwrap();
    df
}

fn chrono_days(year: i32, month: u32) -> i32 {
    saferstats::period::YearMonth::new(year, month)
        .unwrap()
        .to_epoch_days()
}

#[test]
fn every_frame_function_keeps_the_declared_keys() {
    let (table, keys) = ward_counts();
    let row = keys.row();
    let m = medway_2014().unwrap();

    let rated = rates(
        &table,
        &m.ward_population.table,
        &RateSpec {
            population_year: saferstats::frame::rates::PopulationYear::Fixed(2017),
            ..RateSpec::default().with_keys(keys.clone())
        },
    )
    .unwrap();
    assert_eq!(rated.report.keys, keys);
    has_columns(&rated.table, &row);

    let peers = PeerSpec {
        keys: keys.clone(),
        simulations: 200,
        ..PeerSpec::default()
    };
    for out in [
        compare_with_benchmark(&rated.table, &peers).unwrap(),
        funnel_limits(&rated.table, &peers).unwrap(),
        rank_among_peers(&rated.table, &peers).unwrap(),
    ] {
        assert_eq!(out.report.keys, keys);
        assert_eq!(out.report.peer_group, [PERIOD, "crime_type"]);
        has_columns(&out.table, &row);
    }

    let shared = shares(&table, &ShareSpec::new("crime_type", keys.clone())).unwrap();
    assert_eq!(shared.report.within, [AREA_CODE, PERIOD]);
    has_columns(&shared.table, &row);

    let changed = change(
        &table,
        &ChangeSpec {
            keys: keys.clone(),
            ..ChangeSpec::default()
        },
    )
    .unwrap();
    assert_eq!(changed.report.keys, keys);
    has_columns(&changed.table, &row);

    let spec = HotspotSpec {
        keys: keys.clone(),
        ..HotspotSpec::default()
    };
    let h = hotspots(&table, None, &spec).unwrap();
    assert_eq!(h.report.within, [PERIOD, "crime_type"]);
    has_columns(&h.ranking, &row);
    has_columns(&h.summary, &keys.peer_group());
    has_columns(&lorenz(&table, &spec).unwrap().table, &keys.peer_group());
    has_columns(&persistence(&table, &spec).unwrap().table, &keys.series());

    let q2 = table
        .clone()
        .lazy()
        .filter(col(PERIOD).eq(lit("2014 Q2")))
        .collect()
        .unwrap();
    let q3 = table
        .clone()
        .lazy()
        .filter(col(PERIOD).eq(lit("2014 Q3")))
        .collect()
        .unwrap();
    let sc = share_change(
        &q2,
        &q3,
        &ShareChangeSpec {
            keys: keys.clone(),
            ..ShareChangeSpec::default()
        },
    )
    .unwrap();
    has_columns(&sc.table, &row);

    let a = annual();
    let t = trends(
        &a,
        &TrendSpec {
            keys: Keys::by(["crime_type"]),
            ..TrendSpec::default()
        },
    )
    .unwrap();
    assert_eq!(t.table.height(), 4, "one row per area and crime type");
    has_columns(&t.table, &Keys::by(["crime_type"]).series());
}

#[test]
fn an_unknown_column_never_becomes_a_key() {
    let (table, keys) = ward_counts();
    let without = table.drop("note").unwrap();
    let spec = HotspotSpec {
        keys: keys.clone(),
        ..HotspotSpec::default()
    };
    let a = hotspots(&table, None, &spec).unwrap();
    let b = hotspots(&without, None, &spec).unwrap();
    assert_eq!(a.summary.height(), b.summary.height());
    let ca = change(
        &table,
        &ChangeSpec {
            keys: keys.clone(),
            ..ChangeSpec::default()
        },
    )
    .unwrap();
    let cb = change(
        &without,
        &ChangeSpec {
            keys,
            ..ChangeSpec::default()
        },
    )
    .unwrap();
    assert_eq!(ca.report.compared, cb.report.compared);
}

#[test]
fn hotspots_without_the_poisson_null_leave_only_its_two_columns_null() {
    let (table, keys) = ward_counts();
    let with = HotspotSpec {
        keys: keys.clone(),
        ..HotspotSpec::default()
    };
    let without = HotspotSpec {
        poisson_null: false,
        ..with.clone()
    };
    let a = hotspots(&table, None, &with).unwrap();
    let b = hotspots(&table, None, &without).unwrap();
    assert!(a.ranking.equals_missing(&b.ranking));
    let skipped = ["poisson_null_share", "gini_poisson_baseline"];
    for name in skipped {
        let column = b.summary.column(name).unwrap();
        assert_eq!(column.null_count(), column.len(), "{name}");
        assert!(a.summary.column(name).unwrap().null_count() < column.len());
    }
    let rest = |df: &DataFrame| df.drop_many(skipped);
    assert!(rest(&a.summary).equals_missing(&rest(&b.summary)));
}

#[test]
fn phe_columns_do_not_change_the_comparisons() {
    let a = annual();
    let keys = Keys::by(["crime_type"]);
    let pop = df!(
        "area_code" => ["A", "A", "A", "A", "A", "B", "B", "B", "B", "B"],
        "mid_year" => [2015, 2016, 2017, 2018, 2019, 2015, 2016, 2017, 2018, 2019],
        "population" => [10_000.0; 10],
    )
    .unwrap();
    let a = a.drop("population").unwrap();
    let plain = RateSpec {
        confidence: Confidence::PhePair,
        ..RateSpec::default().with_keys(keys.clone())
    };
    let phe = RateSpec {
        phe_columns: true,
        ..plain.clone()
    };
    let r1 = rates(&a, &pop, &plain).unwrap().table;
    let r2 = rates(&a, &pop, &phe).unwrap().table;
    assert!(r2.column("lower95_0cl").is_ok());
    let c1 = change(
        &r1,
        &ChangeSpec {
            keys: keys.clone(),
            ..ChangeSpec::default()
        },
    )
    .unwrap();
    let c2 = change(
        &r2,
        &ChangeSpec {
            keys: keys.clone(),
            ..ChangeSpec::default()
        },
    )
    .unwrap();
    assert!(c1.report.compared > 0);
    assert_eq!(c1.report.compared, c2.report.compared);
    assert!(
        c1.table
            .column("p_value")
            .unwrap()
            .equals_missing(c2.table.column("p_value").unwrap())
    );
    let peers = PeerSpec {
        keys,
        ..PeerSpec::default()
    };
    let b1 = compare_with_benchmark(&r1, &peers).unwrap();
    let b2 = compare_with_benchmark(&r2, &peers).unwrap();
    assert_eq!(b1.report.groups, 10, "5 years x 2 crime types");
    assert_eq!(b1.report.groups, b2.report.groups);
    assert!(
        b1.table
            .column("vs_benchmark_95")
            .unwrap()
            .equals_missing(b2.table.column("vs_benchmark_95").unwrap())
    );
}

#[test]
fn seasonality_keys_are_the_series() {
    let (table, _) = ward_counts();
    // Two years of one ward's monthly series are not available in Medway's 11 months: the
    // refusal names the series (area and group), proving the key set used.
    let monthly = table
        .clone()
        .lazy()
        .filter(col("crime_type").eq(lit("Burglary")))
        .collect()
        .unwrap();
    let err = seasonality(
        &monthly,
        &SeasonalitySpec {
            keys: Keys::by(["crime_type"]),
            ..SeasonalitySpec::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("Burglary") || err.contains("month"), "{err}");
}

#[test]
fn duplicated_and_null_keys_are_errors_not_last_one_wins() {
    let t = df!(
        "area_code" => ["A", "A", "B"], "period" => ["2014", "2014", "2014"],
        "count" => [1i64, 2, 3],
    )
    .unwrap();
    let err = hotspots(&t, None, &HotspotSpec::default()).unwrap_err();
    assert!(matches!(err, saferstats::Error::Duplicate { .. }), "{err}");
    assert!(
        err.to_string().contains("area_code=\"A\"") || err.to_string().contains("area_code=A"),
        "{err}"
    );
    let typed = df!(
        "area_code" => ["A", "A"], "period" => ["2014", "2014"], "crime_type" => ["x", "y"],
        "count" => [1i64, 2],
    )
    .unwrap();
    let err = hotspots(&typed, None, &HotspotSpec::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("declare it in keys") && err.contains("crime_type"),
        "{err}"
    );
    assert!(
        hotspots(
            &typed,
            None,
            &HotspotSpec {
                keys: Keys::by(["crime_type"]),
                ..HotspotSpec::default()
            }
        )
        .is_ok()
    );
    let nulls = df!(
        "area_code" => [Some("A"), None], "period" => ["2014", "2014"], "count" => [1i64, 2],
    )
    .unwrap();
    let err = change(&nulls, &ChangeSpec::default()).unwrap_err();
    assert!(matches!(err, saferstats::Error::BadValue { .. }), "{err}");
    assert!(err.to_string().contains("area_code"), "{err}");
}

/// A population of 0, below 0, missing, NaN or infinite is an error naming the row, in every
/// peer function: never a "Higher" or "Similar" from a meaningless rate.
#[test]
fn peer_functions_refuse_populations_that_are_not_residents() {
    use saferstats::frame::peers::{
        PeerSpec, compare_with_benchmark, funnel_limits, rank_among_peers,
    };
    for bad in [0.0, -5.0, f64::NAN, f64::INFINITY] {
        let t = df!(
            "area_code" => ["A", "B", "C"], "period" => ["2014"; 3],
            "count" => [10i64, 20, 30], "population" => [1000.0, bad, 1000.0],
        )
        .unwrap();
        let spec = PeerSpec::default();
        for (name, err) in [
            (
                "benchmark",
                compare_with_benchmark(&t, &spec).map(|_| ()).unwrap_err(),
            ),
            (
                "ranks",
                rank_among_peers(&t, &spec).map(|_| ()).unwrap_err(),
            ),
            ("funnel", funnel_limits(&t, &spec).map(|_| ()).unwrap_err()),
        ] {
            assert!(
                matches!(&err, saferstats::Error::BadValue { line: 2, column, .. } if column == "population"),
                "{name} with population {bad}: {err}"
            );
        }
    }
    let text = df!(
        "area_code" => ["A"], "period" => ["2014"], "count" => [10i64], "population" => ["1000"],
    )
    .unwrap();
    let err = compare_with_benchmark(&text, &PeerSpec::default()).unwrap_err();
    assert!(err.to_string().contains("population"), "{err}");
}
