import datetime as dt
import itertools

import numpy as np
import polars as pl
import pytest
import saferstats as ss
from statsmodels.stats import rates as sm_rates


def two_periods(y1, y0, e1=12, e0=12, population=None):
    frame = pl.DataFrame(
        {
            "area_code": ["X", "X"],
            "count": [y0, y1],
            "period": ["2013", "2014"],
            "period_start": [dt.date(2013, 1, 1), dt.date(2014, 1, 1)],
            "months_expected": [12, 12],
            "months_covered": [e0, e1],
        }
    )
    if population is not None:
        frame = frame.with_columns(pl.Series("population", population, dtype=pl.Float64))
    return frame


@pytest.mark.parametrize(
    ("method", "sm_method"),
    [
        ("exact-cond", "exact-cond"),
        ("cond-midp", "cond-midp"),
        ("score", "score"),
        ("wald-log", "wald-log"),
        ("wald", "wald"),
        ("score-log", "score-log"),
        ("sqrt", "sqrt"),
    ],
)
def test_p_values_equal_statsmodels(method, sm_method):
    for y1, y0 in itertools.product([0, 3, 20, 130, 1350, 19734], [1, 4, 25, 120, 1250, 18617]):
        if method in ("wald-log", "score-log") and (y1 == 0 or y0 == 0):
            continue
        t = ss.change(two_periods(y1, y0), compare="previous", method=method).table
        expected = sm_rates.test_poisson_2indep(y1, 12, y0, 12, method=sm_method).pvalue
        assert t["p_value"][0] == pytest.approx(expected, rel=1e-9, abs=1e-300), (y1, y0)


def test_worked_numbers_from_methods_md():
    t = ss.change(two_periods(19_734, 18_617), compare="previous", method="wald-log").table
    assert t["pct_change"][0] == pytest.approx(6.0, abs=0.01)
    assert t["change"][0] == 1117
    assert t["lower"][0] == pytest.approx(1.039, abs=5e-4)
    assert t["upper"][0] == pytest.approx(1.081, abs=5e-4)
    assert t["verdict"][0] == "increase of 6.0% (1,117 more), statistically significant at 95%"
    t = ss.change(two_periods(1350, 1250), compare="previous").table
    assert t["p_value"][0] == pytest.approx(0.0522, abs=5e-4)
    t = ss.change(two_periods(130, 120), compare="previous").table
    assert t["p_value"][0] == pytest.approx(0.57, abs=0.01)
    assert t["verdict"][0] == "no significant change (+8.3%, 10 more)"


def test_exact_interval_is_r_poisson_test_clopper_pearson():
    # R poisson.test(c(26, 20), c(12, 12)): Clopper-Pearson on 26 | 46 mapped to the ratio.
    from scipy.stats import beta

    t = ss.change(two_periods(26, 20), compare="previous").table
    p_lo = beta.ppf(0.025, 26, 20 + 1)
    p_hi = beta.ppf(0.975, 26 + 1, 20)
    expected = (p_lo / (1 - p_lo), p_hi / (1 - p_hi))
    assert (t["lower"][0], t["upper"][0]) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("y1", "y0"), [(0, 0), (5, 5), (1117, 1117)])
def test_identical_periods_give_ratio_one(y1, y0):
    t = ss.change(two_periods(y1, y0), compare="previous").table
    if y0:
        assert t["value"][0] == 1.0
    assert not t["significant"][0]


def test_swapping_periods_inverts_the_ratio_and_scaling_exposure_changes_nothing():
    a = ss.change(two_periods(150, 100), compare="previous").table
    b = ss.change(two_periods(100, 150), compare="previous").table
    assert a["value"][0] * b["value"][0] == pytest.approx(1.0)
    assert a["p_value"][0] == pytest.approx(b["p_value"][0], rel=1e-12)
    c = ss.change(two_periods(150, 100, population=[5e4, 5e4]), compare="previous").table
    d = ss.change(two_periods(150, 100, population=[5e6, 5e6]), compare="previous").table
    assert c["p_value"][0] == pytest.approx(d["p_value"][0], rel=1e-12)
    assert c["value"][0] == pytest.approx(d["value"][0], rel=1e-12)


