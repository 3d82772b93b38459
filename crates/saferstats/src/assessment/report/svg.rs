//! Charts drawn as SVG with plotters' SVG backend: text stays text (the browser's sans-serif,
//! no font files), so the charts are small, searchable and print sharply to PDF.
//!
//! One drawing function per layout: horizontal bars with whiskers (breakdown, top wards,
//! ranking), a series over categories with an interval band (trend), the monthly series above
//! its seasonal profile, and an x-y plot with reference curves (funnel, Lorenz).

use std::error::Error as StdError;

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::{Chart, Line, Mark};
use crate::error::{Error, Result};

/// Width of every chart, in pixels (the SVG scales with the page).
pub const WIDTH: u32 = 760;

const INK: RGBColor = RGBColor(33, 37, 41);
const GREY: RGBColor = RGBColor(110, 117, 125);
const BLUE: RGBColor = RGBColor(31, 92, 153);
const PALE: RGBColor = RGBColor(175, 199, 225);
const ORANGE: RGBColor = RGBColor(205, 85, 20);
const RED: RGBColor = RGBColor(180, 30, 45);
const TEAL: RGBColor = RGBColor(0, 128, 128);

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Drawn = std::result::Result<(), Box<dyn StdError>>;

/// The chart as a standalone SVG document.
///
/// # Errors
/// [`Error::InvalidParameter`] (`chart`) if plotters cannot draw it (not expected: every
/// value is checked to be finite first).
///
/// # Examples
///
/// ```
/// use saferstats::assessment::{assessment, AssessmentSpec, ChartKind, Inputs, ReportingPeriod};
/// let inputs = Inputs::medway_2014()?;
/// let spec = AssessmentSpec { period: ReportingPeriod::CalendarYear(2014), ..AssessmentSpec::default() };
/// let a = assessment(&inputs, &spec)?;
/// let chart = a.chart(&a.areas[0].area_code, ChartKind::Breakdown, None)?;
/// let svg = saferstats::assessment::chart_svg(&chart)?;
/// assert!(svg.starts_with("<svg") && svg.contains("Crime type"));
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn chart_svg(chart: &Chart) -> Result<String> {
    let categories = chart.marks.iter().filter(|m| m.series != "profile").count() as u32;
    let height = match chart.kind.as_str() {
        "breakdown" | "hotspots" | "ranking" => 150 + 26 * categories.max(2),
        "monthly" => 560,
        _ => 440,
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        let drawn = frame(&root, chart).and_then(|body| match chart.kind.as_str() {
            "breakdown" | "hotspots" | "ranking" => bars(&body, chart),
            "trend" => trend(&body, chart),
            "monthly" => monthly(&body, chart),
            _ => xy(&body, chart),
        });
        drawn
            .and_then(|()| root.present().map_err(Into::into))
            .map_err(|e| Error::param("chart", format!("{}: {e}", chart.id)))?;
    }
    Ok(svg)
}

/// Splits `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// White background, title, subtitle (area and period) and the source line; returns the area
/// left for the plot.
fn frame<'a>(root: &Area<'a>, chart: &Chart) -> std::result::Result<Area<'a>, Box<dyn StdError>> {
    root.fill(&WHITE)?;
    let (_, height) = root.dim_in_pixel();
    let source = wrap(&chart.source, 150);
    let foot_height = 8 + 13 * source.len() as u32;
    let (head, rest) = root.split_vertically(50);
    let (body, foot) = rest.split_vertically(height - 50 - foot_height);
    head.draw(&Text::new(
        chart.title.clone(),
        (12, 8),
        ("sans-serif", 17, FontStyle::Bold).into_font().color(&INK),
    ))?;
    head.draw(&Text::new(
        chart.subtitle.clone(),
        (12, 30),
        ("sans-serif", 13).into_font().color(&GREY),
    ))?;
    for (i, line) in source.iter().enumerate() {
        foot.draw(&Text::new(
            line.clone(),
            (12, 4 + 13 * i as i32),
            ("sans-serif", 10).into_font().color(&GREY),
        ))?;
    }
    Ok(body)
}

