//! Counts per area, group and period on the complete grid, zeros included.
//!
//! Every area of the chosen level in the geography appears for every group and every period, so
//! a ward with no burglary in March has a row with `count = 0` rather than no row. Rows that
//! cannot be placed in an area (no LSOA code, or an LSOA not in the geography, e.g. outside the
//! force's own area) are reported in [`CountReport`], never lost. Each period carries
//! `months_expected`, `months_covered` and `complete`, so partial periods are visible.
//!
//! [`counts`] counts one table. For many tables of the same crimes (a strategic assessment asks
//! for dozens), [`PreparedCrimes`] places the rows in the geography once, on integer indices,
//! and counts each table in one pass over those indices.
//!
//! ```no_run
//! use saferstats::{counts::{counts, CountSpec}, geo::geography::*, period::PeriodKind};
//! use saferstats::io::{ons_lookup::read_lookup, police_uk::*};
//! let crimes = read_police_uk(&["../shared/data/police-uk/kent-2014"], &ReadOptions::default())?;
//! let geo = Geography::new(&read_lookup("../shared/data/lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz")?, None)?;
//! let spec = CountSpec::new(Level::Ward, PeriodKind::Month).by(["crime_type"]);
//! let report = counts(&crimes.crimes, &geo, &spec)?.report;
//! assert_eq!(report.rows_in, report.rows_counted + report.rows_without_lsoa + report.rows_outside_geography + report.rows_outside_periods);
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::frame::Output;
use crate::geo::geography::{Geography, Level};
use crate::io::police_uk::{ASB, CRIME_TYPES, UnderPublished, columns as street};
use crate::period::{PeriodKind, YearMonth, columns as pc, period_table};
use crate::schema::{AREA_CODE, AREA_NAME, COUNT, Keys, LEVEL, MONTHS_UNDER_PUBLISHED};

/// What to count: level, grouping columns, period kind, and the months the data covers.
///
/// Built with [`CountSpec::new`] and the [`CountSpec::by`] and [`CountSpec::coverage`]
/// builders, or deserialised (`level` and `period` as words, e.g. `"ward"`, `"fy"`; `level`,
/// `by` and `period` are required, `coverage` may be left out).
///
/// # Examples
///
/// ```
/// use saferstats::counts::CountSpec;
/// use saferstats::geo::geography::Level;
/// use saferstats::period::{PeriodKind, YearMonth};
/// let spec = CountSpec::new(Level::Csp, PeriodKind::FinancialYear)
///     .by(["crime_type"])
///     .coverage((1..=12).map(|m| YearMonth::new(2014, m).unwrap()));
/// assert_eq!(spec.by, ["crime_type"]);
/// assert_eq!(spec.coverage.as_ref().map(|c| c.len()), Some(12));
/// let same: CountSpec = serde_json::from_str(
///     r#"{"level": "csp", "by": ["crime_type"], "period": "fy", "coverage": null}"#,
/// ).unwrap();
/// assert_eq!((same.level, same.period), (Level::Csp, PeriodKind::FinancialYear));
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CountSpec {
    /// Geographic level of the output areas.
    pub level: Level,
    /// Columns of the input frame to group by (e.g. `crime_type`), besides area and period.
    pub by: Vec<String>,
    /// Period kind.
    pub period: PeriodKind,
    /// Months the data covers (from the read report). Default: months present in the input.
    pub coverage: Option<BTreeSet<YearMonth>>,
    /// Force-months published with far fewer rows than usual (the read report's
    /// `under_published`). When given, the table gains `months_under_published`: per row, the
    /// months of its period in which a force whose records fall in the area under-published.
    /// Needs the crimes' `falls_within` column. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub under_published: Vec<UnderPublished>,
}

impl CountSpec {
    /// Count by area and period only, over the months present in the input.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::CountSpec;
    /// use saferstats::geo::geography::Level;
    /// use saferstats::period::PeriodKind;
    /// let spec = CountSpec::new(Level::Ward, PeriodKind::Month);
    /// assert!(spec.by.is_empty() && spec.coverage.is_none());
    /// ```
    pub fn new(level: Level, period: PeriodKind) -> Self {
        CountSpec {
            level,
            by: Vec::new(),
            period,
            coverage: None,
            under_published: Vec::new(),
        }
    }

    /// Also group by these columns (replacing any given before).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::CountSpec;
    /// use saferstats::geo::geography::Level;
    /// use saferstats::period::PeriodKind;
    /// let spec = CountSpec::new(Level::Ward, PeriodKind::Month).by(["crime_type"]);
    /// assert_eq!(spec.by, ["crime_type"]);
    /// ```
    pub fn by<I: IntoIterator<Item = S>, S: Into<String>>(mut self, by: I) -> Self {
        self.by = by.into_iter().map(Into::into).collect();
        self
    }

    /// Set the months the data covers (e.g. `report.months_covered`). Months of the covered
    /// span that are missing from this set make their periods partial; input rows in months
    /// outside every period are counted in [`CountReport::rows_outside_periods`].
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::CountSpec;
    /// use saferstats::geo::geography::Level;
    /// use saferstats::period::{PeriodKind, YearMonth};
    /// let medway = saferstats::datasets::medway_2014()?;
    /// let spec = CountSpec::new(Level::Lad, PeriodKind::Quarter)
    ///     .coverage(medway.crimes.report.months_covered.iter().copied());
    /// assert_eq!(spec.coverage.as_ref().unwrap().last(), YearMonth::new(2014, 11).as_ref());
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn coverage(mut self, months: impl IntoIterator<Item = YearMonth>) -> Self {
        self.coverage = Some(months.into_iter().collect());
        self
    }

    /// Mark the force-months the read report found under-published
    /// (`report.under_published`): the table gains `months_under_published`, and rates,
    /// change and seasonality computed from it flag the rows that use those months.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::{counts, CountSpec};
    /// use saferstats::geo::geography::Level;
    /// use saferstats::io::police_uk::UnderPublished;
    /// use saferstats::period::{PeriodKind, YearMonth};
    /// let medway = saferstats::datasets::medway_2014()?;
    /// let march = UnderPublished {
    ///     force: "Kent Police".into(), month: YearMonth::new(2014, 3).unwrap(),
    ///     rows: 500, typical_rows: 2_300.0, share: 500.0 / 2_300.0,
    /// };
    /// let spec = CountSpec::new(Level::Csp, PeriodKind::Quarter).under_published([march]);
    /// let out = counts(&medway.crimes.crimes, &medway.geography, &spec)?;
    /// let flagged: Vec<u32> =
    ///     out.table.column("months_under_published")?.u32()?.into_no_null_iter().collect();
    /// assert_eq!(flagged, [1, 0, 0, 0]); // 2014 Q1 holds March
    /// assert_eq!(out.report.rows_under_published, 1);
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn under_published(mut self, months: impl IntoIterator<Item = UnderPublished>) -> Self {
        self.under_published = months.into_iter().collect();
        self
    }
}

