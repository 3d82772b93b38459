//! Crude rates per 1,000 residents (or any multiplier) with confidence intervals, for every
//! area, group and period of a counts table at once.
//!
//! Method (PHE / Fingertips "Rates" technical guidance; Breslow & Day 1987; Armitage & Berry):
//! counts of 10 or more use Byar's approximation, fewer than 10 the exact Poisson limits from
//! chi-squared quantiles; the switch is per row and the `method` column says which was used.
//! Confidence levels from 0.90 to 0.999, or PHE's pair 95% + 99.8% in one call.
//!
//! The denominator is matched to each period by an explicit rule ([`PopulationYear`]); the
//! default takes the mid-year estimate of the year the period starts in (a financial year
//! 2014/15 uses mid-2014). The output records the population year and source used. A missing,
//! zero or negative population is an error naming the area and year, never a null or infinity.
//!
//! ```
//! use saferstats::{counts::{counts, CountSpec}, datasets, geo::geography::Level, period::PeriodKind};
//! use saferstats::frame::rates::{rates, RateSpec};
//! let medway = datasets::medway_2014()?;
//! let table = counts(&medway.crimes.crimes, &medway.geography,
//!                    &CountSpec::new(Level::Lad, PeriodKind::CalendarYear))?.table;
//! let rated = rates(&table, &medway.lad_population.table, &RateSpec::default())?.table;
//! let value = rated.column("value")?.f64()?.get(0).unwrap();
//! assert!((value - 25_117.0 / 273_977.0 * 1000.0).abs() < 1e-9);
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::collections::BTreeSet;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::counts::join_args;
use crate::error::{Error, Result};
use crate::frame::Output;
use crate::frame::table::{
    check_counts, check_rows_unique, coverage, text_constant, thousands, under_published,
    under_published_flag,
};
use crate::io::ons_population::columns as pop;
use crate::schema::{AREA_CODE, COUNT, Keys, MEASURE};
use crate::stats::intervals::{CountCiMethod, ExactLimitCache, validate_confidence};

/// Which confidence levels to compute.
///
/// Serialised as `{"level": 0.95}` or `"phe_pair"`. A level may also be given as a
/// percentage (`Level(95.0)`), as PHEindicatormethods accepts.
///
/// # Examples
///
/// ```
/// use saferstats::frame::rates::Confidence;
/// assert_eq!(Confidence::Level(0.998).label(), "99.8%");
/// let c: Confidence = serde_json::from_str(r#""phe_pair""#).unwrap();
/// assert_eq!(c, Confidence::PhePair);
/// let c: Confidence = serde_json::from_str(r#"{"level": 0.99}"#).unwrap();
/// assert_eq!(c, Confidence::Level(0.99));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// One level between 0.90 and 0.999: columns `lower`, `upper`.
    Level(f64),
    /// PHE's pair 95% and 99.8%: columns `lower_95`, `upper_95`, `lower_99_8`, `upper_99_8`.
    PhePair,
}

impl Confidence {
    fn levels(self) -> Result<Vec<(f64, &'static str, &'static str)>> {
        Ok(match self {
            Confidence::Level(c) => {
                let c = validate_confidence(c)?;
                vec![(c, "lower", "upper")]
            }
            Confidence::PhePair => vec![
                (0.95, "lower_95", "upper_95"),
                (0.998, "lower_99_8", "upper_99_8"),
            ],
        })
    }

    /// Label such as "95%" or "95%, 99.8%" (the `confidence` column of [`rates`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::frame::rates::Confidence;
    /// assert_eq!(Confidence::Level(0.95).label(), "95%");
    /// assert_eq!(Confidence::Level(95.0).label(), "95%");
    /// assert_eq!(Confidence::PhePair.label(), "95%, 99.8%");
    /// ```
    pub fn label(self) -> String {
        match self {
            Confidence::Level(c) => percent_label(c),
            Confidence::PhePair => "95%, 99.8%".into(),
        }
    }
}

pub(crate) fn percent_label(c: f64) -> String {
    let c = if c > 1.0 { c / 100.0 } else { c };
    let pct = format!("{:.1}", c * 100.0);
    format!("{}%", pct.trim_end_matches(".0"))
}

