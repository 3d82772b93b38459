//! The parser of one data.police.uk street-level file, from byte records straight into typed
//! columns.
//!
//! A file becomes one frame of every row it holds, in file order, with the row flags that need
//! no other file (`no_location`, `unknown_crime_type`); the flag that does (`duplicate_crime_id`)
//! and the keep-or-set-aside decision are made by [`police_uk`](super::police_uk) over all files.
//! This frame is also what the read cache stores, so it does not depend on the read options.
//!
//! No field is copied into a `String` of its own: UTF-8 is checked once per record, and string
//! columns are Arrow string views. The columns whose values repeat (forces, LSOAs, crime types,
//! outcomes, street names, context) store each distinct value of the file once and give every
//! row a 16-byte view of it; Crime IDs are copied into one buffer per file.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use polars_arrow::array::{Utf8ViewArray, View};
use polars_arrow::bitmap::{Bitmap, MutableBitmap};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::police_uk::{CRIME_TYPES, HISTORICAL_CRIME_TYPES, columns};
use crate::io::source::{CsvSource, parse_optional_f64};
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

/// One parsed file: every row (see [`RAW_COLUMNS`]) and what it holds.
#[derive(Debug, Clone)]
pub(crate) struct ParsedFile {
    pub frame: DataFrame,
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

/// The dtype of each of [`RAW_COLUMNS`].
pub(crate) fn raw_dtype(column: &str) -> DataType {
    match column {
        columns::MONTH => DataType::Date,
        columns::LONGITUDE | columns::LATITUDE => DataType::Float64,
        columns::NO_LOCATION | columns::UNKNOWN_CRIME_TYPE => DataType::Boolean,
        _ => DataType::String,
    }
}

/// Police.uk header names of the string columns stored once per distinct value, with the output
/// column and whether the header must have it.
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

/// Arrow string views over buffers this builder owns (each buffer at most `u32::MAX` bytes, as
/// views address them with 32-bit offsets).
#[derive(Default)]
struct ViewBuffers {
    done: Vec<Vec<u8>>,
    current: Vec<u8>,
}

impl ViewBuffers {
    /// Store `value` (unless short enough to live inside its view) and return its view.
    fn push(&mut self, value: &str) -> View {
        let bytes = value.as_bytes();
        if bytes.len() <= View::MAX_INLINE_SIZE as usize {
            return View::new_inline(bytes);
        }
        if self.current.len() + bytes.len() > u32::MAX as usize {
            self.done.push(std::mem::take(&mut self.current));
        }
        let offset = self.current.len() as u32;
        self.current.extend_from_slice(bytes);
        View::new_from_bytes(bytes, self.done.len() as u32, offset)
    }

    /// The bytes of a view made by [`ViewBuffers::push`].
    fn get<'a>(&'a self, view: &'a View) -> &'a [u8] {
        if let Some(inline) = view.get_inlined_slice() {
            return inline;
        }
        let buffer: &[u8] = match self.done.get(view.buffer_idx as usize) {
            Some(b) => b,
            None => &self.current,
        };
        let start = view.offset as usize;
        &buffer[start..start + view.length as usize]
    }

    /// The buffers, in the order views address them.
    fn finish(mut self) -> Vec<Vec<u8>> {
        if !self.current.is_empty() {
            self.done.push(self.current);
        }
        self.done
    }
}

/// A nullable string column under construction: an empty (after trimming) field is null.
struct ViewColumn {
    name: &'static str,
    views: Vec<View>,
    validity: MutableBitmap,
    buffers: ViewBuffers,
}

impl ViewColumn {
    fn new(name: &'static str) -> Self {
        ViewColumn {
            name,
            views: Vec::new(),
            validity: MutableBitmap::new(),
            buffers: ViewBuffers::default(),
        }
    }

    fn push_view(&mut self, view: Option<View>) {
        self.views.push(view.unwrap_or_default());
        self.validity.push(view.is_some());
    }

