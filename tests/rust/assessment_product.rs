//! The strategic assessment as the product (`saferstats::assessment`) on real data: Kent 2014
//! police.uk records (12 CSPs, 11 months), the MPS borough counts (32 London boroughs,
//! 2022/23), the bundled Medway data; its numbers against the frame functions called directly;
//! and bad configurations as typed errors naming what is wrong.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use saferstats::Error;
use saferstats::assessment::{
    ALL_CRIME_EXCLUDING_ASB, Assessment, AssessmentSpec, Format, GroupKind, InputPaths, Inputs,
    Peers, ReportingPeriod, assessment,
};
use saferstats::counts::{CountSpec, counts};
use saferstats::frame::peers::{PeerSpec, rank_among_peers};
use saferstats::frame::rates::{Confidence, RateSpec, rates};
use saferstats::geo::geography::Level;
use saferstats::io::ons_population::read_population;
use saferstats::io::wide_monthly::read_wide_monthly;
use saferstats::period::PeriodKind;
use saferstats::polars::prelude::*;

fn shared() -> PathBuf {
    std::env::var_os("SAFERSTATS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

fn mye4() -> PathBuf {
    shared().join("population/ons_MYE4_LAD23_population_mid2011_to_mid2023.csv")
}

fn kent_paths() -> InputPaths {
    InputPaths {
        police_uk: vec![shared().join("police-uk/kent-2014")],
        lookup: Some(shared().join("lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz")),
        lad_lookup: Some(shared().join("lookups/ons_LAD19_CSP19_PFA19_EW.csv")),
        population: Some(mye4()),
        ..InputPaths::default()
    }
}

fn london_paths() -> InputPaths {
    InputPaths {
        counts: Some(shared().join("mps/MPS_Borough_Level_Crime_Historical_201004-202309.csv.gz")),
        ward_counts: Some(
            shared().join("mps/MPS_Ward_Level_Crime_most_recent_24_months_202307-202506.csv.gz"),
        ),
        lad_lookup: Some(shared().join("lookups/ons_LAD19_CSP19_PFA19_EW.csv")),
        population: Some(mye4()),
        ..InputPaths::default()
    }
}

fn kent_2014() -> AssessmentSpec {
    AssessmentSpec {
        period: ReportingPeriod::CalendarYear(2014),
        ..AssessmentSpec::default()
    }
}

/// Kent's inputs and assessment, computed once for the tests that read them.
pub(crate) fn kent() -> &'static (Inputs, Assessment) {
    static KENT: OnceLock<(Inputs, Assessment)> = OnceLock::new();
    KENT.get_or_init(|| {
        let t = Instant::now();
        let inputs = kent_paths().load().unwrap();
        let read = t.elapsed();
        let a = assessment(&inputs, &kent_2014()).unwrap();
        eprintln!(
            "Kent 2014: read {:.2} s, assessment {:.2} s",
            read.as_secs_f64(),
            (t.elapsed() - read).as_secs_f64()
        );
        (inputs, a)
    })
}

pub(crate) fn london() -> &'static (Inputs, Assessment) {
    static LONDON: OnceLock<(Inputs, Assessment)> = OnceLock::new();
    LONDON.get_or_init(|| {
        let t = Instant::now();
        let inputs = london_paths().load().unwrap();
        let read = t.elapsed();
        let spec = AssessmentSpec {
            period: ReportingPeriod::FinancialYear(2022),
            ..AssessmentSpec::default()
        };
        let a = assessment(&inputs, &spec).unwrap();
        eprintln!(
            "London 2022/23: read {:.2} s, assessment {:.2} s",
            read.as_secs_f64(),
            (t.elapsed() - read).as_secs_f64()
        );
        (inputs, a)
    })
}

pub(crate) fn total(
    a: &saferstats::assessment::AreaAssessment,
) -> &saferstats::assessment::GroupAssessment {
    a.groups
        .iter()
        .find(|g| g.kind == GroupKind::Total)
        .unwrap()
}

pub(crate) fn medway(a: &Assessment) -> &saferstats::assessment::AreaAssessment {
    a.area("E22000143").expect("Medway CSP")
}

