//! Reader for data.police.uk street-level crime CSVs.
//!
//! Accepts one file, a folder tree (every `*-street.csv` / `*-street.csv.gz` below it, and the
//! street files inside every `*.zip` archive below it), a bulk archive (`YYYY-MM.zip`, read in
//! place: see [`archive`](super::archive)) or a glob, for any number of months and forces.
//! Columns are typed: `month` is a `Date` (first of the month), coordinates are nullable floats.
//! Every row read is either kept or set aside with a reason, and [`ReadReport`] accounts for all
//! of them: `rows_read == rows_kept + rows_set_aside`.
//!
//! Data facts handled here (data.police.uk "About" page; checked on the Kent 2014 files):
//! - anti-social behaviour rows have no Crime ID, so rows are never keyed on it;
//! - rows without a location ("No Location", empty coordinates and LSOA) come last in each file;
//! - a crime can be republished in the next month's file under the same Crime ID (Kent Jan/Feb
//!   2014 has three); later occurrences are set aside by default;
//! - crime types outside the published categories are flagged, not dropped.
//!
//! **At national scale** (43 forces x 12 months, ~6 million rows a year): files are parsed in
//! parallel on the current rayon pool (the global one unless the caller installs its own), from
//! byte records into typed columns without a `String` per field (see
//! [`street`](super::street)); with [`ReadOptions::cache_dir`] a file parsed once is read back
//! from an Arrow IPC cache (see [`cache`](super::cache)). The result does not depend on the
//! number of threads or the order the inputs are given in:
//! - files are ordered by their first month, then by name (`archive.zip!entry` for an archive
//!   entry); [`ReadReport::files`] lists them in that order;
//! - a Crime ID is a duplicate if it occurred earlier in that order (an earlier file, or earlier
//!   in the same file), so the earliest month keeps the crime. IDs are compared exactly: a 64-bit
//!   xxh3 hash finds candidates and the ID bytes decide, so a hash collision never sets a crime
//!   aside. The check runs in parallel on disjoint hash ranges, each in file order.
//!
//! ```no_run
//! use saferstats::io::police_uk::{read_police_uk, ReadOptions};
//! let data = read_police_uk(&["../shared/data/police-uk/kent-2014"], &ReadOptions::default())?;
//! assert_eq!(data.report.rows_read, data.report.rows_kept + data.report.rows_set_aside);
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
pub use crate::io::archive::Superseded;
use crate::io::archive::{self, Source};
use crate::io::cache::{Cache, Fingerprint, Lookup};
use crate::io::source::decompressed;
use crate::io::street::{DICT_COLUMNS, ParsedFile, empty_parsed, materialise, parse_street};
use crate::period::YearMonth;

/// Crime categories published by data.police.uk since May 2013, including anti-social behaviour.
pub const CRIME_TYPES: [&str; 14] = [
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
];

/// Categories used by data.police.uk before the May 2013 split (still valid in old files).
pub const HISTORICAL_CRIME_TYPES: [&str; 2] = ["Violent crime", "Public disorder and weapons"];

/// The anti-social behaviour category label.
pub const ASB: &str = "Anti-social behaviour";

/// Output column names of [`read_police_uk`].
pub mod columns {
    pub const CRIME_ID: &str = "crime_id";
    pub const MONTH: &str = "month";
    pub const REPORTED_BY: &str = "reported_by";
    pub const FALLS_WITHIN: &str = "falls_within";
    pub const LONGITUDE: &str = "longitude";
    pub const LATITUDE: &str = "latitude";
    pub const LOCATION: &str = "location";
    pub const LSOA_CODE: &str = "lsoa_code";
    pub const LSOA_NAME: &str = "lsoa_name";
    pub const CRIME_TYPE: &str = "crime_type";
    pub const LAST_OUTCOME: &str = "last_outcome";
    pub const CONTEXT: &str = "context";
    /// Flag: no coordinates or no LSOA code.
    pub const NO_LOCATION: &str = "no_location";
    /// Flag: a Crime ID already seen earlier in the run.
    pub const DUPLICATE_CRIME_ID: &str = "duplicate_crime_id";
    /// Flag: a crime type outside the published categories.
    pub const UNKNOWN_CRIME_TYPE: &str = "unknown_crime_type";
    /// Set-aside frame only: why the row was set aside.
    pub const REASON: &str = "reason";
}

/// Why a row is flagged or set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowIssue {
    /// No coordinates or no LSOA code (police.uk "No Location" rows).
    NoLocation,
    /// A non-empty Crime ID seen earlier in the run (same crime republished in a later month).
    DuplicateCrimeId,
    /// A crime type outside [`CRIME_TYPES`] and [`HISTORICAL_CRIME_TYPES`].
    UnknownCrimeType,
}

impl RowIssue {
    /// Snake-case name used in reports and frames.
    pub fn name(self) -> &'static str {
        match self {
            RowIssue::NoLocation => "no_location",
            RowIssue::DuplicateCrimeId => "duplicate_crime_id",
            RowIssue::UnknownCrimeType => "unknown_crime_type",
        }
    }
}

/// What to do with rows that have an issue. Kept rows always carry a flag column per issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// Keep the row (flagged).
    Keep,
    /// Move the row to the set-aside frame, with the reason.
    SetAside,
}

