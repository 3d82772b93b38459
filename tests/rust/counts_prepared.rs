//! `PreparedCrimes` (crimes placed in the geography once, counted on integer keys) against the
//! implementation it replaced, kept here verbatim as `reference::counts`: a text-key join to the
//! geography and a polars group-by and grid join per table. Every level, period kind and
//! grouping on the bundled Medway sample and on the Kent 2014 files gives equal tables (frame
//! equality, dtypes included) and equal reports, and so does `counts()`, now a wrapper.
//!
//! `counts_timings` (ignored) times the five tables of the "fast at national scale" issue
//! before and after: `cargo test -p saferstats --test integration counts_timings -- --ignored
//! --nocapture`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use saferstats::counts::{CountReport, CountSpec, PreparedCrimes, counts};
use saferstats::geo::geography::{Geography, Level};
use saferstats::io::ons_lookup::read_lookup;
use saferstats::io::police_uk::{ReadOptions, read_police_uk};
use saferstats::period::{PeriodKind, YearMonth};
use saferstats::polars::prelude::*;
use saferstats::{Error, datasets};

/// The `counts` of commit 1c51f27 (before `PreparedCrimes`), with its argument checks left
/// out (the tests give it valid specs only).
mod reference {
    use std::collections::BTreeMap;

    use saferstats::Result;
    use saferstats::counts::{CountReport, CountSpec, months_in};
    use saferstats::geo::geography::Geography;
    use saferstats::period::{columns as pc, period_table};
    use saferstats::polars::prelude::*;
    use saferstats::schema::{AREA_CODE, AREA_NAME, COUNT, Keys, LEVEL};

    fn join_args(how: JoinType, nulls_equal: bool) -> JoinArgs {
        let mut args = JoinArgs::new(how);
        args.nulls_equal = nulls_equal;
        args.maintain_order = MaintainOrderJoin::Left;
        args
    }

