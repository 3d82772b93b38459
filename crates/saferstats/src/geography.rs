//! ONS geography lookups and the combined geography table (LSOA, ward, local authority, CSP,
//! police force area).
//!
//! ONS publishes the same lookups with column names that change with every vintage
//! (`LSOA11CD, WD19CD, LAD19NM`, `LAD23CD, CSP23NM, PFA23NM`, ...), and derived copies use
//! snake case (`lsoa21_code, ward24_code, ltla24_name`). [`read_lookup`] recognises these shapes
//! from the header, records the vintage (e.g. `LSOA11/WD19/LAD19`) and gives a clear error for
//! any other layout. [`Geography::new`] joins an LSOA lookup and a LAD lookup into one table.
//!
//! ```no_run
//! use saferstats::geography::{read_lookup, Geography, Level};
//! let lsoa = read_lookup("../shared/data/lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz")?;
//! let lad = read_lookup("../shared/data/lookups/ons_LAD19_CSP19_PFA19_EW.csv")?;
//! let geo = Geography::new(&lsoa, Some(&lad))?;
//! assert_eq!(geo.vintage, "LSOA11/WD19/LAD19 + LAD19/CSP19/PFA19");
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::source::{CsvSource, open_path, open_reader};

/// Geographic levels, from smallest to largest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Lower layer super output area.
    Lsoa,
    /// Electoral ward.
    Ward,
    /// Local authority district.
    Lad,
    /// Community Safety Partnership.
    Csp,
    /// Police force area.
    Force,
}

impl Level {
    /// All levels, smallest first.
    pub const ALL: [Level; 5] = [
        Level::Lsoa,
        Level::Ward,
        Level::Lad,
        Level::Csp,
        Level::Force,
    ];

    /// Lower-case name: `lsoa`, `ward`, `lad`, `csp`, `force`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Lsoa => "lsoa",
            Level::Ward => "ward",
            Level::Lad => "lad",
            Level::Csp => "csp",
            Level::Force => "force",
        }
    }

    /// Code column of the geography table, e.g. `ward_code`.
    pub fn code_column(self) -> &'static str {
        match self {
            Level::Lsoa => "lsoa_code",
            Level::Ward => "ward_code",
            Level::Lad => "lad_code",
            Level::Csp => "csp_code",
            Level::Force => "force_code",
        }
    }

    /// Name column of the geography table, e.g. `ward_name`.
    pub fn name_column(self) -> &'static str {
        match self {
            Level::Lsoa => "lsoa_name",
            Level::Ward => "ward_name",
            Level::Lad => "lad_name",
            Level::Csp => "csp_name",
            Level::Force => "force_name",
        }
    }
}

impl FromStr for Level {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lsoa" => Ok(Level::Lsoa),
            "ward" => Ok(Level::Ward),
            "lad" | "ltla" | "local_authority" => Ok(Level::Lad),
            "csp" => Ok(Level::Csp),
            "force" | "pfa" => Ok(Level::Force),
            other => Err(Error::param(
                "level",
                format!("unknown level '{other}'; expected lsoa, ward, lad, csp or force"),
            )),
        }
    }
}

/// The published shapes [`read_lookup`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupKind {
    /// LSOA to ward to local authority (`lsoa_*, ward_*, lad_*` columns).
    LsoaWardLad,
    /// Local authority to CSP to police force area (`lad_*, csp_*, force_*` columns).
    LadCspForce,
    /// LSOA of one census to LSOA of the next (`lsoa_from_code, lsoa_to_code, change_code`).
    LsoaToLsoa,
}

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

/// One table of areas: every LSOA with its ward, local authority and (when a LAD lookup is
/// given) CSP and police force area.
#[derive(Debug, Clone)]
pub struct Geography {
    /// Columns `lsoa_code, lsoa_name, ward_code, ward_name, lad_code, lad_name, csp_code,
    /// csp_name, force_code, force_name`, one row per LSOA.
    pub table: DataFrame,
    /// Vintages of the lookups used, e.g. `LSOA11/WD19/LAD19 + LAD19/CSP19/PFA19`.
    pub vintage: String,
    /// Local authorities of the LSOA lookup missing from the LAD lookup (vintage mismatch).
    pub unmatched_lads: Vec<String>,
    /// Local authorities split between CSPs in the LAD lookup, as `"LAD (CSP, CSP)"`: their
    /// LSOAs have no CSP (an LSOA-level CSP lookup would be needed) and are reported by
    /// counts at CSP level instead of being counted twice.
    pub ambiguous_lads: Vec<String>,
}

