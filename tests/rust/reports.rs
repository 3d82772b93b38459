//! Reports: every chart's data equals the assessment's numbers and the kernels called
//! directly; the HTML pages hold every table and chart and nothing external; bad requests are
//! typed errors. (The workbook is read back in tests/python/test_reports.py with openpyxl,
//! and the pages are opened in headless Chromium there.)

use saferstats::Error;
use saferstats::assessment::{ChartKind, GroupKind, chart_svg};
use saferstats::stats::concentration::lorenz_curve;
use saferstats::stats::funnel::phe_poisson_funnel;
use saferstats::stats::intervals::poisson_count_limits;

use super::assessment_product::{kent, london, medway, total};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn trend_and_monthly_charts_are_the_assessment_numbers() {
    let (_, a) = london();
    let brent = a.areas.iter().find(|x| x.area_name == "Brent").unwrap();
    let g = total(brent);
    let chart = a.chart(&brent.area_code, ChartKind::Trend, None).unwrap();
    let points = &g.trend.as_ref().unwrap().points;
    assert_eq!(chart.marks.len(), points.len());
    assert_eq!(points.len(), 5);
    for (m, p) in chart.marks.iter().zip(points) {
        assert_eq!(m.label, p.period);
        assert!(close(m.y, p.rate.unwrap()));
        assert_eq!((m.lower, m.upper), (p.lower_95, p.upper_95));
        assert!(m.lower.unwrap() < m.y && m.y < m.upper.unwrap());
    }
    assert_eq!(chart.x_label, "Year");
    assert_eq!(chart.y_label, "Recorded crimes per 1,000 residents");
    assert!(chart.subtitle.contains("2018/19 to 2022/23"));

    let monthly = a.chart(&brent.area_code, ChartKind::Monthly, None).unwrap();
    let season = brent
        .seasonality
        .iter()
        .find(|s| s.group == g.group)
        .unwrap();
    let observed: Vec<_> = monthly
        .marks
        .iter()
        .filter(|m| m.series == "observed")
        .collect();
    assert_eq!(observed.len(), season.series.len());
    assert_eq!(observed.len() as u32, season.months);
    for (m, (_, n)) in observed.iter().zip(&season.series) {
        assert_eq!(m.y, *n as f64);
    }
    // The months marked are exactly the anomalous months.
    let marked = observed.iter().filter(|m| m.highlight).count();
    assert_eq!(marked, season.anomalies.len());
    assert!(
        marked > 0,
        "Brent has anomalous months in 2018-2023 (the 2020 lockdowns)"
    );
    let profile: Vec<_> = monthly
        .marks
        .iter()
        .filter(|m| m.series == "profile")
        .collect();
    assert_eq!(profile.len(), 12);
    assert_eq!(profile[0].label, "January");
    // The peak month of the summary is the profile's largest.
    let peak = profile.iter().max_by(|x, y| x.y.total_cmp(&y.y)).unwrap();
    assert_eq!(Some(peak.label.as_str()), season.peak_month.as_deref());
}

#[test]
fn funnel_and_ranking_charts_are_the_peer_comparison() {
    let (_, a) = london();
    let brent = a.areas.iter().find(|x| x.area_name == "Brent").unwrap();
    let g = total(brent);
    let p = g.peers.as_ref().unwrap();
    let funnel = a.chart(&brent.area_code, ChartKind::Funnel, None).unwrap();
    assert_eq!(funnel.marks.len(), 32);
    let own: Vec<_> = funnel.marks.iter().filter(|m| m.highlight).collect();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].label, "Brent");
    assert!(close(own[0].x, brent.population));
    assert!(close(own[0].y, g.level.rate.unwrap()));
    // The benchmark line, and the 99.8% limits from the PHE kernel at every point.
    assert!(
        funnel.lines[0]
            .points
            .iter()
            .all(|&(_, y)| close(y, p.benchmark))
    );
    let upper_998 = funnel
        .lines
        .iter()
        .find(|l| l.name.starts_with("99.8% limits (exact"))
        .unwrap();
    for &(n, y) in &upper_998.points {
        let e = p.benchmark * n / 1000.0;
        assert!(close(y, phe_poisson_funnel(e, 0.001).1 / n * 1000.0));
        assert!(y > p.benchmark);
    }
    // London boroughs vary far more than Poisson counts: the adjusted limits are drawn.
    assert!(funnel.lines.iter().any(|l| l.style == "dotted"));
    assert!(funnel.notes[0].contains("32 CSPs assessed"));

    let ranking = a.chart(&brent.area_code, ChartKind::Ranking, None).unwrap();
    assert_eq!(ranking.marks.len(), 32);
    assert!(ranking.marks.windows(2).all(|w| w[0].y >= w[1].y));
    let own = ranking.marks.iter().position(|m| m.highlight).unwrap();
    assert_eq!(own + 1, p.rank_rate as usize);
    let flag = ranking.marks[own].flag.as_deref().unwrap();
    assert!(flag.contains(&format!("({} to ", saferstats_ordinal(p.rank_rate_lower))));
}

fn saferstats_ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, x) if x != 11 => "st",
        (2, x) if x != 12 => "nd",
        (3, x) if x != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[test]
