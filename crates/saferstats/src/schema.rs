//! The declared schema: every column name saferstats reads or writes, and the key columns of a
//! table, declared rather than guessed.
//!
//! Every table has the same shape of identity: a row is one **area** (`area_code`), one
//! **period** (`period`, with `period_start`, coverage columns) and one combination of the
//! **grouping columns** (`by`, e.g. `["crime_type"]`). [`Keys`] holds the grouping columns;
//! the area and period roles are fixed names. Counts declare their keys in their report, and
//! every frame function takes them from its spec, so a column a function does not know (a
//! caller's note, PHE-named limits) is carried along and never becomes a key.
//!
//! Output columns are named the same way everywhere: `value`, `lower`, `upper`, `method`,
//! `confidence` and `flags`; a second confidence level appears as `lower_99_8`/`upper_99_8`.
//!
//! ```
//! use saferstats::schema::{Keys, AREA_CODE, PERIOD};
//! let keys = Keys::by(["crime_type"]);
//! assert_eq!(keys.row(), [AREA_CODE, PERIOD, "crime_type"]);
//! assert_eq!(keys.series(), [AREA_CODE, "crime_type"]);
//! assert_eq!(keys.peer_group(), [PERIOD, "crime_type"]);
//! ```

use std::collections::HashSet;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

// ---------------------------------------------------------------------------------------------
// Identity columns.

/// Area code at the level counted (`E05000001`, ...): the area role of every table.
pub const AREA_CODE: &str = "area_code";
/// Area name.
pub const AREA_NAME: &str = "area_name";
/// The geographic level of the area (`ward`, `csp`, ...).
pub const LEVEL: &str = "level";
/// Period label (`2014`, `2014/15`, `2014 Q1`, `2014-01`, `year ending Mar 2015`): the period
/// role of every table.
pub const PERIOD: &str = "period";
/// First day of the period's first month.
pub const PERIOD_START: &str = "period_start";
/// First day of the period's last month.
pub const PERIOD_END: &str = "period_end";
/// Months the period should contain.
pub const MONTHS_EXPECTED: &str = "months_expected";
/// Months of the period that the data covers.
pub const MONTHS_COVERED: &str = "months_covered";
/// Whether every month of the period is covered.
pub const COMPLETE: &str = "complete";
/// A month (its first day).
pub const MONTH: &str = "month";
/// Months of the period in which a force contributing to the area published far fewer rows
/// than in its neighbouring months (the read report's `under_published`): the count is real but
/// incomplete. Present in count tables built with the read report's under-published list.
pub const MONTHS_UNDER_PUBLISHED: &str = "months_under_published";

// ---------------------------------------------------------------------------------------------
// Measures.

/// A count of crimes (an integer).
pub const COUNT: &str = "count";
/// Resident population used as the denominator.
pub const POPULATION: &str = "population";
/// Mid-year of the population estimate used.
pub const POPULATION_YEAR: &str = "population_year";
/// Source (file and vintage) of the population estimate used.
pub const POPULATION_SOURCE: &str = "population_source";
/// Mid-year of a population estimate (population tables).
pub const MID_YEAR: &str = "mid_year";
/// Source column of a population table.
pub const SOURCE: &str = "source";
/// The estimate: a rate, share, ratio or percentage change.
pub const VALUE: &str = "value";
/// Lower confidence limit of `value`.
pub const LOWER: &str = "lower";
/// Upper confidence limit of `value`.
pub const UPPER: &str = "upper";
/// Lower limit at 95% when two levels are given.
pub const LOWER_95: &str = "lower_95";
/// Upper limit at 95% when two levels are given.
pub const UPPER_95: &str = "upper_95";
/// Lower limit at 99.8% when two levels are given.
pub const LOWER_99_8: &str = "lower_99_8";
/// Upper limit at 99.8% when two levels are given.
pub const UPPER_99_8: &str = "upper_99_8";
/// The method that produced `value`, `lower`, `upper` (`byar`, `exact`, `wilson`, ...).
pub const METHOD: &str = "method";
/// Confidence level of `lower`/`upper` (0.95, or a label such as `95%, 99.8%`).
pub const CONFIDENCE: &str = "confidence";
/// What `value` measures (`rate per 1,000`, `share per 100`).
pub const MEASURE: &str = "measure";
/// Caveats for the row (partial period, small count, recording change), `;`-separated.
pub const FLAGS: &str = "flags";
/// A p-value.
pub const P_VALUE: &str = "p_value";
/// A test statistic (z, χ²).
pub const TEST_STATISTIC: &str = "test_statistic";
/// Over-dispersion factor φ used.
pub const DISPERSION: &str = "dispersion";