def test_partial_periods_refused_unless_exposure_adjusted():
    refused = ss.change(two_periods(110, 120, e1=11), compare="previous")
    assert refused.table.height == 0
    assert refused.report.refused_partial == ["2014 (11 of 12 months) vs 2013 (12 of 12 months)"]
    adjusted = ss.change(two_periods(110, 120, e1=11), compare="previous", exposure_adjust=True)
    row = adjusted.table.row(0, named=True)
    assert row["value"] == pytest.approx((110 / 11) / (120 / 12))
    assert "exposure-adjusted" in row["flags"]


def test_zero_baseline_and_small_counts_are_flagged():
    t = ss.change(two_periods(4, 0), compare="previous").table
    row = t.row(0, named=True)
    assert row["pct_change"] is None
    assert "zero baseline" in row["flags"]
    assert "small count" in row["flags"]
    assert np.isfinite(row["p_value"])


def test_medway_wards_april_june_vs_july_september():
    medway = ss.datasets.medway_2014()
    q = ss.counts(medway.crimes, medway.geography, level="ward", period="quarter")
    res = ss.change(q, compare="previous")
    q3 = res.table.filter(pl.col("period") == "2014 Q3")
    assert q3.height == 22
    assert set(q3["comparison_period"]) == {"2014 Q2"}
    assert q3["verdict"].str.contains("significant|no change").all()
    # the default compares with the same quarter a year earlier, absent from 2014-only data
    same_q = ss.change(q)
    assert same_q.table.height == 0
    assert same_q.report.without_earlier_period == 22 * 4


def test_naive_partial_year_comparison_is_refused():
    medway = ss.datasets.medway_2014()
    fy = ss.counts(medway.crimes, medway.geography, level="lad", period="financial_year")
    res = ss.change(fy, compare="previous")
    assert res.table.height == 0
    assert res.report.refused_partial == ["2014/15 (8 of 12 months) vs 2013/14 (3 of 12 months)"]


def test_breaks_are_attached_as_caveats():
    t = ss.change(
        two_periods(150, 100),
        compare="previous",
        breaks=[("2013-11", "crime data integrity inspection")],
    ).table
    assert "recording change (2013-11" in t["flags"][0]


def test_dispersion_widens_the_interval():
    plain = ss.change(two_periods(1350, 1250), compare="previous", method="score").table
    wide = ss.change(
        two_periods(1350, 1250), compare="previous", method="score", dispersion=4
    ).table
    assert wide["upper"][0] - wide["lower"][0] > plain["upper"][0] - plain["lower"][0]
    assert wide["p_value"][0] > plain["p_value"][0]


def test_trend_markers_on_five_years():
    years = [2015, 2016, 2017, 2018, 2019]
    frame = pl.DataFrame(
        {
            "area_code": ["X"] * 5 + ["Y"] * 5,
            "count": [1000, 1100, 1210, 1331, 1464, 1000, 1010, 990, 1005, 995],
            "period_start": [dt.date(y, 4, 1) for y in years] * 2,
            "months_expected": [12] * 10,
            "months_covered": [12] * 10,
            "population": [100_000.0] * 10,
        }
    )
    t = ss.trends(frame).table.sort("area_code")
    assert t["trend"].to_list() == ["Increasing", "No significant change"]
    assert t["annual_pct_change"][0] == pytest.approx(10.0, abs=0.05)


def _london_monthly_and_years():
    """Monthly total crime per London borough (bundled MPS file) and 2021/22, 2022/23."""
    raw = ss.datasets.london_mps().counts
    monthly = (
        raw.filter(
            ~pl.col("boroughname").is_in(["London Heathrow and London City Airports", "Unknown"])
        )
        .group_by(area_code="boroughname", period_start="month")
        .agg(pl.col("count").sum())
        .filter(pl.col("period_start") < dt.date(2023, 4, 1))
        .sort("area_code", "period_start")
    )
    years = (
        monthly.filter(pl.col("period_start") >= dt.date(2021, 4, 1))
        .with_columns(
            period=pl.when(pl.col("period_start") < dt.date(2022, 4, 1))
            .then(pl.lit("2021/22"))
            .otherwise(pl.lit("2022/23"))
        )
        .group_by("area_code", "period")
        .agg(
            pl.col("count").sum(),
            pl.col("period_start").min(),
            months_covered=pl.len(),
        )
        .with_columns(months_expected=pl.lit(12))
        .sort("area_code", "period")
    )
    return monthly, years


