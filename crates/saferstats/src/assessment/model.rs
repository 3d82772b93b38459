//! The assessment as data: one serde record per area with every table of a strategic
//! assessment, and the period, source and notes they share.

use serde::{Deserialize, Serialize};

use super::inputs::InputFile;
use super::spec::AssessmentSpec;
use crate::geo::geography::Level;
use crate::period::{PeriodKind, YearMonth};

/// The strategic-assessment tables for every area at once.
///
/// Serialisable (JSON, Python dicts); [`Assessment::tables`](super::Assessment::tables) gives
/// the same as polars frames and [`Assessment::write`](super::Assessment::write) writes
/// Markdown, CSV and JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// The saferstats version that computed it.
    pub saferstats_version: String,
    /// The spec, as given (defaults filled in).
    pub spec: AssessmentSpec,
    /// Level of the areas.
    pub level: Level,
    /// The reporting period and the years and months around it that were used.
    pub period: PeriodSummary,
    /// What the data are and how much of them was used.
    pub source: SourceSummary,
    /// One record per area assessed, by area code.
    pub areas: Vec<AreaAssessment>,
    /// Data-quality notes that apply to every area.
    pub notes: Vec<String>,
    /// The input files, with sizes and SHA-256 (empty for data given in memory).
    pub inputs: Vec<InputFile>,
}

/// The reporting period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodSummary {
    /// Label, e.g. `2022/23`, `2014`, `year ending Mar 2023`.
    pub label: String,
    /// Financial year, calendar year or rolling twelve months.
    pub kind: PeriodKind,
    /// First month.
    pub first_month: YearMonth,
    /// Last month.
    pub last_month: YearMonth,
    /// Months the period should have (12).
    pub months_expected: u32,
    /// Months of it the data cover.
    pub months_covered: u32,
    /// Whether every month is covered.
    pub complete: bool,
    /// Whether partial-period rates are scaled to a full year.
    pub annualised: bool,
    /// The year compared with (the same period a year earlier), when the data have it.
    pub previous: Option<String>,
    /// Years of the general trend, oldest first.
    pub trend_periods: Vec<String>,
    /// Months used for seasonality, when 24 or more consecutive months were available.
    pub seasonality_months: Option<(YearMonth, YearMonth)>,
}

/// The data an assessment was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceSummary {
    /// `police_uk` or `counts`.
    pub kind: String,
    /// One line describing it.
    pub description: String,
    /// First month with data.
    pub first_month: YearMonth,
    /// Last month with data.
    pub last_month: YearMonth,
    /// Months with data.
    pub months_covered: u32,
    /// Months inside the span without data.
    pub months_missing: Vec<YearMonth>,
    /// Rows read (police.uk records, or rows of the counts table).
    pub rows_read: Option<u64>,
    /// Rows the reader set aside (police.uk).
    pub rows_set_aside: Option<u64>,
    /// Crimes counted in some area.
    pub rows_counted: u64,
    /// Crimes in no area (no location, LSOA not in the geography, or a unit that is not an
    /// area).
    pub rows_not_placed: u64,
    /// Vintage of the geography or lookup.
    pub geography: Option<String>,
    /// Population source and how it reaches the areas.
    pub population: String,
}

/// One area's assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaAssessment {
    /// Area code.
    pub area_code: String,
    /// Area name.
    pub area_name: String,
    /// Police force area code, when known.
    pub force_code: Option<String>,
    /// Police force area name, when known.
    pub force_name: Option<String>,
    /// Local authorities making up the area (`code name`).
    pub local_authorities: Vec<String>,
    /// Population used for the reporting period's rates.
    pub population: f64,
    /// Its mid-year.
    pub population_year: i32,
    /// Every crime group: the headline groups first ("All recorded crime excluding ASB",
    /// "Anti-social behaviour"), then each crime type.
    pub groups: Vec<GroupAssessment>,
    /// Shares of the crime types in the area's crime excluding ASB.
    pub breakdown: Vec<TypeShare>,
    /// Seasonality of the headline groups (when 24+ months exist).
    pub seasonality: Vec<SeasonalitySummary>,
    /// Top wards of the headline groups (when ward-level data exist).
    pub hotspots: Vec<HotspotSummary>,
    /// Notes for this area.
    pub notes: Vec<String>,
}

/// What a crime group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// All recorded crime excluding ASB.
    Total,
    /// Anti-social behaviour.
    Asb,
    /// One crime type.
    CrimeType,
}

