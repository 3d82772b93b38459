//! Reader for data.police.uk street-level crime CSVs.
//!
//! Accepts one file, a folder tree (every `*-street.csv` / `*-street.csv.gz` below it) or a glob,
//! for any number of months and forces. Columns are typed: `month` is a `Date` (first of the
//! month), coordinates are nullable floats. Every row read is either kept or set aside with a
//! reason, and [`ReadReport`] accounts for all of them: `rows_read == rows_kept + rows_set_aside`.
//!
//! Data facts handled here (data.police.uk "About" page; checked on the Kent 2014 files):
//! - anti-social behaviour rows have no Crime ID, so rows are never keyed on it;
//! - rows without a location ("No Location", empty coordinates and LSOA) come last in each file;
//! - a crime can be republished in the next month's file under the same Crime ID (Kent Jan/Feb
//!   2014 has three); later occurrences are set aside by default;
//! - crime types outside the published categories are flagged, not dropped.
//!
//! ```no_run
//! use saferstats::police_uk::{read_police_uk, ReadOptions};
//! let data = read_police_uk(&["../shared/data/police-uk/kent-2014"], &ReadOptions::default())?;
//! assert_eq!(data.report.rows_read, data.report.rows_kept + data.report.rows_set_aside);
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::period::YearMonth;
use crate::source::{CsvSource, open_path, open_reader, parse_optional_f64};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handling {
    /// Keep the row (flagged).
    Keep,
    /// Move the row to the set-aside frame, with the reason.
    SetAside,
}

impl std::str::FromStr for Handling {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "keep" => Ok(Handling::Keep),
            "set_aside" => Ok(Handling::SetAside),
            other => Err(Error::param(
                "handling",
                format!("'{other}' is not 'keep' or 'set_aside'"),
            )),
        }
    }
}

/// Options for [`read_police_uk`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadOptions {
    /// Rows without a location. Default: keep (they count towards force totals, but no area).
    pub no_location: Handling,
    /// Later occurrences of a Crime ID. Default: set aside (count each crime once).
    pub duplicate_crime_id: Handling,
    /// Unknown crime types. Default: keep (flagged; they form their own group in counts).
    pub unknown_crime_type: Handling,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            no_location: Handling::Keep,
            duplicate_crime_id: Handling::SetAside,
            unknown_crime_type: Handling::Keep,
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
/// Folders are walked recursively and contribute files named `*-street.csv` or
/// `*-street.csv.gz` (the street-level files of the police.uk archive, not outcomes or
/// stop-and-search). Explicit files and glob matches are taken as given.
pub fn resolve_inputs<P: AsRef<Path>>(inputs: &[P]) -> Result<Vec<PathBuf>> {
    let mut out = BTreeSet::new();
    for input in inputs {
        let input = input.as_ref();
        let text = input.to_string_lossy();
        if text.contains(['*', '?', '[']) {
            let paths = glob::glob(&text).map_err(|e| Error::param("paths", e.to_string()))?;
            let before = out.len();
            for p in paths {
                let p = p.map_err(|e| Error::Io {
                    path: e.path().to_path_buf(),
                    source: std::io::Error::other(e.to_string()),
                })?;
                if p.is_file() {
                    out.insert(p);
                }
            }
            if out.len() == before {
                return Err(Error::NoInputFiles(text.into_owned()));
            }
        } else if input.is_dir() {
            let before = out.len();
            walk_street_files(input, &mut out)?;
            if out.len() == before {
                return Err(Error::NoInputFiles(format!(
                    "{} (no *-street.csv or *-street.csv.gz files below it)",
                    input.display()
                )));
            }
        } else if input.is_file() {
            out.insert(input.to_path_buf());
        } else {
            return Err(Error::Io {
                path: input.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            });
        }
    }
    Ok(out.into_iter().collect())
}

fn walk_street_files(dir: &Path, out: &mut BTreeSet<PathBuf>) -> Result<()> {
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
            walk_street_files(&path, out)?;
        } else {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with("-street.csv") || name.ends_with("-street.csv.gz") {
                out.insert(path);
            }
        }
    }
    Ok(())
}

/// Read street-level files from disk: files, folders or globs (see [`resolve_inputs`]).
pub fn read_police_uk<P: AsRef<Path>>(inputs: &[P], options: &ReadOptions) -> Result<PoliceUkData> {
    let files = resolve_inputs(inputs)?;
    let mut reader = StreetReader::new(options.clone());
    for path in &files {
        reader.add(open_path(path)?)?;
    }
    reader.finish()
}

