//! ONS population files (single year of age, mid-year series, ward totals, long tables); the
//! first byte chooses the mid-year argument (none, 2017 or two bytes of the input).
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use saferstats::io::ons_population::read_population_from_reader;

fuzz_target!(|data: &[u8]| {
    let Some((&flag, rest)) = data.split_first() else {
        return;
    };
    let (mid_year, body) = match flag % 3 {
        0 => (None, rest),
        1 => (Some(2017), rest),
        _ if rest.len() >= 2 => (
            Some(i32::from(i16::from_le_bytes([rest[0], rest[1]]))),
            &rest[2..],
        ),
        _ => (Some(0), rest),
    };
    let _ = read_population_from_reader(
        "fuzz-population.csv",
        Box::new(Cursor::new(body.to_vec())),
        mid_year,
    );
});
