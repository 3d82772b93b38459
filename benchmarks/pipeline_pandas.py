"""The benchmark pipeline as a competent analyst writes it in pandas with scipy and statsmodels.

Vectorised where pandas makes that natural (merges, group-bys, ``reindex`` onto the complete
grid, numpy formulas for Byar's limits), scipy and statsmodels where an analyst would reach for
them: ``scipy.stats.chi2`` for the exact Poisson limits, ``scipy.stats.binomtest`` per row for
the exact conditional test (as R's ``poisson.test``) with its Clopper-Pearson interval,
``statsmodels`` STL and ``scipy.stats.kruskal`` per series. The semantics follow saferstats
(see ``BENCHMARKS.md``): counts on the complete grid, CSPs of local authorities split between
CSPs left empty, comparisons only between complete periods.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
from common import (
    ANOMALY_THRESHOLD,
    CHANGE_TABLES,
    CONCENTRATION_TABLE,
    CONFIDENCE,
    COUNT_TABLES,
    MAD_SCALE,
    MONTH_NAMES,
    PER,
    RATE_TABLES,
    SEASONALITY_TABLE,
    STL_FIT,
    STL_SETTINGS,
    TOP,
    Inputs,
    period_label,
)
from scipy import stats
from statsmodels.tsa.seasonal import STL

NAME = "pandas"

COLUMNS = {
    "Crime ID": "crime_id",
    "Month": "month",
    "Reported by": "reported_by",
    "Falls within": "falls_within",
    "Longitude": "longitude",
    "Latitude": "latitude",
    "Location": "location",
    "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name",
    "Crime type": "crime_type",
    "Last outcome category": "last_outcome",
    "Context": "context",
}
#: What pandas would infer anyway, stated so that an all-empty column cannot change type.
DTYPES = {"Longitude": "float64", "Latitude": "float64", "Context": "object"}


def _versions() -> dict[str, str]:
    import scipy
    import statsmodels

    return {
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "statsmodels": statsmodels.__version__,
    }


def poisson_limits(count: np.ndarray, confidence: float = CONFIDENCE) -> tuple:
    """Return PHE's limits for Poisson counts: Byar's from 10, exact chi-squared below.

    Parameters
    ----------
    count
        Observed counts.
    confidence
        Two-sided level.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits on the count scale.
    """
    o = count.astype(float)
    z = stats.norm.ppf(confidence + (1 - confidence) / 2)
    alpha = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        byar_lo = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        byar_hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
    exact_lo = np.where(o > 0, stats.chi2.ppf(alpha / 2, 2 * o) / 2, 0.0)
    exact_hi = stats.chi2.isf(alpha / 2, 2 * o + 2) / 2
    big = o >= 10
    return np.where(big, byar_lo, exact_lo), np.where(big, byar_hi, exact_hi)


def exact_conditional(y1: int, n1: float, y0: int, n0: float, confidence: float) -> tuple:
    """Exact conditional test of two Poisson rates (binomial test on the total).

    Parameters
    ----------
    y1, n1
        Count and exposure of the current period.
    y0, n0
        Count and exposure of the earlier period.
    confidence
        Level of the rate-ratio interval.

    Returns
    -------
    tuple of float
        p-value, rate-ratio lower and upper limits (Clopper-Pearson, mapped to the ratio).
    """
    n = y1 + y0
    if n == 0:
        return 1.0, 0.0, np.inf
    d = n0 / n1
    test = stats.binomtest(y1, n, n1 / (n1 + n0))
    ci = test.proportion_ci(confidence_level=confidence, method="exact")
    with np.errstate(divide="ignore"):
        lower = ci.low / (1 - ci.low) * d
        upper = ci.high / (1 - ci.high) * d if ci.high < 1 else np.inf
    return test.pvalue, lower, upper


class Pipeline:
    """pandas implementation of the benchmark stages."""

    name = NAME

    def __init__(self, inputs: Inputs):
        self.inputs = inputs
        self.versions = _versions()

    def read(self) -> None:
        """Read every police.uk file, type the month, drop repeated Crime IDs."""
        frames = [pd.read_csv(f, dtype=DTYPES) for f in self.inputs.files]
        crimes = pd.concat(frames, ignore_index=True).rename(columns=COLUMNS)
        crimes["month"] = pd.to_datetime(crimes["month"], format="%Y-%m")
        repeated = crimes["crime_id"].notna() & crimes["crime_id"].duplicated()
        self.crimes = crimes[~repeated] if repeated.any() else crimes

    def geography(self) -> None:
        """Join the lookups (CSP left empty for split authorities); roll populations up."""
        lsoa = pd.read_csv(
            self.inputs.lsoa_lookup,
            usecols=["LSOA11CD", "LSOA11NM", "WD19CD", "WD19NM", "LAD19CD", "LAD19NM"],
            dtype="string",
        )
        lad = pd.read_csv(self.inputs.lad_lookup, dtype="string")
        split = lad.groupby("LAD19CD")["CSP19CD"].transform("nunique") > 1
        lad.loc[split, ["CSP19CD", "CSP19NM"]] = pd.NA
        lad = lad.drop_duplicates("LAD19CD")[["LAD19CD", "CSP19CD", "CSP19NM", "PFA19CD"]]
        geo = lsoa.merge(lad, on="LAD19CD", how="left")
        geo = geo[geo["PFA19CD"].isin(self.inputs.force_codes)]
        self.geo = geo.rename(
            columns={
                "LSOA11CD": "lsoa_code",
                "WD19CD": "ward_code",
                "WD19NM": "ward_name",
                "CSP19CD": "csp_code",
                "CSP19NM": "csp_name",
            }
        )
        pop = pd.read_csv(
            self.inputs.population,
            usecols=["lsoa11_code", "total_population"],
            dtype={"lsoa11_code": "string"},
        )
        joined = self.geo.merge(pop, left_on="lsoa_code", right_on="lsoa11_code")
        ward = joined.groupby("ward_code")["total_population"].sum()
        csp = joined.dropna(subset=["csp_code"]).groupby("csp_code")["total_population"].sum()
        self.population = pd.concat([ward, csp]).astype(float)

    def counts(self) -> None:
        """Count the five tables on the complete grid (areas x groups x periods, zeros kept)."""
        crimes = self.crimes
        month_ix = crimes["month"].dt.year * 12 + crimes["month"].dt.month - 1
        covered = np.sort(month_ix.unique())
        placed = pd.DataFrame(
            {"lsoa_code": crimes["lsoa_code"], "crime_type": crimes["crime_type"], "ym": month_ix}
        ).merge(self.geo[["lsoa_code", "ward_code", "csp_code"]], on="lsoa_code", how="inner")
        placed["year"] = placed["ym"] // 12
        groups = sorted(crimes["crime_type"].dropna().unique())
        first, last = int(covered[0]), int(covered[-1])
        periods = {
            "month": np.arange(first, last + 1),
            "calendar_year": np.arange(first // 12, last // 12 + 1),
        }
        covered_set = set(int(m) for m in covered)
        self.tables = {}
        for name, (level, by, period) in COUNT_TABLES.items():
            code = f"{level}_code"
            areas = (
                self.geo[[code, f"{level}_name"]]
                .dropna(subset=[code])
                .drop_duplicates(code)
                .sort_values(code)
            )
            key = "ym" if period == "month" else "year"
            counted = placed.groupby([code, *by, key]).size()
            levels = [areas[code].to_numpy(), *([groups] * len(by)), periods[period]]
            grid = pd.MultiIndex.from_product(levels, names=[code, *by, key])
            table = counted.reindex(grid, fill_value=0).rename("count").reset_index()
            table = table.rename(columns={code: "area_code", key: "pidx"})
            table["area_name"] = table["area_code"].map(areas.set_index(code)[f"{level}_name"])
            if period == "month":
                months = table["pidx"]
                table["months_expected"] = 1
                table["months_covered"] = months.isin(covered_set).astype(int)
            else:
                per_year = pd.Series([m // 12 for m in covered_set]).value_counts()
                table["months_expected"] = 12
                table["months_covered"] = table["pidx"].map(per_year).fillna(0).astype(int)
            table["complete"] = table["months_covered"] == table["months_expected"]
            labels = {p: period_label(period, int(p)) for p in periods[period]}
            table["period"] = table["pidx"].map(labels)
            self.tables[name] = table

    def rates(self) -> None:
        """Rates per 1,000 with 95% limits (Byar's from 10, exact below), mid-2019 populations."""
        self.rate_tables = {}
        for name in RATE_TABLES:
            t = self.tables[name].copy()
            t["population"] = t["area_code"].map(self.population)
            lower, upper = poisson_limits(t["count"].to_numpy())
            t["value"] = t["count"] / t["population"] * PER
            t["lower"] = lower / t["population"] * PER
            t["upper"] = upper / t["population"] * PER
            self.rate_tables[name] = t

    def change(self) -> None:
        """Each complete year against the complete year before: exact conditional test."""
        self.change_tables = {}
        for name in CHANGE_TABLES:
            _, by, _ = COUNT_TABLES[name]
            t = self.tables[name]
            keys = ["area_code", *by]
            prev = t[[*keys, "pidx", "period", "count", "months_covered", "complete"]].copy()
            prev["pidx"] += 1
            m = t.merge(prev, on=[*keys, "pidx"], suffixes=("", "_previous"))
            m = m[m["complete"] & m["complete_previous"]].reset_index(drop=True)
            e1 = m["months_covered"].to_numpy(float)
            e0 = m["months_covered_previous"].to_numpy(float)
            y1 = m["count"].to_numpy()
            y0 = m["count_previous"].to_numpy()
            tests = [
                exact_conditional(int(a), b, int(c), d, CONFIDENCE)
                for a, b, c, d in zip(y1, e1, y0, e0)
            ]
            p, lo, hi = (np.array(v, dtype=float) for v in zip(*tests)) if tests else ([],) * 3
            with np.errstate(divide="ignore", invalid="ignore"):
                m["ratio"] = (y1 / e1) / (y0 / e0)
            m["lower"] = lo
            m["upper"] = hi
            m["p_value"] = p
            m["significant"] = m["p_value"] < 1 - CONFIDENCE
            m = m.rename(columns={"period_previous": "comparison_period"})
            self.change_tables[name] = m

    def concentration(self) -> None:
        """Top-5 ward share and Gini of ward counts, per CSP and year."""
        wards = self.geo[["ward_code", "csp_code"]].dropna().drop_duplicates()
        w = self.tables[CONCENTRATION_TABLE].merge(wards, left_on="area_code", right_on="ward_code")
        w = w.sort_values(["csp_code", "period", "count"], kind="mergesort")
        g = w.groupby(["csp_code", "period"], sort=False)
        n = g["count"].transform("size")
        rank = g.cumcount() + 1
        w["weighted"] = (2 * rank - n - 1) * w["count"]
        summary = g.agg(
            areas=("count", "size"), total=("count", "sum"), weighted=("weighted", "sum")
        )
        summary["top"] = g.tail(TOP).groupby(["csp_code", "period"])["count"].sum()
        total = summary["total"].astype(float).where(summary["total"] > 0)
        summary["top_share"] = summary["top"] / total
        summary["gini"] = summary["weighted"] / (summary["areas"] * total)
        self.concentration_summary = summary.reset_index()

    def seasonality(self) -> None:
        """Monthly profile, classical indices, STL strengths, Kruskal-Wallis, anomalies."""
        self.season = None
        if not self.inputs.has_seasonality:
            return
        t = self.tables[SEASONALITY_TABLE].sort_values(["area_code", "pidx"]).reset_index()
        year, month = t["pidx"] // 12, t["pidx"] % 12 + 1
        t["calendar_month"] = month
        days = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))
        t["per_day"] = t["count"] / days.dt.days_in_month
        profile = t.groupby(["area_code", "calendar_month"]).agg(
            mean_count=("count", "mean"), mean_per_day=("per_day", "mean")
        )
        g = t.groupby("area_code")["count"]
        window = g.transform(lambda s: s.rolling(13, center=True).sum())
        ma = (window - 0.5 * g.shift(6) - 0.5 * g.shift(-6)) / 12
        t["ratio"] = (t["count"] / ma).where(ma > 0)
        raw = t.groupby(["area_code", "calendar_month"])["ratio"].mean()
        profile["classical_index"] = 12 * raw / raw.groupby(level="area_code").transform("sum")

        summary, stl_profile, anomalies = [], [], []
        for area, s in t.groupby("area_code", sort=True):
            y = s["count"].to_numpy(float)
            cal = s["calendar_month"].to_numpy()
            fit = STL(y, **STL_SETTINGS).fit(**STL_FIT)
            seasonal, trend, resid = fit.seasonal, fit.trend, fit.resid
            kw = stats.kruskal(*[y[cal == m] for m in range(1, 13)])
            summary.append(
                {
                    "area_code": area,
                    "seasonal_strength": _strength(seasonal, resid),
                    "trend_strength": _strength(trend, resid),
                    "kruskal_wallis": kw.statistic,
                    "kruskal_wallis_p": kw.pvalue,
                }
            )
            for m in range(1, 13):
                stl_profile.append((area, m, seasonal[cal == m].mean()))
            for i in _anomalous(y, resid):
                anomalies.append(
                    {"area_code": area, "month": s["pidx"].iloc[i], "observed": y[i]}
                    | {"robust_score": resid[i] / _robust_scale(y, resid)}
                )
        stl = pd.DataFrame(stl_profile, columns=["area_code", "calendar_month", "stl_seasonal"])
        profile = profile.reset_index().merge(stl, on=["area_code", "calendar_month"])
        self.season = (pd.DataFrame(summary), profile, pd.DataFrame(anomalies))

    def canonical(self) -> dict[str, pl.DataFrame]:
        """Return every stage's output in the canonical layout (see ``common``)."""
        out = {}
        read = (
            self.crimes.assign(no_location=self.crimes["lsoa_code"].isna())
            .groupby("crime_type")
            .agg(rows=("crime_type", "size"), no_location=("no_location", "sum"))
            .reset_index()
        )
        out["read"] = _pl(read).cast({"rows": pl.Int64, "no_location": pl.Int64})
        for name, (_, by, _) in COUNT_TABLES.items():
            t = self.tables[name]
            cols = ["area_code", "area_name", *by, "period", "months_covered", "complete", "count"]
            out[f"counts_{name}"] = _pl(t[cols]).cast(
                {"months_covered": pl.Int64, "count": pl.Int64}
            )
        for name in RATE_TABLES:
            _, by, _ = COUNT_TABLES[name]
            t = self.rate_tables[name]
            cols = ["area_code", *by, "period", "count", "population", "value", "lower", "upper"]
            out[f"rates_{name}"] = _pl(t[cols]).cast({"count": pl.Int64})
        for name in CHANGE_TABLES:
            _, by, _ = COUNT_TABLES[name]
            t = self.change_tables[name]
            cols = [
                "area_code",
                *by,
                "period",
                "comparison_period",
                "count",
                "count_previous",
                "ratio",
                "lower",
                "upper",
                "p_value",
                "significant",
            ]
            frame = _pl(t[cols]).cast({"count": pl.Int64, "count_previous": pl.Int64})
            out[f"change_{name}"] = frame.with_columns(
                pl.col(c).cast(pl.Float64) for c in ("ratio", "lower", "upper", "p_value")
            ).with_columns(
                pl.when(pl.col(c).is_infinite()).then(None).otherwise(pl.col(c)).alias(c)
                for c in ("ratio", "upper")
            )
        c = self.concentration_summary
        out["concentration"] = _pl(
            c[["csp_code", "period", "areas", "total", "top_share", "gini"]]
        ).cast({"areas": pl.Int64, "total": pl.Float64})
        if self.season is not None:
            summary, profile, anomalies = self.season
            out["seasonality_summary"] = _pl(summary)
            out["seasonality_profile"] = _pl(profile).with_columns(
                pl.col("calendar_month").map_elements(
                    lambda m: MONTH_NAMES[m - 1], return_dtype=pl.String
                )
            )
            out["seasonality_anomalies"] = _anomaly_frame(anomalies)
        return out


