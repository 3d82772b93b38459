//! data.police.uk street-level files: up to four sources (split at `\0\0`), the read options
//! from the first byte. Besides crashes, checks that no row is lost:
//! rows read = rows kept + rows set aside, and each frame has the rows its report says.
#![no_main]

use std::io::{Cursor, Read};

use libfuzzer_sys::fuzz_target;
use saferstats::io::police_uk::{Handling, ReadOptions, read_police_uk_from_readers};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let pick = |bit: u8| {
        if flags & (1 << bit) != 0 {
            Handling::SetAside
        } else {
            Handling::Keep
        }
    };
    let options = ReadOptions {
        no_location: pick(0),
        duplicate_crime_id: pick(1),
        unknown_crime_type: pick(2),
        cache_dir: None,
    };
    let sources: Vec<(String, Box<dyn Read>)> = saferstats_fuzz::split_sources(rest, 4)
        .into_iter()
        .enumerate()
        .map(|(i, bytes)| {
            let r: Box<dyn Read> = Box::new(Cursor::new(bytes.to_vec()));
            (format!("2014-0{}-fuzz-street.csv", i + 1), r)
        })
        .collect();
    if let Ok(data) = read_police_uk_from_readers(sources, &options) {
        let r = &data.report;
        assert_eq!(r.rows_read, r.rows_kept + r.rows_set_aside, "rows lost");
        assert_eq!(data.crimes.height() as u64, r.rows_kept, "kept frame");
        assert_eq!(
            data.set_aside.height() as u64,
            r.rows_set_aside,
            "set-aside frame"
        );
        assert_eq!(
            r.set_aside_by_reason.values().sum::<u64>(),
            r.rows_set_aside,
            "set-aside reasons"
        );
        let per_file: u64 = r.files.iter().map(|f| f.rows_read).sum();
        assert_eq!(per_file, r.rows_read, "file reports");
    }
});