    pub fn counts(
        crimes: &DataFrame,
        geography: &Geography,
        spec: &CountSpec,
    ) -> Result<(DataFrame, CountReport)> {
        let present = months_in(crimes)?;
        let coverage = spec.coverage.clone().unwrap_or(present);
        let level = spec.level;
        let geo = &geography.table;
        let by: Vec<Expr> = spec.by.iter().map(|b| col(b.as_str())).collect();
        let periods = period_table(spec.period, &coverage)?;

        let areas = geo
            .clone()
            .lazy()
            .select([
                col("lsoa_code").alias("__lsoa"),
                col(level.code_column()).alias(AREA_CODE),
                col(level.name_column()).alias(AREA_NAME),
            ])
            .filter(col(AREA_CODE).is_not_null());

        let mut keep = vec![col("month"), col("lsoa_code")];
        keep.extend(by.iter().cloned());
        let placed = crimes
            .clone()
            .lazy()
            .select(keep)
            .join(
                areas.clone().select([col("__lsoa"), col(AREA_CODE)]),
                [col("lsoa_code")],
                [col("__lsoa")],
                JoinArgs::new(JoinType::Left),
            )
            .collect()?;

        // Account for rows that cannot be placed.
        let no_lsoa = placed.column("lsoa_code")?.null_count() as u64;
        let outside = placed
            .clone()
            .lazy()
            .filter(col("lsoa_code").is_not_null().and(col(AREA_CODE).is_null()))
            .group_by([col("lsoa_code")])
            .agg([len().alias("n")])
            .collect()?;
        let mut lsoas_outside_geography = BTreeMap::new();
        for (code, n) in outside
            .column("lsoa_code")?
            .str()?
            .iter()
            .zip(outside.column("n")?.cast(&DataType::UInt64)?.u64()?.iter())
        {
            if let (Some(code), Some(n)) = (code, n) {
                lsoas_outside_geography.insert(code.to_string(), n);
            }
        }
        let rows_outside_geography: u64 = lsoas_outside_geography.values().sum();

        // Each month joins to every period containing it (twelve for rolling periods).
        let period_members = periods
            .clone()
            .lazy()
            .select([col(pc::MONTH), col(pc::PERIOD)]);
        let located = placed.lazy().filter(col(AREA_CODE).is_not_null());
        let in_periods = located
            .clone()
            .join(
                period_members
                    .clone()
                    .filter(col(pc::MONTH).is_not_null())
                    .group_by([col(pc::MONTH)])
                    .agg([len().alias("__n")]),
                [col("month")],
                [col(pc::MONTH)],
                JoinArgs::new(JoinType::Left),
            )
            .select([
                col("__n")
                    .is_not_null()
                    .cast(DataType::UInt64)
                    .sum()
                    .alias("in"),
                len().cast(DataType::UInt64).alias("all"),
            ])
            .collect()?;
        let rows_in_periods = in_periods.column("in")?.u64()?.get(0).unwrap_or(0);
        let rows_located = in_periods.column("all")?.u64()?.get(0).unwrap_or(0);

        let mut group_keys = vec![col(AREA_CODE)];
        group_keys.extend(by.iter().cloned());
        group_keys.push(col(pc::PERIOD));
        let counted = located
            .join(
                period_members,
                [col("month")],
                [col(pc::MONTH)],
                JoinArgs::new(JoinType::Inner),
            )
            .group_by(group_keys.clone())
            .agg([len().cast(DataType::Int64).alias(COUNT)]);

        // The complete grid: every area x every group seen in the input x every period.
        // Each side is sorted once (areas, groups, periods are small) and numbered; the (possibly
        // million-row) grid is then sorted on those integers rather than on the text keys.
        let area_list = areas
            .select([col(AREA_CODE), col(AREA_NAME)])
            .unique_stable(None, UniqueKeepStrategy::First)
            .sort(
                [AREA_CODE],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .with_row_index("__area_ix", None);
        let period_list = periods
            .clone()
            .lazy()
            .drop(cols([pc::MONTH]))
            .unique_stable(None, UniqueKeepStrategy::First)
            .sort(
                [pc::PERIOD_START],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .with_row_index("__period_ix", None);
        let mut grid = area_list.clone();
        if !by.is_empty() {
            let by_names: Vec<PlSmallStr> = spec
                .by
                .iter()
                .map(|b| PlSmallStr::from(b.as_str()))
                .collect();
            let groups = crimes
                .clone()
                .lazy()
                .select(by.clone())
                .unique_stable(None, UniqueKeepStrategy::First)
                .sort(
                    by_names,
                    SortMultipleOptions::default()
                        .with_nulls_last(true)
                        .with_maintain_order(true),
                )
                .with_row_index("__group_ix", None);
            grid = grid.cross_join(groups, None);
        } else {
            grid = grid.with_column(lit(0 as IdxSize).alias("__group_ix"));
        }
        grid = grid.cross_join(period_list.clone(), None);
        let mut join_keys = vec![col(AREA_CODE)];
        join_keys.extend(by.iter().cloned());
        join_keys.push(col(pc::PERIOD));
        let table = grid
            .join(
                counted,
                join_keys.clone(),
                join_keys,
                join_args(JoinType::Left, true),
            )
            .with_columns([
                col(COUNT).fill_null(lit(0i64)),
                lit(level.name()).alias(LEVEL),
            ])
            .sort(
                ["__area_ix", "__group_ix", "__period_ix"],
                SortMultipleOptions::default(),
            )
            .collect()?;

        let mut out_cols: Vec<PlSmallStr> = vec![LEVEL.into(), AREA_CODE.into(), AREA_NAME.into()];
        out_cols.extend(spec.by.iter().map(|b| PlSmallStr::from(b.as_str())));
        out_cols.extend(
            [
                pc::PERIOD,
                pc::PERIOD_START,
                pc::PERIOD_END,
                pc::MONTHS_EXPECTED,
                pc::MONTHS_COVERED,
                pc::COMPLETE,
                COUNT,
            ]
            .map(PlSmallStr::from),
        );
        let table = table.select(out_cols)?;

        let n_areas = area_list.collect()?.height() as u64;
        let period_frame = period_list.collect()?;
        let partial_periods = period_frame
            .clone()
            .lazy()
            .filter(col(pc::COMPLETE).not())
            .select([col(pc::PERIOD)])
            .collect()?
            .column(pc::PERIOD)?
            .str()?
            .iter()
            .flatten()
            .map(str::to_string)
            .collect();
        let n_periods = period_frame.height() as u64;
        let groups = (table.height() as u64)
            .checked_div(n_areas * n_periods)
            .unwrap_or(0);
        let report = CountReport {
            keys: Keys::by(spec.by.clone()),
            rows_in: crimes.height() as u64,
            rows_counted: rows_in_periods,
            rows_without_lsoa: no_lsoa,
            rows_outside_geography,
            rows_outside_periods: rows_located - rows_in_periods,
            lsoas_outside_geography,
            areas: n_areas,
            groups,
            periods: n_periods,
            partial_periods,
            rows_under_published: 0,
        };
        Ok((table, report))
    }
}

const LEVELS: [Level; 4] = [Level::Ward, Level::Lad, Level::Csp, Level::Force];
const PERIODS: [PeriodKind; 5] = [
    PeriodKind::Month,
    PeriodKind::Quarter,
    PeriodKind::CalendarYear,
    PeriodKind::FinancialYear,
    PeriodKind::Rolling12,
];

fn shared() -> PathBuf {
    std::env::var_os("SAFERSTATS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

fn wd19_geography() -> Geography {
    let lsoa =
        read_lookup(shared().join("lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz")).unwrap();
    let lad = read_lookup(shared().join("lookups/ons_LAD19_CSP19_PFA19_EW.csv")).unwrap();
    Geography::new(&lsoa, Some(&lad)).unwrap()
}

fn json(r: &CountReport) -> serde_json::Value {
    serde_json::to_value(r).unwrap()
}

/// Equal tables (names, dtypes, values, row order) and equal reports.
#[track_caller]
fn assert_same(got: &(DataFrame, CountReport), want: &(DataFrame, CountReport), what: &str) {
    assert_eq!(got.0.schema(), want.0.schema(), "{what}: schema");
    assert_eq!(got.0.height(), want.0.height(), "{what}: height");
    assert!(
        got.0.equals_missing(&want.0),
        "{what}: tables differ\n{}\n{}",
        got.0,
        want.0
    );
    assert_eq!(json(&got.1), json(&want.1), "{what}: reports differ");
}

fn pair(out: saferstats::frame::Output<CountReport>) -> (DataFrame, CountReport) {
    (out.table, out.report)
}

/// Every level x period x grouping (and each spec with and without coverage): the prepared
/// counts, `counts_many` and `counts()` all equal the reference.
fn check_all(crimes: &DataFrame, geo: &Geography, coverage: &[YearMonth], levels: &[Level]) {
    let prepared = PreparedCrimes::new(crimes, geo).unwrap();
    let mut specs = Vec::new();
    for &level in levels {
        for period in PERIODS {
            for by in [vec![], vec!["crime_type"]] {
                let spec = CountSpec::new(level, period).by(by);
                specs.push(spec.clone().coverage(coverage.iter().copied()));
                specs.push(spec);
            }
        }
    }
    let many = prepared.counts_many(&specs).unwrap();
    assert_eq!(many.len(), specs.len());
    for (spec, many) in specs.iter().zip(many) {
        let what = format!(
            "{} x {:?} x {:?} (coverage given: {})",
            spec.level.name(),
            spec.period,
            spec.by,
            spec.coverage.is_some()
        );
        let want = reference::counts(crimes, geo, spec).unwrap();
        assert!(want.0.height() > 0, "{what}: empty reference");
        let one = pair(prepared.counts(spec).unwrap());
        assert_same(&one, &want, &what);
        assert_same(&pair(many), &want, &format!("{what}, counts_many"));
        assert_same(
            &pair(counts(crimes, geo, spec).unwrap()),
            &want,
            &format!("{what}, counts()"),
        );
    }
}

#[test]
fn medway_every_level_period_and_grouping_equals_the_reference() {
    let m = datasets::medway_2014().unwrap();
    let coverage: Vec<YearMonth> = m.crimes.report.months_covered.to_vec();
    let mut levels = LEVELS.to_vec();
    levels.push(Level::Lsoa);
    check_all(&m.crimes.crimes, &m.geography, &coverage, &levels);
}

#[test]
fn kent_every_level_period_and_grouping_equals_the_reference() {
    let data = read_police_uk(
        &[shared().join("police-uk/kent-2014")],
        &ReadOptions::default(),
    )
    .unwrap();
    assert!(data.crimes.height() > 140_000);
    let geo = wd19_geography();
    let coverage: Vec<YearMonth> = data.report.months_covered.to_vec();
    check_all(&data.crimes, &geo, &coverage, &LEVELS);
}

#[test]
fn kent_partial_coverage_and_a_geography_without_csps_equal_the_reference() {
    let data = read_police_uk(
        &[shared().join("police-uk/kent-2014")],
        &ReadOptions::default(),
    )
    .unwrap();
    let lsoa =
        read_lookup(shared().join("lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz")).unwrap();
    let lsoa_only = Geography::new(&lsoa, None).unwrap();
    // A geography of one force's local authorities only: the rest of Kent is outside it.
    let medway = wd19_geography().filter(Level::Lad, &["E06000035"]).unwrap();
    // Six months only: rows in the other months are outside the periods (or inside periods
    // that are partial).
    let coverage: Vec<YearMonth> = (3..=8).map(|m| YearMonth::new(2014, m).unwrap()).collect();
    let prepared = PreparedCrimes::new(&data.crimes, &lsoa_only).unwrap();
    for period in PERIODS {
        for by in [vec![], vec!["crime_type"]] {
            let spec = CountSpec::new(Level::Ward, period)
                .by(by)
                .coverage(coverage.iter().copied());
            let want = reference::counts(&data.crimes, &lsoa_only, &spec).unwrap();
            assert_same(&pair(prepared.counts(&spec).unwrap()), &want, "lsoa-only");
            let want = reference::counts(&data.crimes, &medway, &spec).unwrap();
            assert_same(
                &pair(counts(&data.crimes, &medway, &spec).unwrap()),
                &want,
                "medway",
            );
            if period == PeriodKind::Month {
                assert!(want.1.rows_outside_periods > 0);
                assert!(want.1.rows_outside_geography > 100_000);
            }
        }
    }
    let err = prepared
        .counts(&CountSpec::new(Level::Csp, PeriodKind::Month))
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidParameter { name: "level", .. }),
        "{err}"
    );
}

fn date(days: &[Option<&str>]) -> Column {
    let d: Vec<Option<i32>> = days
        .iter()
        .map(|d| {
            d.map(|d| {
                let (ym, day) = d.rsplit_once('-').unwrap();
                let ym: YearMonth = ym.parse().unwrap();
                ym.to_epoch_days() + day.parse::<i32>().unwrap() - 1
            })
        })
        .collect();
    Column::new("month".into(), d)
        .cast(&DataType::Date)
        .unwrap()
}

/// Hand-made edge cases: rows without an LSOA, outside the geography, in an LSOA whose local
/// authority is split between CSPs, without a month or dated mid-month, with a null group; two
/// grouping columns of different dtypes; a ward code given two names.
#[test]
fn edge_cases_equal_the_reference() {
    let days = [
        Some("2014-01-01"),
        Some("2014-01-01"),
        Some("2014-02-01"),
        Some("2014-02-15"),
        None,
        Some("2014-03-01"),
        Some("2014-03-01"),
        Some("2014-04-01"),
        Some("2015-01-01"),
        Some("2014-01-01"),
    ];
    let month = date(&days);
    let crimes = DataFrame::new_infer_height(vec![
        month,
        Column::new(
            "lsoa_code".into(),
            [
                Some("L1"),
                Some("L2"),
                None,
                Some("L1"),
                Some("L3"),
                Some("L9"),
                Some("L3"),
                Some("L4"),
                Some("L2"),
                Some("L5"),
            ],
        ),
        Column::new(
            "crime_type".into(),
            [
                Some("b"),
                Some("a"),
                Some("a"),
                None,
                Some("b"),
                Some("a"),
                None,
                Some("c"),
                Some("a"),
                Some("b"),
            ],
        ),
        Column::new("priority".into(), [1i32, 2, 1, 1, 2, 2, 1, 1, 1, 2]),
    ])
    .unwrap();
    let geo = Geography::from_table(
        df!(
            "lsoa_code" => ["L1", "L2", "L3", "L4", "L5"],
            "lsoa_name" => ["l1", "l2", "l3", "l4", "l5"],
            "ward_code" => [Some("W2"), Some("W1"), Some("W2"), None, Some("W3")],
            "ward_name" => [Some("w2"), Some("w1"), Some("w2 (new name)"), None, None],
            "lad_code" => ["D1", "D1", "D2", "D2", "D2"],
            "lad_name" => ["d1", "d1", "d2", "d2", "d2"],
            "csp_code" => [Some("C1"), Some("C1"), None, None, None],
            "csp_name" => [Some("c1"), Some("c1"), None, None, None],
            "force_code" => ["F1", "F1", "F1", "F1", "F1"],
            "force_name" => ["f1", "f1", "f1", "f1", "f1"],
        )
        .unwrap(),
        "hand-made",
    )
    .unwrap();
    let prepared = PreparedCrimes::new(&crimes, &geo).unwrap();
    assert_eq!(prepared.rows_without_lsoa(), 1);
    assert_eq!(prepared.rows_outside_geography(), 1);

    // Ward by calendar year, worked by hand: W1 (L2) has one row in 2014 and one in 2015; W2
    // (L1, L3) has three rows in 2014 (the row dated mid-month counts in its month; the row
    // without a month matches no period) and appears under both its names; W3 (L5) has one.
    // L4 has no ward and L9 is not in the geography. The reference joined on first-of-month
    // dates, so it is given the dates truncated to their month.
    let spec = CountSpec::new(Level::Ward, PeriodKind::CalendarYear);
    let (t, r) = pair(prepared.counts(&spec).unwrap());
    let mut truncated = crimes.clone();
    let firsts: Vec<Option<String>> = days
        .iter()
        .map(|d| d.map(|d| format!("{}-01", &d[..7])))
        .collect();
    let firsts: Vec<Option<&str>> = firsts.iter().map(Option::as_deref).collect();
    truncated.with_column(date(&firsts)).unwrap();
    let want = reference::counts(&truncated, &geo, &spec).unwrap();
    assert_same(&(t.clone(), r.clone()), &want, "worked example");
    let count: Vec<i64> = t
        .column("count")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(count, [1, 1, 3, 0, 3, 0, 1, 0]);
    let names: Vec<Option<&str>> = t
        .column("area_name")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        names[2..6],
        [
            Some("w2"),
            Some("w2"),
            Some("w2 (new name)"),
            Some("w2 (new name)")
        ]
    );
    assert_eq!(
        (r.rows_in, r.rows_without_lsoa, r.rows_outside_geography),
        (10, 1, 2)
    );
    assert_eq!((r.rows_counted, r.rows_outside_periods), (6, 1));
    assert_eq!(
        r.lsoas_outside_geography.keys().collect::<Vec<_>>(),
        ["L4", "L9"]
    );
    assert_eq!((r.areas, r.groups, r.periods), (4, 1, 2));

    // The same geography with integer ward codes (the areas are then numbered by polars).
    let mut int_wards = geo.clone();
    int_wards
        .table
        .with_column(Column::new(
            "ward_code".into(),
            [Some(2i32), Some(1), Some(2), None, Some(3)],
        ))
        .unwrap();
    assert_eq!(
        int_wards.table.column("ward_code").unwrap().dtype(),
        &DataType::Int32
    );
    let int_prepared = PreparedCrimes::new(&crimes, &int_wards).unwrap();
    for period in PERIODS {
        for by in [vec![], vec!["crime_type"], vec!["crime_type", "priority"]] {
            let spec = CountSpec::new(Level::Ward, period).by(by);
            let want = reference::counts(&truncated, &int_wards, &spec).unwrap();
            assert_same(
                &pair(int_prepared.counts(&spec).unwrap()),
                &want,
                "integer wards",
            );
        }
    }

    let coverage: Vec<YearMonth> = (1..=3).map(|m| YearMonth::new(2014, m).unwrap()).collect();
    for level in [
        Level::Lsoa,
        Level::Ward,
        Level::Lad,
        Level::Csp,
        Level::Force,
    ] {
        for period in PERIODS {
            for by in [
                vec![],
                vec!["crime_type"],
                vec!["priority"],
                vec!["crime_type", "priority"],
                vec!["priority", "crime_type"],
            ] {
                for cov in [None, Some(&coverage)] {
                    let mut spec = CountSpec::new(level, period).by(by.clone());
                    if let Some(c) = cov {
                        spec = spec.coverage(c.iter().copied());
                    }
                    let what = format!("{} x {period:?} x {by:?} x {cov:?}", level.name());
                    let want = reference::counts(&truncated, &geo, &spec).unwrap();
                    assert_same(&pair(prepared.counts(&spec).unwrap()), &want, &what);
                }
            }
        }
    }
    // Empty coverage: no periods, every placed row outside them.
    let spec = CountSpec::new(Level::Ward, PeriodKind::Month).coverage([]);
    let want = reference::counts(&truncated, &geo, &spec).unwrap();
    assert_same(&pair(prepared.counts(&spec).unwrap()), &want, "no coverage");
    // No rows at all.
    let none = crimes.head(Some(0));
    for by in [vec![], vec!["crime_type"]] {
        let spec = CountSpec::new(Level::Ward, PeriodKind::Quarter)
            .by(by)
            .coverage(coverage.iter().copied());
        let want = reference::counts(&none, &geo, &spec).unwrap();
        assert_same(&pair(counts(&none, &geo, &spec).unwrap()), &want, "no rows");
    }
}

#[test]
fn prepared_errors_are_those_of_counts() {
    let m = datasets::medway_2014().unwrap();
    let (crimes, geo) = (&m.crimes.crimes, &m.geography);
    let prepared = PreparedCrimes::new(crimes, geo).unwrap();
    for spec in [
        CountSpec::new(Level::Ward, PeriodKind::Month).by(["no_such_column"]),
        CountSpec::new(Level::Ward, PeriodKind::Month).by(["month"]),
    ] {
        let a = prepared.counts(&spec).unwrap_err().to_string();
        let b = counts(crimes, geo, &spec).unwrap_err().to_string();
        assert_eq!(a, b);
    }
    let lsoa_only = Geography::new(&m.lsoa_lookup, None).unwrap();
    let err = PreparedCrimes::new(crimes, &lsoa_only)
        .unwrap()
        .counts(&CountSpec::new(Level::Force, PeriodKind::Month))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { name: "level", .. }));
    let text_month = crimes
        .clone()
        .lazy()
        .with_column(col("month").cast(DataType::String))
        .collect()
        .unwrap();
    let err = PreparedCrimes::new(&text_month, geo).unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidParameter { name: "crimes", .. }
    ));
    let err = PreparedCrimes::new(&crimes.drop("lsoa_code").unwrap(), geo).unwrap_err();
    assert!(matches!(err, Error::MissingColumn { .. }));
    // A geography listing an LSOA twice would count its crimes twice.
    let mut twice = geo.clone();
    twice.table = geo.table.vstack(&geo.table.head(Some(1))).unwrap();
    let err = PreparedCrimes::new(crimes, &twice).unwrap_err();
    assert!(matches!(err, Error::Duplicate { .. }), "{err}");
}