/// How a period is matched to a population mid-year.
///
/// Serialised as `{"period_start": {"offset": 0}}` (the default) or `{"fixed": 2017}`.
///
/// # Examples
///
/// ```
/// use saferstats::frame::rates::PopulationYear;
/// assert_eq!(PopulationYear::default(), PopulationYear::PeriodStart { offset: 0 });
/// let fixed: PopulationYear = serde_json::from_str(r#"{"fixed": 2017}"#).unwrap();
/// assert_eq!(fixed, PopulationYear::Fixed(2017));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopulationYear {
    /// The year the period starts in, plus an offset (0 by default): financial year 2014/15
    /// uses mid-2014; calendar 2014 uses mid-2014; with offset 1, mid-2015. A `mid_year`
    /// column in the counts, when present, is used instead of the year of `period_start`.
    PeriodStart {
        /// Years added to the period's start year (or `mid_year`); 1 takes the following
        /// mid-year's estimate.
        offset: i32,
    },
    /// One mid-year for every period (e.g. ward estimates only published for mid-2017).
    Fixed(i32),
}

impl Default for PopulationYear {
    fn default() -> Self {
        PopulationYear::PeriodStart { offset: 0 }
    }
}

/// Options for [`rates`].
///
/// Defaults: rate per 1,000, 95% limits, the mid-year the period starts in, saferstats column
/// names, no grouping columns, partial periods not annualised. Deserialises with every field
/// optional and unknown fields refused.
///
/// # Examples
///
/// ```
/// use saferstats::frame::rates::{Confidence, PopulationYear, RateSpec};
/// use saferstats::schema::Keys;
/// let phe = RateSpec { per: 100_000.0, confidence: Confidence::PhePair, ..RateSpec::default() }
///     .with_keys(Keys::by(["crime_type"]));
/// phe.check()?;
/// let same: RateSpec = serde_json::from_str(
///     r#"{"per": 100000, "confidence": "phe_pair", "keys": ["crime_type"]}"#,
/// ).unwrap();
/// assert_eq!((same.per, same.confidence, same.keys), (phe.per, phe.confidence, phe.keys));
/// assert_eq!(same.population_year, PopulationYear::default());
/// assert!(serde_json::from_str::<RateSpec>(r#"{"pre": 100000}"#).is_err()); // typo refused
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateSpec {
    /// Multiplier: 1,000 (rate per 1,000 residents, the CSP convention) or 100,000 (PHE's).
    pub per: f64,
    /// Confidence level(s).
    pub confidence: Confidence,
    /// Rule matching periods to population mid-years.
    pub population_year: PopulationYear,
    /// Name the interval columns as PHE's `phe_rate` does (`lowercl`, `uppercl`, or
    /// `lower95_0cl` ... `upper99_8cl`) and use PHE's method labels (`Byars`, `Exact`);
    /// `value` keeps its name.
    pub phe_columns: bool,
    /// Grouping columns of the counts table (besides `area_code` and `period`).
    pub keys: Keys,
    /// Scale the rate and its limits of a partial period (e.g. 11 of 12 months) to the full
    /// period (× 12/11), flagged "annualised"; by default a partial period keeps its own rate,
    /// flagged "partial period: 11 of 12 months" (it is not an annual rate).
    pub annualise: bool,
}

impl Default for RateSpec {
    fn default() -> Self {
        RateSpec {
            per: 1000.0,
            confidence: Confidence::Level(0.95),
            population_year: PopulationYear::default(),
            phe_columns: false,
            keys: Keys::none(),
            annualise: false,
        }
    }
}

impl RateSpec {
    /// Check the options: a positive finite multiplier and a valid confidence level (0.90 to
    /// 0.999, or 90 to 99.9 as a percentage). [`rates`] calls it first.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `per` or `confidence`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::frame::rates::{Confidence, RateSpec};
    /// use saferstats::Error;
    /// RateSpec::default().check()?;
    /// let bad = RateSpec { per: 0.0, ..RateSpec::default() };
    /// assert!(matches!(bad.check(), Err(Error::InvalidParameter { name: "per", .. })));
    /// let bad = RateSpec { confidence: Confidence::Level(0.5), ..RateSpec::default() };
    /// assert!(matches!(bad.check(), Err(Error::InvalidParameter { name: "confidence", .. })));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn check(&self) -> Result<()> {
        if !(self.per.is_finite() && self.per > 0.0) {
            return Err(Error::param(
                "per",
                format!("multiplier must be a positive number, got {}", self.per),
            ));
        }
        self.confidence.levels().map(|_| ())
    }

    /// The same options for a table with grouping columns `keys`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::frame::rates::RateSpec;
    /// use saferstats::schema::Keys;
    /// let spec = RateSpec::default().with_keys(Keys::by(["crime_type"]));
    /// assert_eq!(spec.keys.by, ["crime_type"]);
    /// assert_eq!(spec.per, 1000.0);
    /// ```
    pub fn with_keys(mut self, keys: Keys) -> Self {
        self.keys = keys;
        self
    }
}

