//! Shares of a total and proportions with Wilson score intervals.
//!
//! [`shares`] takes a counts table and gives each row's share of a total defined by the key
//! columns (a crime type's share of its area's crimes, an area's share of its period's crimes);
//! [`proportions`] takes numerator and denominator columns (e.g. survey answers). Both use the
//! Wilson score interval (Wilson 1927; Newcombe & Altman 2000), default 95%, which stays
//! inside 0-100% and is sensible for shares near 0 or 1 (`docs/methods.md`, "Shares").
//!
//! ```
//! use saferstats::frame::shares::{shares, ShareSpec};
//! use saferstats::schema::Keys;
//! use saferstats::{counts::{counts, CountSpec}, geo::geography::Level, period::PeriodKind};
//! let medway = saferstats::datasets::medway_2014()?;
//! let c = counts(&medway.crimes.crimes, &medway.geography,
//!                &CountSpec::new(Level::Ward, PeriodKind::CalendarYear).by(["crime_type"]))?;
//! // Each crime type's share of its ward's crimes.
//! let out = shares(&c.table, &ShareSpec::new("crime_type", c.report.keys.clone()))?;
//! assert_eq!(out.report.groups, 22); // one total per ward (and period)
//! # Ok::<(), saferstats::Error>(())
//! ```

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::frame::rates::percent_label;
use crate::frame::table::{check_counts, check_rows_unique, column_f64, row_groups, thousands};
use serde::{Deserialize, Serialize};

use crate::frame::Output;
use crate::schema::{COUNT, Keys, MEASURE};
use crate::stats::intervals::{validate_confidence, wilson_limits};

/// Options for [`shares`].
///
/// Made with [`ShareSpec::new`] (95%, percentages); every field must be given when it is
/// deserialised.
///
/// # Examples
///
/// ```
/// use saferstats::frame::shares::ShareSpec;
/// use saferstats::schema::Keys;
/// // Each area's share of its period's total, as a proportion at 99%.
/// let spec = ShareSpec { confidence: 0.99, per: 1.0, ..ShareSpec::new("area_code", Keys::none()) };
/// assert_eq!(spec.check()?, 0.99);
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareSpec {
    /// The key whose shares are computed: `crime_type` for each type's share of its area's
    /// crimes, `area_code` for each area's share of its period's (and group's) total.
    pub of: String,
    /// Grouping columns of the counts table (besides `area_code` and `period`).
    pub keys: Keys,
    /// Confidence level, 0.90 to 0.999 (default 0.95).
    pub confidence: f64,
    /// Multiplier: 100 for percentages (default), 1 for proportions.
    pub per: f64,
}

impl ShareSpec {
    /// Shares of `of` at 95% as percentages, with grouping columns `keys`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::frame::shares::ShareSpec;
    /// use saferstats::schema::Keys;
    /// let spec = ShareSpec::new("crime_type", Keys::by(["crime_type"]));
    /// assert_eq!((spec.of.as_str(), spec.confidence, spec.per), ("crime_type", 0.95, 100.0));
    /// ```
    pub fn new(of: impl Into<String>, keys: Keys) -> Self {
        ShareSpec {
            of: of.into(),
            keys,
            confidence: 0.95,
            per: 100.0,
        }
    }

    /// Check the options; returns the confidence level (as a fraction: 95 becomes 0.95).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `confidence` or `per`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::frame::shares::ShareSpec;
    /// use saferstats::schema::Keys;
    /// let spec = ShareSpec { confidence: 95.0, ..ShareSpec::new("crime_type", Keys::none()) };
    /// assert_eq!(spec.check()?, 0.95);
    /// let bad = ShareSpec { per: -1.0, ..spec };
    /// assert!(matches!(bad.check(), Err(saferstats::Error::InvalidParameter { name: "per", .. })));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn check(&self) -> Result<f64> {
        check_per(self.per)?;
        validate_confidence(self.confidence)
    }
}

fn check_per(per: f64) -> Result<()> {
    if per.is_finite() && per > 0.0 {
        Ok(())
    } else {
        Err(Error::param(
            "per",
            format!("multiplier must be a positive number, got {per}"),
        ))
    }
}

/// What [`shares`] computed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ShareReport {
    /// The key columns of the table (as the input's).
    pub keys: Keys,
    /// The key whose shares were computed.
    pub of: String,
    /// The columns defining each total.
    pub within: Vec<String>,
    /// Number of totals.
    pub groups: u64,
}

/// Options for [`proportions`].
///
/// Every field must be given (there is no default); the options are checked by
/// [`proportions`].
///
/// # Examples
///
/// ```
/// use saferstats::frame::shares::ProportionSpec;
/// let spec: ProportionSpec = serde_json::from_str(
///     r#"{"numerator": "feel_safe", "denominator": "asked", "confidence": 0.95, "per": 100}"#,
/// ).unwrap();
/// assert_eq!(spec.denominator, "asked");
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProportionSpec {
    /// Column of numerators.
    pub numerator: String,
    /// Column of denominators.
    pub denominator: String,
    /// Confidence level, 0.90 to 0.999.
    pub confidence: f64,
    /// Multiplier: 100 for percentages.
    pub per: f64,
}

