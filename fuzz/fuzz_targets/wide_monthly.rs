//! Wide monthly count tables (the Metropolitan Police's `YYYYMM` columns).
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use saferstats::io::wide_monthly::read_wide_monthly_from_reader;

fuzz_target!(|data: &[u8]| {
    let _ = read_wide_monthly_from_reader("fuzz-wide.csv", Box::new(Cursor::new(data.to_vec())));
});