crate::choice::choice!(Handling, "handling", {
    Keep => "keep",
    SetAside => "set_aside",
});

/// Options for [`read_police_uk`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReadOptions {
    /// Rows without a location. Default: keep (they count towards force totals, but no area).
    pub no_location: Handling,
    /// Later occurrences of a Crime ID. Default: set aside (count each crime once).
    pub duplicate_crime_id: Handling,
    /// Unknown crime types. Default: keep (flagged; they form their own group in counts).
    pub unknown_crime_type: Handling,
    /// A folder for the read cache (created if needed): each file parsed is stored there as
    /// Arrow IPC and read back, instead of parsed, while its content is unchanged (see
    /// [`cache`](super::cache) for the rule). Default: none (no cache). Applies to
    /// [`read_police_uk`]; in-memory sources are always parsed.
    pub cache_dir: Option<PathBuf>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            no_location: Handling::Keep,
            duplicate_crime_id: Handling::SetAside,
            unknown_crime_type: Handling::Keep,
            cache_dir: None,
        }
    }
}

impl ReadOptions {
    fn handling(&self, issue: RowIssue) -> Handling {
        match issue {
            RowIssue::NoLocation => self.no_location,
            RowIssue::DuplicateCrimeId => self.duplicate_crime_id,
            RowIssue::UnknownCrimeType => self.unknown_crime_type,
        }
    }
}

/// What one file contributed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileReport {
    /// Path or name of the source.
    pub source: String,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Rows kept.
    pub rows_kept: u64,
    /// Months that appear in the file.
    pub months: Vec<YearMonth>,
    /// The archive the file was read from, for an archive entry (`source` is then
    /// `archive!entry`). Absent for a loose file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<String>,
    /// Whether the rows came from the read cache (absent when no cache is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_cache: Option<bool>,
}

/// The read cache's part in a read (see [`ReadOptions::cache_dir`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheReport {
    /// The cache folder.
    pub dir: String,
    /// Files read from the cache.
    pub hits: u64,
    /// Files parsed (no entry, or a stale one) and stored.
    pub misses: u64,
    /// Of the misses, files whose entry was stale (the file changed since it was cached).
    pub stale: u64,
    /// Entries that could not be written (the read itself is unaffected).
    pub write_errors: Vec<String>,
}

/// The account of a read: nothing is dropped without a line here.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReadReport {
    /// One entry per file, in reading order.
    pub files: Vec<FileReport>,
    /// Data rows read over all files.
    pub rows_read: u64,
    /// Rows in the returned frame.
    pub rows_kept: u64,
    /// Rows in the set-aside frame.
    pub rows_set_aside: u64,
    /// Set-aside rows by reason (the first issue of a row in [`RowIssue`] order decides).
    pub set_aside_by_reason: BTreeMap<RowIssue, u64>,
    /// Kept rows carrying each flag.
    pub flagged_by_reason: BTreeMap<RowIssue, u64>,
    /// Months with at least one row.
    pub months_covered: Vec<YearMonth>,
    /// Months inside the covered span with no rows at all (a missing file?).
    pub months_missing: Vec<YearMonth>,
    /// Values of "Falls within".
    pub forces: Vec<String>,
    /// Unknown crime types and how often they occur.
    pub unknown_crime_types: BTreeMap<String, u64>,
    /// Archive entries not read because a newer snapshot of their force-month was (see
    /// [`archive`](super::archive)). Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub superseded: Vec<Superseded>,
    /// Cache hits and misses, when [`ReadOptions::cache_dir`] is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheReport>,
    /// Force-months with far fewer rows than the force's neighbouring months (see
    /// [`under_published`]): data.police.uk has months where a force published a fraction of
    /// its usual rows. Their counts are real but incomplete: results using them say so.
    #[serde(default)]
    pub under_published: Vec<UnderPublished>,
}

/// A force-month published with far fewer rows than the force's neighbouring months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnderPublished {
    /// The force ("Falls within").
    pub force: String,
    /// The month.
    pub month: YearMonth,
    /// Rows read for the force and month.
    pub rows: u64,
    /// The median rows of the force's neighbouring months (up to three on each side).
    pub typical_rows: f64,
    /// `rows / typical_rows`.
    pub share: f64,
}

/// A force-month is under-published when its rows are below this share of the median of its
/// neighbouring months.
pub const UNDER_PUBLISHED_SHARE: f64 = 0.5;

