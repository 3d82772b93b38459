"""Property tests of the Python boundary (hypothesis), beside the Rust ones (proptest).

The Rust properties (tests/rust/properties.rs) cover the kernels and frame functions; these
check that the same invariants hold through the Python API, whatever the input's row order and
whether it arrives as polars or pandas: limits contain the estimate and widen with the level,
shares sum to 1, identical periods give a ratio of 1 and no significance, rates scale with the
multiplier. Bounded: a few dozen examples each, no deadline (the first call loads data).
"""

import datetime as dt

import polars as pl
import pytest
import saferstats as ss
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
TYPES = ["Burglary", "Drugs", "Shoplifting"]


@st.composite
def count_tables(draw):
    """A counts table: areas x crime types x two years, with a population per area."""
    n_areas = draw(st.integers(1, 5))
    areas = [f"E0500000{i}" for i in range(n_areas)]
    counts = st.integers(0, 5_000)
    rows = [
        {
            "area_code": a,
            "crime_type": t,
            "period": str(year),
            "period_start": dt.date(year, 1, 1),
            "months_expected": 12,
            "months_covered": 12,
            "count": draw(counts),
        }
        for a in areas
        for t in TYPES
        for year in (2013, 2014)
    ]
    order = draw(st.permutations(range(len(rows))))
    table = pl.DataFrame([rows[i] for i in order])
    population = pl.DataFrame(
        {
            "area_code": areas,
            "mid_year": [2013] * n_areas,
            "population": [float(draw(st.integers(1_000, 400_000))) for _ in areas],
        }
    )
    return table, population


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("area_code", "crime_type", "period")


@SETTINGS
@given(count_tables(), st.sampled_from([100.0, 1_000.0, 100_000.0]))
def test_rates_contain_the_value_widen_with_the_level_and_scale_with_per(data, per):
    table, population = data
    keys = ["crime_type"]
    r95 = ss.rates(table, population, population_year=2013, keys=keys, per=per).table
    r998 = ss.rates(
        table, population, population_year=2013, keys=keys, per=per, confidence=0.998
    ).table
    r95, r998 = _sorted(r95), _sorted(r998)
    value, lo, hi = r95["value"], r95["lower"], r95["upper"]
    assert ((lo <= value) & (value <= hi)).all()
    assert ((r998["lower"] <= lo) & (hi <= r998["upper"])).all()
    one = _sorted(ss.rates(table, population, population_year=2013, keys=keys, per=1.0).table)
    assert (value - one["value"] * per).abs().max() <= 1e-9 * max(1.0, value.abs().max())


@SETTINGS
@given(count_tables())
def test_shares_sum_to_one_in_every_area_and_period(data):
    table, _ = data
    out = ss.shares(table, of="crime_type", keys=["crime_type"]).table
    total = out.group_by("area_code", "period").agg(
        pl.col("count").sum().alias("n"), pl.col("value").sum().alias("sum")
    )
    with_crimes = total.filter(pl.col("n") > 0)
    assert ((with_crimes["sum"] - 100.0).abs() < 1e-9).all()
    assert ((out["lower"] <= out["value"]) & (out["value"] <= out["upper"])).all()


@SETTINGS
@given(
    st.integers(0, 100_000),
    st.sampled_from(["exact-cond", "cond-midp", "score", "wald", "sqrt"]),
    st.sampled_from([1.0, 2.5, 30.0]),
)
def test_identical_periods_give_ratio_one_and_no_significance(count, method, dispersion):
    table = pl.DataFrame(
        {
            "area_code": ["X", "X"],
            "period": ["2013", "2014"],
            "period_start": [dt.date(2013, 1, 1), dt.date(2014, 1, 1)],
            "months_expected": [12, 12],
            "months_covered": [12, 12],
            "count": [count, count],
        }
    )
    out = ss.change(table, compare="previous", method=method, dispersion=dispersion).table
    assert out.height == 1
    assert out["significant"][0] is False
    if count > 0:
        assert out["value"][0] == pytest.approx(1.0, rel=1e-12)
        # A null upper limit is an unbounded interval (e.g. the Wald statistic at 1 vs 1 never
        # reaches the critical value however large the ratio).
        upper = out["upper"][0]
        assert out["lower"][0] <= 1.0 <= (float("inf") if upper is None else upper)


@SETTINGS
@given(count_tables(), st.randoms(use_true_random=False))
def test_change_is_the_same_for_any_row_order_and_for_pandas_input(data, rnd):
    table, _ = data
    keys = ["crime_type"]
    reference = _sorted(ss.change(table, keys=keys).table)
    shuffled = table.sample(fraction=1.0, shuffle=True, seed=rnd.randint(0, 2**31))
    again = _sorted(ss.change(shuffled, keys=keys).table)
    assert again.equals(reference)
    from_pandas = _sorted(ss.change(table.to_pandas(), keys=keys).table)
    assert from_pandas.equals(reference)