#[test]
fn kent_2014_assesses_all_twelve_csps_with_the_partial_year_flagged() {
    let (_, a) = kent();
    assert_eq!(a.level, Level::Csp);
    assert_eq!(
        a.areas.len(),
        12,
        "{:?}",
        a.areas.iter().map(|x| &x.area_name).collect::<Vec<_>>()
    );
    let dg = a.area("E22000352").expect("Dartford and Gravesham");
    assert_eq!(dg.area_name, "Dartford and Gravesham");
    assert_eq!(dg.local_authorities.len(), 2);
    let las: usize = a.areas.iter().map(|x| x.local_authorities.len()).sum();
    assert_eq!(las, 13, "13 local authorities in 12 CSPs");
    assert!(
        a.areas
            .iter()
            .all(|x| x.force_name.as_deref() == Some("Kent"))
    );

    // Calendar 2014, January to November: partial, flagged, not annualised.
    assert_eq!(a.period.label, "2014");
    assert_eq!(
        (a.period.months_covered, a.period.months_expected),
        (11, 12)
    );
    assert!(!a.period.complete && !a.period.annualised);
    assert!(a.notes[0].starts_with("partial period: 2014 covers 11 of 12 months"));
    for area in &a.areas {
        let t = total(area);
        assert_eq!(t.level.months_covered, 11);
        assert_eq!(
            t.level.flags.as_deref(),
            Some("partial period: 11 of 12 months"),
            "{}",
            area.area_name
        );
        let p = t.peers.as_ref().unwrap();
        assert_eq!(p.peers, 12);
        assert!(p.rank_rate_lower <= p.rank_rate && p.rank_rate <= p.rank_rate_upper);
        assert!(p.rank_count_lower <= p.rank_count && p.rank_count <= p.rank_count_upper);
        // No 2013 in the data: no annual change, and the note says why.
        assert!(t.change.is_none());
        assert!(
            t.change_note
                .as_deref()
                .unwrap()
                .contains("do not reach 2013")
        );
        assert!(t.trend.is_none());
        // Hotspots for all crime and ASB, five wards each.
        assert_eq!(area.hotspots.len(), 2, "{}", area.area_name);
        assert!(
            area.hotspots
                .iter()
                .all(|h| h.top.len() == 5 && h.gini.is_some())
        );
        assert!(area.seasonality.is_empty());
    }
    // Ranks by count are a permutation of 1..12 (no ties among CSP totals).
    let mut ranks: Vec<u32> = a
        .areas
        .iter()
        .map(|x| total(x).peers.as_ref().unwrap().rank_count)
        .collect();
    ranks.sort_unstable();
    assert_eq!(ranks, (1..=12).collect::<Vec<_>>());
    // Medway has the most crime in Kent.
    assert_eq!(total(medway(a)).peers.as_ref().unwrap().rank_count, 1);
    // The stray rows in neighbouring areas are reported, not assessed.
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("areas the data do not cover")),
        "{:?}",
        a.notes
    );
    assert!(a.notes.iter().any(|n| n.contains("no location")));
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("set aside 3 of 148,133 rows"))
    );
    assert!(a.notes.iter().any(|n| n.starts_with("no seasonality")));
}