/// Force-months whose rows fall below [`UNDER_PUBLISHED_SHARE`] of the median of the same
/// force's neighbouring months (up to three published months on each side, so a series of any
/// length from two months is checked, and a run of low months is compared with normal ones
/// around it). `rows` holds the rows read per force and month. A force with one month cannot be
/// checked.
///
/// # Examples
///
/// ```
/// use saferstats::io::police_uk::under_published;
/// use saferstats::period::YearMonth;
/// let m = |k| YearMonth::new(2014, k).unwrap();
/// let rows = [("Kent", m(1), 9_800), ("Kent", m(2), 10_100), ("Kent", m(3), 2_300),
///             ("Kent", m(4), 9_900), ("Essex", m(1), 8_000)];
/// let low = under_published(rows.iter().map(|(f, m, n)| (f.to_string(), *m, *n)));
/// assert_eq!(low.len(), 1);
/// assert_eq!((low[0].force.as_str(), low[0].month, low[0].rows), ("Kent", m(3), 2_300));
/// assert!((low[0].share - 2_300.0 / 9_900.0).abs() < 1e-12);
/// // Two months are enough to check: the smaller is compared with the other.
/// let two = under_published([("Kent".to_string(), m(1), 100), ("Kent".to_string(), m(2), 30)]);
/// assert_eq!(two.len(), 1);
/// ```
pub fn under_published(
    rows: impl IntoIterator<Item = (String, YearMonth, u64)>,
) -> Vec<UnderPublished> {
    let mut by_force: BTreeMap<String, BTreeMap<YearMonth, u64>> = BTreeMap::new();
    for (force, month, n) in rows {
        *by_force.entry(force).or_default().entry(month).or_insert(0) += n;
    }
    let mut out = Vec::new();
    for (force, months) in by_force {
        let series: Vec<(YearMonth, u64)> = months.into_iter().collect();
        for (i, &(month, n)) in series.iter().enumerate() {
            let mut around: Vec<f64> = series[i.saturating_sub(3)..(i + 4).min(series.len())]
                .iter()
                .filter(|(m, _)| *m != month)
                .map(|(_, v)| *v as f64)
                .collect();
            if around.is_empty() {
                continue;
            }
            around.sort_by(f64::total_cmp);
            let k = around.len();
            let typical = if k % 2 == 1 {
                around[k / 2]
            } else {
                0.5 * (around[k / 2 - 1] + around[k / 2])
            };
            let share = n as f64 / typical;
            if share < UNDER_PUBLISHED_SHARE {
                out.push(UnderPublished {
                    force: force.clone(),
                    month,
                    rows: n,
                    typical_rows: typical,
                    share,
                });
            }
        }
    }
    out
}

/// Result of [`read_police_uk`]: kept rows, set-aside rows (same columns plus `reason`), report.
#[derive(Debug, Clone)]
pub struct PoliceUkData {
    /// Rows kept, with flag columns.
    pub crimes: DataFrame,
    /// Rows set aside, with a `reason` column.
    pub set_aside: DataFrame,
    /// Counts of everything read, kept and set aside.
    pub report: ReadReport,
}

/// Resolve files, folders and globs into a sorted, de-duplicated list of files.
///
/// Folders are walked recursively and contribute files named `*-street.csv`,
/// `*-street.csv.gz` or `*.zip` (the street-level files of the police.uk archive, not outcomes
/// or stop-and-search, and the bulk archives themselves). Explicit files and glob matches are
/// taken as given. A file is read once however it is reached: paths are compared after
/// resolving symbolic links and `..` (`[f, link_to_f]`, `d/../d/f.csv` and a folder holding a
/// link to itself all give `f` once), and a folder reached twice is walked once.
///
/// # Errors
///
/// [`Error::NoInputFiles`] for an empty list, a glob matching no file or a folder with no
/// street-level files; [`Error::Io`] for a path that does not exist or cannot be read.
///
/// # Examples
///
/// ```no_run
/// use saferstats::io::police_uk::resolve_inputs;
/// let kent = "../shared/data/police-uk/kent-2014";
/// let once = resolve_inputs(&[kent])?;
/// let twice = resolve_inputs(&[kent, &format!("{kent}/*-street.csv.gz"), kent])?;
/// assert_eq!(once, twice);
/// assert!(resolve_inputs::<&str>(&[]).is_err());
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn resolve_inputs<P: AsRef<Path>>(inputs: &[P]) -> Result<Vec<PathBuf>> {
    Ok(resolve(inputs)?.into_iter().map(|(p, _)| p).collect())
}

