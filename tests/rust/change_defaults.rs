//! The statistical defaults of change: verdicts allow for over-dispersion when monthly counts
//! exist, and every method's p-value agrees with its own interval.

use saferstats::frame::change::{ChangeSpec, change, change_with_monthly};
use saferstats::frame::dispersion::series_dispersion;
use saferstats::io::wide_monthly::read_wide_monthly;
use saferstats::period::YearMonth;
use saferstats::polars::prelude::*;
use saferstats::schema::Keys;
use saferstats::stats::rate_ratio::{PoissonTest, compare_poisson_rates_matched};

use crate::real_data::shared;

/// Every method, both confidence levels, with and without a dispersion: the test rejects a
/// ratio of 1 exactly when its interval excludes 1 (the only exception allowed is the mid-p
/// interval's documented gap, which says so in its note).
#[test]
fn every_test_agrees_with_its_interval() {
    let mut checked = 0u32;
    let mut disagreements = Vec::new();
    for method in PoissonTest::ALL {
        for &confidence in &[0.95, 0.998] {
            for &phi in &[1.0, 3.7] {
                for &(n1, n2) in &[(1.0, 1.0), (1.5, 1.0), (0.7, 2.2)] {
                    for y1 in 0..45u64 {
                        for y2 in 0..45u64 {
                            let t = compare_poisson_rates_matched(
                                y1, n1, y2, n2, method, confidence, phi,
                            );
                            if !t.p_value.is_finite() {
                                continue;
                            }
                            checked += 1;
                            let rejects = t.p_value < 1.0 - confidence;
                            let excludes = t.ratio_lower > 1.0 || t.ratio_upper < 1.0;
                            if rejects != excludes && t.note.is_none() {
                                disagreements.push(format!(
                                    "{} at {confidence}, phi {phi}: {y1}/{n1} vs {y2}/{n2}: \
                                     p = {:.6}, interval {:.4} to {:.4}",
                                    t.name(),
                                    t.p_value,
                                    t.ratio_lower,
                                    t.ratio_upper
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 100_000, "only {checked} cases checked");
    assert!(
        disagreements.is_empty(),
        "{} of {checked} cases disagree, e.g. {:?}",
        disagreements.len(),
        &disagreements[..disagreements.len().min(5)]
    );
}

/// Monthly total crime of each London borough (MPS file) and the financial years 2021/22 and
/// 2022/23 built from them.
fn london_monthly_and_years() -> (DataFrame, DataFrame) {
    let wide = read_wide_monthly(
        shared().join("mps/MPS_Borough_Level_Crime_Historical_201004-202309.csv.gz"),
    )
    .unwrap();
    let monthly = wide
        .lazy()
        .filter(
            col("boroughname")
                .neq(lit("London Heathrow and London City Airports"))
                .and(col("boroughname").neq(lit("Unknown"))),
        )
        .group_by([
            col("boroughname").alias("area_code"),
            col("month").alias("period_start"),
        ])
        .agg([col("count").sum()])
        .sort(
            ["area_code", "period_start"],
            SortMultipleOptions::default(),
        )
        .collect()
        .unwrap();
    let apr = |y: i32| YearMonth::new(y, 4).unwrap().to_epoch_days();
    let fy = monthly
        .clone()
        .lazy()
        .with_column(col("period_start").cast(DataType::Int32).alias("day"))
        .filter(
            col("day")
                .gt_eq(lit(apr(2021)))
                .and(col("day").lt(lit(apr(2023)))),
        )
        .with_column(
            when(col("day").lt(lit(apr(2022))))
                .then(lit("2021/22"))
                .otherwise(lit("2022/23"))
                .alias("period"),
        )
        .group_by([col("area_code"), col("period")])
        .agg([
            col("count").sum(),
            col("period_start").min(),
            col("count")
                .count()
                .cast(DataType::UInt32)
                .alias("months_covered"),
        ])
        .with_column(lit(12u32).alias("months_expected"))
        .sort(["area_code", "period"], SortMultipleOptions::default())
        .collect()
        .unwrap();
    (monthly, fy)
}

/// London boroughs, 2022/23 against 2021/22: with the plain Poisson test most changes in
/// these large areas read "significant"; allowing for each borough's month-to-month variation
/// (dispersion estimated from its monthly counts) leaves only the changes that stand out from
/// it.
#[test]
fn london_verdicts_allow_for_month_to_month_variation() {
    let (monthly, fy) = london_monthly_and_years();
    let before = monthly
        .clone()
        .lazy()
        .filter(
            col("period_start")
                .lt(lit(YearMonth::new(2023, 4).unwrap().to_epoch_days()).cast(DataType::Date)),
        )
        .collect()
        .unwrap();
    let disp = series_dispersion(&before, &Keys::none()).unwrap();
    assert_eq!(disp.report.estimated, 32);
    let phi: Vec<f64> = disp
        .table
        .column("dispersion")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    let (lo, hi) = phi
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
    // Robust estimates (the 2020 lockdown months down-weighted): far above Poisson's 1.
    assert!(lo > 1.5 && hi < 150.0, "dispersion {lo:.1} to {hi:.1}");

    let spec = ChangeSpec::default();
    let plain = change(&fy, &spec).unwrap().table;
    let quasi = change_with_monthly(&fy, &before, &spec).unwrap();
    assert_eq!(quasi.report.dispersion_source, "monthly");
    assert_eq!(quasi.report.compared, 32);
    assert_eq!(quasi.report.quasi_rows, 32);
    let significant = |t: &DataFrame| -> usize {
        t.column("significant")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .filter(|v| *v == Some(true))
            .count()
    };
    let (n_plain, n_quasi) = (significant(&plain), significant(&quasi.table));
    eprintln!(
        "London 2022/23 vs 2021/22: {n_plain} of 32 boroughs significant with the plain Poisson \
         test, {n_quasi} allowing for month-to-month variation (dispersion {lo:.1} to {hi:.1})"
    );
    eprintln!(
        "{}",
        quasi
            .table
            .select([
                "area_code",
                "count",
                "count_previous",
                "pct_change",
                "dispersion",
                "p_value",
                "verdict"
            ])
            .unwrap()
    );
    // Pinned (docs/methods.md quotes them): 21 of 32 with the plain Poisson test, 10 allowing
    // for each borough's month-to-month variation.
    assert_eq!(
        (n_plain, n_quasi),
        (21, 10),
        "plain vs quasi significant boroughs"
    );
    // Each quasi verdict says what it allowed for; the intervals are wider than Poisson's.
    let verdicts = quasi
        .table
        .column("verdict")
        .unwrap()
        .str()
        .unwrap()
        .clone();
    assert!(
        verdicts
            .iter()
            .flatten()
            .all(|v| v.contains("month-to-month variation") || v == "no change")
    );
    let width = |t: &DataFrame, i: usize| {
        let l = t.column("lower").unwrap().f64().unwrap().get(i).unwrap();
        let u = t.column("upper").unwrap().f64().unwrap().get(i).unwrap();
        (u / l).ln()
    };
    for i in 0..32 {
        assert!(width(&quasi.table, i) > width(&plain, i));
    }
}

/// A month the data do not cover is missing, never a zero: dropping one month from the
/// monthly counts leaves it out of the fit and the dispersion estimate close.
#[test]
fn a_missing_month_is_not_a_zero_in_the_dispersion() {
    let (monthly, _) = london_monthly_and_years();
    let one = monthly
        .clone()
        .lazy()
        .filter(col("area_code").eq(lit("Westminster")))
        .collect()
        .unwrap();
    let full = series_dispersion(&one, &Keys::none()).unwrap().table;
    let phi = |t: &DataFrame| {
        t.column("dispersion")
            .unwrap()
            .f64()
            .unwrap()
            .get(0)
            .unwrap()
    };
    // The same series with one month marked as not covered (count 0 on a complete grid).
    let n = one.height();
    let mut gap = one.clone();
    let mut count: Vec<i64> = one
        .column("count")
        .unwrap()
        .cast(&DataType::Int64)
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    count[n - 30] = 0;
    let mut covered = vec![1u32; n];
    covered[n - 30] = 0;
    gap.with_column(Column::new("count".into(), count.clone()))
        .unwrap();
    gap.with_column(Column::new("months_covered".into(), covered))
        .unwrap();
    let with_gap = series_dispersion(&gap, &Keys::none()).unwrap();
    assert_eq!(with_gap.report.missing_months, 1);
    let (a, b) = (phi(&full), phi(&with_gap.table));
    assert!(
        (b / a - 1.0).abs() < 0.1,
        "{a} vs {b} with one month missing"
    );
    // The month is left out of the fit, not fitted as a zero.
    let months = |t: &DataFrame| t.column("months").unwrap().u32().unwrap().get(0).unwrap();
    assert_eq!(months(&with_gap.table) + 1, months(&full));
    let flags = with_gap
        .table
        .column("flags")
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .unwrap()
        .to_string();
    assert!(flags.contains("1 month(s) missing"), "{flags}");
}
