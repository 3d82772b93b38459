//! What to assess: the areas, the reporting period, the crime groups, the peers and the
//! confidence level, as one serde struct with a `check()`.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::geo::geography::Level;
use crate::period::{Period, PeriodKind, YearMonth};
use crate::stats::intervals::validate_confidence;

/// The reporting period of an assessment.
///
/// Written as text in a spec or config file:
///
/// | text | period |
/// |---|---|
/// | `"latest"` (default) | the latest complete financial year in the data; without one, the latest complete calendar year; without either, the financial or calendar year the data cover most (latest first), flagged partial |
/// | `"2022/23"` | financial year April 2022 to March 2023 |
/// | `"2014"` | calendar year 2014 |
/// | `"year ending Mar 2023"`, `"year ending March 2023"`, `"year ending 2023-03"` | the twelve months ending with that month |
///
/// # Examples
///
/// ```
/// use saferstats::assessment::ReportingPeriod;
/// use saferstats::period::YearMonth;
/// assert_eq!("2022/23".parse::<ReportingPeriod>()?, ReportingPeriod::FinancialYear(2022));
/// assert_eq!("2014".parse::<ReportingPeriod>()?, ReportingPeriod::CalendarYear(2014));
/// let ye = "year ending March 2023".parse::<ReportingPeriod>()?;
/// assert_eq!(ye, ReportingPeriod::YearEnding(YearMonth::new(2023, 3).unwrap()));
/// assert_eq!(ye.to_string(), "year ending Mar 2023");
/// assert_eq!("year ending 2023-03".parse::<ReportingPeriod>()?, ye);
/// assert!("2022/24".parse::<ReportingPeriod>().is_err());
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ReportingPeriod {
    /// The latest complete financial year in the data (see the type's docs for the fallback).
    #[default]
    Latest,
    /// Financial year starting in April of this year (`2022` is 2022/23).
    FinancialYear(i32),
    /// Calendar year.
    CalendarYear(i32),
    /// Twelve months ending with this month.
    YearEnding(YearMonth),
}

const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn period_error(text: &str, why: &str) -> Error {
    Error::param(
        "period",
        format!(
            "'{text}' {why}; expected \"latest\", a financial year such as \"2022/23\", a \
             calendar year such as \"2014\", or \"year ending Mar 2023\""
        ),
    )
}

fn month_of_name(text: &str) -> Option<u32> {
    let t = text.trim().to_ascii_lowercase();
    if t.len() < 3 {
        return None;
    }
    MONTH_NAMES
        .iter()
        .position(|m| m.starts_with(&t))
        .map(|i| i as u32 + 1)
}

impl FromStr for ReportingPeriod {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        if lower.is_empty() || lower == "latest" {
            return Ok(ReportingPeriod::Latest);
        }
        if let Some(rest) = lower.strip_prefix("year ending") {
            let rest = rest.trim();
            if let Ok(m) = rest.parse::<YearMonth>() {
                return Ok(ReportingPeriod::YearEnding(m));
            }
            let mut words = rest.split_whitespace();
            let (Some(month), Some(year), None) = (words.next(), words.next(), words.next()) else {
                return Err(period_error(t, "is not a month and year"));
            };
            let month =
                month_of_name(month).ok_or_else(|| period_error(t, "does not name a month"))?;
            let year: i32 = year
                .parse()
                .map_err(|_| period_error(t, "does not give a four-digit year"))?;
            return Ok(ReportingPeriod::YearEnding(YearMonth { year, month }));
        }
        let fy = lower
            .strip_prefix("fy")
            .or_else(|| lower.strip_prefix("financial year"))
            .map(str::trim)
            .unwrap_or(&lower);
        if let Some((a, b)) = fy.split_once('/') {
            let start: i32 = a
                .trim()
                .parse()
                .map_err(|_| period_error(t, "is not a financial year"))?;
            let end: i32 = b
                .trim()
                .parse()
                .map_err(|_| period_error(t, "is not a financial year"))?;
            let ok = if b.trim().len() == 2 {
                end == (start + 1).rem_euclid(100)
            } else {
                end == start + 1
            };
            if a.trim().len() != 4 || !ok {
                return Err(period_error(t, "is not a financial year (April to March)"));
            }
            return Ok(ReportingPeriod::FinancialYear(start));
        }
        if lower.len() == 4 && lower.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(ReportingPeriod::CalendarYear(lower.parse().unwrap_or(0)));
        }
        Err(period_error(t, "is not a reporting period"))
    }
}