/// The grouping columns of a table: the key columns other than the area and the period.
///
/// Tables from [`crate::counts::counts`] declare theirs in their report
/// ([`crate::counts::CountReport::keys`]); a caller's own table declares them here. A column
/// that is neither a key nor a known measure is carried along unchanged.
///
/// Serialised as the bare list of column names (`["crime_type"]`).
///
/// # Examples
///
/// ```
/// use saferstats::schema::Keys;
/// let keys = Keys::by(["crime_type"]);
/// assert_eq!(keys.by, ["crime_type"]);
/// assert_eq!(serde_json::to_string(&keys).unwrap(), r#"["crime_type"]"#);
/// let back: Keys = serde_json::from_str(r#"["crime_type"]"#).unwrap();
/// assert_eq!(back, keys);
/// assert_eq!(Keys::none(), Keys::default());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Keys {
    /// Grouping columns, e.g. `["crime_type"]`; empty for one series per area.
    pub by: Vec<String>,
}

impl Keys {
    /// No grouping columns: one row per area and period.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::schema::Keys;
    /// let keys = Keys::none();
    /// assert!(keys.by.is_empty());
    /// assert_eq!(keys.row(), ["area_code", "period"]);
    /// ```
    pub fn none() -> Self {
        Self::default()
    }

    /// Grouping columns `by`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::schema::Keys;
    /// let keys = Keys::by(["crime_type", "outcome_group"]);
    /// assert_eq!(keys.by, ["crime_type", "outcome_group"]);
    /// assert_eq!(Keys::by(vec![String::from("crime_type")]), Keys::by(["crime_type"]));
    /// ```
    pub fn by<S: Into<String>>(by: impl IntoIterator<Item = S>) -> Self {
        Self {
            by: by.into_iter().map(Into::into).collect(),
        }
    }

    /// The columns identifying a row: area, period and the grouping columns.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::schema::{Keys, AREA_CODE, PERIOD};
    /// assert_eq!(Keys::by(["crime_type"]).row(), [AREA_CODE, PERIOD, "crime_type"]);
    /// ```
    pub fn row(&self) -> Vec<String> {
        let mut out = vec![AREA_CODE.to_string(), PERIOD.to_string()];
        out.extend(self.by.iter().cloned());
        out
    }

    /// The columns identifying a series over time: area and the grouping columns.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::schema::{Keys, AREA_CODE};
    /// assert_eq!(Keys::by(["crime_type"]).series(), [AREA_CODE, "crime_type"]);
    /// assert_eq!(Keys::none().series(), [AREA_CODE]);
    /// ```
    pub fn series(&self) -> Vec<String> {
        let mut out = vec![AREA_CODE.to_string()];
        out.extend(self.by.iter().cloned());
        out
    }

    /// The columns identifying a peer group (the areas compared with each other): period and
    /// the grouping columns.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::schema::{Keys, PERIOD};
    /// assert_eq!(Keys::by(["crime_type"]).peer_group(), [PERIOD, "crime_type"]);
    /// ```
    pub fn peer_group(&self) -> Vec<String> {
        let mut out = vec![PERIOD.to_string()];
        out.extend(self.by.iter().cloned());
        out
    }

