//! The parser of one data.police.uk street-level file, from byte records straight into typed
//! columns.
//!
//! A file becomes one frame of every row it holds, in file order, with the row flags that need
//! no other file (`no_location`, `unknown_crime_type`); the flag that does (`duplicate_crime_id`)
//! and the keep-or-set-aside decision are made by [`police_uk`](super::police_uk) over all files.
//! This frame is also what the read cache stores, so it does not depend on the read options.
//!
//! No field is copied into a `String` of its own: UTF-8 is checked once per record. The columns
//! whose values repeat (forces, LSOAs, crime types, outcomes, street names, context) are parsed
//! into positions in one dictionary of the file's distinct values, each stored once; in the
//! output they become string views into that dictionary (see [`materialise`]), so a value
//! repeated on 100,000 rows is stored once. Crime IDs are copied into one string buffer.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::police_uk::{CRIME_TYPES, HISTORICAL_CRIME_TYPES, columns};
use crate::io::records::Records;
use crate::io::source::{bad_value, column, find_column, parse_optional_f64};
use crate::period::YearMonth;

/// What one file holds besides its rows; stored with the rows in the read cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FileMeta {
    /// Data rows read (header and blank lines excluded).
    pub rows_read: u64,
    /// Months with at least one row, sorted.
    pub months: Vec<YearMonth>,
    /// Distinct non-empty values of "Falls within", sorted.
    pub forces: Vec<String>,
    /// Crime types outside the published categories, with their row counts.
    pub unknown_crime_types: BTreeMap<String, u64>,
}

/// One parsed file: every row (see [`RAW_COLUMNS`]), the dictionary of its repeated values,
/// and what it holds.
#[derive(Debug, Clone)]
pub(crate) struct ParsedFile {
    pub frame: DataFrame,
    /// The distinct values of the [`DICT_COLUMNS`] (all of them, one list), which those
    /// columns of `frame` hold as `UInt32` positions.
    pub dictionary: StringChunked,
    pub meta: FileMeta,
}

/// Columns of a parsed file, in order: the output columns of `read_police_uk` without
/// `duplicate_crime_id` (which needs every file) and `reason`.
pub(crate) const RAW_COLUMNS: [&str; 14] = [
    columns::CRIME_ID,
    columns::MONTH,
    columns::REPORTED_BY,
    columns::FALLS_WITHIN,
    columns::LONGITUDE,
    columns::LATITUDE,
    columns::LOCATION,
    columns::LSOA_CODE,
    columns::LSOA_NAME,
    columns::CRIME_TYPE,
    columns::LAST_OUTCOME,
    columns::CONTEXT,
    columns::NO_LOCATION,
    columns::UNKNOWN_CRIME_TYPE,
];

/// Police.uk header names of the columns whose values repeat, with the output column and
/// whether the header must have it. They are parsed into positions in the file's dictionary.
const DICT_FIELDS: [(&str, &str, bool); 8] = [
    ("Reported by", columns::REPORTED_BY, true),
    ("Falls within", columns::FALLS_WITHIN, true),
    ("Location", columns::LOCATION, true),
    ("LSOA code", columns::LSOA_CODE, true),
    ("LSOA name", columns::LSOA_NAME, true),
    ("Crime type", columns::CRIME_TYPE, true),
    ("Last outcome category", columns::LAST_OUTCOME, true),
    ("Context", columns::CONTEXT, false),
];
const FALLS_WITHIN: usize = 1;
const LSOA_CODE: usize = 3;
const CRIME_TYPE: usize = 5;

/// The output columns held as dictionary positions in a parsed file.
pub(crate) const DICT_COLUMNS: [&str; 8] = [
    columns::REPORTED_BY,
    columns::FALLS_WITHIN,
    columns::LOCATION,
    columns::LSOA_CODE,
    columns::LSOA_NAME,
    columns::CRIME_TYPE,
    columns::LAST_OUTCOME,
    columns::CONTEXT,
];

fn is_dict_column(column: &str) -> bool {
    DICT_COLUMNS.contains(&column)
}

