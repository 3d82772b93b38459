import datetime as dt

import numpy as np
import polars as pl
import pytest
import saferstats as ss
from scipy import stats

START = dt.date(2014, 1, 1)


def one_row(count, population, **kwargs):
    counts = pl.DataFrame({"area_code": ["X"], "count": [count], "period_start": [START]})
    pop = pl.DataFrame({"area_code": ["X"], "mid_year": [2014], "population": [float(population)]})
    return ss.rates(counts, pop, **kwargs).table


@pytest.mark.parametrize(
    ("count", "population", "per", "confidence", "method", "lower", "upper"),
    [
        # PHE golden values, methods.md §1.7 (testdata_Byars_Wilson.xlsx, testdata_Rate.xlsx)
        (65, 1, 1, 0.95, "byar", 50.163187710459454, 82.849138545939837),
        (1045, 1, 1, 0.95, "byar", 982.59320180733255, 1110.3312129856499),
        (1045, 1, 1, 0.998, "byar", 947.94070356103737, 1148.8061609880331),
        (1, 100, 100, 0.95, "exact", 0.025317807984289897, 5.571643390938898),
        (5, 100, 100, 0.998, "exact", 0.739371731917839, 16.454745203680105),
        (9856, 12345, 100, 0.95, "byar", 78.269490589767571, 81.430016542721404),
    ],
)
def test_phe_golden_values(count, population, per, confidence, method, lower, upper):
    t = one_row(count, population, per=per, confidence=confidence)
    assert t["method"][0] == method
    assert t["lower"][0] == pytest.approx(lower, rel=1e-9)
    assert t["upper"][0] == pytest.approx(upper, rel=1e-9)
    assert t["value"][0] == pytest.approx(count / population * per, rel=1e-15)