/// What [`proportions`] computed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProportionReport {
    /// Rows.
    pub rows: u64,
}

/// Shares of a total with Wilson score intervals (Wilson 1927; Newcombe & Altman 2000): each
/// row's `count` as a share of the sum of `count` over the rows that share every key column
/// except `of` (e.g. `of = "crime_type"`: each crime type's share of its area's crimes in the
/// period). Adds `total`, `value` (share × `per`, e.g. per = 100 for a percentage), `lower`,
/// `upper`, `method` ("wilson"), `confidence`, `measure` (what `value` is).
///
/// `of` must be one of the key columns present (`area_code`, `period` or a grouping column);
/// the totals are over the other key columns present, listed in [`ShareReport::within`]. A
/// total of zero gives null shares and limits. Every input column is kept.
///
/// # Errors
///
/// - [`Error::InvalidParameter`]: `confidence` or `per` out of range ([`ShareSpec::check`]);
///   `keys` reserved or repeated; `of` not a key column of the table; `counts` when `count`
///   is not numeric.
/// - [`Error::MissingColumn`] for a missing grouping column or `count`.
/// - [`Error::BadValue`] for a missing, negative, fractional or non-finite count, naming the
///   row and area, or a null key value.
/// - [`Error::Duplicate`] when two rows share every key value (area, period and grouping
///   columns).
///
/// # Examples
///
/// ```
/// use saferstats::polars::prelude::*;
/// use saferstats::frame::shares::{shares, ShareSpec};
/// use saferstats::schema::Keys;
/// let t = df!("area_code" => ["A", "A"], "crime_type" => ["Burglary", "Drugs"],
///             "count" => [65i64, 35])?;
/// let out = shares(&t, &ShareSpec::new("crime_type", Keys::by(["crime_type"])))?.table;
/// let lower = out.column("lower")?.f64()?.get(0).unwrap();
/// assert!((lower - 55.254443296887967).abs() < 1e-9); // PHE golden value x=65, n=100
/// assert_eq!(out.column("value")?.f64()?.get(0), Some(65.0));
/// assert_eq!(out.column("total")?.f64()?.get(1), Some(100.0));
/// // Shares are of a key column.
/// assert!(shares(&t, &ShareSpec::new("count", Keys::by(["crime_type"]))).is_err());
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Wilson (1927), "Probable inference, the law of succession, and statistical inference",
/// *JASA* 22:209–212; Newcombe & Altman (2000) in *Statistics with Confidence*, 2nd ed.; PHE
/// Fingertips technical guidance "Confidence intervals" (proportions); as PHEindicatormethods
/// `phe_proportion` and statsmodels `proportion_confint(method="wilson")`.
pub fn shares(counts: &DataFrame, spec: &ShareSpec) -> Result<Output<ShareReport>> {
    let (confidence, per, of) = (spec.check()?, spec.per, spec.of.as_str());
    check_rows_unique(counts, &spec.keys, "counts")?;
    let present: Vec<String> = spec
        .keys
        .row()
        .into_iter()
        .filter(|k| counts.schema().contains(k))
        .collect();
    if !present.iter().any(|k| k == of) {
        return Err(Error::param(
            "of",
            format!(
                "'{of}' is not a key column of the table (keys: {}); shares are of a key: \
                 a crime type within its area, or an area within its period",
                present.join(", ")
            ),
        ));
    }
    let x: Vec<f64> = check_counts(counts, COUNT)?.into_no_null_iter().collect();
    let keys: Vec<String> = present.into_iter().filter(|k| k != of).collect();
    let groups = row_groups(counts, &keys)?;
    let mut total = vec![0.0; x.len()];
    for g in &groups {
        let t: f64 = g.iter().map(|&i| x[i]).sum();
        for &i in g {
            total[i] = t;
        }
    }
    let mut value = Vec::with_capacity(x.len());
    let mut lower = Vec::with_capacity(x.len());
    let mut upper = Vec::with_capacity(x.len());
    for (xi, ni) in x.iter().zip(&total) {
        if *ni > 0.0 {
            let (l, u) = wilson_limits(*xi, *ni, confidence);
            value.push(Some(xi / ni * per));
            lower.push(Some(l * per));
            upper.push(Some(u * per));
        } else {
            value.push(None);
            lower.push(None);
            upper.push(None);
        }
    }
    let h = x.len();
    let mut out = counts.clone();
    for c in [
        Column::new("total".into(), total),
        Column::new("value".into(), value),
        Column::new("lower".into(), lower),
        Column::new("upper".into(), upper),
        Column::new("method".into(), vec!["wilson"; h]),
        Column::new("confidence".into(), vec![percent_label(confidence); h]),
        Column::new(
            MEASURE.into(),
            vec![format!("share of total by {of}, per {}", thousands(per)); h],
        ),
    ] {
        out.with_column(c)?;
    }
    Ok(Output {
        table: out,
        report: ShareReport {
            keys: spec.keys.clone(),
            of: spec.of.clone(),
            within: keys,
            groups: groups.len() as u64,
        },
    })
}

