"""Hotspots and concentration: rankings, top-N shares, Gini family, share changes, grid Gi*."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from saferstats import _check
from saferstats import _saferstats as _rs
from saferstats._frames import table_and_keys, to_polars
from saferstats._reports import GridReport, HotspotReport
from saferstats._results import (
    CountResult,
    GridResult,
    HotspotResult,
    LorenzResult,
    PersistenceResult,
    ShareChangeResult,
    table_result,
)
from saferstats._typing import FdrAdjust, ShareTestName
from saferstats.readers import PoliceUkData


def _top(top: int) -> int:
    return _check.integer("top", top, min=1, max=_check.U64_MAX)


def hotspots(
    counts: Union[CountResult, Any],
    *,
    previous: Union[CountResult, Any, None] = None,
    top: int = 5,
    keys: Optional[Sequence[str]] = None,
    poisson_null: bool = True,
) -> HotspotResult:
    """Rank areas and measure concentration in every group (e.g. crime type x period).

    Ranking: by count, ties broken by area code (so the result never depends on row order).
    Summary per group: ``top_areas``, ``top_share`` ("these wards account for 48%"),
    ``share_of_previous_top`` (the share now held by the previous period's top N, which is
    not inflated by regression to the mean; needs ``previous``), ``poisson_null_share`` (what
    the top N would hold if every area had the same expected count), the number and fraction
    of areas holding 25% and 50% of incidents, and the Gini family: standard, small-sample
    corrected, generalised for sparse data (Bernasco & Steenbeek 2017) and Poisson-baseline.

    ``poisson_null=False`` skips ``poisson_null_share`` and ``gini_poisson_baseline`` (left
    null): their exact expected order statistics cost time that grows with the counts, about
    0.1 ms a group at a few hundred crimes per area.

    Examples
    --------
    >>> import polars as pl
    >>> import saferstats as ss
    >>> medway = ss.datasets.medway_2014()
    >>> c = ss.counts(medway.crimes, medway.geography, level="ward", by=["crime_type"],
    ...               period="calendar_year")
    >>> asb = c.table.filter(pl.col("crime_type") == "Anti-social behaviour")
    >>> h = hotspots(asb, top=5)
    >>> h.ranking.filter(pl.col("in_top")).sort("rank")["area_name"].to_list()
    ['River', 'Gillingham North', 'Gillingham South', 'Luton and Wayfield', 'Chatham Central']

    """
    frame, keys = table_and_keys(counts, "counts", keys)
    prev = table_and_keys(previous, "previous")[0] if previous is not None else None
    spec = {"top": _top(top), "keys": keys, "poisson_null": bool(poisson_null)}
    ranking, summary, report = _rs.hotspots(frame, prev, spec)
    return HotspotResult(ranking=ranking, summary=summary, report=HotspotReport.from_core(report))


def lorenz(
    counts: Union[CountResult, Any], *, keys: Optional[Sequence[str]] = None
) -> LorenzResult:
    """Lorenz curve points per group: ``area_share`` and ``incident_share`` from (0, 0).

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"area_code": ["a", "b", "c", "d"], "count": [0, 0, 1, 3]})
    >>> lorenz(t).table["incident_share"].to_list()
    [0.0, 0.0, 0.0, 0.25, 1.0]

    """
    frame, keys = table_and_keys(counts, "counts", keys)
    return table_result(LorenzResult, HotspotReport, _rs.lorenz(frame, {"keys": keys}))


def persistence(
    counts: Union[CountResult, Any], *, top: int = 5, keys: Optional[Sequence[str]] = None
) -> PersistenceResult:
    """How many periods each area spends in the top N (``periods_in_top``, ``fraction_in_top``)."""
    frame, keys = table_and_keys(counts, "counts", keys)
    spec = {"top": _top(top), "keys": keys}
    return table_result(PersistenceResult, HotspotReport, _rs.persistence(frame, spec))


def share_change(
    before: Union[CountResult, Any],
    after: Union[CountResult, Any],
    *,
    test: ShareTestName = "chi2",
    keys: Optional[Sequence[str]] = None,
) -> ShareChangeResult:
    """Has each area's share of incidents changed? (Wheeler, Steenbeek & Andresen 2018).

    Per area a 2x2 test (``"chi2"``: Pearson with the N-1 correction; ``"fisher"``: Fisher's
    exact), Benjamini-Yekutieli adjusted within each group, ``s_index`` +1/-1/0 and the
    group's robust similarity index.
    """
    b, keys = table_and_keys(before, "before", keys)
    a, _ = table_and_keys(after, "after", keys)
    spec = {"keys": keys, "test": _check.text("test", test)}
    return table_result(ShareChangeResult, HotspotReport, _rs.share_change(b, a, spec))


def grid_hotspots(
    crimes: Union[PoliceUkData, Any],
    *,
    cell_size: float = 250.0,
    distance_band: Optional[float] = None,
    fdr: FdrAdjust = "none",
    max_cells: int = 2_000_000,
) -> GridResult:
    """Getis-Ord Gi* on a British National Grid from police.uk longitudes and latitudes.

    Points are projected to EPSG:27700 and counted in ``cell_size`` metre cells; Gi* uses
    binary weights with the cell itself included, queen neighbours (default) or a distance
    band in metres, two-sided p-values, optionally FDR-adjusted (``"bh"``, ``"by"``). Rows
    without coordinates or outside Great Britain are reported, not lost. police.uk snaps
    locations to anonymous map points, so fine grids partly map the snapping. A grid that
    would need more than ``max_cells`` cells (a whole number of 1 or more) is a
    :class:`ParameterError` naming ``max_cells``.

    Returns the cells table and a report (points used, without coordinates, outside GB).
    """
    frame = crimes.crimes if isinstance(crimes, PoliceUkData) else to_polars(crimes, "crimes")
    neighbours: Any = "queen"
    if distance_band is not None:
        neighbours = {"distance_band": _check.number("distance_band", distance_band)}
    spec = {
        "cell_size": _check.number("cell_size", cell_size),
        "neighbours": neighbours,
        "fdr": _check.text("fdr", fdr),
        "max_cells": _check.integer("max_cells", max_cells, min=1, max=_check.U64_MAX),
    }
    return table_result(GridResult, GridReport, _rs.grid_hotspots(frame, spec))