impl Geography {
    /// Join an LSOA-to-ward-to-LAD lookup with an optional LAD-to-CSP-to-force lookup.
    pub fn new(lsoa_lookup: &Lookup, lad_lookup: Option<&Lookup>) -> Result<Self> {
        if lsoa_lookup.kind != LookupKind::LsoaWardLad {
            return Err(Error::param(
                "lsoa_lookup",
                format!(
                    "{} is a {:?} lookup; an LSOA to ward to local authority lookup is needed",
                    lsoa_lookup.source, lsoa_lookup.kind
                ),
            ));
        }
        let Some(lad) = lad_lookup else {
            let mut table = lsoa_lookup.table.clone();
            let h = table.height();
            for name in ["csp_code", "csp_name", "force_code", "force_name"] {
                table.with_column(Column::full_null(name.into(), h, &DataType::String))?;
            }
            return Ok(Geography {
                table,
                vintage: lsoa_lookup.vintage.clone(),
                unmatched_lads: Vec::new(),
                ambiguous_lads: Vec::new(),
            });
        };
        if lad.kind != LookupKind::LadCspForce {
            return Err(Error::param(
                "lad_lookup",
                format!(
                    "{} is a {:?} lookup; a local authority to CSP to force lookup is needed",
                    lad.source, lad.kind
                ),
            ));
        }
        // A local authority split between CSPs cannot place its LSOAs in a CSP: its CSP is
        // left empty (and reported) rather than counting its LSOAs twice.
        let per_lad = lad
            .table
            .clone()
            .lazy()
            .group_by_stable([col("lad_code")])
            .agg([
                col("csp_code").n_unique().alias("__n_csp"),
                col("force_code").n_unique().alias("__n_force"),
                col("csp_code").first(),
                col("csp_name").first(),
                col("force_code").first(),
                col("force_name").first(),
            ])
            .collect()?;
        // Lookup tables have hundreds of rows: plain iteration is clearest here.
        let mut csps_of: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        let lad_codes = lad.table.column("lad_code")?.str()?;
        let csp_codes = lad.table.column("csp_code")?.str()?;
        for (l, c) in lad_codes.iter().zip(csp_codes.iter()) {
            if let (Some(l), Some(c)) = (l, c) {
                let entry = csps_of.entry(l.to_string()).or_default();
                if !entry.iter().any(|e| e == c) {
                    entry.push(c.to_string());
                }
            }
        }
        let ambiguous_lads = csps_of
            .iter()
            .filter(|(_, c)| c.len() > 1)
            .map(|(l, c)| format!("{l} ({})", c.join(", ")))
            .collect();
        let split_csp = col("__n_csp").gt(lit(1));
        let split_force = col("__n_force").gt(lit(1));
        let right = per_lad.lazy().select([
            col("lad_code"),
            when(split_csp.clone())
                .then(lit(NULL))
                .otherwise(col("csp_code"))
                .alias("csp_code"),
            when(split_csp)
                .then(lit(NULL))
                .otherwise(col("csp_name"))
                .alias("csp_name"),
            when(split_force.clone())
                .then(lit(NULL))
                .otherwise(col("force_code"))
                .alias("force_code"),
            when(split_force)
                .then(lit(NULL))
                .otherwise(col("force_name"))
                .alias("force_name"),
        ]);
        let table = lsoa_lookup
            .table
            .clone()
            .lazy()
            .join(
                right,
                [col("lad_code")],
                [col("lad_code")],
                JoinArgs::new(JoinType::Left),
            )
            .collect()?;
        let mut unmatched_lads: Vec<String> = Vec::new();
        for l in lsoa_lookup
            .table
            .column("lad_code")?
            .str()?
            .iter()
            .flatten()
        {
            if !csps_of.contains_key(l) && !unmatched_lads.iter().any(|u| u == l) {
                unmatched_lads.push(l.to_string());
            }
        }
        Ok(Geography {
            table,
            vintage: format!("{} + {}", lsoa_lookup.vintage, lad.vintage),
            unmatched_lads,
            ambiguous_lads,
        })
    }

