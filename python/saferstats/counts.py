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
    frame, geo, vintage, specs = _prepare(
        crimes, geography, [{"level": level, "by": by, "period": period}], coverage
    )
    return table_result(CountResult, CountReport, _rs.counts(frame, geo, vintage, specs[0]))


def counts_many(
    crimes: Union[PoliceUkData, Any],
    geography: Union[Geography, Any],
    tables: Mapping[str, Mapping[str, Any]],
    *,
    coverage: Optional[Sequence[str]] = None,
) -> dict[str, CountResult]:
    """Count several tables from the same crimes: each as :func:`counts`, the rows placed once.

    ``tables`` maps a name to the keyword arguments of one table (``level``, ``by``,
    ``period``). The crimes are joined to the geography once for all of them (the core's
    ``PreparedCrimes``), which is most of the work of a count; the results are those of
    :func:`counts` called table by table.

    Examples
    --------
    >>> from saferstats.datasets import medway_2014
    >>> medway = medway_2014()
    >>> out = counts_many(medway.crimes, medway.geography, {
    ...     "wards": {"level": "ward", "period": "quarter"},
    ...     "types": {"level": "lad", "by": ["crime_type"], "period": "calendar_year"},
    ... })
    >>> out["wards"].table.equals(
    ...     counts(medway.crimes, medway.geography, level="ward", period="quarter").table)
    True
    >>> out["types"].table.height  # 1 local authority x 14 crime types x 1 year
    14

    """
    if not isinstance(tables, Mapping) or not tables:
        raise _rs.ParameterError("'tables': give a non-empty mapping of name to table options")
    names = list(tables)
    options = []
    for name in names:
        t = tables[name]
        if not isinstance(t, Mapping) or not set(t) <= {"level", "by", "period"}:
            raise _rs.ParameterError(
                f"'tables': {name!r} must map to options among level, by and period"
            )
        options.append(
            {
                "level": t.get("level", "ward"),
                "by": t.get("by", ()),
                "period": t.get("period", "month"),
            }
        )
    frame, geo, vintage, specs = _prepare(crimes, geography, options, coverage)
    results = _rs.counts_many(frame, geo, vintage, specs)
    return {name: table_result(CountResult, CountReport, out) for name, out in zip(names, results)}


def _prepare(
    crimes: Union[PoliceUkData, Any],
    geography: Union[Geography, Any],
    options: list[dict[str, Any]],
    coverage: Optional[Sequence[str]],
) -> tuple[pl.DataFrame, pl.DataFrame, str, list[dict[str, Any]]]:
    """Check and normalise the inputs of one or more count tables (one frame for all)."""
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
    specs = []
    keep = ["month", "lsoa_code"]
    levels = []
    for o in options:
        by = _check.texts("by", o["by"], what="column names")
        level = _rs.canonical("level", _check.text("level", o["level"]))
        levels.append(level)
        keep.extend(c for c in by if c not in keep)
        specs.append({"level": level, "by": by, "period": _check.text("period", o["period"])})
    if under_published and "falls_within" not in keep:
        keep.append("falls_within")
    require_columns(frame, keep, "crimes")
    frame = as_month_dates(as_strings(frame.select(keep), keep[1:]))
    require_columns(geo, ["lsoa_code", *{f"{level}_code" for level in levels}], "geography")
    geo_cols = [c for c in geo.columns if c.endswith(("_code", "_name"))]
    geo = as_strings(geo.select(geo_cols), geo_cols)
    if coverage is not None:
        coverage = _check.texts("coverage", coverage, what="months (YYYY-MM)")
    for spec in specs:
        spec["coverage"] = coverage
        spec["under_published"] = under_published
    return frame, geo, vintage, specs


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