/// What a rates call matched and what it could not.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RateReport {
    /// The key columns of the table (as the input's).
    pub keys: Keys,
    /// Rows rated.
    pub rows: u64,
    /// Population mid-years used.
    pub population_years: Vec<i32>,
    /// Population sources used.
    pub population_sources: Vec<String>,
    /// Areas present in the population table for the years used but absent from the counts.
    pub areas_without_counts: Vec<String>,
    /// Rows of partial periods (rates understate a full period unless annualised).
    pub partial_period_rows: u64,
    /// Partial-period rows whose rate and limits were scaled to the full period.
    pub annualised_rows: u64,
    /// Rows of periods with no month covered: no rate (null), never a rate of zero.
    pub uncovered_rows: u64,
    /// Rows whose period holds an under-published month (`months_under_published` > 0): the
    /// rate is flagged as resting on an incomplete count.
    #[serde(default)]
    pub under_published_rows: u64,
}

/// Join each row of `counts` to its population, by `area_code` and the mid-year given by
/// `rule`. Adds `population`, `population_year`, `population_source`.
///
/// Returns the joined table (rows in the order of `counts`) and the areas of the population
/// table, for the mid-years used, that have no row in `counts` (a sign that the counts and
/// the population are not for the same set of areas).
///
/// # Errors
///
/// - [`Error::MissingColumn`] when `population` lacks `area_code`, `mid_year` or `population`,
///   or `counts` lacks `area_code`, or (for [`PopulationYear::PeriodStart`]) both `mid_year`
///   and `period_start`.
/// - [`Error::Duplicate`] when the population table has two values for one area and year.
/// - [`Error::InvalidParameter`] (`population`) when a row has no population: the table has no
///   estimates for that mid-year at all, or none for that area.
/// - [`Error::BadValue`] for a zero, negative or non-finite population, naming the area and
///   year.
///
/// # Examples
///
/// ```
/// use saferstats::frame::rates::{attach_population, PopulationYear};
/// use saferstats::polars::prelude::*;
/// let counts = df!("area_code" => ["A"], "mid_year" => [2014], "count" => [65i64])?;
/// let population = df!(
///     "area_code" => ["A", "A", "B"], "mid_year" => [2014, 2015, 2014],
///     "population" => [100_000.0, 101_000.0, 20_000.0],
/// )?;
/// let (joined, unmatched) = attach_population(&counts, &population, PopulationYear::PeriodStart { offset: 1 })?;
/// assert_eq!(joined.column("population")?.f64()?.get(0), Some(101_000.0));
/// assert_eq!(joined.column("population_year")?.i32()?.get(0), Some(2015));
/// assert!(unmatched.is_empty()); // B has no mid-2015 estimate, so it is not "unmatched"
/// let (_, unmatched) = attach_population(&counts, &population, PopulationYear::Fixed(2014))?;
/// assert_eq!(unmatched, ["B"]);
/// assert!(attach_population(&counts, &population, PopulationYear::Fixed(2017)).is_err());
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn attach_population(
    counts: &DataFrame,
    population: &DataFrame,
    rule: PopulationYear,
) -> Result<(DataFrame, Vec<String>)> {
    for c in [pop::AREA_CODE, pop::MID_YEAR, pop::POPULATION] {
        column_f64_or_str(population, c)?;
    }
    if !counts.schema().contains(AREA_CODE) {
        return Err(Error::missing_column("counts", AREA_CODE, counts));
    }
    let year_expr = match rule {
        PopulationYear::Fixed(y) => lit(y),
        PopulationYear::PeriodStart { offset } => {
            if counts.schema().contains("mid_year") {
                col("mid_year").cast(DataType::Int32) + lit(offset)
            } else if counts.schema().contains("period_start") {
                col("period_start").dt().year() + lit(offset)
            } else {
                return Err(Error::missing_column("counts", "period_start", counts));
            }
        }
    };
    let has_source = population.schema().contains(pop::SOURCE);
    let pop_frame = population
        .clone()
        .lazy()
        .select([
            col(pop::AREA_CODE)
                .cast(DataType::String)
                .alias("__pop_area"),
            col(pop::MID_YEAR)
                .cast(DataType::Int32)
                .alias("population_year"),
            col(pop::POPULATION)
                .cast(DataType::Float64)
                .alias("population"),
            if has_source {
                col(pop::SOURCE)
                    .cast(DataType::String)
                    .alias("population_source")
            } else {
                lit(NULL).cast(DataType::String).alias("population_source")
            },
        ])
        .collect()?;
    // A population table must have one value per area and year.
    let dup = pop_frame
        .clone()
        .lazy()
        .group_by([col("__pop_area"), col("population_year")])
        .agg([len().alias("n")])
        .filter(col("n").gt(lit(1)))
        .collect()?;
    if dup.height() > 0 {
        return Err(Error::Duplicate {
            source_name: "population".into(),
            what: "area and mid-year",
            key: format!(
                "{} {}",
                dup.column("__pop_area")?.str()?.get(0).unwrap_or("?"),
                dup.column("population_year")?.i32()?.get(0).unwrap_or(0)
            ),
        });
    }
    let joined = counts
        .clone()
        .lazy()
        .with_column(year_expr.cast(DataType::Int32).alias("population_year"))
        .join(
            pop_frame.clone().lazy(),
            [col(AREA_CODE), col("population_year")],
            [col("__pop_area"), col("population_year")],
            join_args(JoinType::Left, false),
        )
        .collect()?;
    let pops = joined.column("population")?.f64()?;
    let areas = joined.column(AREA_CODE)?.str()?;
    let years = joined.column("population_year")?.i32()?;
    let years_available: BTreeSet<i32> = pop_frame
        .column("population_year")?
        .i32()?
        .iter()
        .flatten()
        .collect();
    let any_bad = pops.null_count() > 0
        || pops
            .iter()
            .any(|p| p.is_some_and(|p| !(p > 0.0 && p.is_finite())));
    for i in (0..joined.height()).filter(|_| any_bad) {
        let area = areas.get(i).unwrap_or("?");
        let year = years.get(i).unwrap_or(0);
        match pops.get(i) {
            None if !years_available.contains(&year) => {
                return Err(Error::param(
                    "population",
                    format!(
                        "the population table has no mid-{year} estimates (needed for area {area}); \
                         years available: {years_available:?}. Choose another population_year rule \
                         or add the year."
                    ),
                ));
            }
            None => {
                return Err(Error::param(
                    "population",
                    format!("no mid-{year} population for area {area}"),
                ));
            }
            Some(p) if p <= 0.0 || !p.is_finite() => {
                return Err(Error::BadValue {
                    source_name: "population".into(),
                    line: 0,
                    column: format!("population (area {area}, mid-{year})"),
                    value: p.to_string(),
                    reason: "population must be positive".into(),
                });
            }
            _ => {}
        }
    }
    let used_years: PlHashSet<i32> = years.iter().flatten().collect();
    let counted: PlHashSet<&str> = areas.iter().flatten().collect();
    let mut without = BTreeSet::new();
    let pa = pop_frame.column("__pop_area")?.str()?;
    let py = pop_frame.column("population_year")?.i32()?;
    for (a, y) in pa.iter().zip(py.iter()) {
        if let (Some(a), Some(y)) = (a, y)
            && used_years.contains(&y)
            && !counted.contains(a)
        {
            without.insert(a.to_string());
        }
    }
    drop(counted);
    Ok((joined, without.into_iter().collect()))
}