    /// Keep only the LSOAs whose `level` code is one of `codes` (e.g. one CSP).
    pub fn filter(&self, level: Level, codes: &[&str]) -> Result<Self> {
        let wanted = Series::new("wanted".into(), codes);
        let table = self
            .table
            .clone()
            .lazy()
            .filter(col(level.code_column()).is_in(lit(wanted).implode(false), false))
            .collect()?;
        Ok(Geography {
            table,
            vintage: self.vintage.clone(),
            unmatched_lads: self.unmatched_lads.clone(),
            ambiguous_lads: self.ambiguous_lads.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(text: &str) -> Result<Lookup> {
        read_lookup_from_reader(
            "mem.csv",
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
        )
    }

    #[test]
    fn detects_ons_and_snake_case_vintages() {
        let a = lookup(
            "FID,LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM\n1,E1,L1,W1,Ward 1,D1,Dist\n",
        )
        .unwrap();
        assert_eq!(a.kind, LookupKind::LsoaWardLad);
        assert_eq!(a.vintage, "LSOA11/WD19/LAD19");
        let b = lookup("lsoa21_name,lsoa21_code,ward24_name,ward24_code,ltla24_name,ltla24_code\nn,E1,w,W1,d,D1\n")
            .unwrap();
        assert_eq!(b.vintage, "LSOA21/WARD24/LTLA24");
        assert_eq!(b.table.get_column_names()[0].as_str(), "lsoa_code");
        let c = lookup(
            "\u{feff}LAD23CD,LAD23NM,CSP23CD,CSP23NM,PFA23CD,PFA23NM,ObjectId\nD1,d,C1,c,F1,f,1\n",
        )
        .unwrap();
        assert_eq!(c.kind, LookupKind::LadCspForce);
        assert_eq!(c.vintage, "LAD23/CSP23/PFA23");
        let d =
            lookup("lsoa11_name,lsoa11_code,change_code,lsoa21_name,lsoa21_code\na,E1,U,a,E1\n")
                .unwrap();
        assert_eq!(d.kind, LookupKind::LsoaToLsoa);
        assert_eq!(d.vintage, "LSOA11->LSOA21");
    }

    #[test]
    fn unknown_shape_and_duplicates_are_errors() {
        let err = lookup("code,name\nE1,x\n").unwrap_err();
        assert!(matches!(err, Error::UnknownShape { .. }), "{err}");
        let err = lookup("LSOA11CD,WD19CD,LAD19CD\nE1,W1,D1\nE1,W2,D1\n").unwrap_err();
        assert!(matches!(err, Error::Duplicate { .. }), "{err}");
        let err = lookup("LAD19CD,CSP19CD,PFA19CD\nD1,C1,F1\nD1,C1,F1\n").unwrap_err();
        assert!(matches!(err, Error::Duplicate { .. }), "{err}");
        let err = lookup("LSOA11CD,WD19CD,LAD19CD\nE1,,D1\n").unwrap_err();
        assert!(matches!(err, Error::BadValue { line: 2, .. }), "{err}");
    }

    #[test]
    fn geography_joins_and_reports_unmatched() {
        let l = lookup("LSOA11CD,WD19CD,LAD19CD\nE1,W1,D1\nE2,W2,D2\n").unwrap();
        let d = lookup("LAD19CD,CSP19CD,PFA19CD\nD1,C1,F1\n").unwrap();
        let g = Geography::new(&l, Some(&d)).unwrap();
        assert_eq!(g.table.height(), 2);
        assert_eq!(g.unmatched_lads, vec!["D2".to_string()]);
        assert_eq!(g.filter(Level::Csp, &["C1"]).unwrap().table.height(), 1);
        // A LAD split between two CSPs: no CSP for its LSOAs, never a double count.
        let l = lookup("LSOA11CD,WD19CD,LAD19CD\nE1,W1,D1\nE2,W2,D2\n").unwrap();
        let d = lookup("LAD19CD,CSP19CD,PFA19CD\nD1,C1,F1\nD2,C2,F1\nD2,C3,F1\n").unwrap();
        let g = Geography::new(&l, Some(&d)).unwrap();
        assert_eq!(g.table.height(), 2);
        assert_eq!(g.ambiguous_lads, vec!["D2 (C2, C3)".to_string()]);
        assert_eq!(g.table.column("csp_code").unwrap().null_count(), 1);
        assert_eq!(g.table.column("force_code").unwrap().null_count(), 0);
    }
}
