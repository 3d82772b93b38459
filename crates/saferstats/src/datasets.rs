//! Bundled example datasets, real open data under the Open Government Licence v3.0: Medway
//! (Kent) 2014 street-level records (attribution in `data/medway-2014/LICENCE-DATA.md`) and
//! the Metropolitan Police's monthly borough counts April 2010 to September 2023 with the
//! London boroughs' CSP lookup and populations (`data/london-mps/LICENCE-DATA.md`).
//!
//! The files are compiled into the library (about 1.2 MB), so examples, the quickstart and
//! the command-line job run with nothing else installed, and they go through the same readers
//! as files on disk.
//!
//! ```
//! let medway = saferstats::datasets::medway_2014()?;
//! assert_eq!(medway.crimes.report.rows_read, 25_118);
//! assert_eq!(medway.geography.table.height(), 163);
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::io::Read;
use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;

use crate::error::{Error, Result};
use crate::geo::geography::Geography;
use crate::io::ons_lookup::{Lookup, read_lookup_from_reader};
use crate::io::ons_population::{Population, read_population_from_reader};
use crate::io::police_uk::{PoliceUkData, ReadOptions, read_police_uk_from_readers};
use crate::io::wide_monthly::read_wide_monthly_from_reader;

macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../data/medway-2014/", $name)) as &[u8])),*]
    };
}

const STREET: &[(&str, &[u8])] = bundled!(
    "2014-01-kent-street.csv.gz",
    "2014-02-kent-street.csv.gz",
    "2014-03-kent-street.csv.gz",
    "2014-04-kent-street.csv.gz",
    "2014-05-kent-street.csv.gz",
    "2014-06-kent-street.csv.gz",
    "2014-07-kent-street.csv.gz",
    "2014-08-kent-street.csv.gz",
    "2014-09-kent-street.csv.gz",
    "2014-10-kent-street.csv.gz",
    "2014-11-kent-street.csv.gz",
);
const LSOA_LOOKUP: &[u8] =
    include_bytes!("../data/medway-2014/lookup_lsoa11_wd19_lad19_medway.csv");
const LAD_LOOKUP: &[u8] = include_bytes!("../data/medway-2014/lookup_lad19_csp19_pfa19_medway.csv");
const LAD_POPULATION: &[u8] =
    include_bytes!("../data/medway-2014/population_lad_mid2011_to_mid2023_medway.csv");
const WARD_POPULATION: &[u8] =
    include_bytes!("../data/medway-2014/population_ward_mid2017_medway.csv");

const OTHER_FILES: &[(&str, &[u8])] = &[
    ("lookup_lsoa11_wd19_lad19_medway.csv", LSOA_LOOKUP),
    ("lookup_lad19_csp19_pfa19_medway.csv", LAD_LOOKUP),
    (
        "population_lad_mid2011_to_mid2023_medway.csv",
        LAD_POPULATION,
    ),
    ("population_ward_mid2017_medway.csv", WARD_POPULATION),
    (
        "LICENCE-DATA.md",
        include_bytes!("../data/medway-2014/LICENCE-DATA.md"),
    ),
];

