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

fn month_of(header: &str) -> Option<YearMonth> {
    let h = header.trim();
    let (y, m) = if h.len() == 6 && h.bytes().all(|b| b.is_ascii_digit()) {
        (&h[..4], &h[4..])
    } else if h.len() == 7 && h.as_bytes()[4] == b'-' {
        (&h[..4], &h[5..])
    } else {
        return None;
    };
    YearMonth::new(y.parse().ok()?, m.parse().ok()?)
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
    let months: Vec<(usize, YearMonth)> = src
        .header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| month_of(h).map(|m| (i, m)))
        .collect();
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
            let v: f64 = raw
                .parse()
                .map_err(|_| src.bad_value(line, &src.header[i], raw, "count is not a number"))?;
            if v < 0.0 || v.fract() != 0.0 {
                return Err(src.bad_value(
                    line,
                    &src.header[i],
                    raw,
                    "count must be a whole number ≥ 0",
                ));
            }
            for (slot, &k) in keys.iter_mut().zip(&key_ix) {
                slot.push(rec.get(k).unwrap_or("").trim().to_string());
            }
            month_col.push(m.to_epoch_days());
            count.push(v as i64);
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
