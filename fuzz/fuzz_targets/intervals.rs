//! Confidence-interval kernels on arbitrary numbers: z, Byar, exact Poisson, the PHE switch and
//! its cache, Wilson, Newcombe, Kish. A sequence of calls, each chosen by one byte.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use saferstats::stats::intervals::*;
use saferstats_fuzz::{num, nums};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    for _ in 0..32 {
        if u.is_empty() {
            break;
        }
        match u.int_in_range(0..=10u8).unwrap_or(0) {
            0 => {
                let _ = z_for(num(&mut u));
            }
            1 => {
                let _ = byar_limits(num(&mut u), num(&mut u));
            }
            2 => {
                let _ = exact_poisson_limits(num(&mut u), num(&mut u));
            }
            3 => {
                let _ = poisson_count_limits(num(&mut u), num(&mut u));
            }
            4 => {
                let cache = ExactLimitCache::new(num(&mut u));
                for _ in 0..4 {
                    let _ = cache.limits(num(&mut u));
                }
            }
            5 => {
                let _ = wilson_limits(num(&mut u), num(&mut u), num(&mut u));
            }
            6 => {
                let _ = newcombe_diff_limits(
                    num(&mut u),
                    num(&mut u),
                    num(&mut u),
                    num(&mut u),
                    num(&mut u),
                );
            }
            7 => {
                let _ = newcombe_difference(
                    num(&mut u),
                    num(&mut u),
                    num(&mut u),
                    num(&mut u),
                    num(&mut u),
                );
            }
            8 => {
                let w = nums(&mut u, 64);
                let _ = kish_effective_n(&w);
                let _ = checked_kish_effective_n(&w);
            }
            9 => {
                let _ = validate_confidence(num(&mut u));
            }
            _ => {
                // A validated level, as the frame functions pass it.
                if let Ok(c) = validate_confidence(num(&mut u)) {
                    let o = num(&mut u);
                    let _ = poisson_count_limits(o, c);
                    let _ = exact_poisson_limits(o, c);
                    let _ = wilson_limits(o, num(&mut u), c);
                }
            }
        }
    }
});
