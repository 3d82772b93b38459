"""Readers for data.police.uk street-level files and ONS lookups and population estimates.

Each reader is a thin wrapper over the Rust core; see the crate docs for the formats handled.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Sequence, Union

import polars as pl

from saferstats import _check
from saferstats import _saferstats as _rs
from saferstats._reports import ReadReport
from saferstats._typing import Handling, Level

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class PoliceUkData:
    """Street-level crimes: kept rows, set-aside rows (with ``reason``), and the report."""

    crimes: pl.DataFrame
    set_aside: pl.DataFrame
    report: ReadReport

    def _repr_html_(self) -> str:
        return (
            f"<b>police.uk street records</b>: {self.crimes.height:,} kept, "
            f"{self.set_aside.height:,} set aside<br>{self.report._repr_html_()}"
        )


def _police_uk_data(parts: tuple[Any, Any, dict[str, Any]]) -> PoliceUkData:
    crimes, set_aside, report = parts
    return PoliceUkData(crimes=crimes, set_aside=set_aside, report=ReadReport.from_core(report))


def read_options(
    no_location: Handling, duplicate_crime_id: Handling, unknown_crime_type: Handling
) -> dict[str, str]:
    """Return the core's read options (the core checks them: unknown words are errors)."""
    return {
        "no_location": no_location,
        "duplicate_crime_id": duplicate_crime_id,
        "unknown_crime_type": unknown_crime_type,
    }


def read_police_uk(
    paths: Union[PathLike, Iterable[PathLike]],
    *,
    no_location: Handling = "keep",
    duplicate_crime_id: Handling = "set_aside",
    unknown_crime_type: Handling = "keep",
    cache_dir: Optional[PathLike] = None,
) -> PoliceUkData:
    """Read data.police.uk street-level CSV files.

    Parameters
    ----------
    paths
        A file, a folder (every ``*-street.csv`` / ``*-street.csv.gz`` below it), a glob, or
        a list of these. Plain and gzipped files, CRLF or LF, any number of months and forces.
    no_location, duplicate_crime_id, unknown_crime_type
        ``"keep"`` (flag the row in a boolean column of the same name) or ``"set_aside"``
        (move it to ``set_aside`` with its ``reason``). Defaults keep "No Location" rows and
        unknown crime types, and set aside a Crime ID already seen in an earlier month.
    cache_dir
        A folder (created if needed) for the read cache: each file parsed is stored there as
        Arrow IPC and read back instead of parsed while its path, size, 128-bit hash of its
        bytes and the saferstats version are unchanged; any other file is parsed again and its
        entry replaced, so an entry is never served stale. ``report.cache`` counts hits,
        misses and stale entries. Default: no cache.

    Returns
    -------
    PoliceUkData
        ``crimes`` (``month`` is a Date), ``set_aside`` and a :class:`ReadReport`.

    Raises
    ------
    DataError
        Malformed month, non-numeric coordinates, truncated gzip, empty file, non-UTF-8 bytes:
        the message names the file, line and column.
    ColumnError
        Not a street-level file, or a column is missing.
    InputFileError
        No such file or folder, or a glob matching nothing.
    ParameterError
        ``paths`` is not a path or a list of paths, or an option is not a known word.

    Examples
    --------
    >>> import saferstats
    >>> from saferstats.datasets import medway_2014_folder
    >>> data = saferstats.read_police_uk(medway_2014_folder())
    >>> data.report.rows_read == data.report.rows_kept + data.report.rows_set_aside
    True
    >>> data.report.rows_read
    25118
    >>> data.crimes.schema["month"]
    Date

    """
    names = _check.paths("paths", paths)
    options: dict[str, Any] = dict(
        read_options(no_location, duplicate_crime_id, unknown_crime_type)
    )
    if cache_dir is not None:
        options["cache_dir"] = _check.path("cache_dir", cache_dir)
    return _police_uk_data(_rs.read_police_uk(names, options))


@dataclass(frozen=True)
class Lookup:
    """An ONS lookup with its detected ``kind`` and ``vintage`` (e.g. ``LSOA11/WD19/LAD19``)."""

    table: pl.DataFrame
    kind: str
    vintage: str
    source: str


def read_lookup(path: PathLike) -> Lookup:
    """Read an ONS geography lookup and detect its shape and vintage from the header.

    Recognised: LSOA to ward to local authority (``LSOA11CD, WD19CD, LAD19CD``, or
    ``lsoa21_code, ward24_code, ltla24_code``), local authority to CSP to police force
    (``LAD23CD, CSP23CD, PFA23CD``), and LSOA 2011 to LSOA 2021. Any other header is a
    :class:`ColumnError` that shows it; a ``path`` that is not a path (e.g. ``None``) is a
    :class:`ParameterError`.

    Examples
    --------
    >>> from saferstats.datasets import medway_2014_folder
    >>> lk = read_lookup(medway_2014_folder() / "lookup_lsoa11_wd19_lad19_medway.csv")
    >>> (lk.kind, lk.vintage, lk.table.height)
    ('lsoa_ward_lad', 'LSOA11/WD19/LAD19', 163)

    """
    table, kind, vintage, source = _rs.read_lookup(_check.path("path", path))
    return Lookup(table=table, kind=kind, vintage=vintage, source=source)


