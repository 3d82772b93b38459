"""Charts of an assessment for notebooks: the same charts as the HTML report, drawn by the core.

One function per chart. Each returns a :class:`Chart`, which Jupyter displays as SVG; its
``marks`` frame holds the data drawn (one row per point, bar or month, with its interval), so a
chart can be restyled in any plotting library from the same numbers. The chart's data are
computed once, in the Rust core (``Assessment::chart``); nothing here recomputes them.

Every chart carries its title, the area and period, axis labels with units, the source and
licence, and notes on the method (interval, test, verdict).
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

import polars as pl

from saferstats import _saferstats as _rs
from saferstats.assessment import Assessment

PathLike = Union[str, "os.PathLike[str]"]

MARK_SCHEMA = {
    "series": pl.String,
    "label": pl.String,
    "x": pl.Float64,
    "y": pl.Float64,
    "lower": pl.Float64,
    "upper": pl.Float64,
    "highlight": pl.Boolean,
    "flag": pl.String,
}


@dataclass(frozen=True)
class Chart:
    """One chart: the SVG, its labels, and the marks it draws as a polars frame.

    ``marks`` has columns ``series``, ``label``, ``x``, ``y``, ``lower``, ``upper``,
    ``highlight`` (the area itself, or an anomalous month) and ``flag``; ``lines`` holds the
    reference lines (name, points, style).
    """

    kind: str
    id: str
    title: str
    subtitle: str
    x_label: str
    y_label: str
    source: str
    notes: list[str]
    marks: pl.DataFrame
    lines: list[dict[str, Any]] = field(repr=False)
    svg: str = field(repr=False)

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        notes = html.escape(" ".join(self.notes))
        return f'<figure id="{self.id}">{self.svg}<figcaption>{notes}</figcaption></figure>'

    def save(self, path: PathLike) -> Path:
        """Write the chart as an SVG file; returns its path."""
        path = Path(path)
        path.write_text(self.svg, encoding="utf-8")
        return path


def _area(assessment: Assessment, area: Optional[str]) -> str:
    if area is not None:
        return area
    codes = [a["area_code"] for a in assessment.areas]
    if len(codes) == 1:
        return codes[0]
    raise _rs.ParameterError(
        f"'area': the assessment has {len(codes)} areas; name one (e.g. area={codes[0]!r})"
    )


def chart(
    assessment: Assessment, kind: str, area: Optional[str] = None, group: Optional[str] = None
) -> Chart:
    """Draw chart ``kind`` of ``area`` (its code; optional when the assessment has one area).

    ``kind`` is ``trend``, ``monthly``, ``breakdown``, ``hotspots``, ``funnel``, ``ranking`` or
    ``lorenz``; ``group`` a crime group (``"asb"`` for anti-social behaviour, a crime type's
    name, or ``None`` for all recorded crime excluding ASB).

    Raises
    ------
    ParameterError
        Naming ``area``, ``group`` or ``chart`` (with the reason, e.g. no ward-level data for
        hotspots, or one year of data for a trend).

    Examples
    --------
    >>> import saferstats as ss
    >>> a = ss.assessment(example="medway-2014")
    >>> c = ss.plot.chart(a, "hotspots")
    >>> c.y_label, c.marks.height
    ('Ward', 5)

    """
    data, svg = _rs.assessment_chart(assessment.data, _area(assessment, area), kind, group)
    marks = pl.DataFrame(data["marks"], schema=MARK_SCHEMA, orient="row")
    return Chart(
        kind=data["kind"],
        id=data["id"],
        title=data["title"],
        subtitle=data["subtitle"],
        x_label=data["x_label"],
        y_label=data["y_label"],
        source=data["source"],
        notes=list(data["notes"]),
        marks=marks,
        lines=list(data["lines"]),
        svg=svg,
    )


def trend(assessment: Assessment, area: Optional[str] = None, group: Optional[str] = None) -> Chart:
    """Draw the general trend: the annual rate per 1,000 (or count) with its 95% band.

    Examples
    --------
    >>> import saferstats as ss
    >>> a = ss.assessment(example="london-mps", areas=["E22000189"])
    >>> c = ss.plot.trend(a)
    >>> c.marks.height, c.x_label
    (5, 'Year')

    """
    return chart(assessment, "trend", area, group)


def monthly(
    assessment: Assessment, area: Optional[str] = None, group: Optional[str] = None
) -> Chart:
    """Draw the monthly series, anomalous months marked, above the STL seasonal profile.

    Examples
    --------
    >>> import saferstats as ss
    >>> a = ss.assessment(example="london-mps", areas=["E22000189"])
    >>> c = ss.plot.monthly(a)
    >>> c.marks.filter(series="profile").height
    12

    """
    return chart(assessment, "monthly", area, group)


def breakdown(assessment: Assessment, area: Optional[str] = None) -> Chart:
    """Draw each crime type's share of crime excluding ASB, with 95% Wilson intervals.

    Examples
    --------
    >>> import saferstats as ss
    >>> a = ss.assessment(example="medway-2014")
    >>> ss.plot.breakdown(a).marks.select("label", "y").head(1)["label"][0]
    'Violence and sexual offences'

    """
    return chart(assessment, "breakdown", area, None)


def hotspots(
    assessment: Assessment, area: Optional[str] = None, group: Optional[str] = None
) -> Chart:
    """Draw the top wards' counts with 95% intervals (Byar; exact Poisson below 10).

    Examples
    --------
    >>> import saferstats as ss
    >>> a = ss.assessment(example="medway-2014")
    >>> ss.plot.hotspots(a, group="asb").title
    'Anti-social behaviour: top 5 wards'

    """
    return chart(assessment, "hotspots", area, group)


def funnel(
    assessment: Assessment, area: Optional[str] = None, group: Optional[str] = None
) -> Chart:
    """Draw rate against population for every peer, with PHE funnel limits (the funnel plot).

    Examples
    --------
    >>> import saferstats as ss
    >>> a = ss.assessment(example="london-mps")
    >>> c = ss.plot.funnel(a, area="E22000189")
    >>> c.marks.height, c.marks.filter("highlight")["label"][0]
    (32, 'Brent')

    """
    return chart(assessment, "funnel", area, group)


def ranking(
    assessment: Assessment, area: Optional[str] = None, group: Optional[str] = None
) -> Chart:
    """Draw the peers ranked by rate, with each rate's interval and its rank interval.

    Examples
    --------
    >>> import saferstats as ss
    >>> a = ss.assessment(example="london-mps")
    >>> c = ss.plot.ranking(a, area="E22000189")
    >>> c.marks["y"].is_sorted(descending=True)
    True

    """
    return chart(assessment, "ranking", area, group)


def lorenz(
    assessment: Assessment, area: Optional[str] = None, group: Optional[str] = None
) -> Chart:
    """Draw the Lorenz curve of the area's wards, with equality and the Poisson expectation.

    Examples
    --------
    >>> import saferstats as ss
    >>> a = ss.assessment(example="medway-2014")
    >>> c = ss.plot.lorenz(a)
    >>> c.marks["y"].to_list()[-1], len(c.lines)
    (100.0, 2)

    """
    return chart(assessment, "lorenz", area, group)


__all__ = [
    "Chart",
    "breakdown",
    "chart",
    "funnel",
    "hotspots",
    "lorenz",
    "monthly",
    "ranking",
    "trend",
]
