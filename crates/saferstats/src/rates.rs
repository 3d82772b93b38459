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
//! use saferstats::{counts::{counts, CountSpec}, datasets, geography::Level, period::PeriodKind};
//! use saferstats::rates::{rates, RateSpec};
//! let medway = datasets::medway_2014()?;
//! let (table, _) = counts(&medway.crimes.crimes, &medway.geography,
//!                         &CountSpec::new(Level::Lad, PeriodKind::CalendarYear))?;
//! let (rated, _) = rates(&table, &medway.lad_population.table, &RateSpec::default())?;
//! let value = rated.column("value")?.f64()?.get(0).unwrap();
//! assert!((value - 25_117.0 / 273_977.0 * 1000.0).abs() < 1e-9);
//! # Ok::<(), saferstats::Error>(())
//! ```

use std::collections::BTreeSet;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::counts::{AREA_CODE, COUNT, join_args, key_columns};
use crate::error::{Error, Result};
use crate::intervals::{CountCiMethod, ExactLimitCache, validate_confidence, wilson_limits};
use crate::population::columns as pop;

/// Which confidence levels to compute.
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
                let c = validate_confidence(c).map_err(|r| Error::param("confidence", r))?;
                vec![(c, "lower", "upper")]
            }
            Confidence::PhePair => vec![
                (0.95, "lower_95", "upper_95"),
                (0.998, "lower_99_8", "upper_99_8"),
            ],
        })
    }

    /// Label such as "95%" or "95%, 99.8%".
    pub fn label(self) -> String {
        match self {
            Confidence::Level(c) => percent_label(c),
            Confidence::PhePair => "95%, 99.8%".into(),
        }
    }
}

fn percent_label(c: f64) -> String {
    let c = if c > 1.0 { c / 100.0 } else { c };
    let pct = format!("{:.1}", c * 100.0);
    format!("{}%", pct.trim_end_matches(".0"))
}

/// How a period is matched to a population mid-year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopulationYear {
    /// The year the period starts in, plus an offset (0 by default): financial year 2014/15
    /// uses mid-2014; calendar 2014 uses mid-2014; with offset 1, mid-2015.
    PeriodStart { offset: i32 },
    /// One mid-year for every period (e.g. ward estimates only published for mid-2017).
    Fixed(i32),
}

impl Default for PopulationYear {
    fn default() -> Self {
        PopulationYear::PeriodStart { offset: 0 }
    }
}

/// Options for [`rates`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RateSpec {
    /// Multiplier: 1,000 (rate per 1,000 residents, the CSP convention) or 100,000 (PHE's).
    pub per: f64,
    /// Confidence level(s).
    pub confidence: Confidence,
    /// Rule matching periods to population mid-years.
    pub population_year: PopulationYear,
    /// Name the interval columns as PHE's `phe_rate` does (`lowercl`, `uppercl`, or
    /// `lower95_0cl` ... `upper99_8cl`), and `value` as `value`, with PHE's method labels.
    pub phe_columns: bool,
}

impl Default for RateSpec {
    fn default() -> Self {
        RateSpec {
            per: 1000.0,
            confidence: Confidence::Level(0.95),
            population_year: PopulationYear::default(),
            phe_columns: false,
        }
    }
}

/// What a rates call matched and what it could not.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RateReport {
    /// Rows rated.
    pub rows: u64,
    /// Population mid-years used.
    pub population_years: Vec<i32>,
    /// Population sources used.
    pub population_sources: Vec<String>,
    /// Areas present in the population table for the years used but absent from the counts.
    pub areas_without_counts: Vec<String>,
    /// Rows of partial periods (rates understate a full period).
    pub partial_period_rows: u64,
}

fn column_f64(df: &DataFrame, name: &str, what: &str) -> Result<Float64Chunked> {
    let col = df
        .column(name)
        .map_err(|_| Error::missing_column(what, name, df))?;
    if !col.dtype().is_primitive_numeric() {
        return Err(Error::param(
            "counts",
            format!(
                "column '{name}' of {what} must be numeric, found {}",
                col.dtype()
            ),
        ));
    }
    Ok(col.cast(&DataType::Float64)?.f64()?.clone())
}

/// Validate counts: present, finite, non-negative whole numbers. Names the first bad row.
pub(crate) fn check_counts(df: &DataFrame, column: &str) -> Result<Float64Chunked> {
    let counts = column_f64(df, column, "counts")?;
    let areas = df
        .column(AREA_CODE)
        .ok()
        .and_then(|c| c.str().ok().cloned());
    for (i, v) in counts.iter().enumerate() {
        let bad = match v {
            None => Some("missing count"),
            Some(x) if !x.is_finite() => Some("count is not finite"),
            Some(x) if x < 0.0 => Some("negative count"),
            Some(x) if x.fract() != 0.0 => Some("count is not a whole number"),
            _ => None,
        };
        if let Some(reason) = bad {
            let area = areas
                .as_ref()
                .and_then(|a| a.get(i))
                .unwrap_or("?")
                .to_string();
            return Err(Error::BadValue {
                source_name: "counts".into(),
                line: i as u64 + 1,
                column: format!("{column} (area {area})"),
                value: format!("{v:?}"),
                reason: reason.into(),
            });
        }
    }
    Ok(counts)
}