/// One crime group of one area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupAssessment {
    /// Group name.
    pub group: String,
    /// What it is.
    pub kind: GroupKind,
    /// Level of crime in the reporting period.
    pub level: CrimeLevel,
    /// Comparison with the peers.
    pub peers: Option<PeerComparison>,
    /// Change against the same period a year earlier.
    pub change: Option<AnnualChange>,
    /// Why there is no change, when there is none.
    pub change_note: Option<String>,
    /// The general trend over the trend years.
    pub trend: Option<GeneralTrend>,
    /// Counts of each month of the reporting period the data cover (headline groups only).
    pub monthly: Vec<(YearMonth, i64)>,
}

/// Count and rate per 1,000 residents in the reporting period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrimeLevel {
    /// Crimes recorded.
    pub count: i64,
    /// Months covered.
    pub months_covered: u32,
    /// Months expected.
    pub months_expected: u32,
    /// Rate per 1,000 residents (annualised when the spec says so).
    pub rate: Option<f64>,
    /// 95% limits.
    pub lower_95: Option<f64>,
    /// 95% limits.
    pub upper_95: Option<f64>,
    /// 99.8% limits.
    pub lower_99_8: Option<f64>,
    /// 99.8% limits.
    pub upper_99_8: Option<f64>,
    /// `byar` or `exact`.
    pub method: Option<String>,
    /// Whether the rate was scaled to a year.
    pub annualised: bool,
    /// Flags of the rate (partial period, annualised).
    pub flags: Option<String>,
}

/// Rank among the peers and the PHE comparison with their average.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerComparison {
    /// Who the peers are, e.g. "12 CSPs assessed" or "12 CSPs of Kent".
    pub peer_group: String,
    /// Areas in the peer group (the area itself included).
    pub peers: u32,
    /// Rank by count (1 = highest).
    pub rank_count: u32,
    /// 95% rank interval by count.
    pub rank_count_lower: u32,
    /// 95% rank interval by count.
    pub rank_count_upper: u32,
    /// Rank by rate (1 = highest).
    pub rank_rate: u32,
    /// 95% rank interval by rate.
    pub rank_rate_lower: u32,
    /// 95% rank interval by rate.
    pub rank_rate_upper: u32,
    /// The peers' pooled rate per 1,000 (the benchmark).
    pub benchmark: f64,
    /// Higher / Similar / Lower than the benchmark at 95%.
    pub vs_benchmark_95: String,
    /// Higher / Similar / Lower than the benchmark at 99.8%.
    pub vs_benchmark_99_8: String,
}

/// The reporting period against the same period a year earlier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualChange {
    /// The period compared with.
    pub comparison_period: String,
    /// Crimes then.
    pub count_previous: i64,
    /// Crimes now minus then ("additional crimes").
    pub change: i64,
    /// Percentage change (null from zero).
    pub pct_change: Option<f64>,
    /// Rate ratio (per month covered).
    pub rate_ratio: Option<f64>,
    /// Its interval.
    pub lower: Option<f64>,
    /// Its interval.
    pub upper: Option<f64>,
    /// Two-sided p-value.
    pub p_value: f64,
    /// p below 1 - confidence; `None` when the test could not be computed (no verdict, and
    /// `flags` says why).
    pub significant: Option<bool>,
    /// Plain-English verdict ("no verdict" when `significant` is `None`).
    pub verdict: String,
    /// Test used.
    pub method: String,
    /// Confidence level, e.g. "95%".
    pub confidence: String,
    /// Over-dispersion factor used (1 = Poisson).
    pub dispersion: f64,
    /// Flags (small counts, exposure adjustment, recording breaks).
    pub flags: Option<String>,
}

/// One year of the general trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// Period label.
    pub period: String,
    /// Months covered.
    pub months_covered: u32,
    /// Crimes.
    pub count: i64,
    /// Rate per 1,000 (null without a population estimate for the year).
    pub rate: Option<f64>,
    /// Its 95% lower limit (Byar; exact Poisson below 10 crimes).
    #[serde(default)]
    pub lower_95: Option<f64>,
    /// Its 95% upper limit.
    #[serde(default)]
    pub upper_95: Option<f64>,
}

