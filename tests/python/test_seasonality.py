import numpy as np
import polars as pl
import pytest
import saferstats as ss
from scipy import stats


@pytest.fixture(scope="module")
def boroughs(shared):
    wide = ss.read_wide_monthly(
        shared / "mps/MPS_Borough_Level_Crime_Historical_201004-202309.csv.gz"
    )
    return (
        wide.group_by("boroughname", "month")
        .agg(pl.col("count").sum())
        .rename({"boroughname": "area_code"})
    )


def test_mps_reader_shape(boroughs):
    assert boroughs["month"].n_unique() == 162
    assert boroughs["area_code"].n_unique() >= 32


def test_mps_lockdown_months_are_anomalies(boroughs):
    out = ss.seasonality(boroughs)
    summary, anomalies = out.summary, out.anomalies
    assert summary.height == boroughs["area_code"].n_unique()
    assert summary["months"].unique().to_list() == [162]
    assert summary["seasonal_strength"].is_between(0, 1).all()
    assert set(summary["peak_month"]) <= {
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    }
    april = anomalies.filter(
        (pl.col("month") == pl.date(2020, 4, 1)) & (pl.col("direction") == "low")
    )
    assert april.height >= 0.8 * summary.height


def test_kruskal_wallis_equals_scipy(boroughs):
    one = boroughs.filter(pl.col("area_code") == boroughs["area_code"].sort()[0]).sort("month")
    out = ss.seasonality(one).summary
    groups = [g["count"].to_numpy() for _, g in one.group_by(pl.col("month").dt.month())]
    h, p = stats.kruskal(*groups)
    assert out["kruskal_wallis"][0] == pytest.approx(h, rel=1e-9)
    assert out["kruskal_wallis_p"][0] == pytest.approx(p, rel=1e-9)


def test_profile_has_twelve_named_months(boroughs):
    one = boroughs.filter(pl.col("area_code") == boroughs["area_code"].sort()[0])
    prof = ss.seasonality(one).profile
    assert prof["calendar_month"].to_list()[:2] == ["January", "February"]
    assert prof["classical_index"].mean() == pytest.approx(1.0)
    assert np.all(prof["mean_per_day"].to_numpy() > 0)


def test_gaps_duplicates_and_short_series_are_errors(boroughs):
    one = boroughs.filter(pl.col("area_code") == boroughs["area_code"].sort()[0]).sort("month")
    with pytest.raises(ss.ParameterError, match="months missing"):
        ss.seasonality(one.filter(pl.col("month") != pl.date(2015, 6, 1)))
    with pytest.raises(ss.DataError, match="duplicated row for the key"):
        ss.seasonality(pl.concat([one, one.head(1)]))
    with pytest.raises(ss.InsufficientDataError, match="24 months"):
        ss.seasonality(one.head(20))
    with pytest.raises(ss.DataError, match="negative"):
        ss.seasonality(
            one.with_columns(
                pl.when(pl.col("month") == pl.date(2015, 6, 1))
                .then(-1)
                .otherwise(pl.col("count"))
                .alias("count")
            )
        )
    short = ss.seasonality(one.head(30)).summary
    assert "only 30 months" in short["flags"][0]


def test_non_monthly_periods_are_refused():
    medway = ss.datasets.medway_2014()
    q = ss.counts(medway.crimes, medway.geography, level="lad", period="quarter")
    with pytest.raises(ss.ParameterError, match="monthly periods"):
        ss.seasonality(q)