/// Join each row of `counts` to its population, by `area_code` and the mid-year given by
/// `rule`. Adds `population`, `population_year`, `population_source`.
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
    let used_years: BTreeSet<i32> = years.iter().flatten().collect();
    let counted: BTreeSet<&str> = areas.iter().flatten().collect();
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
    Ok((joined, without.into_iter().collect()))
}

fn column_f64_or_str(df: &DataFrame, name: &str) -> Result<()> {
    if df.schema().contains(name) {
        Ok(())
    } else {
        Err(Error::missing_column("population", name, df))
    }
}

/// Confidence limits for a column of counts, with the method used per row.
pub struct CountLimits {
    /// Lower and upper limits per level, in the order of the levels asked for.
    pub limits: Vec<(Vec<f64>, Vec<f64>)>,
    /// Method per row (Byar's for 10 or more, exact below).
    pub methods: Vec<CountCiMethod>,
}

/// Limits for counts at each level, using a precomputed table for small counts.
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
/// long table `area_code, mid_year, population[, source]` (as [`crate::population`] reads).
/// Adds `population, population_year, population_source, value, lower, upper, method,
/// confidence, statistic, flags`.
pub fn rates(
    counts: &DataFrame,
    population: &DataFrame,
    spec: &RateSpec,
) -> Result<(DataFrame, RateReport)> {
    if !(spec.per.is_finite() && spec.per > 0.0) {
        return Err(Error::param(
            "per",
            format!("multiplier must be positive, got {}", spec.per),
        ));
    }
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
    let value: Vec<f64> = o.iter().zip(&n).map(|(o, n)| o / n * per).collect();
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
            .map(|(l, n)| l.is_finite().then_some(l / n * per))
            .collect();
        let hi: Vec<f64> = hi.iter().zip(&n).map(|(u, n)| u / n * per).collect();
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
    let h = joined.height();
    new_cols.push(text_constant("confidence", &spec.confidence.label(), h));
    let statistic = format!("rate per {}", thousands(per));
    new_cols.push(text_constant("statistic", &statistic, h));
    let flags = partial_flags(&joined)?;
    let partial_rows = flags.iter().filter(|f| f.is_some()).count() as u64;
    new_cols.push(Column::new("flags".into(), flags));
    for c in new_cols {
        joined.with_column(c)?;
    }
    let report = RateReport {
        rows: h as u64,
        population_years: joined
            .column("population_year")?
            .i32()?
            .iter()
            .flatten()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        population_sources: joined
            .column("population_source")?
            .str()?
            .iter()
            .flatten()
            .map(str::to_string)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        areas_without_counts,
        partial_period_rows: partial_rows,
    };
    Ok((joined, report))
}

fn phe_names(confidence: Confidence, level: f64) -> (String, String) {
    match confidence {
        Confidence::Level(_) => ("lowercl".into(), "uppercl".into()),
        Confidence::PhePair if level < 0.99 => ("lower95_0cl".into(), "upper95_0cl".into()),
        Confidence::PhePair => ("lower99_8cl".into(), "upper99_8cl".into()),
    }
}

/// A column repeating one text value (stored once, not per row).
pub(crate) fn text_constant(name: &str, value: &str, height: usize) -> Column {
    Column::new_scalar(
        name.into(),
        Scalar::new(DataType::String, AnyValue::StringOwned(value.into())),
        height,
    )
}

