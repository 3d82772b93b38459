//! Comma-separated records of a file held in memory, split without copying.
//!
//! The street-level reader spends most of its time cutting ~6 million lines a year into fields.
//! The `csv` crate's reader does this a byte at a time through a state machine and copies each
//! record into its own buffer; here a record is found with `memchr` (SIMD) and, when it holds
//! no quote character (nearly every police.uk line), its fields are the slices between commas,
//! borrowed from the file's bytes. A record with a quote is parsed by the RFC 4180 rules the
//! `csv` crate applies (a field that starts with `"` is quoted, `""` inside it is one `"`, it may
//! span lines; anything after the closing quote up to the comma is kept), into a scratch buffer.
//! This is written here rather than taken from a crate because no maintained crate splits
//! borrowed records with a quote fallback and reports the line each record starts on.
//!
//! Lines end in `\n` or `\r\n`; each record is UTF-8 checked once, and an invalid one is an
//! [`Error::Encoding`] naming the line and field, as the other readers' errors do.

use std::ops::Range;

use crate::error::{Error, Result};

/// A record: its fields as ranges of `text`, and the line it starts on (1-based).
pub(crate) struct Record<'r> {
    pub text: &'r str,
    pub fields: &'r [Range<usize>],
    pub line: u64,
}

impl<'r> Record<'r> {
    /// Field `i` (panics if `i` is not below [`Record::len`]).
    #[inline]
    pub fn field(&self, i: usize) -> &'r str {
        &self.text[self.fields[i].clone()]
    }

    /// Number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.fields.len()
    }
}

/// Splits the records of one file (header included) held in memory.
pub(crate) struct Records<'a> {
    name: &'a str,
    data: &'a [u8],
    pos: usize,
    /// Line number of the next byte at `pos`.
    line: u64,
    fields: Vec<Range<usize>>,
    scratch: Vec<u8>,
}

impl<'a> Records<'a> {
    /// Records of `data` (a UTF-8 byte-order mark at the start is skipped); `name` is used in
    /// error messages.
    pub fn new(name: &'a str, data: &'a [u8]) -> Self {
        let start = if data.starts_with(b"\xef\xbb\xbf") {
            3
        } else {
            0
        };
        Records {
            name,
            data,
            pos: start,
            line: 1,
            fields: Vec::with_capacity(16),
            scratch: Vec::new(),
        }
    }

    /// The next record, or `None` at the end of the data. A blank line is a record of one
    /// empty field (the caller decides to skip it), as in the `csv` crate.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>> {
        if self.pos >= self.data.len() {
            return Ok(None);
        }
        let rest = &self.data[self.pos..];
        let line = self.line;
        // One pass finds the end of the line or, first, a quote (then the slow path).
        let (end, next) = match memchr::memchr2(b'\n', b'"', rest) {
            Some(i) if rest[i] == b'"' => return self.quoted_record(line),
            Some(i) => (i, i + 1),
            None => (rest.len(), rest.len()),
        };
        let raw = &rest[..end];
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        self.fields.clear();
        let mut from = 0;
        for comma in memchr::memchr_iter(b',', raw) {
            self.fields.push(from..comma);
            from = comma + 1;
        }
        self.fields.push(from..raw.len());
        self.pos += next;
        self.line += 1;
        let text = utf8(self.name, raw, &self.fields, line)?;
        Ok(Some(Record {
            text,
            fields: &self.fields,
            line,
        }))
    }

    /// A record with at least one quote character, unescaped into the scratch buffer.
    fn quoted_record(&mut self, line: u64) -> Result<Option<Record<'_>>> {
        self.fields.clear();
        self.scratch.clear();
        let data = self.data;
        let mut i = self.pos;
        let mut field_start = 0;
        let mut in_quotes = false;
        let mut at_field_start = true;
        // The end of the data ends the record (an unclosed quote runs to the end).
        while let Some(&b) = data.get(i) {
            i += 1;
            if in_quotes {
                match b {
                    b'"' if data.get(i) == Some(&b'"') => {
                        self.scratch.push(b'"');
                        i += 1;
                    }
                    b'"' => in_quotes = false,
                    b'\n' => {
                        self.line += 1;
                        self.scratch.push(b);
                    }
                    _ => self.scratch.push(b),
                }
                continue;
            }
            match b {
                b'"' if at_field_start => {
                    in_quotes = true;
                    at_field_start = false;
                }
                b',' => {
                    self.fields.push(field_start..self.scratch.len());
                    field_start = self.scratch.len();
                    at_field_start = true;
                }
                b'\n' => break,
                b'\r' if data.get(i) == Some(&b'\n') => {}
                _ => {
                    self.scratch.push(b);
                    at_field_start = false;
                }
            }
        }
        self.fields.push(field_start..self.scratch.len());
        self.pos = i;
        self.line += 1;
        let text = utf8(self.name, &self.scratch, &self.fields, line)?;
        Ok(Some(Record {
            text,
            fields: &self.fields,
            line,
        }))
    }
}