#[test]
fn kent_numbers_equal_the_frame_functions_called_directly() {
    let (inputs, a) = kent();
    let Inputs::PoliceUk(p) = inputs else {
        panic!("police.uk inputs")
    };
    // Counts: CSP x crime type x calendar year, straight from counts().
    let spec = CountSpec::new(Level::Csp, PeriodKind::CalendarYear)
        .by(["crime_type"])
        .coverage(p.crimes.report.months_covered.iter().copied());
    let c = counts(&p.crimes.crimes, &p.geography, &spec).unwrap().table;
    let by_csp = c
        .lazy()
        .filter(col("area_code").eq(lit("E22000143")))
        .group_by([col("crime_type")
            .eq(lit("Anti-social behaviour"))
            .alias("asb")])
        .agg([col("count").sum()])
        .collect()
        .unwrap();
    let mut expected: HashMap<bool, i64> = HashMap::new();
    for (asb, n) in by_csp
        .column("asb")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .zip(by_csp.column("count").unwrap().i64().unwrap().iter())
    {
        expected.insert(asb.unwrap(), n.unwrap());
    }
    let m = medway(a);
    let t = total(m);
    assert_eq!(t.level.count, expected[&false]);
    let asb = m.groups.iter().find(|g| g.kind == GroupKind::Asb).unwrap();
    assert_eq!(asb.level.count, expected[&true]);
    // With the bundled Medway file: 25,117 crimes of which ASB is the rest.
    assert_eq!(t.level.count + asb.level.count, 25_117);

    // Rates: rates() on the same count with Medway's own population (one local authority).
    let pop = read_population(mye4(), None).unwrap();
    let medway_pop = pop
        .table
        .clone()
        .lazy()
        .filter(col("area_code").eq(lit("E06000035")))
        .with_column(lit("E22000143").alias("area_code"))
        .collect()
        .unwrap();
    let mut one = df!(
        "area_code" => ["E22000143"], "period" => ["2014"], "count" => [t.level.count],
        "months_expected" => [12u32], "months_covered" => [11u32],
    )
    .unwrap();
    one.with_column(
        Column::new(
            "period_start".into(),
            [saferstats::period::YearMonth::new(2014, 1)
                .unwrap()
                .to_epoch_days()],
        )
        .cast(&DataType::Date)
        .unwrap(),
    )
    .unwrap();
    let r = rates(
        &one,
        &medway_pop,
        &RateSpec {
            confidence: Confidence::PhePair,
            ..RateSpec::default()
        },
    )
    .unwrap()
    .table;
    let get = |c: &str| r.column(c).unwrap().f64().unwrap().get(0).unwrap();
    assert_eq!(t.level.rate, Some(get("value")));
    assert_eq!(t.level.lower_95, Some(get("lower_95")));
    assert_eq!(t.level.upper_99_8, Some(get("upper_99_8")));
    assert_eq!(m.population, get("population"));
    assert_eq!(m.population_year, 2014);

    // Dartford and Gravesham: the sum of its two local authorities' populations.
    let sum: f64 = pop
        .table
        .clone()
        .lazy()
        .filter(
            col("area_code")
                .eq(lit("E07000107"))
                .or(col("area_code").eq(lit("E07000109")))
                .and(col("mid_year").eq(lit(2014))),
        )
        .collect()
        .unwrap()
        .column("population")
        .unwrap()
        .f64()
        .unwrap()
        .sum()
        .unwrap();
    assert_eq!(a.area("E22000352").unwrap().population, sum);

    // Ranks: rank_among_peers() on the twelve CSPs' own rates reproduces the ranks.
    let rows: Vec<(&str, i64, f64)> = a
        .areas
        .iter()
        .map(|x| (x.area_code.as_str(), total(x).level.count, x.population))
        .collect();
    let peers = df!(
        "area_code" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "period" => vec!["2014"; rows.len()],
        "count" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "population" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
    )
    .unwrap();
    let ranked = rank_among_peers(&peers, &PeerSpec::default())
        .unwrap()
        .table;
    let rank = ranked.column("rank").unwrap().u32().unwrap();
    for (i, x) in a.areas.iter().enumerate() {
        assert_eq!(
            total(x).peers.as_ref().unwrap().rank_rate,
            rank.get(i).unwrap(),
            "{}",
            x.area_name
        );
    }

    // Hotspots: Medway's top five ASB wards, by a plain count of the rows in each ward.
    let wards: HashMap<String, String> = {
        let g = &p.geography.table;
        let l = g.column("lsoa_code").unwrap().str().unwrap();
        let w = g.column("ward_name").unwrap().str().unwrap();
        let csp = g.column("csp_code").unwrap().str().unwrap();
        (0..g.height())
            .filter(|&i| csp.get(i) == Some("E22000143"))
            .map(|i| (l.get(i).unwrap().to_string(), w.get(i).unwrap().to_string()))
            .collect()
    };
    let crimes = &p.crimes.crimes;
    let lsoa = crimes.column("lsoa_code").unwrap().str().unwrap();
    let kind = crimes.column("crime_type").unwrap().str().unwrap();
    let mut per_ward: BTreeMap<String, i64> = BTreeMap::new();
    for i in 0..crimes.height() {
        if kind.get(i) == Some("Anti-social behaviour")
            && let Some(w) = lsoa.get(i).and_then(|l| wards.get(l))
        {
            *per_ward.entry(w.clone()).or_default() += 1;
        }
    }
    let mut ranked: Vec<(String, i64)> = per_ward.into_iter().collect();
    ranked.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let h = m
        .hotspots
        .iter()
        .find(|h| h.group == "Anti-social behaviour")
        .unwrap();
    let got: Vec<(String, i64)> = h
        .top
        .iter()
        .map(|w| (w.ward_name.clone(), w.count))
        .collect();
    assert_eq!(got, ranked[..5].to_vec());
    let asb_total: i64 = ranked.iter().map(|r| r.1).sum();
    assert_eq!(h.total, asb_total);
    let top: i64 = ranked[..5].iter().map(|r| r.1).sum();
    assert!((h.top_share.unwrap() - top as f64 / asb_total as f64).abs() < 1e-12);

    // The breakdown's shares are of crime excluding ASB and sum to its count.
    let n: i64 = m.breakdown.iter().map(|b| b.count).sum();
    assert_eq!(n, t.level.count);
    assert!(
        m.breakdown
            .iter()
            .all(|b| b.crime_type != "Anti-social behaviour")
    );
    let share: f64 = m.breakdown.iter().map(|b| b.share.unwrap()).sum();
    assert!((share - 100.0).abs() < 1e-9);
}