/// An axis tick: whole numbers with thousands separators, one decimal otherwise.
fn tick(v: f64) -> String {
    if v.abs() >= 100.0 || (v - v.round()).abs() < 1e-9 {
        let s = crate::frame::table::thousands(v.abs().round());
        if v < 0.0 { format!("-{s}") } else { s }
    } else {
        format!("{v:.1}")
    }
}

fn finite_max(values: impl Iterator<Item = f64>) -> f64 {
    values
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max)
}

fn finite_min(values: impl Iterator<Item = f64>) -> f64 {
    values
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min)
}

/// A value range with some room, never empty.
fn padded(lo: f64, hi: f64, from_zero: bool) -> std::ops::Range<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let lo = if from_zero { lo.min(0.0) } else { lo };
    let span = if hi > lo { hi - lo } else { hi.abs().max(1.0) };
    let lo = if from_zero && lo >= 0.0 {
        0.0
    } else {
        lo - 0.08 * span
    };
    lo..hi + 0.08 * span
}

fn interval(m: &Mark) -> Option<(f64, f64)> {
    match (m.lower, m.upper) {
        (Some(lo), Some(hi)) if lo.is_finite() && hi.is_finite() => Some((lo, hi)),
        _ => None,
    }
}

/// The end of category `i`'s segment in a segmented axis of `n` categories.
fn segment_end(i: i32, n: i32) -> SegmentValue<i32> {
    if i + 1 >= n {
        SegmentValue::Last
    } else {
        SegmentValue::Exact(i + 1)
    }
}

/// Horizontal bars, one per mark (first at the top), with whiskers for intervals and the
/// area's own bar highlighted; a ranking's labels carry the rank interval.
fn bars(body: &Area<'_>, chart: &Chart) -> Drawn {
    let marks: Vec<&Mark> = chart.marks.iter().collect();
    let n = marks.len() as i32;
    let labels: Vec<String> = marks
        .iter()
        .map(|m| {
            let label = if m.label.chars().count() > 38 {
                format!("{}…", m.label.chars().take(37).collect::<String>())
            } else {
                m.label.clone()
            };
            match (&m.flag, chart.kind.as_str()) {
                (Some(f), "ranking") => format!("{label}: {f}"),
                _ => label,
            }
        })
        .collect();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(10) as u32;
    let x_max = finite_max(
        marks
            .iter()
            .map(|m| interval(m).map_or(m.y, |(_, hi)| hi.max(m.y))),
    );
    let mut c = ChartBuilder::on(body)
        .margin_left(12)
        .margin_right(24)
        .margin_top(6)
        .x_label_area_size(44)
        .y_label_area_size((longest * 6 + 16).clamp(80, 330))
        .build_cartesian_2d(padded(0.0, x_max, true), (0..n - 1).into_segmented())?;
    c.configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_y_mesh()
        .x_label_formatter(&|v| tick(*v))
        .y_labels(n as usize)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(p) => labels
                .get((n - 1 - p) as usize)
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        })
        .x_desc(chart.x_label.clone())
        .y_desc(chart.y_label.clone())
        .axis_desc_style(("sans-serif", 13))
        .label_style(("sans-serif", 11))
        .draw()?;
    c.draw_series(marks.iter().enumerate().map(|(i, m)| {
        let p = n - 1 - i as i32;
        let colour = if m.highlight { ORANGE } else { BLUE };
        let mut bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(p)),
                (if m.y.is_finite() { m.y } else { 0.0 }, segment_end(p, n)),
            ],
            colour.mix(0.85).filled(),
        );
        bar.set_margin(4, 4, 0, 0);
        bar
    }))?;
    c.draw_series(marks.iter().enumerate().filter_map(|(i, m)| {
        let (lo, hi) = interval(m)?;
        let p = n - 1 - i as i32;
        Some(PathElement::new(
            vec![
                (lo, SegmentValue::CenterOf(p)),
                (hi, SegmentValue::CenterOf(p)),
            ],
            INK.stroke_width(2),
        ))
    }))?;
    for line in &chart.lines {
        // A vertical reference (the peer average) across every category.
        let Some(&(x, _)) = line.points.first() else {
            continue;
        };
        c.draw_series(DashedLineSeries::new(
            vec![(x, SegmentValue::Exact(0)), (x, SegmentValue::Last)],
            6,
            4,
            RED.stroke_width(2),
        ))?
        .label(line.name.clone())
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], RED.stroke_width(2)));
    }
    if !chart.lines.is_empty() {
        legend(&mut c)?;
    }
    Ok(())
}