/// The dtype of each of [`RAW_COLUMNS`] in a parsed file.
pub(crate) fn raw_dtype(column: &str) -> DataType {
    match column {
        columns::MONTH => DataType::Date,
        columns::LONGITUDE | columns::LATITUDE => DataType::Float64,
        columns::NO_LOCATION | columns::UNKNOWN_CRIME_TYPE => DataType::Boolean,
        c if is_dict_column(c) => DataType::UInt32,
        _ => DataType::String,
    }
}

/// A parsed file's rows as output rows: each dictionary column becomes the strings it points
/// at (16-byte views into the one dictionary buffer, so a repeated value is stored once).
/// Other columns, and columns the file does not have (`duplicate_crime_id`), are kept as they are.
pub(crate) fn materialise(frame: &DataFrame, dictionary: &StringChunked) -> Result<DataFrame> {
    // Column by column in parallel: each is a gather of 16-byte views over every row.
    let cols = frame
        .columns()
        .par_iter()
        .map(|c| {
            if !is_dict_column(c.name()) {
                return Ok(c.clone());
            }
            let positions = c.cast(&IDX_DTYPE)?;
            let values = dictionary.take(positions.idx()?)?;
            Ok(values.with_name(c.name().clone()).into_column())
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(DataFrame::new(frame.height(), cols)?)
}

/// The distinct values of a file's repeated columns, numbered in order of first appearance.
#[derive(Default)]
struct Dictionary {
    positions: PlHashMap<Box<str>, u32>,
    values: Vec<Box<str>>,
}

impl Dictionary {
    fn position(&mut self, value: &str) -> u32 {
        if let Some(p) = self.positions.get(value) {
            return *p;
        }
        let p = self.values.len() as u32;
        self.values.push(value.into());
        self.positions.insert(value.into(), p);
        p
    }
}

/// One repeated column under construction: positions in the dictionary, null for an empty
/// (after trimming) value.
struct DictColumn {
    positions: PrimitiveChunkedBuilder<UInt32Type>,
    /// The previous row's value and position: runs of one value skip the hash lookup.
    last: Option<(String, u32)>,
}

impl DictColumn {
    fn new(name: &'static str, capacity: usize) -> Self {
        DictColumn {
            positions: PrimitiveChunkedBuilder::new(name.into(), capacity),
            last: None,
        }
    }

    /// Append a trimmed value; returns its position, or `None` for an empty value (null).
    fn push(&mut self, value: &str, dictionary: &mut Dictionary) -> Option<u32> {
        let position = if value.is_empty() {
            None
        } else {
            match &mut self.last {
                Some((last, p)) if last == value => Some(*p),
                Some((last, p)) => {
                    *p = dictionary.position(value);
                    last.clear();
                    last.push_str(value);
                    Some(*p)
                }
                None => {
                    let p = dictionary.position(value);
                    self.last = Some((value.to_string(), p));
                    Some(p)
                }
            }
        };
        self.positions.append_option(position);
        position
    }

    fn finish(self) -> Column {
        self.positions.finish().into_series().into_column()
    }
}

/// `s.trim()`, without the Unicode scan when both ends are visible ASCII (nearly every field).
#[inline]
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Rows a file of `bytes` bytes probably holds (police.uk lines are 150-250 bytes), to size
/// the columns once instead of growing them.
fn expected_rows(bytes: usize) -> usize {
    (bytes / 160).min(1 << 24)
}

/// Parse one street-level file (plain bytes: see [`decompressed`](super::source::decompressed)).
/// Errors name the source, line, column and value.
pub(crate) fn parse_street(name: &str, bytes: &[u8]) -> Result<ParsedFile> {
    let mut records = Records::new(name, bytes);
    let header: Vec<String> = match records.next_record()? {
        Some(first) if (0..first.len()).any(|i| !first.field(i).trim().is_empty()) => (0..first
            .len())
            .map(|i| first.field(i).trim().to_string())
            .collect(),
        _ => {
            return Err(Error::EmptyFile {
                source_name: name.to_string(),
            });
        }
    };
    if find_column(&header, "Month").is_none() || find_column(&header, "Crime type").is_none() {
        return Err(Error::UnexpectedHeader {
            source_name: name.to_string(),
            reason: format!(
                "not a data.police.uk street-level file (needs 'Month' and 'Crime type'); \
                 header was [{}]",
                header.join(", ")
            ),
        });
    }
    // Columns are looked up in the order the reader has always used, so a header missing
    // several names the same one first.
    let month_ix = column(name, &header, "Month")?;
    let lon_ix = column(name, &header, "Longitude")?;
    let lat_ix = column(name, &header, "Latitude")?;
    let id_ix = column(name, &header, "Crime ID")?;
    let mut dict_ix = Vec::with_capacity(DICT_FIELDS.len());
    for (field, _, required) in DICT_FIELDS {
        dict_ix.push(if required {
            Some(column(name, &header, field)?)
        } else {
            find_column(&header, field)
        });
    }

    let capacity = expected_rows(bytes.len());
    let mut crime_id = StringChunkedBuilder::new(columns::CRIME_ID.into(), capacity);
    let mut dictionary = Dictionary::default();
    let mut dicts: Vec<DictColumn> = DICT_FIELDS
        .iter()
        .map(|(_, out, _)| DictColumn::new(out, capacity))
        .collect();
    let mut month_days: Vec<i32> = Vec::with_capacity(capacity);
    let mut lon = PrimitiveChunkedBuilder::<Float64Type>::new(columns::LONGITUDE.into(), capacity);
    let mut lat = PrimitiveChunkedBuilder::<Float64Type>::new(columns::LATITUDE.into(), capacity);
    let mut no_location = Vec::with_capacity(capacity);
    let mut unknown = Vec::with_capacity(capacity);
    // Per dictionary position used as a crime type: whether it is unknown, and its rows.
    let mut crime_types: BTreeMap<u32, (bool, u64)> = BTreeMap::new();
    let mut last_type: Option<(u32, bool)> = None;
    let mut empty_type_rows = 0u64;
    let mut forces = BTreeSet::new();
    let mut months = BTreeSet::new();
    let mut last_month: Option<(String, YearMonth)> = None;

    let n_fields = header.len();
    let mut rows_read = 0u64;
    while let Some(rec) = records.next_record()? {
        let line = rec.line;
        let field = |i: usize| rec.field(i);
        if rec.len() == 1 && trim(field(0)).is_empty() {
            continue; // blank line
        }
        if rec.len() != n_fields {
            let fields: Vec<&str> = (0..rec.len()).map(field).collect();
            return Err(bad_value(
                name,
                line,
                "(row)",
                &fields.join(","),
                &format!("row has {} fields, header has {n_fields}", rec.len()),
            ));
        }
        rows_read += 1;

        let raw_month = field(month_ix);
        let month = match &last_month {
            Some((raw, month)) if raw == raw_month => *month,
            _ => {
                let month: YearMonth = raw_month.parse().map_err(|e| {
                    let reason = match e {
                        Error::InvalidParameter { reason, .. } => reason,
                        other => other.to_string(),
                    };
                    bad_value(name, line, "Month", raw_month, &reason)
                })?;
                months.insert(month);
                last_month = Some((raw_month.to_string(), month));
                month
            }
        };
        let x = parse_optional_f64(name, line, "Longitude", field(lon_ix))?;
        let y = parse_optional_f64(name, line, "Latitude", field(lat_ix))?;
        if x.is_some_and(|v| !(-180.0..=180.0).contains(&v)) {
            return Err(bad_value(
                name,
                line,
                "Longitude",
                field(lon_ix),
                "outside -180..180",
            ));
        }
        if y.is_some_and(|v| !(-90.0..=90.0).contains(&v)) {
            return Err(bad_value(
                name,
                line,
                "Latitude",
                field(lat_ix),
                "outside -90..90",
            ));
        }
        let id = trim(field(id_ix));
        if id.is_empty() {
            crime_id.append_null();
        } else {
            crime_id.append_value(id);
        }
        let mut positions = [None; DICT_FIELDS.len()];
        for ((dict, ix), p) in dicts.iter_mut().zip(&dict_ix).zip(&mut positions) {
            *p = match ix {
                Some(i) => dict.push(trim(field(*i)), &mut dictionary),
                None => dict.push("", &mut dictionary),
            };
        }
        let is_unknown = match positions[CRIME_TYPE] {
            Some(p) => {
                let is_unknown = match last_type {
                    Some((last, u)) if last == p => u,
                    _ => {
                        let name = &*dictionary.values[p as usize];
                        let u =
                            !CRIME_TYPES.contains(&name) && !HISTORICAL_CRIME_TYPES.contains(&name);
                        last_type = Some((p, u));
                        u
                    }
                };
                crime_types.entry(p).or_insert((is_unknown, 0)).1 += 1;
                is_unknown
            }
            None => {
                empty_type_rows += 1;
                true
            }
        };
        if let Some(p) = positions[FALLS_WITHIN] {
            forces.insert(p);
        }
        month_days.push(month.to_epoch_days());
        lon.append_option(x);
        lat.append_option(y);
        no_location.push(x.is_none() || y.is_none() || positions[LSOA_CODE].is_none());
        unknown.push(is_unknown);
    }

    let mut unknown_crime_types: BTreeMap<String, u64> = crime_types
        .into_iter()
        .filter(|(_, (is_unknown, _))| *is_unknown)
        .map(|(p, (_, rows))| (dictionary.values[p as usize].to_string(), rows))
        .collect();
    if empty_type_rows > 0 {
        unknown_crime_types.insert(String::new(), empty_type_rows);
    }
    let forces: BTreeSet<String> = forces
        .into_iter()
        .map(|p| dictionary.values[p as usize].to_string())
        .collect();
    let meta = FileMeta {
        rows_read,
        months: months.into_iter().collect(),
        forces: forces.into_iter().collect(),
        unknown_crime_types,
    };

    let mut dict_columns = dicts.into_iter().map(DictColumn::finish);
    let mut cols = Vec::with_capacity(RAW_COLUMNS.len());
    cols.push(crime_id.finish().into_series().into_column());
    cols.push(Column::new(columns::MONTH.into(), month_days).cast(&DataType::Date)?);
    cols.extend(dict_columns.by_ref().take(2)); // reported_by, falls_within
    cols.push(lon.finish().into_series().into_column());
    cols.push(lat.finish().into_series().into_column());
    cols.extend(dict_columns); // location .. context
    cols.push(Column::new(columns::NO_LOCATION.into(), no_location));
    cols.push(Column::new(columns::UNKNOWN_CRIME_TYPE.into(), unknown));
    let frame = DataFrame::new_infer_height(cols)?;
    debug_assert!(
        frame
            .get_column_names()
            .iter()
            .map(|c| c.as_str())
            .eq(RAW_COLUMNS)
    );
    let dictionary = StringChunked::from_iter_values(
        "dictionary".into(),
        dictionary.values.iter().map(|v| &**v),
    );
    Ok(ParsedFile {
        frame,
        dictionary,
        meta,
    })
}

/// An empty parsed file (the schema, no rows).
pub(crate) fn empty_parsed() -> Result<ParsedFile> {
    let cols = RAW_COLUMNS
        .iter()
        .map(|c| Column::full_null((*c).into(), 0, &raw_dtype(c)))
        .collect();
    Ok(ParsedFile {
        frame: DataFrame::new_infer_height(cols)?,
        dictionary: StringChunked::from_iter_values(
            "dictionary".into(),
            std::iter::empty::<&str>(),
        ),
        meta: FileMeta {
            rows_read: 0,
            months: Vec::new(),
            forces: Vec::new(),
            unknown_crime_types: BTreeMap::new(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_fields_and_columns_agree() {
        let outs: Vec<&str> = DICT_FIELDS.iter().map(|(_, out, _)| *out).collect();
        assert_eq!(outs, DICT_COLUMNS);
        assert!(DICT_COLUMNS.iter().all(|c| RAW_COLUMNS.contains(c)));
    }
}
