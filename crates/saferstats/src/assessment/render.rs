//! Renderers: Markdown per area (the strategic assessment's "All Recorded Crime" table, with
//! the significance it lacked) and an index, polars frames and one combined CSV of all areas,
//! JSON, and a folder of files with a manifest.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::compute::{CRIME_GROUP, level_plural, ordinal_text};
use super::inputs::sha256_hex;
use super::model::*;
use crate::error::{Error, Result};
use crate::frame::table::thousands;
use crate::geo::geography::Level;

/// An output format of [`Assessment::write`].
///
/// # Examples
///
/// ```
/// use saferstats::assessment::Format;
/// assert_eq!("md".parse::<Format>()?, Format::Markdown);
/// assert_eq!(Format::parse_list("md,csv,json")?, [Format::Markdown, Format::Csv, Format::Json]);
/// assert_eq!("xlsx".parse::<Format>()?, Format::Xlsx);
/// assert!("pdf".parse::<Format>().is_err());
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// One Markdown file per area and an index.
    Markdown,
    /// One combined CSV of all areas (`assessment.csv`) and the detail tables.
    Csv,
    /// The whole assessment (`assessment.json`) and one file per area.
    Json,
    /// One self-contained HTML page per area with its charts, and `index.html` (the `reports`
    /// feature).
    Html,
    /// One Excel workbook, `assessment.xlsx` (the `reports` feature).
    Xlsx,
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            "xlsx" | "excel" => Ok(Format::Xlsx),
            "parquet" => Err(Error::param(
                "format",
                "parquet needs polars' parquet feature, which saferstats does not build; use csv",
            )),
            other => Err(Error::param(
                "format",
                format!("unknown format '{other}'; expected md, csv, json, html or xlsx"),
            )),
        }
    }
}

impl Format {
    /// Parse a comma-separated list (`"md,csv,json"`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`format`) for an unknown format or an empty list.
    pub fn parse_list(text: &str) -> Result<Vec<Format>> {
        let mut out = Vec::new();
        for part in text.split(',').filter(|p| !p.trim().is_empty()) {
            let f: Format = part.parse()?;
            if !out.contains(&f) {
                out.push(f);
            }
        }
        if out.is_empty() {
            return Err(Error::param(
                "format",
                "no format given; expected md, csv or json",
            ));
        }
        Ok(out)
    }

    /// The name used in lists (`md`, `csv`, `json`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Html => "html",
            Format::Xlsx => "xlsx",
        }
    }
}

/// A file written by [`Assessment::write`], as listed in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    /// Path relative to the output folder.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the bytes.
    pub sha256: String,
}

/// The headline figures of one area in the index, as text (Markdown and HTML print them).
pub(crate) struct IndexRow {
    pub area_name: String,
    pub slug: String,
    pub crimes: String,
    pub rate: String,
    pub rank: String,
    pub vs_peers: String,
    pub change: String,
    pub trend: String,
    pub asb: String,
}

/// What `manifest.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The saferstats version.
    pub saferstats_version: String,
    /// The spec in full.
    pub spec: super::spec::AssessmentSpec,
    /// The reporting period.
    pub period: String,
    /// Areas assessed.
    pub areas: Vec<String>,
    /// Every input file with its size and SHA-256.
    pub inputs: Vec<super::inputs::InputFile>,
    /// Every file written (the manifest itself excepted).
    pub outputs: Vec<OutputFile>,
    /// Where the inputs came from, so that [`super::reproduce`] can re-run it (absent when
    /// written by [`Assessment::write`] from inputs built in memory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<super::reproduce::InputSource>,
}

pub(crate) fn int(n: i64) -> String {
    if n < 0 {
        format!("-{}", thousands((-n) as f64))
    } else {
        thousands(n as f64)
    }
}

pub(crate) fn rate(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map(|x| format!("{x:.1}"))
        .unwrap_or_else(|| "n/a".into())
}

pub(crate) fn pct(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map(|x| {
            if x.abs() < 10.0 {
                format!("{x:.1}%")
            } else {
                format!("{x:.0}%")
            }
        })
        .unwrap_or_else(|| "n/a".into())
}

pub(crate) fn p_text(p: f64) -> String {
    if !p.is_finite() {
        "n/a".into()
    } else if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

pub(crate) fn month_name(m: crate::period::YearMonth) -> String {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    format!("{} {}", NAMES[m.month as usize - 1], m.year)
}

pub(crate) fn level_title(level: Level) -> &'static str {
    match level {
        Level::Csp => "Community Safety Partnership",
        Level::Lad => "Local authority",
        Level::Force => "Police force area",
        Level::Ward => "Ward",
        Level::Lsoa => "LSOA",
    }
}

/// A file name for an area: its code and its name in lower case.
pub(crate) fn slug(code: &str, name: &str) -> String {
    let mut s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    format!("{code}-{}", s.trim_matches('-'))
}

