//! What each chart of an area's report shows: its marks, reference lines, labels and source,
//! computed once from the [`Assessment`] and drawn by [`super::svg`] (the HTML report) and by
//! Python's `saferstats.plot` (which also hands the marks over as a frame).
//!
//! Every chart states its axes with units, the area, the period and the source. Intervals are
//! the assessment's own (Byar's method with exact Poisson limits below 10 crimes for rates and
//! counts, Wilson for shares); the funnel's limits are PHE's exact Poisson limits at 95% and
//! 99.8% around the peers' pooled rate, with Spiegelhalter's over-dispersion-adjusted 99.8%
//! limits beside them when the peers vary more than Poisson counts would.

use serde::{Deserialize, Serialize};

use crate::assessment::model::{
    AreaAssessment, Assessment, GroupAssessment, GroupKind, PeerComparison,
};
use crate::assessment::spec::Peers;
use crate::error::{Error, Result};
use crate::stats::concentration::{lorenz_curve, poisson_expected_lorenz_curve};
use crate::stats::funnel::{dispersion, phe_poisson_funnel};
use crate::stats::intervals::poisson_count_limits;
use crate::stats::special::normal_quantile;

/// The licence line every chart carries.
pub const OGL: &str = "Open Government Licence v3.0";

/// A chart of an area's report.
///
/// # Examples
///
/// ```
/// use saferstats::assessment::ChartKind;
/// assert_eq!("funnel".parse::<ChartKind>()?, ChartKind::Funnel);
/// assert_eq!(ChartKind::ALL_CHARTS.len(), 7);
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// The annual series (up to five years) with its 95% interval band.
    Trend,
    /// The monthly series with anomalous months marked, and the seasonal profile.
    Monthly,
    /// Each crime type's share of crime excluding ASB, with Wilson intervals.
    Breakdown,
    /// The top wards' counts with 95% intervals.
    Hotspots,
    /// Rate against population for every peer, with funnel limits around the peer average.
    Funnel,
    /// Peers ranked by rate, with the rate's interval and the rank interval.
    Ranking,
    /// The Lorenz curve of the wards' counts, with equality and the Poisson expectation.
    Lorenz,
}

crate::choice::choice!(ChartKind, "chart", {
    Trend => "trend",
    Monthly => "monthly" | "seasonality",
    Breakdown => "breakdown",
    Hotspots => "hotspots" | "wards",
    Funnel => "funnel",
    Ranking => "ranking" | "rank",
    Lorenz => "lorenz",
});

impl ChartKind {
    /// Every chart, in the order of a report.
    pub const ALL_CHARTS: [ChartKind; 7] = [
        ChartKind::Trend,
        ChartKind::Monthly,
        ChartKind::Breakdown,
        ChartKind::Hotspots,
        ChartKind::Funnel,
        ChartKind::Ranking,
        ChartKind::Lorenz,
    ];

    /// Whether the chart is drawn once per crime group (the breakdown is the area's).
    pub fn per_group(self) -> bool {
        self != ChartKind::Breakdown
    }
}

/// One mark: a point, a bar or a month, with its interval when it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// The series it belongs to (e.g. `observed`, `profile`, `peers`).
    pub series: String,
    /// Its label (a year, a month, a crime type, a ward or an area).
    pub label: String,
    /// Position on the x axis (population on the funnel; otherwise the mark's order).
    pub x: f64,
    /// Value.
    pub y: f64,
    /// Lower limit of its interval.
    pub lower: Option<f64>,
    /// Upper limit of its interval.
    pub upper: Option<f64>,
    /// Whether it is the area the report is about (or an anomalous month).
    pub highlight: bool,
    /// A short note on the mark (a partial year, "high", the PHE comparison, a rank interval).
    pub flag: Option<String>,
}

/// A reference line or curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Its legend text.
    pub name: String,
    /// Points, in order.
    pub points: Vec<(f64, f64)>,
    /// `solid` or `dashed`.
    pub style: String,
}

/// A chart: what to draw and every label it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Which chart.
    pub kind: String,
    /// An id unique within an area's report, e.g. `chart-trend-total`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Area and period.
    pub subtitle: String,
    /// X axis label with its unit.
    pub x_label: String,
    /// Y axis label with its unit.
    pub y_label: String,
    /// Source and licence.
    pub source: String,
    /// The marks.
    pub marks: Vec<Mark>,
    /// Reference lines.
    pub lines: Vec<Line>,
    /// What the chart shows in a sentence or two (method, interval, verdict).
    pub notes: Vec<String>,
}