#[test]
fn kent_writes_markdown_csv_json_and_a_manifest() {
    let (_, a) = kent();
    let dir = std::env::temp_dir().join(format!("saferstats-assess-kent-{}", std::process::id()));
    let written = a
        .write(&dir, &[Format::Markdown, Format::Csv, Format::Json])
        .unwrap();
    assert!(dir.join("index.md").is_file());
    assert!(dir.join("E22000143-medway.md").is_file());
    assert!(dir.join("E22000352-dartford-and-gravesham.md").is_file());
    assert!(dir.join("assessment.csv").is_file());
    assert!(dir.join("tables/hotspots.csv").is_file());
    assert!(dir.join("json/E22000143-medway.json").is_file());
    let csv = std::fs::read_to_string(dir.join("assessment.csv")).unwrap();
    assert!(csv.starts_with("area_code,area_name,force_code,crime_group,"));
    // One row per area and group, plus the header.
    let groups: usize = a.areas.iter().map(|x| x.groups.len()).sum();
    assert_eq!(csv.lines().count(), groups + 1);
    let back: Assessment =
        serde_json::from_str(&std::fs::read_to_string(dir.join("assessment.json")).unwrap())
            .unwrap();
    // Same record (floats to within their printed precision).
    assert_eq!(
        (back.period.clone(), back.areas.len()),
        (a.period.clone(), a.areas.len())
    );
    for (x, y) in back.areas.iter().zip(&a.areas) {
        assert_eq!(
            (&x.area_code, x.groups.len()),
            (&y.area_code, y.groups.len())
        );
        for (gx, gy) in x.groups.iter().zip(&y.groups) {
            assert_eq!((&gx.group, gx.level.count), (&gy.group, gy.level.count));
            let (rx, ry) = (gx.level.rate.unwrap(), gy.level.rate.unwrap());
            assert!((rx - ry).abs() <= 1e-12 * ry.abs(), "{rx} {ry}");
            assert_eq!(
                gx.peers.as_ref().map(|p| p.rank_rate),
                gy.peers.as_ref().map(|p| p.rank_rate)
            );
        }
        assert_eq!(x.hotspots.len(), y.hotspots.len());
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["saferstats_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["spec"]["period"], "2014");
    let inputs = manifest["inputs"].as_array().unwrap();
    assert_eq!(
        inputs.iter().filter(|i| i["role"] == "police_uk").count(),
        11
    );
    let pop = inputs.iter().find(|i| i["role"] == "population").unwrap();
    assert_eq!(
        pop["bytes"].as_u64().unwrap(),
        std::fs::metadata(mye4()).unwrap().len()
    );
    assert_eq!(pop["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        manifest["outputs"].as_array().unwrap().len() + 1,
        written.len()
    );
    let md = std::fs::read_to_string(dir.join("E22000143-medway.md")).unwrap();
    for row in [
        "| **Level of crime** |",
        "| **Peer comparison** |",
        "| **Annual change** |",
        "| **General trend** |",
        "| **Seasonality** |",
        "| **Breakdown of crime types** |",
        "| **Hotspots** |",
    ] {
        assert!(md.contains(row), "{row} missing:\n{md}");
    }
    assert!(md.contains("highest number of crimes of 12 CSPs assessed"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn london_boroughs_2022_23_rank_change_trend_and_seasonality() {
    let (inputs, a) = london();
    assert_eq!(a.areas.len(), 32);
    assert_eq!(a.period.label, "2022/23");
    assert!(a.period.complete);
    assert_eq!(a.period.previous.as_deref(), Some("2021/22"));
    assert_eq!(
        a.period.trend_periods,
        ["2018/19", "2019/20", "2020/21", "2021/22", "2022/23"]
    );
    let (first, last) = a.period.seasonality_months.unwrap();
    assert_eq!(
        (first.to_string(), last.to_string()),
        ("2018-04".into(), "2023-03".into())
    );
    // Non-borough units are set aside; there is no ASB in the MPS file.
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("London Heathrow and London City Airports"))
    );
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("no anti-social behaviour category"))
    );
    let mut rank_rate: Vec<u32> = Vec::new();
    for area in &a.areas {
        assert!(area.area_code.starts_with("E22"), "{}", area.area_code);
        assert_eq!(area.force_name.as_deref(), Some("Metropolitan Police"));
        let t = total(area);
        let p = t.peers.as_ref().unwrap();
        assert_eq!(p.peers, 32);
        rank_rate.push(p.rank_rate);
        let c = t.change.as_ref().unwrap();
        assert_eq!(c.comparison_period, "2021/22");
        assert!(!c.verdict.is_empty());
        assert_eq!(c.change, t.level.count - c.count_previous);
        let tr = t.trend.as_ref().unwrap();
        assert_eq!(tr.points.len(), 5);
        assert!(
            ["Increasing", "Decreasing", "No significant change"].contains(&tr.marker.as_str()),
            "{}: {}",
            area.area_name,
            tr.marker
        );
        assert!(tr.annual_pct_change.is_some());
        let s = area
            .seasonality
            .iter()
            .find(|s| s.group == ALL_CRIME_EXCLUDING_ASB)
            .unwrap();
        assert_eq!(s.months, 60);
        assert!(s.peak_month.is_some() && s.trough_month.is_some());
        assert_eq!(t.monthly.len(), 12);
        // Crime counts are over-dispersed: every London borough's change test allows for it.
        let ch = t.change.as_ref().unwrap();
        assert!(
            ch.dispersion > 1.0,
            "{}: dispersion {}",
            area.area_name,
            ch.dispersion
        );
        assert_eq!(ch.method, "quasi-score", "{}", area.area_name);
        assert!(
            ch.verdict.contains("month-to-month variation"),
            "{}",
            ch.verdict
        );
        assert!(!area.breakdown.is_empty());
        // Hotspots from the MPS ward file, for its own months (tested below).
        assert_eq!(area.hotspots.len(), 1, "{}", area.area_name);
    }
    rank_rate.sort_unstable();
    assert_eq!(rank_rate, (1..=32).collect::<Vec<_>>());

    // Westminster's count is the file's own sum over its rows and the twelve months.
    let Inputs::Counts(c) = inputs else {
        panic!("counts inputs")
    };
    let apr = saferstats::period::YearMonth::new(2022, 4)
        .unwrap()
        .to_epoch_days();
    let mar = saferstats::period::YearMonth::new(2023, 3)
        .unwrap()
        .to_epoch_days();
    let sum = read_wide_monthly(c.source.as_str())
        .unwrap()
        .lazy()
        .filter(
            col("boroughname")
                .eq(lit("Westminster"))
                .and(col("month").cast(DataType::Int32).gt_eq(lit(apr)))
                .and(col("month").cast(DataType::Int32).lt_eq(lit(mar))),
        )
        .collect()
        .unwrap()
        .column("count")
        .unwrap()
        .i64()
        .unwrap()
        .sum()
        .unwrap();
    let w = a
        .areas
        .iter()
        .find(|x| x.area_name == "Westminster")
        .unwrap();
    assert_eq!(total(w).level.count, sum);
    // Westminster has the highest rate of recorded crime of the London boroughs.
    assert_eq!(total(w).peers.as_ref().unwrap().rank_rate, 1);
    // "latest" is 2022/23 for data running to September 2023.
    let latest = assessment(
        inputs,
        &AssessmentSpec {
            areas: vec![w.area_code.clone()],
            ..AssessmentSpec::default()
        },
    )
    .unwrap();
    assert_eq!(latest.period.label, "2022/23");
    assert_eq!(total(&latest.areas[0]).level.count, sum);
}

#[test]
fn london_without_a_lad_lookup_uses_borough_codes() {
    let paths = InputPaths {
        lad_lookup: None,
        ..london_paths()
    };
    let a = assessment(
        &paths.load().unwrap(),
        &AssessmentSpec {
            period: ReportingPeriod::FinancialYear(2022),
            areas: vec!["E09000033".into(), "E09000007".into()],
            ..AssessmentSpec::default()
        },
    )
    .unwrap();
    let names: Vec<&str> = a.areas.iter().map(|x| x.area_name.as_str()).collect();
    assert_eq!(names, ["Camden", "Westminster"]);
    assert_eq!(total(&a.areas[0]).peers.as_ref().unwrap().peers, 2);
    // Force peers need the lookup that says which force an area is in.
    let err = assessment(
        &paths.load().unwrap(),
        &AssessmentSpec {
            peers: Peers::Force,
            ..AssessmentSpec::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::InvalidParameter { name: "peers", .. }),
        "{err}"
    );
}

#[test]
fn medway_example_reads_like_the_strategic_assessment() {
    let inputs = Inputs::medway_2014().unwrap();
    let a = assessment(&inputs, &AssessmentSpec::default()).unwrap();
    // No complete year: "latest" is the year the data cover most, flagged partial.
    assert_eq!(a.period.label, "2014");
    assert_eq!(a.areas.len(), 1);
    let m = &a.areas[0];
    assert_eq!(total(m).level.count + m.groups[1].level.count, 25_117);
    let md = a.area_markdown("E22000143").unwrap();
    assert!(md.starts_with("# Medway: strategic assessment tables, 2014"));
    assert!(md.contains("Partial period: 11 of 12 months"));
    assert!(md.contains("No annual change: the data do not reach 2013"));
    assert!(md.contains("These wards account for"));
    assert!(a.to_markdown().contains("[Medway](E22000143-medway.md)"));
    // Frames: one row per area and group in the summary.
    let tables = a.tables().unwrap();
    let summary = &tables.iter().find(|(n, _)| *n == "summary").unwrap().1;
    assert_eq!(summary.height(), m.groups.len());
    let hot = &tables.iter().find(|(n, _)| *n == "hotspots").unwrap().1;
    assert_eq!(hot.height(), 10);
    // Force peers and a peer list both work on one area.
    for peers in [Peers::Force, Peers::List(vec!["E22000143".into()])] {
        let b = assessment(
            &inputs,
            &AssessmentSpec {
                peers,
                ..AssessmentSpec::default()
            },
        )
        .unwrap();
        assert_eq!(total(&b.areas[0]).peers.as_ref().unwrap().peers, 1);
    }
    // Annualised on request.
    let b = assessment(
        &inputs,
        &AssessmentSpec {
            annualise: true,
            ..AssessmentSpec::default()
        },
    )
    .unwrap();
    let (r0, r1) = (
        total(m).level.rate.unwrap(),
        total(&b.areas[0]).level.rate.unwrap(),
    );
    assert!((r1 - r0 * 12.0 / 11.0).abs() < 1e-9);
    assert!(total(&b.areas[0]).level.annualised);
}

#[test]
fn bad_configurations_are_typed_errors_naming_what_is_wrong() {
    // Missing keys.
    let err = InputPaths {
        lookup: None,
        ..kent_paths()
    }
    .load()
    .unwrap_err();
    assert!(
        matches!(err, Error::InvalidParameter { name: "lookup", .. }),
        "{err}"
    );
    let err = InputPaths {
        population: None,
        ..kent_paths()
    }
    .load()
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                name: "population",
                ..
            }
        ),
        "{err}"
    );
    let err = InputPaths::default().load().unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                name: "police_uk",
                ..
            }
        ),
        "{err}"
    );
    // A file that does not exist.
    let nowhere = shared().join("population/nowhere.csv");
    let err = InputPaths {
        population: Some(nowhere.clone()),
        ..kent_paths()
    }
    .load()
    .unwrap_err();
    match &err {
        Error::Io { path, .. } => assert_eq!(path, &nowhere),
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("nowhere.csv"));
    // An unknown key in the spec.
    let err = serde_json::from_str::<AssessmentSpec>(r#"{"perod": "2014"}"#).unwrap_err();
    assert!(err.to_string().contains("perod"), "{err}");

    let inputs = Inputs::medway_2014().unwrap();
    // An unknown area.
    let err = assessment(
        &inputs,
        &AssessmentSpec {
            areas: vec!["E22999999".into()],
            ..AssessmentSpec::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::InvalidParameter { name: "areas", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("E22999999"), "{err}");
    // A period the data do not cover.
    let err = assessment(
        &inputs,
        &AssessmentSpec {
            period: ReportingPeriod::FinancialYear(2030),
            ..AssessmentSpec::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::InsufficientPeriods { .. }), "{err}");
    assert!(err.to_string().contains("2030/31"), "{err}");
    // A crime type the data do not have.
    let err = assessment(
        &inputs,
        &AssessmentSpec {
            crime_types: Some(vec!["Piracy".into()]),
            ..AssessmentSpec::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                name: "crime_types",
                ..
            }
        ),
        "{err}"
    );
    // A population without the area.
    let Inputs::PoliceUk(mut p) = inputs.clone() else {
        panic!()
    };
    p.population.table = p
        .population
        .table
        .lazy()
        .filter(col("mid_year").neq(lit(2014)))
        .collect()
        .unwrap();
    let err = assessment(&Inputs::PoliceUk(p), &AssessmentSpec::default()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                name: "population",
                ..
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("mid-2014") && text.contains("E22000143"),
        "{text}"
    );
}

#[test]
fn kent_areas_outside_the_data_are_named_and_explained() {
    let (inputs, _) = kent();
    // Barnet (London) has a stray row in the Kent files: not covered by the data.
    let err = assessment(
        inputs,
        &AssessmentSpec {
            areas: vec!["E22000187".into()],
            ..kent_2014()
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::InvalidParameter { name: "areas", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("Barnet"), "{err}");
    assert!(err.to_string().contains("not covered by the data"), "{err}");
    // Force peers: Medway alone, ranked among the twelve Kent CSPs.
    let b = assessment(
        inputs,
        &AssessmentSpec {
            areas: vec!["E22000143".into()],
            peers: Peers::Force,
            ..kent_2014()
        },
    )
    .unwrap();
    let p = total(&b.areas[0]).peers.clone().unwrap();
    assert_eq!(p.peers, 12);
    assert_eq!(p.peer_group, "12 CSPs of Kent");
    let (_, all) = kent();
    let q = total(medway(all)).peers.clone().unwrap();
    assert_eq!(
        (p.rank_rate, p.rank_count, p.benchmark),
        (q.rank_rate, q.rank_count, q.benchmark)
    );
    assert_eq!(q.peer_group, "12 CSPs assessed");
    // A list of peers: Medway ranked among Swale, Thanet and itself.
    let c = assessment(
        inputs,
        &AssessmentSpec {
            areas: vec!["E22000143".into()],
            peers: Peers::List(vec!["E22000146".into(), "E22000147".into()]),
            ..kent_2014()
        },
    )
    .unwrap();
    let p = total(&c.areas[0]).peers.clone().unwrap();
    assert_eq!((p.peers, p.rank_rate, p.rank_count), (3, 3, 1), "{p:?}");
    let err = assessment(
        inputs,
        &AssessmentSpec {
            peers: Peers::List(vec!["E22999999".into()]),
            ..kent_2014()
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::InvalidParameter { name: "peers", .. }),
        "{err}"
    );
}

#[test]
fn london_year_ending_september_2023_compares_and_trends_rolling_years() {
    let (inputs, _) = london();
    let a = assessment(
        inputs,
        &AssessmentSpec {
            period: "year ending Sep 2023".parse().unwrap(),
            areas: vec!["E22000192".into()],
            peers: Peers::Force,
            ..AssessmentSpec::default()
        },
    )
    .unwrap();
    assert_eq!(a.period.label, "year ending Sep 2023");
    assert!(a.period.complete);
    assert_eq!(a.period.previous.as_deref(), Some("year ending Sep 2022"));
    let t = total(&a.areas[0]);
    assert_eq!(t.peers.as_ref().unwrap().peers, 32);
    assert_eq!(
        t.change.as_ref().unwrap().comparison_period,
        "year ending Sep 2022"
    );
    let tr = t.trend.as_ref().unwrap();
    assert_eq!(tr.points.len(), 5);
    assert_eq!(tr.points[0].period, "year ending Sep 2019");
    assert_ne!(tr.marker, "", "{tr:?}");
}

#[test]
fn london_top_five_wards_come_from_the_ward_file_for_its_own_months() {
    let (inputs, a) = london();
    let Inputs::Counts(c) = inputs else {
        panic!("counts inputs")
    };
    let wards = &c.wards.as_ref().unwrap().table;
    let days = |y, m| {
        saferstats::period::YearMonth::new(y, m)
            .unwrap()
            .to_epoch_days()
    };
    // A borough's wards summed over twelve months, straight from the file with polars.
    let year = |borough: &str, from: i32, to: i32| -> Vec<(String, i64)> {
        let t = wards
            .clone()
            .lazy()
            .filter(
                col("lookup_boroughname")
                    .eq(lit(borough))
                    .and(col("month").cast(DataType::Int32).gt_eq(lit(from)))
                    .and(col("month").cast(DataType::Int32).lt_eq(lit(to))),
            )
            .group_by([col("wardcode")])
            .agg([col("count").sum()])
            .sort_by_exprs(
                [col("count"), col("wardcode")],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .collect()
            .unwrap();
        let codes = t.column("wardcode").unwrap().str().unwrap().clone();
        let counts = t.column("count").unwrap().i64().unwrap().clone();
        codes
            .iter()
            .zip(counts.iter())
            .map(|(c, n)| (c.unwrap().to_string(), n.unwrap()))
            .collect()
    };
    let now = year("Brent", days(2024, 7), days(2025, 6));
    let before = year("Brent", days(2023, 7), days(2024, 6));
    let brent = a.areas.iter().find(|x| x.area_name == "Brent").unwrap();
    let h = &brent.hotspots[0];
    assert_eq!(h.group, ALL_CRIME_EXCLUDING_ASB);
    assert_eq!(h.period, "year ending Jun 2025");
    assert_eq!(h.wards as usize, now.len());
    let total: i64 = now.iter().map(|w| w.1).sum();
    assert_eq!(h.total, total);
    let top: Vec<(String, i64)> = h
        .top
        .iter()
        .map(|w| (w.ward_code.clone(), w.count))
        .collect();
    assert_eq!(top, now[..5].to_vec());
    let top5: i64 = now[..5].iter().map(|w| w.1).sum();
    assert!((h.top_share.unwrap() - top5 as f64 / total as f64).abs() < 1e-12);
    // Last year's top five, counted now.
    let previous_top: Vec<&String> = before[..5].iter().map(|w| &w.0).collect();
    let held: i64 = now
        .iter()
        .filter(|w| previous_top.contains(&&w.0))
        .map(|w| w.1)
        .sum();
    assert!((h.share_of_previous_top.unwrap() - held as f64 / total as f64).abs() < 1e-12);
    // Every borough's wards, and the airports' unit named and left out.
    assert!(a.areas.iter().all(|x| x.hotspots[0].period == h.period));
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("Aviation Security (SO18)"))
    );
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("do not cover 2022/23") && n.contains("year ending Jun 2025"))
    );
    let md = a.area_markdown(&brent.area_code).unwrap();
    assert!(
        md.contains("Top 5 wards of 22 in the year ending Jun 2025"),
        "{md}"
    );
}