/// The distinct values, sorted (hashed first: the rows repeat a few values).
fn sorted_distinct<T: Ord + std::hash::Hash + Eq>(values: impl Iterator<Item = T>) -> Vec<T> {
    let mut distinct: Vec<T> = values.collect::<PlHashSet<T>>().into_iter().collect();
    distinct.sort_unstable();
    distinct
}

fn column_f64_or_str(df: &DataFrame, name: &str) -> Result<()> {
    if df.schema().contains(name) {
        Ok(())
    } else {
        Err(Error::missing_column("population", name, df))
    }
}

/// Confidence limits for a column of counts, with the method used per row (returned by
/// [`count_limits`]).
///
/// # Examples
///
/// ```
/// use saferstats::frame::rates::count_limits;
/// let cl = count_limits(&[5.0, 65.0], &[0.95, 0.998]);
/// let (lower_95, upper_95) = &cl.limits[0];
/// assert_eq!((lower_95.len(), upper_95.len()), (2, 2));
/// assert_eq!(cl.methods.len(), 2);
/// ```
pub struct CountLimits {
    /// Lower and upper limits per level, in the order of the levels asked for.
    pub limits: Vec<(Vec<f64>, Vec<f64>)>,
    /// Method per row (Byar's for 10 or more, exact below).
    pub methods: Vec<CountCiMethod>,
}

