"""The Python boundary: typed reports, declared keys, dtypes that cannot panic, one option list."""

from __future__ import annotations

import decimal
import typing

import polars as pl
import pytest
import saferstats as ss
from saferstats import _saferstats as _rs
from saferstats._typing import BY_PARAMETER


def test_literal_lists_are_the_core_choices():
    core = _rs.choices()
    assert set(BY_PARAMETER) <= set(core) | {"method", "test"}
    for parameter, literal in BY_PARAMETER.items():
        if parameter in core:
            assert list(typing.get_args(literal)) == core[parameter], parameter
    # every alias the core accepts resolves through the core, e.g. "fy" and "pfa"
    for parameter, alias, canonical in _rs.aliases():
        assert _rs.canonical(parameter, alias) == canonical
    assert _rs.canonical("period", "fy") == "financial_year"
    assert _rs.canonical("level", "PFA") == "force"


def test_method_and_test_literals_match_the_core(medway_example):
    medway = medway_example
    counts = ss.counts(medway.crimes, medway.geography, level="lad", period="quarter")
    for method in typing.get_args(ss._typing.ChangeMethod):
        assert ss.change(counts, compare="previous", method=method).table.height == 2
    with pytest.raises(ss.ParameterError, match="method"):
        ss.change(counts, method="bayes")
    q = ss.counts(medway.crimes, medway.geography, level="ward", period="quarter").table
    for test in typing.get_args(ss._typing.ShareTestName):
        ss.share_change(q.filter(period="2014 Q2"), q.filter(period="2014 Q3"), test=test)


def test_aliases_accepted_everywhere(medway_example):
    medway = medway_example
    a = ss.counts(medway.crimes, medway.geography, level="pfa", period="fy")
    b = ss.counts(medway.crimes, medway.geography, level="force", period="financial_year")
    assert a.table.equals(b.table)
    with pytest.raises(ss.ParameterError, match=r"'period'.*financial_year"):
        ss.counts(medway.crimes, medway.geography, period="fortnight")


def test_reports_are_typed_objects(medway_example):
    medway = medway_example
    c = ss.counts(medway.crimes, medway.geography, level="ward", by=["crime_type"])
    assert isinstance(c.report, ss.CountReport)
    assert c.report.keys == ["crime_type"]
    assert isinstance(medway.crimes.report, ss.ReadReport)
    assert isinstance(medway.crimes.report.files[0], ss.FileReport)
    r = ss.rates(c, medway.ward_population, population_year=2017)
    assert isinstance(r.report, ss.RateReport)
    assert r.report.keys == ["crime_type"]
    assert "<table>" in r._repr_html_()
    assert "RateReport" in r.report._repr_html_()


def test_phe_columns_do_not_change_change_or_benchmarks(shared):
    wide = ss.read_wide_monthly(
        shared / "mps/MPS_Borough_Level_Crime_Historical_201004-202309.csv.gz"
    )
    boroughs = (
        wide.filter(pl.col("month").dt.year().is_between(2015, 2019))
        .with_columns(pl.col("month").dt.year().alias("year"))
        .group_by("boroughname", "year")
        .agg(pl.col("count").sum())
        .rename({"boroughname": "area_code"})
        .with_columns(
            pl.col("year").cast(pl.String).alias("period"),
            pl.date(pl.col("year"), 1, 1).alias("period_start"),
            pl.lit(12).alias("months_expected"),
            pl.lit(12).alias("months_covered"),
        )
    )
    population = pl.DataFrame(
        {
            "area_code": boroughs["area_code"],
            "mid_year": boroughs["year"],
            "population": [250_000.0] * boroughs.height,
        }
    )
    plain = ss.rates(boroughs.drop("year"), population, confidence="phe")
    phe = ss.rates(boroughs.drop("year"), population, confidence="phe", phe_columns=True)
    assert "lower95_0cl" in phe.table.columns
    c1, c2 = ss.change(plain), ss.change(phe)
    assert c1.report.compared == c2.report.compared > 0
    assert c1.table["p_value"].equals(c2.table["p_value"])
    b1, b2 = ss.compare_with_benchmark(plain), ss.compare_with_benchmark(phe)
    assert b1.report.groups == b2.report.groups == 5
    assert b1.table["vs_benchmark_95"].equals(b2.table["vs_benchmark_95"])
    # Not every area is "Similar" to itself: the benchmark pools the year's boroughs.
    assert set(b2.table["vs_benchmark_95"]) >= {"Higher", "Lower"}


def test_geography_filter_takes_one_code_or_a_list(medway_example):
    medway = medway_example
    one = medway.geography.filter("ward", "E05002250")
    assert one.table.height == 4
    assert medway.geography.filter("ward", ["E05002250"]).table.equals(one.table)
    with pytest.raises(ss.ParameterError, match="level"):
        medway.geography.filter("county", "X")