/// The five tables of the "fast at national scale" issue.
fn five_tables(coverage: &[YearMonth]) -> Vec<CountSpec> {
    let c = || coverage.iter().copied();
    vec![
        CountSpec::new(Level::Csp, PeriodKind::CalendarYear)
            .by(["crime_type"])
            .coverage(c()),
        CountSpec::new(Level::Ward, PeriodKind::Month).coverage(c()),
        CountSpec::new(Level::Csp, PeriodKind::CalendarYear).coverage(c()),
        CountSpec::new(Level::Ward, PeriodKind::CalendarYear).coverage(c()),
        CountSpec::new(Level::Csp, PeriodKind::Month).coverage(c()),
    ]
}

fn best_of<T>(repeat: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..repeat {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.unwrap())
}

fn time_five(name: &str, inputs: &[PathBuf]) {
    let t = Instant::now();
    let data = read_police_uk(inputs, &ReadOptions::default()).unwrap();
    let read = t.elapsed().as_secs_f64();
    let geo = wd19_geography();
    let coverage: Vec<YearMonth> = data.report.months_covered.to_vec();
    let specs = five_tables(&coverage);
    let crimes = &data.crimes;
    let repeat: usize = std::env::var("COUNTS_REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    // COUNTS_WHICH: a comma list of before, counts, new, many, cached (default: all), so that
    // each can be run alone (e.g. under `valgrind --tool=callgrind` with COUNTS_REPEAT=1).
    let which = std::env::var("COUNTS_WHICH").unwrap_or_else(|_| "all".into());
    let on = |w: &str| which == "all" || which.split(',').any(|x| x == w);
    println!(
        "{name}: {} rows, {} months (read in {read:.2} s); best of {repeat}",
        crimes.height(),
        coverage.len()
    );
    if on("before") {
        let (s, _) = best_of(repeat, || {
            specs
                .iter()
                .map(|s| reference::counts(crimes, &geo, s).unwrap())
                .collect::<Vec<_>>()
        });
        println!("  before: reference counts() x 5           {s:8.3} s");
    }
    if on("counts") {
        let (s, _) = best_of(repeat, || {
            specs
                .iter()
                .map(|s| counts(crimes, &geo, s).unwrap())
                .collect::<Vec<_>>()
        });
        println!("  after:  counts() x 5 (prepares each)     {s:8.3} s");
    }
    if on("new") {
        let (s, _) = best_of(repeat, || PreparedCrimes::new(crimes, &geo).unwrap());
        println!("  after:  PreparedCrimes::new              {s:8.3} s");
    }
    if on("many") {
        let (s, _) = best_of(repeat, || {
            let prepared = PreparedCrimes::new(crimes, &geo).unwrap();
            prepared.counts_many(&specs).unwrap()
        });
        println!("  after:  new + counts_many(5)             {s:8.3} s");
    }
    if on("cached") {
        let prepared = PreparedCrimes::new(crimes, &geo).unwrap();
        let _ = prepared.counts_many(&specs).unwrap();
        let (s, _) = best_of(repeat, || prepared.counts_many(&specs).unwrap());
        println!("  after:  counts_many(5), indices built    {s:8.3} s");
        for spec in &specs {
            let (s, out) = best_of(repeat, || prepared.counts(spec).unwrap());
            println!(
                "    {:>5} x {:<14} x {:<16} {:>7} rows {s:8.4} s",
                spec.level.name(),
                format!("{:?}", spec.period),
                format!("{:?}", spec.by),
                out.table.height()
            );
        }
    }
}

/// Timings of the five tables, before (the reference) and after, on the Kent 2014 files and,
/// when generated, the synthetic county (`benchmarks/generate.py --preset county`).
#[test]
#[ignore = "timings: run with --ignored --nocapture"]
fn counts_timings() {
    // COUNTS_DATA: kent, county or all (default).
    let data = std::env::var("COUNTS_DATA").unwrap_or_else(|_| "all".into());
    if data != "county" {
        time_five("kent-2014", &[shared().join("police-uk/kent-2014")]);
    }
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benchmarks/data");
    for dir in ["county", "county-seed2015"] {
        let d = bench.join(dir);
        if data != "kent" && d.is_dir() {
            time_five(dir, &[d]);
            break;
        }
    }
}
