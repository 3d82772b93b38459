//! Self-contained HTML: one page per area (the headline table of each crime group with its
//! charts inline as SVG, the crime-type breakdown, the data-quality notes) and an index page.
//! No scripts, no external fonts, styles or images: a page opens offline, can be attached to
//! an email and prints to PDF with each table and chart kept on one page.

use std::fmt::Write as _;

use super::charts::{Chart, ChartKind};
use super::svg::chart_svg;
use crate::assessment::compute::level_plural;
use crate::assessment::model::{Assessment, GroupKind};
use crate::assessment::render::{group_title, int, pct};
use crate::error::{Error, Result};

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif;
       color: #212529; max-width: 980px; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 2px solid #1f5c99; padding-bottom: .2rem; }
.about, .source { color: #495057; font-size: .92rem; }
table { border-collapse: collapse; width: 100%; margin: .8rem 0; font-size: .92rem; }
th, td { border: 1px solid #ced4da; padding: .35rem .5rem; vertical-align: top; text-align: left; }
th { background: #e9eef5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.headline th { width: 11rem; }
figure { margin: 1.2rem 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: .85rem; color: #495057; }
.higher { color: #b41e2d; font-weight: 600; } .lower { color: #00806f; font-weight: 600; }
nav a { margin-right: 1rem; }
@media print { body { margin: 0; max-width: none; } nav { display: none; }
               h2 { break-after: avoid; } table { break-inside: avoid; } }
";

/// Escape text for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

fn figure(chart: &Chart) -> Result<String> {
    let svg = chart_svg(chart)?;
    // The SVG's own title element names the chart for screen readers.
    let svg = svg.replacen(
        '>',
        &format!(
            " role=\"img\" aria-labelledby=\"{0}-title\"><title id=\"{0}-title\">{1}</title>",
            chart.id,
            esc(&chart.title)
        ),
        1,
    );
    Ok(format!(
        "<figure id=\"{}\" class=\"chart chart-{}\">\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
        chart.id,
        chart.kind,
        esc(&chart.notes.join(" "))
    ))
}

fn verdict_class(text: &str) -> &'static str {
    match text {
        "Higher" => "higher",
        "Lower" => "lower",
        _ => "",
    }
}

impl Assessment {
    fn source_html(&self) -> String {
        format!(
            "<p class=\"source\">Source: {}. Population: {}. Contains public sector information \
             licensed under the Open Government Licence v3.0. Computed by saferstats {}.</p>\n",
            esc(&self.source.description),
            esc(&self.source.population),
            esc(&self.saferstats_version)
        )
    }

    /// A self-contained HTML page for one area: for each headline group (all recorded crime
    /// excluding ASB, then ASB) the strategic assessment's table (level, peers, annual change,
    /// trend, seasonality, hotspots) and its charts (trend with interval band, monthly series
    /// and seasonal profile, top wards, funnel plot, ranking with rank intervals, Lorenz
    /// curve), then the crime-type breakdown with its chart, and the data-quality notes.
    ///
    /// Element ids: `all-recorded-crime` (the headline table of all recorded crime excluding
    /// ASB), `table-<group>`, `chart-<kind>-<group>`, `breakdown`, `notes`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`area`) when the area is not in the assessment.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::assessment::{assessment, AssessmentSpec, Inputs, ReportingPeriod};
    /// let inputs = Inputs::medway_2014()?;
    /// let spec = AssessmentSpec { period: ReportingPeriod::CalendarYear(2014), ..AssessmentSpec::default() };
    /// let a = assessment(&inputs, &spec)?;
    /// let html = a.area_html(&a.areas[0].area_code)?;
    /// assert!(html.contains("id=\"all-recorded-crime\"") && html.contains("<svg"));
    /// // No scripts and nothing fetched: the only address is the SVG namespace's name.
    /// assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("https://"));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn area_html(&self, code: &str) -> Result<String> {
        let a = self.area(code).ok_or_else(|| {
            Error::param("area", format!("{code} is not an area of this assessment"))
        })?;
        let charts = self.area_charts(code)?;
        let mut b = String::new();
        let _ = writeln!(
            b,
            "<nav><a href=\"index.html\">All {}</a></nav>",
            level_plural(self.level)
        );
        let _ = writeln!(
            b,
            "<h1>{}: strategic assessment tables, {}</h1>",
            esc(&a.area_name),
            esc(&self.period.label)
        );
        let _ = writeln!(
            b,
            "<p class=\"about\">{}<br>Reporting period: {}</p>",
            esc(&self.about_line(a)),
            esc(&self.period_line().replace("**", ""))
        );
        for g in a.groups.iter().filter(|g| g.kind != GroupKind::CrimeType) {
            let gid = super::charts::group_id(g);
            let table_id = if g.kind == GroupKind::Total {
                "all-recorded-crime".to_string()
            } else {
                format!("table-{gid}")
            };
            let _ = writeln!(
                b,
                "<section id=\"group-{gid}\">\n<h2>{}</h2>\n<table id=\"{table_id}\" \
                 class=\"headline\">",
                esc(&group_title(g))
            );
            for (heading, text) in self.headline_rows(a, g) {
                let _ = writeln!(
                    b,
                    "<tr><th scope=\"row\">{heading}</th><td>{}</td></tr>",
                    esc(&text)
                );
            }
            b.push_str("</table>\n");
            for c in charts
                .iter()
                .filter(|c| c.id.ends_with(&format!("-{gid}")) && c.kind != "breakdown")
            {
                b.push_str(&figure(c)?);
            }
            b.push_str("</section>\n");
        }
        if !a.breakdown.is_empty() {
            let cmp = self.period.previous.clone();
            let _ = writeln!(
                b,
                "<section id=\"breakdown\">\n<h2>Breakdown by crime type</h2>\n<table \
                 id=\"table-breakdown\">\n<tr><th>Crime type</th><th class=\"num\">Crimes</th>\
                 <th class=\"num\">Share</th><th>95% CI</th><th>Change on {}</th></tr>",
                esc(cmp.as_deref().unwrap_or("the previous year"))
            );
            for t in &a.breakdown {
                let _ = writeln!(
                    b,
                    "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{} to \
                     {}</td><td>{}</td></tr>",
                    esc(&t.crime_type),
                    int(t.count),
                    pct(t.share),
                    pct(t.lower),
                    pct(t.upper),
                    esc(t.change.as_deref().unwrap_or("n/a"))
                );
            }
            b.push_str("</table>\n");
            if let Some(c) = charts
                .iter()
                .find(|c| c.kind == ChartKind::Breakdown.to_string())
            {
                b.push_str(&figure(c)?);
            }
            b.push_str("</section>\n");
        }
        b.push_str("<section id=\"notes\">\n<h2>Data quality and method</h2>\n<ul>\n");
        for n in a.notes.iter().chain(&self.notes) {
            let _ = writeln!(b, "<li>{}</li>", esc(n));
        }
        b.push_str("</ul>\n");
        b.push_str(&self.source_html());
        b.push_str("</section>\n");
        Ok(page(
            &format!(
                "{}: strategic assessment, {}",
                a.area_name, self.period.label
            ),
            &b,
        ))
    }

    /// A self-contained HTML index: one row per area with its headline figures, linking to
    /// each area's page (`<code>-<name>.html`), and the notes that apply to every area.
    pub fn index_html(&self) -> String {
        let mut b = String::new();
        let _ = writeln!(
            b,
            "<h1>Strategic assessment tables: {} {}, {}</h1>\n<p class=\"about\">Reporting \
             period: {}</p>",
            self.areas.len(),
            level_plural(self.level),
            esc(&self.period.label),
            esc(&self.period_line().replace("**", ""))
        );
        b.push_str(
            "<table id=\"index\">\n<tr><th>Area</th><th class=\"num\">Crimes excl. ASB</th>\
             <th class=\"num\">Rate per 1,000</th><th>Rank by rate</th><th>vs peer average</th>\
             <th>Annual change</th><th>Trend</th><th class=\"num\">ASB incidents</th></tr>\n",
        );
        for r in self.index_rows() {
            let _ = writeln!(
                b,
                "<tr><td><a href=\"{}.html\">{}</a></td><td class=\"num\">{}</td><td \
                 class=\"num\">{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td>\
                 <td class=\"num\">{}</td></tr>",
                r.slug,
                esc(&r.area_name),
                r.crimes,
                r.rate,
                r.rank,
                verdict_class(&r.vs_peers),
                esc(&r.vs_peers),
                esc(&r.change),
                esc(&r.trend),
                r.asb
            );
        }
        b.push_str("</table>\n<section id=\"notes\">\n<h2>Data quality and method</h2>\n<ul>\n");
        for n in &self.notes {
            let _ = writeln!(b, "<li>{}</li>", esc(n));
        }
        b.push_str("</ul>\n");
        b.push_str(&self.source_html());
        b.push_str("</section>\n");
        page(
            &format!("Strategic assessment tables, {}", self.period.label),
            &b,
        )
    }
}
