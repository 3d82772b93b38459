//! Integration tests on the real open data in `../shared/data` (Kent 2014 street-level files,
//! ONS lookups and population estimates). Expected values are derived independently in each
//! test (raw line counts of the files) or quoted from the data's SOURCE.txt (see
//! tests/PROVENANCE.md).

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use saferstats::counts::{CategoryMap, CountSpec, counts};
use saferstats::geo::geography::{Geography, Level};
use saferstats::io::ons_lookup::{LookupKind, read_lookup};
use saferstats::io::ons_population::{PopulationShape, read_population};
use saferstats::io::police_uk::{Handling, ReadOptions, RowIssue, read_police_uk};
use saferstats::period::{PeriodKind, YearMonth};
use saferstats::polars::prelude::*;
use saferstats::{Error, datasets};

const MEDWAY: &str = "E06000035";

pub(crate) fn shared() -> PathBuf {
    std::env::var_os("SAFERSTATS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

fn kent() -> PathBuf {
    shared().join("police-uk/kent-2014")
}

/// Data rows of a gzip CSV counted from the raw bytes: non-empty lines minus the header.
fn raw_rows(path: &Path) -> (u64, Vec<String>) {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let lines: Vec<String> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    (lines.len() as u64, lines)
}

fn kent_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(kent())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-street.csv.gz"))
        .collect();
    files.sort();
    files
}

fn wd19_geography() -> Geography {
    let lsoa =
        read_lookup(shared().join("lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz")).unwrap();
    let lad = read_lookup(shared().join("lookups/ons_LAD19_CSP19_PFA19_EW.csv")).unwrap();
    Geography::new(&lsoa, Some(&lad)).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("saferstats-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn kent_rows_read_equal_raw_rows_and_every_row_is_accounted_for() {
    let files = kent_files();
    assert_eq!(files.len(), 11);
    let raw: u64 = files.iter().map(|f| raw_rows(f).0).sum();
    let data = read_police_uk(&[kent()], &ReadOptions::default()).unwrap();
    let r = &data.report;
    assert_eq!(r.rows_read, raw);
    assert_eq!(r.rows_read, r.rows_kept + r.rows_set_aside);
    assert_eq!(data.crimes.height() as u64, r.rows_kept);
    assert_eq!(data.set_aside.height() as u64, r.rows_set_aside);
    // Three Crime IDs are republished in the next month (checked with grep on the raw files).
    assert_eq!(r.set_aside_by_reason[&RowIssue::DuplicateCrimeId], 3);
    assert_eq!(r.files.len(), 11);
    assert_eq!(r.months_covered.len(), 11);
    assert!(r.months_missing.is_empty());
    assert_eq!(r.forces, vec!["Kent Police".to_string()]);
    assert!(r.unknown_crime_types.is_empty());
    // Per file, too.
    for (f, fr) in files.iter().zip(&r.files) {
        assert_eq!(fr.rows_read, raw_rows(f).0, "{}", fr.source);
    }
    // "No Location" rows are kept and flagged by default.
    let no_loc_raw: u64 = files
        .iter()
        .map(|f| {
            raw_rows(f)
                .1
                .iter()
                .filter(|l| l.contains(",No Location,"))
                .count() as u64
        })
        .sum();
    assert_eq!(r.flagged_by_reason[&RowIssue::NoLocation], no_loc_raw);
    // ASB rows have no Crime ID.
    let asb = data
        .crimes
        .clone()
        .lazy()
        .filter(col("crime_type").eq(lit("Anti-social behaviour")))
        .collect()
        .unwrap();
    assert_eq!(asb.column("crime_id").unwrap().null_count(), asb.height());
}

#[test]
fn every_located_kent_row_joins_the_2019_ward_lookup() {
    let data = read_police_uk(&[kent()], &ReadOptions::default()).unwrap();
    let geo = wd19_geography();
    assert!(geo.unmatched_lads.is_empty());
    let report = counts(
        &data.crimes,
        &geo,
        &CountSpec::new(Level::Force, PeriodKind::CalendarYear),
    )
    .unwrap()
    .report;
    assert_eq!(report.rows_outside_geography, 0);
    assert_eq!(
        report.rows_without_lsoa,
        data.report.flagged_by_reason[&RowIssue::NoLocation]
    );
    assert_eq!(
        report.rows_counted + report.rows_without_lsoa,
        report.rows_in
    );
    assert_eq!(report.partial_periods, vec!["2014".to_string()]);
}

#[test]
fn medway_has_163_lsoas_in_22_wards_and_counts_sum_to_its_rows() {
    let geo = wd19_geography().filter(Level::Lad, &[MEDWAY]).unwrap();
    assert_eq!(geo.table.height(), 163);
    let wards = geo.table.column("ward_code").unwrap().n_unique().unwrap();
    assert_eq!(wards, 22);
    let medway_lsoas: BTreeSet<String> = geo
        .table
        .column("lsoa_code")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    // Independent count of Medway rows from the raw text (LSOA code is field 8).
    let raw_medway: u64 = kent_files()
        .iter()
        .map(|f| {
            raw_rows(f)
                .1
                .iter()
                .filter(|l| {
                    l.split(',')
                        .nth(7)
                        .is_some_and(|c| medway_lsoas.contains(c))
                })
                .count() as u64
        })
        .sum();
    assert_eq!(raw_medway, 25_118);

    let keep_all = ReadOptions {
        duplicate_crime_id: Handling::Keep,
        ..ReadOptions::default()
    };
    let data = read_police_uk(&[kent()], &keep_all).unwrap();
    let spec = CountSpec::new(Level::Ward, PeriodKind::Month)
        .by(["crime_type"])
        .coverage(data.report.months_covered.iter().copied());
    let out = counts(&data.crimes, &geo, &spec).unwrap();
    let (table, report) = (out.table, out.report);
    assert_eq!(report.areas, 22);
    assert_eq!(report.periods, 11);
    assert_eq!(report.groups, 14);
    assert_eq!(table.height(), 22 * 14 * 11);
    let total: i64 = table.column("count").unwrap().i64().unwrap().sum().unwrap();
    assert_eq!(total as u64, raw_medway);
    assert_eq!(report.rows_counted, raw_medway);
    // Rows elsewhere in Kent are reported, not lost.
    assert_eq!(
        report.rows_counted + report.rows_outside_geography + report.rows_without_lsoa,
        data.report.rows_read
    );
}

#[test]
fn bundled_medway_sample_matches_the_full_files() {
    let sample = datasets::medway_2014().unwrap();
    assert_eq!(sample.crimes.report.rows_read, 25_118);
    assert_eq!(sample.crimes.report.rows_set_aside, 1);
    let pop = sample
        .lad_population
        .table
        .clone()
        .lazy()
        .filter(col("mid_year").eq(lit(2014)))
        .collect()
        .unwrap();
    assert_eq!(
        pop.column("population").unwrap().f64().unwrap().get(0),
        Some(273_977.0)
    );
    let wards: f64 = sample
        .ward_population
        .table
        .column("population")
        .unwrap()
        .f64()
        .unwrap()
        .sum()
        .unwrap();
    assert_eq!(wards, 277_616.0);
}

#[test]
fn periods_financial_year_and_rolling_on_real_data() {
    let sample = datasets::medway_2014().unwrap();
    let cov = sample.crimes.report.months_covered.clone();
    let spec = CountSpec::new(Level::Csp, PeriodKind::FinancialYear).coverage(cov.iter().copied());
    let t = counts(&sample.crimes.crimes, &sample.geography, &spec)
        .unwrap()
        .table;
    let labels: Vec<&str> = t
        .column("period")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(labels, vec!["2013/14", "2014/15"]);
    let covered: Vec<u32> = t
        .column("months_covered")
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(covered, vec![3, 8]);
    let spec = CountSpec::new(Level::Csp, PeriodKind::Rolling12).coverage(cov.iter().copied());
    let t = counts(&sample.crimes.crimes, &sample.geography, &spec)
        .unwrap()
        .table;
    assert_eq!(t.height(), 11);
    // No rolling year is complete with 11 months of data.
    assert_eq!(t.column("complete").unwrap().bool().unwrap().sum(), Some(0));
    // Rolling year ending Nov 2014 holds every month's rows.
    let last = t.column("count").unwrap().i64().unwrap().get(10).unwrap();
    assert_eq!(last as u64, sample.crimes.report.rows_kept);
    let _ = YearMonth::new(2014, 11).unwrap();
}

#[test]
fn all_crime_excluding_asb_grouping() {
    let sample = datasets::medway_2014().unwrap();
    let crimes = CategoryMap::all_crime_excluding_asb()
        .apply(&sample.crimes.crimes, "crime_type", "crime_group")
        .unwrap();
    let spec = CountSpec::new(Level::Lad, PeriodKind::CalendarYear).by(["crime_group"]);
    let t = counts(&crimes, &sample.geography, &spec).unwrap().table;
    assert_eq!(t.height(), 2);
    let total: i64 = t.column("count").unwrap().i64().unwrap().sum().unwrap();
    assert_eq!(total as u64, sample.crimes.report.rows_kept);
}

#[test]
fn lookups_of_every_published_shape_are_recognised() {
    let cases = [
        (
            "ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz",
            LookupKind::LsoaWardLad,
            "LSOA11/WD19/LAD19",
        ),
        (
            "ons_LSOA11_to_WD17_LAD17_bestfit_EW.csv.gz",
            LookupKind::LsoaWardLad,
            "LSOA11/WD17/LAD17",
        ),
        (
            "geographr_lookup_lsoa21_ward24_ltla24.csv.gz",
            LookupKind::LsoaWardLad,
            "LSOA21/WARD24/LTLA24",
        ),
        (
            "ons_LAD17_CSP17_PFA17_EW_v2.csv",
            LookupKind::LadCspForce,
            "LAD17/CSP17/PFA17",
        ),
        (
            "ons_LAD19_CSP19_PFA19_EW.csv",
            LookupKind::LadCspForce,
            "LAD19/CSP19/PFA19",
        ),
        (
            "ons_LAD23_CSP23_PFA23_EW.csv",
            LookupKind::LadCspForce,
            "LAD23/CSP23/PFA23",
        ),
        (
            "geographr_lookup_ltla24_csp24_pfa24.csv.gz",
            LookupKind::LadCspForce,
            "LTLA24/CSP24/PFA24",
        ),
        (
            "geographr_lookup_lsoa11_lsoa21_ltla22.csv.gz",
            LookupKind::LsoaToLsoa,
            "LSOA11->LSOA21",
        ),
    ];
    for (file, kind, vintage) in cases {
        let l = read_lookup(shared().join("lookups").join(file)).unwrap();
        assert_eq!((l.kind, l.vintage.as_str()), (kind, vintage), "{file}");
    }
    let l = read_lookup(shared().join("lookups/ons_LAD23_CSP23_PFA23_EW.csv")).unwrap();
    let medway = l
        .table
        .lazy()
        .filter(col("lad_code").eq(lit(MEDWAY)))
        .collect()
        .unwrap();
    assert_eq!(
        medway.column("csp_code").unwrap().str().unwrap().get(0),
        Some("E22000143")
    );
    assert_eq!(
        medway.column("force_name").unwrap().str().unwrap().get(0),
        Some("Kent")
    );
}

#[test]
fn populations_of_every_published_shape() {
    let p = shared().join("population");
    let lad = read_population(
        p.join("ons_MYE4_LAD23_population_mid2011_to_mid2023.csv"),
        None,
    )
    .unwrap();
    assert_eq!(lad.shape, PopulationShape::YearsWide);
    let get = |t: &DataFrame, code: &str, year: i32| -> f64 {
        t.clone()
            .lazy()
            .filter(
                col("area_code")
                    .eq(lit(code))
                    .and(col("mid_year").eq(lit(year))),
            )
            .collect()
            .unwrap()
            .column("population")
            .unwrap()
            .f64()
            .unwrap()
            .get(0)
            .unwrap()
    };
    assert_eq!(get(&lad.table, MEDWAY, 2014), 273_977.0);
    assert_eq!(get(&lad.table, MEDWAY, 2017), 278_652.0);
    assert_eq!(get(&lad.table, MEDWAY, 2023), 286_800.0);
    let sape =
        read_population(p.join("demographr_population17_lsoa11.csv.gz"), Some(2017)).unwrap();
    assert_eq!(sape.shape, PopulationShape::AgesWide);
    assert_eq!(sape.table.height(), 34_753);
    let geo = wd19_geography().filter(Level::Lad, &[MEDWAY]).unwrap();
    let medway_sum: f64 = sape
        .table
        .clone()
        .lazy()
        .join(
            geo.table.lazy(),
            [col("area_code")],
            [col("lsoa_code")],
            JoinArgs::new(JoinType::Inner),
        )
        .collect()
        .unwrap()
        .column("population")
        .unwrap()
        .f64()
        .unwrap()
        .sum()
        .unwrap();
    assert_eq!(medway_sum, 277_616.0);
    let flat = read_population(
        p.join("trafford_crime_scanner_population_mid2017_flat.csv"),
        None,
    )
    .unwrap();
    assert_eq!(flat.shape, PopulationShape::YearsWide);
    assert_eq!(
        get(&flat.table, MEDWAY, 2017),
        get(&flat.table, MEDWAY, 2017)
    );
    let london = read_population(
        shared().join("mps/london_borough_population_mid2011_to_mid2022.csv"),
        None,
    )
    .unwrap();
    assert_eq!(get(&london.table, "E09000001", 2014), 6_872.0);
}

#[test]
fn bad_files_give_typed_errors_naming_the_place() {
    // Truncated gzip: the first half of a real file.
    let bytes = std::fs::read(kent().join("2014-03-kent-street.csv.gz")).unwrap();
    let cut = scratch("2014-03-cut-street.csv.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = read_police_uk(&[&cut], &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::Decompression { .. }), "{err}");
    assert!(err.to_string().contains("2014-03-cut-street.csv.gz"));

    let empty = scratch("empty-street.csv");
    std::fs::File::create(&empty).unwrap();
    let err = read_police_uk(&[&empty], &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::EmptyFile { .. }), "{err}");

    // Non-UTF-8 bytes in a real row.
    let (_, rows) = raw_rows(&kent().join("2014-01-kent-street.csv.gz"));
    let header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context";
    let latin1 = scratch("latin1-street.csv");
    let mut f = std::fs::File::create(&latin1).unwrap();
    write!(f, "{header}\r\n{}\r\n", rows[0]).unwrap();
    f.write_all(b",2014-01,Kent Police,Kent Police,0.5,51.3,On or near Caf\xe9,E01016120,Medway 026B,Anti-social behaviour,,\r\n").unwrap();
    drop(f);
    let err = read_police_uk(&[&latin1], &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::Encoding { line: 3, .. }), "{err}");

    let missing =
        read_police_uk(&[shared().join("no-such-folder")], &ReadOptions::default()).unwrap_err();
    assert!(matches!(missing, Error::Io { .. }), "{missing}");
    let err =
        read_lookup(shared().join("population/trafford_crime_scanner_population_mid2017_flat.csv"))
            .unwrap_err();
    assert!(matches!(err, Error::UnknownShape { .. }), "{err}");
    let err =
        read_population(shared().join("lookups/ons_LAD19_CSP19_PFA19_EW.csv"), None).unwrap_err();
    assert!(matches!(err, Error::UnknownShape { .. }), "{err}");
    std::fs::remove_dir_all(cut.parent().unwrap()).ok();
}
