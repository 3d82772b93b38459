//! ONS population estimates, in their published shapes, as one long table.
//!
//! Output columns: `area_code, area_name, mid_year, population, source`. Shapes recognised
//! from the header:
//! - **single year of age, wide** (small-area SAPE by LSOA: `lsoa11_code, ..., 0, 1, ..., 90`):
//!   ages summed to a total (checked against a total column when there is one); the file holds
//!   one mid-year, given by the caller;
//! - **years, wide** (local-authority time series `Code, Name, Geography, Mid-2023, ...,
//!   Mid-2011`, or `2011_Population, ...`, or `population_mid2017`): one row per area and year;
//! - **long** (`area_code, mid_year, population`).
//!
//! Title rows above the header (as in ONS workbooks saved as CSV) are skipped. A duplicated
//! area-year, a negative or non-numeric population is an error naming the line.
//!
//! ```no_run
//! use saferstats::io::ons_population::read_population;
//! let pop = read_population("../shared/data/population/ons_MYE4_LAD23_population_mid2011_to_mid2023.csv", None)?;
//! assert_eq!(pop.shape, saferstats::io::ons_population::PopulationShape::YearsWide);
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::source::{CsvSource, open_path, open_reader};

/// Published layouts of population tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopulationShape {
    /// One column per single year of age; one mid-year per file.
    AgesWide,
    /// One column per mid-year.
    YearsWide,
    /// One row per area and mid-year.
    Long,
}

/// A population table read from a file.
#[derive(Debug, Clone)]
pub struct Population {
    /// Columns `area_code, area_name, mid_year, population, source`.
    pub table: DataFrame,
    /// Detected layout.
    pub shape: PopulationShape,
    /// Source name recorded in the `source` column.
    pub source: String,
}

/// Column names of population tables.
pub mod columns {
    pub use crate::schema::{AREA_CODE, AREA_NAME, MID_YEAR, POPULATION, SOURCE};
}

/// Read a population file; `mid_year` is required for single-year-of-age files (which do not
/// say their year) and ignored otherwise.
pub fn read_population(path: impl AsRef<Path>, mid_year: Option<i32>) -> Result<Population> {
    let path = path.as_ref();
    let label = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    population_from_source(open_path(path)?, label, mid_year)
}

/// As [`read_population`], from any reader.
pub fn read_population_from_reader(
    name: &str,
    reader: Box<dyn Read>,
    mid_year: Option<i32>,
) -> Result<Population> {
    population_from_source(
        open_reader(name.to_string(), reader)?,
        name.to_string(),
        mid_year,
    )
}

struct Layout {
    shape: PopulationShape,
    code: usize,
    name: Option<usize>,
    total: Option<usize>,
    /// (column index, year) for YearsWide; (column index, 0) for ages; (mid_year col, 0) for Long
    values: Vec<(usize, i32)>,
}

fn year_of(header: &str) -> Option<i32> {
    let h = header.trim().to_ascii_lowercase();
    let digits = if let Some(r) = h.strip_prefix("mid-") {
        r.to_string()
    } else if let Some(r) = h.strip_suffix("_population") {
        r.to_string()
    } else if let Some(r) = h.strip_prefix("population_mid") {
        r.to_string()
    } else if let Some(r) = h.strip_prefix("mid") {
        r.to_string()
    } else {
        return None;
    };
    (digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

fn is_age(header: &str) -> bool {
    let h = header.trim().trim_end_matches('+');
    !h.is_empty() && h.len() <= 3 && h.bytes().all(|b| b.is_ascii_digit())
}

fn detect(header: &[String]) -> Option<Layout> {
    let lower: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let pos = |names: &[&str]| lower.iter().position(|h| names.contains(&h.as_str()));
    let code = pos(&[
        "area_code",
        "code",
        "area codes",
        "lsoa code",
        "geography code",
    ])
    .or_else(|| {
        lower.iter().position(|h| {
            (h.starts_with("lsoa") || h.starts_with("lad") || h.starts_with("wd"))
                && (h.ends_with("cd") || h.ends_with("_code"))
        })
    })?;
    let name = pos(&["area_name", "name", "area name", "area names", "lsoa name"]).or_else(|| {
        lower.iter().position(|h| {
            (h.starts_with("lsoa") || h.starts_with("lad") || h.starts_with("wd"))
                && (h.ends_with("nm") || h.ends_with("_name"))
        })
    });
    let ages: Vec<(usize, i32)> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| is_age(h))
        .map(|(i, _)| (i, 0))
        .collect();
    if ages.len() >= 10 {
        return Some(Layout {
            shape: PopulationShape::AgesWide,
            code,
            name,
            total: pos(&["total_population", "all ages", "all_ages", "total"]),
            values: ages,
        });
    }
    let years: Vec<(usize, i32)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| year_of(h).map(|y| (i, y)))
        .collect();
    if !years.is_empty() {
        return Some(Layout {
            shape: PopulationShape::YearsWide,
            code,
            name,
            total: None,
            values: years,
        });
    }
    let year_col = pos(&["mid_year", "year", "mid-year"])?;
    let pop_col = pos(&["population", "count", "value"])?;
    Some(Layout {
        shape: PopulationShape::Long,
        code,
        name,
        total: Some(pop_col),
        values: vec![(year_col, 0)],
    })
}

