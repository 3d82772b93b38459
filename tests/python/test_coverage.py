"""Missing months are never zeros; under-published months travel with every result.

Built from the bundled Medway 2014 street files: one month's file dropped, or one month cut to
a fifth of its rows, as data.police.uk has published them.
"""

import gzip
import shutil
from pathlib import Path

import polars as pl
import pytest
import saferstats as ss


@pytest.fixture
def medway_files(tmp_path: Path) -> Path:
    src = ss.datasets.medway_2014_folder()
    out = tmp_path / "medway"
    out.mkdir()
    for f in sorted(src.glob("*-street.csv.gz")):
        shutil.copy(f, out / f.name)
    return out


def test_a_dropped_month_is_missing_in_every_result_never_a_zero(medway_files: Path):
    medway = ss.datasets.medway_2014()
    (medway_files / "2014-06-kent-street.csv.gz").unlink()
    crimes = ss.read_police_uk(medway_files)
    assert crimes.report.months_missing == ["2014-06"]

    monthly = ss.counts(crimes, medway.geography, level="lad", period="month")
    june = monthly.table.filter(pl.col("period") == "2014-06")
    assert june.select("count", "months_covered", "complete").row(0) == (0, 0, False)
    # A rate for a month with no data is null and says why: never a rate of zero.
    rated = ss.rates(monthly, medway.lad_population, population_year=2014).table
    june = rated.filter(pl.col("period") == "2014-06")
    assert june["value"][0] is None
    assert "no month of the period is covered" in june["flags"][0]

    # The quarter holding June is partial: not compared as if complete, unless asked to
    # adjust for exposure, and then it is flagged.
    quarters = ss.counts(crimes, medway.geography, level="lad", period="quarter")
    q2 = quarters.table.filter(pl.col("period") == "2014 Q2")
    assert q2.select("months_covered", "complete").row(0) == (2, False)
    refused = ss.change(quarters, compare="previous")
    assert any("2014 Q2 (2 of 3 months)" in r for r in refused.report.refused_partial)
    assert "2014 Q2" not in refused.table["period"].to_list()
    adjusted = ss.change(quarters, compare="previous", exposure_adjust=True).table
    q2 = adjusted.filter(pl.col("period") == "2014 Q2")
    assert "exposure-adjusted: 2 and 3 of 3 months" in q2["flags"][0]

    # Seasonality names the month as missing instead of reading it as a low anomaly.
    with pytest.raises(ss.SaferstatsError, match="2014-06"):
        ss.seasonality(monthly)


def _cut(path: Path, keep: float) -> None:
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines(keepends=True)
    n = 1 + int((len(lines) - 1) * keep)
    path.write_bytes(gzip.compress("".join(lines[:n]).encode("utf-8")))


def test_an_under_published_month_is_flagged_in_counts_rates_and_change(medway_files: Path):
    medway = ss.datasets.medway_2014()
    _cut(medway_files / "2014-05-kent-street.csv.gz", 0.2)
    crimes = ss.read_police_uk(medway_files)
    low = crimes.report.under_published
    assert [(u["force"], u["month"]) for u in low] == [("Kent Police", "2014-05")]

    monthly = ss.counts(crimes, medway.geography, level="lad", period="month")
    flagged = monthly.table.filter(pl.col("months_under_published") > 0)
    assert flagged["period"].to_list() == ["2014-05"]
    assert monthly.report.rows_under_published == 1

    quarters = ss.counts(crimes, medway.geography, level="ward", period="quarter")
    # Every Medway ward's Q2 holds May; no other quarter is flagged.
    q = quarters.table.group_by("period").agg(pl.col("months_under_published").max())
    assert dict(q.iter_rows()) == {"2014 Q1": 0, "2014 Q2": 1, "2014 Q3": 0, "2014 Q4": 0}

    rated = ss.rates(monthly, medway.lad_population, population_year=2014)
    may = rated.table.filter(pl.col("period") == "2014-05")
    assert "under-published: 1 month" in may["flags"][0]
    assert rated.report.under_published_rows == 1
    assert rated.table.filter(pl.col("period") == "2014-04")["flags"][0] is None

    # A comparison is flagged when either of its periods holds the month: Q2 against Q1 and
    # Q3 against Q2 (Q4, Oct-Nov only, is partial and not compared).
    changed = ss.change(quarters, compare="previous")
    for period in ["2014 Q2", "2014 Q3"]:
        rows = changed.table.filter(pl.col("period") == period)
        assert rows.height == 22
        assert all("under-published: 1 month" in f for f in rows["flags"])
    assert changed.table["period"].unique().sort().to_list() == ["2014 Q2", "2014 Q3"]
    assert changed.report.under_published_rows == 44