/// Read street-level data from in-memory or streamed sources, each with a name for messages.
pub fn read_police_uk_from_readers(
    sources: Vec<(String, Box<dyn Read>)>,
    options: &ReadOptions,
) -> Result<PoliceUkData> {
    let mut reader = StreetReader::new(options.clone());
    for (name, r) in sources {
        reader.add(open_reader(name, r)?)?;
    }
    reader.finish()
}

/// Column builders for one output frame.
struct Builders {
    strings: Vec<StringChunkedBuilder>,
    month: Vec<i32>,
    longitude: Vec<Option<f64>>,
    latitude: Vec<Option<f64>>,
    flags: [Vec<bool>; 3],
    reason: Vec<&'static str>,
}

/// Police.uk header names and the output string columns they fill, in output order.
const STRING_FIELDS: [(&str, &str, bool); 9] = [
    ("Crime ID", columns::CRIME_ID, true),
    ("Reported by", columns::REPORTED_BY, true),
    ("Falls within", columns::FALLS_WITHIN, true),
    ("Location", columns::LOCATION, true),
    ("LSOA code", columns::LSOA_CODE, true),
    ("LSOA name", columns::LSOA_NAME, true),
    ("Crime type", columns::CRIME_TYPE, true),
    ("Last outcome category", columns::LAST_OUTCOME, true),
    ("Context", columns::CONTEXT, false),
];

impl Builders {
    fn new() -> Self {
        Builders {
            strings: STRING_FIELDS
                .iter()
                .map(|(_, out, _)| StringChunkedBuilder::new((*out).into(), 1024))
                .collect(),
            month: Vec::new(),
            longitude: Vec::new(),
            latitude: Vec::new(),
            flags: [Vec::new(), Vec::new(), Vec::new()],
            reason: Vec::new(),
        }
    }

    fn finish(self, with_reason: bool) -> Result<DataFrame> {
        let mut strings: Vec<Column> = self
            .strings
            .into_iter()
            .map(|b| b.finish().into_series().into_column())
            .collect();
        let month = Column::new(columns::MONTH.into(), self.month).cast(&DataType::Date)?;
        // Output order: crime_id, month, reported_by, falls_within, longitude, latitude, ...
        let rest = strings.split_off(3);
        let mut cols = Vec::with_capacity(16);
        cols.push(strings[0].clone());
        cols.push(month);
        cols.extend(strings.into_iter().skip(1));
        cols.push(Column::new(columns::LONGITUDE.into(), self.longitude));
        cols.push(Column::new(columns::LATITUDE.into(), self.latitude));
        cols.extend(rest);
        let [a, b, c] = self.flags;
        cols.push(Column::new(columns::NO_LOCATION.into(), a));
        cols.push(Column::new(columns::DUPLICATE_CRIME_ID.into(), b));
        cols.push(Column::new(columns::UNKNOWN_CRIME_TYPE.into(), c));
        if with_reason {
            cols.push(Column::new(columns::REASON.into(), self.reason));
        }
        Ok(DataFrame::new_infer_height(cols)?)
    }
}

struct StreetReader {
    options: ReadOptions,
    kept: Builders,
    set_aside: Builders,
    seen_ids: HashSet<String>,
    report: ReadReport,
    months: BTreeSet<YearMonth>,
    forces: BTreeSet<String>,
}

impl StreetReader {
    fn new(options: ReadOptions) -> Self {
        StreetReader {
            options,
            kept: Builders::new(),
            set_aside: Builders::new(),
            seen_ids: HashSet::new(),
            report: ReadReport::default(),
            months: BTreeSet::new(),
            forces: BTreeSet::new(),
        }
    }