/// Wilson intervals for proportions given as columns: `numerator` of `denominator` per row
/// (e.g. survey respondents who feel safe of those asked; with survey weights, pass the Kish
/// effective sample size as the denominator and the weighted share times it as the numerator).
/// Adds `value` (proportion × `per`), `lower`, `upper`, `method`, `confidence`.
///
/// # Errors
///
/// - [`Error::InvalidParameter`]: `confidence` or `per` out of range; `counts` when the
///   numerator or denominator column is not numeric.
/// - [`Error::MissingColumn`] for a missing numerator or denominator column.
/// - [`Error::BadValue`] for a row with a missing value, a denominator of zero or less, or a
///   numerator outside 0 to the denominator (naming the 1-based row).
///
/// # Examples
///
/// ```
/// use saferstats::frame::shares::{proportions, ProportionSpec};
/// use saferstats::polars::prelude::*;
/// let survey = df!("ward" => ["A", "B"], "feel_safe" => [65.0, 0.0], "asked" => [100.0, 20.0])?;
/// let spec = ProportionSpec {
///     numerator: "feel_safe".into(), denominator: "asked".into(), confidence: 0.95, per: 100.0,
/// };
/// let out = proportions(&survey, &spec)?;
/// let lower: Vec<f64> = out.table.column("lower")?.f64()?.into_no_null_iter().collect();
/// assert!((lower[0] - 55.254443296887967).abs() < 1e-9);
/// assert_eq!(lower[1], 0.0); // 0 of 20: the interval starts at 0 ...
/// let upper = out.table.column("upper")?.f64()?.get(1).unwrap();
/// assert!(upper > 0.0 && upper < 20.0); // ... and is not empty
/// assert_eq!(out.report.rows, 2);
/// let more = df!("feel_safe" => [21.0], "asked" => [20.0])?;
/// assert!(matches!(proportions(&more, &spec), Err(saferstats::Error::BadValue { line: 1, .. })));
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// Wilson (1927), *JASA* 22:209–212; Newcombe & Altman (2000) in *Statistics with
/// Confidence*, 2nd ed.; Kish (1965), *Survey Sampling*, Wiley (effective sample size of
/// weighted data, [`crate::stats::intervals::kish_effective_n`]).
pub fn proportions(frame: &DataFrame, spec: &ProportionSpec) -> Result<Output<ProportionReport>> {
    let confidence = validate_confidence(spec.confidence)?;
    check_per(spec.per)?;
    let (numerator, denominator, per) =
        (spec.numerator.as_str(), spec.denominator.as_str(), spec.per);
    let x = column_f64(frame, numerator, "proportions")?;
    let n = column_f64(frame, denominator, "proportions")?;
    let h = frame.height();
    let (mut value, mut lower, mut upper) = (
        Vec::with_capacity(h),
        Vec::with_capacity(h),
        Vec::with_capacity(h),
    );
    for (i, (x, n)) in x.iter().zip(n.iter()).enumerate() {
        let (Some(x), Some(n)) = (x, n) else {
            return Err(Error::BadValue {
                source_name: "proportions".into(),
                line: i as u64 + 1,
                column: format!("{numerator}/{denominator}"),
                value: "null".into(),
                reason: "missing numerator or denominator".into(),
            });
        };
        if !(n > 0.0 && x >= 0.0 && x <= n) {
            return Err(Error::BadValue {
                source_name: "proportions".into(),
                line: i as u64 + 1,
                column: format!("{numerator}/{denominator}"),
                value: format!("{x}/{n}"),
                reason: "need 0 ≤ numerator ≤ denominator and denominator > 0".into(),
            });
        }
        let (l, u) = wilson_limits(x, n, confidence);
        value.push(x / n * per);
        lower.push(l * per);
        upper.push(u * per);
    }
    let mut out = frame.clone();
    for c in [
        Column::new("value".into(), value),
        Column::new("lower".into(), lower),
        Column::new("upper".into(), upper),
        Column::new("method".into(), vec!["wilson"; h]),
        Column::new("confidence".into(), vec![percent_label(confidence); h]),
    ] {
        out.with_column(c)?;
    }
    Ok(Output {
        table: out,
        report: ProportionReport {
            rows: frame.height() as u64,
        },
    })
}
