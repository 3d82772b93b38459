"""Reports: the HTML pages in headless Chromium, the Excel workbook read back, and the charts.

The pages are opened in Chromium (Debian package ``chromium``; tests/run.sh installs it and
sets SAFERSTATS_REQUIRE_CHROMIUM=1 so a missing browser fails instead of skipping).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import saferstats as ss

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("screenshots", ROOT / "docs" / "screenshots.py")
assert _spec is not None
assert _spec.loader is not None
screenshots = importlib.util.module_from_spec(_spec)
sys.modules["screenshots"] = screenshots  # dataclasses look their module up
_spec.loader.exec_module(screenshots)

needs_chromium = pytest.mark.skipif(
    screenshots.browser() is None and os.environ.get("SAFERSTATS_REQUIRE_CHROMIUM") != "1",
    reason="chromium is not installed (tests/run.sh installs it)",
)


@pytest.fixture(scope="module")
def london():
    return ss.assessment(example="london-mps")


@pytest.fixture(scope="module")
def medway():
    return ss.assessment(example="medway-2014")


class Elements(HTMLParser):
    """Ids of the elements of a page, and the ids of figures holding an <svg>."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.figures_with_svg: set[str] = set()
        self._figure: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "figure":
            self._figure = a.get("id")
        if tag == "svg" and self._figure:
            self.figures_with_svg.add(self._figure)

    def handle_endtag(self, tag):
        if tag == "figure":
            self._figure = None


def parse(text: str) -> Elements:
    p = Elements()
    p.feed(text)
    return p