fn mark(series: &str, label: impl Into<String>, x: f64, y: f64) -> Mark {
    Mark {
        series: series.to_string(),
        label: label.into(),
        x,
        y,
        lower: None,
        upper: None,
        highlight: false,
        flag: None,
    }
}

/// The group's short id: `total`, `asb` or the crime type in lower case with dashes.
pub(crate) fn group_id(g: &GroupAssessment) -> String {
    match g.kind {
        GroupKind::Total => "total".into(),
        GroupKind::Asb => "asb".into(),
        GroupKind::CrimeType => g
            .group
            .to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-"),
    }
}

fn group_phrase(g: &GroupAssessment) -> String {
    match g.kind {
        GroupKind::Total => "All recorded crime excluding ASB".into(),
        GroupKind::Asb => "Anti-social behaviour".into(),
        GroupKind::CrimeType => g.group.clone(),
    }
}

/// The group's peer comparison, or why a peer chart cannot be drawn.
fn compared_with_peers<'a>(
    a: &AreaAssessment,
    g: &'a GroupAssessment,
    kind: ChartKind,
) -> Result<&'a PeerComparison> {
    g.peers.as_ref().filter(|p| p.peers > 1).ok_or_else(|| {
        Error::param(
            "chart",
            format!("{kind} for {}: no peers to compare with", a.area_name),
        )
    })
}

fn pct(v: f64) -> String {
    format!("{v:.1}%")
}

impl Assessment {
    /// The source line of every chart: the data, the population and the licence.
    fn chart_source(&self) -> String {
        let data = if self.source.kind == "police_uk" {
            "data.police.uk street-level crime"
        } else {
            self.source.description.as_str()
        };
        format!(
            "Source: {data}; population: {}. {OGL}. saferstats {}.",
            self.source.population, self.saferstats_version
        )
    }