impl fmt::Display for ReportingPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportingPeriod::Latest => f.write_str("latest"),
            ReportingPeriod::FinancialYear(y) => write!(f, "{y}/{:02}", (y + 1).rem_euclid(100)),
            ReportingPeriod::CalendarYear(y) => write!(f, "{y}"),
            ReportingPeriod::YearEnding(m) => {
                write!(f, "year ending {} {}", m.month_abbr(), m.year)
            }
        }
    }
}

impl TryFrom<String> for ReportingPeriod {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        value.parse()
    }
}

impl From<ReportingPeriod> for String {
    fn from(value: ReportingPeriod) -> String {
        value.to_string()
    }
}

impl ReportingPeriod {
    /// The twelve-month period this names, for data covering `covered` (which `Latest`
    /// needs). A given period is returned whether or not the data cover it; [`resolve`]
    /// checks coverage.
    ///
    /// [`resolve`]: ReportingPeriod::resolve
    ///
    /// # Errors
    /// [`Error::InsufficientPeriods`] for `Latest` when `covered` is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use saferstats::assessment::ReportingPeriod;
    /// use saferstats::period::YearMonth;
    /// // January to November 2014: no complete year, calendar 2014 is covered most.
    /// let covered: BTreeSet<_> = (1..=11).map(|m| YearMonth::new(2014, m).unwrap()).collect();
    /// assert_eq!(ReportingPeriod::Latest.resolve(&covered)?.label(), "2014");
    /// // April 2010 to September 2023: 2022/23 is the latest complete financial year.
    /// let mps: BTreeSet<_> = (0..162).map(|i| YearMonth::new(2010, 4).unwrap().plus(i)).collect();
    /// assert_eq!(ReportingPeriod::Latest.resolve(&mps)?.label(), "2022/23");
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn resolve(self, covered: &BTreeSet<YearMonth>) -> Result<Period> {
        let year = |kind: PeriodKind, start: YearMonth| Period {
            start,
            months: 12,
            kind,
        };
        let period = match self {
            ReportingPeriod::FinancialYear(y) => {
                year(PeriodKind::FinancialYear, YearMonth { year: y, month: 4 })
            }
            ReportingPeriod::CalendarYear(y) => {
                year(PeriodKind::CalendarYear, YearMonth { year: y, month: 1 })
            }
            ReportingPeriod::YearEnding(m) => year(PeriodKind::Rolling12, m.plus(-11)),
            ReportingPeriod::Latest => {
                let covered_in =
                    |p: &Period| p.month_list().filter(|m| covered.contains(m)).count() as u32;
                let mut best: Option<(u32, Period)> = None;
                for kind in [PeriodKind::FinancialYear, PeriodKind::CalendarYear] {
                    let complete = kind
                        .periods_spanning(covered)
                        .into_iter()
                        .rfind(|p| covered_in(p) == 12);
                    if let Some(p) = complete {
                        return Ok(p);
                    }
                }
                for kind in [PeriodKind::FinancialYear, PeriodKind::CalendarYear] {
                    for p in kind.periods_spanning(covered) {
                        let n = covered_in(&p);
                        let better = match &best {
                            None => true,
                            Some((m, q)) => n > *m || (n == *m && p.end() > q.end()),
                        };
                        if better {
                            best = Some((n, p));
                        }
                    }
                }
                return best
                    .map(|(_, p)| p)
                    .ok_or_else(|| Error::InsufficientPeriods {
                        what: "the reporting period".into(),
                        reason: "the data cover no month".into(),
                    });
            }
        };
        Ok(period)
    }
}