fn canonical(path: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// As [`resolve_inputs`], with whether each file was named by the caller (or a glob) rather
/// than found in a folder. Files are keyed by their canonical path.
fn resolve<P: AsRef<Path>>(inputs: &[P]) -> Result<Vec<(PathBuf, bool)>> {
    if inputs.is_empty() {
        return Err(Error::NoInputFiles(
            "no paths given: pass files, folders or globs of data.police.uk street files".into(),
        ));
    }
    let mut out: BTreeMap<PathBuf, bool> = BTreeMap::new();
    let mut walked: HashSet<PathBuf> = HashSet::new();
    for input in inputs {
        let input = input.as_ref();
        let text = input.to_string_lossy();
        if text.contains(['*', '?', '[']) {
            let paths = glob::glob(&text).map_err(|e| Error::param("paths", e.to_string()))?;
            let mut matched = 0usize;
            for p in paths {
                let p = p.map_err(|e| Error::Io {
                    path: e.path().to_path_buf(),
                    source: std::io::Error::other(e.to_string()),
                })?;
                if p.is_file() {
                    matched += 1;
                    out.insert(canonical(&p)?, true);
                }
            }
            if matched == 0 {
                return Err(Error::NoInputFiles(text.into_owned()));
            }
        } else if input.is_dir() {
            let mut found = BTreeSet::new();
            let dir = canonical(input)?;
            // A folder already walked (named twice, or below one named before) adds nothing.
            let first_time = !walked.contains(&dir);
            walk_street_files(&dir, &mut found, &mut walked)?;
            if first_time && found.is_empty() {
                return Err(Error::NoInputFiles(format!(
                    "{} (no *-street.csv, *-street.csv.gz or *.zip files below it)",
                    input.display()
                )));
            }
            for p in found {
                out.entry(p).or_insert(false);
            }
        } else if input.is_file() {
            out.insert(canonical(input)?, true);
        } else {
            return Err(Error::Io {
                path: input.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            });
        }
    }
    Ok(out.into_iter().collect())
}

/// Walk `dir` (canonical) for street files, each folder once (`walked` holds the canonical
/// folders seen, so a link to a folder already walked, or to an ancestor, ends the descent).
fn walk_street_files(
    dir: &Path,
    out: &mut BTreeSet<PathBuf>,
    walked: &mut HashSet<PathBuf>,
) -> Result<()> {
    if !walked.insert(dir.to_path_buf()) {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let path = entry
            .map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .path();
        if path.is_dir() {
            walk_street_files(&canonical(&path)?, out, walked)?;
        } else {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with("-street.csv")
                || name.ends_with("-street.csv.gz")
                || archive::is_zip(&path)
            {
                out.insert(canonical(&path)?);
            }
        }
    }
    Ok(())
}

/// Read street-level files from disk: files, folders, archives or globs (see
/// [`resolve_inputs`] and the module docs). Files are parsed in parallel on the current rayon
/// pool; the result is the same for any number of threads.
pub fn read_police_uk<P: AsRef<Path>>(inputs: &[P], options: &ReadOptions) -> Result<PoliceUkData> {
    let files = resolve(inputs)?;
    let plan = archive::plan(&files)?;
    if plan.sources.is_empty() {
        let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        return Err(Error::NoInputFiles(format!(
            "{} (no street-level files in the archives)",
            names.join(", ")
        )));
    }
    let cache = options.cache_dir.as_deref().map(Cache::open).transpose()?;
    let loaded: Vec<Result<Loaded>> = plan
        .sources
        .par_iter()
        .map(|source| load(source, cache.as_ref()))
        .collect();
    let mut units = Vec::with_capacity(loaded.len());
    let mut cache_report = cache.as_ref().map(|c| CacheReport {
        dir: c.dir().display().to_string(),
        ..CacheReport::default()
    });
    for (result, source) in loaded.into_iter().zip(&plan.sources) {
        let loaded = result?; // the first error in source order
        let from_cache = loaded.cache.as_ref().map(|c| matches!(c, CacheUse::Hit));
        if let Some(report) = &mut cache_report {
            match loaded.cache {
                Some(CacheUse::Hit) => report.hits += 1,
                Some(CacheUse::Miss { stale, write_error }) => {
                    report.misses += 1;
                    report.stale += u64::from(stale);
                    report.write_errors.extend(write_error);
                }
                None => {}
            }
        }
        units.push(Unit {
            name: source.display_name(),
            archive: match source {
                Source::File(_) => None,
                Source::Entry(e) => Some(e.archive.path.display().to_string()),
            },
            from_cache,
            parsed: loaded.parsed,
        });
    }
    assemble(units, options, plan.superseded, cache_report)
}

/// Read street-level data from in-memory or streamed sources, each with a name for messages.
/// Sources are parsed one after another, in the order given; the result is then ordered as
/// [`read_police_uk`]'s is (by first month, then name). The cache is not used.
pub fn read_police_uk_from_readers(
    sources: Vec<(String, Box<dyn Read>)>,
    options: &ReadOptions,
) -> Result<PoliceUkData> {
    let mut units = Vec::with_capacity(sources.len());
    for (name, mut r) in sources {
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes).map_err(|source| Error::Io {
            path: PathBuf::from(&name),
            source,
        })?;
        let parsed = parse_street(&name, &decompressed(&name, bytes)?)?;
        units.push(Unit {
            name,
            archive: None,
            from_cache: None,
            parsed,
        });
    }
    assemble(units, options, Vec::new(), None)
}

/// One source, parsed or read from the cache.
struct Unit {
    name: String,
    archive: Option<String>,
    from_cache: Option<bool>,
    parsed: ParsedFile,
}

enum CacheUse {
    Hit,
    Miss {
        stale: bool,
        write_error: Option<String>,
    },
}

struct Loaded {
    parsed: ParsedFile,
    cache: Option<CacheUse>,
}

thread_local! {
    /// Each thread's buffer for the file it is parsing, kept between files: a fresh buffer per
    /// file would make the kernel zero about as many new pages as the data has bytes (2.5 GB
    /// for two national years), which cost more than the parsing itself on the machine of
    /// `benchmarks/BENCHMARKS.md`.
    static FILE_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Largest buffer a thread keeps between files (a bigger file's buffer is released after it).
const KEPT_BUFFER_BYTES: usize = 256 << 20;

/// Run `f` on a file's bytes (gzip decompressed), read into this thread's reused buffer.
fn with_file_bytes<T>(path: &Path, f: impl FnOnce(&[u8]) -> Result<T>) -> Result<T> {
    FILE_BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(io)?;
        let size = file.metadata().map_or(0, |m| m.len() as usize);
        buffer.reserve(size);
        file.read_to_end(buffer).map_err(io)?;
        let result = if buffer.starts_with(&[0x1f, 0x8b]) {
            let name = path.display().to_string();
            f(&decompressed(&name, std::mem::take(buffer))?)
        } else {
            f(buffer)
        };
        if buffer.capacity() > KEPT_BUFFER_BYTES {
            *buffer = Vec::new();
        }
        result
    })
}

