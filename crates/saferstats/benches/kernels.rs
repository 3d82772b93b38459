//! Throughput of the exact-interval and test kernels, in rows (counts) per second on one core:
//! `cargo bench -p saferstats --bench kernels` (criterion; the numbers are in
//! `benchmarks/BENCHMARKS.md`). Inputs are a fixed, seeded spread of counts like those of a
//! national table: most small (wards, crime types by month), some large (CSPs by year).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use saferstats::stats::funnel::phe_poisson_funnel;
use saferstats::stats::intervals::{
    ExactLimitCache, byar_limits, exact_poisson_limits, poisson_count_limits, wilson_limits,
};
use saferstats::stats::rate_ratio::{PoissonTest, compare_poisson_rates};

const ROWS: usize = 100_000;

/// Counts 0 to about 50,000, log-uniform-ish, from a fixed linear congruential sequence.
fn counts() -> Vec<f64> {
    let mut x: u64 = 2015;
    (0..ROWS)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            (u * 10.8).exp().floor() - 1.0
        })
        .map(|c: f64| c.max(0.0))
        .collect()
}

fn kernels(c: &mut Criterion) {
    let counts = counts();
    let mut g = c.benchmark_group("kernels");
    g.throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("byar_limits_95", |b| {
        b.iter(|| {
            counts
                .iter()
                .map(|&o| byar_limits(black_box(o), 0.95).1)
                .sum::<f64>()
        })
    });
    g.bench_function("exact_poisson_limits_95", |b| {
        b.iter(|| {
            counts
                .iter()
                .map(|&o| exact_poisson_limits(black_box(o), 0.95).1)
                .sum::<f64>()
        })
    });
    g.bench_function("phe_count_limits_95_cached", |b| {
        let limits = ExactLimitCache::new(0.95);
        b.iter(|| {
            counts
                .iter()
                .map(|&o| limits.limits(black_box(o)).1)
                .sum::<f64>()
        })
    });
    g.bench_function("phe_count_limits_95", |b| {
        b.iter(|| {
            counts
                .iter()
                .map(|&o| poisson_count_limits(black_box(o), 0.95).1)
                .sum::<f64>()
        })
    });
    g.bench_function("wilson_limits_95", |b| {
        b.iter(|| {
            counts
                .iter()
                .map(|&x| wilson_limits(black_box(x), x + 100.0, 0.95).1)
                .sum::<f64>()
        })
    });
    for (name, test) in [
        ("rate_ratio_exact_cond", PoissonTest::ExactConditional),
        ("rate_ratio_score", PoissonTest::Score),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                counts
                    .windows(2)
                    .map(|w| {
                        compare_poisson_rates(
                            black_box(w[0]) as u64,
                            12.0,
                            w[1] as u64,
                            12.0,
                            test,
                            0.95,
                        )
                        .p_value
                    })
                    .sum::<f64>()
            })
        });
    }
    g.bench_function("phe_funnel_99_8", |b| {
        b.iter(|| {
            counts
                .iter()
                .map(|&e| phe_poisson_funnel(black_box(e) + 0.5, 0.001).1)
                .sum::<f64>()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = kernels
}
criterion_main!(benches);