/// Write the bundled Medway 2014 files (street CSVs, lookups, populations, licence) into
/// `dir`, creating it; returns the paths written. Useful to try the file readers.
///
/// Writes sixteen files: the eleven gzipped monthly street files
/// (`2014-01-kent-street.csv.gz` ... `2014-11-kent-street.csv.gz`), the two lookups, the two
/// population files and `LICENCE-DATA.md`. Existing files of the same names are overwritten.
///
/// # Errors
///
/// [`Error::Io`] naming the folder or file that could not be created or written.
///
/// # Examples
///
/// ```
/// use saferstats::datasets::write_medway_2014;
/// use saferstats::io::police_uk::{read_police_uk, ReadOptions};
/// let dir = std::env::temp_dir().join(format!("saferstats-doc-{}", std::process::id()));
/// let written = write_medway_2014(&dir)?;
/// assert_eq!(written.len(), 16);
/// assert!(written.iter().all(|p| p.is_file()));
/// let crimes = read_police_uk(&[dir.join("2014-01-kent-street.csv.gz")], &ReadOptions::default())?;
/// assert_eq!(crimes.report.months_covered.len(), 1);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn write_medway_2014(dir: &Path) -> Result<Vec<PathBuf>> {
    let io = |path: &Path, source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut written = Vec::new();
    for (name, bytes) in STREET.iter().chain(OTHER_FILES) {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| io(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

fn reader(bytes: &'static [u8]) -> Box<dyn Read> {
    Box::new(std::io::Cursor::new(bytes))
}

/// The Medway 2014 example: street-level crimes, geography, and populations.
///
/// Medway is one unitary authority, one CSP and 22 wards of the Kent Police area; the street
/// files are Kent's, cut to Medway's 163 LSOAs (2011).
///
/// # Examples
///
/// ```
/// let medway = saferstats::datasets::medway_2014()?;
/// assert_eq!(medway.crimes.crimes.height(), 25_117); // one duplicated Crime ID set aside
/// assert_eq!(medway.crimes.report.months_covered.len(), 11); // January to November 2014
/// assert_eq!(medway.lad_population.table.height(), 13); // mid-2011 to mid-2023
/// assert_eq!(medway.ward_population.table.height(), 22);
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ExampleData {
    /// Street-level crimes Jan-Nov 2014 read with default [`ReadOptions`].
    pub crimes: PoliceUkData,
    /// LSOA11 to WD19 to LAD19 plus LAD19 to CSP19 to PFA19.
    pub geography: Geography,
    /// The LSOA lookup on its own.
    pub lsoa_lookup: Lookup,
    /// Medway's ONS mid-year estimates 2011-2023 (MYE4, June 2023 release).
    pub lad_population: Population,
    /// Medway's 22 wards, ONS mid-2017 estimates.
    pub ward_population: Population,
}

/// Load the bundled Medway 2014 example dataset, read with the default [`ReadOptions`]
/// (later rows of a duplicated Crime ID set aside; rows without a location or with an unknown
/// crime type kept and flagged).
///
/// The bytes are compiled in and parsed on each call by the same readers as files on disk.
///
/// # Errors
///
/// None in practice: the bundled files are fixed. The readers' errors
/// ([`Error::BadValue`], [`Error::UnknownShape`], ...) would be returned if they were corrupt.
///
/// # Examples
///
/// ```
/// use saferstats::{counts::{counts, CountSpec}, geo::geography::Level, period::PeriodKind};
/// let medway = saferstats::datasets::medway_2014()?;
/// assert_eq!(medway.crimes.report.rows_read, 25_118);
/// let out = counts(&medway.crimes.crimes, &medway.geography,
///                  &CountSpec::new(Level::Csp, PeriodKind::CalendarYear))?;
/// assert_eq!(out.table.column("count")?.i64()?.get(0), Some(25_117));
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn medway_2014() -> Result<ExampleData> {
    medway_2014_with(&ReadOptions::default())
}

/// As [`medway_2014`], with chosen read options (e.g. keeping duplicated Crime IDs).
/// [`ReadOptions::cache_dir`] has no effect: the bundled files are in-memory sources, which
/// are always parsed.
///
/// # Errors
///
/// As [`medway_2014`].
///
/// # Examples
///
/// ```
/// use saferstats::datasets::medway_2014_with;
/// use saferstats::io::police_uk::{Handling, ReadOptions};
/// let keep_all = ReadOptions { duplicate_crime_id: Handling::Keep, ..ReadOptions::default() };
/// let medway = medway_2014_with(&keep_all)?;
/// assert_eq!(medway.crimes.report.rows_kept, 25_118);
/// assert_eq!(medway.crimes.report.rows_set_aside, 0);
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn medway_2014_with(options: &ReadOptions) -> Result<ExampleData> {
    let sources = STREET
        .iter()
        .map(|(name, bytes)| (format!("medway-2014/{name}"), reader(bytes)))
        .collect();
    let crimes = read_police_uk_from_readers(sources, options)?;
    let lsoa_lookup = read_lookup_from_reader(
        "medway-2014/lookup_lsoa11_wd19_lad19_medway.csv",
        reader(LSOA_LOOKUP),
    )?;
    let lad_lookup = read_lookup_from_reader(
        "medway-2014/lookup_lad19_csp19_pfa19_medway.csv",
        reader(LAD_LOOKUP),
    )?;
    let geography = Geography::new(&lsoa_lookup, Some(&lad_lookup))?;
    Ok(ExampleData {
        crimes,
        geography,
        lsoa_lookup,
        lad_population: read_population_from_reader(
            "population_lad_mid2011_to_mid2023_medway.csv",
            reader(LAD_POPULATION),
            None,
        )?,
        ward_population: read_population_from_reader(
            "population_ward_mid2017_medway.csv",
            reader(WARD_POPULATION),
            None,
        )?,
    })
}

/// The bundled London files: `(name, bytes)` of the MPS borough counts, the LAD to CSP to
/// force lookup of the Metropolitan Police area and the boroughs' MYE4 populations.
pub(crate) const LONDON_MPS_COUNTS: (&str, &[u8]) = (
    "MPS_Borough_Level_Crime_Historical_201004-202309.csv.gz",
    include_bytes!("../data/london-mps/MPS_Borough_Level_Crime_Historical_201004-202309.csv.gz"),
);
pub(crate) const LONDON_MPS_WARDS: (&str, &[u8]) = (
    "MPS_Ward_Level_Crime_most_recent_24_months_202307-202506.csv.gz",
    include_bytes!(
        "../data/london-mps/MPS_Ward_Level_Crime_most_recent_24_months_202307-202506.csv.gz"
    ),
);
pub(crate) const LONDON_MPS_LAD_LOOKUP: (&str, &[u8]) = (
    "lookup_lad19_csp19_pfa19_london.csv",
    include_bytes!("../data/london-mps/lookup_lad19_csp19_pfa19_london.csv"),
);
pub(crate) const LONDON_MPS_POPULATION: (&str, &[u8]) = (
    "population_lad_mid2011_to_mid2023_london.csv",
    include_bytes!("../data/london-mps/population_lad_mid2011_to_mid2023_london.csv"),
);

/// The London example: the Metropolitan Police's published monthly counts by borough, major
/// and minor category (April 2010 to September 2023), with what a CSP assessment of the 32
/// London boroughs needs.
///
/// # Examples
///
/// ```
/// let london = saferstats::datasets::london_mps()?;
/// assert_eq!(london.counts.get_column_names(), ["majortext", "minortext", "boroughname", "month", "count"]);
/// assert_eq!(london.lad_lookup.table.height(), 32); // the boroughs: one CSP each
/// assert_eq!(london.lad_population.table.height(), 32 * 13); // mid-2011 to mid-2023
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LondonData {
    /// The MPS borough file read with [`read_wide_monthly_from_reader`]: `majortext`,
    /// `minortext`, `boroughname`, `month` (a Date) and `count`, one row per month of each
    /// published row. Besides the 32 boroughs, `boroughname` has the units "London Heathrow
    /// and London City Airports" and "Unknown", which are not CSPs.
    pub counts: DataFrame,
    /// LAD19 to CSP19 to PFA19 rows of the Metropolitan Police area (32 boroughs, each its own
    /// CSP; the City of London is a force of its own and not in the MPS file).
    pub lad_lookup: Lookup,
    /// The 32 boroughs' ONS mid-year estimates 2011-2023 (MYE4, June 2023 release).
    pub lad_population: Population,
    /// The MPS ward file (July 2023 to June 2025, the London wards of 2022): `majortext`,
    /// `minortext`, `wardname`, `wardcode`, `lookup_boroughname`, `month` and `count`. Its
    /// months do not overlap the borough file's; besides the boroughs, `lookup_boroughname`
    /// has the unit "Aviation Security (SO18)" (the airports), which is not a CSP.
    pub ward_counts: DataFrame,
}

/// Load the bundled London example (MPS borough counts, the boroughs' CSP lookup and their
/// populations). The bytes are compiled in and parsed on each call by the same readers as
/// files on disk.
///
/// # Errors
///
/// None in practice: the bundled files are fixed (the readers' errors otherwise).
///
/// # Examples
///
/// ```
/// use polars::prelude::*;
/// let london = saferstats::datasets::london_mps()?;
/// let months = london.counts.column("month")?.n_unique()?;
/// assert_eq!(months, 162); // April 2010 to September 2023
/// let boroughs = london.counts.column("boroughname")?.n_unique()?;
/// assert_eq!(boroughs, 34); // 32 boroughs, the airports and "Unknown"
/// assert_eq!(london.ward_counts.column("month")?.n_unique()?, 24); // July 2023 to June 2025
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn london_mps() -> Result<LondonData> {
    let (counts_name, counts_bytes) = LONDON_MPS_COUNTS;
    let (lookup_name, lookup_bytes) = LONDON_MPS_LAD_LOOKUP;
    let (population_name, population_bytes) = LONDON_MPS_POPULATION;
    let (wards_name, wards_bytes) = LONDON_MPS_WARDS;
    Ok(LondonData {
        ward_counts: read_wide_monthly_from_reader(
            &format!("london-mps/{wards_name}"),
            reader(wards_bytes),
        )?,
        counts: read_wide_monthly_from_reader(
            &format!("london-mps/{counts_name}"),
            reader(counts_bytes),
        )?,
        lad_lookup: read_lookup_from_reader(
            &format!("london-mps/{lookup_name}"),
            reader(lookup_bytes),
        )?,
        lad_population: read_population_from_reader(
            &format!("london-mps/{population_name}"),
            reader(population_bytes),
            None,
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn london_mps_reads_the_bundled_files_whole() {
        let london = london_mps().unwrap();
        // 949 published rows x 162 months, zeros included.
        assert_eq!(london.counts.height(), 949 * 162);
        let total: i64 = london
            .counts
            .column("count")
            .unwrap()
            .as_materialized_series()
            .cast(&DataType::Int64)
            .unwrap()
            .sum()
            .unwrap();
        assert!(total > 10_000_000, "{total}");
        let csps = london.lad_lookup.table.column("csp_code").unwrap();
        assert_eq!(csps.n_unique().unwrap(), 32);
        let pop = &london.lad_population.table;
        let westminster_2022 = pop
            .clone()
            .lazy()
            .filter(
                col("area_code")
                    .eq(lit("E09000033"))
                    .and(col("mid_year").eq(lit(2022))),
            )
            .collect()
            .unwrap();
        assert_eq!(westminster_2022.height(), 1);
    }
}