/// The heading of a crime group's table.
pub(crate) fn group_title(g: &GroupAssessment) -> String {
    match g.kind {
        GroupKind::Total => "All recorded crime (excluding anti-social behaviour)".to_string(),
        GroupKind::Asb => "Anti-social behaviour".to_string(),
        GroupKind::CrimeType => g.group.clone(),
    }
}

/// "incidents" for anti-social behaviour, "crimes" otherwise.
pub(crate) fn noun(kind: GroupKind) -> &'static str {
    if kind == GroupKind::Asb {
        "incidents"
    } else {
        "crimes"
    }
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

impl Assessment {
    /// The record of one area.
    pub fn area(&self, code: &str) -> Option<&AreaAssessment> {
        self.areas.iter().find(|a| a.area_code == code)
    }

    /// The line under an area's title: level and code, police force area, population.
    pub(crate) fn about_line(&self, a: &AreaAssessment) -> String {
        let mut about = format!("{} {}", level_title(self.level), a.area_code);
        if let Some(f) = &a.force_name {
            let _ = write!(about, " · police force area: {f}");
        }
        if a.population.is_finite() {
            let _ = write!(
                about,
                " · population {} (mid-{})",
                int(a.population.round() as i64),
                a.population_year
            );
        }
        about
    }

    pub(crate) fn period_line(&self) -> String {
        let p = &self.period;
        let mut s = format!(
            "{} ({} to {})",
            p.label,
            month_name(p.first_month),
            month_name(p.last_month)
        );
        if !p.complete {
            let _ = write!(
                s,
                ": **partial**, {} of {} months covered{}",
                p.months_covered,
                p.months_expected,
                if p.annualised {
                    ", rates annualised"
                } else {
                    ", rates not annualised"
                }
            );
        }
        s
    }