def test_exact_limits_match_scipy_over_a_grid():
    counts = np.arange(0, 10)
    n = len(counts)
    frame = pl.DataFrame(
        {"area_code": [f"A{i}" for i in range(n)], "count": counts, "period_start": [START] * n}
    )
    pop = pl.DataFrame(
        {"area_code": [f"A{i}" for i in range(n)], "mid_year": [2014] * n, "population": [1.0] * n}
    )
    for level in (0.90, 0.95, 0.99, 0.998, 0.999):
        t = ss.rates(frame, pop, per=1, confidence=level).table
        alpha = 1 - level
        lo = np.where(counts == 0, 0.0, stats.chi2.ppf(alpha / 2, 2 * counts) / 2)
        hi = stats.chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2
        np.testing.assert_allclose(t["lower"].to_numpy(), lo, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(t["upper"].to_numpy(), hi, rtol=1e-9)


def test_phe_pair_and_phe_columns():
    t = one_row(65, 1000, per=100_000, confidence="phe", phe_columns=True)
    assert {"lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"} <= set(t.columns)
    assert t["method"][0] == "Byars"
    assert t["confidence"][0] == "95%, 99.8%"
    assert t["measure"][0] == "rate per 100,000"
    assert t["lower95_0cl"][0] == pytest.approx(50.163187710459454 / 1000 * 100_000, rel=1e-9)


def test_medway_ward_rates_with_fixed_ward_population(shared):
    medway = ss.datasets.medway_2014()
    wards = ss.counts(medway.crimes, medway.geography, level="ward", period="calendar_year")
    r = ss.rates(wards, medway.ward_population, population_year=2017)
    t = r.table
    assert t.height == 22
    assert r.report.population_years == [2017]
    assert t["population"].sum() == 277_616
    river = t.filter(pl.col("area_name") == "River")
    assert river["value"][0] == pytest.approx(river["count"][0] / river["population"][0] * 1000)
    # the LA rate with the mid-2014 LA estimate
    lad = ss.rates(
        ss.counts(medway.crimes, medway.geography, level="lad", period="calendar_year"),
        medway.lad_population,
    )
    assert lad.table["population"][0] == 273_977
    assert lad.table["population_year"][0] == 2014


@pytest.mark.parametrize(
    ("pop_value", "fragment"),
    [(0.0, "population must be positive"), (-5.0, "population must be positive")],
)
def test_bad_populations(pop_value, fragment):
    with pytest.raises(ss.DataError, match=fragment):
        one_row(10, pop_value)


def test_missing_population_year_and_area():
    counts = pl.DataFrame({"area_code": ["X", "Y"], "count": [1, 2], "period_start": [START] * 2})
    pop = pl.DataFrame({"area_code": ["X"], "mid_year": [2013], "population": [100.0]})
    with pytest.raises(ss.ParameterError, match="no mid-2014 estimates"):
        ss.rates(counts, pop)
    pop = pl.DataFrame(
        {"area_code": ["X", "Z"], "mid_year": [2014, 2014], "population": [100.0, 5.0]}
    )
    with pytest.raises(ss.ParameterError, match="no mid-2014 population for area Y"):
        ss.rates(counts, pop)
    ok = ss.rates(counts.head(1), pop)
    assert ok.report.areas_without_counts == ["Z"]


@pytest.mark.parametrize(
    ("count", "fragment"),
    [(-1, "negative count"), (2.5, "not a whole number"), (None, "missing count")],
)
def test_bad_counts(count, fragment):
    counts = pl.DataFrame(
        {"area_code": ["X"], "count": [count], "period_start": [START]},
        schema_overrides={"count": pl.Float64},
    )
    pop = pl.DataFrame({"area_code": ["X"], "mid_year": [2014], "population": [100.0]})
    with pytest.raises(ss.DataError, match=fragment):
        ss.rates(counts, pop)


@pytest.mark.parametrize("confidence", [0.5, 0.9999, 1.5, 120])
def test_confidence_out_of_range(confidence):
    with pytest.raises(ss.ParameterError):
        one_row(10, 100, confidence=confidence)


def test_wilson_shares_match_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    medway = ss.datasets.medway_2014()
    c = ss.counts(
        medway.crimes, medway.geography, level="lad", by=["crime_type"], period="calendar_year"
    )
    s = ss.shares(c, confidence=0.95, per=1).table
    assert s["value"].sum() == pytest.approx(1.0)
    lo, hi = proportion_confint(
        s["count"].to_numpy(), s["total"].to_numpy(), alpha=0.05, method="wilson"
    )
    np.testing.assert_allclose(s["lower"].to_numpy(), lo, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(s["upper"].to_numpy(), hi, rtol=1e-9)


def peer_table():
    rng = np.random.default_rng(1)
    n = 50
    pop = rng.integers(100_000, 400_000, n).astype(float)
    rate = rng.gamma(20, 70 / 20, n) / 1000  # over-dispersed around 70 per 1,000
    counts = rng.poisson(rate * pop)
    return pl.DataFrame(
        {
            "area_code": [f"E{i:02d}" for i in range(n)],
            "period": ["2014/15"] * n,
            "count": counts,
            "population": pop,
            "value": counts / pop * 1000,
        }
    )


def test_benchmark_labels_follow_the_phe_rule():
    t = ss.compare_with_benchmark(peer_table()).table
    bench = t["count"].sum() / t["population"].sum() * 1000
    assert t["benchmark"][0] == pytest.approx(bench)
    for row in t.iter_rows(named=True):
        lo = stats.chi2.ppf(0.025, 2 * row["count"]) / 2 / row["population"] * 1000
        hi = stats.chi2.ppf(0.975, 2 * row["count"] + 2) / 2 / row["population"] * 1000
        # Byar's and exact agree closely at these counts; only borderline rows could differ.
        if lo > bench * 1.001:
            assert row["vs_benchmark_95"] == "Higher"
        elif hi < bench * 0.999:
            assert row["vs_benchmark_95"] == "Lower"
    assert set(t["vs_benchmark_99_8"]) <= {"Higher", "Similar", "Lower"}


def test_funnel_overdispersion_flags_fewer_areas():
    t = ss.funnel_limits(peer_table()).table
    exact = (t["funnel_flag"] != "Not significant").sum()
    adjusted = (t["funnel_flag_od"] != "Not significant").sum()
    assert t["phi"][0] > 1  # simulated with extra-Poisson variation
    assert adjusted < exact
    assert (t["funnel_lower_99_8"] <= t["funnel_lower_95"]).all()


def test_rank_interval_contains_rank_and_is_reproducible():
    a = ss.rank_among_peers(peer_table(), simulations=500, seed=7).table
    b = ss.rank_among_peers(peer_table(), simulations=500, seed=7).table
    assert a.equals(b)
    assert (a["rank_lower"] <= a["rank"]).all()
    assert (a["rank"] <= a["rank_upper"]).all()
    assert a["peers"][0] == 50
    assert sorted(a["rank"].to_list()) == list(range(1, 51))


def test_proportions_newcombe_and_kish_match_statsmodels():
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

    t = pl.DataFrame({"x": [65.0, 1045.0, 0.0, 0.445], "n": [100.0, 5000.0, 20.0, 1.0]})
    out = ss.proportions(t, "x", "n", per=1).table
    lo, hi = proportion_confint(t["x"].to_numpy(), t["n"].to_numpy(), alpha=0.05, method="wilson")
    np.testing.assert_allclose(out["lower"].to_numpy(), lo, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(out["upper"].to_numpy(), hi, rtol=1e-9)
    # PHE golden values (x=1045, n=5000, 99.8%)
    g = ss.proportions(t.slice(1, 1), "x", "n", confidence=0.998, per=1).table
    assert g["lower"][0] == pytest.approx(0.19179381799015244, rel=1e-9)
    assert g["upper"][0] == pytest.approx(0.22731562902525818, rel=1e-9)
    lo, hi = confint_proportions_2indep(67, 100, 60, 100, method="newcomb", compare="diff")
    assert ss.newcombe_difference(67, 100, 60, 100) == pytest.approx((lo, hi), rel=1e-9)
    w = np.array([1.0, 1.0, 2.0, 4.0, 0.5])
    assert ss.kish_effective_n(w) == pytest.approx(w.sum() ** 2 / (w**2).sum())
    with pytest.raises(ss.DataError, match="numerator"):
        ss.proportions(pl.DataFrame({"x": [5.0], "n": [3.0]}), "x", "n")
    with pytest.raises(ss.ParameterError):
        ss.kish_effective_n([])


def test_lorenz_points_per_group():
    medway = ss.datasets.medway_2014()
    c = ss.counts(
        medway.crimes, medway.geography, level="ward", by=["crime_type"], period="calendar_year"
    )
    pts = ss.lorenz(c).table
    assert pts.height == 14 * 23  # 22 wards + the origin, per crime type
    last = pts.group_by("crime_type", "period").agg(pl.col("incident_share").last())
    assert (last["incident_share"] == 1.0).all()