fn legend<'a, X: Ranged, Y: Ranged>(
    c: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
) -> Drawn {
    legend_at(c, SeriesLabelPosition::LowerRight)
}

fn legend_at<'a, X: Ranged, Y: Ranged>(
    c: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> Drawn {
    c.configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .label_font(("sans-serif", 11))
        .draw()
        .map_err(|e| e.to_string().into())
}

/// Annual values over categorical years: the 95% band, the line, and the points (hollow for a
/// partial year).
fn trend(body: &Area<'_>, chart: &Chart) -> Drawn {
    let marks = &chart.marks;
    let n = marks.len() as i32;
    let lo = finite_min(marks.iter().map(|m| interval(m).map_or(m.y, |(l, _)| l)));
    let hi = finite_max(marks.iter().map(|m| interval(m).map_or(m.y, |(_, h)| h)));
    let labels: Vec<String> = marks.iter().map(|m| m.label.clone()).collect();
    let mut c = ChartBuilder::on(body)
        .margin_left(12)
        .margin_right(24)
        .margin_top(6)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d((0..n - 1).into_segmented(), padded(lo, hi, true))?;
    c.configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        .x_labels(n as usize)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(p) => labels.get(*p as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| tick(*v))
        .x_desc(chart.x_label.clone())
        .y_desc(chart.y_label.clone())
        .axis_desc_style(("sans-serif", 13))
        .label_style(("sans-serif", 11))
        .draw()?;
    let with_interval: Vec<(i32, f64, f64)> = marks
        .iter()
        .enumerate()
        .filter_map(|(i, m)| interval(m).map(|(l, h)| (i as i32, l, h)))
        .collect();
    if with_interval.len() > 1 {
        let mut band: Vec<(SegmentValue<i32>, f64)> = with_interval
            .iter()
            .map(|&(i, _, h)| (SegmentValue::CenterOf(i), h))
            .collect();
        band.extend(
            with_interval
                .iter()
                .rev()
                .map(|&(i, l, _)| (SegmentValue::CenterOf(i), l)),
        );
        c.draw_series(std::iter::once(Polygon::new(band, PALE.mix(0.6).filled())))?
            .label("95% confidence interval")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 18, y + 5)], PALE.filled()));
    }
    let points: Vec<(SegmentValue<i32>, f64)> = marks
        .iter()
        .enumerate()
        .filter(|(_, m)| m.y.is_finite())
        .map(|(i, m)| (SegmentValue::CenterOf(i as i32), m.y))
        .collect();
    c.draw_series(LineSeries::new(points, BLUE.stroke_width(2)))?
        .label(chart.y_label.clone())
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLUE.stroke_width(2)));
    c.draw_series(
        marks
            .iter()
            .enumerate()
            .filter(|(_, m)| m.y.is_finite())
            .map(|(i, m)| {
                let style = if m.flag.is_some() {
                    BLUE.stroke_width(2)
                } else {
                    BLUE.filled()
                };
                Circle::new((SegmentValue::CenterOf(i as i32), m.y), 5, style)
            }),
    )?;
    legend(&mut c)
}

