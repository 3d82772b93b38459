//! Opening delimited text sources (plain or gzip, from disk or memory) with errors that name the
//! file and line.
//!
//! Readers for police.uk, ONS lookups and population tables share this: gzip is detected from
//! the magic bytes, not the file name; CRLF and LF line endings both work; a UTF-8 byte-order mark
//! is ignored; and every failure says where it happened.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};

/// A CSV source: a name used in messages and the bytes behind it.
pub(crate) struct CsvSource {
    pub name: String,
    reader: csv::Reader<Box<dyn Read>>,
    gzip: bool,
    pub header: Vec<String>,
    /// With CRLF endings csv leaves the `\n` of a record for the next one, so record start
    /// lines lag by one; this corrects them.
    line_offset: u64,
}

/// Open a file on disk as a CSV source (gzip detected by its magic bytes).
pub(crate) fn open_path(path: &Path) -> Result<CsvSource> {
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    open_reader(path.display().to_string(), Box::new(BufReader::new(file)))
}

/// Open any byte stream as a CSV source.
pub(crate) fn open_reader(name: String, mut inner: Box<dyn Read>) -> Result<CsvSource> {
    let mut magic = [0u8; 2];
    let mut filled = 0;
    while filled < 2 {
        let n = inner
            .read(&mut magic[filled..])
            .map_err(|source| Error::Io {
                path: PathBuf::from(&name),
                source,
            })?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    if filled == 0 {
        return Err(Error::EmptyFile { source_name: name });
    }
    let prefix = std::io::Cursor::new(magic[..filled].to_vec());
    let chained: Box<dyn Read> = Box::new(prefix.chain(inner));
    let gzip = filled == 2 && magic == [0x1f, 0x8b];
    let body: Box<dyn Read> = if gzip {
        Box::new(MultiGzDecoder::new(chained))
    } else {
        chained
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut source = CsvSource {
        name,
        reader: csv::ReaderBuilder::new().from_reader(Box::new(std::io::empty())),
        gzip,
        header: Vec::new(),
        line_offset: 0,
    };
    let mut first = csv::StringRecord::new();
    let got = reader
        .read_record(&mut first)
        .map_err(|e| source.map_csv_error(e, 1))?;
    if !got || first.iter().all(|f| f.trim().is_empty()) {
        return Err(Error::EmptyFile {
            source_name: source.name,
        });
    }
    source.header = first
        .iter()
        .map(|f| f.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    source.line_offset = u64::from(reader.position().line() == 1);
    source.reader = reader;
    Ok(source)
}

impl CsvSource {
    /// Read the next record into `record`; returns the 1-based line number it started on, or
    /// `None` at the end of the data.
    pub fn next_record(&mut self, record: &mut csv::StringRecord) -> Result<Option<u64>> {
        let line = self.reader.position().line() + self.line_offset;
        match self.reader.read_record(record) {
            Ok(true) => Ok(Some(
                record
                    .position()
                    .map_or(line, |p| p.line() + self.line_offset),
            )),
            Ok(false) => Ok(None),
            Err(e) => Err(self.map_csv_error(e, line)),
        }
    }

    /// Read the next record as raw bytes (no UTF-8 check; see [`CsvSource::record_str`]);
    /// returns the 1-based line number it started on, or `None` at the end of the data.
    pub fn next_byte_record(&mut self, record: &mut csv::ByteRecord) -> Result<Option<u64>> {
        let line = self.reader.position().line() + self.line_offset;
        match self.reader.read_byte_record(record) {
            Ok(true) => Ok(Some(
                record
                    .position()
                    .map_or(line, |p| p.line() + self.line_offset),
            )),
            Ok(false) => Ok(None),
            Err(e) => Err(self.map_csv_error(e, line)),
        }
    }

    /// The fields of a byte record as one validated string (field `i` is
    /// `&text[record.range(i)]`): UTF-8 is checked once per record, and a failure is the same
    /// `Encoding` error, naming the line and field, that [`CsvSource::next_record`] raises.
    pub fn record_str<'r>(&self, record: &'r csv::ByteRecord, line: u64) -> Result<&'r str> {
        if let Ok(text) = std::str::from_utf8(record.as_slice()) {
            // Valid as a whole; each field is valid too unless a boundary splits a character.
            let bounds_ok = (0..record.len()).all(|i| {
                record
                    .range(i)
                    .is_some_and(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
            });
            if bounds_ok {
                return Ok(text);
            }
        }
        let reason = match csv::StringRecord::from_byte_record(record.clone()) {
            Err(e) => format!("field {} ({})", e.utf8_error().field() + 1, e.utf8_error()),
            Ok(_) => "a field boundary splits a character".to_string(),
        };
        Err(Error::Encoding {
            source_name: self.name.clone(),
            line,
            reason,
        })
    }

    /// Position of a column in the header, or a `MissingColumn` error naming it.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.find_column(name).ok_or_else(|| Error::MissingColumn {
            source_name: self.name.clone(),
            column: name.to_string(),
            found: self.header.join(", "),
        })
    }

    /// Position of a column in the header (case-insensitive), if present.
    pub fn find_column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// A `BadValue` error for this source.
    pub fn bad_value(&self, line: u64, column: &str, value: &str, reason: &str) -> Error {
        Error::BadValue {
            source_name: self.name.clone(),
            line,
            column: column.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
        }
    }

    fn map_csv_error(&self, e: csv::Error, line_hint: u64) -> Error {
        let line = e
            .position()
            .map_or(line_hint, |p| p.line() + self.line_offset);
        match e.into_kind() {
            csv::ErrorKind::Io(io) if self.gzip => Error::Decompression {
                source_name: self.name.clone(),
                line,
                reason: io.to_string(),
            },
            csv::ErrorKind::Io(io) => Error::Io {
                path: PathBuf::from(&self.name),
                source: io,
            },
            csv::ErrorKind::Utf8 { err, .. } => Error::Encoding {
                source_name: self.name.clone(),
                line,
                reason: format!("field {} ({err})", err.field() + 1),
            },
            other => Error::UnexpectedHeader {
                source_name: self.name.clone(),
                reason: format!("line {line}: {other:?}"),
            },
        }
    }
}