def _strength(component: np.ndarray, remainder: np.ndarray) -> float:
    denominator = np.var(component + remainder, ddof=1)
    if denominator <= 0:
        return 0.0
    return max(0.0, 1.0 - np.var(remainder, ddof=1) / denominator)


def _robust_scale(y: np.ndarray, resid: np.ndarray) -> float:
    med = np.median(resid)
    dev = np.abs(resid - med)
    scale = MAD_SCALE * np.median(dev)
    if scale <= 1e-9 * y.mean():
        scale = 1.253314 * dev.mean()
    return scale


def _anomalous(y: np.ndarray, resid: np.ndarray) -> np.ndarray:
    scale = _robust_scale(y, resid)
    if not scale > 1e-9 * y.mean():
        return np.array([], dtype=int)
    return np.flatnonzero(np.abs(resid / scale) > ANOMALY_THRESHOLD)


def _anomaly_frame(rows: pd.DataFrame) -> pl.DataFrame:
    schema = {"area_code": pl.String, "month": pl.Date, "observed": pl.Float64}
    if rows.empty:
        return pl.DataFrame(schema=schema | {"robust_score": pl.Float64})
    frame = _pl(rows)
    return frame.with_columns(
        pl.date(pl.col("month") // 12, pl.col("month") % 12 + 1, 1).alias("month")
    ).cast({"observed": pl.Float64})


def _pl(frame: pd.DataFrame) -> pl.DataFrame:
    return pl.from_pandas(frame.reset_index(drop=True))