    fn finish(self) -> Result<Column> {
        let validity: Bitmap = self.validity.into();
        let validity = (validity.unset_bits() > 0).then_some(validity);
        let array = Utf8ViewArray::try_new(
            ArrowDataType::Utf8View,
            self.views.into(),
            self.buffers
                .finish()
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>()
                .into(),
            validity,
        )?;
        Ok(StringChunked::with_chunk(self.name.into(), array)
            .into_series()
            .into_column())
    }
}

/// A string column whose values repeat: each distinct value is stored once and numbered in
/// order of first appearance; rows hold views of it.
struct DictColumn {
    column: ViewColumn,
    codes: PlHashMap<Box<str>, u32>,
    distinct: Vec<View>,
    /// The previous row's value and code: runs of one value skip the hash lookup.
    last: Option<(String, u32)>,
}

impl DictColumn {
    fn new(name: &'static str) -> Self {
        DictColumn {
            column: ViewColumn::new(name),
            codes: PlHashMap::default(),
            distinct: Vec::new(),
            last: None,
        }
    }

    /// Append a trimmed value; returns its code, or `None` for an empty value (null).
    fn push(&mut self, value: &str) -> Option<u32> {
        if value.is_empty() {
            self.column.push_view(None);
            return None;
        }
        let code = match &self.last {
            Some((last, code)) if last == value => *code,
            _ => {
                let code = match self.codes.get(value) {
                    Some(code) => *code,
                    None => {
                        let code = self.distinct.len() as u32;
                        self.distinct.push(self.column.buffers.push(value));
                        self.codes.insert(value.into(), code);
                        code
                    }
                };
                match &mut self.last {
                    Some((last, c)) => {
                        last.clear();
                        last.push_str(value);
                        *c = code;
                    }
                    None => self.last = Some((value.to_string(), code)),
                }
                code
            }
        };
        self.column.push_view(Some(self.distinct[code as usize]));
        Some(code)
    }

    fn push_null(&mut self) {
        self.column.push_view(None);
    }