const SHAPE_HINT: &str = "Expected an area code column (Code, area_code, LSOA11CD, ...) with \
    either single-year-of-age columns (0, 1, ..., 90+), mid-year columns (Mid-2014, \
    2014_Population, population_mid2014), or mid_year + population columns.";

fn population_from_source(
    mut src: CsvSource,
    label: String,
    mid_year: Option<i32>,
) -> Result<Population> {
    // Skip title rows until a header we recognise (at most 20 rows).
    let mut layout = detect(&src.header);
    let mut rec = csv::StringRecord::new();
    let mut skipped = 0;
    while layout.is_none() && skipped < 20 {
        if src.next_record(&mut rec)?.is_none() {
            break;
        }
        skipped += 1;
        let header: Vec<String> = rec.iter().map(|f| f.trim().to_string()).collect();
        if let Some(l) = detect(&header) {
            src.header = header;
            layout = Some(l);
        }
    }
    let layout = layout.ok_or_else(|| Error::UnknownShape {
        source_name: src.name.clone(),
        what: "population",
        header: src.header.join(", "),
        hint: SHAPE_HINT,
    })?;
    if layout.shape == PopulationShape::AgesWide && mid_year.is_none() {
        return Err(Error::param(
            "mid_year",
            format!(
                "{} is a single-year-of-age table, which does not state its year: pass mid_year",
                src.name
            ),
        ));
    }
    let source = format!(
        "{label} [{}]",
        match layout.shape {
            PopulationShape::AgesWide => "ages wide, summed",
            PopulationShape::YearsWide => "years wide",
            PopulationShape::Long => "long",
        }
    );

    let mut codes: Vec<String> = Vec::new();
    let mut names: Vec<Option<String>> = Vec::new();
    let mut years: Vec<i32> = Vec::new();
    let mut pops: Vec<f64> = Vec::new();
    let mut seen: HashSet<(String, i32)> = HashSet::new();
    while let Some(line) = src.next_record(&mut rec)? {
        let code = rec.get(layout.code).unwrap_or("").trim();
        if code.is_empty() && rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if code.is_empty() {
            return Err(src.bad_value(line, &src.header[layout.code], code, "empty area code"));
        }
        let name = layout
            .name
            .and_then(|i| rec.get(i))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let mut push = |src: &CsvSource, year: i32, value: f64| -> Result<()> {
            if !seen.insert((code.to_string(), year)) {
                return Err(Error::Duplicate {
                    source_name: src.name.clone(),
                    what: "area and mid-year",
                    key: format!("{code} {year} (line {line})"),
                });
            }
            codes.push(code.to_string());
            names.push(name.clone());
            years.push(year);
            pops.push(value);
            Ok(())
        };
        match layout.shape {
            PopulationShape::AgesWide => {
                let mut sum = 0.0;
                for &(i, _) in &layout.values {
                    sum += population_value(&src, line, i, rec.get(i).unwrap_or(""))?;
                }
                if let Some(t) = layout.total {
                    let total = population_value(&src, line, t, rec.get(t).unwrap_or(""))?;
                    if (total - sum).abs() > 0.5 {
                        return Err(src.bad_value(
                            line,
                            &src.header[t],
                            &total.to_string(),
                            &format!("the single years of age sum to {sum}, not the total"),
                        ));
                    }
                }
                push(&src, mid_year.unwrap_or_default(), sum)?;
            }
            PopulationShape::YearsWide => {
                for &(i, year) in &layout.values {
                    let v = population_value(&src, line, i, rec.get(i).unwrap_or(""))?;
                    push(&src, year, v)?;
                }
            }
            PopulationShape::Long => {
                let (yi, _) = layout.values[0];
                let raw = rec.get(yi).unwrap_or("").trim();
                let year: i32 = raw
                    .trim_start_matches("Mid-")
                    .parse()
                    .map_err(|_| src.bad_value(line, &src.header[yi], raw, "not a year"))?;
                let pi = layout.total.unwrap_or(0);
                let v = population_value(&src, line, pi, rec.get(pi).unwrap_or(""))?;
                push(&src, year, v)?;
            }
        }
    }
    if codes.is_empty() {
        return Err(Error::EmptyFile {
            source_name: src.name.clone(),
        });
    }
    let n = codes.len();
    let table = DataFrame::new(
        n,
        vec![
            Column::new(columns::AREA_CODE.into(), codes),
            Column::new(columns::AREA_NAME.into(), names),
            Column::new(columns::MID_YEAR.into(), years),
            Column::new(columns::POPULATION.into(), pops),
            Column::new(columns::SOURCE.into(), vec![source.clone(); n]),
        ],
    )?;
    Ok(Population {
        table,
        shape: layout.shape,
        source,
    })
}