/// Limits for counts at each level, using a precomputed table for small counts.
///
/// The limits are for the count itself (divide by the population and multiply by the
/// multiplier for a rate): exact Poisson limits from χ² quantiles below 10, Byar's
/// approximation from 10, identical to
/// [`poisson_count_limits`](crate::stats::intervals::poisson_count_limits) row by row.
/// `levels` are not validated here (see [`validate_confidence`]).
///
/// # Examples
///
/// ```
/// use saferstats::frame::rates::count_limits;
/// use saferstats::stats::intervals::CountCiMethod;
/// let cl = count_limits(&[0.0, 5.0, 65.0], &[0.95]);
/// let (lower, upper) = &cl.limits[0];
/// assert_eq!(cl.methods, [CountCiMethod::Exact, CountCiMethod::Exact, CountCiMethod::Byar]);
/// assert_eq!(lower[0], 0.0);
/// assert!((upper[0] - 3.688879454113936).abs() < 1e-9); // -ln(0.025)
/// // Byar's limits for 65 events.
/// assert!((lower[2] - 50.163187710459).abs() < 1e-9);
/// assert!((upper[2] - 82.849138545940).abs() < 1e-9);
/// ```
///
/// # References
///
/// Breslow & Day (1987), *Statistical Methods in Cancer Research* vol. II, IARC (Byar's
/// method); Armitage & Berry, *Statistical Methods in Medical Research* (exact limits); PHE
/// Fingertips technical guidance "Confidence intervals" and "Rates"; PHEindicatormethods
/// `phe_rate`.
pub fn count_limits(counts: &[f64], levels: &[f64]) -> CountLimits {
    let mut limits = Vec::with_capacity(levels.len());
    let mut methods = Vec::with_capacity(counts.len());
    for (k, &level) in levels.iter().enumerate() {
        let cache = ExactLimitCache::new(level);
        let mut lo = Vec::with_capacity(counts.len());
        let mut hi = Vec::with_capacity(counts.len());
        for &o in counts {
            let (l, u, m) = cache.limits(o);
            lo.push(l);
            hi.push(u);
            if k == 0 {
                methods.push(m);
            }
        }
        limits.push((lo, hi));
    }
    CountLimits { limits, methods }
}