@dataclass(frozen=True)
class Geography:
    """One row per LSOA with ward, local authority, CSP and force codes and names."""

    table: pl.DataFrame
    vintage: str
    unmatched_lads: list[str]
    ambiguous_lads: list[str] = field(default_factory=list)

    def filter(self, level: Level, codes: Union[str, Sequence[str]]) -> Geography:
        """Keep the LSOAs whose ``level`` code is in ``codes`` (one code or a list of codes).

        Examples
        --------
        >>> from saferstats.datasets import medway_2014
        >>> geo = medway_2014().geography
        >>> geo.filter("ward", ["E05002250"]).table["ward_name"].to_list()
        ['Cuxton and Halling', 'Cuxton and Halling', 'Cuxton and Halling', 'Cuxton and Halling']

        """
        canonical = _rs.canonical("level", _check.text("level", level))
        column = f"{canonical}_code"
        if column not in self.table.columns:
            raise _rs.ColumnError(
                f"geography: missing column '{column}' (found: {', '.join(self.table.columns)})"
            )
        wanted = _check.texts("codes", codes, single=True, what="area codes")
        return Geography(
            self.table.filter(pl.col(column).is_in(wanted)),
            self.vintage,
            self.unmatched_lads,
            self.ambiguous_lads,
        )


def build_geography(lsoa_lookup: Lookup, lad_lookup: Optional[Lookup] = None) -> Geography:
    """Join an LSOA lookup and (optionally) a LAD to CSP to force lookup.

    Local authorities missing from the LAD lookup (a vintage mismatch) are listed in
    ``unmatched_lads``. A local authority split between CSPs (e.g. East Suffolk in the 2019
    lookup) cannot place its LSOAs in one CSP: their CSP is left empty and the authority is
    listed in ``ambiguous_lads``, so CSP counts never count an LSOA twice.

    Examples
    --------
    >>> from saferstats.datasets import medway_2014_folder
    >>> folder = medway_2014_folder()
    >>> geo = build_geography(
    ...     read_lookup(folder / "lookup_lsoa11_wd19_lad19_medway.csv"),
    ...     read_lookup(folder / "lookup_lad19_csp19_pfa19_medway.csv"),
    ... )
    >>> geo.vintage
    'LSOA11/WD19/LAD19 + LAD19/CSP19/PFA19'
    >>> geo.table["csp_name"].unique().to_list()
    ['Medway']

    """

    def parts(lk: Lookup) -> tuple[pl.DataFrame, str, str, str]:
        return (lk.table, lk.kind, lk.vintage, lk.source)

    table, vintage, unmatched, ambiguous = _rs.build_geography(
        parts(lsoa_lookup), parts(lad_lookup) if lad_lookup is not None else None
    )
    return Geography(
        table=table, vintage=vintage, unmatched_lads=list(unmatched), ambiguous_lads=list(ambiguous)
    )


@dataclass(frozen=True)
class Population:
    """A long population table: ``area_code, area_name, mid_year, population, source``."""

    table: pl.DataFrame
    shape: str
    source: str


def read_population(path: PathLike, mid_year: Optional[int] = None) -> Population:
    """Read ONS population estimates into one long table.

    Shapes: single year of age by LSOA (summed; pass ``mid_year``, which these files do not
    state), mid-year time series with one column per year (``Mid-2014`` or ``2014_Population``),
    or long ``area_code, mid_year, population``. A duplicated area-year or a negative value is
    a :class:`DataError` naming the line. A ``path`` that is not a path, or a ``mid_year``
    that is not a whole number (``2017.5``, ``"2017"``, ``10**20``), is a
    :class:`ParameterError`.

    Examples
    --------
    >>> from saferstats.datasets import medway_2014_folder
    >>> pop = read_population(
    ...     medway_2014_folder() / "population_lad_mid2011_to_mid2023_medway.csv")
    >>> pop.shape
    'years_wide'
    >>> pop.table.filter(mid_year=2014)["population"].item()
    273977.0

    """
    year = None
    if mid_year is not None:
        year = _check.integer("mid_year", mid_year, min=_check.I32_MIN, max=_check.I32_MAX)
    table, shape, source = _rs.read_population(_check.path("path", path), year)
    return Population(table=table, shape=shape, source=source)
