//! Counts per area, group and period on the complete grid, zeros included.
//!
//! Every area of the chosen level in the geography appears for every group and every period, so
//! a ward with no burglary in March has a row with `count = 0` rather than no row. Rows that
//! cannot be placed in an area (no LSOA code, or an LSOA not in the geography, e.g. outside the
//! force's own area) are reported in [`CountReport`], never lost. Each period carries
//! `months_expected`, `months_covered` and `complete`, so partial periods are visible.
//!
//! ```no_run
//! use saferstats::{counts::{counts, CountSpec}, geography::*, period::PeriodKind, police_uk::*};
//! let crimes = read_police_uk(&["../shared/data/police-uk/kent-2014"], &ReadOptions::default())?;
//! let geo = Geography::new(&read_lookup("../shared/data/lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz")?, None)?;
//! let spec = CountSpec::new(Level::Ward, PeriodKind::Month).by(["crime_type"]);
//! let (table, report) = counts(&crimes.crimes, &geo, &spec)?;
//! assert_eq!(report.rows_in, report.rows_counted + report.rows_without_lsoa + report.rows_outside_geography + report.rows_outside_periods);
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::geography::{Geography, Level};
use crate::period::{PeriodKind, YearMonth, columns as pc, period_table};
use crate::police_uk::{ASB, CRIME_TYPES};

/// Output column: area code at the requested level.
pub const AREA_CODE: &str = "area_code";
/// Output column: area name.
pub const AREA_NAME: &str = "area_name";
/// Output column: the count.
pub const COUNT: &str = "count";
/// Output column: the geographic level (`ward`, `csp`, ...).
pub const LEVEL: &str = "level";

/// Columns that hold a row's measures or metadata rather than identify its series: never used
/// as grouping keys by the functions that group a table (rates, change, trends, hotspots,
/// seasonality).
pub const VALUE_COLUMNS: &[&str] = &[
    "level",
    "area_name",
    "count",
    "period_start",
    "period_end",
    "months_expected",
    "months_covered",
    "complete",
    "population",
    "population_year",
    "population_source",
    "value",
    "lower",
    "upper",
    "lower_95",
    "upper_95",
    "lower_99_8",
    "upper_99_8",
    "method",
    "confidence",
    "statistic",
    "flags",
];

/// The key columns of a table: every column that is not in [`VALUE_COLUMNS`] nor in
/// `also_exclude` (e.g. `["area_code"]` for peer groups, `["period"]` for series).
pub fn key_columns(df: &DataFrame, also_exclude: &[&str]) -> Vec<String> {
    df.get_column_names()
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !VALUE_COLUMNS.contains(c) && !also_exclude.contains(c))
        .map(str::to_string)
        .collect()
}

/// What to count: level, grouping columns, period kind, and the months the data covers.
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
}

impl CountSpec {
    /// Count by area and period only.
    pub fn new(level: Level, period: PeriodKind) -> Self {
        CountSpec {
            level,
            by: Vec::new(),
            period,
            coverage: None,
        }
    }

    /// Also group by these columns.
    pub fn by<I: IntoIterator<Item = S>, S: Into<String>>(mut self, by: I) -> Self {
        self.by = by.into_iter().map(Into::into).collect();
        self
    }

    /// Set the months the data covers (e.g. `report.months_covered`).
    pub fn coverage(mut self, months: impl IntoIterator<Item = YearMonth>) -> Self {
        self.coverage = Some(months.into_iter().collect());
        self
    }
}

/// Where every input row went.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CountReport {
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
    /// Areas, groups and periods of the grid.
    pub areas: u64,
    pub groups: u64,
    pub periods: u64,
    /// Periods not fully covered by the data.
    pub partial_periods: Vec<String>,
}

fn require_column(df: &DataFrame, name: &str, what: &str) -> Result<()> {
    if df.schema().contains(name) {
        Ok(())
    } else {
        Err(Error::missing_column(what, name, df))
    }
}