/// Rates with confidence intervals for every row of a counts table (see the module docs).
///
/// `counts` needs `area_code`, `count` and `period_start` (or `mid_year`); `population` is a
/// long table `area_code, mid_year, population[, source]` (as [`crate::io::ons_population`] reads).
/// Adds `population, population_year, population_source, value, lower, upper, method,
/// confidence, measure, flags` (`measure` says what `value` is, e.g. "rate per 1,000").
///
/// With [`Confidence::PhePair`] the limits are `lower_95, upper_95, lower_99_8, upper_99_8`;
/// with [`RateSpec::phe_columns`] they are named as PHEindicatormethods `phe_rate` names them
/// (`lowercl, uppercl`, or `lower95_0cl, upper95_0cl, lower99_8cl, upper99_8cl`) and `method`
/// reads `Byars`/`Exact`. When the counts have coverage columns (`months_covered`,
/// `months_expected`), `flags` marks partial periods ("partial period: 11 of 12 months"; with
/// [`RateSpec::annualise`] the rate and limits are scaled to the full period and the flag says
/// so), and a period with no month covered gets a null rate and limits, never zero. Every
/// input column is kept, so the table can go straight to [`crate::frame::peers`],
/// [`crate::frame::change`] or [`crate::frame::trends`].
///
/// # Errors
///
/// - [`Error::InvalidParameter`]: `per` or `confidence` out of range ([`RateSpec::check`]);
///   `keys` reserved or repeated; `counts` when `count` is not numeric; `population` when a
///   row has no population (see [`attach_population`]).
/// - [`Error::MissingColumn`] for a missing key column, `count`, `area_code`, `period_start`
///   (or `mid_year`), or a population column.
/// - [`Error::BadValue`] for a missing, negative, fractional or non-finite count (naming the
///   row and area), or a zero, negative or non-finite population (naming the area and year),
///   or a null key value (area, period or grouping column).
/// - [`Error::Duplicate`] when two rows of `counts` share every key value (area, period and
///   grouping columns), or the population table has two values for one area and year.
///
/// # Examples
///
/// ```
/// use saferstats::frame::rates::{rates, Confidence, RateSpec};
/// use saferstats::polars::prelude::*;
/// let counts = df!(
///     "area_code" => ["A", "B"], "period" => ["2014", "2014"], "mid_year" => [2014, 2014],
///     "count" => [65i64, 5],
/// )?;
/// let population = df!(
///     "area_code" => ["A", "B"], "mid_year" => [2014, 2014], "population" => [100_000.0, 20_000.0],
/// )?;
/// let spec = RateSpec { per: 100_000.0, ..RateSpec::default() };
/// let out = rates(&counts, &population, &spec)?;
/// let value: Vec<f64> = out.table.column("value")?.f64()?.into_no_null_iter().collect();
/// assert_eq!(value, [65.0, 25.0]);
/// let method: Vec<&str> = out.table.column("method")?.str()?.iter().flatten().collect();
/// assert_eq!(method, ["byar", "exact"]); // Byar's from 10 events, exact below
/// let lower = out.table.column("lower")?.f64()?.get(0).unwrap();
/// assert!((lower - 50.163187710459).abs() < 1e-9);
/// assert_eq!(out.report.population_years, [2014]);
///
/// // PHE's two levels with PHE's column names.
/// let phe = RateSpec { confidence: Confidence::PhePair, phe_columns: true, ..spec };
/// let out = rates(&counts, &population, &phe)?;
/// assert!(out.table.column("lower99_8cl").is_ok());
/// assert_eq!(out.table.column("method")?.str()?.get(0), Some("Byars"));
///
/// // A population of zero is refused, naming the area.
/// let zero = df!("area_code" => ["A", "B"], "mid_year" => [2014, 2014], "population" => [0.0, 1.0])?;
/// let err = rates(&counts, &zero, &RateSpec::default()).unwrap_err();
/// assert!(err.to_string().contains("area A"), "{err}");
/// # Ok::<(), saferstats::Error>(())
/// ```
///
/// # References
///
/// PHE Fingertips technical guidance "Confidence intervals" and "Rates"; Breslow & Day
/// (1987), *Statistical Methods in Cancer Research* vol. II, IARC (Byar's approximation);
/// Armitage & Berry, *Statistical Methods in Medical Research* (exact limits);
/// PHEindicatormethods `phe_rate`; `docs/methods.md`, "Rates".
pub fn rates(
    counts: &DataFrame,
    population: &DataFrame,
    spec: &RateSpec,
) -> Result<Output<RateReport>> {
    spec.check()?;
    check_rows_unique(counts, &spec.keys, "counts")?;
    let levels = spec.confidence.levels()?;
    let observed = check_counts(counts, COUNT)?;
    let (mut joined, areas_without_counts) =
        attach_population(counts, population, spec.population_year)?;
    let o: Vec<f64> = observed.into_no_null_iter().collect();
    let n: Vec<f64> = joined
        .column("population")?
        .f64()?
        .into_no_null_iter()
        .collect();
    let per = spec.per;
    let h = joined.height();
    // Per-row scale: 1 for a full period (or a partial one kept as it is), expected/covered
    // when annualising a partial period, none when no month is covered.
    let cov = coverage(&joined)?;
    let mut flags: Vec<Option<String>> = vec![None; h];
    let (mut partial_rows, mut annualised_rows, mut uncovered_rows) = (0u64, 0u64, 0u64);
    let scale: Vec<Option<f64>> = match &cov {
        None => vec![Some(1.0); h],
        Some(cov) => cov
            .iter()
            .zip(flags.iter_mut())
            .map(|(&(c, e), flag)| {
                if e > 0 && c == 0 {
                    uncovered_rows += 1;
                    *flag = Some("no month of the period is covered by the data: no rate".into());
                    None
                } else if c < e {
                    partial_rows += 1;
                    if spec.annualise {
                        annualised_rows += 1;
                        *flag = Some(format!(
                            "partial period: {c} of {e} months, annualised (x {e}/{c})"
                        ));
                        Some(f64::from(e) / f64::from(c))
                    } else {
                        *flag = Some(format!("partial period: {c} of {e} months"));
                        Some(1.0)
                    }
                } else {
                    Some(1.0)
                }
            })
            .collect(),
    };
    let mut under_published_rows = 0u64;
    if let Some(low) = under_published(&joined)? {
        for (flag, &m) in flags.iter_mut().zip(&low) {
            if m > 0 {
                under_published_rows += 1;
                let note = under_published_flag(m);
                *flag = Some(match flag.take() {
                    Some(f) => format!("{f}; {note}"),
                    None => note,
                });
            }
        }
    }
    let value: Vec<Option<f64>> = o
        .iter()
        .zip(&n)
        .zip(&scale)
        .map(|((o, n), s)| s.map(|s| o / n * per * s))
        .collect();
    let level_values: Vec<f64> = levels.iter().map(|l| l.0).collect();
    let cl = count_limits(&o, &level_values);
    let mut new_cols = vec![Column::new("value".into(), value)];
    for ((lo, hi), (level, lo_name, hi_name)) in cl.limits.into_iter().zip(&levels) {
        let (lo_name, hi_name) = if spec.phe_columns {
            phe_names(spec.confidence, *level)
        } else {
            (lo_name.to_string(), hi_name.to_string())
        };
        let lo: Vec<Option<f64>> = lo
            .iter()
            .zip(&n)
            .zip(&scale)
            .map(|((l, n), s)| s.filter(|_| l.is_finite()).map(|s| l / n * per * s))
            .collect();
        let hi: Vec<Option<f64>> = hi
            .iter()
            .zip(&n)
            .zip(&scale)
            .map(|((u, n), s)| s.map(|s| u / n * per * s))
            .collect();
        new_cols.push(Column::new(lo_name.into(), lo));
        new_cols.push(Column::new(hi_name.into(), hi));
    }
    let method: Vec<&str> = cl
        .methods
        .iter()
        .map(|m| match (spec.phe_columns, m) {
            (true, m) => m.label(),
            (false, CountCiMethod::Byar) => "byar",
            (false, CountCiMethod::Exact) => "exact",
        })
        .collect();
    new_cols.push(Column::new("method".into(), method));
    new_cols.push(text_constant("confidence", &spec.confidence.label(), h));
    let statistic = format!("rate per {}", thousands(per));
    new_cols.push(text_constant(MEASURE, &statistic, h));
    new_cols.push(Column::new("flags".into(), flags));
    for c in new_cols {
        joined.with_column(c)?;
    }
    let report = RateReport {
        keys: spec.keys.clone(),
        rows: h as u64,
        population_years: sorted_distinct(
            joined.column("population_year")?.i32()?.iter().flatten(),
        ),
        population_sources: sorted_distinct(
            joined.column("population_source")?.str()?.iter().flatten(),
        )
        .into_iter()
        .map(str::to_string)
        .collect(),
        areas_without_counts,
        partial_period_rows: partial_rows,
        annualised_rows,
        uncovered_rows,
        under_published_rows,
    };
    Ok(Output {
        table: joined,
        report,
    })
}

fn phe_names(confidence: Confidence, level: f64) -> (String, String) {
    match confidence {
        Confidence::Level(_) => ("lowercl".into(), "uppercl".into()),
        Confidence::PhePair if level < 0.99 => ("lower95_0cl".into(), "upper95_0cl".into()),
        Confidence::PhePair => ("lower99_8cl".into(), "upper99_8cl".into()),
    }
}