/// Where every input row went.
///
/// `rows_in = rows_counted + rows_without_lsoa + rows_outside_geography +
/// rows_outside_periods`, and the table has `areas × groups × periods` rows.
///
/// # Examples
///
/// ```
/// use saferstats::{counts::{counts, CountSpec}, geo::geography::Level, period::PeriodKind};
/// let medway = saferstats::datasets::medway_2014()?;
/// let spec = CountSpec::new(Level::Ward, PeriodKind::Quarter).by(["crime_type"]);
/// let out = counts(&medway.crimes.crimes, &medway.geography, &spec)?;
/// let r = &out.report;
/// assert_eq!(r.rows_in, r.rows_counted + r.rows_without_lsoa + r.rows_outside_geography + r.rows_outside_periods);
/// assert_eq!((r.areas, r.groups, r.periods), (22, 14, 4));
/// assert_eq!(out.table.height() as u64, r.areas * r.groups * r.periods);
/// assert_eq!(r.partial_periods, ["2014 Q4"]);
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CountReport {
    /// The key columns of the table: `area_code`, `period` and these grouping columns.
    pub keys: Keys,
    /// Rows in the input frame.
    pub rows_in: u64,
    /// Rows counted in some area and period.
    pub rows_counted: u64,
    /// Rows with no LSOA code (police.uk "No Location" rows).
    pub rows_without_lsoa: u64,
    /// Rows whose LSOA is not in the geography (outside the area studied, or another vintage).
    pub rows_outside_geography: u64,
    /// Rows whose month lies outside the periods counted (only when `coverage` is given).
    pub rows_outside_periods: u64,
    /// The LSOA codes outside the geography, with their row counts.
    pub lsoas_outside_geography: BTreeMap<String, u64>,
    /// Areas of the grid: every area of the level in the geography.
    pub areas: u64,
    /// Groups of the grid: distinct combinations of the `by` columns in the input (1 without
    /// `by`; 0 when the grid has no area or no period).
    pub groups: u64,
    /// Periods of the grid.
    pub periods: u64,
    /// Periods not fully covered by the data.
    pub partial_periods: Vec<String>,
    /// Rows of the table whose period holds an under-published month of a force in the area
    /// (see [`CountSpec::under_published`]).
    #[serde(default)]
    pub rows_under_published: u64,
}

fn require_column(df: &DataFrame, name: &str, what: &str) -> Result<()> {
    if df.schema().contains(name) {
        Ok(())
    } else {
        Err(Error::missing_column(what, name, df))
    }
}

/// Months present in a frame's `month` column (a `Date`); nulls are ignored.
///
/// # Errors
///
/// [`Error::MissingColumn`] without a `month` column; [`Error::InvalidParameter`] (`crimes`)
/// when `month` is not a `Date`.
///
/// # Examples
///
/// ```
/// use saferstats::counts::months_in;
/// use saferstats::period::YearMonth;
/// let medway = saferstats::datasets::medway_2014()?;
/// let months = months_in(&medway.crimes.crimes)?;
/// assert_eq!(months.len(), 11);
/// assert_eq!(months.first(), YearMonth::new(2014, 1).as_ref());
/// assert_eq!(months, medway.crimes.report.months_covered.iter().copied().collect());
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn months_in(frame: &DataFrame) -> Result<BTreeSet<YearMonth>> {
    require_column(frame, "month", "crimes frame")?;
    let month = frame.column("month")?;
    if month.dtype() != &DataType::Date {
        return Err(Error::param(
            "crimes",
            format!("column 'month' must be a Date, found {}", month.dtype()),
        ));
    }
    let days = month.cast(&DataType::Int32)?;
    Ok(days
        .i32()?
        .unique()?
        .iter()
        .flatten()
        .map(YearMonth::from_epoch_days)
        .collect())
}

/// Count rows of `crimes` (columns `month: Date`, `lsoa_code`, and the `by` columns) per area,
/// group and period, on the complete grid. See the module docs.
///
/// The table has columns `level, area_code, area_name`, the `by` columns, `period,
/// period_start, period_end, months_expected, months_covered, complete, count`, one row per
/// area × group × period (areas by code, groups sorted with nulls last, periods in order),
/// absent combinations with `count = 0`. Its key columns are declared in
/// [`CountReport::keys`] for the frame functions.
///
/// This places the crimes in the geography ([`PreparedCrimes::new`]) and counts one table; for
/// several tables of the same crimes, prepare once and call [`PreparedCrimes::counts`] or
/// [`PreparedCrimes::counts_many`].
///
/// # Errors
///
/// - [`Error::MissingColumn`] when `crimes` lacks `lsoa_code`, `month` or a `by` column, or
///   the geography lacks the level's code column.
/// - [`Error::InvalidParameter`]: `by` naming a reserved column (`area_code`, `area_name`,
///   `count`, `period`, `month`); `crimes` when `month` is not a `Date`; `level` when the
///   geography has no codes at that level (CSP and force need a LAD lookup).
/// - [`Error::Duplicate`] when the geography lists an LSOA twice.
/// - [`Error::Polars`] if a join or group-by fails (e.g. `lsoa_code` not text).
///
/// # Examples
///
/// ```
/// use saferstats::{counts::{counts, CountSpec}, geo::geography::Level, period::PeriodKind};
/// use saferstats::polars::prelude::*;
/// let medway = saferstats::datasets::medway_2014()?;
/// let spec = CountSpec::new(Level::Lad, PeriodKind::Quarter)
///     .coverage(medway.crimes.report.months_covered.iter().copied());
/// let out = counts(&medway.crimes.crimes, &medway.geography, &spec)?;
/// let q: Vec<i64> = out.table.column("count")?.i64()?.into_no_null_iter().collect();
/// assert_eq!(q, [6088, 7134, 7257, 4638]);
/// assert_eq!(out.table.column("complete")?.bool()?.get(3), Some(false)); // Oct-Nov only
/// assert_eq!(out.report.rows_counted, 25_117);
/// // The geography has no CSP codes without a LAD lookup.
/// let lsoa_only = saferstats::geo::geography::Geography::new(&medway.lsoa_lookup, None)?;
/// let err = counts(&medway.crimes.crimes, &lsoa_only, &CountSpec::new(Level::Csp, PeriodKind::Month));
/// assert!(matches!(err, Err(saferstats::Error::InvalidParameter { name: "level", .. })));
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn counts(
    crimes: &DataFrame,
    geography: &Geography,
    spec: &CountSpec,
) -> Result<Output<CountReport>> {
    require_column(crimes, "lsoa_code", "crimes frame")?;
    check_by(crimes, &spec.by)?;
    PreparedCrimes::new(crimes, geography)?.counts(spec)
}