fn hotspot_and_lorenz_charts_are_the_wards_of_the_area() {
    let (_, a) = kent();
    let m = medway(a);
    for group in [None, Some("asb")] {
        let hot = a.chart(&m.area_code, ChartKind::Hotspots, group).unwrap();
        let g = m
            .groups
            .iter()
            .find(|g| match group {
                None => g.kind == GroupKind::Total,
                Some(_) => g.kind == GroupKind::Asb,
            })
            .unwrap();
        let h = m.hotspots.iter().find(|h| h.group == g.group).unwrap();
        assert_eq!(hot.marks.len(), 5);
        for (mark, w) in hot.marks.iter().zip(&h.top) {
            assert_eq!(mark.label, w.ward_name);
            assert_eq!(mark.y, w.count as f64);
            let (lo, hi, _) = poisson_count_limits(w.count as f64, 0.95);
            assert!(close(mark.lower.unwrap(), lo) && close(mark.upper.unwrap(), hi));
        }
        let lorenz = a.chart(&m.area_code, ChartKind::Lorenz, group).unwrap();
        assert_eq!(h.ward_counts.len() as u32, h.wards);
        assert_eq!(h.ward_counts.iter().sum::<i64>(), h.total);
        let counts: Vec<f64> = h.ward_counts.iter().map(|&c| c as f64).collect();
        let curve = lorenz_curve(&counts);
        assert_eq!(lorenz.marks.len(), curve.len());
        for (mark, (x, y)) in lorenz.marks.iter().zip(curve) {
            assert!(close(mark.x, x * 100.0) && close(mark.y, y * 100.0));
        }
        assert_eq!(
            lorenz.marks.last().map(|k| (k.x, k.y)),
            Some((100.0, 100.0))
        );
    }
    // The breakdown is the area's, once.
    let b = a.chart(&m.area_code, ChartKind::Breakdown, None).unwrap();
    assert_eq!(b.marks.len(), m.breakdown.len());
    assert_eq!(b.id, "chart-breakdown");
}

#[test]
fn every_chart_renders_as_svg_with_its_labels() {
    let (_, a) = london();
    let (_, k) = kent();
    for (a, code) in [
        (a, a.areas[0].area_code.clone()),
        (k, medway(k).area_code.clone()),
    ] {
        let charts = a.area_charts(&code).unwrap();
        assert!(charts.len() >= 5, "{} charts", charts.len());
        for c in charts {
            let svg = chart_svg(&c).unwrap();
            assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
            for text in [&c.title, &c.x_label, &c.y_label] {
                let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
                assert!(svg.contains(&escaped), "{}: {text}", c.id);
            }
            assert!(svg.contains("Open Government Licence v3.0"), "{}", c.id);
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{}", c.id);
        }
    }
}

#[test]
fn html_pages_hold_every_table_and_chart_and_nothing_external() {
    let (_, a) = kent();
    let m = medway(a);
    let page = a.area_html(&m.area_code).unwrap();
    assert!(page.contains("id=\"all-recorded-crime\""));
    for c in a.area_charts(&m.area_code).unwrap() {
        assert!(
            page.contains(&format!("<figure id=\"{}\"", c.id)),
            "{}",
            c.id
        );
    }
    for forbidden in ["<script", "src=", "href=\"http", "<link", "@import", "url("] {
        assert!(!page.contains(forbidden), "{forbidden}");
    }
    // The only addresses are the SVG namespace names, which are never fetched.
    let without_namespace = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_namespace.contains("http://") && !without_namespace.contains("https://"));
    // The headline table is the Markdown's, row for row.
    let md = a.area_markdown(&m.area_code).unwrap();
    for row in [
        "Level of crime",
        "Peer comparison",
        "Annual change",
        "Hotspots",
    ] {
        assert!(page.contains(&format!("<th scope=\"row\">{row}</th>")));
        assert!(md.contains(&format!("| **{row}** |")));
    }
    let index = a.index_html();
    assert_eq!(index.matches("<tr><td><a href=").count(), a.areas.len());
}

#[test]
fn chart_requests_that_cannot_be_met_are_typed_errors() {
    let (_, a) = london();
    let code = a.areas[0].area_code.clone();
    let name = |e: Error| match e {
        Error::InvalidParameter { name, reason } => (name, reason),
        other => panic!("{other}"),
    };
    let (n, why) = name(a.chart("E99999999", ChartKind::Trend, None).unwrap_err());
    assert_eq!(n, "area");
    assert!(why.contains("E99999999"));
    let (n, why) = name(
        a.chart(&code, ChartKind::Trend, Some("Piracy"))
            .unwrap_err(),
    );
    assert_eq!(n, "group");
    assert!(why.contains("Piracy"));
    // Kent 2014 is one year of data: no trend to draw.
    let (_, k) = kent();
    let m = medway(k);
    let (n, why) = name(k.chart(&m.area_code, ChartKind::Trend, None).unwrap_err());
    assert_eq!(n, "chart");
    assert!(
        why.contains("trend for Medway") && why.contains("one year"),
        "{why}"
    );
    assert!("pie".parse::<ChartKind>().is_err());
    // The whole report leaves out what cannot be drawn instead of failing.
    let kinds: Vec<String> = k
        .area_charts(&m.area_code)
        .unwrap()
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert!(!kinds.iter().any(|c| c == "trend"), "{kinds:?}");
    assert!(kinds.iter().any(|c| c == "hotspots"), "{kinds:?}");
    // London's borough pages have the top wards of the MPS ward file, for its own months.
    let hot = a.chart(&code, ChartKind::Hotspots, None).unwrap();
    assert!(
        hot.subtitle.ends_with("year ending Jun 2025"),
        "{}",
        hot.subtitle
    );
}
