//! The inputs of an assessment (police.uk street records with a geography, or a published
//! monthly counts table), read from files or given in memory, and turned into one dense
//! table of counts per area, crime group and month.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::counts::{CountSpec, PreparedCrimes};
use crate::error::{Error, Result};
use crate::geo::geography::{Geography, Level};
use crate::io::ons_lookup::{Lookup, LookupKind, read_lookup};
use crate::io::ons_population::{Population, read_population};
use crate::io::police_uk::{ASB, PoliceUkData, ReadOptions, read_police_uk, resolve_inputs};
use crate::io::wide_monthly::read_wide_monthly;
use crate::period::{PeriodKind, YearMonth};

/// The headline group of every assessment: every crime but anti-social behaviour.
pub const ALL_CRIME_EXCLUDING_ASB: &str = "All recorded crime excluding ASB";

/// One input file: its role, path, size and SHA-256 (recorded in the manifest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// Which input it is (`police_uk`, `counts`, `lookup`, `lad_lookup`, `population`).
    pub role: String,
    /// The path as given (or the bundled dataset's name).
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
}

impl InputFile {
    /// Describe a file on disk: size and SHA-256 of its bytes.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read.
    pub fn of_path(role: &str, path: &Path) -> Result<InputFile> {
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(io)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut bytes = 0u64;
        loop {
            let n = file.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            bytes += n as u64;
        }
        Ok(InputFile {
            role: role.to_string(),
            path: path.display().to_string(),
            bytes,
            sha256: hex(hasher.finalize().as_slice()),
        })
    }
}

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of bytes in memory, lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(Sha256::digest(bytes).as_slice())
}

/// Where the inputs are, as a config file or the command line gives them.
///
/// Give either `police_uk` (street-level files, folders or globs) with `lookup` (LSOA to ward
/// to local authority) and, for CSP or force areas, `lad_lookup` (local authority to CSP to
/// force); or `counts` (a published wide monthly counts table such as the MPS borough file,
/// area x category x month) with an optional `lad_lookup`. Both need `population` (ONS
/// mid-year estimates by local authority, e.g. MYE4).
///
/// # Examples
///
/// ```
/// use saferstats::assessment::InputPaths;
/// let p: InputPaths = serde_json::from_str(r#"{"counts": "mps.csv.gz", "population": "MYE4.csv"}"#).unwrap();
/// p.check()?;
/// let missing: InputPaths = serde_json::from_str(r#"{"counts": "mps.csv.gz"}"#).unwrap();
/// let err = missing.check().unwrap_err();
/// assert!(matches!(err, saferstats::Error::InvalidParameter { name: "population", .. }));
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InputPaths {
    /// police.uk street-level files, folders or globs.
    pub police_uk: Vec<PathBuf>,
    /// A wide monthly counts table (`MajorText, MinorText, BoroughName, 201004, ...`).
    pub counts: Option<PathBuf>,
    /// The column of `counts` naming the area (default: the first of `area_code`,
    /// `boroughname`, `borough`, `lookup_boroughname`, `area_name`, `area`).
    pub counts_area_column: Option<String>,
    /// The column of `counts` naming the crime category (default: the first of
    /// `crime_type`, `majortext`, `category`).
    pub counts_category_column: Option<String>,
    /// A wide monthly counts table by ward (e.g. the MPS ward file: `MajorText, MinorText,
    /// WardName, WardCode, LookUp_BoroughName, 202307, ...`), for the hotspots of a counts
    /// assessment. Its months may differ from `counts`' (the hotspots then use its own latest
    /// twelve months, and say so).
    pub ward_counts: Option<PathBuf>,
    /// ONS LSOA to ward to local authority lookup (police.uk inputs).
    pub lookup: Option<PathBuf>,
    /// ONS local authority to CSP to police force lookup.
    pub lad_lookup: Option<PathBuf>,
    /// ONS mid-year population estimates (by local authority, or by area at the level
    /// assessed).
    pub population: Option<PathBuf>,
}

fn missing(key: &'static str, why: &str) -> Error {
    Error::param(key, format!("missing: {why}"))
}

fn must_exist(path: &Path) -> Result<()> {
    if path.exists() {
        Ok(())
    } else {
        Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
        })
    }
}

impl InputPaths {
    /// Check that the keys needed are given (not that the files exist).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the missing or conflicting key (`police_uk`,
    /// `counts`, `lookup`, `population`).
    pub fn check(&self) -> Result<()> {
        match (self.police_uk.is_empty(), &self.counts) {
            (true, None) => {
                return Err(missing(
                    "police_uk",
                    "give police_uk (street-level files or folders) or counts (a monthly counts table)",
                ));
            }
            (false, Some(_)) => {
                return Err(Error::param("counts", "give police_uk or counts, not both"));
            }
            (false, None) if self.lookup.is_none() => {
                return Err(missing(
                    "lookup",
                    "police_uk records need an ONS LSOA to ward to local authority lookup",
                ));
            }
            _ => {}
        }
        if self.ward_counts.is_some() && self.counts.is_none() {
            return Err(Error::param(
                "ward_counts",
                "a ward counts table goes with counts (police.uk records give wards through \
                 the lookup)",
            ));
        }
        if self.population.is_none() {
            return Err(missing(
                "population",
                "give ONS mid-year population estimates (e.g. MYE4 by local authority)",
            ));
        }
        Ok(())
    }

    /// Read every input file (after [`InputPaths::check`]), recording each file's size and
    /// SHA-256.
    ///
    /// # Errors
    /// As [`InputPaths::check`]; [`Error::Io`] naming a file that does not exist; the
    /// readers' errors (naming the file, line and column).
    pub fn load(&self) -> Result<Inputs> {
        self.check()?;
        let mut files = Vec::new();
        let population_path = self.population.as_ref().expect("checked");
        for (role, path) in [
            ("lookup", self.lookup.as_ref()),
            ("lad_lookup", self.lad_lookup.as_ref()),
            ("population", Some(population_path)),
            ("counts", self.counts.as_ref()),
            ("ward_counts", self.ward_counts.as_ref()),
        ] {
            if let Some(p) = path {
                must_exist(p)?;
                files.push(InputFile::of_path(role, p)?);
            }
        }
        let population = read_population(population_path, None)?;
        let lad_lookup = self.lad_lookup.as_ref().map(read_lookup).transpose()?;
        if let Some(l) = &lad_lookup
            && l.kind != LookupKind::LadCspForce
        {
            return Err(Error::param(
                "lad_lookup",
                format!(
                    "{} is not a local authority to CSP to force lookup ({:?})",
                    l.source, l.kind
                ),
            ));
        }
        if let Some(counts) = &self.counts {
            let table = read_wide_monthly(counts)?;
            let wards = match &self.ward_counts {
                Some(p) => Some(WardCounts {
                    table: read_wide_monthly(p)?,
                    source: p.display().to_string(),
                }),
                None => None,
            };
            return Ok(Inputs::Counts(CountsInputs {
                table,
                wards,
                source: counts.display().to_string(),
                area_column: self.counts_area_column.clone(),
                category_column: self.counts_category_column.clone(),
                lad_lookup,
                population,
                files,
            }));
        }
        for p in &self.police_uk {
            let text = p.to_string_lossy();
            if !text.contains(['*', '?', '[']) {
                must_exist(p)?;
            }
        }
        let street = resolve_inputs(&self.police_uk)?;
        let mut street_files = street
            .iter()
            .map(|p| InputFile::of_path("police_uk", p))
            .collect::<Result<Vec<_>>>()?;
        street_files.append(&mut files);
        let crimes = read_police_uk(&street, &ReadOptions::default())?;
        let lsoa = read_lookup(self.lookup.as_ref().expect("checked"))?;
        let geography = Geography::new(&lsoa, lad_lookup.as_ref())?;
        Ok(Inputs::PoliceUk(PoliceUkInputs {
            crimes,
            geography,
            population,
            files: street_files,
        }))
    }
}