fn check_by(crimes: &DataFrame, by: &[String]) -> Result<()> {
    for b in by {
        require_column(crimes, b, "crimes frame")?;
        if crate::schema::RESERVED.contains(&b.as_str()) || b == "month" {
            return Err(Error::param(
                "by",
                format!(
                    "cannot group by '{b}': saferstats defines that column itself; rename it \
                     (grouping columns are the caller's own, e.g. crime_type)"
                ),
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Crimes placed in the geography once, counted many times on integer keys.

/// No index: a crime row whose LSOA is not in the geography, a geography row with no code at
/// a level, a month outside every period.
const NONE: u32 = u32::MAX;
/// No month: a null `month` (any other date counts in its month).
const NO_MONTH: i32 = i32::MIN;

/// Crimes joined to a geography once, for many count tables.
///
/// [`counts`] places every row in the geography, numbers the groups and builds the grid for
/// each table it is asked for. A strategic assessment asks for many tables of the same crimes
/// (CSP by crime type by year, ward by month, ...): `PreparedCrimes` does the placing once.
///
/// - **Once, in [`PreparedCrimes::new`]:** each row's `lsoa_code` becomes the row index of its
///   LSOA in the geography table (one hash lookup per row), and its `month` a month index
///   ([`YearMonth::index`]). Rows without an LSOA, rows whose LSOA is not in the geography and
///   the months present are recorded here.
/// - **Once per level, on first use:** the level's areas (codes and names, sorted by code) and,
///   for each geography row, the index of its area; from the geography table only (thousands of
///   rows).
/// - **Once per list of `by` columns, on first use:** the groups (distinct combinations, sorted
///   with nulls last) and each row's group index.
/// - **Per table:** one pass over the rows adds each to a dense array indexed by area, group
///   and period (months, for rolling years); the complete grid is then read off that array in
///   output order, and only at the end are the text columns (area code and name, group values,
///   period labels and coverage) gathered from the small area, group and period tables.
///
/// Tables and reports equal [`counts`]'s, which prepares and counts one table.
///
/// # Errors
///
/// [`PreparedCrimes::new`]: [`Error::MissingColumn`] without `lsoa_code` or `month` (or a
/// geography without `lsoa_code`); [`Error::InvalidParameter`] (`crimes`) when `month` is not a
/// `Date`; [`Error::Duplicate`] when the geography lists an LSOA twice; [`Error::Polars`] when
/// `lsoa_code` is not text. [`PreparedCrimes::counts`]: as [`counts`].
///
/// # Examples
///
/// ```
/// use saferstats::counts::{counts, CountSpec, PreparedCrimes};
/// use saferstats::{geo::geography::Level, period::PeriodKind};
/// let medway = saferstats::datasets::medway_2014()?;
/// let (crimes, geo) = (&medway.crimes.crimes, &medway.geography);
/// let prepared = PreparedCrimes::new(crimes, geo)?;
/// let specs = [
///     CountSpec::new(Level::Csp, PeriodKind::CalendarYear).by(["crime_type"]),
///     CountSpec::new(Level::Ward, PeriodKind::Month),
/// ];
/// let tables = prepared.counts_many(&specs)?;
/// for (spec, out) in specs.iter().zip(&tables) {
///     let one = counts(crimes, geo, spec)?;
///     assert!(out.table.equals_missing(&one.table));
///     assert_eq!(out.report.rows_counted, one.report.rows_counted);
/// }
/// assert_eq!(prepared.rows_in(), 25_117);
/// # Ok::<(), saferstats::Error>(())
/// ```
pub struct PreparedCrimes {
    /// The input rows (columns shared, not copied): the source of the grouping columns.
    crimes: DataFrame,
    /// The geography table.
    geography: DataFrame,
    /// Per crime row: its LSOA's row in the geography table, or [`NONE`].
    geo_row: Vec<u32>,
    /// Per crime row: its month index, or [`NO_MONTH`].
    month: Vec<i32>,
    /// Per geography row: crime rows in its LSOA.
    rows_per_geo_row: Vec<u64>,
    months_present: BTreeSet<YearMonth>,
    rows_without_lsoa: u64,
    lsoas_outside_geography: BTreeMap<String, u64>,
    levels: std::sync::Mutex<std::collections::HashMap<Level, Arc<LevelIndex>>>,
    groups: std::sync::Mutex<std::collections::HashMap<Vec<String>, Arc<GroupIndex>>>,
}

impl std::fmt::Debug for PreparedCrimes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedCrimes")
            .field("rows_in", &self.rows_in())
            .field("geography_rows", &self.geography.height())
            .field("months_present", &self.months_present)
            .field("rows_without_lsoa", &self.rows_without_lsoa)
            .field("rows_outside_geography", &self.rows_outside_geography())
            .finish_non_exhaustive()
    }
}

/// The areas of one level, numbered.
struct LevelIndex {
    /// Output areas: columns `area_code, area_name` (the geography's dtypes), distinct pairs
    /// sorted by code.
    areas: DataFrame,
    /// Per output area: the index of its code among the distinct codes.
    code_of_area: Vec<u32>,
    /// Distinct codes (areas counted into).
    n_codes: usize,
    /// Per geography row: the index of its code, or [`NONE`] when it has none at this level.
    code_of_geo_row: Vec<u32>,
    /// Crime rows in LSOAs that have no code at this level (e.g. no CSP for a local authority
    /// split between CSPs): reported with the LSOAs outside the geography.
    lsoas_without_code: BTreeMap<String, u64>,
}

/// The groups of one list of `by` columns, numbered.
struct GroupIndex {
    /// The groups: distinct combinations of the `by` columns (their dtypes), sorted with nulls
    /// last. No columns and one row without `by`.
    table: DataFrame,
    /// Number of groups.
    n: usize,
    /// Per crime row: its group (empty without `by`).
    codes: Vec<u32>,
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Index columns `ix` of `joined` scattered to the row numbers in its `row` column.
fn scatter(joined: &DataFrame, row: &str, ix: &str, height: usize) -> Result<Vec<u32>> {
    let rows = joined.column(row)?.cast(&DataType::UInt32)?;
    let ixs = joined.column(ix)?.cast(&DataType::UInt32)?;
    let mut out = vec![NONE; height];
    for (r, i) in rows.u32()?.iter().zip(ixs.u32()?.iter()) {
        if let (Some(r), Some(i)) = (r, i) {
            out[r as usize] = i;
        }
    }
    Ok(out)
}

impl PreparedCrimes {
    /// Place every row of `crimes` (columns `month: Date` and `lsoa_code`) in `geography`:
    /// one pass over the rows. See the type's docs.
    ///
    /// # Errors
    ///
    /// [`Error::MissingColumn`] without `lsoa_code` or `month` (or a geography without
    /// `lsoa_code`); [`Error::InvalidParameter`] (`crimes`) when `month` is not a `Date`;
    /// [`Error::Duplicate`] when the geography lists an LSOA twice; [`Error::Polars`] when
    /// `lsoa_code` is not text.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::PreparedCrimes;
    /// use saferstats::polars::prelude::*;
    /// let medway = saferstats::datasets::medway_2014()?;
    /// let prepared = PreparedCrimes::new(&medway.crimes.crimes, &medway.geography)?;
    /// assert_eq!(prepared.months_present().len(), 11);
    /// let no_month = df!("lsoa_code" => ["E01016016"])?;
    /// let err = PreparedCrimes::new(&no_month, &medway.geography).unwrap_err();
    /// assert!(matches!(err, saferstats::Error::MissingColumn { .. }));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn new(crimes: &DataFrame, geography: &Geography) -> Result<Self> {
        require_column(crimes, "lsoa_code", "crimes frame")?;
        let months_present = months_in(crimes)?;
        let geo = &geography.table;
        require_column(geo, "lsoa_code", "geography")?;
        let geo_lsoa = geo.column("lsoa_code")?.str()?;
        let mut row_of: PlHashMap<&str, u32> = PlHashMap::with_capacity(geo_lsoa.len());
        for (i, code) in geo_lsoa.iter().enumerate() {
            if let Some(code) = code
                && row_of.insert(code, i as u32).is_some()
            {
                return Err(Error::Duplicate {
                    source_name: "geography".into(),
                    what: "LSOA (each LSOA must belong to one ward, or its crimes count twice)",
                    key: code.to_string(),
                });
            }
        }

        let n = crimes.height();
        let lsoa = crimes.column("lsoa_code")?.str()?;
        let mut geo_row = Vec::with_capacity(n);
        let mut rows_per_geo_row = vec![0u64; geo.height()];
        let mut outside: PlHashMap<&str, u64> = PlHashMap::new();
        let mut rows_without_lsoa = 0u64;
        // police.uk files list their rows by LSOA: most rows repeat the previous row's code.
        let mut last: Option<(&str, u32)> = None;
        for code in lsoa.iter() {
            let row = match code {
                None => {
                    rows_without_lsoa += 1;
                    NONE
                }
                Some(code) => {
                    let row = match last {
                        Some((l, row)) if l == code => row,
                        _ => row_of.get(code).copied().unwrap_or(NONE),
                    };
                    last = Some((code, row));
                    if row == NONE {
                        *outside.entry(code).or_default() += 1;
                    } else {
                        rows_per_geo_row[row as usize] += 1;
                    }
                    row
                }
            };
            geo_row.push(row);
        }
        let lsoas_outside_geography = outside
            .into_iter()
            .map(|(code, n)| (code.to_string(), n))
            .collect();

        // Crimes come month by month: convert each run of equal dates once.
        let days = crimes.column("month")?.cast(&DataType::Int32)?;
        let mut month = Vec::with_capacity(n);
        let mut last: Option<(i32, i32)> = None;
        for d in days.i32()?.iter() {
            month.push(match d {
                None => NO_MONTH,
                Some(d) => match last {
                    Some((day, ix)) if day == d => ix,
                    _ => {
                        // Any day counts in its month (as `months_in` reads it).
                        let ix = YearMonth::from_epoch_days(d).index();
                        last = Some((d, ix));
                        ix
                    }
                },
            });
        }

        Ok(PreparedCrimes {
            crimes: crimes.clone(),
            geography: geo.clone(),
            geo_row,
            month,
            rows_per_geo_row,
            months_present,
            rows_without_lsoa,
            lsoas_outside_geography,
            levels: Default::default(),
            groups: Default::default(),
        })
    }

    /// Rows of the input frame.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::PreparedCrimes;
    /// let medway = saferstats::datasets::medway_2014()?;
    /// let prepared = PreparedCrimes::new(&medway.crimes.crimes, &medway.geography)?;
    /// assert_eq!(prepared.rows_in(), medway.crimes.crimes.height() as u64);
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn rows_in(&self) -> u64 {
        self.geo_row.len() as u64
    }

    /// Rows with no LSOA code.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::PreparedCrimes;
    /// // The bundled street files hold Medway's LSOAs only, so every row has a code.
    /// let medway = saferstats::datasets::medway_2014()?;
    /// let prepared = PreparedCrimes::new(&medway.crimes.crimes, &medway.geography)?;
    /// assert_eq!(prepared.rows_without_lsoa(), 0);
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn rows_without_lsoa(&self) -> u64 {
        self.rows_without_lsoa
    }

    /// Rows whose LSOA is not in the geography (a count may add rows whose LSOA has no code at
    /// its level).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::PreparedCrimes;
    /// use saferstats::geo::geography::Level;
    /// let medway = saferstats::datasets::medway_2014()?;
    /// // One ward's LSOAs only: every other crime is outside this geography.
    /// let ward = medway.geography.filter(Level::Ward, &["E05002249"])?;
    /// let prepared = PreparedCrimes::new(&medway.crimes.crimes, &ward)?;
    /// let outside = prepared.rows_outside_geography();
    /// assert!(outside > 0 && outside < prepared.rows_in());
    /// assert_eq!(outside, prepared.lsoas_outside_geography().values().sum::<u64>());
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn rows_outside_geography(&self) -> u64 {
        self.lsoas_outside_geography.values().sum()
    }

    /// The LSOA codes not in the geography, with their row counts.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::PreparedCrimes;
    /// use saferstats::geo::geography::Level;
    /// let medway = saferstats::datasets::medway_2014()?;
    /// let ward = medway.geography.filter(Level::Ward, &["E05002249"])?;
    /// let prepared = PreparedCrimes::new(&medway.crimes.crimes, &ward)?;
    /// let outside = prepared.lsoas_outside_geography();
    /// assert!(!outside.is_empty() && outside.len() <= 163 - ward.table.height()); // other LSOAs
    /// assert!(outside.keys().all(|lsoa| lsoa.starts_with("E01")));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn lsoas_outside_geography(&self) -> &BTreeMap<String, u64> {
        &self.lsoas_outside_geography
    }

    /// Months present in the input's `month` column: the coverage of a spec without one.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::PreparedCrimes;
    /// use saferstats::period::YearMonth;
    /// let medway = saferstats::datasets::medway_2014()?;
    /// let prepared = PreparedCrimes::new(&medway.crimes.crimes, &medway.geography)?;
    /// assert_eq!(prepared.months_present().last(), YearMonth::new(2014, 11).as_ref());
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn months_present(&self) -> &BTreeSet<YearMonth> {
        &self.months_present
    }

    /// One table, as [`counts`] would give it for the same crimes, geography and spec.
    ///
    /// # Errors
    ///
    /// As [`counts`].
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::{CountSpec, PreparedCrimes};
    /// use saferstats::{geo::geography::Level, period::PeriodKind};
    /// let medway = saferstats::datasets::medway_2014()?;
    /// let prepared = PreparedCrimes::new(&medway.crimes.crimes, &medway.geography)?;
    /// let by_type = prepared.counts(&CountSpec::new(Level::Ward, PeriodKind::Quarter).by(["crime_type"]))?;
    /// assert_eq!(by_type.table.height(), 22 * 14 * 4);
    /// let all = prepared.counts(&CountSpec::new(Level::Csp, PeriodKind::FinancialYear))?;
    /// let fy: Vec<i64> = all.table.column("count")?.i64()?.into_no_null_iter().collect();
    /// assert_eq!(fy.iter().sum::<i64>(), 25_117); // 2013/14 (Jan-Mar) and 2014/15 (Apr-Nov)
    /// assert!(prepared.counts(&CountSpec::new(Level::Ward, PeriodKind::Month).by(["count"])).is_err());
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn counts(&self, spec: &CountSpec) -> Result<Output<CountReport>> {
        check_by(&self.crimes, &spec.by)?;
        let coverage = match &spec.coverage {
            Some(c) => c.clone(),
            None => self.months_present.clone(),
        };
        let level = self.level_index(spec.level)?;
        let periods = spec.period.periods_spanning(&coverage);
        let period_list = period_table(spec.period, &coverage)?
            .lazy()
            .drop(cols([pc::MONTH]))
            .unique_stable(None, UniqueKeepStrategy::First)
            .sort(
                [pc::PERIOD_START],
                SortMultipleOptions::default().with_maintain_order(true),
            )
            .collect()?;
        if period_list.height() != periods.len() {
            return Err(Error::param(
                "period",
                format!(
                    "internal: {} periods listed for {} spanned",
                    period_list.height(),
                    periods.len()
                ),
            ));
        }
        let groups = self.group_index(&spec.by)?;

        // Months of the span, each to its slot: its period when periods do not overlap, else
        // the month itself (a rolling year then sums twelve monthly slots).
        let (lo, hi) = match (periods.first(), periods.last()) {
            (Some(f), Some(l)) => (f.start.index(), l.end().index()),
            _ => (0, -1),
        };
        let span = (hi - lo + 1).max(0) as usize;
        let disjoint = periods.iter().map(|p| p.months as usize).sum::<usize>() == span;
        let mut slot_of = vec![NONE; span];
        for (i, p) in periods.iter().enumerate() {
            for m in p.month_list() {
                let s = (m.index() - lo) as usize;
                slot_of[s] = if disjoint { i as u32 } else { s as u32 };
            }
        }
        let k = if disjoint { periods.len() } else { span };
        let g = groups.n;
        let size = level
            .n_codes
            .checked_mul(g)
            .and_then(|x| x.checked_mul(k))
            .ok_or_else(|| {
                Error::param("by", "the grid of areas, groups and periods is too large")
            })?;

        let mut cells = vec![0u32; size];
        let slots = Slots {
            lo,
            hi,
            slot_of: &slot_of,
            k,
            g,
        };
        let (located, counted) = if spec.by.is_empty() {
            self.tally(&level.code_of_geo_row, &slots, |_| 0, &mut cells)
        } else {
            let codes = &groups.codes;
            self.tally(&level.code_of_geo_row, &slots, |i| codes[i], &mut cells)
        };

        // The complete grid in output order: areas by code, groups, periods.
        let n_areas = level.areas.height();
        let n_periods = periods.len();
        let n_out = n_areas * g * n_periods;
        let mut area_ix: Vec<IdxSize> = Vec::with_capacity(n_out);
        let mut group_ix: Vec<IdxSize> = Vec::with_capacity(n_out);
        let mut period_ix: Vec<IdxSize> = Vec::with_capacity(n_out);
        let mut count: Vec<i64> = Vec::with_capacity(n_out);
        for (a, &code) in level.code_of_area.iter().enumerate() {
            for grp in 0..g {
                let base = (code as usize * g + grp) * k;
                for (p, period) in periods.iter().enumerate() {
                    let n = if disjoint {
                        u64::from(cells[base + p])
                    } else {
                        let s = base + (period.start.index() - lo) as usize;
                        cells[s..s + period.months as usize]
                            .iter()
                            .map(|&c| u64::from(c))
                            .sum()
                    };
                    count.push(n as i64);
                    area_ix.push(a as IdxSize);
                    group_ix.push(grp as IdxSize);
                    period_ix.push(p as IdxSize);
                }
            }
        }
        let take =
            |frame: &DataFrame, ix: Vec<IdxSize>| frame.take(&IdxCa::from_vec("".into(), ix));
        let areas = take(&level.areas, area_ix)?;
        let period_cols = take(&period_list, period_ix)?;
        let mut columns: Vec<Column> = Vec::with_capacity(10 + spec.by.len());
        columns.push(Column::new(LEVEL.into(), [spec.level.name()]).new_from_index(0, n_out));
        columns.push(areas.column(AREA_CODE)?.clone());
        columns.push(areas.column(AREA_NAME)?.clone());
        if !spec.by.is_empty() {
            let group_cols = take(&groups.table, group_ix)?;
            for b in &spec.by {
                columns.push(group_cols.column(b)?.clone());
            }
        }
        for c in [
            pc::PERIOD,
            pc::PERIOD_START,
            pc::PERIOD_END,
            pc::MONTHS_EXPECTED,
            pc::MONTHS_COVERED,
            pc::COMPLETE,
        ] {
            columns.push(period_cols.column(c)?.clone());
        }
        columns.push(Column::new(COUNT.into(), count));
        let mut rows_under_published = 0u64;
        if !spec.under_published.is_empty() {
            let flagged = self.under_published_months(&level, &spec.under_published)?;
            let mut months_low: Vec<u32> = Vec::with_capacity(n_out);
            for &code in &level.code_of_area {
                let months = &flagged[code as usize];
                for _ in 0..g {
                    for period in &periods {
                        let n = if months.is_empty() {
                            0
                        } else {
                            let (a, b) = (period.start.index(), period.end().index());
                            months.range(a..=b).count() as u32
                        };
                        rows_under_published += u64::from(n > 0);
                        months_low.push(n);
                    }
                }
            }
            columns.push(Column::new(MONTHS_UNDER_PUBLISHED.into(), months_low));
        }
        let table = DataFrame::new(n_out, columns)?;

        let complete = period_list.column(pc::COMPLETE)?.bool()?;
        let labels = period_list.column(pc::PERIOD)?.str()?;
        let partial_periods = labels
            .iter()
            .zip(complete.iter())
            .filter(|(_, c)| *c == Some(false))
            .filter_map(|(l, _)| l.map(str::to_string))
            .collect();
        let mut lsoas_outside_geography = self.lsoas_outside_geography.clone();
        for (code, n) in &level.lsoas_without_code {
            *lsoas_outside_geography.entry(code.clone()).or_default() += n;
        }
        let report = CountReport {
            keys: Keys::by(spec.by.clone()),
            rows_in: self.rows_in(),
            rows_counted: counted,
            rows_without_lsoa: self.rows_without_lsoa,
            rows_outside_geography: lsoas_outside_geography.values().sum(),
            rows_outside_periods: located - counted,
            lsoas_outside_geography,
            areas: n_areas as u64,
            groups: if n_areas * n_periods == 0 {
                0
            } else {
                g as u64
            },
            periods: n_periods as u64,
            partial_periods,
            rows_under_published,
        };
        Ok(Output { table, report })
    }

    /// Several tables of the same crimes, each equal to [`PreparedCrimes::counts`] of its spec;
    /// the areas of a level and the groups of a `by` list are numbered once for all of them.
    ///
    /// # Errors
    ///
    /// The error of the first spec (in order) that fails, as [`counts`].
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::{CountSpec, PreparedCrimes};
    /// use saferstats::{geo::geography::Level, period::PeriodKind};
    /// let medway = saferstats::datasets::medway_2014()?;
    /// let prepared = PreparedCrimes::new(&medway.crimes.crimes, &medway.geography)?;
    /// let specs: Vec<CountSpec> = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::CalendarYear]
    ///     .into_iter()
    ///     .map(|p| CountSpec::new(Level::Ward, p))
    ///     .collect();
    /// let tables = prepared.counts_many(&specs)?;
    /// let periods: Vec<u64> = tables.iter().map(|t| t.report.periods).collect();
    /// assert_eq!(periods, [11, 4, 1]);
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn counts_many(&self, specs: &[CountSpec]) -> Result<Vec<Output<CountReport>>> {
        // Tables in parallel (each is a pass over the placed rows); the first error in order.
        let tables: Vec<Result<Output<CountReport>>> =
            specs.par_iter().map(|s| self.counts(s)).collect();
        tables.into_iter().collect()
    }

    /// Per area code of `level`: the month indices in which a force whose records fall in the
    /// area (any month) published far fewer rows than usual. An area takes its forces from its
    /// own rows, so a force-month with no row at all in the area still marks it.
    fn under_published_months(
        &self,
        level: &LevelIndex,
        low: &[UnderPublished],
    ) -> Result<Vec<BTreeSet<i32>>> {
        require_column(&self.crimes, street::FALLS_WITHIN, "crimes frame")?;
        let mut months_of_force: BTreeMap<&str, BTreeSet<i32>> = BTreeMap::new();
        for u in low {
            months_of_force
                .entry(u.force.as_str())
                .or_default()
                .insert(u.month.index());
        }
        let force = self
            .crimes
            .column(street::FALLS_WITHIN)?
            .cast(&DataType::String)?;
        let force = force.str()?;
        let mut pairs: BTreeSet<(u32, &str)> = BTreeSet::new();
        let mut last: Option<(u32, &str)> = None;
        for (&row, f) in self.geo_row.iter().zip(force.iter()) {
            let (Some(f), true) = (f, row != NONE) else {
                continue;
            };
            let code = level.code_of_geo_row[row as usize];
            if code == NONE || last == Some((code, f)) || !months_of_force.contains_key(f) {
                continue;
            }
            last = Some((code, f));
            pairs.insert((code, f));
        }
        let mut out = vec![BTreeSet::new(); level.n_codes];
        for (code, f) in pairs {
            out[code as usize].extend(months_of_force[f].iter().copied());
        }
        Ok(out)
    }

    /// Add each placed row to its cell; returns (rows placed in an area at this level, rows
    /// also in some period).
    fn tally(
        &self,
        code_of_geo_row: &[u32],
        slots: &Slots<'_>,
        group: impl Fn(usize) -> u32,
        cells: &mut [u32],
    ) -> (u64, u64) {
        let (mut located, mut counted) = (0u64, 0u64);
        for (i, (&row, &m)) in self.geo_row.iter().zip(&self.month).enumerate() {
            if row == NONE {
                continue;
            }
            let code = code_of_geo_row[row as usize];
            if code == NONE {
                continue;
            }
            located += 1;
            if m < slots.lo || m > slots.hi {
                continue;
            }
            let slot = slots.slot_of[(m - slots.lo) as usize];
            let grp = group(i);
            if slot == NONE || grp == NONE {
                continue;
            }
            cells[(code as usize * slots.g + grp as usize) * slots.k + slot as usize] += 1;
            counted += 1;
        }
        (located, counted)
    }

    fn level_index(&self, level: Level) -> Result<Arc<LevelIndex>> {
        if let Some(ix) = lock(&self.levels).get(&level) {
            return Ok(ix.clone());
        }
        let ix = Arc::new(self.build_level(level)?);
        lock(&self.levels).insert(level, ix.clone());
        Ok(ix)
    }

    fn build_level(&self, level: Level) -> Result<LevelIndex> {
        let geo = &self.geography;
        require_column(geo, level.code_column(), "geography")?;
        if geo.column(level.code_column())?.null_count() == geo.height() {
            return Err(Error::param(
                "level",
                format!(
                    "the geography has no {} codes; build it with a local authority to CSP to force lookup",
                    level.name()
                ),
            ));
        }
        let code = geo.column(level.code_column())?;
        let name = geo.column(level.name_column())?;
        let (areas, code_of_area, n_codes, code_of_geo_row) =
            if let (Ok(codes), Ok(names)) = (code.str(), name.str()) {
                text_areas(code, name, codes, names)?
            } else {
                frame_areas(geo, level)?
            };
        let geo_lsoa = geo.column("lsoa_code")?.str()?;
        let mut lsoas_without_code = BTreeMap::new();
        for (r, (&code, &n)) in code_of_geo_row
            .iter()
            .zip(&self.rows_per_geo_row)
            .enumerate()
        {
            if code == NONE
                && n > 0
                && let Some(lsoa) = geo_lsoa.get(r)
            {
                lsoas_without_code.insert(lsoa.to_string(), n);
            }
        }
        Ok(LevelIndex {
            areas,
            code_of_area,
            n_codes,
            code_of_geo_row,
            lsoas_without_code,
        })
    }

    fn group_index(&self, by: &[String]) -> Result<Arc<GroupIndex>> {
        if let Some(ix) = lock(&self.groups).get(by) {
            return Ok(ix.clone());
        }
        let ix = Arc::new(self.build_groups(by)?);
        lock(&self.groups).insert(by.to_vec(), ix.clone());
        Ok(ix)
    }

    fn build_groups(&self, by: &[String]) -> Result<GroupIndex> {
        if by.is_empty() {
            return Ok(GroupIndex {
                table: DataFrame::empty_with_height(1),
                n: 1,
                codes: Vec::new(),
            });
        }
        if let [b] = by
            && let Ok(values) = self.crimes.column(b)?.str()
        {
            return text_groups(b, values);
        }
        let keys: Vec<Expr> = by.iter().map(|b| col(b.as_str())).collect();
        let names: Vec<PlSmallStr> = by.iter().map(|b| PlSmallStr::from(b.as_str())).collect();
        let selected = self.crimes.clone().lazy().select(keys.clone());
        let table = selected
            .clone()
            .unique_stable(None, UniqueKeepStrategy::First)
            .sort(
                names,
                SortMultipleOptions::default()
                    .with_nulls_last(true)
                    .with_maintain_order(true),
            )
            .collect()?;
        let mut args = JoinArgs::new(JoinType::Inner);
        args.nulls_equal = true;
        let joined = selected
            .with_row_index("__row", None)
            .join(
                table.clone().lazy().with_row_index("__group", None),
                keys.clone(),
                keys,
                args,
            )
            .select([col("__row"), col("__group")])
            .collect()?;
        let codes = scatter(&joined, "__row", "__group", self.crimes.height())?;
        Ok(GroupIndex {
            n: table.height(),
            table,
            codes,
        })
    }
}

/// The areas of a level: the `area_code, area_name` table, the code index of each area, the
/// number of distinct codes, and the code index of each geography row.
type Areas = (DataFrame, Vec<u32>, usize, Vec<u32>);

/// The areas of a level whose codes and names are text, as [`frame_areas`] gives them, in one
/// pass over the geography.
fn text_areas(
    code: &Column,
    name: &Column,
    codes: &StringChunked,
    names: &StringChunked,
) -> Result<Areas> {
    // The first row of each distinct (code, name) pair, then sorted by code (stable, so a code
    // with two names keeps them in the order they first appear).
    let mut seen: PlHashSet<(&str, Option<&str>)> = PlHashSet::new();
    let mut firsts: Vec<(IdxSize, &str)> = Vec::new();
    for (r, (c, n)) in codes.iter().zip(names.iter()).enumerate() {
        if let Some(c) = c
            && seen.insert((c, n))
        {
            firsts.push((r as IdxSize, c));
        }
    }
    firsts.sort_by(|a, b| a.1.cmp(b.1));
    let mut ix_of: PlHashMap<&str, u32> = PlHashMap::with_capacity(firsts.len());
    let code_of_area: Vec<u32> = firsts
        .iter()
        .map(|&(_, c)| {
            let next = ix_of.len() as u32;
            *ix_of.entry(c).or_insert(next)
        })
        .collect();
    let code_of_geo_row = codes
        .iter()
        .map(|c| c.and_then(|c| ix_of.get(c).copied()).unwrap_or(NONE))
        .collect();
    let rows = IdxCa::from_vec("".into(), firsts.iter().map(|&(r, _)| r).collect());
    let areas = DataFrame::new(
        rows.len(),
        vec![
            code.take(&rows)?.with_name(AREA_CODE.into()),
            name.take(&rows)?.with_name(AREA_NAME.into()),
        ],
    )?;
    Ok((areas, code_of_area, ix_of.len(), code_of_geo_row))
}

/// The areas of a level, for code and name columns of any dtype: distinct (code, name) pairs
/// sorted by code, the distinct codes numbered in that order, joined back to the geography.
fn frame_areas(geo: &DataFrame, level: Level) -> Result<Areas> {
    let named = geo
        .clone()
        .lazy()
        .select([
            col(level.code_column()).alias(AREA_CODE),
            col(level.name_column()).alias(AREA_NAME),
        ])
        .with_row_index("__row", None);
    let areas = named
        .clone()
        .filter(col(AREA_CODE).is_not_null())
        .select([col(AREA_CODE), col(AREA_NAME)])
        .unique_stable(None, UniqueKeepStrategy::First)
        .sort(
            [AREA_CODE],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .collect()?;
    // Distinct codes in sorted order (a code given two names is one area counted into,
    // shown on two rows, as a join on the code would).
    let codes = areas
        .clone()
        .lazy()
        .select([col(AREA_CODE)])
        .unique_stable(None, UniqueKeepStrategy::First)
        .with_row_index("__code", None)
        .collect()?;
    let numbered = |frame: LazyFrame, height: usize| -> Result<Vec<u32>> {
        let joined = frame
            .join(
                codes.clone().lazy(),
                [col(AREA_CODE)],
                [col(AREA_CODE)],
                JoinArgs::new(JoinType::Inner),
            )
            .select([col("__row"), col("__code")])
            .collect()?;
        scatter(&joined, "__row", "__code", height)
    };
    let code_of_area = numbered(
        areas.clone().lazy().with_row_index("__row", None),
        areas.height(),
    )?;
    let code_of_geo_row = numbered(named.select([col("__row"), col(AREA_CODE)]), geo.height())?;
    Ok((areas, code_of_area, codes.height(), code_of_geo_row))
}

/// The groups of one text column, as the generic path (unique, sort with nulls last, join)
/// gives them, in one hashing pass over the rows.
fn text_groups(name: &str, values: &StringChunked) -> Result<GroupIndex> {
    const NULL: u32 = u32::MAX;
    let mut id_of: PlHashMap<&str, u32> = PlHashMap::new();
    let mut distinct: Vec<&str> = Vec::new();
    let mut has_null = false;
    // Rows come in runs of one value (police.uk lists crimes by LSOA, then crime type).
    let mut last: Option<(&str, u32)> = None;
    let ids: Vec<u32> = values
        .iter()
        .map(|v| match v {
            None => {
                has_null = true;
                NULL
            }
            Some(v) => match last {
                Some((l, id)) if l == v => id,
                _ => {
                    let id = *id_of.entry(v).or_insert_with(|| {
                        distinct.push(v);
                        (distinct.len() - 1) as u32
                    });
                    last = Some((v, id));
                    id
                }
            },
        })
        .collect();
    // Text sorts by its bytes, as polars sorts it; nulls last.
    let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
    order.sort_unstable_by_key(|&i| distinct[i as usize]);
    let mut rank = vec![0u32; distinct.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    let null_rank = distinct.len() as u32;
    let codes = ids
        .iter()
        .map(|&id| {
            if id == NULL {
                null_rank
            } else {
                rank[id as usize]
            }
        })
        .collect();
    let mut sorted: Vec<Option<&str>> = order.iter().map(|&i| Some(distinct[i as usize])).collect();
    if has_null {
        sorted.push(None);
    }
    let n = sorted.len();
    let table = DataFrame::new(n, vec![Column::new(name.into(), sorted)])?;
    Ok(GroupIndex { table, n, codes })
}

/// Where each month index goes in the dense array of counts.
struct Slots<'a> {
    lo: i32,
    hi: i32,
    slot_of: &'a [u32],
    /// Slots per area and group.
    k: usize,
    /// Groups.
    g: usize,
}

/// A mapping from crime type to a reporting group (e.g. "All crime excluding ASB").
///
/// # Examples
///
/// ```
/// use std::collections::BTreeMap;
/// use saferstats::counts::CategoryMap;
/// use saferstats::polars::prelude::*;
/// let map = CategoryMap {
///     groups: BTreeMap::from([("Burglary".to_string(), "Acquisitive".to_string())]),
///     default_group: Some("Other".into()),
/// };
/// let crimes = df!("crime_type" => ["Burglary", "Drugs"])?;
/// let out = map.apply(&crimes, "crime_type", "group")?;
/// let groups: Vec<_> = out.column("group")?.str()?.iter().flatten().collect();
/// assert_eq!(groups, ["Acquisitive", "Other"]);
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryMap {
    /// Crime type to group.
    pub groups: BTreeMap<String, String>,
    /// Group for crime types not in `groups`; `None` makes an unmapped type an error.
    pub default_group: Option<String>,
}

impl CategoryMap {
    /// Anti-social behaviour on its own, every other published category as
    /// "All crime excluding ASB". There is no default group: a crime type outside
    /// [`crate::io::police_uk::CRIME_TYPES`] is an error in [`CategoryMap::apply`].
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::CategoryMap;
    /// let map = CategoryMap::all_crime_excluding_asb();
    /// assert_eq!(map.groups["Anti-social behaviour"], "Anti-social behaviour");
    /// assert_eq!(map.groups["Vehicle crime"], "All crime excluding ASB");
    /// assert!(map.default_group.is_none());
    /// ```
    pub fn all_crime_excluding_asb() -> Self {
        let groups = CRIME_TYPES
            .iter()
            .map(|t| {
                let g = if *t == ASB {
                    ASB
                } else {
                    "All crime excluding ASB"
                };
                (t.to_string(), g.to_string())
            })
            .collect();
        CategoryMap {
            groups,
            default_group: None,
        }
    }

    /// Add a column `out` to `crimes` holding the group of each row's `column` (usually
    /// `crime_type`); rows keep their order.
    ///
    /// # Errors
    ///
    /// [`Error::MissingColumn`] when `crimes` has no `column`; [`Error::InvalidParameter`]
    /// (`mapping`) listing the values with no group when there is no `default_group`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::counts::CategoryMap;
    /// use saferstats::polars::prelude::*;
    /// let crimes = df!("crime_type" => ["Burglary", "Anti-social behaviour"])?;
    /// let out = CategoryMap::all_crime_excluding_asb().apply(&crimes, "crime_type", "crime_group")?;
    /// let g = out.column("crime_group")?.str()?.get(0);
    /// assert_eq!(g, Some("All crime excluding ASB"));
    /// // A type with no group (here a pre-2013 category) is refused, by name.
    /// let old = df!("crime_type" => ["Violent crime"])?;
    /// let err = CategoryMap::all_crime_excluding_asb().apply(&old, "crime_type", "crime_group");
    /// assert!(err.unwrap_err().to_string().contains("Violent crime"));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn apply(&self, crimes: &DataFrame, column: &str, out: &str) -> Result<DataFrame> {
        require_column(crimes, column, "crimes frame")?;
        let (from, to): (Vec<&str>, Vec<&str>) = self
            .groups
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .unzip();
        let map = DataFrame::new(
            from.len(),
            vec![
                Column::new("__from".into(), from),
                Column::new(out.into(), to),
            ],
        )?;
        let mapped = crimes
            .clone()
            .lazy()
            .join(
                map.lazy(),
                [col(column)],
                [col("__from")],
                join_args(JoinType::Left, false),
            )
            .collect()?;
        let unmapped = mapped.column(out)?.null_count();
        if unmapped > 0 {
            match &self.default_group {
                Some(d) => {
                    let filled = mapped
                        .lazy()
                        .with_column(col(out).fill_null(lit(d.clone())))
                        .collect()?;
                    return Ok(filled);
                }
                None => {
                    let missing = mapped
                        .clone()
                        .lazy()
                        .filter(col(out).is_null())
                        .select([col(column)])
                        .unique_stable(None, UniqueKeepStrategy::First)
                        .collect()?;
                    let names: Vec<String> = missing
                        .column(column)?
                        .str()?
                        .iter()
                        .map(|v| v.unwrap_or("<null>").to_string())
                        .collect();
                    return Err(Error::param(
                        "mapping",
                        format!(
                            "{unmapped} rows have a {column} with no group: {}; add them or set a default group",
                            names.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(mapped)
    }
}

/// Join arguments that keep the left frame's row order and say how nulls match.
pub(crate) fn join_args(how: JoinType, nulls_equal: bool) -> JoinArgs {
    let mut args = JoinArgs::new(how);
    args.nulls_equal = nulls_equal;
    args.maintain_order = MaintainOrderJoin::Left;
    args
}
