//! Funnel plots: Spiegelhalter's over-dispersion estimate on arbitrary observed and expected
//! slices, and exact Poisson funnel limits for an arbitrary expected count and tail.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use saferstats::stats::funnel::{dispersion, poisson_funnel_counts};
use saferstats_fuzz::{num, nums};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    for _ in 0..8 {
        if u.is_empty() {
            break;
        }
        if u.arbitrary::<bool>().unwrap_or(false) {
            let observed = nums(&mut u, 64);
            let expected = nums(&mut u, 64);
            let _ = dispersion(&observed, &expected);
        } else {
            let _ = poisson_funnel_counts(num(&mut u), num(&mut u));
        }
    }
});
