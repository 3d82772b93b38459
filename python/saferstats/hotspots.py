"""Hotspots and concentration: rankings, top-N shares, Gini family, share changes, grid Gi*."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import polars as pl

from saferstats import _saferstats as _rs
from saferstats._frames import to_polars
from saferstats.counts import CountResult
from saferstats.readers import PoliceUkData


@dataclass(frozen=True)
class HotspotResult:
    """``ranking`` (one row per group and area) and ``summary`` (one row per group)."""

    ranking: pl.DataFrame
    summary: pl.DataFrame


def _frame(obj: Any, name: str) -> pl.DataFrame:
    if isinstance(obj, CountResult):
        return obj.table
    if isinstance(obj, PoliceUkData):
        return obj.crimes
    return to_polars(obj, name)


def hotspots(
    counts: Union[CountResult, Any],
    *,
    previous: Union[CountResult, Any, None] = None,
    top: int = 5,
    keys: Optional[Sequence[str]] = None,
) -> HotspotResult:
    """Rank areas and measure concentration in every group (e.g. crime type x period).

    Ranking: by count, ties broken by area code (so the result never depends on row order).
    Summary per group: ``top_areas``, ``top_share`` ("these wards account for 48%"),
    ``share_of_previous_top`` (the share now held by the previous period's top N, which is
    not inflated by regression to the mean; needs ``previous``), ``poisson_null_share`` (what
    the top N would hold if every area had the same rate), the number and fraction of areas
    holding 25% and 50% of incidents, and the Gini family: standard, small-sample corrected,
    generalised for sparse data (Bernasco & Steenbeek 2017) and Poisson-baseline.

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
    prev = _frame(previous, "previous") if previous is not None else None
    ranking, summary = _rs.hotspots(
        _frame(counts, "counts"), prev, int(top), list(keys) if keys else None
    )
    return HotspotResult(ranking=ranking, summary=summary)


def lorenz(
    counts: Union[CountResult, Any], *, keys: Optional[Sequence[str]] = None
) -> pl.DataFrame:
    """Lorenz curve points per group: ``area_share`` and ``incident_share`` from (0, 0).

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"area_code": ["a", "b", "c", "d"], "count": [0, 0, 1, 3]})
    >>> lorenz(t)["incident_share"].to_list()
    [0.0, 0.0, 0.0, 0.25, 1.0]

    """
    return _rs.lorenz(_frame(counts, "counts"), list(keys) if keys else None)


def persistence(
    counts: Union[CountResult, Any], *, top: int = 5, keys: Optional[Sequence[str]] = None
) -> pl.DataFrame:
    """How many periods each area spends in the top N (``periods_in_top``, ``fraction_in_top``)."""
    return _rs.persistence(_frame(counts, "counts"), int(top), list(keys) if keys else None)


def share_change(
    before: Union[CountResult, Any], after: Union[CountResult, Any], *, test: str = "chi2"
) -> pl.DataFrame:
    """Has each area's share of incidents changed? (Wheeler, Steenbeek & Andresen 2018).

    Per area a 2x2 test (``"chi2"``: Pearson with the N-1 correction; ``"fisher"``: Fisher's
    exact), Benjamini-Yekutieli adjusted within each group, ``s_index`` +1/-1/0 and the
    group's robust similarity index.
    """
    return _rs.share_change(_frame(before, "before"), _frame(after, "after"), test)


def grid_hotspots(
    crimes: Union[PoliceUkData, Any],
    *,
    cell_size: float = 250.0,
    distance_band: Optional[float] = None,
    fdr: str = "none",
    max_cells: int = 2_000_000,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Getis-Ord Gi* on a British National Grid from police.uk longitudes and latitudes.

    Points are projected to EPSG:27700 and counted in ``cell_size`` metre cells; Gi* uses
    binary weights with the cell itself included, queen neighbours (default) or a distance
    band in metres, two-sided p-values, optionally FDR-adjusted (``"bh"``, ``"by"``). Rows
    without coordinates or outside Great Britain are reported, not lost. police.uk snaps
    locations to anonymous map points, so fine grids partly map the snapping.

    Returns the cells table and a report (points used, without coordinates, outside GB).
    """
    table, report = _rs.grid_hotspots(
        _frame(crimes, "crimes"), float(cell_size), distance_band, fdr, int(max_cells)
    )
    return table, json.loads(report)
