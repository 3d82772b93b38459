//! TEMPORARY: the previous sequential reader, to check the new one gives identical output.
#![allow(dead_code)]
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::police_uk::*;
use crate::io::source::{CsvSource, open_path, parse_optional_f64};
use crate::period::YearMonth;

fn handling(o: &ReadOptions, issue: RowIssue) -> Handling {
    match issue {
        RowIssue::NoLocation => o.no_location,
        RowIssue::DuplicateCrimeId => o.duplicate_crime_id,
        RowIssue::UnknownCrimeType => o.unknown_crime_type,
    }
}

pub fn old_read<P: AsRef<Path>>(inputs: &[P], options: &ReadOptions) -> Result<PoliceUkData> {
    let files = resolve_inputs(inputs)?;
    let mut reader = StreetReader::new(options.clone());
    for path in &files {
        reader.add(open_path(path)?)?;
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
            archive: None,
            from_cache: None,
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
                .find(|(issue, flag)| {
                    *flag && handling(&self.options, **issue) == Handling::SetAside
                })
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
mod compare {
    use super::*;

    fn check(path: &str, options: &ReadOptions) {
        let t = std::time::Instant::now();
        let old = old_read(&[path], options).unwrap();
        let t_old = t.elapsed();
        let t = std::time::Instant::now();
        let new = read_police_uk(&[path], options).unwrap();
        let t_new = t.elapsed();
        eprintln!("{path}: old {t_old:?} new {t_new:?}");
        assert_eq!(old.crimes.schema(), new.crimes.schema());
        assert_eq!(old.set_aside.schema(), new.set_aside.schema());
        assert!(old.crimes.equals_missing(&new.crimes), "crimes differ");
        assert!(
            old.set_aside.equals_missing(&new.set_aside),
            "set aside differ"
        );
        assert_eq!(
            serde_json::to_string(&old.report).unwrap(),
            serde_json::to_string(&new.report).unwrap()
        );
        assert_eq!(new.crimes.first_col_n_chunks(), 1);
    }

    #[test]
    fn same_output_as_the_old_reader() {
        let all = [Handling::Keep, Handling::SetAside];
        for p in [
            "../../../shared/data/police-uk/kent-2014",
            "../../benchmarks/data/county-seed2015",
            "../../benchmarks/data/small-seed2015",
        ] {
            for a in all {
                for b in all {
                    for c in all {
                        let o = ReadOptions {
                            no_location: a,
                            duplicate_crime_id: b,
                            unknown_crime_type: c,
                            cache_dir: None,
                        };
                        check(p, &o);
                    }
                }
            }
        }
    }
}