    fn add(&mut self, mut src: CsvSource) -> Result<()> {
        if src.find_column("Month").is_none() || src.find_column("Crime type").is_none() {
            return Err(Error::UnexpectedHeader {
                source_name: src.name.clone(),
                reason: format!(
                    "not a data.police.uk street-level file (needs 'Month' and 'Crime type'); \
                     header was [{}]",
                    src.header.join(", ")
                ),
            });
        }
        let month_ix = src.column("Month")?;
        let lon_ix = src.column("Longitude")?;
        let lat_ix = src.column("Latitude")?;
        let mut string_ix = Vec::with_capacity(STRING_FIELDS.len());
        for (name, _, required) in STRING_FIELDS {
            string_ix.push(if required {
                Some(src.column(name)?)
            } else {
                src.find_column(name)
            });
        }
        let id_ix = string_ix[0].unwrap_or(0);
        let lsoa_ix = string_ix[4].unwrap_or(0);
        let type_ix = string_ix[6].unwrap_or(0);
        let force_ix = string_ix[2].unwrap_or(0);

        let mut file = FileReport {
            source: src.name.clone(),
            rows_read: 0,
            rows_kept: 0,
            months: Vec::new(),
        };
        let mut file_months = BTreeSet::new();
        let mut rec = csv::StringRecord::new();
        let n_fields = src.header.len();
        while let Some(line) = src.next_record(&mut rec)? {
            if rec.len() == 1 && rec[0].trim().is_empty() {
                continue; // blank line
            }
            if rec.len() != n_fields {
                return Err(src.bad_value(
                    line,
                    "(row)",
                    &rec.iter().collect::<Vec<_>>().join(","),
                    &format!("row has {} fields, header has {n_fields}", rec.len()),
                ));
            }
            file.rows_read += 1;
            let raw_month = &rec[month_ix];
            let month: YearMonth = raw_month
                .parse()
                .map_err(|reason: String| src.bad_value(line, "Month", raw_month, &reason))?;
            let lon = parse_optional_f64(&src, line, "Longitude", &rec[lon_ix])?;
            let lat = parse_optional_f64(&src, line, "Latitude", &rec[lat_ix])?;
            if lon.is_some_and(|v| !(-180.0..=180.0).contains(&v)) {
                return Err(src.bad_value(line, "Longitude", &rec[lon_ix], "outside -180..180"));
            }
            if lat.is_some_and(|v| !(-90.0..=90.0).contains(&v)) {
                return Err(src.bad_value(line, "Latitude", &rec[lat_ix], "outside -90..90"));
            }
            let crime_type = rec[type_ix].trim();
            let crime_id = rec[id_ix].trim();
            let no_location = lon.is_none() || lat.is_none() || rec[lsoa_ix].trim().is_empty();
            let duplicate = !crime_id.is_empty() && !self.seen_ids.insert(crime_id.to_string());
            let unknown =
                !CRIME_TYPES.contains(&crime_type) && !HISTORICAL_CRIME_TYPES.contains(&crime_type);
            if unknown {
                *self
                    .report
                    .unknown_crime_types
                    .entry(crime_type.to_string())
                    .or_default() += 1;
            }
            let flags = [no_location, duplicate, unknown];
            let issues = [
                RowIssue::NoLocation,
                RowIssue::DuplicateCrimeId,
                RowIssue::UnknownCrimeType,
            ];
            let set_aside_reason = issues
                .iter()
                .zip(flags)
                .find(|(issue, flag)| *flag && self.options.handling(**issue) == Handling::SetAside)
                .map(|(issue, _)| *issue);
            let target = match set_aside_reason {
                Some(reason) => {
                    *self.report.set_aside_by_reason.entry(reason).or_default() += 1;
                    self.set_aside.reason.push(reason.name());
                    &mut self.set_aside
                }
                None => {
                    file.rows_kept += 1;
                    for (issue, flag) in issues.iter().zip(flags) {
                        if flag {
                            *self.report.flagged_by_reason.entry(*issue).or_default() += 1;
                        }
                    }
                    &mut self.kept
                }
            };
            for (builder, ix) in target.strings.iter_mut().zip(&string_ix) {
                match ix.map(|i| rec[i].trim()) {
                    Some(v) if !v.is_empty() => builder.append_value(v),
                    _ => builder.append_null(),
                }
            }
            target.month.push(month.to_epoch_days());
            target.longitude.push(lon);
            target.latitude.push(lat);
            for (col, flag) in target.flags.iter_mut().zip(flags) {
                col.push(flag);
            }
            file_months.insert(month);
            let force = rec[force_ix].trim();
            if !force.is_empty() && !self.forces.contains(force) {
                self.forces.insert(force.to_string());
            }
        }
        self.months.extend(file_months.iter().copied());
        file.months = file_months.into_iter().collect();
        self.report.rows_read += file.rows_read;
        self.report.rows_kept += file.rows_kept;
        self.report.files.push(file);
        Ok(())
    }

    fn finish(mut self) -> Result<PoliceUkData> {
        self.report.rows_set_aside = self.report.set_aside_by_reason.values().sum();
        self.report.months_covered = self.months.iter().copied().collect();
        if let (Some(first), Some(last)) = (self.months.first(), self.months.last()) {
            self.report.months_missing = (first.index()..=last.index())
                .map(YearMonth::from_index)
                .filter(|m| !self.months.contains(m))
                .collect();
        }
        self.report.forces = self.forces.into_iter().collect();
        debug_assert_eq!(
            self.report.rows_read,
            self.report.rows_kept + self.report.rows_set_aside
        );
        Ok(PoliceUkData {
            crimes: self.kept.finish(false)?,
            set_aside: self.set_aside.finish(true)?,
            report: self.report,
        })
    }
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