def test_monthly_counts_make_verdicts_allow_for_over_dispersion():
    monthly, years = _london_monthly_and_years()
    plain = ss.change(years)
    quasi = ss.change(years, monthly=monthly)
    assert quasi.report.dispersion_source == "monthly"
    assert quasi.report.quasi_rows == 32
    assert set(quasi.table["method"]) == {"quasi-score"}
    assert plain.table["significant"].sum() == 21
    assert quasi.table["significant"].sum() == 10
    # The same dispersion as series_dispersion reports, and the interval matches the test.
    phi = ss.series_dispersion(monthly).table.select("area_code", "dispersion")
    joined = quasi.table.join(phi, on="area_code", suffix="_series")
    assert (joined["dispersion"] - joined["dispersion_series"]).abs().max() < 1e-12
    t = quasi.table
    excludes = (t["lower"] > 1) | (t["upper"] < 1)
    assert (excludes == t["significant"]).all()
    # Quasi-Poisson score z: (y1 - y0)/sqrt(phi (y1 + y0)) for equal exposures.
    z = (t["count"] - t["count_previous"]) / np.sqrt(
        t["dispersion"] * (t["count"] + t["count_previous"])
    )
    from scipy.stats import norm

    np.testing.assert_allclose(
        t["p_value"].to_numpy(), 2 * norm.sf(np.abs(z.to_numpy())), rtol=1e-9
    )
    assert all("month-to-month variation" in v for v in t["verdict"])


def test_a_p_value_that_cannot_be_computed_gives_no_verdict():
    res = ss.change(two_periods(2**53, 2**53))
    row = res.table.row(0, named=True)
    assert row["significant"] is None
    assert row["verdict"] is None
    assert "no verdict" in row["flags"]
    assert res.report.no_verdict == 1


def _glm_two_periods(before, after):
    """A Poisson GLM of monthly counts on a period indicator, scale from Pearson's X2/df."""
    import statsmodels.api as sm

    y = np.asarray(list(before) + list(after), dtype=float)
    x = sm.add_constant(np.r_[np.zeros(len(before)), np.ones(len(after))])
    fit = sm.GLM(y, x, family=sm.families.Poisson()).fit(scale="X2")
    return fit


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_quasi_poisson_wald_equals_statsmodels_glm_with_pearson_scale(seed):
    # Over-dispersed monthly counts (negative binomial), two years: the quasi-Poisson Wald test
    # on the log rate ratio with phi = X2/df equals statsmodels' GLM with scale="X2": the
    # coefficient of the period indicator is log(y1/y0), its standard error
    # sqrt(phi (1/y1 + 1/y0)), its p-value and its interval.
    rng = np.random.default_rng(seed)
    mean = rng.uniform(40, 900)
    before = rng.negative_binomial(5, 5 / (5 + mean), 12)
    after = rng.negative_binomial(5, 5 / (5 + mean * rng.uniform(0.8, 1.25)), 12)
    fit = _glm_two_periods(before, after)
    phi = fit.scale
    assert phi > 1  # the test is about the quasi form
    t = ss.change(
        two_periods(int(after.sum()), int(before.sum())),
        compare="previous",
        method="wald-log",
        dispersion=phi,
    ).table
    assert t["method"][0] == "quasi-wald-log"
    assert t["dispersion"][0] == pytest.approx(phi, rel=1e-12)
    assert np.log(t["value"][0]) == pytest.approx(fit.params[1], rel=1e-9, abs=1e-12)
    assert t["p_value"][0] == pytest.approx(fit.pvalues[1], rel=1e-9, abs=1e-300)
    assert abs(t["test_statistic"][0]) == pytest.approx(abs(fit.tvalues[1]), rel=1e-9)
    lo, hi = np.exp(fit.conf_int(alpha=0.05)[1])
    assert t["lower"][0] == pytest.approx(lo, rel=1e-9)
    assert t["upper"][0] == pytest.approx(hi, rel=1e-9)