/// Whole numbers with thousands separators: "1,000", "100,000".
pub(crate) fn thousands(x: f64) -> String {
    if x.fract() != 0.0 {
        return x.to_string();
    }
    let digits = format!("{}", x as i64);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A flag for rows of partial periods: "partial period: 11 of 12 months".
pub(crate) fn partial_flags(df: &DataFrame) -> Result<Vec<Option<String>>> {
    let h = df.height();
    if !(df.schema().contains("months_covered") && df.schema().contains("months_expected")) {
        return Ok(vec![None; h]);
    }
    let cov = df.column("months_covered")?.cast(&DataType::UInt32)?;
    let exp = df.column("months_expected")?.cast(&DataType::UInt32)?;
    Ok(cov
        .u32()?
        .iter()
        .zip(exp.u32()?.iter())
        .map(|(c, e)| match (c, e) {
            (Some(c), Some(e)) if c < e => Some(format!("partial period: {c} of {e} months")),
            _ => None,
        })
        .collect())
}

/// Group rows by the values of `keys` (rendered as text), in order of first appearance.
pub(crate) fn row_groups(df: &DataFrame, keys: &[String]) -> Result<Vec<Vec<usize>>> {
    for k in keys {
        if !df.schema().contains(k) {
            return Err(Error::missing_column("table", k, df));
        }
    }
    if keys.is_empty() {
        return Ok(if df.height() == 0 {
            Vec::new()
        } else {
            vec![(0..df.height()).collect()]
        });
    }
    // polars' hash group-by (nulls form their own group), in order of first appearance.
    let grouped = df
        .select(keys.iter().map(String::as_str))?
        .lazy()
        .with_row_index("__row", None)
        .group_by_stable(keys.iter().map(|k| col(k.as_str())).collect::<Vec<_>>())
        .agg([col("__row")])
        .select([col("__row")])
        .collect()?;
    let lists = grouped.column("__row")?.list()?.clone();
    let mut groups = Vec::with_capacity(lists.len());
    for rows in lists.amortized_iter().flatten() {
        let rows = rows.as_ref();
        let rows = rows.cast(&IDX_DTYPE)?;
        groups.push(
            rows.idx()?
                .into_no_null_iter()
                .map(|i| i as usize)
                .collect(),
        );
    }
    Ok(groups)
}

/// Columns other than the area and the rate's own outputs that define a peer group.
pub(crate) fn default_peer_keys(df: &DataFrame) -> Vec<String> {
    key_columns(df, &[AREA_CODE])
}

/// Sum of counts and populations per peer group: the peer (benchmark) rate per row.
pub(crate) fn peer_rates(
    counts: &[f64],
    pops: &[f64],
    groups: &[Vec<usize>],
    per: f64,
) -> Vec<f64> {
    let mut out = vec![f64::NAN; counts.len()];
    for g in groups {
        let o: f64 = g.iter().map(|&i| counts[i]).sum();
        let n: f64 = g.iter().map(|&i| pops[i]).sum();
        for &i in g {
            out[i] = o / n * per;
        }
    }
    out
}

/// Shares of a total with Wilson score intervals (Wilson 1927; Newcombe & Altman 2000): each
/// row's `count` as a share of the sum of `count` over the rows that share every key column
/// except `of` (e.g. `of = "crime_type"`: each crime type's share of its area's crimes in the
/// period). Adds `total`, `value` (share × `per`, e.g. per = 100 for a percentage), `lower`,
/// `upper`, `method` ("wilson"), `confidence`, `statistic`.
///
/// ```
/// use saferstats::polars::prelude::*;
/// use saferstats::rates::shares;
/// let t = df!("area_code" => ["A", "A"], "crime_type" => ["Burglary", "Drugs"],
///             "count" => [65i64, 35])?;
/// let out = shares(&t, "crime_type", 0.95, 100.0)?;
/// let lower = out.column("lower")?.f64()?.get(0).unwrap();
/// assert!((lower - 55.254443296887967).abs() < 1e-9); // PHE golden value x=65, n=100
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn shares(counts: &DataFrame, of: &str, confidence: f64, per: f64) -> Result<DataFrame> {
    let confidence = validate_confidence(confidence).map_err(|r| Error::param("confidence", r))?;
    if !counts.schema().contains(of) {
        return Err(Error::missing_column("counts", of, counts));
    }
    let x: Vec<f64> = check_counts(counts, COUNT)?.into_no_null_iter().collect();
    let keys: Vec<String> = default_peer_keys(counts)
        .into_iter()
        .filter(|k| k != of)
        .chain(
            ["area_code"]
                .iter()
                .filter(|k| counts.schema().contains(k))
                .map(|k| k.to_string()),
        )
        .collect();
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
            "statistic".into(),
            vec![format!("share of total by {of}, per {}", thousands(per)); h],
        ),
    ] {
        out.with_column(c)?;
    }
    Ok(out)
}

/// Wilson intervals for proportions given as columns: `numerator` of `denominator` per row
/// (e.g. survey respondents who feel safe of those asked; with survey weights, pass the Kish
/// effective sample size as the denominator and the weighted share times it as the numerator).
/// Adds `value` (proportion × `per`), `lower`, `upper`, `method`, `confidence`.
pub fn proportions(
    frame: &DataFrame,
    numerator: &str,
    denominator: &str,
    confidence: f64,
    per: f64,
) -> Result<DataFrame> {
    let confidence = validate_confidence(confidence).map_err(|r| Error::param("confidence", r))?;
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
    Ok(out)
}
