"""The bundled example datasets, real open data (OGL v3.0).

Medway (Kent) 2014 street-level records, and London: the Metropolitan Police's monthly borough
counts April 2010 to September 2023 with the 32 boroughs' CSP lookup and populations.

The files are compiled into the extension; :func:`medway_2014` and :func:`london_mps` read them
with the same readers as files on disk, and :func:`medway_2014_folder` writes the Medway files
out for the file readers. Attribution: "Contains public sector information licensed under the
Open Government Licence v3.0" (data.police.uk, Metropolitan Police Service, Office for National
Statistics); details in ``LICENCE-DATA.md`` of each dataset (``crates/saferstats/data``).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import polars as pl

from saferstats import _saferstats as _rs
from saferstats._typing import Handling
from saferstats.readers import (
    Geography,
    Lookup,
    PoliceUkData,
    Population,
    _police_uk_data,
    read_options,
)


@dataclass(frozen=True)
class ExampleData:
    """Crimes, geography and populations of one example area."""

    crimes: PoliceUkData
    geography: Geography
    lsoa_lookup: Lookup
    lad_population: Population
    ward_population: Population


def medway_2014(
    *,
    no_location: Handling = "keep",
    duplicate_crime_id: Handling = "set_aside",
    unknown_crime_type: Handling = "keep",
) -> ExampleData:
    """Load Medway's street-level crimes for January-November 2014 with its geography.

    Includes the LSOA11 to WD19 to LAD19 lookup (163 LSOAs, 22 wards), the LAD to CSP to force
    row, Medway's ONS mid-year estimates 2011-2023 and its ward mid-2017 estimates.

    Examples
    --------
    >>> data = medway_2014()
    >>> data.crimes.report.rows_read
    25118
    >>> data.geography.table["ward_code"].n_unique()
    22
    >>> data.lad_population.table.filter(mid_year=2014)["population"].item()
    273977.0

    """
    crimes, geo, lookup, lad_pop, ward_pop = _rs.medway_2014(
        read_options(no_location, duplicate_crime_id, unknown_crime_type)
    )
    return ExampleData(
        crimes=_police_uk_data(crimes),
        geography=Geography(geo[0], geo[1], list(geo[2]), list(geo[3])),
        lsoa_lookup=Lookup(*lookup),
        lad_population=Population(*lad_pop),
        ward_population=Population(*ward_pop),
    )


def medway_2014_folder(directory: Optional[os.PathLike[str]] = None) -> Path:
    """Write the bundled Medway 2014 files to ``directory`` and return it.

    By default a folder under the system temporary directory is used (written once).

    Examples
    --------
    >>> folder = medway_2014_folder()
    >>> sorted(p.name for p in folder.glob("*-street.csv.gz"))[:2]
    ['2014-01-kent-street.csv.gz', '2014-02-kent-street.csv.gz']

    """
    if directory is None:
        target = Path(tempfile.gettempdir()) / f"saferstats-{_rs.__version__}-medway-2014"
        if (target / "LICENCE-DATA.md").exists():
            return target
    else:
        target = Path(directory)
    _rs.write_medway_2014(os.fspath(target))
    return target


@dataclass(frozen=True)
class LondonData:
    """The MPS borough and ward counts with the London boroughs' CSP lookup and populations."""

    counts: pl.DataFrame
    lad_lookup: Lookup
    lad_population: Population
    ward_counts: pl.DataFrame


def london_mps() -> LondonData:
    """Load the Metropolitan Police's monthly counts by borough, April 2010 to September 2023.

    ``counts`` is the MPS "Recorded Crime: Geographic Breakdown" borough file read with
    :func:`saferstats.read_wide_monthly` (``majortext, minortext, boroughname, month, count``);
    besides the 32 boroughs, ``boroughname`` has the units "London Heathrow and London City
    Airports" and "Unknown", which are not CSPs. ``lad_lookup`` is the LAD19 to CSP19 to PFA19
    lookup of the Metropolitan Police area (each borough is its own CSP) and ``lad_population``
    the boroughs' ONS mid-year estimates 2011-2023 (MYE4). ``ward_counts`` is the MPS ward file,
    July 2023 to June 2025 (``majortext, minortext, wardname, wardcode, lookup_boroughname,
    month, count``; the London wards of 2022). ``assessment(example="london-mps")`` assesses the
    32 borough CSPs from them, with each borough's top wards from the ward file's own latest
    twelve months.

    Examples
    --------
    >>> london = london_mps()
    >>> london.counts.columns
    ['majortext', 'minortext', 'boroughname', 'month', 'count']
    >>> london.counts["month"].n_unique(), london.counts["boroughname"].n_unique()
    (162, 34)
    >>> london.lad_lookup.table["csp_code"].n_unique()
    32
    >>> london.lad_population.table.filter(mid_year=2022).height
    32
    >>> london.ward_counts["month"].n_unique(), london.ward_counts["wardcode"].n_unique()
    (24, 679)

    """
    counts, lookup, population, wards = _rs.london_mps()
    return LondonData(
        counts=counts,
        lad_lookup=Lookup(*lookup),
        lad_population=Population(*population),
        ward_counts=wards,
    )