/// Whom each area is compared with.
///
/// Written as `"all"` (default: every area assessed), `"force"` (every area of the data in
/// the same police force area, assessed or not) or a list of area codes (those areas, each
/// area assessed being ranked among them and itself).
///
/// # Examples
///
/// ```
/// use saferstats::assessment::Peers;
/// let p: Peers = serde_json::from_str(r#""force""#).unwrap();
/// assert_eq!(p, Peers::Force);
/// let p: Peers = serde_json::from_str(r#"["E22000143", "E22000146"]"#).unwrap();
/// assert_eq!(p, Peers::List(vec!["E22000143".into(), "E22000146".into()]));
/// assert!(serde_json::from_str::<Peers>(r#""county""#).is_err());
/// assert_eq!(serde_json::to_string(&Peers::All).unwrap(), r#""all""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "PeersText", into = "PeersText")]
pub enum Peers {
    /// Every area assessed.
    #[default]
    All,
    /// The areas of the data in the same police force area.
    Force,
    /// These areas (codes at the assessment's level).
    List(Vec<String>),
}

/// The written form of [`Peers`]: a word or a list of codes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
#[doc(hidden)]
pub enum PeersText {
    Word(String),
    List(Vec<String>),
}

impl TryFrom<PeersText> for Peers {
    type Error = Error;
    fn try_from(value: PeersText) -> Result<Self> {
        match value {
            PeersText::List(codes) => Ok(Peers::List(codes)),
            PeersText::Word(w) => match w
                .trim()
                .to_ascii_lowercase()
                .replace(['-', ' '], "_")
                .as_str()
            {
                "all" | "all_assessed" => Ok(Peers::All),
                "force" | "pfa" | "police_force" | "same_force" => Ok(Peers::Force),
                _ => Err(Error::param(
                    "peers",
                    format!(
                        "unknown value '{w}'; expected \"all\", \"force\" or a list of area codes"
                    ),
                )),
            },
        }
    }
}

impl From<Peers> for PeersText {
    fn from(value: Peers) -> Self {
        match value {
            Peers::All => PeersText::Word("all".into()),
            Peers::Force => PeersText::Word("force".into()),
            Peers::List(codes) => PeersText::List(codes),
        }
    }
}

/// What to assess (see the [module docs](super)).
///
/// Every field has a default and unknown fields are refused, so a config file names only what
/// it changes:
///
/// | key | default | meaning |
/// |---|---|---|
/// | `level` | `"csp"` | level of the areas: `csp`, `lad`, `force` or `ward` |
/// | `areas` | `[]` (all in the data) | area codes at that level |
/// | `period` | `"latest"` | reporting period ([`ReportingPeriod`]) |
/// | `crime_types` | every crime type in the data | crime types to report besides the two headline groups |
/// | `peers` | `"all"` | [`Peers`] |
/// | `confidence` | `0.95` | level of the change, trend and share intervals (rates always have 95% and 99.8%) |
/// | `annualise` | `false` | scale a partial period's rate to a year (flagged) |
/// | `trend_years` | `5` | years of the general trend (3 to 10) |
/// | `top` | `5` | wards listed as hotspots |
/// | `simulations` | `1000` | simulations of the rank intervals |
/// | `seed` | `2015` | seed of the rank simulation |
///
/// # Examples
///
/// ```
/// use saferstats::assessment::{AssessmentSpec, Peers, ReportingPeriod};
/// let spec: AssessmentSpec = serde_json::from_str(
///     r#"{"period": "2022/23", "peers": "force", "areas": ["E22000143"]}"#,
/// ).unwrap();
/// assert_eq!(spec.period, ReportingPeriod::FinancialYear(2022));
/// assert_eq!(spec.peers, Peers::Force);
/// spec.check()?;
/// assert!(serde_json::from_str::<AssessmentSpec>(r#"{"perod": "2022/23"}"#).is_err());
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssessmentSpec {
    /// Level of the areas assessed (CSP by default).
    pub level: Level,
    /// Area codes to assess; empty for every area in the data.
    pub areas: Vec<String>,
    /// The reporting period.
    pub period: ReportingPeriod,
    /// Crime types reported besides "All recorded crime excluding ASB" and "Anti-social
    /// behaviour"; `None` for every crime type in the data.
    pub crime_types: Option<Vec<String>>,
    /// Whom each area is compared with.
    pub peers: Peers,
    /// Confidence level of the change, trend and share intervals (0.90 to 0.999).
    pub confidence: f64,
    /// Scale the rate of a partial reporting period to a full year (flagged "annualised").
    pub annualise: bool,
    /// Years of the general trend, the reporting period included (3 to 10).
    pub trend_years: u32,
    /// Wards listed as hotspots (1 to 50).
    pub top: usize,
    /// Simulations of the rank intervals (100 to 1,000,000).
    pub simulations: usize,
    /// Seed of the rank simulation.
    pub seed: u64,
}