/// police.uk street records, the geography they are placed in, and populations.
#[derive(Debug, Clone)]
pub struct PoliceUkInputs {
    /// The street records as read (kept rows, set-aside rows, read report).
    pub crimes: PoliceUkData,
    /// LSOA to ward, local authority, CSP and force.
    pub geography: Geography,
    /// Population estimates by local authority (summed to CSPs and forces through the
    /// geography) or by area at the level assessed.
    pub population: Population,
    /// The files read (empty for data given in memory).
    pub files: Vec<InputFile>,
}

/// A published monthly counts table (area x category x month) and populations.
#[derive(Debug, Clone)]
pub struct CountsInputs {
    /// Long table: an area column, a category column, `month` (a Date) and `count`, as
    /// [`read_wide_monthly`] returns (other columns, e.g. `minortext`, are summed over).
    pub table: DataFrame,
    /// Where the table came from (shown in the notes).
    pub source: String,
    /// The area column (default: see [`InputPaths::counts_area_column`]).
    pub area_column: Option<String>,
    /// The category column (default: see [`InputPaths::counts_category_column`]).
    pub category_column: Option<String>,
    /// Counts by ward, for the hotspots (optional).
    pub wards: Option<WardCounts>,
    /// Local authority to CSP to force, to name areas by code, sum populations and find
    /// each area's force; without it each area is taken as its own local authority (as a
    /// London borough is its own CSP).
    pub lad_lookup: Option<Lookup>,
    /// Population estimates by local authority.
    pub population: Population,
    /// The files read (empty for data given in memory).
    pub files: Vec<InputFile>,
}

/// A published monthly counts table by ward, e.g. the MPS ward file read with
/// [`read_wide_monthly`]: a ward code column (`wardcode` or `ward_code`), a ward name column
/// (`wardname` or `ward_name`), the column naming its area (`lookup_boroughname`,
/// `boroughname`, `borough` or `area_code`; matched to the areas as the counts table's are), a
/// category column (as the counts table's), `month` and `count`.
#[derive(Debug, Clone)]
pub struct WardCounts {
    /// The long table.
    pub table: DataFrame,
    /// Where it came from (shown in the notes).
    pub source: String,
}

/// What an assessment is computed from.
// One value per assessment: the size difference between the variants does not matter, and
// boxing would make the variants awkward to build and match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Inputs {
    /// police.uk street records placed in a geography.
    PoliceUk(PoliceUkInputs),
    /// A published monthly counts table.
    Counts(CountsInputs),
}

impl Inputs {
    /// The input files (with sizes and SHA-256), for the manifest.
    pub fn files(&self) -> &[InputFile] {
        match self {
            Inputs::PoliceUk(p) => &p.files,
            Inputs::Counts(c) => &c.files,
        }
    }

