"""The assessment analytics on the bundled Medway data, through Python. tests/rust/assessment.rs
asserts the same numbers from Rust."""

import polars as pl
import pytest
import saferstats as ss

TOP5_ASB = [
    ("River", 708),
    ("Gillingham North", 677),
    ("Gillingham South", 664),
    ("Chatham Central", 603),
    ("Luton and Wayfield", 567),
]


@pytest.fixture(scope="module")
def medway():
    return ss.datasets.medway_2014()


def test_asb_top_five_wards_april_to_november(medway):
    asb = medway.crimes.crimes.filter(
        (pl.col("crime_type") == "Anti-social behaviour") & (pl.col("month").dt.month() >= 4)
    )
    # independent computation with a plain polars group-by
    by_ward = (
        asb.join(medway.geography.table, on="lsoa_code")
        .group_by("ward_name")
        .len()
        .sort(["len", "ward_name"], descending=[True, False])
    )
    assert list(by_ward.head(5).iter_rows()) == TOP5_ASB
    c = ss.counts(asb, medway.geography, level="ward", period="calendar_year")
    h = ss.hotspots(c, top=5)
    top = h.ranking.filter(pl.col("in_top")).sort("rank")
    assert list(top.select("area_name", "count").iter_rows()) == TOP5_ASB
    s = h.summary.row(0, named=True)
    assert s["total"] == asb.height == 6697
    assert s["top_share"] == pytest.approx(3219 / 6697, rel=1e-12)
    assert s["poisson_null_share"] < s["top_share"]
    assert 0 < s["gini"] < 1
    assert s["areas_for_50"] < 22


def test_rtm_safe_share_uses_the_previous_top(medway):
    asb = medway.crimes.crimes.filter(pl.col("crime_type") == "Anti-social behaviour")
    q = ss.counts(asb, medway.geography, level="ward", period="quarter").table
    q2 = q.filter(pl.col("period") == "2014 Q2")
    q3 = q.filter(pl.col("period") == "2014 Q3")
    h = ss.hotspots(q3, previous=q2, top=5)
    s = h.summary.row(0, named=True)
    prev_top = q2.sort(["count", "area_code"], descending=[True, False]).head(5)["area_code"]
    expected = (
        q3.filter(pl.col("area_code").is_in(prev_top.implode()))["count"].sum() / q3["count"].sum()
    )
    assert s["share_of_previous_top"] == pytest.approx(expected, rel=1e-12)
    assert s["share_of_previous_top"] <= s["top_share"]
    p = ss.persistence(q.filter(pl.col("complete")), top=5).table
    assert p["periods"].max() == 3
    assert p["periods_in_top"].sum() == 5 * 3


def test_share_change_between_quarters(medway):
    q = ss.counts(medway.crimes, medway.geography, level="ward", period="quarter").table
    out = ss.share_change(
        q.filter(pl.col("period") == "2014 Q2"), q.filter(pl.col("period") == "2014 Q3")
    ).table
    assert out.height == 22
    assert set(out["s_index"].unique()) <= {-1, 0, 1}
    assert out["share_after"].sum() == pytest.approx(1.0)


def test_grid_hotspots_match_rust(medway):
    grid = ss.grid_hotspots(medway.crimes)
    cells, report = grid.table, grid.report
    assert (report.columns, report.rows) == (80, 66)
    assert (cells["hotspot"] == "hot").sum() == 384
    assert cells["count"].sum() == report.points_used == 25117
    with pytest.raises(ss.ParameterError, match="cell_size"):
        ss.grid_hotspots(medway.crimes, cell_size=0)
    with pytest.raises(ss.ParameterError, match="cells"):
        ss.grid_hotspots(medway.crimes, cell_size=0.01)
    no_xy = medway.crimes.crimes.with_columns(pl.lit(None, dtype=pl.Float64).alias("longitude"))
    with pytest.raises(ss.InsufficientDataError, match="without coordinates"):
        ss.grid_hotspots(no_xy)
    abroad = medway.crimes.crimes.head(10).with_columns(
        pl.lit(2.35).alias("longitude"), pl.lit(48.85).alias("latitude")
    )
    with pytest.raises(ss.InsufficientDataError, match="outside"):
        ss.grid_hotspots(abroad)


def test_single_area_hotspot_is_well_defined(medway):
    c = ss.counts(medway.crimes, medway.geography, level="lad", period="calendar_year")
    s = ss.hotspots(c, top=5).summary.row(0, named=True)
    assert s["areas"] == 1
    assert s["top_share"] == 1.0


def test_hotspots_without_the_poisson_null(medway):
    c = ss.counts(
        medway.crimes, medway.geography, level="ward", by=["crime_type"], period="calendar_year"
    )
    full = ss.hotspots(c, top=5)
    quick = ss.hotspots(c, top=5, poisson_null=False)
    skipped = ["poisson_null_share", "gini_poisson_baseline"]
    assert quick.summary.select(skipped).null_count().row(0) == (quick.summary.height,) * 2
    assert full.summary.select(skipped).null_count().row(0) != (full.summary.height,) * 2
    assert quick.summary.drop(skipped).equals(full.summary.drop(skipped))
    assert quick.ranking.equals(full.ranking)