/// Parse an optional float: empty means missing; anything else must be a finite number.
pub(crate) fn parse_optional_f64(
    source: &CsvSource,
    line: u64,
    column: &str,
    raw: &str,
) -> Result<Option<f64>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(source.bad_value(line, column, raw, "not a finite number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_bytes(bytes: &[u8]) -> Result<CsvSource> {
        open_reader(
            "mem.csv".into(),
            Box::new(std::io::Cursor::new(bytes.to_vec())),
        )
    }

    #[test]
    fn reads_crlf_and_bom() {
        let mut s = open_bytes(b"\xef\xbb\xbfA,B\r\n1,2\r\n3,4\r\n").unwrap();
        assert_eq!(s.header, vec!["A", "B"]);
        let mut rec = csv::StringRecord::new();
        assert_eq!(s.next_record(&mut rec).unwrap(), Some(2));
        assert_eq!(&rec[1], "2");
        assert_eq!(s.next_record(&mut rec).unwrap(), Some(3));
        assert_eq!(s.next_record(&mut rec).unwrap(), None);
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(matches!(open_bytes(b""), Err(Error::EmptyFile { .. })));
        assert!(matches!(open_bytes(b"\n"), Err(Error::EmptyFile { .. })));
    }

    #[test]
    fn byte_records_validate_utf8_like_string_records() {
        let mut s = open_bytes(b"A,B\r\n1,caf\xc3\xa9\r\n3,\xff\xfe\r\n\xc3,\xa9\r\n").unwrap();
        let mut rec = csv::ByteRecord::new();
        let line = s.next_byte_record(&mut rec).unwrap().unwrap();
        let text = s.record_str(&rec, line).unwrap();
        assert_eq!((line, &text[rec.range(1).unwrap()]), (2, "café"));
        let line = s.next_byte_record(&mut rec).unwrap().unwrap();
        let err = s.record_str(&rec, line).unwrap_err();
        assert!(
            matches!(err, Error::Encoding { line: 3, ref reason, .. } if reason.starts_with("field 2")),
            "{err}"
        );
        // Each field invalid although the bytes joined are valid UTF-8 ("é" split in two).
        let line = s.next_byte_record(&mut rec).unwrap().unwrap();
        let err = s.record_str(&rec, line).unwrap_err();
        assert!(matches!(err, Error::Encoding { line: 4, .. }), "{err}");
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let mut s = open_bytes(b"A,B\n1,2\n3,\xff\xfe\n").unwrap();
        let mut rec = csv::StringRecord::new();
        s.next_record(&mut rec).unwrap();
        let err = s.next_record(&mut rec).unwrap_err();
        assert!(matches!(err, Error::Encoding { line: 3, .. }), "{err}");
    }
}