/// The monthly series (anomalous months in red) above the seasonal profile (bars by
/// calendar month, above or below the trend).
fn monthly(body: &Area<'_>, chart: &Chart) -> Drawn {
    let observed: Vec<&Mark> = chart
        .marks
        .iter()
        .filter(|m| m.series == "observed")
        .collect();
    let profile: Vec<&Mark> = chart
        .marks
        .iter()
        .filter(|m| m.series == "profile")
        .collect();
    let (_, height) = body.dim_in_pixel();
    let (top, bottom) = if profile.is_empty() {
        (body.clone(), None)
    } else {
        let (t, b) = body.split_vertically(height * 3 / 5);
        (t, Some(b))
    };
    let n = observed.len() as i32;
    // Label every month, quarter, half-year or year: at most about a dozen labels.
    let step = [1, 3, 6, 12, 24]
        .into_iter()
        .find(|s| n / s <= 12)
        .unwrap_or(24);
    let labels: Vec<String> = observed.iter().map(|m| m.label.clone()).collect();
    let hi = finite_max(observed.iter().map(|m| m.y));
    let mut c = ChartBuilder::on(&top)
        .margin_left(12)
        .margin_right(24)
        .margin_top(6)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d((0..n - 1).into_segmented(), padded(0.0, hi, true))?;
    c.configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        .x_labels(n as usize)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(p) if p % step == 0 => {
                labels.get(*p as usize).cloned().unwrap_or_default()
            }
            _ => String::new(),
        })
        .y_label_formatter(&|v| tick(*v))
        .x_desc(chart.x_label.clone())
        .y_desc(chart.y_label.clone())
        .axis_desc_style(("sans-serif", 13))
        .label_style(("sans-serif", 11))
        .draw()?;
    c.draw_series(LineSeries::new(
        observed
            .iter()
            .enumerate()
            .map(|(i, m)| (SegmentValue::CenterOf(i as i32), m.y)),
        BLUE.stroke_width(2),
    ))?
    .label("Recorded each month")
    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLUE.stroke_width(2)));
    let anomalous: Vec<(usize, &&Mark)> = observed
        .iter()
        .enumerate()
        .filter(|(_, m)| m.highlight)
        .collect();
    if !anomalous.is_empty() {
        c.draw_series(
            anomalous.iter().map(|(i, m)| {
                Circle::new((SegmentValue::CenterOf(*i as i32), m.y), 6, RED.filled())
            }),
        )?
        .label("Anomalous month")
        .legend(|(x, y)| Circle::new((x + 9, y), 5, RED.filled()));
    }
    legend(&mut c)?;
    let Some(bottom) = bottom else {
        return Ok(());
    };
    let lo = finite_min(profile.iter().map(|m| m.y));
    let hi = finite_max(profile.iter().map(|m| m.y));
    let months: Vec<String> = profile
        .iter()
        .map(|m| m.label.chars().take(3).collect())
        .collect();
    let k = profile.len() as i32;
    let mut p = ChartBuilder::on(&bottom)
        .margin_left(12)
        .margin_right(24)
        .margin_top(16)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .caption(
            "Seasonal profile (STL seasonal component)",
            ("sans-serif", 13).into_font().color(&INK),
        )
        .build_cartesian_2d(
            (0..k - 1).into_segmented(),
            padded(lo.min(0.0), hi.max(0.0), false),
        )?;
    p.configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        .x_labels(k as usize)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => months.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| tick(*v))
        .x_desc("Calendar month")
        .y_desc("Above or below trend")
        .axis_desc_style(("sans-serif", 13))
        .label_style(("sans-serif", 11))
        .draw()?;
    p.draw_series(profile.iter().enumerate().map(|(i, m)| {
        let i = i as i32;
        let colour = if m.y >= 0.0 { ORANGE } else { TEAL };
        let mut bar = Rectangle::new(
            [(SegmentValue::Exact(i), 0.0), (segment_end(i, k), m.y)],
            colour.mix(0.8).filled(),
        );
        bar.set_margin(0, 0, 6, 6);
        bar
    }))?;
    Ok(())
}

fn line_style(line: &Line, i: usize) -> ShapeStyle {
    let colour = match (line.style.as_str(), i) {
        ("dotted", _) => TEAL,
        (_, 0) => INK,
        _ => GREY,
    };
    colour.stroke_width(if i == 0 { 2 } else { 1 })
}

