"""The polars boundary: frames cross both ways with every dtype the API uses.

CI runs this file again against the oldest Python polars the package declares
(see .ci/run), so a polars upgrade or downgrade that breaks the transfer is caught.
"""

import datetime as dt

import polars as pl
import saferstats as ss
from saferstats import _saferstats


def test_round_trip_types():
    geo = ss.datasets.medway_2014().geography
    crimes = pl.DataFrame(
        {
            "month": [dt.date(2014, 1, 1), dt.date(2014, 2, 1), None],
            "lsoa_code": [geo.table["lsoa_code"][0], None, geo.table["lsoa_code"][1]],
            "crime_type": ["Burglary", "Drugs", "Drugs"],
        }
    ).drop_nulls("month")
    spec = {"level": "lsoa", "by": ["crime_type"], "period": "month", "coverage": None}
    table, report = _saferstats.counts(crimes, geo.table, geo.vintage, spec)
    assert isinstance(table, pl.DataFrame)
    assert table.schema["period_start"] == pl.Date
    assert table.schema["count"] == pl.Int64
    assert table.schema["complete"] == pl.Boolean
    assert table["count"].sum() == 1
    assert report["rows_without_lsoa"] == 1
    assert report["keys"] == ["crime_type"]


def test_reader_output_types():
    data = ss.datasets.medway_2014()
    schema = data.crimes.crimes.schema
    assert schema["month"] == pl.Date
    assert schema["latitude"] == pl.Float64
    assert schema["crime_id"] == pl.String
    assert schema["no_location"] == pl.Boolean
    assert data.crimes.crimes["crime_id"].null_count() > 0


def test_polars_version_in_declared_range():
    major, minor = (int(x) for x in pl.__version__.split(".")[:2])
    assert (1, 30) <= (major, minor) < (3, 0)
