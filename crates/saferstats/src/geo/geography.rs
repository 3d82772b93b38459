//! ONS geography lookups and the combined geography table (LSOA, ward, local authority, CSP,
//! police force area).
//!
//! ONS publishes the same lookups with column names that change with every vintage
//! (`LSOA11CD, WD19CD, LAD19NM`, `LAD23CD, CSP23NM, PFA23NM`, ...), and derived copies use
//! snake case (`lsoa21_code, ward24_code, ltla24_name`). [`read_lookup`](crate::io::ons_lookup::read_lookup) recognises these shapes
//! from the header, records the vintage (e.g. `LSOA11/WD19/LAD19`) and gives a clear error for
//! any other layout. [`Geography::new`] joins an LSOA lookup and a LAD lookup into one table.
//!
//! ```no_run
//! use saferstats::geo::geography::Geography;
//! use saferstats::io::ons_lookup::read_lookup;
//! let lsoa = read_lookup("../shared/data/lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz")?;
//! let lad = read_lookup("../shared/data/lookups/ons_LAD19_CSP19_PFA19_EW.csv")?;
//! let geo = Geography::new(&lsoa, Some(&lad))?;
//! assert_eq!(geo.vintage, "LSOA11/WD19/LAD19 + LAD19/CSP19/PFA19");
//! # Ok::<(), saferstats::Error>(())
//! ```

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::ons_lookup::{Lookup, LookupKind};

/// Geographic levels, from smallest to largest.
///
/// A word-valued option ([`crate::choice::Choice`], parameter `level`): `lsoa`, `ward`, `lad`
/// (`ltla`, `local_authority`), `csp`, `force` (`pfa`, `police_force`).
///
/// # Examples
///
/// ```
/// use saferstats::geo::geography::Level;
/// assert_eq!("PFA".parse::<Level>()?, Level::Force);
/// assert_eq!("local authority".parse::<Level>()?, Level::Lad);
/// assert_eq!(Level::Csp.to_string(), "csp");
/// assert!("county".parse::<Level>().is_err());
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    ///
    /// ```
    /// use saferstats::geo::geography::Level;
    /// assert_eq!(Level::ALL.first(), Some(&Level::Lsoa));
    /// assert_eq!(Level::ALL.last(), Some(&Level::Force));
    /// ```
    pub const ALL: [Level; 5] = [
        Level::Lsoa,
        Level::Ward,
        Level::Lad,
        Level::Csp,
        Level::Force,
    ];

    /// Lower-case name: `lsoa`, `ward`, `lad`, `csp`, `force` (the `level` column of counts).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::geo::geography::Level;
    /// let names: Vec<_> = Level::ALL.iter().map(|l| l.name()).collect();
    /// assert_eq!(names, ["lsoa", "ward", "lad", "csp", "force"]);
    /// ```
    pub fn name(self) -> &'static str {
        crate::choice::Choice::name(self)
    }

    /// Code column of the geography table, e.g. `ward_code`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::geo::geography::Level;
    /// assert_eq!(Level::Ward.code_column(), "ward_code");
    /// let medway = saferstats::datasets::medway_2014()?;
    /// assert!(medway.geography.table.column(Level::Force.code_column()).is_ok());
    /// # Ok::<(), saferstats::Error>(())
    /// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::geo::geography::Level;
    /// assert_eq!(Level::Ward.name_column(), "ward_name");
    /// assert_eq!(Level::Lad.name_column(), "lad_name");
    /// ```
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

crate::choice::choice!(Level, "level", {
    Lsoa => "lsoa",
    Ward => "ward",
    Lad => "lad" | "ltla" | "local_authority",
    Csp => "csp",
    Force => "force" | "pfa" | "police_force",
});