    /// The value of a code.
    fn value(&self, code: u32) -> &str {
        let bytes = self.column.buffers.get(&self.distinct[code as usize]);
        std::str::from_utf8(bytes).expect("stored from a &str")
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

/// Parse one street-level file. Errors name the source, line, column and value.
pub(crate) fn parse_street(mut src: CsvSource) -> Result<ParsedFile> {
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
    // Columns are looked up in the order the reader has always used, so a header missing
    // several names the same one first.
    let month_ix = src.column("Month")?;
    let lon_ix = src.column("Longitude")?;
    let lat_ix = src.column("Latitude")?;
    let id_ix = src.column("Crime ID")?;
    let mut dict_ix = Vec::with_capacity(DICT_FIELDS.len());
    for (name, _, required) in DICT_FIELDS {
        dict_ix.push(if required {
            Some(src.column(name)?)
        } else {
            src.find_column(name)
        });
    }

    let mut crime_id = ViewColumn::new(columns::CRIME_ID);
    let mut dicts: Vec<DictColumn> = DICT_FIELDS
        .iter()
        .map(|(_, out, _)| DictColumn::new(out))
        .collect();
    let mut month_days: Vec<i32> = Vec::new();
    let mut lon = Vec::new();
    let mut lat = Vec::new();
    let mut no_location = Vec::new();
    let mut unknown = Vec::new();
    // Per crime-type code: whether it is unknown, and its row count.
    let mut type_unknown: Vec<bool> = Vec::new();
    let mut type_rows: Vec<u64> = Vec::new();
    let mut empty_type_rows = 0u64;
    let mut months = BTreeSet::new();
    let mut last_month: Option<(String, YearMonth)> = None;

    let n_fields = src.header.len();
    let mut rec = csv::ByteRecord::new();
    let mut rows_read = 0u64;
    while let Some(line) = src.next_byte_record(&mut rec)? {
        let text = src.record_str(&rec, line)?;
        let field = |i: usize| &text[rec.range(i).expect("index below the record length")];
        if rec.len() == 1 && trim(field(0)).is_empty() {
            continue; // blank line
        }
        if rec.len() != n_fields {
            let fields: Vec<&str> = (0..rec.len()).map(field).collect();
            return Err(src.bad_value(
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
                let month: YearMonth = raw_month
                    .parse()
                    .map_err(|reason: String| src.bad_value(line, "Month", raw_month, &reason))?;
                months.insert(month);
                last_month = Some((raw_month.to_string(), month));
                month
            }
        };
        let x = parse_optional_f64(&src, line, "Longitude", field(lon_ix))?;
        let y = parse_optional_f64(&src, line, "Latitude", field(lat_ix))?;
        if x.is_some_and(|v| !(-180.0..=180.0).contains(&v)) {
            return Err(src.bad_value(line, "Longitude", field(lon_ix), "outside -180..180"));
        }
        if y.is_some_and(|v| !(-90.0..=90.0).contains(&v)) {
            return Err(src.bad_value(line, "Latitude", field(lat_ix), "outside -90..90"));
        }

        let id = trim(field(id_ix));
        let id_view = (!id.is_empty()).then(|| crime_id.buffers.push(id));
        crime_id.push_view(id_view);
        let mut codes = [None; DICT_FIELDS.len()];
        for ((dict, ix), code) in dicts.iter_mut().zip(&dict_ix).zip(&mut codes) {
            match ix {
                Some(i) => *code = dict.push(trim(field(*i))),
                None => dict.push_null(),
            }
        }
        let is_unknown = match codes[CRIME_TYPE] {
            Some(code) => {
                let code = code as usize;
                if code == type_unknown.len() {
                    let name = dicts[CRIME_TYPE].value(code as u32);
                    type_unknown.push(
                        !CRIME_TYPES.contains(&name) && !HISTORICAL_CRIME_TYPES.contains(&name),
                    );
                    type_rows.push(0);
                }
                type_rows[code] += 1;
                type_unknown[code]
            }
            None => {
                empty_type_rows += 1;
                true
            }
        };
        month_days.push(month.to_epoch_days());
        lon.push(x);
        lat.push(y);
        no_location.push(x.is_none() || y.is_none() || codes[LSOA_CODE].is_none());
        unknown.push(is_unknown);
    }

    let mut unknown_crime_types = BTreeMap::new();
    for (code, (&is_unknown, &rows)) in type_unknown.iter().zip(&type_rows).enumerate() {
        if is_unknown {
            let name = dicts[CRIME_TYPE].value(code as u32).to_string();
            unknown_crime_types.insert(name, rows);
        }
    }
    if empty_type_rows > 0 {
        unknown_crime_types.insert(String::new(), empty_type_rows);
    }
    let falls_within = &dicts[FALLS_WITHIN];
    let forces: BTreeSet<String> = (0..falls_within.distinct.len() as u32)
        .map(|code| falls_within.value(code).to_string())
        .collect();
    let meta = FileMeta {
        rows_read,
        months: months.into_iter().collect(),
        forces: forces.into_iter().collect(),
        unknown_crime_types,
    };

    let mut dict_columns = dicts
        .into_iter()
        .map(|d| d.column.finish())
        .collect::<Result<Vec<_>>>()?
        .into_iter();
    let mut cols = Vec::with_capacity(RAW_COLUMNS.len());
    cols.push(crime_id.finish()?);
    cols.push(Column::new(columns::MONTH.into(), month_days).cast(&DataType::Date)?);
    cols.extend(dict_columns.by_ref().take(2)); // reported_by, falls_within
    cols.push(Column::new(columns::LONGITUDE.into(), lon));
    cols.push(Column::new(columns::LATITUDE.into(), lat));
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
    Ok(ParsedFile { frame, meta })
}

/// An empty parsed file (the schema, no rows).
pub(crate) fn empty_parsed() -> Result<ParsedFile> {
    let cols = RAW_COLUMNS
        .iter()
        .map(|c| Column::full_null((*c).into(), 0, &raw_dtype(c)))
        .collect();
    Ok(ParsedFile {
        frame: DataFrame::new_infer_height(cols)?,
        meta: FileMeta {
            rows_read: 0,
            months: Vec::new(),
            forces: Vec::new(),
            unknown_crime_types: BTreeMap::new(),
        },
    })
}