/// Parse one source, or read it from the cache.
fn load(source: &Source, cache: Option<&Cache>) -> Result<Loaded> {
    let name = source.display_name();
    let Some(cache) = cache else {
        let parsed = match source {
            Source::File(path) => with_file_bytes(path, |bytes| parse_street(&name, bytes))?,
            Source::Entry(entry) => parse_street(&name, &decompressed(&name, entry.read()?)?)?,
        };
        return Ok(Loaded {
            parsed,
            cache: None,
        });
    };
    // With a cache the stored bytes are read once: hashed, then parsed on a miss.
    let (fingerprint, bytes) = match source {
        Source::File(path) => {
            let bytes = std::fs::read(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            (Fingerprint::of_file(path, &bytes), Some(bytes))
        }
        Source::Entry(entry) => {
            let raw = entry.read_raw()?;
            let directory = (entry.crc32, entry.compressed_size, entry.size);
            let fp = Fingerprint::of_entry(&entry.archive.path, &entry.name, &raw, directory);
            (fp, None)
        }
    };
    let stale = match cache.lookup(&fingerprint) {
        Lookup::Hit(parsed) => {
            return Ok(Loaded {
                parsed,
                cache: Some(CacheUse::Hit),
            });
        }
        Lookup::Miss => false,
        Lookup::Stale => true,
    };
    let bytes = match (bytes, source) {
        (Some(bytes), _) => bytes,
        (None, Source::Entry(entry)) => entry.read()?,
        (None, Source::File(path)) => unreachable!("file bytes are read above: {}", path.display()),
    };
    let parsed = parse_street(&name, &decompressed(&name, bytes)?)?;
    let write_error = cache.store(&fingerprint, &parsed).err();
    Ok(Loaded {
        parsed,
        cache: Some(CacheUse::Miss { stale, write_error }),
    })
}

/// Mixes a 64-bit hash (already uniform) so that the hash-range partitions of
/// [`find_duplicates`] still spread over a table's buckets.
#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        // splitmix64's finaliser: a bijection that spreads every input bit.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The Crime IDs of one unit: the rows that have one and the xxh3-64 hash of each.
struct UnitIds<'a> {
    ids: &'a StringChunked,
    rows: Vec<u32>,
    hashes: Vec<u64>,
}

fn unit_ids(frame: &DataFrame) -> Result<UnitIds<'_>> {
    let ids = frame.column(columns::CRIME_ID)?.str()?;
    let mut rows = Vec::with_capacity(ids.len() - ids.null_count());
    let mut hashes = Vec::with_capacity(rows.capacity());
    for (row, id) in ids.iter().enumerate() {
        if let Some(id) = id {
            rows.push(row as u32);
            hashes.push(xxhash_rust::xxh3::xxh3_64(id.as_bytes()));
        }
    }
    Ok(UnitIds { ids, rows, hashes })
}

