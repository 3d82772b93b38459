//! ONS lookup files (any shape: LSOA-ward-LAD, LAD-CSP-PFA, LSOA vintages), plain or gzipped.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use saferstats::io::ons_lookup::read_lookup_from_reader;

fuzz_target!(|data: &[u8]| {
    let _ = read_lookup_from_reader("fuzz-lookup.csv", Box::new(Cursor::new(data.to_vec())));
});