/// `bytes` as text, or the `Encoding` error naming the line and the (1-based) field.
fn utf8<'b>(name: &str, bytes: &'b [u8], fields: &[Range<usize>], line: u64) -> Result<&'b str> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let field = fields.iter().position(|r| r.end >= at).unwrap_or(0) + 1;
        Error::Encoding {
            source_name: name.to_string(),
            line,
            reason: format!("field {field} ({e})"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(data: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut r = Records::new("t.csv", data);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push((
                rec.line,
                (0..rec.len()).map(|i| rec.field(i).to_string()).collect(),
            ));
        }
        out
    }

    /// The records and fields of the `csv` crate's reader (its line numbers lag by one after a
    /// CRLF, so only fields are compared with it).
    fn as_csv_crate(data: &[u8]) -> Vec<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        let mut out = Vec::new();
        let mut rec = csv::StringRecord::new();
        while reader.read_record(&mut rec).unwrap() {
            out.push(rec.iter().map(str::to_string).collect());
        }
        out
    }

    #[test]
    fn plain_and_quoted_records_match_the_csv_crate() {
        let cases: [&[u8]; 6] = [
            b"A,B,C\n1,2,3\n4,,6\n",
            b"A,B\r\n1,2\r\n3,4",
            b"A,B\n\"x, y\",2\n\"say \"\"hi\"\"\",3\n",
            b"A,B\n\"two\nlines\",2\n5,6\n",
            b"A,B\r\n\"q\"tail,2\r\nmid\"quote,3\r\n,\r\n",
            b"A\n\n1\n",
        ];
        for data in cases {
            let ours = all(data);
            let theirs = as_csv_crate(data);
            // The csv crate skips blank lines; we return them as one empty field.
            let ours: Vec<_> = ours
                .into_iter()
                .filter(|(_, f)| !(f.len() == 1 && f[0].is_empty()))
                .map(|(_, f)| f)
                .collect();
            assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(data));
        }
    }

    #[test]
    fn records_start_on_their_own_lines() {
        let lines = |data: &[u8]| all(data).iter().map(|(l, _)| *l).collect::<Vec<_>>();
        assert_eq!(lines(b"A,B\r\n1,2\r\n3,4\r\n"), [1, 2, 3]);
        assert_eq!(lines(b"A,B\n\"two\nlines\",2\n5,6\n"), [1, 2, 4]);
        assert_eq!(lines(b"A,B\r\n\"two\r\nlines\",2\r\n5,6"), [1, 2, 4]);
    }

    proptest::proptest! {
        /// Any text of commas, quotes, line ends (LF or CRLF) and letters splits into the same
        /// records and fields as the `csv` crate reads (its skipped blank lines aside).
        #[test]
        fn any_text_splits_as_the_csv_crate_does(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["a", "b", ",", "\"", "\n", "\r\n", " "]),
                0..60,
            )
        ) {
            // A record of one empty field is a blank line here (and to the street reader) but
            // is skipped by the csv crate unless quoted (`""`): such records are left out of
            // both sides.
            let data = format!("h{}", parts.concat());
            let one_empty = |f: &Vec<String>| f.len() == 1 && f[0].is_empty();
            let ours: Vec<Vec<String>> = all(data.as_bytes())
                .into_iter()
                .map(|(_, f)| f)
                .filter(|f| !one_empty(f))
                .collect();
            let theirs: Vec<Vec<String>> = as_csv_crate(data.as_bytes())
                .into_iter()
                .filter(|f| !one_empty(f))
                .collect();
            proptest::prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let recs = all(b"\xef\xbb\xbfA,B\n1,2\n");
        assert_eq!(recs[0].1, vec!["A", "B"]);
    }

    #[test]
    fn invalid_utf8_names_line_and_field() {
        let mut r = Records::new("t.csv", b"A,B\n1,caf\xc3\xa9\n3,\xff\xfe\n");
        r.next_record().unwrap();
        let rec = r.next_record().unwrap().unwrap();
        assert_eq!((rec.line, rec.field(1)), (2, "café"));
        let err = r.next_record().err().unwrap();
        assert!(
            matches!(err, Error::Encoding { line: 3, ref reason, .. } if reason.starts_with("field 2")),
            "{err}"
        );
    }
}
