//! Reader for wide monthly count tables, such as the Metropolitan Police's borough and ward
//! "Recorded Crime: Geographic Breakdown" files (`MajorText, MinorText, BoroughName, 201004,
//! 201005, ...`): every column named `YYYYMM` or `YYYY-MM` is a month, every other column a key.
//! The output is long: the key columns (names lower-cased, spaces to underscores), `month` (a
//! Date) and `count`, ready for [`crate::frame::seasonality`] or [`crate::frame::change`] after grouping.
//!
//! ```
//! use saferstats::io::wide_monthly::read_wide_monthly_from_reader;
//! let text = "MajorText,BoroughName,201004,201005\nBURGLARY,Camden,10,12\n";
//! let t = read_wide_monthly_from_reader("mem.csv", Box::new(std::io::Cursor::new(text)))?;
//! assert_eq!(t.height(), 2);
//! assert_eq!(t.get_column_names(), ["majortext", "boroughname", "month", "count"]);
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::io::Read;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::source::{CsvSource, open_path, open_reader};
use crate::period::YearMonth;

/// What a header is: a month column, a key column, or a month written wrongly (`201413`).
enum HeaderKind {
    Month(YearMonth),
    Key,
    BadMonth,
}

fn header_kind(header: &str) -> HeaderKind {
    let h = header.trim();
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let (y, m) = if h.len() == 6 && digits(h) {
        (&h[..4], &h[4..])
    } else if h.len() == 7 && h.as_bytes()[4] == b'-' && digits(&h[..4]) && digits(&h[5..]) {
        (&h[..4], &h[5..])
    } else {
        return HeaderKind::Key;
    };
    match (y.parse().ok(), m.parse().ok()) {
        (Some(y), Some(m)) => YearMonth::new(y, m).map_or(HeaderKind::BadMonth, HeaderKind::Month),
        _ => HeaderKind::BadMonth,
    }
}

/// The largest count accepted when written as a decimal (`12.0`, `1e3`): a f64 holds every
/// whole number up to 2^53 exactly, and none above it reliably.
const MAX_DECIMAL_COUNT: f64 = 9_007_199_254_740_992.0;

/// A count cell: a whole number ≥ 0, written as an integer or as an exact decimal. Never
/// saturated: a value beyond `i64` or a decimal above 2^53 is an error.
fn parse_count(raw: &str) -> std::result::Result<i64, &'static str> {
    let v = match raw.parse::<i64>() {
        Ok(v) => v,
        Err(_) => {
            let x: f64 = raw.parse().map_err(|_| "count is not a number")?;
            if !x.is_finite() || x.fract() != 0.0 {
                return Err("count must be a whole number ≥ 0");
            }
            if x.abs() > MAX_DECIMAL_COUNT {
                return Err("count too large (above 2^53 written as a decimal, or beyond 64 bits)");
            }
            x as i64
        }
    };
    if v < 0 {
        return Err("count must be a whole number ≥ 0");
    }
    Ok(v)
}

/// Read a wide monthly table from a file (CSV, optionally gzipped).
pub fn read_wide_monthly(path: impl AsRef<Path>) -> Result<DataFrame> {
    wide_from_source(open_path(path.as_ref())?)
}

/// As [`read_wide_monthly`], from any reader.
pub fn read_wide_monthly_from_reader(name: &str, reader: Box<dyn Read>) -> Result<DataFrame> {
    wide_from_source(open_reader(name.to_string(), reader)?)
}

fn wide_from_source(mut src: CsvSource) -> Result<DataFrame> {
    let mut months: Vec<(usize, YearMonth)> = Vec::new();
    for (i, h) in src.header.iter().enumerate() {
        match header_kind(h) {
            HeaderKind::Month(m) => {
                if let Some(&(j, _)) = months.iter().find(|(_, seen)| *seen == m) {
                    return Err(Error::Duplicate {
                        source_name: src.name.clone(),
                        what: "month column",
                        key: format!("{m} (columns '{}' and '{}')", src.header[j], h),
                    });
                }
                months.push((i, m));
            }
            HeaderKind::BadMonth => {
                return Err(Error::UnexpectedHeader {
                    source_name: src.name.clone(),
                    reason: format!(
                        "column '{h}' looks like a month (YYYYMM or YYYY-MM) but is not one"
                    ),
                });
            }
            HeaderKind::Key => {}
        }
    }
    if months.is_empty() {
        return Err(Error::UnknownShape {
            source_name: src.name.clone(),
            what: "wide monthly table",
            header: src.header.join(", "),
            hint: "Expected month columns named YYYYMM or YYYY-MM.",
        });
    }
    let key_ix: Vec<usize> = (0..src.header.len())
        .filter(|i| !months.iter().any(|(m, _)| m == i))
        .collect();
    let key_names: Vec<String> = key_ix
        .iter()
        .map(|&i| {
            src.header[i]
                .trim()
                .to_ascii_lowercase()
                .replace([' ', '/'], "_")
        })
        .collect();
    let mut keys: Vec<Vec<String>> = vec![Vec::new(); key_ix.len()];
    let mut month_col: Vec<i32> = Vec::new();
    let mut count: Vec<i64> = Vec::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = src.next_record(&mut rec)? {
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        for &(i, m) in &months {
            let raw = rec.get(i).unwrap_or("").trim();
            let v = parse_count(raw)
                .map_err(|reason| src.bad_value(line, &src.header[i], raw, reason))?;
            for (slot, &k) in keys.iter_mut().zip(&key_ix) {
                slot.push(rec.get(k).unwrap_or("").trim().to_string());
            }
            month_col.push(m.to_epoch_days());
            count.push(v);
        }
    }
    let mut cols: Vec<Column> = key_names
        .iter()
        .zip(keys)
        .map(|(n, v)| Column::new(n.as_str().into(), v))
        .collect();
    cols.push(Column::new("month".into(), month_col).cast(&DataType::Date)?);
    cols.push(Column::new("count".into(), count));
    Ok(DataFrame::new_infer_height(cols)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<DataFrame> {
        read_wide_monthly_from_reader("w.csv", Box::new(std::io::Cursor::new(text.to_string())))
    }

    #[test]
    fn counts_are_exact_or_refused() {
        let t = read("area,201401,2014-02\nA,9223372036854775807,12.0\n").unwrap();
        let c: Vec<i64> = t
            .column("count")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(c, [i64::MAX, 12]);
        for bad in [
            "1e30",
            "9223372036854775808",
            "-3",
            "1.5",
            "NaN",
            "inf",
            "x",
        ] {
            let e = read(&format!("area,201401\nA,{bad}\n"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(bad) && e.contains("201401"), "{bad}: {e}");
        }
    }

    #[test]
    fn month_headers_are_checked() {
        let e = read("area,201401,201413\nA,1,2\n").unwrap_err().to_string();
        assert!(e.contains("'201413'"), "{e}");
        let e = read("area,201401,2014-01\nA,1,2\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("2014-01") && e.contains("'201401'"), "{e}");
        // Other headers of digits stay keys (e.g. a code column).
        let t = read("code,201401\n12345,1\n").unwrap();
        assert_eq!(t.get_column_names(), ["code", "month", "count"]);
    }
}