/// Points against reference curves: the funnel (population on a log scale, the area's own
/// point highlighted and named) and the Lorenz curve.
fn xy(body: &Area<'_>, chart: &Chart) -> Drawn {
    let funnel = chart.kind == "funnel";
    let xs = chart.marks.iter().map(|m| m.x).chain(
        chart
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0)),
    );
    let ys: Vec<f64> = chart
        .marks
        .iter()
        .map(|m| m.y)
        .chain(
            chart
                .lines
                .iter()
                .flat_map(|l| l.points.iter().map(|p| p.1)),
        )
        .filter(|v| v.is_finite())
        .collect();
    let (x_lo, x_hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let mut builder = ChartBuilder::on(body);
    builder
        .margin_left(12)
        .margin_right(24)
        .margin_top(6)
        .x_label_area_size(44)
        .y_label_area_size(70);
    if funnel {
        // Rates of the marks and the limits within twice the marks' spread: the funnel's
        // small-population end would otherwise flatten everything else.
        let m_lo = finite_min(chart.marks.iter().map(|m| m.y));
        let m_hi = finite_max(chart.marks.iter().map(|m| m.y));
        let span = (m_hi - m_lo).max(m_hi.abs() * 0.1).max(1e-9);
        let y_lo = (m_lo - span).max(finite_min(ys.iter().copied())).max(0.0);
        let y_hi = (m_hi + span).min(finite_max(ys.iter().copied()));
        let mut c = builder.build_cartesian_2d(
            (x_lo.max(1.0)..x_hi.max(2.0)).log_scale(),
            padded(y_lo, y_hi.max(m_hi), false),
        )?;
        c.configure_mesh()
            .light_line_style(TRANSPARENT)
            .x_desc(chart.x_label.clone())
            .y_desc(chart.y_label.clone())
            .x_label_formatter(&|v| crate::frame::table::thousands(v.round()))
            .y_label_formatter(&|v| tick(*v))
            .axis_desc_style(("sans-serif", 13))
            .label_style(("sans-serif", 11))
            .draw()?;
        draw_lines(&mut c, &chart.lines)?;
        let others = chart.marks.iter().filter(|m| !m.highlight);
        c.draw_series(others.map(|m| Circle::new((m.x, m.y), 4, BLUE.mix(0.8).filled())))?
            .label("Peers")
            .legend(|(x, y)| Circle::new((x + 9, y), 4, BLUE.filled()));
        for m in chart.marks.iter().filter(|m| m.highlight) {
            c.draw_series(std::iter::once(
                EmptyElement::at((m.x, m.y))
                    + Circle::new((0, 0), 7, ORANGE.filled())
                    + Text::new(
                        m.label.clone(),
                        (10, -4),
                        ("sans-serif", 12, FontStyle::Bold)
                            .into_font()
                            .color(&INK)
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                    ),
            ))?;
        }
        legend_at(&mut c, SeriesLabelPosition::UpperRight)
    } else {
        let mut c = builder.build_cartesian_2d(0f64..100f64, 0f64..100f64)?;
        c.configure_mesh()
            .light_line_style(TRANSPARENT)
            .x_desc(chart.x_label.clone())
            .y_desc(chart.y_label.clone())
            .axis_desc_style(("sans-serif", 13))
            .label_style(("sans-serif", 11))
            .draw()?;
        draw_lines(&mut c, &chart.lines)?;
        c.draw_series(LineSeries::new(
            chart.marks.iter().map(|m| (m.x, m.y)),
            ORANGE.stroke_width(3),
        ))?
        .label("Wards of this area")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], ORANGE.stroke_width(3)));
        legend(&mut c)
    }
}

fn draw_lines<'a, X, Y>(
    c: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    lines: &[Line],
) -> Drawn
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (i, line) in lines.iter().enumerate() {
        let style = line_style(line, i);
        let points: Vec<(f64, f64)> = line
            .points
            .iter()
            .copied()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        let series = if line.style == "solid" {
            c.draw_series(LineSeries::new(points, style))?
        } else {
            let (size, gap) = if line.style == "dotted" {
                (2, 4)
            } else {
                (7, 5)
            };
            c.draw_series(DashedLineSeries::new(points, size, gap, style))?
        };
        if !line.name.is_empty() {
            series
                .label(line.name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        }
    }
    Ok(())
}