impl Default for AssessmentSpec {
    fn default() -> Self {
        AssessmentSpec {
            level: Level::Csp,
            areas: Vec::new(),
            period: ReportingPeriod::Latest,
            crime_types: None,
            peers: Peers::All,
            confidence: 0.95,
            annualise: false,
            trend_years: 5,
            top: 5,
            simulations: 1000,
            seed: 2015,
        }
    }
}

impl AssessmentSpec {
    /// Check the options that do not depend on the data.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the option: `level` (LSOA is not assessed),
    /// `confidence`, `trend_years`, `top`, `simulations`, `areas` (a code given twice or
    /// empty), `peers` (an empty list).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::assessment::AssessmentSpec;
    /// use saferstats::Error;
    /// AssessmentSpec::default().check()?;
    /// let bad = AssessmentSpec { trend_years: 1, ..AssessmentSpec::default() };
    /// assert!(matches!(bad.check(), Err(Error::InvalidParameter { name: "trend_years", .. })));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn check(&self) -> Result<()> {
        if self.level == Level::Lsoa {
            return Err(Error::param(
                "level",
                "LSOAs are too small to assess; use csp, lad, force or ward",
            ));
        }
        validate_confidence(self.confidence).map_err(|e| match e {
            Error::InvalidParameter { reason, .. } => Error::param("confidence", reason),
            other => other,
        })?;
        if !(3..=10).contains(&self.trend_years) {
            return Err(Error::param(
                "trend_years",
                format!("must be 3 to 10, got {}", self.trend_years),
            ));
        }
        if !(1..=50).contains(&self.top) {
            return Err(Error::param(
                "top",
                format!("must be 1 to 50, got {}", self.top),
            ));
        }
        if !(100..=crate::frame::peers::MAX_SIMULATIONS).contains(&self.simulations) {
            return Err(Error::param(
                "simulations",
                format!("must be 100 to 1,000,000, got {}", self.simulations),
            ));
        }
        let mut seen = BTreeSet::new();
        for a in &self.areas {
            if a.trim().is_empty() {
                return Err(Error::param("areas", "an area code is empty"));
            }
            if !seen.insert(a.trim()) {
                return Err(Error::param("areas", format!("'{a}' is given twice")));
            }
        }
        if let Peers::List(codes) = &self.peers
            && codes.is_empty()
        {
            return Err(Error::param(
                "peers",
                "an empty list; give area codes, \"all\" or \"force\"",
            ));
        }
        if let Some(types) = &self.crime_types
            && let Some(t) = types.iter().find(|t| t.trim().is_empty())
        {
            return Err(Error::param(
                "crime_types",
                format!("an empty crime type name ('{t}')"),
            ));
        }
        Ok(())
    }
}
