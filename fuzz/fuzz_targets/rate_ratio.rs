//! Comparing two Poisson rates, every method, with arbitrary counts (u64), exposures, levels
//! and dispersion; and the dispersion estimate from monthly counts.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use saferstats::stats::rate_ratio::{
    PoissonTest, compare_poisson_rates, compare_poisson_rates_dispersed, dispersion_from_monthly,
};
use saferstats_fuzz::{count, num, nums};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    for _ in 0..16 {
        if u.is_empty() {
            break;
        }
        let method = PoissonTest::ALL[usize::from(u.arbitrary::<u8>().unwrap_or(0)) % 7];
        match u.int_in_range(0..=2u8).unwrap_or(0) {
            0 => {
                let _ = compare_poisson_rates(
                    count(&mut u),
                    num(&mut u),
                    count(&mut u),
                    num(&mut u),
                    method,
                    num(&mut u),
                );
            }
            1 => {
                let _ = compare_poisson_rates_dispersed(
                    count(&mut u),
                    num(&mut u),
                    count(&mut u),
                    num(&mut u),
                    method,
                    num(&mut u),
                    num(&mut u),
                );
            }
            _ => {
                let first = u32::from(u.arbitrary::<u8>().unwrap_or(0)) % 14;
                let counts = nums(&mut u, 120);
                let _ = dispersion_from_monthly(&counts, first);
            }
        }
    }
});