    /// The bundled Medway 2014 example (police.uk records, Medway's geography and
    /// populations), with each bundled file named in the manifest.
    ///
    /// # Errors
    /// As [`crate::datasets::medway_2014`].
    #[cfg(feature = "datasets")]
    pub fn medway_2014() -> Result<Inputs> {
        let m = crate::datasets::medway_2014()?;
        // The bundled files, written out once to hash them as they would be on disk.
        let dir = std::env::temp_dir().join(format!(
            "saferstats-medway-2014-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let written = crate::datasets::write_medway_2014(&dir)?;
        let mut files = Vec::new();
        for path in &written {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let role = if name.contains("street") {
                "police_uk"
            } else if name.starts_with("lookup_lsoa") {
                "lookup"
            } else if name.starts_with("lookup_lad") {
                "lad_lookup"
            } else if name.starts_with("population_lad") {
                "population"
            } else {
                continue;
            };
            let mut f = InputFile::of_path(role, path)?;
            f.path = format!("bundled:medway-2014/{name}");
            files.push(f);
        }
        std::fs::remove_dir_all(&dir).ok();
        Ok(Inputs::PoliceUk(PoliceUkInputs {
            crimes: m.crimes,
            geography: m.geography,
            population: m.lad_population,
            files,
        }))
    }

    /// The bundled London example (the MPS borough and ward counts, the Metropolitan Police
    /// area's LAD to CSP to force lookup and the boroughs' populations): the 32 London borough
    /// CSPs, each bundled file named in the manifest.
    ///
    /// # Errors
    /// As [`crate::datasets::london_mps`].
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::assessment::Inputs;
    /// let inputs = Inputs::london_mps()?;
    /// assert_eq!(inputs.files().len(), 4);
    /// assert!(inputs.files()[0].path.starts_with("bundled:london-mps/"));
    /// assert_eq!(inputs.files()[3].role, "ward_counts");
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    #[cfg(feature = "datasets")]
    pub fn london_mps() -> Result<Inputs> {
        use crate::datasets::{
            LONDON_MPS_COUNTS, LONDON_MPS_LAD_LOOKUP, LONDON_MPS_POPULATION, LONDON_MPS_WARDS,
        };
        let london = crate::datasets::london_mps()?;
        let files = [
            ("lad_lookup", LONDON_MPS_LAD_LOOKUP),
            ("population", LONDON_MPS_POPULATION),
            ("counts", LONDON_MPS_COUNTS),
            ("ward_counts", LONDON_MPS_WARDS),
        ]
        .into_iter()
        .map(|(role, (name, bytes))| InputFile {
            role: role.to_string(),
            path: format!("bundled:london-mps/{name}"),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        })
        .collect();
        Ok(Inputs::Counts(CountsInputs {
            table: london.counts,
            wards: Some(WardCounts {
                table: london.ward_counts,
                source: format!("bundled:london-mps/{}", LONDON_MPS_WARDS.0),
            }),
            source: format!("bundled:london-mps/{}", LONDON_MPS_COUNTS.0),
            area_column: None,
            category_column: None,
            lad_lookup: Some(london.lad_lookup),
            population: london.lad_population,
            files,
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// Typed column access.

pub(crate) fn strings(df: &DataFrame, name: &str, what: &str) -> Result<Vec<Option<String>>> {
    let c = df
        .column(name)
        .map_err(|_| Error::missing_column(what, name, df))?
        .cast(&DataType::String)?;
    Ok(c.str()?.iter().map(|s| s.map(str::to_string)).collect())
}

pub(crate) fn floats(df: &DataFrame, name: &str, what: &str) -> Result<Vec<Option<f64>>> {
    let c = df
        .column(name)
        .map_err(|_| Error::missing_column(what, name, df))?
        .cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().collect())
}

pub(crate) fn ints(df: &DataFrame, name: &str, what: &str) -> Result<Vec<Option<i64>>> {
    let c = df
        .column(name)
        .map_err(|_| Error::missing_column(what, name, df))?
        .cast(&DataType::Int64)?;
    Ok(c.i64()?.iter().collect())
}

pub(crate) fn bools(df: &DataFrame, name: &str, what: &str) -> Result<Vec<Option<bool>>> {
    let c = df
        .column(name)
        .map_err(|_| Error::missing_column(what, name, df))?
        .cast(&DataType::Boolean)?;
    Ok(c.bool()?.iter().collect())
}

pub(crate) fn months(df: &DataFrame, name: &str, what: &str) -> Result<Vec<Option<YearMonth>>> {
    let c = df
        .column(name)
        .map_err(|_| Error::missing_column(what, name, df))?;
    if c.dtype() != &DataType::Date {
        return Err(Error::param(
            "counts",
            format!(
                "column '{name}' of {what} must be a Date, found {}",
                c.dtype()
            ),
        ));
    }
    let days = c.cast(&DataType::Int32)?;
    Ok(days
        .i32()?
        .iter()
        .map(|d| d.map(YearMonth::from_epoch_days))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// The cube: counts per area, crime group and month, dense.

/// An area assessed or compared.
#[derive(Debug, Clone)]
pub(crate) struct Area {
    pub code: String,
    pub name: String,
    pub force: Option<String>,
    pub force_name: Option<String>,
    /// Local authorities making up the area (for the population sum), `(code, name)`.
    pub lads: Vec<(String, String)>,
}

/// Counts per area x group x month on the complete grid of the months the data span.
#[derive(Debug, Clone)]
pub(crate) struct Cube {
    pub areas: Vec<Area>,
    /// Crime groups: [`ALL_CRIME_EXCLUDING_ASB`] first, then [`ASB`] when present, then the
    /// crime types in the data's order.
    pub groups: Vec<String>,
    /// First month of the span.
    pub first: YearMonth,
    /// Months in the span (consecutive).
    pub n_months: usize,
    pub covered: BTreeSet<YearMonth>,
    /// `counts[(a * groups + g) * n_months + m]`.
    pub counts: Vec<i64>,
}

impl Cube {
    /// The headline groups of the cube: the total, and ASB when the data have it.
    pub fn headline_groups(&self) -> Vec<String> {
        self.groups
            .iter()
            .take(2)
            .filter(|g| *g == ALL_CRIME_EXCLUDING_ASB || *g == ASB)
            .cloned()
            .collect()
    }

    pub fn month(&self, m: usize) -> YearMonth {
        self.first.plus(m as i32)
    }

    pub fn month_index(&self, m: YearMonth) -> Option<usize> {
        let i = m.index() - self.first.index();
        (i >= 0 && (i as usize) < self.n_months).then_some(i as usize)
    }

    pub fn at(&self, a: usize, g: usize, m: usize) -> i64 {
        self.counts[(a * self.groups.len() + g) * self.n_months + m]
    }

    pub fn group_index(&self, name: &str) -> Option<usize> {
        self.groups.iter().position(|g| g == name)
    }

    /// Build from rows `(area index, category, month, count)`, adding the total of every
    /// category but ASB as [`ALL_CRIME_EXCLUDING_ASB`].
    fn build(
        areas: Vec<Area>,
        categories: Vec<String>,
        covered: BTreeSet<YearMonth>,
        rows: impl Iterator<Item = (usize, usize, YearMonth, i64)>,
    ) -> Result<Cube> {
        let (Some(&first), Some(&last)) = (covered.first(), covered.last()) else {
            return Err(Error::InsufficientPeriods {
                what: "the assessment".into(),
                reason: "the data cover no month".into(),
            });
        };
        let n_months = (last.index() - first.index() + 1) as usize;
        let mut groups = vec![ALL_CRIME_EXCLUDING_ASB.to_string()];
        let asb = categories.iter().position(|c| c == ASB);
        if asb.is_some() {
            groups.push(ASB.to_string());
        }
        let mut slot_of_category = Vec::with_capacity(categories.len());
        for (i, c) in categories.iter().enumerate() {
            if Some(i) == asb {
                slot_of_category.push(1);
            } else {
                slot_of_category.push(groups.len());
                groups.push(c.clone());
            }
        }
        let ng = groups.len();
        let mut counts = vec![0i64; areas.len() * ng * n_months];
        for (a, c, m, n) in rows {
            let mi = (m.index() - first.index()) as usize;
            if mi >= n_months {
                continue;
            }
            let g = slot_of_category[c];
            counts[(a * ng + g) * n_months + mi] += n;
            if Some(c) != asb {
                counts[a * ng * n_months + mi] += n;
            }
        }
        Ok(Cube {
            areas,
            groups,
            first,
            n_months,
            covered,
            counts,
        })
    }
}

/// The column of the records holding the headline group (ASB or the rest), for the ward
/// counts.
const HEADLINE_GROUP: &str = "_headline_group";

/// Ward counts of the two headline groups, for the hotspots.
#[derive(Debug, Clone)]
pub(crate) struct WardCube {
    /// `(ward code, ward name, index of the parent area in the cube)`.
    pub wards: Vec<(String, String, usize)>,
    /// The headline groups (total, and ASB when present).
    pub groups: Vec<String>,
    /// First month of the ward counts' own month axis.
    pub first: YearMonth,
    pub n_months: usize,
    /// Months with ward data.
    pub covered: BTreeSet<YearMonth>,
    /// `counts[(w * groups + g) * n_months + m]`.
    pub counts: Vec<i64>,
    /// Where the ward counts came from, when not the main data (a ward counts table).
    pub source: Option<String>,
}

impl WardCube {
    /// Index of a month on the ward axis.
    pub fn month_index(&self, m: YearMonth) -> Option<usize> {
        let i = m.index() - self.first.index();
        (i >= 0 && (i as usize) < self.n_months).then_some(i as usize)
    }
}

/// Everything the analysis needs, from either kind of input.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub level: Level,
    pub cube: Cube,
    pub wards: Option<WardCube>,
    /// Long population table at the level: `area_code, mid_year, population, source`.
    pub population: DataFrame,
    /// Population description for the notes.
    pub population_note: String,
    pub source: super::model::SourceSummary,
    /// Data-quality notes for every area.
    pub notes: Vec<String>,
    /// Areas of the level in the geography or table that are not in the data (code and a
    /// reason), for "unknown area" errors.
    pub known_elsewhere: BTreeMap<String, String>,
}

/// `(code, name)` of each local authority of each area of `level`, from a geography table or
/// a LAD lookup table (both have `lad_code`, `lad_name` and the level's code column).
fn lads_by_area(
    table: &DataFrame,
    level: Level,
) -> Result<BTreeMap<String, Vec<(String, String)>>> {
    let code = strings(table, level.code_column(), "geography")?;
    let lad = strings(table, "lad_code", "geography")?;
    let lad_name = strings(table, "lad_name", "geography")?;
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for ((c, l), n) in code.into_iter().zip(lad).zip(lad_name) {
        if let (Some(c), Some(l)) = (c, l) {
            let e = out.entry(c).or_default();
            if !e.iter().any(|(x, _)| *x == l) {
                e.push((l, n.unwrap_or_default()));
            }
        }
    }
    Ok(out)
}

/// Each area's force `(code, name)` from a table with `force_code`, `force_name` and the
/// level's code column.
fn force_by_area(table: &DataFrame, level: Level) -> Result<HashMap<String, (String, String)>> {
    if level == Level::Force {
        return Ok(HashMap::new());
    }
    let code = strings(table, level.code_column(), "geography")?;
    let force = strings(table, "force_code", "geography")?;
    let name = strings(table, "force_name", "geography")?;
    let mut out = HashMap::new();
    for ((c, f), n) in code.into_iter().zip(force).zip(name) {
        if let (Some(c), Some(f)) = (c, f) {
            out.entry(c).or_insert((f, n.unwrap_or_default()));
        }
    }
    Ok(out)
}

/// The population at the level: the table itself when its codes are the areas' codes,
/// otherwise local-authority estimates summed to each area. An area-year with a local
/// authority missing is left out (so it is an error where it is needed, never an
/// understated sum) and listed in the returned notes.
fn level_population(
    population: &Population,
    areas: &[Area],
    level: Level,
) -> Result<(DataFrame, String, Vec<String>)> {
    let t = &population.table;
    let codes = strings(t, "area_code", "population")?;
    let years = ints(t, "mid_year", "population")?;
    let values = floats(t, "population", "population")?;
    let mut by: HashMap<(String, i64), f64> = HashMap::new();
    let mut all_years = BTreeSet::new();
    for ((c, y), v) in codes.iter().zip(&years).zip(&values) {
        if let (Some(c), Some(y), Some(v)) = (c, y, v) {
            by.insert((c.clone(), *y), *v);
            all_years.insert(*y);
        }
    }
    let direct = areas.iter().any(|a| {
        all_years
            .iter()
            .any(|y| by.contains_key(&(a.code.clone(), *y)))
    });
    let (mut out_code, mut out_year, mut out_pop) = (Vec::new(), Vec::new(), Vec::new());
    let mut gaps: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let rule;
    if direct || level == Level::Lad {
        rule = format!(
            "{} estimates used as they are (codes of the {} areas)",
            population.source,
            level.name()
        );
        for a in areas {
            for y in &all_years {
                if let Some(v) = by.get(&(a.code.clone(), *y)) {
                    out_code.push(a.code.clone());
                    out_year.push(*y as i32);
                    out_pop.push(*v);
                }
            }
        }
    } else {
        rule = format!(
            "{} local-authority estimates summed to each {} through the LAD lookup",
            population.source,
            level.name()
        );
        for a in areas {
            if a.lads.is_empty() {
                continue;
            }
            for y in &all_years {
                let parts: Vec<Option<f64>> = a
                    .lads
                    .iter()
                    .map(|(l, _)| by.get(&(l.clone(), *y)).copied())
                    .collect();
                if parts.iter().all(Option::is_some) {
                    out_code.push(a.code.clone());
                    out_year.push(*y as i32);
                    out_pop.push(parts.iter().flatten().sum());
                } else if parts.iter().any(Option::is_some) {
                    gaps.entry(a.code.clone()).or_default().push(*y);
                }
            }
        }
    }
    let source = vec![population.source.clone(); out_code.len()];
    let table = DataFrame::new_infer_height(vec![
        Column::new("area_code".into(), out_code),
        Column::new("mid_year".into(), out_year),
        Column::new("population".into(), out_pop),
        Column::new("source".into(), source),
    ])?;
    let notes = gaps
        .into_iter()
        .map(|(a, ys)| {
            format!(
                "population of {a} not summed for mid-{}: a local authority of it has no estimate",
                ys.iter()
                    .map(|y| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", mid-")
            )
        })
        .collect();
    Ok((table, rule, notes))
}

fn join_months(m: &[YearMonth]) -> String {
    m.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn missing_months(covered: &BTreeSet<YearMonth>) -> Vec<YearMonth> {
    let (Some(&a), Some(&b)) = (covered.first(), covered.last()) else {
        return Vec::new();
    };
    (a.index()..=b.index())
        .map(YearMonth::from_index)
        .filter(|m| !covered.contains(m))
        .collect()
}

pub(crate) fn prepare(inputs: &Inputs, level: Level) -> Result<Prepared> {
    match inputs {
        Inputs::PoliceUk(p) => prepare_police_uk(p, level),
        Inputs::Counts(c) => prepare_counts(c, level),
    }
}

fn thousands(n: u64) -> String {
    crate::frame::table::thousands(n as f64)
}

fn prepare_police_uk(p: &PoliceUkInputs, level: Level) -> Result<Prepared> {
    let geo = &p.geography;
    if geo
        .table
        .column(level.code_column())
        .map(|c| c.null_count() == c.len())
        .unwrap_or(true)
    {
        return Err(Error::param(
            "lad_lookup",
            format!(
                "the geography has no {} codes: give a local authority to CSP to force lookup",
                level.name()
            ),
        ));
    }
    let report = &p.crimes.report;
    let covered: BTreeSet<YearMonth> = report.months_covered.iter().copied().collect();
    let crimes = &p.crimes.crimes;
    // Crime types with a null value cannot be a group: leave them out, with a note.
    let mut notes = Vec::new();
    let null_types = crimes
        .column("crime_type")
        .map(|c| c.null_count())
        .unwrap_or(0);
    let crimes = if null_types > 0 {
        notes.push(format!(
            "{} rows without a crime type are left out",
            thousands(null_types as u64)
        ));
        crimes
            .clone()
            .lazy()
            .filter(col("crime_type").is_not_null())
            .collect()?
    } else {
        crimes.clone()
    };
    // The wards need only the two headline groups (ASB and the rest), not every crime type:
    // a grid of wards x 2 x months instead of wards x 15 x months.
    let crimes = crimes
        .lazy()
        .with_column(
            when(col("crime_type").eq(lit(ASB)))
                .then(lit(ASB))
                .otherwise(lit(ALL_CRIME_EXCLUDING_ASB))
                .alias(HEADLINE_GROUP),
        )
        .collect()?;
    let prepared = PreparedCrimes::new(&crimes, geo)?;
    // Under-published force-months travel with the counts, so every table built from them
    // flags the rows that use those months.
    let low = || report.under_published.iter().cloned();
    let mut specs = vec![
        CountSpec::new(level, PeriodKind::Month)
            .by(["crime_type"])
            .coverage(covered.iter().copied())
            .under_published(low()),
    ];
    let with_wards = matches!(level, Level::Csp | Level::Lad | Level::Force);
    if with_wards {
        specs.push(
            CountSpec::new(Level::Ward, PeriodKind::Month)
                .by([HEADLINE_GROUP])
                .coverage(covered.iter().copied())
                .under_published(low()),
        );
    }
    let outs = prepared.counts_many(&specs)?;
    let main = &outs[0];

    // Which areas the data cover: at least half their LSOAs have a row (rows per LSOA counted
    // straight from the records: no LSOA x month grid).
    let per_lsoa = crimes
        .clone()
        .lazy()
        .filter(col("lsoa_code").is_not_null())
        .group_by([col("lsoa_code")])
        .agg([len().alias("rows")])
        .collect()?;
    let mut rows_per_lsoa: HashMap<String, i64> = HashMap::new();
    let lsoa_codes = per_lsoa.column("lsoa_code")?.cast(&DataType::String)?;
    let lsoa_rows = per_lsoa.column("rows")?.cast(&DataType::Int64)?;
    for (c, n) in lsoa_codes.str()?.iter().zip(lsoa_rows.i64()?.iter()) {
        if let (Some(c), Some(n)) = (c, n) {
            rows_per_lsoa.insert(c.to_string(), n);
        }
    }
    let gl = strings(&geo.table, "lsoa_code", "geography")?;
    let gc = strings(&geo.table, level.code_column(), "geography")?;
    let gn = strings(&geo.table, level.name_column(), "geography")?;
    // code -> (name, lsoas, lsoas with rows, rows)
    let mut cover: BTreeMap<String, (String, u64, u64, i64)> = BTreeMap::new();
    for ((l, c), n) in gl.iter().zip(&gc).zip(&gn) {
        if let (Some(l), Some(c)) = (l, c) {
            let e = cover
                .entry(c.clone())
                .or_insert((n.clone().unwrap_or_default(), 0, 0, 0));
            e.1 += 1;
            let rows = rows_per_lsoa.get(l).copied().unwrap_or(0);
            if rows > 0 {
                e.2 += 1;
                e.3 += rows;
            }
        }
    }
    let lads = lads_by_area(&geo.table, level)?;
    let forces = force_by_area(&geo.table, level)?;
    let mut areas = Vec::new();
    let mut known_elsewhere = BTreeMap::new();
    let mut stray: Vec<(String, i64)> = Vec::new();
    for (code, (name, n, with, rows)) in &cover {
        if *with * 2 >= *n && *rows > 0 {
            let f = forces.get(code);
            areas.push(Area {
                code: code.clone(),
                name: name.clone(),
                force: f.map(|x| x.0.clone()),
                force_name: f.map(|x| x.1.clone()),
                lads: lads.get(code).cloned().unwrap_or_default(),
            });
        } else {
            known_elsewhere.insert(
                code.clone(),
                format!(
                    "{name}: the data have rows in {with} of its {n} LSOAs ({} rows); an area is \
                     assessed when at least half its LSOAs have rows",
                    thousands(*rows as u64)
                ),
            );
            if *rows > 0 {
                stray.push((name.clone(), *rows));
            }
        }
    }
    if areas.is_empty() {
        return Err(Error::InsufficientPeriods {
            what: format!("{} areas", level.name()),
            reason: "no area has rows in at least half its LSOAs".into(),
        });
    }
    if !stray.is_empty() {
        let total: i64 = stray.iter().map(|s| s.1).sum();
        stray.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let listed: Vec<String> = stray
            .iter()
            .take(8)
            .map(|(n, r)| format!("{n} ({})", thousands(*r as u64)))
            .collect();
        notes.push(format!(
            "{} rows fall in {} {} areas the data do not cover (fewer than half their LSOAs have \
             rows) and are not assessed: {}{}",
            thousands(total as u64),
            stray.len(),
            level.name(),
            listed.join(", "),
            if stray.len() > 8 { ", ..." } else { "" }
        ));
    }
    let index: HashMap<String, usize> = areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.code.clone(), i))
        .collect();

    // Categories in the counts' order (sorted, nulls last).
    let t = &main.table;
    let codes = strings(t, "area_code", "counts")?;
    let types = strings(t, "crime_type", "counts")?;
    let month = months(t, "period_start", "counts")?;
    let count = ints(t, "count", "counts")?;
    let mut categories: Vec<String> = Vec::new();
    let mut cat_index: HashMap<String, usize> = HashMap::new();
    for ty in types.iter().flatten() {
        if !cat_index.contains_key(ty) {
            cat_index.insert(ty.clone(), categories.len());
            categories.push(ty.clone());
        }
    }
    let rows = (0..t.height()).filter_map(|i| {
        let a = *index.get(codes[i].as_ref()?)?;
        let c = *cat_index.get(types[i].as_deref()?)?;
        Some((a, c, month[i]?, count[i]?))
    });
    let cube = Cube::build(areas, categories, covered.clone(), rows)?;

    let wards = if with_wards {
        Some(ward_cube(&outs[1].table, geo, level, &cube)?)
    } else {
        None
    };

    // Notes on the read and the placing of rows.
    let mut source_notes = Vec::new();
    if report.rows_set_aside > 0 {
        let reasons: Vec<String> = report
            .set_aside_by_reason
            .iter()
            .map(|(r, n)| format!("{} {}", thousands(*n), r.name().replace('_', " ")))
            .collect();
        source_notes.push(format!(
            "the reader set aside {} of {} rows ({})",
            thousands(report.rows_set_aside),
            thousands(report.rows_read),
            reasons.join(", ")
        ));
    }
    let r = &main.report;
    if r.rows_without_lsoa > 0 {
        source_notes.push(format!(
            "{} rows have no location (police.uk \"No Location\") and are in no area",
            thousands(r.rows_without_lsoa)
        ));
    }
    if r.rows_outside_geography > 0 {
        let mut lsoas: Vec<(&String, &u64)> = r.lsoas_outside_geography.iter().collect();
        lsoas.sort_by(|a, b| b.1.cmp(a.1));
        source_notes.push(format!(
            "{} rows are in {} LSOAs not in the geography (unmatched LSOAs{}): {}",
            thousands(r.rows_outside_geography),
            lsoas.len(),
            if geo.vintage.contains("LSOA11") {
                ", e.g. 2021 codes against a 2011 lookup"
            } else {
                ""
            },
            lsoas
                .iter()
                .take(5)
                .map(|(l, n)| format!("{l} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !report.months_missing.is_empty() {
        source_notes.push(format!(
            "months missing inside the data's span (no rows at all): {}",
            join_months(&report.months_missing)
        ));
    }
    if !report.under_published.is_empty() {
        source_notes.push(format!(
            "under-published months (far fewer rows than the force's neighbouring months; \
             counts that include them are incomplete): {}",
            report
                .under_published
                .iter()
                .map(|u| format!(
                    "{} {} ({} rows, {:.0}% of the usual {})",
                    u.force,
                    u.month,
                    thousands(u.rows),
                    u.share * 100.0,
                    thousands(u.typical_rows.round() as u64)
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if !report.unknown_crime_types.is_empty() {
        source_notes.push(format!(
            "unknown crime types kept as their own groups: {}",
            report
                .unknown_crime_types
                .iter()
                .map(|(t, n)| format!("{t} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !geo.unmatched_lads.is_empty() {
        source_notes.push(format!(
            "local authorities of the LSOA lookup missing from the LAD lookup (no CSP or force): {}",
            geo.unmatched_lads.join(", ")
        ));
    }
    if !geo.ambiguous_lads.is_empty() {
        source_notes.push(format!(
            "local authorities split between CSPs (their LSOAs are in no CSP): {}",
            geo.ambiguous_lads.join(", ")
        ));
    }
    notes.extend(source_notes);

    let (population, population_note, pop_notes) =
        level_population(&p.population, &cube.areas, level)?;
    notes.extend(pop_notes);
    let source = super::model::SourceSummary {
        kind: "police_uk".into(),
        description: format!(
            "data.police.uk street-level records: {} files, forces {}",
            report.files.len(),
            report.forces.join(", ")
        ),
        first_month: *covered.first().expect("covered"),
        last_month: *covered.last().expect("covered"),
        months_covered: covered.len() as u32,
        months_missing: missing_months(&covered),
        rows_read: Some(report.rows_read),
        rows_set_aside: Some(report.rows_set_aside),
        rows_counted: r.rows_counted,
        rows_not_placed: r.rows_without_lsoa + r.rows_outside_geography,
        geography: Some(geo.vintage.clone()),
        population: population_note.clone(),
    };
    Ok(Prepared {
        level,
        cube,
        wards,
        population,
        population_note,
        source,
        notes,
        known_elsewhere,
    })
}

/// Ward counts of the headline groups, each ward under its parent area of the cube.
fn ward_cube(table: &DataFrame, geo: &Geography, level: Level, cube: &Cube) -> Result<WardCube> {
    let wc = strings(&geo.table, "ward_code", "geography")?;
    let pc = strings(&geo.table, level.code_column(), "geography")?;
    let parent_of_area: HashMap<&str, usize> = cube
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.code.as_str(), i))
        .collect();
    let mut parent: HashMap<String, usize> = HashMap::new();
    for (w, p) in wc.into_iter().zip(pc) {
        if let (Some(w), Some(p)) = (w, p)
            && let Some(&i) = parent_of_area.get(p.as_str())
        {
            parent.entry(w).or_insert(i);
        }
    }
    // Borrowed strings: the ward table is large (every ward x 2 groups x every month).
    let text = |name: &str| -> Result<StringChunked> {
        Ok(table
            .column(name)
            .map_err(|_| Error::missing_column("ward counts", name, table))?
            .cast(&DataType::String)?
            .str()?
            .clone())
    };
    let (codes, names, types) = (
        text("area_code")?,
        text("area_name")?,
        text(HEADLINE_GROUP)?,
    );
    let codes: Vec<Option<&str>> = codes.iter().collect();
    let names: Vec<Option<&str>> = names.iter().collect();
    let types: Vec<Option<&str>> = types.iter().collect();
    let month = months(table, "period_start", "ward counts")?;
    let count = ints(table, "count", "ward counts")?;
    let groups = cube.headline_groups();
    let mut wards: Vec<(String, String, usize)> = Vec::new();
    let mut ward_index: HashMap<String, usize> = HashMap::new();
    for (c, n) in codes.iter().zip(&names) {
        if let Some(c) = *c
            && let Some(&p) = parent.get(c)
            && !ward_index.contains_key(c)
        {
            ward_index.insert(c.to_string(), wards.len());
            wards.push((c.to_string(), n.unwrap_or_default().to_string(), p));
        }
    }
    let ng = groups.len();
    let n_months = cube.n_months;
    let mut counts = vec![0i64; wards.len() * ng * n_months];
    for i in 0..table.height() {
        let (Some(c), Some(t), Some(m), Some(n)) = (codes[i], types[i], month[i], count[i]) else {
            continue;
        };
        let Some(&w) = ward_index.get(c) else {
            continue;
        };
        let Some(mi) = cube.month_index(m) else {
            continue;
        };
        if t == ASB {
            if ng > 1 {
                counts[(w * ng + 1) * n_months + mi] += n;
            }
        } else {
            counts[(w * ng) * n_months + mi] += n;
        }
    }
    Ok(WardCube {
        wards,
        groups,
        first: cube.month(0),
        n_months,
        covered: cube.covered.clone(),
        counts,
        source: None,
    })
}

/// Names compared loosely: case, "&" for "and", punctuation and spaces ignored.
fn name_key(name: &str) -> String {
    name.to_lowercase()
        .replace('&', " and ")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn looks_like_code(s: &str) -> bool {
    s.len() == 9
        && s.as_bytes()[0].is_ascii_uppercase()
        && s.as_bytes()[1..].iter().all(u8::is_ascii_digit)
}

fn first_present(df: &DataFrame, candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|c| df.schema().contains(c))
        .map(|c| c.to_string())
}

/// The ward cube of a counts assessment from a ward counts table: each ward placed in the
/// area its area column names (matched as the counts table's areas are: by code, or by name
/// loosely), on the ward table's own month axis; rows in units that are not areas are set
/// aside and named in a note.
fn counts_ward_cube(
    w: &WardCounts,
    cube: &Cube,
    counts_category_column: &str,
    by_name: &HashMap<String, String>,
) -> Result<(WardCube, Vec<String>)> {
    let t = &w.table;
    let code_col = first_present(t, &["wardcode", "ward_code"])
        .ok_or_else(|| Error::missing_column(&w.source, "wardcode (or ward_code)", t))?;
    let name_col = first_present(t, &["wardname", "ward_name"])
        .ok_or_else(|| Error::missing_column(&w.source, "wardname (or ward_name)", t))?;
    let area_col = first_present(
        t,
        &[
            "lookup_boroughname",
            "boroughname",
            "borough",
            "area_code",
            "area_name",
        ],
    )
    .ok_or_else(|| Error::missing_column(&w.source, "lookup_boroughname (or area_code)", t))?;
    let cat_col = if t.schema().contains(counts_category_column) {
        counts_category_column.to_string()
    } else {
        first_present(t, &["crime_type", "majortext", "category"])
            .ok_or_else(|| Error::missing_column(&w.source, "majortext (or crime_type)", t))?
    };
    let codes = strings(t, &code_col, &w.source)?;
    let names = strings(t, &name_col, &w.source)?;
    let parents = strings(t, &area_col, &w.source)?;
    let cats = strings(t, &cat_col, &w.source)?;
    let month = months(t, "month", &w.source)?;
    let count = ints(t, "count", &w.source)?;
    let area_index: HashMap<&str, usize> = cube
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.code.as_str(), i))
        .collect();
    let mut parent_of: HashMap<String, Option<usize>> = HashMap::new();
    let groups = cube.headline_groups();
    let ng = groups.len();
    let covered: BTreeSet<YearMonth> = month.iter().flatten().copied().collect();
    let (Some(&first), Some(&last)) = (covered.first(), covered.last()) else {
        return Err(Error::InsufficientPeriods {
            what: w.source.clone(),
            reason: "the ward counts cover no month".into(),
        });
    };
    let n_months = (last.index() - first.index() + 1) as usize;
    let mut wards: Vec<(String, String, usize)> = Vec::new();
    let mut ward_index: HashMap<String, usize> = HashMap::new();
    let mut counts: Vec<i64> = Vec::new();
    let mut set_aside: BTreeMap<String, i64> = BTreeMap::new();
    for i in 0..t.height() {
        let (Some(code), Some(parent), Some(cat), Some(m), Some(n)) = (
            codes[i].as_deref(),
            parents[i].as_deref(),
            cats[i].as_deref(),
            month[i],
            count[i],
        ) else {
            continue;
        };
        let p = *parent_of.entry(parent.to_string()).or_insert_with(|| {
            let code = if looks_like_code(parent) {
                Some(parent.to_string())
            } else {
                by_name.get(&name_key(parent)).cloned()
            };
            code.and_then(|c| area_index.get(c.as_str()).copied())
        });
        let Some(p) = p else {
            *set_aside.entry(parent.to_string()).or_default() += n;
            continue;
        };
        let wi = match ward_index.get(code) {
            Some(&wi) => wi,
            None => {
                ward_index.insert(code.to_string(), wards.len());
                wards.push((code.to_string(), names[i].clone().unwrap_or_default(), p));
                counts.resize(wards.len() * ng * n_months, 0);
                wards.len() - 1
            }
        };
        let mi = (m.index() - first.index()) as usize;
        let g = if name_key(cat) == name_key(ASB) {
            if ng < 2 {
                continue;
            }
            1
        } else {
            0
        };
        counts[(wi * ng + g) * n_months + mi] += n;
    }
    let mut notes = vec![format!(
        "hotspots: wards from {} ({} wards, {} {} to {} {})",
        w.source,
        wards.len(),
        first.month_abbr(),
        first.year,
        last.month_abbr(),
        last.year
    )];
    if !set_aside.is_empty() {
        notes.push(format!(
            "{} crimes of {} are in units that are not areas assessed and are left out of the \
             hotspots: {}",
            thousands(set_aside.values().sum::<i64>() as u64),
            w.source,
            set_aside
                .iter()
                .map(|(k, n)| format!("{k} ({})", thousands(*n as u64)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok((
        WardCube {
            wards,
            groups,
            first,
            n_months,
            covered,
            counts,
            source: Some(w.source.clone()),
        },
        notes,
    ))
}

fn prepare_counts(c: &CountsInputs, level: Level) -> Result<Prepared> {
    if !matches!(level, Level::Csp | Level::Lad | Level::Force) {
        return Err(Error::param(
            "level",
            format!(
                "a counts table is assessed at csp, lad or force level, not {}",
                level.name()
            ),
        ));
    }
    let t = &c.table;
    let area_col = match &c.area_column {
        Some(a) => a.clone(),
        None => first_present(
            t,
            &[
                "area_code",
                "boroughname",
                "borough",
                "lookup_boroughname",
                "area_name",
                "area",
            ],
        )
        .ok_or_else(|| Error::missing_column(&c.source, "boroughname (or area_code)", t))?,
    };
    let cat_col = match &c.category_column {
        Some(a) => a.clone(),
        None => first_present(t, &["crime_type", "majortext", "category"])
            .ok_or_else(|| Error::missing_column(&c.source, "majortext (or crime_type)", t))?,
    };
    let values = strings(t, &area_col, &c.source)?;
    let cats = strings(t, &cat_col, &c.source)?;
    let month = months(t, "month", &c.source)?;
    let count = ints(t, "count", &c.source)?;

    // Candidate areas: code -> (name, force, force name, LADs).
    let mut candidates: BTreeMap<String, Area> = BTreeMap::new();
    let mut notes = Vec::new();
    if let Some(lookup) = &c.lad_lookup {
        let lads = lads_by_area(&lookup.table, level)?;
        let forces = force_by_area(&lookup.table, level)?;
        let codes = strings(&lookup.table, level.code_column(), "lad lookup")?;
        let names = strings(&lookup.table, level.name_column(), "lad lookup")?;
        for (code, name) in codes.into_iter().zip(names) {
            if let Some(code) = code {
                let f = forces.get(&code);
                candidates.entry(code.clone()).or_insert(Area {
                    name: name.unwrap_or_default(),
                    force: f.map(|x| x.0.clone()),
                    force_name: f.map(|x| x.1.clone()),
                    lads: lads.get(&code).cloned().unwrap_or_default(),
                    code,
                });
            }
        }
    } else {
        if level == Level::Force {
            return Err(missing(
                "lad_lookup",
                "force areas of a counts table need a local authority to CSP to force lookup",
            ));
        }
        notes.push(format!(
            "no LAD lookup: each area of {} is taken as its own local authority (as a London \
             borough is its own CSP), with the population's codes",
            c.source
        ));
        let pt = &c.population.table;
        for (code, name) in strings(pt, "area_code", "population")?
            .into_iter()
            .zip(strings(pt, "area_name", "population")?)
        {
            if let Some(code) = code {
                let name = name.unwrap_or_default();
                candidates.entry(code.clone()).or_insert(Area {
                    lads: vec![(code.clone(), name.clone())],
                    code,
                    name,
                    force: None,
                    force_name: None,
                });
            }
        }
    }
    let by_name: HashMap<String, String> = candidates
        .values()
        .map(|a| (name_key(&a.name), a.code.clone()))
        .collect();
    let codes_given = values.iter().flatten().all(|v| looks_like_code(v));
    let mut resolved: HashMap<String, Option<String>> = HashMap::new();
    for v in values.iter().flatten() {
        if resolved.contains_key(v) {
            continue;
        }
        let code = if codes_given {
            Some(v.clone())
        } else {
            by_name.get(&name_key(v)).cloned()
        };
        resolved.insert(v.clone(), code);
    }
    let mut used: BTreeSet<String> = resolved.values().flatten().cloned().collect();
    let areas: Vec<Area> = used
        .iter()
        .map(|code| {
            candidates.get(code).cloned().unwrap_or_else(|| Area {
                code: code.clone(),
                name: code.clone(),
                force: None,
                force_name: None,
                lads: vec![(code.clone(), code.clone())],
            })
        })
        .collect();
    if areas.is_empty() {
        return Err(Error::param(
            "counts_area_column",
            format!(
                "no value of column '{area_col}' of {} names a {} area{}",
                c.source,
                level.name(),
                if c.lad_lookup.is_none() {
                    " of the population file"
                } else {
                    " of the LAD lookup"
                }
            ),
        ));
    }
    let index: HashMap<&str, usize> = areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.code.as_str(), i))
        .collect();
    let mut categories: Vec<String> = Vec::new();
    let mut cat_index: HashMap<String, usize> = HashMap::new();
    let mut covered = BTreeSet::new();
    let mut set_aside: BTreeMap<String, i64> = BTreeMap::new();
    let mut rows = Vec::new();
    let mut total = 0i64;
    for i in 0..t.height() {
        let (Some(v), Some(cat), Some(m), Some(n)) =
            (values[i].as_deref(), cats[i].as_deref(), month[i], count[i])
        else {
            continue;
        };
        covered.insert(m);
        total += n;
        let cased;
        let cat = if name_key(cat) == name_key(ASB) {
            ASB
        } else if cat.chars().any(|c| c.is_alphabetic()) && !cat.chars().any(|c| c.is_lowercase()) {
            // MPS categories are in capitals: "VIOLENCE AGAINST THE PERSON" reads as
            // "Violence against the person".
            let lower = cat.to_lowercase();
            let mut chars = lower.chars();
            cased = chars
                .next()
                .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                .unwrap_or_default();
            cased.as_str()
        } else {
            cat
        };
        let ci = match cat_index.get(cat) {
            Some(&ci) => ci,
            None => {
                cat_index.insert(cat.to_string(), categories.len());
                categories.push(cat.to_string());
                categories.len() - 1
            }
        };
        match resolved.get(v).and_then(|c| c.as_deref()) {
            Some(code) => rows.push((index[code], ci, m, n)),
            None => *set_aside.entry(v.to_string()).or_default() += n,
        }
    }
    // Categories in a stable order: sorted by name.
    let mut order: Vec<usize> = (0..categories.len()).collect();
    order.sort_by(|a, b| categories[*a].cmp(&categories[*b]));
    let mut remap = vec![0usize; categories.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old] = new;
    }
    let sorted: Vec<String> = order.iter().map(|&i| categories[i].clone()).collect();
    let has_asb = sorted.iter().any(|c| c == ASB);
    let counted: i64 = rows.iter().map(|r| r.3).sum();
    let cube = Cube::build(
        areas,
        sorted,
        covered.clone(),
        rows.into_iter().map(|(a, ci, m, n)| (a, remap[ci], m, n)),
    )?;
    if !set_aside.is_empty() {
        let rows_aside: i64 = set_aside.values().sum();
        notes.push(format!(
            "{} crimes of {} (all its months) are in units that are not {} areas and are not \
             assessed: {}",
            thousands(rows_aside as u64),
            c.source,
            level.name(),
            set_aside
                .iter()
                .map(|(k, n)| format!("{k} ({})", thousands(*n as u64)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !has_asb {
        notes.push(format!(
            "{} has no anti-social behaviour category: the ASB group is not reported",
            c.source
        ));
    }
    let gaps = missing_months(&covered);
    if !gaps.is_empty() {
        notes.push(format!(
            "months missing inside the table's span: {}",
            join_months(&gaps)
        ));
    }
    let known_elsewhere: BTreeMap<String, String> = candidates
        .keys()
        .filter(|k| !used.contains(*k))
        .map(|k| {
            (
                k.clone(),
                format!("{}: not in {}", candidates[k].name, c.source),
            )
        })
        .collect();
    used.clear();
    let (population, population_note, pop_notes) =
        level_population(&c.population, &cube.areas, level)?;
    notes.extend(pop_notes);
    let source = super::model::SourceSummary {
        kind: "counts".into(),
        description: format!(
            "published monthly counts {} (areas from '{area_col}', categories from '{cat_col}')",
            c.source
        ),
        first_month: *covered.first().expect("covered"),
        last_month: *covered.last().expect("covered"),
        months_covered: covered.len() as u32,
        months_missing: gaps,
        rows_read: Some(t.height() as u64),
        rows_set_aside: None,
        rows_counted: counted as u64,
        rows_not_placed: (total - counted) as u64,
        geography: c.lad_lookup.as_ref().map(|l| l.vintage.clone()),
        population: population_note.clone(),
    };
    let wards = match &c.wards {
        Some(w) => {
            let (cube_of_wards, ward_notes) = counts_ward_cube(w, &cube, &cat_col, &by_name)?;
            notes.extend(ward_notes);
            Some(cube_of_wards)
        }
        None => None,
    };
    Ok(Prepared {
        level,
        cube,
        wards,
        population,
        population_note,
        source,
        notes,
        known_elsewhere,
    })
}
