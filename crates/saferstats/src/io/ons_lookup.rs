//! ONS lookups (LSOA -> ward -> LAD, LAD -> CSP -> force, LSOA -> LSOA) in every published
//! shape, with the vintage read from the header.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::source::{CsvSource, open_path, open_reader};

/// The published shapes [`read_lookup`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupKind {
    /// LSOA to ward to local authority (`lsoa_*, ward_*, lad_*` columns).
    LsoaWardLad,
    /// Local authority to CSP to police force area (`lad_*, csp_*, force_*` columns).
    LadCspForce,
    /// LSOA of one census to LSOA of the next (`lsoa_from_code, lsoa_to_code, change_code`).
    LsoaToLsoa,
}

crate::choice::choice!(LookupKind, "kind", {
    LsoaWardLad => "lsoa_ward_lad",
    LadCspForce => "lad_csp_force",
    LsoaToLsoa => "lsoa_to_lsoa",
});

/// A lookup read from an ONS file, with its detected shape and vintage.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// Which shape it is.
    pub kind: LookupKind,
    /// Vintage from the header, e.g. `LSOA11/WD19/LAD19`.
    pub vintage: String,
    /// Normalised columns (see [`LookupKind`]).
    pub table: DataFrame,
    /// File or source name.
    pub source: String,
}

/// Which role a header column plays: a level's code or name, and its two-digit vintage year.
#[derive(Debug, Clone, PartialEq)]
struct RoleColumn {
    role: &'static str,
    year: String,
    is_code: bool,
    index: usize,
    original: String,
}

/// Recognise `LSOA11CD`, `WD19NM`, `lsoa21_code`, `ltla24_name`, `PFA23CD` and friends.
fn classify(header: &[String]) -> Vec<RoleColumn> {
    const ROLES: [(&str, &str); 7] = [
        ("lsoa", "lsoa"),
        ("ward", "ward"),
        ("wd", "ward"),
        ("ltla", "lad"),
        ("lad", "lad"),
        ("csp", "csp"),
        ("pfa", "force"),
    ];
    let mut out = Vec::new();
    for (index, h) in header.iter().enumerate() {
        let lower = h.to_ascii_lowercase();
        for (prefix, role) in ROLES {
            let Some(rest) = lower.strip_prefix(prefix) else {
                continue;
            };
            if rest.len() < 3 || !rest.as_bytes()[..2].iter().all(u8::is_ascii_digit) {
                continue;
            }
            let (year, suffix) = rest.split_at(2);
            let is_code = match suffix {
                "cd" | "_code" => true,
                "nm" | "_name" => false,
                _ => continue,
            };
            out.push(RoleColumn {
                role,
                year: year.to_string(),
                is_code,
                index,
                original: h.clone(),
            });
            break;
        }
    }
    out
}

/// Read an ONS lookup file (CSV, optionally gzipped) and detect its shape from the header.
pub fn read_lookup(path: impl AsRef<Path>) -> Result<Lookup> {
    lookup_from_source(open_path(path.as_ref())?)
}

/// As [`read_lookup`], from any reader.
pub fn read_lookup_from_reader(name: &str, reader: Box<dyn Read>) -> Result<Lookup> {
    lookup_from_source(open_reader(name.to_string(), reader)?)
}

const SHAPE_HINT: &str = "Expected an ONS lookup with LSOAyyCD + WDyyCD + LADyyCD columns \
     (LSOA to ward to local authority), LADyyCD + CSPyyCD + PFAyyCD (local authority to CSP to \
     police force area), or LSOA11CD + LSOA21CD (LSOA vintages); snake-case forms such as \
     lsoa21_code / ward24_code / ltla24_code are also recognised.";

