//! Ingestion at national scale: data.police.uk bulk archives read in place (newest snapshot of
//! each force-month), results independent of thread count and input order, and the read cache
//! (hits give the same frames; a changed file is parsed again, even at the same size and
//! modification time). The archives are built in a temporary folder from the Kent 2014 files, in
//! the layout of the downloads: `YYYY-MM.zip` holding `YYYY-MM/YYYY-MM-kent-street.csv` beside
//! `-outcomes.csv` and `-stop-and-search.csv` files.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use saferstats::Error;
use saferstats::io::police_uk::{Handling, PoliceUkData, ReadOptions, read_police_uk};
use saferstats::period::YearMonth;

fn kent() -> PathBuf {
    std::env::var_os("SAFERSTATS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join("police-uk/kent-2014")
}

/// The uncompressed bytes of the Kent file of a month of 2014.
fn kent_csv(month: u32) -> Vec<u8> {
    let path = kent().join(format!("2014-{month:02}-kent-street.csv.gz"));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The same file without its last `n` rows (another "snapshot" of the month).
fn without_last_rows(bytes: &[u8], n: usize) -> Vec<u8> {
    let text = std::str::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    let mut out = lines[..lines.len() - n].join("\r\n");
    out.push_str("\r\n");
    out.into_bytes()
}

fn rows(bytes: &[u8]) -> u64 {
    std::str::from_utf8(bytes)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count() as u64
}

/// A fresh temporary folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("saferstats-ingest-{}-{test}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A zip in the layout of the data.police.uk archives: street files (given) plus an outcomes
/// and a stop-and-search file per month, which the reader must pass over.
fn write_archive(path: &Path, street: &[(u32, Vec<u8>)]) {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (month, bytes) in street {
        let folder = format!("2014-{month:02}");
        zip.start_file(format!("{folder}/{folder}-kent-street.csv"), options)
            .unwrap();
        zip.write_all(bytes).unwrap();
        zip.start_file(format!("{folder}/{folder}-kent-outcomes.csv"), options)
            .unwrap();
        zip.write_all(b"Crime ID,Month,Reported by,Falls within,Outcome type\r\n")
            .unwrap();
        zip.start_file(
            format!("{folder}/{folder}-kent-stop-and-search.csv"),
            options,
        )
        .unwrap();
        zip.write_all(b"Type,Date,Part of a policing operation\r\n")
            .unwrap();
    }
    zip.finish().unwrap();
}

fn months(range: std::ops::RangeInclusive<u32>) -> Vec<(u32, Vec<u8>)> {
    range.map(|m| (m, kent_csv(m))).collect()
}

fn assert_same_data(a: &PoliceUkData, b: &PoliceUkData) {
    assert!(a.crimes.equals_missing(&b.crimes), "crimes differ");
    assert!(
        a.set_aside.equals_missing(&b.set_aside),
        "set-aside rows differ"
    );
    let counts = |d: &PoliceUkData| {
        let r = &d.report;
        (
            r.rows_read,
            r.rows_kept,
            r.rows_set_aside,
            r.set_aside_by_reason.clone(),
            r.flagged_by_reason.clone(),
            r.months_covered.clone(),
            r.forces.clone(),
        )
    };
    assert_eq!(counts(a), counts(b));
}

fn ym(m: u32) -> YearMonth {
    YearMonth::new(2014, m).unwrap()
}

#[test]
fn an_archive_reads_like_the_loose_files_and_skips_outcomes_and_stop_and_search() {
    let dir = scratch("archive");
    let zip = dir.join("2014-11.zip");
    write_archive(&zip, &months(1..=11));
    let loose = read_police_uk(&[kent()], &ReadOptions::default()).unwrap();
    let zipped = read_police_uk(&[&zip], &ReadOptions::default()).unwrap();
    assert_same_data(&loose, &zipped);
    let r = &zipped.report;
    assert_eq!(r.files.len(), 11);
    for (m, file) in (1..=11).zip(&r.files) {
        assert_eq!(file.archive.as_deref(), Some(zip.to_str().unwrap()));
        assert!(
            file.source.ends_with(&format!(
                "2014-11.zip!2014-{m:02}/2014-{m:02}-kent-street.csv"
            )),
            "{}",
            file.source
        );
        assert_eq!(file.months, vec![ym(m)]);
    }
    assert!(r.superseded.is_empty());
    // A folder holding the archive reads the same.
    let folder = read_police_uk(&[&dir], &ReadOptions::default()).unwrap();
    assert_same_data(&loose, &folder);
    // Loose-file reads do not report the new fields (the Python report has none of them).
    let json = serde_json::to_value(&loose.report).unwrap();
    assert!(json.get("superseded").is_none() && json.get("cache").is_none());
    assert!(json["files"][0].get("archive").is_none());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_newest_snapshot_of_each_force_month_wins_and_loose_files_win_over_archives() {
    let dir = scratch("snapshots");
    // An older snapshot of January to June (each month short of its last 10 rows) and a newer
    // one of April to November.
    let old: Vec<(u32, Vec<u8>)> = (1..=6)
        .map(|m| (m, without_last_rows(&kent_csv(m), 10)))
        .collect();
    let old_zip = dir.join("2014-06.zip");
    let new_zip = dir.join("2014-11.zip");
    write_archive(&old_zip, &old);
    write_archive(&new_zip, &months(4..=11));
    let expected: u64 = old[..3].iter().map(|(_, b)| rows(b)).sum::<u64>()
        + (4..=11).map(|m| rows(&kent_csv(m))).sum::<u64>();

    let data = read_police_uk(&[&new_zip, &old_zip], &ReadOptions::default()).unwrap();
    let r = &data.report;
    assert_eq!(r.rows_read, expected);
    assert_eq!(r.months_covered, (1..=11).map(ym).collect::<Vec<_>>());
    let from: Vec<(YearMonth, &str)> = r
        .files
        .iter()
        .map(|f| (f.months[0], f.archive.as_deref().unwrap()))
        .collect();
    for (month, archive) in from {
        let want = if month < ym(4) { &old_zip } else { &new_zip };
        assert_eq!(archive, want.to_str().unwrap(), "{month}");
    }
    assert_eq!(r.superseded.len(), 3);
    for (s, m) in r.superseded.iter().zip(4..=6) {
        assert_eq!((s.month, s.force.as_str()), (ym(m), "kent"));
        assert!(s.source.contains("2014-06.zip!"), "{}", s.source);
        assert!(s.read_from.contains("2014-11.zip!"), "{}", s.read_from);
    }

    // May given as a loose file (the newer archive's May short of 5 rows) is read from it.
    let may = dir.join("2014-05-kent-street.csv");
    let may_bytes = without_last_rows(&kent_csv(5), 5);
    std::fs::write(&may, &may_bytes).unwrap();
    let data = read_police_uk(&[&old_zip, &new_zip, &may], &ReadOptions::default()).unwrap();
    let r = &data.report;
    assert_eq!(
        r.rows_read,
        expected - rows(&kent_csv(5)) + rows(&may_bytes)
    );
    let may_file = r.files.iter().find(|f| f.months == vec![ym(5)]).unwrap();
    assert_eq!(
        (may_file.source.as_str(), may_file.archive.as_deref()),
        (may.to_str().unwrap(), None)
    );
    assert_eq!(r.superseded.len(), 4);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_result_does_not_depend_on_threads_or_input_order() {
    let dir = scratch("determinism");
    let a = dir.join("2014-06.zip");
    let b = dir.join("2014-11.zip");
    write_archive(&a, &months(1..=6));
    write_archive(&b, &months(5..=9));
    let loose = kent().join("2014-10-kent-street.csv.gz");
    let keep = ReadOptions {
        duplicate_crime_id: Handling::Keep,
        ..ReadOptions::default()
    };
    let read = |threads: usize, inputs: Vec<&PathBuf>, options: &ReadOptions| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| read_police_uk(&inputs, options))
            .unwrap()
    };
    for options in [ReadOptions::default(), keep] {
        let one = read(1, vec![&a, &b, &loose], &options);
        let three = read(3, vec![&loose, &b, &a, &b], &options);
        assert_same_data(&one, &three);
        assert_eq!(
            serde_json::to_string(&one.report).unwrap(),
            serde_json::to_string(&three.report).unwrap()
        );
    }
    // The earliest month keeps a republished crime (Kent: three IDs of January again in
    // February), whatever the order given.
    let data = read(2, vec![&b, &a], &ReadOptions::default());
    let set_aside = data
        .set_aside
        .column("month")
        .unwrap()
        .date()
        .unwrap()
        .clone();
    let feb = ym(2).to_epoch_days();
    assert_eq!(data.set_aside.height(), 3);
    assert!(set_aside.physical().into_no_null_iter().all(|d| d == feb));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn archive_errors_name_the_archive_entry_line_and_column() {
    let dir = scratch("errors");
    let mut bad = kent_csv(1);
    // Line 3 (the second data row): its month becomes 2014-13.
    let text = String::from_utf8(bad.clone()).unwrap();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
    lines[2] = lines[2].replacen(",2014-01,", ",2014-13,", 1);
    bad = lines.join("\r\n").into_bytes();
    let zip = dir.join("2014-01.zip");
    write_archive(&zip, &[(1, bad)]);
    let err = read_police_uk(&[&zip], &ReadOptions::default()).unwrap_err();
    match &err {
        Error::BadValue {
            source_name,
            line,
            column,
            value,
            ..
        } => {
            assert!(
                source_name.ends_with("2014-01.zip!2014-01/2014-01-kent-street.csv"),
                "{source_name}"
            );
            assert_eq!(
                (*line, column.as_str(), value.as_str()),
                (3, "Month", "2014-13")
            );
        }
        other => panic!("unexpected {other}"),
    }
    // An archive without street files, and a file that is not a zip.
    let empty = dir.join("outcomes.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&empty).unwrap());
    w.start_file(
        "2014-01/2014-01-kent-outcomes.csv",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    w.write_all(b"Crime ID\r\n").unwrap();
    w.finish().unwrap();
    let err = read_police_uk(&[&empty], &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::NoInputFiles(_)), "{err}");
    let junk = dir.join("junk.zip");
    std::fs::write(&junk, b"not a zip at all").unwrap();
    let err = read_police_uk(&[&junk], &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("junk.zip"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_cache_serves_unchanged_files_and_never_a_stale_one() {
    let dir = scratch("cache");
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    // Ten months gzipped as published, March as plain CSV.
    for m in (1..=10).filter(|m| *m != 3) {
        let name = format!("2014-{m:02}-kent-street.csv.gz");
        std::fs::copy(kent().join(&name), src.join(name)).unwrap();
    }
    let march = src.join("2014-03-kent-street.csv");
    std::fs::write(&march, kent_csv(3)).unwrap();
    let cache_dir = dir.join("cache");
    let cached = ReadOptions {
        cache_dir: Some(cache_dir.clone()),
        ..ReadOptions::default()
    };
    let hits_misses = |d: &PoliceUkData| {
        let c = d.report.cache.as_ref().unwrap();
        (c.hits, c.misses, c.stale)
    };

    let plain = read_police_uk(&[&src], &ReadOptions::default()).unwrap();
    let first = read_police_uk(&[&src], &cached).unwrap();
    assert_eq!(hits_misses(&first), (0, 10, 0));
    assert!(first.report.cache.as_ref().unwrap().write_errors.is_empty());
    assert_same_data(&plain, &first);
    let second = read_police_uk(&[&src], &cached).unwrap();
    assert_eq!(hits_misses(&second), (10, 0, 0));
    assert!(
        second
            .report
            .files
            .iter()
            .all(|f| f.from_cache == Some(true))
    );
    assert_same_data(&plain, &second);
    assert_eq!(second.crimes.schema(), plain.crimes.schema());

    // One new month beside the cached set: only it is parsed.
    let nov = "2014-11-kent-street.csv.gz";
    std::fs::copy(kent().join(nov), src.join(nov)).unwrap();
    let third = read_police_uk(&[&src], &cached).unwrap();
    assert_eq!(hits_misses(&third), (10, 1, 0));
    assert_same_data(
        &read_police_uk(&[&src], &ReadOptions::default()).unwrap(),
        &third,
    );

    // Other read options, same cache: the options apply to cached rows as to parsed ones.
    let keep = ReadOptions {
        duplicate_crime_id: Handling::Keep,
        no_location: Handling::SetAside,
        ..cached.clone()
    };
    let kept = read_police_uk(&[&src], &keep).unwrap();
    assert_eq!(hits_misses(&kept), (11, 0, 0));
    let fresh = ReadOptions {
        cache_dir: None,
        ..keep.clone()
    };
    assert_same_data(&read_police_uk(&[&src], &fresh).unwrap(), &kept);

    // Change one coordinate of March in place: same size, modification time put back.
    let meta = std::fs::metadata(&march).unwrap();
    let text = String::from_utf8(std::fs::read(&march).unwrap()).unwrap();
    let row = text.lines().nth(1).unwrap().to_string();
    let lon = row.split(',').nth(4).unwrap().to_string();
    let mut new_lon = lon.clone().into_bytes();
    let last = new_lon.len() - 1;
    new_lon[last] = if new_lon[last] == b'9' {
        b'8'
    } else {
        new_lon[last] + 1
    };
    let new_lon = String::from_utf8(new_lon).unwrap();
    let edited = text.replacen(&row, &row.replacen(&lon, &new_lon, 1), 1);
    assert_eq!(edited.len(), text.len());
    std::fs::write(&march, &edited).unwrap();
    let f = std::fs::File::options().write(true).open(&march).unwrap();
    f.set_modified(meta.modified().unwrap()).unwrap();
    drop(f);
    assert_eq!(std::fs::metadata(&march).unwrap().len(), meta.len());
    assert_eq!(
        std::fs::metadata(&march).unwrap().modified().unwrap(),
        meta.modified().unwrap()
    );
    let after = read_police_uk(&[&src], &cached).unwrap();
    assert_eq!(hits_misses(&after), (10, 1, 1));
    assert_same_data(
        &read_police_uk(&[&src], &ReadOptions::default()).unwrap(),
        &after,
    );
    let id = row.split(',').next().unwrap();
    let lon_of = |d: &PoliceUkData| {
        let ids = d.crimes.column("crime_id").unwrap().str().unwrap().clone();
        let lons = d.crimes.column("longitude").unwrap().f64().unwrap().clone();
        let at = ids.iter().position(|v| v == Some(id)).unwrap();
        lons.get(at).unwrap()
    };
    assert_eq!(lon_of(&after), new_lon.parse::<f64>().unwrap());
    assert_ne!(lon_of(&after), lon_of(&second));

    // A damaged entry is a miss, not an error.
    for entry in std::fs::read_dir(&cache_dir).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();
    }
    let damaged = read_police_uk(&[&src], &cached).unwrap();
    assert_eq!(hits_misses(&damaged), (0, 11, 11));
    assert_same_data(&after, &damaged);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_cache_serves_archive_entries_and_notices_a_rebuilt_archive() {
    let dir = scratch("cache-zip");
    let zip = dir.join("2014-11.zip");
    write_archive(&zip, &months(1..=4));
    let cached = ReadOptions {
        cache_dir: Some(dir.join("cache")),
        ..ReadOptions::default()
    };
    let first = read_police_uk(&[&zip], &cached).unwrap();
    let second = read_police_uk(&[&zip], &cached).unwrap();
    let c = second.report.cache.as_ref().unwrap();
    assert_eq!((c.hits, c.misses), (4, 0));
    assert_same_data(&first, &second);
    // The archive rebuilt with February changed: only that entry is parsed again.
    let mut street = months(1..=4);
    street[1].1 = without_last_rows(&street[1].1, 1);
    write_archive(&zip, &street);
    let third = read_police_uk(&[&zip], &cached).unwrap();
    let c = third.report.cache.as_ref().unwrap();
    assert_eq!((c.hits, c.misses, c.stale), (3, 1, 1));
    assert_eq!(third.report.rows_read + 1, second.report.rows_read);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn read_options_with_a_cache_folder_deserialise_strictly() {
    let o: ReadOptions =
        serde_json::from_str(r#"{"cache_dir": "/tmp/x", "no_location": "set_aside"}"#).unwrap();
    assert_eq!(o.cache_dir, Some(PathBuf::from("/tmp/x")));
    assert_eq!(o.no_location, Handling::SetAside);
    let o: ReadOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(o.cache_dir, None);
    assert!(serde_json::from_str::<ReadOptions>(r#"{"cache": "/tmp/x"}"#).is_err());
}

/// A month a force published only in part is flagged against its neighbouring months,
/// whatever the length of the series; the full months are not.
#[test]
fn under_published_months_are_flagged_against_the_force_s_own_months() {
    let dir = scratch("under-published");
    let mut expected_rows = 0;
    for month in 1..=4u32 {
        let mut bytes = kent_csv(month);
        if month == 3 {
            // Keep about a fifth of March's rows.
            let n = rows(&bytes) as usize;
            bytes = without_last_rows(&bytes, n - n / 5);
            expected_rows = rows(&bytes);
        }
        std::fs::write(dir.join(format!("2014-{month:02}-kent-street.csv")), bytes).unwrap();
    }
    let data = read_police_uk(&[&dir], &ReadOptions::default()).unwrap();
    let low = &data.report.under_published;
    assert_eq!(low.len(), 1, "{low:?}");
    assert_eq!(low[0].month, YearMonth::new(2014, 3).unwrap());
    assert_eq!(low[0].force, "Kent Police");
    assert_eq!(low[0].rows, expected_rows);
    assert!(
        low[0].share > 0.15 && low[0].share < 0.25,
        "{}",
        low[0].share
    );
    // The eleven real months: none under-published.
    let all = read_police_uk(&[kent()], &ReadOptions::default()).unwrap();
    assert!(all.report.under_published.is_empty());
    std::fs::remove_dir_all(&dir).ok();
}

/// A file is read once however it is reached: twice by name, through a link, through `..`,
/// through a folder that holds a link to itself, or by a glob and its folder.
#[cfg(unix)]
#[test]
fn a_file_reached_twice_is_read_once() {
    let dir = scratch("reached-twice");
    std::fs::write(dir.join("2014-01-kent-street.csv"), kent_csv(1)).unwrap();
    std::os::unix::fs::symlink(
        dir.join("2014-01-kent-street.csv"),
        dir.join("link-street.csv"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("loop")).unwrap();
    let once = read_police_uk(
        &[dir.join("2014-01-kent-street.csv")],
        &ReadOptions::default(),
    )
    .unwrap()
    .report;
    let f = dir.join("2014-01-kent-street.csv");
    std::fs::create_dir(dir.join("sub")).unwrap();
    let dotted = dir.join("sub/../2014-01-kent-street.csv");
    let glob = format!("{}/*-street.csv", dir.display());
    let ways: Vec<Vec<PathBuf>> = vec![
        vec![f.clone(), f.clone()],
        vec![f.clone(), dir.join("link-street.csv")],
        vec![dotted, f.clone()],
        vec![dir.clone()],
        vec![PathBuf::from(&glob), dir.clone()],
    ];
    for paths in ways {
        let r = read_police_uk(&paths, &ReadOptions::default())
            .unwrap()
            .report;
        assert_eq!(
            (r.files.len(), r.rows_read),
            (1, once.rows_read),
            "{paths:?}"
        );
    }
    // No paths at all is an error, not an empty result.
    let none: [&Path; 0] = [];
    assert!(matches!(
        read_police_uk(&none, &ReadOptions::default()),
        Err(Error::NoInputFiles(_))
    ));
    std::fs::remove_dir_all(&dir).ok();
}
