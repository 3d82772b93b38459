//! The strategic assessment as the product: every table of a CSP strategic assessment, for
//! every area at once, from police.uk street records or a published monthly counts table.
//!
//! For each area and crime group ("All recorded crime excluding ASB", "Anti-social
//! behaviour", and each crime type) in the reporting period:
//!
//! - **level of crime**: the count, and the rate per 1,000 residents with 95% and 99.8%
//!   limits ([`crate::frame::rates`]), flagged (or annualised, if asked) when the period is
//!   partial;
//! - **peer comparison**: "Nth highest of M" by count and by rate, each with its simulated 95%
//!   rank interval ([`crate::frame::peers::rank_among_peers`]), and higher / similar / lower
//!   than the peers' pooled rate at 95% and 99.8%
//!   ([`crate::frame::peers::compare_with_benchmark`]);
//! - **annual change** against the same period a year earlier: previous count, change,
//!   percentage, additional crimes, rate ratio with interval, p-value and verdict
//!   ([`crate::frame::change`]);
//! - **general trend**: the annual series over up to five years with the PHE trend marker and
//!   the log-linear annual change ([`crate::frame::trends`]), where the data reach;
//! - **seasonality** of the headline groups: peak and trough month and anomalous months
//!   ([`crate::frame::seasonality`]), where 24 or more consecutive months exist;
//! - **crime-type breakdown**: each type's share of crime excluding ASB with its Wilson
//!   interval ([`crate::frame::shares`]) and the type's own change;
//! - **hotspots**: the top wards of each area for all crime and for ASB, with their counts,
//!   the share they hold and the Gini coefficient ([`crate::frame::hotspots`], wards grouped
//!   by their parent area), where ward-level data exist;
//! - **data-quality notes**: partial periods, months missing, rows set aside by the reader,
//!   unmatched LSOAs, rows in areas the data do not cover, population vintage and rule.
//!
//! Each frame function is called once on a table holding every area (never once per area);
//! the results are gathered into one serde record per area ([`Assessment`]), rendered as
//! Markdown, CSV and JSON ([`Assessment::write`]).
//!
//! Populations: local-authority mid-year estimates (e.g. ONS MYE4) are summed to CSPs and
//! forces through the LAD lookup (a London borough is its own local authority and CSP). The
//! mid-year is that of the year the period starts in (mid-2022 for 2022/23).
//!
//! ```
//! use saferstats::assessment::{assessment, AssessmentSpec, Inputs, ReportingPeriod};
//! let inputs = Inputs::medway_2014()?;
//! let spec = AssessmentSpec { period: ReportingPeriod::CalendarYear(2014), ..AssessmentSpec::default() };
//! let a = assessment(&inputs, &spec)?;
//! let medway = &a.areas[0];
//! assert_eq!(medway.area_name, "Medway");
//! let total = &medway.groups[0];
//! assert_eq!(total.group, "All recorded crime excluding ASB");
//! assert!(!a.period.complete && a.period.months_covered == 11); // January to November
//! assert!(total.change.is_none()); // no 2013 in the data
//! let md = a.area_markdown(&medway.area_code)?;
//! assert!(md.contains("| **Level of crime** |"));
//! # Ok::<(), saferstats::Error>(())
//! ```

mod compute;
mod inputs;
mod model;
mod render;
#[cfg(feature = "reports")]
mod report;
mod reproduce;
mod spec;

pub use compute::{CRIME_GROUP, STAGES, assessment, assessment_with_progress};
pub use inputs::{
    ALL_CRIME_EXCLUDING_ASB, CountsInputs, InputFile, InputPaths, Inputs, PoliceUkInputs,
    WardCounts,
};
pub use model::{
    AnnualChange, AnomalousMonth, AreaAssessment, Assessment, CalendarMonth, CrimeLevel,
    GeneralTrend, GroupAssessment, GroupKind, Hotspot, HotspotSummary, PeerComparison,
    PeriodSummary, SeasonalitySummary, SourceSummary, TrendPoint, TypeShare,
};
pub use render::{Format, Manifest, OutputFile};
#[cfg(feature = "reports")]
pub use report::charts::{Chart, ChartKind, Line, Mark};
#[cfg(feature = "reports")]
pub use report::svg::chart_svg;
pub use reproduce::{InputChange, InputSource, Reproduction, reproduce};
pub use spec::{AssessmentSpec, Peers, ReportingPeriod};