fn lookup_from_source(mut src: CsvSource) -> Result<Lookup> {
    let roles = classify(&src.header);
    let find = |role: &str, is_code: bool| {
        roles
            .iter()
            .filter(|r| r.role == role && r.is_code == is_code)
            .collect::<Vec<_>>()
    };
    let unknown = |src: &CsvSource| Error::UnknownShape {
        source_name: src.name.clone(),
        what: "lookup",
        header: src.header.join(", "),
        hint: SHAPE_HINT,
    };
    let lsoa_codes = find("lsoa", true);
    let (kind, wanted): (LookupKind, Vec<(&str, &RoleColumn)>) = if lsoa_codes.len() == 2 {
        let (from, to) = if lsoa_codes[0].year <= lsoa_codes[1].year {
            (lsoa_codes[0], lsoa_codes[1])
        } else {
            (lsoa_codes[1], lsoa_codes[0])
        };
        (
            LookupKind::LsoaToLsoa,
            vec![("lsoa_from_code", from), ("lsoa_to_code", to)],
        )
    } else if let (Some(l), Some(w), Some(d)) = (
        lsoa_codes.first(),
        find("ward", true).first(),
        find("lad", true).first(),
    ) {
        let mut cols = vec![("lsoa_code", *l), ("ward_code", *w), ("lad_code", *d)];
        for (role, out) in [
            ("lsoa", "lsoa_name"),
            ("ward", "ward_name"),
            ("lad", "lad_name"),
        ] {
            if let Some(n) = find(role, false).first() {
                cols.push((out, *n));
            }
        }
        (LookupKind::LsoaWardLad, cols)
    } else if let (Some(d), Some(c), Some(f)) = (
        find("lad", true).first(),
        find("csp", true).first(),
        find("force", true).first(),
    ) {
        let mut cols = vec![("lad_code", *d), ("csp_code", *c), ("force_code", *f)];
        for (role, out) in [
            ("lad", "lad_name"),
            ("csp", "csp_name"),
            ("force", "force_name"),
        ] {
            if let Some(n) = find(role, false).first() {
                cols.push((out, *n));
            }
        }
        (LookupKind::LadCspForce, cols)
    } else {
        return Err(unknown(&src));
    };

    let vintage = wanted
        .iter()
        .filter(|(out, _)| out.ends_with("_code"))
        .map(|(_, rc)| {
            let mut v = rc.original.to_ascii_uppercase();
            v.truncate(v.len() - if rc.original.ends_with("_code") { 5 } else { 2 });
            v
        })
        .collect::<Vec<_>>()
        .join(if kind == LookupKind::LsoaToLsoa {
            "->"
        } else {
            "/"
        });

    let change_ix = src
        .find_column("change_code")
        .or_else(|| src.find_column("CHGIND"));
    let mut values: Vec<Vec<Option<String>>> = vec![Vec::new(); wanted.len()];
    let mut changes: Vec<Option<String>> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut rec = csv::StringRecord::new();
    while let Some(line) = src.next_record(&mut rec)? {
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        for (slot, (out, rc)) in values.iter_mut().zip(&wanted) {
            let v = rec.get(rc.index).unwrap_or("").trim();
            if out.ends_with("_code") && v.is_empty() {
                return Err(src.bad_value(line, &rc.original, v, "empty area code"));
            }
            slot.push((!v.is_empty()).then(|| v.to_string()));
        }
        if kind != LookupKind::LsoaToLsoa {
            // An LSOA lookup is keyed on the LSOA. A LAD lookup may list a local authority
            // once per CSP (LADs merged across CSP lines, e.g. East Suffolk in 2019), so only
            // a repeated (LAD, CSP, force) row is a duplicate.
            let key_columns = if kind == LookupKind::LsoaWardLad {
                1
            } else {
                3
            };
            let key = values[..key_columns]
                .iter()
                .map(|v| v.last().cloned().flatten().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(" / ");
            if !seen.insert(key.clone()) {
                return Err(Error::Duplicate {
                    source_name: src.name.clone(),
                    what: "area code",
                    key: format!("{key} (line {line})"),
                });
            }
        }
        if kind == LookupKind::LsoaToLsoa {
            changes.push(
                change_ix
                    .and_then(|i| rec.get(i))
                    .map(|s| s.trim().to_string()),
            );
        }
    }
    if values[0].is_empty() {
        return Err(Error::EmptyFile {
            source_name: src.name.clone(),
        });
    }
    let mut cols: Vec<Column> = wanted
        .iter()
        .zip(values)
        .map(|((out, _), v)| Column::new((*out).into(), v))
        .collect();
    if kind == LookupKind::LsoaToLsoa {
        cols.push(Column::new("change_code".into(), changes));
    }
    // Fixed column order regardless of the file's order.
    let order: &[&str] = match kind {
        LookupKind::LsoaWardLad => &[
            "lsoa_code",
            "lsoa_name",
            "ward_code",
            "ward_name",
            "lad_code",
            "lad_name",
        ],
        LookupKind::LadCspForce => &[
            "lad_code",
            "lad_name",
            "csp_code",
            "csp_name",
            "force_code",
            "force_name",
        ],
        LookupKind::LsoaToLsoa => &["lsoa_from_code", "lsoa_to_code", "change_code"],
    };
    let height = cols[0].len();
    let mut ordered = Vec::new();
    for name in order {
        match cols.iter().position(|c| c.name().as_str() == *name) {
            Some(i) => ordered.push(cols.swap_remove(i)),
            None => ordered.push(Column::full_null((*name).into(), height, &DataType::String)),
        }
    }
    Ok(Lookup {
        kind,
        vintage,
        table: DataFrame::new(height, ordered)?,
        source: src.name.clone(),
    })
}