/// For each unit (in order), the rows whose Crime ID occurred earlier: in an earlier unit or
/// earlier in the same one. Exact: equal hashes are confirmed on the ID bytes. Runs one task
/// per range of hash values, each over all units in order, so the result does not depend on
/// the number of tasks.
fn find_duplicates(units: &[UnitIds<'_>]) -> Vec<Vec<u32>> {
    type FirstSeen = HashMap<u64, (u32, u32), BuildHasherDefault<MixHasher>>;
    let total: usize = units.iter().map(|u| u.rows.len()).sum();
    let parts = rayon::current_num_threads().clamp(1, 64) as u64;
    let id_of = |unit: u32, row: u32| -> &str {
        units[unit as usize]
            .ids
            .get(row as usize)
            .expect("rows with an id")
    };
    let found: Vec<Vec<(u32, u32)>> = (0..parts)
        .into_par_iter()
        .map(|part| {
            let mut first = FirstSeen::with_capacity_and_hasher(
                total / parts as usize + 1,
                BuildHasherDefault::default(),
            );
            // IDs whose hash equals that of a different, earlier ID (so far never seen).
            let mut collided: HashSet<&str> = HashSet::new();
            let mut dups = Vec::new();
            for (u, unit) in units.iter().enumerate() {
                let u = u as u32;
                for (&row, &hash) in unit.rows.iter().zip(&unit.hashes) {
                    if hash % parts != part {
                        continue;
                    }
                    match first.entry(hash) {
                        std::collections::hash_map::Entry::Vacant(slot) => {
                            slot.insert((u, row));
                        }
                        std::collections::hash_map::Entry::Occupied(seen) => {
                            let (fu, fr) = *seen.get();
                            let id = id_of(u, row);
                            if id == id_of(fu, fr) || !collided.insert(id) {
                                dups.push((u, row));
                            }
                        }
                    }
                }
            }
            dups
        })
        .collect();
    let mut per_unit = vec![Vec::new(); units.len()];
    for (u, row) in found.into_iter().flatten() {
        per_unit[u as usize].push(row);
    }
    for rows in &mut per_unit {
        rows.sort_unstable();
    }
    per_unit
}

/// One unit's rows, split into kept and set aside, with the counts of the report.
struct Split {
    kept: DataFrame,
    set_aside: DataFrame,
    rows_kept: u64,
    set_aside_by_reason: BTreeMap<RowIssue, u64>,
    flagged_by_reason: BTreeMap<RowIssue, u64>,
}

const ISSUES: [RowIssue; 3] = [
    RowIssue::NoLocation,
    RowIssue::DuplicateCrimeId,
    RowIssue::UnknownCrimeType,
];

/// Split one unit's rows into kept and set aside (both still holding positions in the unit's
/// own dictionary).
fn split(frame: DataFrame, duplicates: &[u32], options: &ReadOptions) -> Result<Split> {
    let height = frame.height();
    let mut duplicate = vec![false; height];
    for &row in duplicates {
        duplicate[row as usize] = true;
    }
    let no_location = frame.column(columns::NO_LOCATION)?.bool()?;
    let unknown = frame.column(columns::UNKNOWN_CRIME_TYPE)?.bool()?;
    let mut reasons: Vec<Option<&'static str>> = Vec::with_capacity(height);
    let mut set_aside_by_reason = BTreeMap::new();
    let mut flagged_by_reason = BTreeMap::new();
    let mut rows_kept = 0u64;
    let flags_of = no_location.iter().zip(unknown.iter()).zip(&duplicate);
    for ((no_loc, unk), &dup) in flags_of {
        let flags = [no_loc == Some(true), dup, unk == Some(true)];
        let reason = ISSUES
            .iter()
            .zip(flags)
            .find(|(issue, flag)| *flag && options.handling(**issue) == Handling::SetAside)
            .map(|(issue, _)| *issue);
        match reason {
            Some(issue) => *set_aside_by_reason.entry(issue).or_insert(0) += 1,
            None => {
                rows_kept += 1;
                for (issue, flag) in ISSUES.iter().zip(flags) {
                    if flag {
                        *flagged_by_reason.entry(*issue).or_insert(0) += 1;
                    }
                }
            }
        }
        reasons.push(reason.map(RowIssue::name));
    }
    let mut full = frame;
    let at = full
        .get_column_index(columns::UNKNOWN_CRIME_TYPE)
        .expect("a parsed file has every raw column");
    full.insert_column(
        at,
        Column::new(columns::DUPLICATE_CRIME_ID.into(), duplicate),
    )?;
    let (kept, mut set_aside) = if rows_kept == height as u64 {
        let none = full.clear();
        (full, none)
    } else {
        let mask: BooleanChunked = reasons.iter().map(|r| r.is_some()).collect();
        (full.filter(&!&mask)?, full.filter(&mask)?)
    };
    let set_aside_reasons: Vec<&str> = reasons.iter().flatten().copied().collect();
    set_aside.with_column(Column::new(columns::REASON.into(), set_aside_reasons))?;
    Ok(Split {
        kept,
        set_aside,
        rows_kept,
        set_aside_by_reason,
        flagged_by_reason,
    })
}

/// Stack frames (in order, all with the same columns) into one single-chunk frame. One column
/// at a time is made contiguous and its parts dropped, so the peak is the frames plus one or two
/// columns rather than twice the frames. The dictionary columns are shifted by each frame's
/// `offsets` entry (its place in the read's combined dictionary) as they are copied.
fn stack(frames: Vec<DataFrame>, offsets: &[u32]) -> Result<DataFrame> {
    let height = frames.iter().map(DataFrame::height).sum();
    let width = frames.first().map_or(0, DataFrame::width);
    let mut parts: Vec<Vec<Column>> = (0..width)
        .map(|_| Vec::with_capacity(frames.len()))
        .collect();
    for frame in frames {
        for (i, column) in frame.into_columns().into_iter().enumerate() {
            parts[i].push(column);
        }
    }
    let columns = parts
        .into_par_iter()
        .map(|parts| {
            if DICT_COLUMNS.contains(&parts[0].name().as_str()) {
                return stack_positions(&parts, offsets, height);
            }
            let mut parts = parts.into_iter();
            let mut column = parts.next().expect("at least one frame");
            for part in parts {
                column.append_owned(part)?;
            }
            Ok(column.rechunk())
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(DataFrame::new(height, columns)?)
}

/// Dictionary positions of several units as one column, each unit's shifted by its offset, in
/// one pass and one allocation.
fn stack_positions(parts: &[Column], offsets: &[u32], height: usize) -> Result<Column> {
    let mut values: Vec<u32> = Vec::with_capacity(height);
    let mut validity = polars_arrow::bitmap::MutableBitmap::with_capacity(height);
    for (part, &offset) in parts.iter().zip(offsets) {
        for array in part.u32()?.downcast_iter() {
            values.extend(array.values().iter().map(|v| v.wrapping_add(offset)));
            match array.validity() {
                Some(bits) => validity.extend_from_bitmap(bits),
                None => validity.extend_constant(array.len(), true),
            }
        }
    }
    let array = polars_arrow::array::PrimitiveArray::new(
        polars_arrow::datatypes::ArrowDataType::UInt32,
        values.into(),
        validity.into(),
    );
    Ok(UInt32Chunked::with_chunk(parts[0].name().clone(), array).into_column())
}

/// Order the units, find duplicate Crime IDs across them, split each into kept and set-aside
/// rows, and stack the parts with the report.
fn assemble(
    mut units: Vec<Unit>,
    options: &ReadOptions,
    superseded: Vec<Superseded>,
    cache: Option<CacheReport>,
) -> Result<PoliceUkData> {
    if units.is_empty() {
        units.push(Unit {
            name: String::new(),
            archive: None,
            from_cache: None,
            parsed: empty_parsed()?,
        });
        let mut data = assemble(units, options, superseded, cache)?;
        data.report.files.clear();
        return Ok(data);
    }
    units.sort_by(|a, b| {
        (a.parsed.meta.months.first(), &a.name).cmp(&(b.parsed.meta.months.first(), &b.name))
    });
    let ids = units
        .par_iter()
        .map(|u| unit_ids(&u.parsed.frame))
        .collect::<Result<Vec<_>>>()?;
    let duplicates = find_duplicates(&ids);
    drop(ids);
    // One dictionary for the read: the units' dictionaries one after another.
    let mut offsets = Vec::with_capacity(units.len());
    let mut dictionary_len = 0u64;
    for u in &units {
        offsets
            .push(u32::try_from(dictionary_len).map_err(|_| {
                Error::param("paths", "more than 2^32 distinct values in one read")
            })?);
        dictionary_len += u.parsed.dictionary.len() as u64;
    }
    let mut dictionary = units[0].parsed.dictionary.clone();
    for u in &units[1..] {
        dictionary.append(&u.parsed.dictionary)?;
    }
    dictionary.rechunk_mut();
    // Each unit's parsed rows are dropped once split.
    let (units, frames): (Vec<_>, Vec<_>) = units
        .into_iter()
        .map(|u| {
            let Unit {
                name,
                archive,
                from_cache,
                parsed,
            } = u;
            ((name, archive, from_cache, parsed.meta), parsed.frame)
        })
        .unzip();
    let splits = frames
        .into_par_iter()
        .zip(&duplicates)
        .map(|(frame, dups)| split(frame, dups, options))
        .collect::<Result<Vec<_>>>()?;
    let mut report = ReadReport {
        superseded,
        cache,
        ..ReadReport::default()
    };
    let mut months = BTreeSet::new();
    let mut forces = BTreeSet::new();
    let mut kept = Vec::with_capacity(splits.len());
    let mut set_aside = Vec::with_capacity(splits.len());
    // Rows per force-month, from files of one force and one month (the published layout).
    let mut force_months: Vec<(String, YearMonth, u64)> = Vec::new();
    for ((name, archive, from_cache, meta), part) in units.into_iter().zip(splits) {
        if let ([force], [month]) = (meta.forces.as_slice(), meta.months.as_slice()) {
            force_months.push((force.clone(), *month, meta.rows_read));
        }
        report.files.push(FileReport {
            source: name,
            rows_read: meta.rows_read,
            rows_kept: part.rows_kept,
            months: meta.months.clone(),
            archive,
            from_cache,
        });
        report.rows_read += meta.rows_read;
        report.rows_kept += part.rows_kept;
        for (issue, n) in part.set_aside_by_reason {
            *report.set_aside_by_reason.entry(issue).or_insert(0) += n;
        }
        for (issue, n) in part.flagged_by_reason {
            *report.flagged_by_reason.entry(issue).or_insert(0) += n;
        }
        for (name, n) in meta.unknown_crime_types {
            *report.unknown_crime_types.entry(name).or_insert(0) += n;
        }
        months.extend(meta.months);
        forces.extend(meta.forces);
        kept.push(part.kept);
        set_aside.push(part.set_aside);
    }
    report.rows_set_aside = report.set_aside_by_reason.values().sum();
    report.months_covered = months.iter().copied().collect();
    if let (Some(first), Some(last)) = (months.first(), months.last()) {
        report.months_missing = (first.index()..=last.index())
            .map(YearMonth::from_index)
            .filter(|m| !months.contains(m))
            .collect();
    }
    report.forces = forces.into_iter().collect();
    report.under_published = under_published(force_months);
    debug_assert_eq!(report.rows_read, report.rows_kept + report.rows_set_aside);
    // Stacked on their positions, then turned into strings in one pass per column.
    let (crimes, set_aside) = rayon::join(
        || materialise(&stack(kept, &offsets)?, &dictionary),
        || materialise(&stack(set_aside, &offsets)?, &dictionary),
    );
    Ok(PoliceUkData {
        crimes: crimes?,
        set_aside: set_aside?,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,\
                          LSOA code,LSOA name,Crime type,Last outcome category,Context";

    fn read(files: &[&str], options: ReadOptions) -> Result<PoliceUkData> {
        let sources = files
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let text = format!("{HEADER}\r\n{body}");
                let r: Box<dyn Read> = Box::new(std::io::Cursor::new(text.into_bytes()));
                (format!("file{i}.csv"), r)
            })
            .collect();
        read_police_uk_from_readers(sources, &options)
    }

    const ROWS: &str = "a1,2014-01,Kent Police,Kent Police,0.5,51.3,On or near X,E01016120,Medway 026B,Burglary,Under investigation,\r\n\
                        ,2014-01,Kent Police,Kent Police,0.5,51.3,On or near X,E01016120,Medway 026B,Anti-social behaviour,,\r\n\
                        a2,2014-01,Kent Police,Kent Police,,,No Location,,,Drugs,Under investigation,\r\n";

    #[test]
    fn accounts_for_every_row() {
        let feb = "a1,2014-02,Kent Police,Kent Police,0.5,51.3,On or near X,E01016120,Medway 026B,Burglary,Court,\n\
                   b1,2014-02,Kent Police,Kent Police,0.5,51.3,On or near X,E01016120,Medway 026B,Alien abduction,,\n";
        let d = read(&[ROWS, feb], ReadOptions::default()).unwrap();
        let r = &d.report;
        assert_eq!(r.rows_read, 5);
        assert_eq!(r.rows_kept, 4);
        assert_eq!(r.rows_set_aside, 1);
        assert_eq!(r.set_aside_by_reason[&RowIssue::DuplicateCrimeId], 1);
        assert_eq!(r.flagged_by_reason[&RowIssue::NoLocation], 1);
        assert_eq!(r.unknown_crime_types["Alien abduction"], 1);
        assert_eq!(d.crimes.height(), 4);
        assert_eq!(d.set_aside.height(), 1);
        assert_eq!(r.months_covered.len(), 2);
        assert!(r.months_missing.is_empty());
        assert_eq!(r.forces, vec!["Kent Police".to_string()]);
        // ASB row keeps a null crime id
        assert_eq!(d.crimes.column("crime_id").unwrap().null_count(), 1);
    }

    #[test]
    fn repeated_id_within_one_file_is_set_aside() {
        let jan = "a1,2014-01,Kent Police,Kent Police,0.5,51.3,On or near X,E01016120,Medway 026B,Burglary,,\n\
                   a1,2014-01,Kent Police,Kent Police,0.6,51.2,On or near Y,E01016121,Medway 027A,Burglary,,\n";
        let d = read(&[jan], ReadOptions::default()).unwrap();
        assert_eq!((d.report.rows_read, d.report.rows_kept), (2, 1));
        assert_eq!(d.report.set_aside_by_reason[&RowIssue::DuplicateCrimeId], 1);
        // The first row in file order keeps the crime.
        let lsoa = d
            .crimes
            .column("lsoa_code")
            .unwrap()
            .cast(&DataType::String)
            .unwrap();
        assert_eq!(lsoa.str().unwrap().get(0), Some("E01016120"));
        let kept = ReadOptions {
            duplicate_crime_id: Handling::Keep,
            ..ReadOptions::default()
        };
        let d = read(&[jan], kept).unwrap();
        assert_eq!((d.report.rows_kept, d.report.rows_set_aside), (2, 0));
    }

    #[test]
    fn set_aside_no_location_on_request() {
        let opts = ReadOptions {
            no_location: Handling::SetAside,
            ..ReadOptions::default()
        };
        let d = read(&[ROWS], opts).unwrap();
        assert_eq!(d.report.rows_kept, 2);
        assert_eq!(d.report.set_aside_by_reason[&RowIssue::NoLocation], 1);
        let reason = d.set_aside.column("reason").unwrap().str().unwrap().get(0);
        assert_eq!(reason, Some("no_location"));
    }

    #[test]
    fn malformed_month_names_line_and_column() {
        let bad = "a1,2014-13,Kent Police,Kent Police,0.5,51.3,X,E01016120,M,Burglary,,\n";
        let err = read(&[bad], ReadOptions::default()).unwrap_err();
        match err {
            Error::BadValue {
                line,
                column,
                value,
                ..
            } => {
                assert_eq!(
                    (line, column.as_str(), value.as_str()),
                    (2, "Month", "2014-13")
                );
            }
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn non_numeric_coordinates_are_errors() {
        let bad = "a1,2014-01,Kent Police,Kent Police,east,51.3,X,E01016120,M,Burglary,,\n";
        let err = read(&[bad], ReadOptions::default()).unwrap_err();
        assert!(
            matches!(err, Error::BadValue { ref column, .. } if column == "Longitude"),
            "{err}"
        );
    }

    #[test]
    fn wrong_header_and_missing_column() {
        let src: Box<dyn Read> = Box::new(std::io::Cursor::new(b"Reference,Date\n1,2\n".to_vec()));
        let err = read_police_uk_from_readers(vec![("x.csv".into(), src)], &ReadOptions::default())
            .unwrap_err();
        assert!(matches!(err, Error::UnexpectedHeader { .. }), "{err}");
        let src: Box<dyn Read> = Box::new(std::io::Cursor::new(
            b"Crime ID,Month,Reported by,Falls within,Longitude,Location,LSOA code,LSOA name,Crime type,Last outcome category\n"
                .to_vec(),
        ));
        let err = read_police_uk_from_readers(vec![("x.csv".into(), src)], &ReadOptions::default())
            .unwrap_err();
        assert!(
            matches!(err, Error::MissingColumn { ref column, .. } if column == "Latitude"),
            "{err}"
        );
    }

    #[test]
    fn reports_missing_months() {
        let mar = "c1,2014-03,Kent Police,Kent Police,0.5,51.3,X,E01016120,M,Burglary,,\n";
        let d = read(&[ROWS, mar], ReadOptions::default()).unwrap();
        assert_eq!(
            d.report.months_missing,
            vec![YearMonth::new(2014, 2).unwrap()]
        );
    }
}