/// One table of areas: every LSOA with its ward, local authority and (when a LAD lookup is
/// given) CSP and police force area.
///
/// # Examples
///
/// ```
/// let medway = saferstats::datasets::medway_2014()?;
/// let geo = &medway.geography;
/// assert_eq!(geo.table.height(), 163); // Medway's LSOAs (2011)
/// assert_eq!(geo.vintage, "LSOA11/WD19/LAD19 + LAD19/CSP19/PFA19");
/// assert!(geo.unmatched_lads.is_empty() && geo.ambiguous_lads.is_empty());
/// # Ok::<(), saferstats::Error>(())
/// ```
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
    ///
    /// Without a LAD lookup the `csp_*` and `force_*` columns are all null (counts at CSP or
    /// force level are then refused). With one, a local authority missing from it is listed in
    /// [`Geography::unmatched_lads`] (its LSOAs get no CSP or force), and one split between
    /// CSPs in [`Geography::ambiguous_lads`] (its LSOAs get no CSP, so they are never counted
    /// twice). `vintage` joins both lookups' vintages with `" + "`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] (`lsoa_lookup` or `lad_lookup`) when a lookup is of the
    /// wrong [`LookupKind`]; [`Error::Polars`] if the join fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::geo::geography::Geography;
    /// let medway = saferstats::datasets::medway_2014()?;
    /// let lsoa_only = Geography::new(&medway.lsoa_lookup, None)?;
    /// assert_eq!(lsoa_only.table.height(), 163);
    /// assert_eq!(lsoa_only.table.column("csp_code")?.null_count(), 163);
    /// assert_eq!(lsoa_only.vintage, "LSOA11/WD19/LAD19");
    /// // An LSOA lookup is not a LAD lookup.
    /// let err = Geography::new(&medway.lsoa_lookup, Some(&medway.lsoa_lookup)).unwrap_err();
    /// assert!(matches!(err, saferstats::Error::InvalidParameter { name: "lad_lookup", .. }));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
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

    /// A geography from a table already in the combined shape (one row per LSOA with
    /// `lsoa_code`, `ward_code`, `ward_name`, `lad_code`, `lad_name` and, for CSP and force
    /// counts, `csp_*` and `force_*` columns), e.g. one saved by a caller or filtered in Python.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] when `lsoa_code` is absent; [`Error::Duplicate`] when an LSOA
    /// appears twice (each of its crimes would be counted twice).
    ///
    /// # Examples
    /// ```
    /// use saferstats::geo::geography::Geography;
    /// use saferstats::polars::prelude::*;
    /// let t = df!("lsoa_code" => ["E1", "E1"], "ward_code" => ["W1", "W2"])?;
    /// let err = Geography::from_table(t, "mine").unwrap_err().to_string();
    /// assert!(err.contains("E1"), "{err}");
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn from_table(table: DataFrame, vintage: impl Into<String>) -> Result<Self> {
        let lsoa = table
            .column(Level::Lsoa.code_column())
            .map_err(|_| Error::missing_column("geography", Level::Lsoa.code_column(), &table))?
            .cast(&DataType::String)?;
        let mut seen = std::collections::HashSet::with_capacity(lsoa.len());
        for code in lsoa.str()?.iter().flatten() {
            if !seen.insert(code) {
                return Err(Error::Duplicate {
                    source_name: "geography".into(),
                    what: "LSOA (each LSOA must belong to one ward, or its crimes count twice)",
                    key: code.to_string(),
                });
            }
        }
        Ok(Geography {
            table,
            vintage: vintage.into(),
            unmatched_lads: Vec::new(),
            ambiguous_lads: Vec::new(),
        })
    }

    /// Keep only the LSOAs whose `level` code is one of `codes` (e.g. one CSP). The vintage and
    /// the unmatched and ambiguous lists are kept as they are.
    ///
    /// # Errors
    ///
    /// [`Error::Polars`] when the table has no code column for `level` (a table from
    /// [`Geography::from_table`] without it).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::geo::geography::Level;
    /// let medway = saferstats::datasets::medway_2014()?;
    /// let ward = medway.geography.filter(Level::Ward, &["E05002249"])?; // Chatham Central
    /// assert!(ward.table.height() > 0 && ward.table.height() < 163);
    /// assert_eq!(ward.table.column("ward_code")?.n_unique()?, 1);
    /// assert_eq!(medway.geography.filter(Level::Csp, &["nowhere"])?.table.height(), 0);
    /// # Ok::<(), saferstats::Error>(())
    /// ```
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
    use crate::io::ons_lookup::read_lookup_from_reader;

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