/// The general trend: the annual series and its trend tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneralTrend {
    /// The years, oldest first.
    pub points: Vec<TrendPoint>,
    /// PHE trend marker ("Increasing", "Decreasing", "No significant change", "Cannot be
    /// calculated").
    pub marker: String,
    /// Its reason.
    pub reason: Option<String>,
    /// Log-linear annual percentage change.
    pub annual_pct_change: Option<f64>,
    /// Its interval.
    pub lower: Option<f64>,
    /// Its interval.
    pub upper: Option<f64>,
    /// Its p-value.
    pub p_value: Option<f64>,
    /// Flags (recording breaks).
    pub flags: Option<String>,
}

/// One crime type's share of the area's crime excluding ASB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeShare {
    /// Crime type.
    pub crime_type: String,
    /// Crimes.
    pub count: i64,
    /// Share, percent (null when the total is zero).
    pub share: Option<f64>,
    /// Wilson interval, percent.
    pub lower: Option<f64>,
    /// Wilson interval, percent.
    pub upper: Option<f64>,
    /// The type's own change verdict.
    pub change: Option<String>,
    /// Its percentage change.
    pub pct_change: Option<f64>,
    /// Whether its change is significant.
    pub significant: Option<bool>,
}

/// An anomalous month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalousMonth {
    /// Month.
    pub month: YearMonth,
    /// Crimes recorded.
    pub observed: i64,
    /// Expected (trend + seasonal).
    pub expected: f64,
    /// "high" or "low".
    pub direction: String,
    /// Poisson tail p-value.
    pub p_value: Option<f64>,
}

/// Seasonality of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeasonalitySummary {
    /// Group.
    pub group: String,
    /// Months analysed.
    pub months: u32,
    /// Month with the highest seasonal component.
    pub peak_month: Option<String>,
    /// Month with the lowest.
    pub trough_month: Option<String>,
    /// Strength of seasonality (0 to 1).
    pub seasonal_strength: Option<f64>,
    /// Kruskal-Wallis p-value by calendar month.
    pub kruskal_wallis_p: Option<f64>,
    /// QS test p-value.
    pub qs_p: Option<f64>,
    /// Anomalous months (every month analysed).
    pub anomalies: Vec<AnomalousMonth>,
    /// Flags.
    pub flags: Option<String>,
    /// The monthly counts analysed, oldest first.
    #[serde(default)]
    pub series: Vec<(YearMonth, i64)>,
    /// The seasonal profile: the STL seasonal component of each calendar month, January
    /// first (crimes above or below the trend in a typical year).
    #[serde(default)]
    pub profile: Vec<CalendarMonth>,
}

/// One calendar month of a seasonal profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarMonth {
    /// Month name, e.g. "January".
    pub month: String,
    /// Mean count of that calendar month over the months analysed.
    pub mean_count: Option<f64>,
    /// STL seasonal component (crimes above or below the trend).
    pub seasonal: Option<f64>,
}

/// One ward among the top.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hotspot {
    /// Rank (1 = most crimes).
    pub rank: u32,
    /// Ward code.
    pub ward_code: String,
    /// Ward name.
    pub ward_name: String,
    /// Crimes.
    pub count: i64,
    /// Share of the area's total (0 to 1).
    pub share: Option<f64>,
    /// 95% limits of the count (Byar; exact Poisson below 10).
    #[serde(default)]
    pub lower_95: Option<f64>,
    /// 95% limits of the count.
    #[serde(default)]
    pub upper_95: Option<f64>,
}

/// Top wards of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotspotSummary {
    /// The period the wards are ranked in: the reporting period, or a ward table's own latest
    /// twelve months when it does not cover the reporting period.
    #[serde(default)]
    pub period: String,
    /// Group.
    pub group: String,
    /// Wards in the area.
    pub wards: u32,
    /// Crimes in the area's wards.
    pub total: i64,
    /// The top wards.
    pub top: Vec<Hotspot>,
    /// Share the top wards hold (0 to 1).
    pub top_share: Option<f64>,
    /// Share held now by the previous year's top wards (regression-to-the-mean safe).
    pub share_of_previous_top: Option<f64>,
    /// Share the top wards would hold by chance alone: every ward the same expected count
    /// (Poisson).
    pub poisson_null_share: Option<f64>,
    /// Gini coefficient of the wards' counts.
    pub gini: Option<f64>,
    /// Wards it takes to hold half the crimes, busiest first (the interpolated number from
    /// [`crate::frame::hotspots`] rounded up: that many wards hold at least half).
    pub areas_for_50: Option<u32>,
    /// Every ward's count, largest first (the Lorenz curve's data).
    #[serde(default)]
    pub ward_counts: Vec<i64>,
}