/// Months present in a frame's `month` column (a `Date`).
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
pub fn counts(
    crimes: &DataFrame,
    geography: &Geography,
    spec: &CountSpec,
) -> Result<(DataFrame, CountReport)> {
    require_column(crimes, "lsoa_code", "crimes frame")?;
    for b in &spec.by {
        require_column(crimes, b, "crimes frame")?;
        if [AREA_CODE, AREA_NAME, COUNT, pc::PERIOD, "month"].contains(&b.as_str()) {
            return Err(Error::param(
                "by",
                format!("cannot group by '{b}': reserved name"),
            ));
        }
    }
    let present = months_in(crimes)?;
    let coverage = spec.coverage.clone().unwrap_or(present);
    let level = spec.level;
    let geo = &geography.table;
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
    let by: Vec<Expr> = spec.by.iter().map(|b| col(b.as_str())).collect();
    let periods = period_table(spec.period, &coverage)?;

    let areas = geo
        .clone()
        .lazy()
        .select([
            col("lsoa_code").alias("__lsoa"),
            col(level.code_column()).alias(AREA_CODE),
            col(level.name_column()).alias(AREA_NAME),
        ])
        .filter(col(AREA_CODE).is_not_null());

    let mut keep = vec![col("month"), col("lsoa_code")];
    keep.extend(by.iter().cloned());
    let placed = crimes
        .clone()
        .lazy()
        .select(keep)
        .join(
            areas.clone().select([col("__lsoa"), col(AREA_CODE)]),
            [col("lsoa_code")],
            [col("__lsoa")],
            JoinArgs::new(JoinType::Left),
        )
        .collect()?;

    // Account for rows that cannot be placed.
    let no_lsoa = placed.column("lsoa_code")?.null_count() as u64;
    let outside = placed
        .clone()
        .lazy()
        .filter(col("lsoa_code").is_not_null().and(col(AREA_CODE).is_null()))
        .group_by([col("lsoa_code")])
        .agg([len().alias("n")])
        .collect()?;
    let mut lsoas_outside_geography = BTreeMap::new();
    for (code, n) in outside
        .column("lsoa_code")?
        .str()?
        .iter()
        .zip(outside.column("n")?.cast(&DataType::UInt64)?.u64()?.iter())
    {
        if let (Some(code), Some(n)) = (code, n) {
            lsoas_outside_geography.insert(code.to_string(), n);
        }
    }
    let rows_outside_geography: u64 = lsoas_outside_geography.values().sum();

    // Each month joins to every period containing it (twelve for rolling periods).
    let period_members = periods
        .clone()
        .lazy()
        .select([col(pc::MONTH), col(pc::PERIOD)]);
    let located = placed.lazy().filter(col(AREA_CODE).is_not_null());
    let in_periods = located
        .clone()
        .join(
            period_members
                .clone()
                .filter(col(pc::MONTH).is_not_null())
                .group_by([col(pc::MONTH)])
                .agg([len().alias("__n")]),
            [col("month")],
            [col(pc::MONTH)],
            JoinArgs::new(JoinType::Left),
        )
        .select([
            col("__n")
                .is_not_null()
                .cast(DataType::UInt64)
                .sum()
                .alias("in"),
            len().cast(DataType::UInt64).alias("all"),
        ])
        .collect()?;
    let rows_in_periods = in_periods.column("in")?.u64()?.get(0).unwrap_or(0);
    let rows_located = in_periods.column("all")?.u64()?.get(0).unwrap_or(0);

    let mut group_keys = vec![col(AREA_CODE)];
    group_keys.extend(by.iter().cloned());
    group_keys.push(col(pc::PERIOD));
    let counted = located
        .join(
            period_members,
            [col("month")],
            [col(pc::MONTH)],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by(group_keys.clone())
        .agg([len().cast(DataType::Int64).alias(COUNT)]);

    // The complete grid: every area x every group seen in the input x every period.
    // Each side is sorted once (areas, groups, periods are small) and numbered; the (possibly
    // million-row) grid is then sorted on those integers rather than on the text keys.
    let area_list = areas
        .select([col(AREA_CODE), col(AREA_NAME)])
        .unique_stable(None, UniqueKeepStrategy::First)
        .sort(
            [AREA_CODE],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_row_index("__area_ix", None);
    let period_list = periods
        .clone()
        .lazy()
        .drop(cols([pc::MONTH]))
        .unique_stable(None, UniqueKeepStrategy::First)
        .sort(
            [pc::PERIOD_START],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_row_index("__period_ix", None);
    let mut grid = area_list.clone();
    if !by.is_empty() {
        let by_names: Vec<PlSmallStr> = spec
            .by
            .iter()
            .map(|b| PlSmallStr::from(b.as_str()))
            .collect();
        let groups = crimes
            .clone()
            .lazy()
            .select(by.clone())
            .unique_stable(None, UniqueKeepStrategy::First)
            .sort(
                by_names,
                SortMultipleOptions::default()
                    .with_nulls_last(true)
                    .with_maintain_order(true),
            )
            .with_row_index("__group_ix", None);
        grid = grid.cross_join(groups, None);
    } else {
        grid = grid.with_column(lit(0 as IdxSize).alias("__group_ix"));
    }
    grid = grid.cross_join(period_list.clone(), None);
    let mut join_keys = vec![col(AREA_CODE)];
    join_keys.extend(by.iter().cloned());
    join_keys.push(col(pc::PERIOD));
    let table = grid
        .join(
            counted,
            join_keys.clone(),
            join_keys,
            join_args(JoinType::Left, true),
        )
        .with_columns([
            col(COUNT).fill_null(lit(0i64)),
            lit(level.name()).alias(LEVEL),
        ])
        .sort(
            ["__area_ix", "__group_ix", "__period_ix"],
            SortMultipleOptions::default(),
        )
        .collect()?;

    let mut out_cols: Vec<PlSmallStr> = vec![LEVEL.into(), AREA_CODE.into(), AREA_NAME.into()];
    out_cols.extend(spec.by.iter().map(|b| PlSmallStr::from(b.as_str())));
    out_cols.extend(
        [
            pc::PERIOD,
            pc::PERIOD_START,
            pc::PERIOD_END,
            pc::MONTHS_EXPECTED,
            pc::MONTHS_COVERED,
            pc::COMPLETE,
            COUNT,
        ]
        .map(PlSmallStr::from),
    );
    let table = table.select(out_cols)?;

    let n_areas = area_list.collect()?.height() as u64;
    let period_frame = period_list.collect()?;
    let partial_periods = period_frame
        .clone()
        .lazy()
        .filter(col(pc::COMPLETE).not())
        .select([col(pc::PERIOD)])
        .collect()?
        .column(pc::PERIOD)?
        .str()?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    let n_periods = period_frame.height() as u64;
    let groups = (table.height() as u64)
        .checked_div(n_areas * n_periods)
        .unwrap_or(0);
    let report = CountReport {
        rows_in: crimes.height() as u64,
        rows_counted: rows_in_periods,
        rows_without_lsoa: no_lsoa,
        rows_outside_geography,
        rows_outside_periods: rows_located - rows_in_periods,
        lsoas_outside_geography,
        areas: n_areas,
        groups,
        periods: n_periods,
        partial_periods,
    };
    Ok((table, report))
}

/// A mapping from crime type to a reporting group (e.g. "All crime excluding ASB").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryMap {
    /// Crime type to group.
    pub groups: BTreeMap<String, String>,
    /// Group for crime types not in `groups`; `None` makes an unmapped type an error.
    pub default_group: Option<String>,
}

impl CategoryMap {
    /// Anti-social behaviour on its own, every other published category as
    /// "All crime excluding ASB".
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

    /// Add a column `out` to `crimes` holding the group of each row's `crime_type`.
    ///
    /// ```
    /// use saferstats::counts::CategoryMap;
    /// use saferstats::polars::prelude::*;
    /// let crimes = df!("crime_type" => ["Burglary", "Anti-social behaviour"])?;
    /// let out = CategoryMap::all_crime_excluding_asb().apply(&crimes, "crime_type", "crime_group")?;
    /// let g = out.column("crime_group")?.str()?.get(0);
    /// assert_eq!(g, Some("All crime excluding ASB"));
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
