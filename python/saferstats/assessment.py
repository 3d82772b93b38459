"""The strategic assessment as the product: every table of every area in one call.

For each area and crime group ("All recorded crime excluding ASB", "Anti-social behaviour"
and each crime type) in the reporting period: the count and rate per 1,000 with 95% and
99.8% limits, rank among peers by count and by rate with rank intervals and the PHE
comparison with the peer average, the change on the same period a year earlier with its
test and verdict, the general trend (PHE trend marker and log-linear change), seasonality,
the crime-type breakdown with Wilson intervals, the top wards, and data-quality notes. The
computation is the Rust core's (``saferstats::assessment``): each frame function runs once on
all areas.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import polars as pl

from saferstats import _check
from saferstats import _saferstats as _rs

PathLike = Union[str, "os.PathLike[str]"]

TABLES = (
    "summary",
    "trend",
    "breakdown",
    "seasonality",
    "monthly",
    "anomalies",
    "hotspots",
    "hotspot_summary",
    "notes",
)


@dataclass(frozen=True)
class Assessment:
    """Every table of a strategic assessment for every area.

    ``data`` is the core's record (a dict: ``period``, ``source``, ``areas`` with one record
    per area, ``notes``, ``inputs``, ``spec``); each table is a polars frame with all areas.
    """

    data: dict[str, Any]
    summary: pl.DataFrame
    trend: pl.DataFrame
    breakdown: pl.DataFrame
    seasonality: pl.DataFrame
    monthly: pl.DataFrame
    anomalies: pl.DataFrame
    hotspots: pl.DataFrame
    hotspot_summary: pl.DataFrame
    notes: pl.DataFrame = field(repr=False)
    source: Optional[dict[str, Any]] = field(default=None, repr=False)

    @property
    def period(self) -> dict[str, Any]:
        """The reporting period (label, months covered, whether complete, ...)."""
        return self.data["period"]

    @property
    def areas(self) -> list[dict[str, Any]]:
        """One record per area assessed."""
        return self.data["areas"]

    def to_markdown(self, area: Optional[str] = None) -> str:
        """Markdown of one area (its code), or of the index followed by every area."""
        return _rs.assessment_markdown(self.data, area)

    def to_html(self, area: Optional[str] = None) -> str:
        """Return the self-contained HTML page of one area (its code) with its charts, or the index.

        The page has no scripts and no external resources; it prints to PDF. Element ids:
        ``all-recorded-crime`` (the headline table), ``chart-<kind>-<group>``, ``notes``.
        """
        return _rs.assessment_html(self.data, area)

    def write(
        self,
        folder: PathLike,
        formats: Sequence[str] = ("md", "csv", "json", "html", "xlsx"),
    ) -> list[Path]:
        """Write the assessment and ``manifest.json`` to ``folder``; returns the paths.

        ``formats``: ``md`` (a page per area and an index), ``csv`` (one combined table and
        the detail tables), ``json``, ``html`` (self-contained pages with charts, and an
        index) and ``xlsx`` (one workbook: an index sheet, a sheet per table, the data-quality
        notes).

        The manifest records every input file with its SHA-256, the spec and where the inputs
        came from, so :func:`reproduce` can re-run it and check every number.
        """
        written = _rs.assessment_write(self.data, os.fspath(folder), list(formats), self.source)
        return [Path(p) for p in written]

    def _repr_html_(self) -> str:
        p = self.period
        head = (
            f"<b>Strategic assessment</b>: {len(self.areas)} {html.escape(self.data['level'])} "
            f"areas, {html.escape(p['label'])} ({p['months_covered']} of "
            f"{p['months_expected']} months{'' if p['complete'] else ', partial'})"
        )
        cols = [
            c
            for c in (
                "area_name",
                "crime_group",
                "count",
                "rate",
                "lower_95",
                "upper_95",
                "rank_rate",
                "peers",
                "vs_benchmark_95",
                "verdict",
                "trend",
            )
            if c in self.summary.columns
        ]
        headline = self.summary.filter(pl.col("group_kind") != "crime_type").select(cols)
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.data["notes"])
        return f"{head}{headline._repr_html_()}<ul>{notes}</ul>"


def assessment(
    *,
    police_uk: Optional[Union[PathLike, Sequence[PathLike]]] = None,
    lookup: Optional[PathLike] = None,
    lad_lookup: Optional[PathLike] = None,
    counts: Optional[PathLike] = None,
    counts_area_column: Optional[str] = None,
    counts_category_column: Optional[str] = None,
    ward_counts: Optional[PathLike] = None,
    population: Optional[PathLike] = None,
    example: Optional[str] = None,
    level: str = "csp",
    areas: Optional[Sequence[str]] = None,
    period: str = "latest",
    peers: Union[str, Sequence[str]] = "all",
    crime_types: Optional[Sequence[str]] = None,
    confidence: float = 0.95,
    annualise: bool = False,
    trend_years: int = 5,
    top: int = 5,
    simulations: int = 1000,
    seed: int = 2015,
) -> Assessment:
    """Compute the strategic-assessment tables of every area.

    Give ``police_uk`` (street-level files or folders) with ``lookup`` and ``lad_lookup``, or
    ``counts`` (a wide monthly counts table such as the MPS borough file) with an optional
    ``lad_lookup`` and an optional ``ward_counts`` (counts by ward, such as the MPS ward file,
    for the hotspots; when its months do not cover the reporting period its own latest twelve
    months are used, and the notes say so); both need ``population`` (ONS mid-year estimates
    by local authority). Or ``example="medway-2014"`` or ``example="london-mps"`` (the 32
    London borough CSPs) for the bundled data. ``period`` is ``"latest"`` (the latest complete
    financial year in the data; without one, the latest complete calendar year; without
    either, the year the data cover most, flagged partial), ``"2022/23"``, ``"2014"`` or
    ``"year ending Mar 2023"``; ``peers`` is ``"all"`` (the areas assessed), ``"force"`` or a
    list of area codes.

    Errors name what is wrong: ``ParameterError`` for a missing key, an unknown area or crime
    type, or an area without a population estimate; ``InputFileError`` for a file that does
    not exist; ``InsufficientDataError`` for a period the data do not cover.

    Examples
    --------
    >>> a = assessment(example="medway-2014")
    >>> a.period["label"], a.period["complete"]
    ('2014', False)
    >>> a.summary.filter(group_kind="total").select("area_name", "count").row(0)
    ('Medway', 16520)
    >>> "| **Level of crime** |" in a.to_markdown("E22000143")
    True

    """
    inputs: dict[str, Any] = {}
    if police_uk is not None:
        inputs["police_uk"] = _check.paths("police_uk", police_uk)
    for key, value in (
        ("lookup", lookup),
        ("lad_lookup", lad_lookup),
        ("counts", counts),
        ("ward_counts", ward_counts),
        ("population", population),
    ):
        if value is not None:
            inputs[key] = _check.path(key, value)
    if counts_area_column is not None:
        inputs["counts_area_column"] = counts_area_column
    if counts_category_column is not None:
        inputs["counts_category_column"] = counts_category_column
    spec: dict[str, Any] = {
        "level": level,
        "areas": [] if areas is None else _check.texts("areas", areas, what="area codes"),
        "period": period,
        "peers": peers if isinstance(peers, str) else _check.texts("peers", peers),
        "crime_types": None if crime_types is None else _check.texts("crime_types", crime_types),
        "confidence": _check.number("confidence", confidence),
        "annualise": bool(annualise),
        "trend_years": _check.integer("trend_years", trend_years, min=0, max=_check.U32_MAX),
        "top": _check.integer("top", top, min=0, max=_check.U64_MAX),
        "simulations": _check.integer("simulations", simulations, min=0, max=_check.U64_MAX),
        "seed": _check.integer("seed", seed, min=0, max=_check.U64_MAX),
    }
    data, tables = _rs.assessment(None if example else inputs, spec, example)
    frames = dict(tables)
    missing = [t for t in TABLES if t not in frames]
    if missing:
        raise _rs.InternalError(f"assessment: the core returned no table {missing}")
    source = {"example": example.replace("_", "-")} if example else {"paths": inputs}
    return Assessment(data=data, source=source, **{t: frames[t] for t in TABLES})


def reproduce(manifest: PathLike, out: PathLike) -> dict[str, Any]:
    """Re-run the assessment recorded in ``manifest`` (a ``manifest.json``) into ``out``.

    Returns the core's report: ``inputs_changed`` (each input whose bytes changed, is gone or
    is new), ``outputs_compared``, ``outputs_identical``, ``outputs_differing`` and
    ``outputs_unmatched``; every number matches when the first and the last two are empty
    and all outputs are identical.

    Examples
    --------
    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = assessment(example="medway-2014").write(tmp / "first", ["csv"])
    >>> r = reproduce(tmp / "first" / "manifest.json", tmp / "again")
    >>> r["inputs_changed"], r["outputs_differing"], r["outputs_identical"] == r["outputs_compared"]
    ([], [], True)

    """
    return _rs.assessment_reproduce(os.fspath(manifest), os.fspath(out))
