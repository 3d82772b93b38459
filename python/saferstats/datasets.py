"""The bundled example dataset: Medway (Kent) 2014, real open data (OGL v3.0).

The files are compiled into the extension; :func:`medway_2014` reads them with the same
readers as files on disk, and :func:`medway_2014_folder` writes them out for the file readers.
Attribution: "Contains public sector information licensed under the Open Government Licence
v3.0" (data.police.uk, Office for National Statistics); details in ``LICENCE-DATA.md``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

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