fn population_value(src: &CsvSource, line: u64, index: usize, raw: &str) -> Result<f64> {
    let column = &src.header[index];
    // Thousands separators ("1,234") are dropped; nearly every value has none, and is parsed
    // without a copy.
    let trimmed = raw.trim();
    let cleaned: std::borrow::Cow<str> = if trimmed.contains(',') {
        trimmed.replace(',', "").into()
    } else {
        trimmed.into()
    };
    if cleaned.is_empty() {
        return Err(src.bad_value(line, column, raw, "missing population"));
    }
    let v: f64 = cleaned
        .parse()
        .map_err(|_| src.bad_value(line, column, raw, "population is not a number"))?;
    if !v.is_finite() {
        return Err(src.bad_value(line, column, raw, "population is not finite"));
    }
    if v < 0.0 {
        return Err(src.bad_value(line, column, raw, "negative population"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, year: Option<i32>) -> Result<Population> {
        read_population_from_reader(
            "mem.csv",
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            year,
        )
    }

    #[test]
    fn years_wide_to_long_skipping_title_rows() {
        let p = read(
            "Mid-year estimates,,,\nSource: ONS,,,\nCode,Name,Geography,Mid-2015,Mid-2014\nE06000035,Medway,Unitary Authority,\"276,492\",273977\n",
            None,
        )
        .unwrap();
        assert_eq!(p.shape, PopulationShape::YearsWide);
        assert_eq!(p.table.height(), 2);
        let pop = p.table.column("population").unwrap().f64().unwrap();
        assert_eq!(pop.get(0), Some(276492.0));
        assert_eq!(
            p.table.column("mid_year").unwrap().i32().unwrap().get(1),
            Some(2014)
        );
    }

    #[test]
    fn ages_wide_sums_and_checks_total() {
        let mut header = "lsoa11_code,lsoa11_name,total_population".to_string();
        let mut row = "E01,Medway 001A,55".to_string();
        for age in 0..10 {
            header.push_str(&format!(",{age}"));
            row.push_str(&format!(",{}", age + 1));
        }
        let p = read(&format!("{header}\n{row}\n"), Some(2017)).unwrap();
        assert_eq!(
            p.table.column("population").unwrap().f64().unwrap().get(0),
            Some(55.0)
        );
        let bad = row.replacen(",55,", ",56,", 1);
        assert!(matches!(
            read(&format!("{header}\n{bad}\n"), Some(2017)),
            Err(Error::BadValue { .. })
        ));
        assert!(matches!(
            read(&format!("{header}\n{row}\n"), None),
            Err(Error::InvalidParameter { .. })
        ));
    }

    #[test]
    fn bad_populations_are_errors() {
        let dup = read(
            "area_code,mid_year,population\nE1,2014,10\nE1,2014,11\n",
            None,
        )
        .unwrap_err();
        assert!(matches!(dup, Error::Duplicate { .. }), "{dup}");
        let neg = read("area_code,mid_year,population\nE1,2014,-10\n", None).unwrap_err();
        assert!(matches!(neg, Error::BadValue { line: 2, .. }), "{neg}");
        let txt = read("area_code,population_mid2017\nE1,lots\n", None).unwrap_err();
        assert!(matches!(txt, Error::BadValue { .. }), "{txt}");
        let unknown = read("foo,bar\n1,2\n", None).unwrap_err();
        assert!(matches!(unknown, Error::UnknownShape { .. }), "{unknown}");
    }
}