    fn find_group<'a>(
        &self,
        a: &'a AreaAssessment,
        group: Option<&str>,
    ) -> Result<&'a GroupAssessment> {
        let g = match group {
            None => a.groups.iter().find(|g| g.kind == GroupKind::Total),
            Some(name) => a.groups.iter().find(|g| {
                g.group == name
                    || group_id(g) == name
                    || (name == "asb" && g.kind == GroupKind::Asb)
            }),
        };
        g.ok_or_else(|| {
            Error::param(
                "group",
                format!(
                    "{} is not a crime group of {} (groups: {})",
                    group.unwrap_or("the total"),
                    a.area_name,
                    a.groups
                        .iter()
                        .map(|g| g.group.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    }

    /// The data of one chart of one area: `group` is a crime group's name (or `total`,
    /// `asb`); `None` is all recorded crime excluding ASB.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `area` or `group` when the assessment has no such
    /// area or group, or `chart` when the assessment has nothing to draw (e.g. hotspots
    /// without ward-level data), with the reason.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::assessment::{assessment, AssessmentSpec, ChartKind, Inputs, ReportingPeriod};
    /// let inputs = Inputs::medway_2014()?;
    /// let spec = AssessmentSpec { period: ReportingPeriod::CalendarYear(2014), ..AssessmentSpec::default() };
    /// let a = assessment(&inputs, &spec)?;
    /// let chart = a.chart(&a.areas[0].area_code, ChartKind::Hotspots, None)?;
    /// assert_eq!(chart.marks.len(), 5); // the top five wards
    /// assert_eq!(chart.y_label, "Ward");
    /// assert!(chart.source.contains("Open Government Licence"));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn chart(&self, area: &str, kind: ChartKind, group: Option<&str>) -> Result<Chart> {
        let a = self.area(area).ok_or_else(|| {
            Error::param("area", format!("{area} is not an area of this assessment"))
        })?;
        let g = self.find_group(a, group)?;
        let nothing =
            |why: String| Error::param("chart", format!("{kind} for {}: {why}", a.area_name));
        let gid = group_id(g);
        let phrase = group_phrase(g);
        let mut chart = Chart {
            kind: kind.to_string(),
            id: if kind.per_group() {
                format!("chart-{kind}-{gid}")
            } else {
                format!("chart-{kind}")
            },
            title: String::new(),
            subtitle: format!("{}, {}", a.area_name, self.period.label),
            x_label: String::new(),
            y_label: String::new(),
            source: self.chart_source(),
            marks: Vec::new(),
            lines: Vec::new(),
            notes: Vec::new(),
        };
        let noun = super::super::render::noun(g.kind);
        match kind {
            ChartKind::Trend => {
                let t = g
                    .trend
                    .as_ref()
                    .ok_or_else(|| nothing("the data cover one year only".into()))?;
                let rated = t.points.iter().all(|p| p.rate.is_some());
                chart.title = format!("{phrase}: general trend");
                chart.subtitle = format!(
                    "{}, {} to {}",
                    a.area_name,
                    t.points.first().map(|p| p.period.as_str()).unwrap_or(""),
                    t.points.last().map(|p| p.period.as_str()).unwrap_or("")
                );
                chart.x_label = "Year".into();
                chart.y_label = if rated {
                    format!("Recorded {noun} per 1,000 residents")
                } else {
                    format!("Recorded {noun}")
                };
                for (i, p) in t.points.iter().enumerate() {
                    let mut m = mark("annual", p.period.clone(), i as f64, 0.0);
                    if rated {
                        m.y = p.rate.unwrap_or(f64::NAN);
                        m.lower = p.lower_95;
                        m.upper = p.upper_95;
                    } else {
                        let (lo, hi, _) = poisson_count_limits(p.count as f64, 0.95);
                        m.y = p.count as f64;
                        m.lower = Some(lo);
                        m.upper = Some(hi);
                    }
                    if p.months_covered < 12 {
                        m.flag = Some(format!("{} of 12 months", p.months_covered));
                    }
                    chart.marks.push(m);
                }
                chart.notes.push(format!(
                    "Band: 95% confidence interval (Byar; exact Poisson below 10). PHE trend \
                     marker: {}{}.",
                    t.marker,
                    match (t.annual_pct_change, t.lower, t.upper) {
                        (Some(v), Some(lo), Some(hi)) => format!(
                            "; log-linear trend {v:+.1}% a year (95% CI {lo:+.1}% to {hi:+.1}%)"
                        ),
                        _ => String::new(),
                    }
                ));
            }
            ChartKind::Monthly => {
                chart.title = format!("{phrase}: monthly series and seasonal profile");
                chart.x_label = "Month".into();
                chart.y_label = format!("Recorded {noun} per month");
                let season = a.seasonality.iter().find(|s| s.group == g.group);
                match season.filter(|s| !s.series.is_empty()) {
                    Some(s) => {
                        let (first, last) = (s.series[0].0, s.series[s.series.len() - 1].0);
                        chart.subtitle = format!(
                            "{}, {} {} to {} {}",
                            a.area_name,
                            first.month_abbr(),
                            first.year,
                            last.month_abbr(),
                            last.year
                        );
                        for (i, (m, n)) in s.series.iter().enumerate() {
                            let mut k = mark(
                                "observed",
                                format!("{} {}", m.month_abbr(), m.year),
                                i as f64,
                                *n as f64,
                            );
                            if let Some(x) = s.anomalies.iter().find(|x| x.month == *m) {
                                k.highlight = true;
                                k.flag =
                                    Some(format!("{} (expected {:.0})", x.direction, x.expected));
                            }
                            chart.marks.push(k);
                        }
                        for (i, c) in s.profile.iter().enumerate() {
                            if let Some(v) = c.seasonal {
                                chart
                                    .marks
                                    .push(mark("profile", c.month.clone(), i as f64, v));
                            }
                        }
                        chart.notes.push(format!(
                            "Anomalous months (marked) lie beyond 3.5 robust standard deviations of \
                             the STL remainder; {} found. Seasonal profile: STL seasonal component \
                             (robust, periodic), {} above or below the trend in a typical year; \
                             peak {}, trough {}.",
                            s.anomalies.len(),
                            noun,
                            s.peak_month.as_deref().unwrap_or("n/a"),
                            s.trough_month.as_deref().unwrap_or("n/a")
                        ));
                    }
                    None => {
                        if g.monthly.is_empty() {
                            return Err(nothing("no monthly counts".into()));
                        }
                        for (i, (m, n)) in g.monthly.iter().enumerate() {
                            chart.marks.push(mark(
                                "observed",
                                format!("{} {}", m.month_abbr(), m.year),
                                i as f64,
                                *n as f64,
                            ));
                        }
                        chart.notes.push(
                            "No seasonal profile or anomalous months: STL needs 24 consecutive \
                             months of data."
                                .into(),
                        );
                    }
                }
            }
            ChartKind::Breakdown => {
                if a.breakdown.is_empty() {
                    return Err(nothing("no crime types in the data".into()));
                }
                chart.title = "Breakdown by crime type".into();
                chart.x_label = "Share of all recorded crime excluding ASB (%)".into();
                chart.y_label = "Crime type".into();
                for (i, t) in a.breakdown.iter().enumerate() {
                    let mut m = mark(
                        "share",
                        t.crime_type.clone(),
                        i as f64,
                        t.share.unwrap_or(f64::NAN),
                    );
                    m.lower = t.lower;
                    m.upper = t.upper;
                    m.flag = t.change.clone();
                    chart.marks.push(m);
                }
                chart.notes.push(
                    "Bars: share of the area's crime excluding ASB; whiskers: 95% Wilson interval."
                        .into(),
                );
            }
            ChartKind::Hotspots => {
                let h = a
                    .hotspots
                    .iter()
                    .find(|h| h.group == g.group)
                    .ok_or_else(|| nothing("no ward-level data".into()))?;
                chart.title = format!("{phrase}: top {} wards", h.top.len());
                chart.subtitle = format!("{}, {}", a.area_name, h.period);
                chart.x_label = format!("Recorded {noun}");
                chart.y_label = "Ward".into();
                for (i, w) in h.top.iter().enumerate() {
                    let mut m = mark("ward", w.ward_name.clone(), i as f64, w.count as f64);
                    m.lower = w.lower_95;
                    m.upper = w.upper_95;
                    m.flag = w.share.map(|s| format!("{} of the area", pct(s * 100.0)));
                    chart.marks.push(m);
                }
                chart.notes.push(format!(
                    "Whiskers: 95% interval of the count (Byar; exact Poisson below 10). These \
                     wards hold {} of the area's {} across {} wards{}.",
                    h.top_share
                        .map(|v| pct(v * 100.0))
                        .unwrap_or_else(|| "n/a".into()),
                    noun,
                    h.wards,
                    h.poisson_null_share
                        .map(|v| format!(
                            " ({} if every ward had the same expected count)",
                            pct(v * 100.0)
                        ))
                        .unwrap_or_default()
                ));
            }
            ChartKind::Funnel => self.funnel_chart(a, g, &mut chart, noun)?,
            ChartKind::Ranking => self.ranking_chart(a, g, &mut chart, noun)?,
            ChartKind::Lorenz => {
                let h = a
                    .hotspots
                    .iter()
                    .find(|h| h.group == g.group && !h.ward_counts.is_empty())
                    .ok_or_else(|| nothing("no ward-level data".into()))?;
                let counts: Vec<f64> = h.ward_counts.iter().map(|&c| c as f64).collect();
                let total: f64 = counts.iter().sum();
                let to_pct = |c: Vec<(f64, f64)>| -> Vec<(f64, f64)> {
                    c.into_iter().map(|(x, y)| (x * 100.0, y * 100.0)).collect()
                };
                chart.title = format!("{phrase}: concentration across wards (Lorenz curve)");
                chart.subtitle = format!("{}, {}", a.area_name, h.period);
                chart.x_label = "Wards, fewest crimes first (cumulative %)".into();
                chart.y_label = format!("Recorded {noun} (cumulative %)");
                for (i, (x, y)) in to_pct(lorenz_curve(&counts)).into_iter().enumerate() {
                    chart.marks.push(mark("lorenz", format!("{i} wards"), x, y));
                }
                chart.lines.push(Line {
                    name: "Equality (every ward the same count)".into(),
                    points: vec![(0.0, 0.0), (100.0, 100.0)],
                    style: "dashed".into(),
                });
                chart.lines.push(Line {
                    name: "Expected by chance alone (equal expected counts, Poisson)".into(),
                    points: to_pct(poisson_expected_lorenz_curve(total, counts.len())),
                    style: "solid".into(),
                });
                chart.notes.push(format!(
                    "{} wards; Gini coefficient {}; {} wards hold half the {noun}.",
                    h.wards,
                    h.gini
                        .map(|v| format!("{v:.2}"))
                        .unwrap_or_else(|| "n/a".into()),
                    h.areas_for_50
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "n/a".into())
                ));
            }
        }
        Ok(chart)
    }

    /// The areas compared with `a`: those of its peer group that were assessed.
    fn peers_of(&self, a: &AreaAssessment) -> Vec<&AreaAssessment> {
        self.areas
            .iter()
            .filter(|b| match &self.spec.peers {
                Peers::All => true,
                Peers::Force => b.force_code == a.force_code,
                Peers::List(list) => b.area_code == a.area_code || list.contains(&b.area_code),
            })
            .collect()
    }

    fn funnel_chart(
        &self,
        a: &AreaAssessment,
        g: &GroupAssessment,
        chart: &mut Chart,
        noun: &str,
    ) -> Result<()> {
        let p = compared_with_peers(a, g, ChartKind::Funnel)?;
        let bench = p.benchmark;
        // Rates are per 1,000 residents for the period, scaled to a year when annualised:
        // the exposure in thousand person-years of the rate's own period.
        let l = &g.level;
        let years = if l.annualised {
            f64::from(l.months_covered.max(1)) / 12.0
        } else {
            1.0
        };
        let mut observed = Vec::new();
        let mut expected = Vec::new();
        for b in self.peers_of(a) {
            let Some(bg) = b.groups.iter().find(|x| x.group == g.group) else {
                continue;
            };
            let Some(rate) = bg.level.rate else { continue };
            if b.population.is_nan() || b.population <= 0.0 {
                continue;
            }
            let mut m = mark("peers", b.area_name.clone(), b.population, rate);
            m.lower = bg.level.lower_95;
            m.upper = bg.level.upper_95;
            m.highlight = b.area_code == a.area_code;
            m.flag = bg.peers.as_ref().map(|p| p.vs_benchmark_95.clone());
            observed.push(bg.level.count as f64);
            expected.push(bench * b.population * years / 1000.0);
            chart.marks.push(m);
        }
        let (min_pop, max_pop) = chart
            .marks
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), m| {
                (lo.min(m.x), hi.max(m.x))
            });
        let from = (min_pop * 0.5).max(1.0);
        let to = max_pop * 1.2;
        let steps = 120;
        let grid: Vec<f64> = (0..=steps)
            .map(|i| from * (to / from).powf(f64::from(i) / f64::from(steps)))
            .collect();
        let curve = |tail: f64, upper: bool| -> Vec<(f64, f64)> {
            grid.iter()
                .map(|&n| {
                    let e = bench * n * years / 1000.0;
                    let (lo, hi) = phe_poisson_funnel(e, tail);
                    let c = if upper { hi } else { lo };
                    (n, c / (n * years) * 1000.0)
                })
                .collect()
        };
        chart.lines.push(Line {
            name: format!("Peer average {bench:.1} per 1,000"),
            points: vec![(from, bench), (to, bench)],
            style: "solid".into(),
        });
        for (tail, name, style) in [(0.025, "95%", "dashed"), (0.001, "99.8%", "solid")] {
            chart.lines.push(Line {
                name: format!("{name} limits (exact Poisson)"),
                points: curve(tail, true),
                style: style.into(),
            });
            chart.lines.push(Line {
                name: String::new(),
                points: curve(tail, false),
                style: style.into(),
            });
        }
        let d = dispersion(&observed, &expected);
        if d.tau2 > 0.0 {
            let z = normal_quantile(1.0 - 0.001);
            for sign in [1.0, -1.0] {
                chart.lines.push(Line {
                    name: if sign > 0.0 {
                        "99.8% limits adjusted for over-dispersion".into()
                    } else {
                        String::new()
                    },
                    points: grid
                        .iter()
                        .map(|&n| {
                            let e = bench * n * years / 1000.0;
                            (n, bench * (sign * z * (1.0 / e + d.tau2).sqrt()).exp())
                        })
                        .collect(),
                    style: "dotted".into(),
                });
            }
        }
        chart.title = format!(
            "{}: {} compared with its peers",
            group_phrase(g),
            a.area_name
        );
        chart.x_label = "Resident population".into();
        chart.y_label = format!("Recorded {noun} per 1,000 residents");
        chart.notes.push(format!(
            "{}. Funnel limits: PHE's exact Poisson limits around the peers' pooled rate at 95% and \
             99.8%{}. {} is {} the peer average (95%).",
            p.peer_group,
            if d.tau2 > 0.0 {
                format!(
                    "; the peers vary more than chance allows (φ = {:.1}), so the dotted limits \
                     add Spiegelhalter's between-area variance (τ² = {:.4})",
                    d.phi, d.tau2
                )
            } else {
                String::new()
            },
            a.area_name,
            match p.vs_benchmark_95.as_str() {
                "Higher" => "higher than",
                "Lower" => "lower than",
                _ => "similar to",
            }
        ));
        Ok(())
    }

    fn ranking_chart(
        &self,
        a: &AreaAssessment,
        g: &GroupAssessment,
        chart: &mut Chart,
        noun: &str,
    ) -> Result<()> {
        let own = compared_with_peers(a, g, ChartKind::Ranking)?;
        let mut rows: Vec<(&AreaAssessment, &GroupAssessment)> = self
            .peers_of(a)
            .into_iter()
            .filter_map(|b| Some((b, b.groups.iter().find(|x| x.group == g.group)?)))
            .filter(|(_, bg)| bg.level.rate.is_some() && bg.peers.is_some())
            .collect();
        rows.sort_by(|x, y| {
            let (rx, ry) = (x.1.level.rate.unwrap_or(0.0), y.1.level.rate.unwrap_or(0.0));
            ry.total_cmp(&rx).then(x.0.area_name.cmp(&y.0.area_name))
        });
        let ord = super::super::compute::ordinal_text;
        for (i, (b, bg)) in rows.iter().enumerate() {
            let p = bg.peers.as_ref().expect("filtered above");
            let mut m = mark(
                "peers",
                b.area_name.clone(),
                i as f64,
                bg.level.rate.unwrap_or(0.0),
            );
            m.lower = bg.level.lower_95;
            m.upper = bg.level.upper_95;
            m.highlight = b.area_code == a.area_code;
            m.flag = Some(format!(
                "{} ({} to {})",
                ord(p.rank_rate),
                ord(p.rank_rate_lower),
                ord(p.rank_rate_upper)
            ));
            chart.marks.push(m);
        }
        chart.lines.push(Line {
            name: format!("Peer average {:.1} per 1,000", own.benchmark),
            points: vec![
                (own.benchmark, -0.5),
                (own.benchmark, rows.len() as f64 - 0.5),
            ],
            style: "dashed".into(),
        });
        chart.title = format!("{}: rank among {}", group_phrase(g), own.peer_group);
        chart.x_label = format!("Recorded {noun} per 1,000 residents");
        chart.y_label = "Area (rank by rate, 95% rank interval)".into();
        chart.notes.push(format!(
            "{} has the {} highest rate of {} (95% rank interval {} to {}, from {} seeded \
             Poisson redraws of every count). Whiskers: 95% interval of each rate.",
            a.area_name,
            ord(own.rank_rate),
            own.peers,
            ord(own.rank_rate_lower),
            ord(own.rank_rate_upper),
            self.spec.simulations
        ));
        Ok(())
    }

    /// Every chart of an area that has something to draw, in report order: one of each kind
    /// per headline group (all crime excluding ASB, then ASB), the breakdown once.
    pub fn area_charts(&self, area: &str) -> Result<Vec<Chart>> {
        let a = self.area(area).ok_or_else(|| {
            Error::param("area", format!("{area} is not an area of this assessment"))
        })?;
        let mut out = Vec::new();
        for g in a.groups.iter().filter(|g| g.kind != GroupKind::CrimeType) {
            for kind in ChartKind::ALL_CHARTS {
                if !kind.per_group() && g.kind != GroupKind::Total {
                    continue;
                }
                match self.chart(area, kind, Some(&g.group)) {
                    Ok(c) => out.push(c),
                    Err(Error::InvalidParameter { name: "chart", .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(out)
    }
}
