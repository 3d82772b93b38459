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

    /// Position of a column in the header (case-insensitive), if present.
    pub fn find_column(&self, name: &str) -> Option<usize> {
        find_column(&self.header, name)
    }

    /// A `BadValue` error for this source.
    pub fn bad_value(&self, line: u64, column: &str, value: &str, reason: &str) -> Error {
        bad_value(&self.name, line, column, value, reason)
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

/// `bytes` decompressed if they are gzip, else as they are. A corrupt or truncated stream is
/// a `Decompression` error naming the line reached.
pub(crate) fn decompressed(name: &str, bytes: Vec<u8>) -> Result<Vec<u8>> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(6).min(1 << 30));
    MultiGzDecoder::new(bytes.as_slice())
        .read_to_end(&mut out)
        .map_err(|e| Error::Decompression {
            source_name: name.to_string(),
            line: memchr::memchr_iter(b'\n', &out).count() as u64 + 1,
            reason: e.to_string(),
        })?;
    Ok(out)
}

/// Position of a header column (case-insensitive), if present.
pub(crate) fn find_column(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h.eq_ignore_ascii_case(name))
}

/// Position of a header column, or a `MissingColumn` error naming it and the header found.
pub(crate) fn column(source_name: &str, header: &[String], name: &str) -> Result<usize> {
    find_column(header, name).ok_or_else(|| Error::MissingColumn {
        source_name: source_name.to_string(),
        column: name.to_string(),
        found: header.join(", "),
    })
}

/// A `BadValue` error: the source, line, column, value and why it is refused.
pub(crate) fn bad_value(
    source_name: &str,
    line: u64,
    column: &str,
    value: &str,
    reason: &str,
) -> Error {
    Error::BadValue {
        source_name: source_name.to_string(),
        line,
        column: column.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

/// Parse an optional float: empty means missing; anything else must be a finite number.
pub(crate) fn parse_optional_f64(
    source_name: &str,
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
        _ => Err(bad_value(
            source_name,
            line,
            column,
            raw,
            "not a finite number",
        )),
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
    fn invalid_utf8_names_the_line() {
        let mut s = open_bytes(b"A,B\n1,2\n3,\xff\xfe\n").unwrap();
        let mut rec = csv::StringRecord::new();
        s.next_record(&mut rec).unwrap();
        let err = s.next_record(&mut rec).unwrap_err();
        assert!(matches!(err, Error::Encoding { line: 3, .. }), "{err}");
    }
}