# ---------------------------------------------------------------------------------------------
# Dtypes that used to panic in conversion: every public function returns or raises a
# SaferstatsError, never pyo3's PanicException (a BaseException).

WIDE_INTS = [d for d in (getattr(pl, "Int128", None), pl.UInt64) if d is not None]


def _odd_dtypes(frame: pl.DataFrame, text: list[str], numbers: list[str]) -> list[pl.DataFrame]:
    """The frame with text columns as Categorical / Enum and numbers as Decimal / wide ints."""
    out = [frame.with_columns([pl.col(c).cast(pl.Categorical) for c in text])]
    enum_casts = [pl.col(c).cast(pl.Enum(sorted(set(frame[c].drop_nulls())))) for c in text]
    out.append(frame.with_columns(enum_casts))
    out.append(frame.with_columns([pl.col(c).cast(pl.Decimal(20, 4)) for c in numbers]))
    for dtype in WIDE_INTS:
        out.append(
            frame.with_columns([pl.col(c).round(0).cast(pl.Int64).cast(dtype) for c in numbers])
        )
    return out


def _never_panics(call, frames):
    outcomes = []
    for f in frames:
        try:
            call(f)
            outcomes.append("ok")
        except ss.SaferstatsError as e:
            outcomes.append(type(e).__name__)
        except BaseException as e:  # PanicException derives from BaseException
            pytest.fail(f"{type(e).__module__}.{type(e).__name__}: {e}")
    return outcomes


def test_odd_dtypes_never_panic(medway_example):
    medway = medway_example
    crimes = medway.crimes.crimes.head(3000)
    frames = _odd_dtypes(crimes, ["lsoa_code", "crime_type", "falls_within"], ["longitude"])
    assert set(_never_panics(lambda f: ss.counts(f, medway.geography, level="ward"), frames)) == {
        "ok"
    }
    _never_panics(lambda f: ss.grid_hotspots(f), frames)
    _never_panics(lambda f: ss.map_categories(f), frames)
    geo = _odd_dtypes(medway.geography.table, ["lsoa_code", "ward_code", "ward_name"], [])
    assert set(_never_panics(lambda g: ss.counts(crimes, g, level="ward"), geo)) == {"ok"}

    q = ss.counts(
        medway.crimes, medway.geography, level="ward", by=["crime_type"], period="quarter"
    )
    table = q.table.with_columns(pl.col("count").cast(pl.Float64))
    counted = _odd_dtypes(table, ["area_code", "crime_type", "area_name"], ["count"])
    keys = ["crime_type"]
    pop = medway.ward_population.table
    pops = _odd_dtypes(pop, ["area_code"], ["population"])
    assert set(
        _never_panics(lambda f: ss.rates(f, pop, population_year=2017, keys=keys), counted)
    ) == {"ok"}
    assert set(_never_panics(lambda p: ss.rates(q, p, population_year=2017), pops)) <= {
        "ok",
        "DataError",
    }
    for fn in (
        lambda f: ss.change(f, compare="previous", keys=keys),
        lambda f: ss.hotspots(f, keys=keys),
        lambda f: ss.lorenz(f, keys=keys),
        lambda f: ss.persistence(f, keys=keys),
        lambda f: ss.shares(f, keys=keys),
        lambda f: ss.share_change(f, f, keys=keys),
        lambda f: ss.seasonality(f, keys=keys),
        lambda f: ss.trends(f, keys=keys),
        lambda f: ss.proportions(f.with_columns(n=pl.lit(1000)), "count", "n"),
    ):
        _never_panics(fn, counted)
    rated = ss.rates(q, medway.ward_population, population_year=2017).table
    rated_frames = _odd_dtypes(rated, ["area_code", "crime_type"], ["count", "population"])
    for fn in (ss.compare_with_benchmark, ss.funnel_limits, ss.rank_among_peers):
        _never_panics(lambda f, fn=fn: fn(f, keys=keys), rated_frames)


def test_a_wide_integer_that_does_not_fit_is_a_data_error():
    big = pl.DataFrame(
        {"area_code": ["A"], "count": [2**64 - 1]}, schema_overrides={"count": pl.UInt64}
    )
    with pytest.raises(ss.DataError, match=r"count.*64-bit"):
        ss.hotspots(big)


def test_decimal_values_are_kept():
    t = pl.DataFrame(
        {"x": [decimal.Decimal("65")], "n": [decimal.Decimal("100")]},
        schema={"x": pl.Decimal(10, 2), "n": pl.Decimal(10, 2)},
    )
    row = ss.proportions(t, "x", "n", per=1).table.row(0, named=True)
    assert row["lower"] == pytest.approx(0.552544, abs=1e-6)


def test_panics_become_internal_errors():
    with pytest.raises(ss.InternalError, match="deliberate"):
        _rs._panic_for_tests()
