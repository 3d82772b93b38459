//! Seasonality kernels on arbitrary monthly series: per-day rates, classical indices, the
//! seasonal profile, peak and trough, STL with arbitrary parameters, Kruskal-Wallis, QS and
//! anomalous months.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use saferstats::stats::seasonal::*;
use saferstats_fuzz::{num, nums};

fn params(u: &mut Unstructured<'_>) -> StlParams {
    let small = |u: &mut Unstructured<'_>| -> usize {
        match u.int_in_range(0..=3u8).unwrap_or(0) {
            0 => usize::from(u.arbitrary::<u8>().unwrap_or(0)),
            1 => usize::from(u.arbitrary::<u16>().unwrap_or(0)),
            2 => STL_LONG_SEASONAL_LENGTH,
            _ => u.arbitrary::<usize>().unwrap_or(0),
        }
    };
    let optional = |u: &mut Unstructured<'_>| -> Option<usize> {
        if u.arbitrary::<bool>().unwrap_or(false) {
            Some(small(u))
        } else {
            None
        }
    };
    StlParams {
        seasonal_length: small(u),
        trend_length: optional(u),
        low_pass_length: optional(u),
        seasonal_degree: i32::from(u.arbitrary::<i8>().unwrap_or(0) % 3),
        trend_degree: i32::from(u.arbitrary::<i8>().unwrap_or(1) % 3),
        robust: u.arbitrary::<bool>().unwrap_or(true),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let op = u.int_in_range(0..=7u8).unwrap_or(0);
    let first_month = u32::from(u.arbitrary::<u8>().unwrap_or(1)) % 14;
    let series = nums(&mut u, 160);
    match op {
        0 => {
            let year = i32::from(u.arbitrary::<i16>().unwrap_or(2014));
            let _ = per_day(&series, year, first_month);
        }
        1 => {
            let _ = classical_indices(&series, first_month);
        }
        2 => {
            if let Ok(profile) = seasonal_profile(&series, first_month) {
                let _ = peak_and_trough(&profile);
            }
        }
        3 => {
            let mut twelve = [0.0; 12];
            for v in twelve.iter_mut() {
                *v = num(&mut u);
            }
            let _ = peak_and_trough(&twelve);
            // Both document a panic for a month outside 1..=12: only valid months here.
            let m = first_month % 12 + 1;
            let _ = month_name(m);
            let _ = days_in_month(i32::from(u.arbitrary::<i16>().unwrap_or(0)), m);
        }
        4 => {
            let _ = kruskal_wallis_by_month(&series, first_month);
        }
        5 => {
            let _ = qs_test(&series, first_month);
        }
        6 => {
            let p = params(&mut u);
            if let Ok(fit) = stl(&series, &p) {
                let _ = anomalies(&series, &fit, num(&mut u));
            }
        }
        _ => {
            // anomalies() on a fit that is not from stl(): arbitrary components.
            let n = series.len();
            let comp = |u: &mut Unstructured<'_>| -> Vec<f64> { (0..n).map(|_| num(u)).collect() };
            let fit = StlFit {
                trend: comp(&mut u),
                seasonal: comp(&mut u),
                remainder: comp(&mut u),
                weights: comp(&mut u),
                seasonal_strength: num(&mut u),
                trend_strength: num(&mut u),
            };
            let _ = anomalies(&series, &fit, num(&mut u));
        }
    }
});