@needs_chromium
def test_the_console_check_can_fail(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<html><body><script>console.error("boom")</script></body></html>')
    shot = screenshots.screenshot(page, tmp_path / "bad.png", 300, 200)
    assert shot.console
    assert "boom" in shot.console[0]


@needs_chromium
def test_medway_and_london_pages_in_chromium(tmp_path):
    pages = screenshots.example_pages(tmp_path)
    a = {
        "medway-2014": ss.assessment(example="medway-2014"),
        "london-brent-2022-23": ss.assessment(example="london-mps"),
    }
    codes = {"medway-2014": "E22000143", "london-brent-2022-23": screenshots.BRENT}
    for name, assessment in a.items():
        page = pages[name]
        shot = screenshots.screenshot(page, tmp_path / f"{name}.png", 1000, 3000)
        assert shot.console == [], shot.console
        assert shot.png.stat().st_size > 50_000  # a page, not a blank
        dom = parse(screenshots.rendered_dom(page))
        assert "all-recorded-crime" in dom.ids
        assert {"notes", "breakdown"} <= dom.ids
        expected = {
            ss.plot.chart(assessment, c.kind, codes[name]).id if c.kind == "breakdown" else c.id
            for c in _charts(assessment, codes[name])
        }
        assert expected, name
        assert expected <= dom.figures_with_svg, expected - dom.figures_with_svg
    # Medway has wards (top 5, Lorenz) and no year before; London has peers and a trend.
    medway_ids = parse(pages["medway-2014"].read_text()).figures_with_svg
    assert {"chart-hotspots-total", "chart-lorenz-total", "chart-hotspots-asb"} <= medway_ids
    london_ids = parse(pages["london-brent-2022-23"].read_text()).figures_with_svg
    assert {"chart-trend-total", "chart-funnel-total", "chart-ranking-total"} <= london_ids
    assert {"chart-monthly-total", "chart-breakdown", "chart-hotspots-total"} <= london_ids
    index = screenshots.screenshot(pages["london-index"], tmp_path / "index.png", 1000, 1400)
    assert index.console == []
    assert "index" in parse(screenshots.rendered_dom(pages["london-index"])).ids


def _charts(assessment, area):
    out = []
    for kind in ("trend", "monthly", "hotspots", "funnel", "ranking", "lorenz", "breakdown"):
        try:
            out.append(ss.plot.chart(assessment, kind, area))
        except ss.ParameterError as e:  # nothing to draw (no wards, one year): named as such
            if f"{kind} for" not in str(e):
                raise
    return out


def test_workbook_numbers_and_formats(london, tmp_path):
    (path,) = [p for p in london.write(tmp_path, ["xlsx"]) if p.suffix == ".xlsx"]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["index", "summary"]
    assert "data quality" in book.sheetnames
    summary = book["summary"]
    assert summary.freeze_panes == "A2"
    header = [c.value for c in summary[1]]
    assert header == london.summary.columns
    assert summary.cell(1, 1).font.b
    col = {name: i + 1 for i, name in enumerate(header)}
    # Every row's numbers equal the Assessment's frame (percentages stored as fractions).
    frame = london.summary
    for i, row in enumerate(frame.iter_rows(named=True)):
        r = i + 2
        assert summary.cell(r, col["area_code"]).value == row["area_code"]
        assert summary.cell(r, col["count"]).value == row["count"]
        if row["rate"] is not None:
            assert summary.cell(r, col["rate"]).value == pytest.approx(row["rate"], rel=1e-12)
        if row["pct_change"] is not None:
            got = summary.cell(r, col["pct_change"]).value
            assert got == pytest.approx(row["pct_change"] / 100, rel=1e-12)
        if row["p_value"] is not None:
            assert summary.cell(r, col["p_value"]).value == pytest.approx(row["p_value"])
    # Formats: thousands separators on counts, one decimal on rates, percentages, p-values;
    # years without a separator.
    r = 2
    assert summary.cell(r, col["count"]).number_format == "#,##0"
    assert summary.cell(r, col["rate"]).number_format == "#,##0.0"
    assert summary.cell(r, col["pct_change"]).number_format == "0.0%"
    assert summary.cell(r, col["p_value"]).number_format == "0.0000"
    assert summary.cell(r, col["population_year"]).number_format == "0"
    assert summary.cell(r, col["population"]).number_format == "#,##0"
    # Column widths are set.
    assert summary.column_dimensions["B"].width > 10
    # The index sheet: one row per area with the headline count and rate.
    index = book["index"]
    rows = list(index.iter_rows(values_only=True))
    head = next(i for i, row in enumerate(rows) if row[0] == "area_code")
    body = rows[head + 1 : head + 1 + len(london.areas)]
    totals = frame.filter(pl.col("group_kind") == "total")
    by_code = {row["area_code"]: row for row in totals.iter_rows(named=True)}
    assert len(body) == 32
    for row in body:
        assert row[2] == by_code[row[0]]["count"]
        assert row[3] == pytest.approx(by_code[row[0]]["rate"], rel=1e-12)
    # Every other table is a sheet of the same height.
    for name in ("trend", "breakdown", "seasonality", "anomalies"):
        sheet = book[name]
        assert sheet.max_row - 1 == getattr(london, name).height, name
    notes = [c.value for c in book["data quality"]["B"]][1:]
    assert notes == london.notes["note"].to_list()


def test_chart_functions_label_their_axes_and_marks(london, medway):
    brent = screenshots.BRENT
    checks = [
        (ss.plot.trend(london, brent), "Year", "Recorded crimes per 1,000 residents", 5),
        (ss.plot.monthly(london, brent), "Month", "Recorded crimes per month", 60 + 12),
        (ss.plot.funnel(london, brent), "Resident population", None, 32),
        (ss.plot.ranking(london, brent), None, "Area (rank by rate, 95% rank interval)", 32),
        (ss.plot.breakdown(london, brent), None, "Crime type", None),
        (ss.plot.hotspots(medway), "Recorded crimes", "Ward", 5),
        (ss.plot.lorenz(medway), "Wards, fewest crimes first (cumulative %)", None, None),
    ]
    for chart, x_label, y_label, marks in checks:
        if x_label:
            assert chart.x_label == x_label
        if y_label:
            assert chart.y_label == y_label
        if marks:
            assert chart.marks.height == marks, chart.id
        for text in (chart.title, chart.x_label, chart.y_label):
            assert text.replace("&", "&amp;") in chart.svg, (chart.id, text)
        assert "Open Government Licence v3.0" in chart.svg
        assert chart._repr_svg_() == chart.svg
        assert chart.id in chart._repr_html_()
        assert chart.marks.schema == pl.Schema(ss.plot.MARK_SCHEMA)
    funnel = ss.plot.funnel(london, brent)
    assert funnel.marks.filter("highlight")["label"].to_list() == ["Brent"]
    ranking = ss.plot.ranking(london, brent)
    rank = ranking.marks["highlight"].arg_true()[0] + 1
    assert f"{rank}" in ranking.marks.filter("highlight")["flag"][0]


def test_chart_errors_name_what_is_wrong(london, medway):
    with pytest.raises(ss.ParameterError, match="'area'"):
        ss.plot.trend(london)  # 32 areas: which?
    with pytest.raises(ss.ParameterError, match="group"):
        ss.plot.hotspots(london, screenshots.BRENT, group="asb")  # the MPS files have no ASB
    with pytest.raises(ss.ParameterError, match="trend for Medway"):
        ss.plot.trend(medway)  # 11 months
    with pytest.raises(ss.ParameterError, match="chart"):
        ss.plot.chart(medway, "pie")
    with pytest.raises(ss.ParameterError, match="group"):
        ss.plot.hotspots(medway, group="Piracy")


def test_repr_html_of_the_assessment_and_reports(medway):
    html = medway._repr_html_()
    assert "Strategic assessment" in html
    assert "<table" in html
    page = medway.to_html(medway.areas[0]["area_code"])
    assert 'id="all-recorded-crime"' in page
    assert "<svg" in page
    assert "<table" in medway.to_html()