    /// Markdown for one area: the "All Recorded Crime" table of a strategic assessment for
    /// each headline group (level, peers, annual change with its test, general trend,
    /// seasonality, breakdown, hotspots), the detail tables, and the data-quality notes.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`area`) when the area is not in the assessment.
    pub fn area_markdown(&self, code: &str) -> Result<String> {
        let a = self.area(code).ok_or_else(|| {
            Error::param("area", format!("{code} is not an area of this assessment"))
        })?;
        let mut md = String::new();
        let _ = writeln!(
            md,
            "# {}: strategic assessment tables, {}\n",
            a.area_name, self.period.label
        );
        let _ = writeln!(md, "{}  ", self.about_line(a));
        let _ = writeln!(md, "Reporting period: {}  ", self.period_line());
        let _ = writeln!(md, "Source: {}\n", self.source.description);
        for g in a.groups.iter().filter(|g| g.kind != GroupKind::CrimeType) {
            self.group_markdown(&mut md, a, g);
        }
        if !a.breakdown.is_empty() {
            let cmp = self.period.previous.clone();
            let _ = writeln!(
                md,
                "## Breakdown of crime types (share of all recorded crime excluding ASB)\n"
            );
            let _ = writeln!(
                md,
                "| Crime type | Crimes | Share | 95% CI | Change on {} |\n|---|---:|---:|---|---|",
                cmp.as_deref().unwrap_or("the previous year")
            );
            for t in &a.breakdown {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} to {} | {} |",
                    escape(&t.crime_type),
                    int(t.count),
                    pct(t.share),
                    pct(t.lower),
                    pct(t.upper),
                    t.change.as_deref().unwrap_or("n/a")
                );
            }
            md.push('\n');
        }
        let _ = writeln!(md, "## Data quality and method\n");
        for n in a.notes.iter().chain(&self.notes) {
            let _ = writeln!(md, "- {n}");
        }
        let _ = writeln!(
            md,
            "\nComputed by saferstats {} (rates: Byar's method, exact Poisson below 10 crimes; \
             peer comparison: PHE benchmarking at 95% and 99.8%; shares: Wilson).",
            self.saferstats_version
        );
        Ok(md)
    }

    /// The headline table of one crime group of an area, as (row heading, text) pairs: level
    /// of crime, peer comparison, annual change, general trend, seasonality, breakdown (the
    /// total only) and hotspots. The Markdown and HTML renderers both print these rows.
    pub(crate) fn headline_rows(
        &self,
        a: &AreaAssessment,
        g: &GroupAssessment,
    ) -> Vec<(&'static str, String)> {
        let mut rows: Vec<(&'static str, String)> = Vec::new();
        let noun = noun(g.kind);
        // Level of crime.
        let l = &g.level;
        let mut level = format!(
            "{} {noun}; {} per 1,000 residents (95% CI {} to {}; 99.8% CI {} to {})",
            int(l.count),
            rate(l.rate),
            rate(l.lower_95),
            rate(l.upper_95),
            rate(l.lower_99_8),
            rate(l.upper_99_8)
        );
        if l.months_covered < l.months_expected {
            let _ = write!(
                level,
                ". Partial period: {} of {} months, {}",
                l.months_covered,
                l.months_expected,
                if l.annualised {
                    "rate annualised"
                } else {
                    "rate for those months (not annualised)"
                }
            );
        }
        rows.push(("Level of crime", level));
        // Peers.
        let peers = match &g.peers {
            Some(p) if p.peers > 1 => {
                let side = match p.vs_benchmark_95.as_str() {
                    "Higher" => "higher than",
                    "Lower" => "lower than",
                    _ => "similar to",
                };
                let strength = match (p.vs_benchmark_95.as_str(), p.vs_benchmark_99_8.as_str()) {
                    ("Similar", _) => "no significant difference at 95%".to_string(),
                    (x, y) if x == y => "significant at 95% and 99.8%".to_string(),
                    _ => "significant at 95%, not at 99.8%".to_string(),
                };
                format!(
                    "{} highest number of {noun} of {} (95% rank interval {} to {}); {} highest \
                     rate ({} to {}). Rate {side} the peer average of {} per 1,000 ({strength}).",
                    ordinal_text(p.rank_count),
                    p.peer_group,
                    ordinal_text(p.rank_count_lower),
                    ordinal_text(p.rank_count_upper),
                    ordinal_text(p.rank_rate),
                    ordinal_text(p.rank_rate_lower),
                    ordinal_text(p.rank_rate_upper),
                    rate(Some(p.benchmark))
                )
            }
            Some(_) => "The only area of its peer group: no comparison.".to_string(),
            None => "n/a".to_string(),
        };
        rows.push(("Peer comparison", peers));
        // Annual change.
        let change = match &g.change {
            Some(c) => {
                let direction = if c.change > 0 {
                    "increase"
                } else if c.change < 0 {
                    "decrease"
                } else {
                    "no change"
                };
                let amount = if c.change >= 0 {
                    format!("{} additional {noun}", int(c.change))
                } else {
                    format!("{} fewer {noun}", int(-c.change))
                };
                format!(
                    "{} {direction}: {amount} compared with {} ({} to {}). Rate ratio {} ({} CI \
                     {} to {}), {}: {}.",
                    c.pct_change
                        .map(|v| format!("{:.1}%", v.abs()))
                        .unwrap_or_else(|| "n/a".into()),
                    c.comparison_period,
                    int(c.count_previous),
                    int(l.count),
                    c.rate_ratio
                        .map(|v| format!("{v:.3}"))
                        .unwrap_or_else(|| "n/a".into()),
                    c.confidence,
                    c.lower
                        .map(|v| format!("{v:.3}"))
                        .unwrap_or_else(|| "n/a".into()),
                    c.upper
                        .map(|v| format!("{v:.3}"))
                        .unwrap_or_else(|| "n/a".into()),
                    p_text(c.p_value),
                    c.verdict
                ) + &c
                    .flags
                    .as_ref()
                    .map(|f| format!(" Flags: {f}."))
                    .unwrap_or_default()
            }
            None => {
                let note = g.change_note.clone().unwrap_or_else(|| "n/a".into());
                let mut chars = note.chars();
                match chars.next() {
                    Some(c) => c.to_uppercase().collect::<String>() + chars.as_str() + ".",
                    None => note,
                }
            }
        };
        rows.push(("Annual change", change));
        // General trend.
        let trend = match &g.trend {
            Some(t) => {
                let series = t
                    .points
                    .iter()
                    .map(|p| {
                        format!(
                            "{} {}{}",
                            p.period,
                            int(p.count),
                            if p.months_covered < 12 {
                                format!(" ({} months)", p.months_covered)
                            } else {
                                String::new()
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                let loglin = match (t.annual_pct_change, t.lower, t.upper) {
                    (Some(v), Some(lo), Some(hi)) => format!(
                        " Log-linear trend {v:+.1}% a year (95% CI {lo:+.1}% to {hi:+.1}%{}).",
                        t.p_value
                            .map(|p| format!(", {}", p_text(p)))
                            .unwrap_or_default()
                    ),
                    _ => String::new(),
                };
                format!(
                    "{series}. PHE trend marker: {}{}.{loglin}",
                    t.marker,
                    t.reason
                        .as_ref()
                        .map(|r| format!(" ({})", r.replace(['(', ')'], "")))
                        .unwrap_or_default()
                )
            }
            None => format!(
                "Not available: the data cover {} year(s) up to the reporting period.",
                self.period.trend_periods.len()
            ),
        };
        rows.push(("General trend", trend));
        // Seasonality.
        let in_period = |m: &crate::period::YearMonth| {
            *m >= self.period.first_month && *m <= self.period.last_month
        };
        let season = match a.seasonality.iter().find(|s| s.group == g.group) {
            Some(s) => {
                let now: Vec<&AnomalousMonth> =
                    s.anomalies.iter().filter(|x| in_period(&x.month)).collect();
                let earlier = s.anomalies.len() - now.len();
                let mut anomalies = if now.is_empty() {
                    format!("none in {}", self.period.label)
                } else {
                    now.iter()
                        .map(|x| {
                            format!(
                                "{} {} {} ({} v {} expected)",
                                x.month.month_abbr(),
                                x.month.year,
                                x.direction,
                                int(x.observed),
                                int(x.expected.round() as i64)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                if earlier > 0 {
                    let _ = write!(
                        anomalies,
                        "; {earlier} more in the earlier months analysed (tables/anomalies.csv)"
                    );
                }
                format!(
                    "Over {} months: peak month {}, trough {} (seasonal strength {}; Kruskal-Wallis \
                     {}). Anomalous months: {anomalies}.",
                    s.months,
                    s.peak_month.as_deref().unwrap_or("n/a"),
                    s.trough_month.as_deref().unwrap_or("n/a"),
                    s.seasonal_strength
                        .map(|v| format!("{v:.2}"))
                        .unwrap_or_else(|| "n/a".into()),
                    s.kruskal_wallis_p
                        .map(p_text)
                        .unwrap_or_else(|| "n/a".into())
                )
            }
            None => {
                let hi = g
                    .monthly
                    .iter()
                    .max_by_key(|(m, n)| (*n, std::cmp::Reverse(*m)));
                let lo = g.monthly.iter().min_by_key(|(m, n)| (*n, *m));
                match (hi, lo) {
                    (Some(h), Some(l)) => format!(
                        "Highest month {} {} ({}), lowest {} {} ({}). No seasonal analysis: it \
                         needs 24 consecutive months of data.",
                        h.0.month_abbr(),
                        h.0.year,
                        int(h.1),
                        l.0.month_abbr(),
                        l.0.year,
                        int(l.1)
                    ),
                    _ => "Not available: seasonality needs 24 consecutive months of data.".into(),
                }
            }
        };
        rows.push(("Seasonality", season));
        // Breakdown (headline total only).
        if g.kind == GroupKind::Total && !a.breakdown.is_empty() {
            let top: Vec<String> = a
                .breakdown
                .iter()
                .take(5)
                .map(|t| format!("{} {}", t.crime_type, pct(t.share)))
                .collect();
            rows.push((
                "Breakdown of crime types",
                format!("{} (all types below)", top.join(", ")),
            ));
        }
        // Hotspots.
        let hot = match a.hotspots.iter().find(|h| h.group == g.group) {
            Some(h) => {
                let names: Vec<String> = h
                    .top
                    .iter()
                    .map(|w| format!("{} ({})", w.ward_name, int(w.count)))
                    .collect();
                let mut s = format!(
                    "Top {} wards of {}{}: {}. These wards account for {} of the total",
                    h.top.len(),
                    h.wards,
                    if h.period.is_empty() || h.period == self.period.label {
                        String::new()
                    } else {
                        format!(
                            " in the {} (the ward data's latest twelve months)",
                            h.period
                        )
                    },
                    names.join(", "),
                    pct(h.top_share.map(|v| v * 100.0))
                );
                if let Some(n) = h.poisson_null_share {
                    let _ = write!(
                        s,
                        " ({} if every ward had the same expected count)",
                        pct(Some(n * 100.0))
                    );
                }
                if let Some(p) = h.share_of_previous_top {
                    let _ = write!(
                        s,
                        "; last year's top {} hold {} now",
                        h.top.len(),
                        pct(Some(p * 100.0))
                    );
                }
                if let Some(gini) = h.gini {
                    let _ = write!(s, ". Gini {gini:.2}");
                }
                s.push('.');
                s
            }
            None => "Not available: no ward-level data.".into(),
        };
        rows.push(("Hotspots", hot));
        rows
    }

    fn group_markdown(&self, md: &mut String, a: &AreaAssessment, g: &GroupAssessment) {
        let noun = noun(g.kind);
        let _ = writeln!(md, "## {}\n", group_title(g));
        let _ = writeln!(md, "| | |\n|---|---|");
        for (heading, text) in self.headline_rows(a, g) {
            let _ = writeln!(md, "| **{heading}** | {} |", escape(&text));
        }
        md.push('\n');
        // Detail tables.
        if let Some(t) = &g.trend {
            let _ = writeln!(
                md,
                "General trend data:\n\n| Period | Months | Recorded {noun} | Rate per 1,000 |\n|---|---:|---:|---:|"
            );
            for p in &t.points {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} |",
                    p.period,
                    p.months_covered,
                    int(p.count),
                    rate(p.rate)
                );
            }
            md.push('\n');
        }
        if !g.monthly.is_empty() {
            let _ = writeln!(
                md,
                "Seasonality data ({}):\n\n| Month | Recorded {noun} |\n|---|---:|",
                self.period.label
            );
            for (m, n) in &g.monthly {
                let _ = writeln!(md, "| {} {} | {} |", m.month_abbr(), m.year, int(*n));
            }
            md.push('\n');
        }
    }

    /// Markdown index: one row per area with the headline figures, and the notes.
    pub fn index_markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "# Strategic assessment tables: {} {}, {}\n",
            self.areas.len(),
            level_plural(self.level),
            self.period.label
        );
        let _ = writeln!(md, "Reporting period: {}  ", self.period_line());
        let _ = writeln!(md, "Source: {}  ", self.source.description);
        let _ = writeln!(md, "Population: {}\n", self.source.population);
        let _ = writeln!(
            md,
            "| Area | Crimes excl. ASB | Rate per 1,000 | Rank by rate | vs peer average | Annual change | Trend | ASB incidents |\n|---|---:|---:|---|---|---|---|---:|"
        );
        for r in self.index_rows() {
            let _ = writeln!(
                md,
                "| [{}]({}.md) | {} | {} | {} | {} | {} | {} | {} |",
                escape(&r.area_name),
                r.slug,
                r.crimes,
                r.rate,
                r.rank,
                r.vs_peers,
                escape(&r.change),
                r.trend,
                r.asb
            );
        }
        let _ = writeln!(md, "\n## Data quality and method\n");
        for n in &self.notes {
            let _ = writeln!(md, "- {n}");
        }
        md
    }

    /// One row of the index per area with a total group: the headline figures as text.
    pub(crate) fn index_rows(&self) -> Vec<IndexRow> {
        let mut rows = Vec::new();
        for a in &self.areas {
            let Some(t) = a.groups.iter().find(|g| g.kind == GroupKind::Total) else {
                continue;
            };
            let asb = a.groups.iter().find(|g| g.kind == GroupKind::Asb);
            let (rank, vs_peers) = match &t.peers {
                Some(p) => (
                    format!("{} of {}", ordinal_text(p.rank_rate), p.peers),
                    p.vs_benchmark_95.clone(),
                ),
                None => ("n/a".into(), "n/a".into()),
            };
            rows.push(IndexRow {
                area_name: a.area_name.clone(),
                slug: slug(&a.area_code, &a.area_name),
                crimes: int(t.level.count),
                rate: rate(t.level.rate),
                rank,
                vs_peers,
                change: t
                    .change
                    .as_ref()
                    .map_or_else(|| "n/a".into(), |c| c.verdict.clone()),
                trend: t
                    .trend
                    .as_ref()
                    .map_or_else(|| "n/a".into(), |x| x.marker.clone()),
                asb: asb.map_or_else(|| "n/a".into(), |g| int(g.level.count)),
            });
        }
        rows
    }

    /// The index followed by every area's Markdown.
    pub fn to_markdown(&self) -> String {
        let mut md = self.index_markdown();
        for a in &self.areas {
            md.push_str("\n---\n\n");
            md.push_str(&self.area_markdown(&a.area_code).unwrap_or_default());
        }
        md
    }

    /// The assessment as pretty-printed JSON.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`json`) if serialisation fails (not expected).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::param("json", e.to_string()))
    }

    /// Every table of the assessment as polars frames, all areas in each: `summary` (one
    /// row per area and crime group: level, peers, change, trend), `trend` (the annual
    /// series), `breakdown` (crime-type shares), `seasonality`, `monthly`, `anomalies`,
    /// `hotspots` (top wards), `hotspot_summary`, `notes`.
    ///
    /// # Errors
    /// [`Error::Polars`] if a frame cannot be built (not expected).
    pub fn tables(&self) -> Result<Vec<(&'static str, DataFrame)>> {
        Ok(vec![
            ("summary", self.summary_table()?),
            ("trend", self.trend_table()?),
            ("breakdown", self.breakdown_table()?),
            ("seasonality", self.seasonality_table()?),
            ("monthly", self.monthly_table()?),
            ("anomalies", self.anomaly_table()?),
            ("hotspots", self.hotspot_table()?),
            ("hotspot_summary", self.hotspot_summary_table()?),
            ("notes", self.notes_table()?),
        ])
    }

    fn summary_table(&self) -> Result<DataFrame> {
        let mut t = Table::default();
        for a in &self.areas {
            for g in &a.groups {
                t.s("area_code", Some(&a.area_code));
                t.s("area_name", Some(&a.area_name));
                t.s("force_code", a.force_code.as_deref());
                t.s(CRIME_GROUP, Some(&g.group));
                t.s(
                    "group_kind",
                    Some(match g.kind {
                        GroupKind::Total => "total",
                        GroupKind::Asb => "asb",
                        GroupKind::CrimeType => "crime_type",
                    }),
                );
                t.s("period", Some(&self.period.label));
                t.i("months_covered", Some(g.level.months_covered as i64));
                t.i("months_expected", Some(g.level.months_expected as i64));
                t.i("count", Some(g.level.count));
                t.f("population", Some(a.population));
                t.i("population_year", Some(a.population_year as i64));
                t.f("rate", g.level.rate);
                t.f("lower_95", g.level.lower_95);
                t.f("upper_95", g.level.upper_95);
                t.f("lower_99_8", g.level.lower_99_8);
                t.f("upper_99_8", g.level.upper_99_8);
                t.b("annualised", Some(g.level.annualised));
                t.s("rate_flags", g.level.flags.as_deref());
                let p = g.peers.as_ref();
                t.s("peer_group", p.map(|p| p.peer_group.as_str()));
                t.i("peers", p.map(|p| p.peers as i64));
                t.i("rank_count", p.map(|p| p.rank_count as i64));
                t.i("rank_count_lower", p.map(|p| p.rank_count_lower as i64));
                t.i("rank_count_upper", p.map(|p| p.rank_count_upper as i64));
                t.i("rank_rate", p.map(|p| p.rank_rate as i64));
                t.i("rank_rate_lower", p.map(|p| p.rank_rate_lower as i64));
                t.i("rank_rate_upper", p.map(|p| p.rank_rate_upper as i64));
                t.f("benchmark", p.map(|p| p.benchmark));
                t.s("vs_benchmark_95", p.map(|p| p.vs_benchmark_95.as_str()));
                t.s("vs_benchmark_99_8", p.map(|p| p.vs_benchmark_99_8.as_str()));
                let c = g.change.as_ref();
                t.s("comparison_period", c.map(|c| c.comparison_period.as_str()));
                t.i("count_previous", c.map(|c| c.count_previous));
                t.i("change", c.map(|c| c.change));
                t.f("pct_change", c.and_then(|c| c.pct_change));
                t.f("rate_ratio", c.and_then(|c| c.rate_ratio));
                t.f("rate_ratio_lower", c.and_then(|c| c.lower));
                t.f("rate_ratio_upper", c.and_then(|c| c.upper));
                t.f("p_value", c.map(|c| c.p_value));
                t.b("significant", c.and_then(|c| c.significant));
                t.s(
                    "verdict",
                    c.map(|c| c.verdict.as_str()).or(g.change_note.as_deref()),
                );
                let tr = g.trend.as_ref();
                t.s("trend", tr.map(|x| x.marker.as_str()));
                t.f(
                    "trend_annual_pct_change",
                    tr.and_then(|x| x.annual_pct_change),
                );
                t.f("trend_lower", tr.and_then(|x| x.lower));
                t.f("trend_upper", tr.and_then(|x| x.upper));
                t.f("dispersion", c.map(|c| c.dispersion));
                t.s("change_method", c.map(|c| c.method.as_str()));
                let sh = a.breakdown.iter().find(|b| b.crime_type == g.group);
                t.f("share", sh.and_then(|s| s.share));
                t.f("share_lower", sh.and_then(|s| s.lower));
                t.f("share_upper", sh.and_then(|s| s.upper));
                t.end_row();
            }
        }
        t.frame()
    }

    fn trend_table(&self) -> Result<DataFrame> {
        let mut t = Table::default();
        for a in &self.areas {
            for g in &a.groups {
                let Some(tr) = &g.trend else { continue };
                for p in &tr.points {
                    t.s("area_code", Some(&a.area_code));
                    t.s("area_name", Some(&a.area_name));
                    t.s(CRIME_GROUP, Some(&g.group));
                    t.s("period", Some(&p.period));
                    t.i("months_covered", Some(p.months_covered as i64));
                    t.i("count", Some(p.count));
                    t.f("rate", p.rate);
                    t.f("lower_95", p.lower_95);
                    t.f("upper_95", p.upper_95);
                    t.end_row();
                }
            }
        }
        t.frame()
    }

    fn breakdown_table(&self) -> Result<DataFrame> {
        let mut t = Table::default();
        for a in &self.areas {
            for b in &a.breakdown {
                t.s("area_code", Some(&a.area_code));
                t.s("area_name", Some(&a.area_name));
                t.s("crime_type", Some(&b.crime_type));
                t.i("count", Some(b.count));
                t.f("share", b.share);
                t.f("lower", b.lower);
                t.f("upper", b.upper);
                t.s("change", b.change.as_deref());
                t.f("pct_change", b.pct_change);
                t.b("significant", b.significant);
                t.end_row();
            }
        }
        t.frame()
    }

    fn seasonality_table(&self) -> Result<DataFrame> {
        let mut t = Table::default();
        for a in &self.areas {
            for s in &a.seasonality {
                t.s("area_code", Some(&a.area_code));
                t.s("area_name", Some(&a.area_name));
                t.s(CRIME_GROUP, Some(&s.group));
                t.i("months", Some(s.months as i64));
                t.s("peak_month", s.peak_month.as_deref());
                t.s("trough_month", s.trough_month.as_deref());
                t.f("seasonal_strength", s.seasonal_strength);
                t.f("kruskal_wallis_p", s.kruskal_wallis_p);
                t.f("qs_p", s.qs_p);
                t.i("anomalous_months", Some(s.anomalies.len() as i64));
                t.s("flags", s.flags.as_deref());
                t.end_row();
            }
        }
        t.frame()
    }

    fn monthly_table(&self) -> Result<DataFrame> {
        let mut t = Table::default();
        for a in &self.areas {
            for s in &a.groups {
                for (m, n) in &s.monthly {
                    t.s("area_code", Some(&a.area_code));
                    t.s(CRIME_GROUP, Some(&s.group));
                    t.s("month", Some(&m.to_string()));
                    t.i("count", Some(*n));
                    t.end_row();
                }
            }
        }
        t.frame()
    }

    fn anomaly_table(&self) -> Result<DataFrame> {
        let mut t = Table::default();
        for a in &self.areas {
            for s in &a.seasonality {
                for x in &s.anomalies {
                    t.s("area_code", Some(&a.area_code));
                    t.s("area_name", Some(&a.area_name));
                    t.s(CRIME_GROUP, Some(&s.group));
                    t.s("month", Some(&x.month.to_string()));
                    t.i("observed", Some(x.observed));
                    t.f("expected", Some(x.expected));
                    t.s("direction", Some(&x.direction));
                    t.f("p_value", x.p_value);
                    t.end_row();
                }
            }
        }
        t.frame()
    }

    fn hotspot_table(&self) -> Result<DataFrame> {
        let mut t = Table::default();
        for a in &self.areas {
            for h in &a.hotspots {
                for w in &h.top {
                    t.s("area_code", Some(&a.area_code));
                    t.s("area_name", Some(&a.area_name));
                    t.s(CRIME_GROUP, Some(&h.group));
                    t.s("period", Some(&h.period));
                    t.i("rank", Some(w.rank as i64));
                    t.s("ward_code", Some(&w.ward_code));
                    t.s("ward_name", Some(&w.ward_name));
                    t.i("count", Some(w.count));
                    t.f("share", w.share);
                    t.f("lower_95", w.lower_95);
                    t.f("upper_95", w.upper_95);
                    t.end_row();
                }
            }
        }
        t.frame()
    }

    fn hotspot_summary_table(&self) -> Result<DataFrame> {
        let mut t = Table::default();
        for a in &self.areas {
            for h in &a.hotspots {
                t.s("area_code", Some(&a.area_code));
                t.s("area_name", Some(&a.area_name));
                t.s(CRIME_GROUP, Some(&h.group));
                t.s("period", Some(&h.period));
                t.i("wards", Some(h.wards as i64));
                t.i("total", Some(h.total));
                t.i("top", Some(h.top.len() as i64));
                t.f("top_share", h.top_share);
                t.f("share_of_previous_top", h.share_of_previous_top);
                t.f("poisson_null_share", h.poisson_null_share);
                t.f("gini", h.gini);
                t.i("areas_for_50", h.areas_for_50.map(|v| v as i64));
                t.end_row();
            }
        }
        t.frame()
    }

    fn notes_table(&self) -> Result<DataFrame> {
        let mut t = Table::default();
        for n in &self.notes {
            t.s("area_code", None);
            t.s("note", Some(n));
            t.end_row();
        }
        for a in &self.areas {
            for n in &a.notes {
                t.s("area_code", Some(&a.area_code));
                t.s("note", Some(n));
                t.end_row();
            }
        }
        t.frame()
    }

    /// Write the assessment to `folder` (created if needed) in each format: Markdown (one
    /// file per area and `index.md`), CSV (`assessment.csv`, one row per area and crime
    /// group, and the detail tables), JSON (`assessment.json` and one file per area); and
    /// `manifest.json` with every input file's size and SHA-256, every file written, the
    /// saferstats version and the full spec. Returns the paths written.
    ///
    /// # Errors
    /// [`Error::Io`] naming a file that cannot be written.
    pub fn write(&self, folder: &Path, formats: &[Format]) -> Result<Vec<PathBuf>> {
        self.write_with_source(folder, formats, None)
    }

    pub(crate) fn write_with_source(
        &self,
        folder: &Path,
        formats: &[Format],
        input_source: Option<super::reproduce::InputSource>,
    ) -> Result<Vec<PathBuf>> {
        let io = |path: &Path, source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(folder).map_err(|e| io(folder, e))?;
        let mut outputs: Vec<OutputFile> = Vec::new();
        let mut written = Vec::new();
        let mut put = |name: String, bytes: Vec<u8>| -> Result<()> {
            let path = folder.join(&name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            }
            std::fs::write(&path, &bytes).map_err(|e| io(&path, e))?;
            outputs.push(OutputFile {
                path: name,
                bytes: bytes.len() as u64,
                sha256: sha256_hex(&bytes),
            });
            written.push(path);
            Ok(())
        };
        for f in formats {
            match f {
                Format::Markdown => {
                    put("index.md".into(), self.index_markdown().into_bytes())?;
                    for a in &self.areas {
                        put(
                            format!("{}.md", slug(&a.area_code, &a.area_name)),
                            self.area_markdown(&a.area_code)?.into_bytes(),
                        )?;
                    }
                }
                Format::Csv => {
                    for (name, table) in self.tables()? {
                        let file = if name == "summary" {
                            "assessment.csv".to_string()
                        } else {
                            format!("tables/{name}.csv")
                        };
                        put(file, csv_bytes(&table)?)?;
                    }
                }
                Format::Json => {
                    put("assessment.json".into(), self.to_json()?.into_bytes())?;
                    for a in &self.areas {
                        let one = Assessment {
                            areas: vec![a.clone()],
                            ..self.clone()
                        };
                        put(
                            format!("json/{}.json", slug(&a.area_code, &a.area_name)),
                            one.to_json()?.into_bytes(),
                        )?;
                    }
                }
                #[cfg(feature = "reports")]
                Format::Html => {
                    put("index.html".into(), self.index_html().into_bytes())?;
                    for a in &self.areas {
                        put(
                            format!("{}.html", slug(&a.area_code, &a.area_name)),
                            self.area_html(&a.area_code)?.into_bytes(),
                        )?;
                    }
                }
                #[cfg(feature = "reports")]
                Format::Xlsx => put("assessment.xlsx".into(), self.to_xlsx()?)?,
                #[cfg(not(feature = "reports"))]
                Format::Html | Format::Xlsx => {
                    return Err(Error::param(
                        "format",
                        format!("{} needs saferstats' `reports` feature", f.name()),
                    ));
                }
            }
        }
        let manifest = Manifest {
            saferstats_version: self.saferstats_version.clone(),
            spec: self.spec.clone(),
            period: self.period.label.clone(),
            areas: self.areas.iter().map(|a| a.area_code.clone()).collect(),
            inputs: self.inputs.clone(),
            outputs: outputs.clone(),
            source: input_source,
        };
        let text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| Error::param("json", e.to_string()))?;
        let path = folder.join("manifest.json");
        std::fs::write(&path, text).map_err(|e| io(&path, e))?;
        written.push(path);
        Ok(written)
    }
}

/// A frame as CSV bytes (header, then one line per row; nulls empty).
pub(crate) fn csv_bytes(df: &DataFrame) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::param("csv", e.to_string());
    w.write_record(df.get_column_names().iter().map(|c| c.as_str()))
        .map_err(io)?;
    let cols = df.columns();
    let mut record: Vec<String> = Vec::with_capacity(cols.len());
    for i in 0..df.height() {
        record.clear();
        for c in cols {
            let v = c.get(i)?;
            record.push(match v {
                AnyValue::Null => String::new(),
                AnyValue::String(s) => s.to_string(),
                AnyValue::StringOwned(s) => s.to_string(),
                AnyValue::Float64(f) => f.to_string(),
                other => other.to_string(),
            });
        }
        w.write_record(&record).map_err(io)?;
    }
    w.into_inner()
        .map_err(|e| Error::param("csv", e.to_string()))
}

/// Columns built row by row.
#[derive(Default)]
struct Table {
    names: Vec<&'static str>,
    cols: Vec<Col>,
    row: usize,
}

enum Col {
    S(Vec<Option<String>>),
    I(Vec<Option<i64>>),
    F(Vec<Option<f64>>),
    B(Vec<Option<bool>>),
}

impl Table {
    fn slot(&mut self, name: &'static str, make: fn() -> Col) -> &mut Col {
        let i = match self.names.iter().position(|n| *n == name) {
            Some(i) => i,
            None => {
                self.names.push(name);
                self.cols.push(make());
                self.cols.len() - 1
            }
        };
        &mut self.cols[i]
    }
    fn s(&mut self, name: &'static str, v: Option<&str>) {
        if let Col::S(c) = self.slot(name, || Col::S(Vec::new())) {
            c.push(v.map(str::to_string));
        }
    }
    fn i(&mut self, name: &'static str, v: Option<i64>) {
        if let Col::I(c) = self.slot(name, || Col::I(Vec::new())) {
            c.push(v);
        }
    }
    fn f(&mut self, name: &'static str, v: Option<f64>) {
        if let Col::F(c) = self.slot(name, || Col::F(Vec::new())) {
            c.push(v.filter(|x| x.is_finite()));
        }
    }
    fn b(&mut self, name: &'static str, v: Option<bool>) {
        if let Col::B(c) = self.slot(name, || Col::B(Vec::new())) {
            c.push(v);
        }
    }
    fn end_row(&mut self) {
        self.row += 1;
    }
    fn frame(self) -> Result<DataFrame> {
        let columns: Vec<Column> = self
            .names
            .iter()
            .zip(self.cols)
            .map(|(n, c)| match c {
                Col::S(v) => Column::new((*n).into(), v),
                Col::I(v) => Column::new((*n).into(), v),
                Col::F(v) => Column::new((*n).into(), v),
                Col::B(v) => Column::new((*n).into(), v),
            })
            .collect();
        Ok(DataFrame::new(self.row, columns)?)
    }
}