    /// The grouping columns with `period` first when `frame` has one: the groups inside which
    /// areas are ranked (hotspots, Lorenz curves).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::polars::prelude::*;
    /// use saferstats::schema::Keys;
    /// let keys = Keys::by(["crime_type"]);
    /// let with_period = df!("area_code" => ["A"], "period" => ["2014"], "crime_type" => ["Drugs"])?;
    /// assert_eq!(keys.within(&with_period), ["period", "crime_type"]);
    /// let without = df!("area_code" => ["A"], "crime_type" => ["Drugs"])?;
    /// assert_eq!(keys.within(&without), ["crime_type"]);
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn within(&self, frame: &DataFrame) -> Vec<String> {
        if frame.column(PERIOD).is_ok() {
            self.peer_group()
        } else {
            self.by.clone()
        }
    }

    /// Check the grouping columns: each present in `frame`, none a reserved measure or role
    /// name ([`RESERVED`]), none repeated. `what` names the frame in the error message.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] for a grouping column absent from `frame`;
    /// [`Error::InvalidParameter`] (`keys`) for a reserved or repeated name.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::polars::prelude::*;
    /// use saferstats::schema::Keys;
    /// use saferstats::Error;
    /// let t = df!("area_code" => ["A"], "crime_type" => ["Drugs"], "count" => [3i64])?;
    /// Keys::by(["crime_type"]).check(&t, "counts")?;
    /// let missing = Keys::by(["outcome"]).check(&t, "counts").unwrap_err();
    /// assert!(matches!(missing, Error::MissingColumn { .. }));
    /// let reserved = Keys::by(["count"]).check(&t, "counts").unwrap_err();
    /// assert!(matches!(reserved, Error::InvalidParameter { name: "keys", .. }));
    /// let twice = Keys::by(["crime_type", "crime_type"]).check(&t, "counts").unwrap_err();
    /// assert!(matches!(twice, Error::InvalidParameter { name: "keys", .. }));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn check(&self, frame: &DataFrame, what: &str) -> Result<()> {
        let mut seen = HashSet::new();
        for k in &self.by {
            if RESERVED.contains(&k.as_str()) {
                return Err(Error::param(
                    "keys",
                    format!(
                        "'{k}' is a column saferstats itself defines, not a grouping column; \
                         grouping columns are the caller's own (e.g. crime_type)"
                    ),
                ));
            }
            if !seen.insert(k) {
                return Err(Error::param("keys", format!("'{k}' is given twice")));
            }
            if frame.column(k).is_err() {
                return Err(Error::missing_column(what, k, frame));
            }
        }
        Ok(())
    }
}

/// Names with a fixed role that can never be grouping columns: the identity columns and the
/// measures above ([`Keys::check`] refuses them).
///
/// ```
/// use saferstats::schema::{RESERVED, AREA_CODE, VALUE};
/// assert!(RESERVED.contains(&AREA_CODE) && RESERVED.contains(&VALUE));
/// assert!(!RESERVED.contains(&"crime_type"));
/// ```
pub const RESERVED: &[&str] = &[
    AREA_CODE,
    AREA_NAME,
    LEVEL,
    PERIOD,
    PERIOD_START,
    PERIOD_END,
    MONTHS_EXPECTED,
    MONTHS_COVERED,
    MONTHS_UNDER_PUBLISHED,
    COMPLETE,
    COUNT,
    POPULATION,
    POPULATION_YEAR,
    POPULATION_SOURCE,
    VALUE,
    LOWER,
    UPPER,
    LOWER_95,
    UPPER_95,
    LOWER_99_8,
    UPPER_99_8,
    METHOD,
    CONFIDENCE,
    MEASURE,
    FLAGS,
    P_VALUE,
    TEST_STATISTIC,
    DISPERSION,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names_are_refused_as_keys() {
        let df = df!("area_code" => ["A"], "value" => [1.0]).unwrap();
        let err = Keys::by(["value"]).check(&df, "t").unwrap_err();
        assert!(err.to_string().contains("'value'"));
        let err = Keys::by(["crime_type"]).check(&df, "t").unwrap_err();
        assert!(matches!(err, Error::MissingColumn { .. }));
    }
}
