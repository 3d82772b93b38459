"""Counts per area, group and period on the complete grid (zeros included)."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Union

import polars as pl

from saferstats import _check
from saferstats import _saferstats as _rs
from saferstats._frames import as_month_dates, as_strings, normalise, require_columns, to_polars
from saferstats._reports import CountReport
from saferstats._results import CountResult, table_result
from saferstats._typing import Level, Period
from saferstats.readers import Geography, PoliceUkData

#: Crime type to group: anti-social behaviour alone, every other published category as
#: "All crime excluding ASB".
ALL_CRIME_EXCLUDING_ASB: dict[str, str] = dict(_rs.all_crime_excluding_asb())


def counts(
    crimes: Union[PoliceUkData, Any],
    geography: Union[Geography, Any],
    *,
    level: Level = "ward",
    by: Sequence[str] = (),
    period: Period = "month",
    coverage: Optional[Sequence[str]] = None,
) -> CountResult:
    """Count crimes per area, group and period, on the complete grid.

    Every area of ``level`` in ``geography`` appears for every group and every period, with
    zeros. Rows without an LSOA, or with an LSOA outside the geography, are reported in
    ``report``, never lost. Each period has ``months_expected``, ``months_covered`` and
    ``complete``: a partial period is flagged, so it is not compared with full ones by mistake.
    When ``crimes`` is :class:`PoliceUkData` whose read report lists under-published
    force-months, the table also has ``months_under_published`` (per row, the months of its
    period a force in the area under-published), and rates, change and seasonality flag the
    rows that use them.

    Parameters
    ----------
    crimes
        :class:`PoliceUkData` (its months covered are used as the coverage), or a polars or
        pandas frame with ``month`` (Date, Datetime or ``YYYY-MM`` text), ``lsoa_code`` and
        the ``by`` columns.
    geography
        A :class:`Geography` (or its ``table``); filter it to the areas you report on.
    level
        ``lsoa``, ``ward``, ``lad``, ``csp`` or ``force``.
    by
        Extra grouping columns, e.g. ``["crime_type"]``.
    period
        ``month``, ``quarter``, ``calendar_year``, ``financial_year`` (April-March, "2014/15")
        or ``rolling12`` ("year ending Mar 2015", for display).
    coverage
        Months (``YYYY-MM``) the data covers, as a list (even of one month: ``["2014-01"]``);
        default: the read report's months, or the months present in ``crimes``.

    Examples
    --------
    >>> from saferstats.datasets import medway_2014
    >>> medway = medway_2014()
    >>> result = counts(medway.crimes, medway.geography, level="ward",
    ...                 by=["crime_type"], period="calendar_year")
    >>> result.table.height  # 22 wards x 14 crime types x 1 year
    308
    >>> result.table["count"].sum() == medway.crimes.report.rows_kept
    True
    >>> result.table.select("period", "months_covered", "complete").row(0)
    ('2014', 11, False)

    """
    under_published: list[dict[str, Any]] = []
    if isinstance(crimes, PoliceUkData):
        if coverage is None:
            coverage = crimes.report.months_covered
        # Force-months the reader found under-published: the table gains
        # ``months_under_published`` and rates, change and seasonality flag those rows.
        under_published = list(crimes.report.under_published)
        frame = crimes.crimes
    else:
        frame = to_polars(crimes, "crimes")
    if isinstance(geography, Geography):
        geo, vintage = normalise(geography.table, "geography"), geography.vintage
    else:
        geo, vintage = to_polars(geography, "geography"), ""
    by = _check.texts("by", by, what="column names")
    level = _rs.canonical("level", _check.text("level", level))
    keep = ["month", "lsoa_code", *by]
    if under_published and "falls_within" not in by:
        keep.append("falls_within")
    require_columns(frame, keep, "crimes")
    frame = as_month_dates(as_strings(frame.select(keep), keep[1:]))
    require_columns(geo, ["lsoa_code", f"{level}_code"], "geography")
    geo_cols = [c for c in geo.columns if c.endswith(("_code", "_name"))]
    geo = as_strings(geo.select(geo_cols), geo_cols)
    if coverage is not None:
        coverage = _check.texts("coverage", coverage, what="months (YYYY-MM)")
    spec = {
        "level": level,
        "by": by,
        "period": _check.text("period", period),
        "coverage": coverage,
        "under_published": under_published,
    }
    return table_result(CountResult, CountReport, _rs.counts(frame, geo, vintage, spec))


def map_categories(
    crimes: Any,
    mapping: Mapping[str, str] = ALL_CRIME_EXCLUDING_ASB,
    *,
    column: str = "crime_type",
    out: str = "crime_group",
    default_group: Optional[str] = None,
) -> pl.DataFrame:
    """Add a reporting-group column from a crime-type mapping.

    ``mapping`` is a dict from crime type to group. A crime type missing from it is a
    :class:`ParameterError` listing the missing types, unless ``default_group`` is given.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"crime_type": ["Burglary", "Anti-social behaviour"]})
    >>> map_categories(frame)["crime_group"].to_list()
    ['All crime excluding ASB', 'Anti-social behaviour']
    >>> mapped = map_categories(frame, {"Burglary": "Acquisitive"}, default_group="Other")
    >>> mapped["crime_group"].to_list()
    ['Acquisitive', 'Other']

    """
    frame = to_polars(crimes, "crimes")
    require_columns(frame, [_check.text("column", column)], "crimes")
    frame = frame.with_columns(pl.col(column).cast(pl.String))
    groups = _rs.map_categories(
        frame.select(column),
        _check.mapping("mapping", mapping),
        column,
        _check.text("out", out),
        None if default_group is None else _check.text("default_group", default_group),
    )
    return frame.with_columns(groups[out])
