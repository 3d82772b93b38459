"""The benchmark pipeline in idiomatic hand-written Python polars.

Lazy scans, joins, group-bys and window expressions for everything tabular; scipy only for
statistical tails on numpy arrays (chi-squared and beta quantiles, binomial tails), and
statsmodels' STL per series (there is no STL in polars, and nobody hand-writes one). The exact
conditional test with equal exposures (every comparison of two complete years) is the
symmetric binomial test ``P(X <= min(k, n - k)) + P(X >= n - min(k, n - k))``, which is what
``scipy.stats.binomtest`` computes for p = 1/2, vectorised. Semantics as saferstats: see
``BENCHMARKS.md``.
"""

from __future__ import annotations

import numpy as np
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
)
from scipy import stats
from statsmodels.tsa.seasonal import STL

NAME = "polars"

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
SCHEMA = {c: pl.String for c in COLUMNS} | {"Longitude": pl.Float64, "Latitude": pl.Float64}


def _versions() -> dict[str, str]:
    import scipy
    import statsmodels

    return {
        "polars": pl.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "statsmodels": statsmodels.__version__,
    }


def exact_limits_table(confidence: float = CONFIDENCE) -> pl.DataFrame:
    """Exact chi-squared Poisson limits of the counts 0 to 9 (used below 10).

    Parameters
    ----------
    confidence
        Two-sided level.

    Returns
    -------
    polars.DataFrame
        ``count, exact_lower, exact_upper``.
    """
    o = np.arange(10, dtype=float)
    alpha = 1 - confidence
    lower = np.where(o > 0, stats.chi2.ppf(alpha / 2, 2 * o) / 2, 0.0)
    upper = stats.chi2.isf(alpha / 2, 2 * o + 2) / 2
    return pl.DataFrame({"count": np.arange(10), "exact_lower": lower, "exact_upper": upper})


def byar(o: pl.Expr, z: float) -> tuple[pl.Expr, pl.Expr]:
    """Byar's approximation to the Poisson limits of ``o`` (an expression of counts).

    Parameters
    ----------
    o
        Counts, as floats.
    z
        Normal critical value.

    Returns
    -------
    tuple of polars.Expr
        Lower and upper limits.
    """
    o1 = o + 1
    lower = o * (1 - 1 / (9 * o) - z / (3 * o.sqrt())) ** 3
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * o1.sqrt())) ** 3
    return lower, upper


def symmetric_binomial_test(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Two-sided binomial test of ``k`` of ``n`` at p = 1/2 (the minimum-likelihood rule).

    Parameters
    ----------
    k, n
        Successes and trials.

    Returns
    -------
    numpy.ndarray
        p-values (1 for n = 0).
    """
    lo = np.minimum(k, n - k)
    p = stats.binom.cdf(lo, n, 0.5) + stats.binom.sf(n - lo - 1, n, 0.5)
    return np.where((2 * k == n) | (n == 0), 1.0, np.minimum(p, 1.0))


def clopper_pearson_odds(k: np.ndarray, n: np.ndarray, confidence: float) -> tuple:
    """Clopper-Pearson limits for ``k`` of ``n``, as odds p / (1 - p).

    Parameters
    ----------
    k, n
        Successes and trials.
    confidence
        Two-sided level.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper odds (0 and infinity at the edges).
    """
    h = (1 - confidence) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        p_lo = stats.beta.ppf(h, k, n - k + 1)
        q_lo = stats.beta.isf(h, n - k + 1, k)
        p_hi = stats.beta.isf(h, k + 1, n - k)
        q_hi = stats.beta.ppf(h, n - k, k + 1)
        lower = np.where(k == 0, 0.0, p_lo / q_lo)
        upper = np.where(k == n, np.inf, p_hi / q_hi)
    return lower, upper


class Pipeline:
    """polars implementation of the benchmark stages."""

    name = NAME

    def __init__(self, inputs: Inputs):
        self.inputs = inputs
        self.versions = _versions()

    def read(self) -> None:
        """Scan every police.uk file, type the month, drop repeated Crime IDs."""
        self.crimes = (
            pl.scan_csv(list(self.inputs.files), schema=SCHEMA)
            .rename(COLUMNS)
            .with_columns(pl.col("month").str.to_date("%Y-%m"))
            .filter(pl.col("crime_id").is_null() | pl.col("crime_id").is_first_distinct())
            .collect()
        )

    def geography(self) -> None:
        """Join the lookups (CSP left empty for split authorities); roll populations up."""
        lsoa = pl.scan_csv(self.inputs.lsoa_lookup, infer_schema=False).select(
            lsoa_code="LSOA11CD",
            ward_code="WD19CD",
            ward_name="WD19NM",
            lad_code="LAD19CD",
        )
        lad = (
            pl.scan_csv(self.inputs.lad_lookup, infer_schema=False)
            .with_columns(split=pl.col("CSP19CD").n_unique().over("LAD19CD") > 1)
            .unique("LAD19CD", keep="first", maintain_order=True)
            .select(
                lad_code="LAD19CD",
                csp_code=pl.when(~pl.col("split")).then(pl.col("CSP19CD")),
                csp_name=pl.when(~pl.col("split")).then(pl.col("CSP19NM")),
                force_code="PFA19CD",
            )
        )
        self.geo = (
            lsoa.join(lad, on="lad_code", how="left")
            .filter(pl.col("force_code").is_in(list(self.inputs.force_codes)))
            .collect()
        )
        pop = pl.scan_csv(self.inputs.population, schema_overrides={"lsoa11_code": pl.String})
        joined = self.geo.lazy().join(
            pop.select(lsoa_code="lsoa11_code", population="total_population"), on="lsoa_code"
        )
        self.population = pl.concat(
            [
                joined.group_by(area_code="ward_code").agg(pl.col("population").sum()),
                joined.filter(pl.col("csp_code").is_not_null())
                .group_by(area_code="csp_code")
                .agg(pl.col("population").sum()),
            ]
        ).collect()

    def counts(self) -> None:
        """Count the five tables on the complete grid (areas x groups x periods, zeros kept)."""
        crimes = self.crimes.lazy().with_columns(
            ym=pl.col("month").dt.year() * 12 + pl.col("month").dt.month() - 1
        )
        covered = crimes.select(pl.col("ym").unique()).collect()["ym"].sort()
        first, last = int(covered[0]), int(covered[-1])
        placed = (
            crimes.select("lsoa_code", "crime_type", "ym")
            .join(self.geo.lazy().select("lsoa_code", "ward_code", "csp_code"), on="lsoa_code")
            .with_columns(year=pl.col("ym") // 12)
            .collect()
        )
        groups = crimes.select(pl.col("crime_type").drop_nulls().unique().sort()).collect()
        months = pl.DataFrame({"pidx": pl.int_range(first, last + 1, eager=True)}).with_columns(
            period=pl.format(
                "{}-{}",
                pl.col("pidx") // 12,
                (pl.col("pidx") % 12 + 1).cast(pl.String).str.zfill(2),
            ),
            months_expected=pl.lit(1),
            months_covered=pl.col("pidx").is_in(covered.implode()).cast(pl.Int64),
        )
        years = (
            pl.DataFrame({"ym": covered})
            .group_by(pidx=pl.col("ym") // 12)
            .agg(months_covered=pl.len().cast(pl.Int64))
        )
        years = (
            pl.DataFrame({"pidx": pl.int_range(first // 12, last // 12 + 1, eager=True)})
            .join(years, on="pidx", how="left")
            .with_columns(
                period=pl.col("pidx").cast(pl.String),
                months_expected=pl.lit(12),
                months_covered=pl.col("months_covered").fill_null(0),
            )
        )
        periods = {"month": months, "calendar_year": years}
        self.tables = {}
        for name, (level, by, period) in COUNT_TABLES.items():
            code = f"{level}_code"
            areas = (
                self.geo.lazy()
                .select(area_code=code, area_name=f"{level}_name")
                .filter(pl.col("area_code").is_not_null())
                .unique("area_code", keep="first")
            )
            key = "ym" if period == "month" else "year"
            counted = (
                placed.lazy()
                .group_by(pl.col(code).alias("area_code"), *by, pl.col(key).alias("pidx"))
                .agg(count=pl.len())
            )
            grid = areas
            if by:
                grid = grid.join(groups.lazy(), how="cross")
            grid = grid.join(periods[period].lazy(), how="cross")
            self.tables[name] = (
                grid.join(counted, on=["area_code", *by, "pidx"], how="left")
                .with_columns(
                    pl.col("count").fill_null(0).cast(pl.Int64),
                    complete=pl.col("months_covered") == pl.col("months_expected"),
                )
                .sort("area_code", *by, "pidx")
                .collect()
            )

    def rates(self) -> None:
        """Rates per 1,000 with 95% limits (Byar's from 10, exact below), mid-2019 populations."""
        z = float(stats.norm.ppf(CONFIDENCE + (1 - CONFIDENCE) / 2))
        exact = exact_limits_table().lazy().with_columns(pl.col("count").cast(pl.Int64))
        o = pl.col("count").cast(pl.Float64)
        byar_lo, byar_hi = byar(o, z)
        n = pl.col("population")
        self.rate_tables = {}
        for name in RATE_TABLES:
            self.rate_tables[name] = (
                self.tables[name]
                .lazy()
                .join(self.population.lazy(), on="area_code", how="left")
                .join(exact, on="count", how="left")
                .with_columns(
                    value=o / n * PER,
                    lower=pl.when(o >= 10).then(byar_lo).otherwise("exact_lower") / n * PER,
                    upper=pl.when(o >= 10).then(byar_hi).otherwise("exact_upper") / n * PER,
                )
                .collect()
            )

    def change(self) -> None:
        """Each complete year against the complete year before: exact conditional test."""
        self.change_tables = {}
        for name in CHANGE_TABLES:
            _, by, _ = COUNT_TABLES[name]
            keys = ["area_code", *by]
            t = self.tables[name].lazy()
            prev = t.select(
                *keys,
                pidx=pl.col("pidx") + 1,
                comparison_period="period",
                count_previous="count",
                exposure_previous=pl.col("months_covered").cast(pl.Float64),
                complete_previous="complete",
            )
            m = (
                t.join(prev, on=[*keys, "pidx"])
                .filter(pl.col("complete") & pl.col("complete_previous"))
                .with_columns(exposure=pl.col("months_covered").cast(pl.Float64))
                .collect()
            )
            y1, y0 = m["count"].to_numpy(), m["count_previous"].to_numpy()
            e1, e0 = m["exposure"].to_numpy(), m["exposure_previous"].to_numpy()
            n = y1 + y0
            if np.all(e1 == e0):
                p = symmetric_binomial_test(y1, n)
            else:  # unequal exposures: never the case for complete years
                p = np.array(
                    [
                        stats.binomtest(int(a), int(b), c / (c + d)).pvalue if b else 1.0
                        for a, b, c, d in zip(y1, n, e1, e0)
                    ]
                )
            lo, hi = clopper_pearson_odds(y1, n, CONFIDENCE)
            d = e0 / e1
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = (y1 / e1) / (y0 / e0)
            self.change_tables[name] = m.with_columns(
                ratio=pl.Series(ratio),
                lower=pl.Series(np.where(n == 0, 0.0, lo * d)),
                upper=pl.Series(np.where(n == 0, np.inf, hi * d)),
                p_value=pl.Series(p),
            ).with_columns(significant=pl.col("p_value") < 1 - CONFIDENCE)

    def concentration(self) -> None:
        """Top-5 ward share and Gini of ward counts, per CSP and year."""
        wards = (
            self.geo.lazy()
            .select("ward_code", "csp_code")
            .filter(pl.col("csp_code").is_not_null())
            .unique()
        )
        x = pl.col("count").sort()
        i = pl.int_range(1, pl.len() + 1)
        total = pl.col("count").sum()
        self.concentration_summary = (
            self.tables[CONCENTRATION_TABLE]
            .lazy()
            .join(wards, left_on="area_code", right_on="ward_code")
            .group_by("csp_code", "period")
            .agg(
                areas=pl.len(),
                total=total.cast(pl.Float64),
                top=pl.col("count").top_k(TOP).sum().cast(pl.Float64),
                weighted=((2 * i - pl.len() - 1) * x).sum().cast(pl.Float64),
            )
            .with_columns(
                top_share=pl.when(pl.col("total") > 0).then(pl.col("top") / pl.col("total")),
                gini=pl.when(pl.col("total") > 0).then(
                    pl.col("weighted") / (pl.col("areas") * pl.col("total"))
                ),
            )
            .collect()
        )

    def seasonality(self) -> None:
        """Monthly profile, classical indices, STL strengths, Kruskal-Wallis, anomalies."""
        self.season = None
        if not self.inputs.has_seasonality:
            return
        y = pl.col("count").cast(pl.Float64)
        t = (
            self.tables[SEASONALITY_TABLE]
            .lazy()
            .sort("area_code", "pidx")
            .with_columns(
                calendar_month=pl.col("pidx") % 12 + 1,
                per_day=y
                / pl.date(pl.col("pidx") // 12, pl.col("pidx") % 12 + 1, 1).dt.month_end().dt.day(),
                ma=(y.rolling_sum(13, center=True) - 0.5 * y.shift(6) - 0.5 * y.shift(-6)).over(
                    "area_code"
                )
                / 12,
            )
            .with_columns(ratio=pl.when(pl.col("ma") > 0).then(y / pl.col("ma")))
            .collect()
        )
        raw = pl.col("ratio").mean()
        profile = (
            t.group_by("area_code", "calendar_month")
            .agg(mean_count=y.mean(), mean_per_day=pl.col("per_day").mean(), raw=raw)
            .with_columns(
                classical_index=12 * pl.col("raw") / pl.col("raw").sum().over("area_code")
            )
        )
        # Kruskal-Wallis by calendar month, vectorised: mid-ranks within each series.
        ranked = t.with_columns(
            rank=y.rank("average").over("area_code"), n=pl.len().over("area_code")
        )
        ties = (
            ranked.group_by("area_code", "count")
            .agg(t=pl.len().cast(pl.Float64))
            .group_by("area_code")
            .agg(ties=(pl.col("t") ** 3 - pl.col("t")).sum())
        )
        kw = (
            ranked.group_by("area_code", "calendar_month")
            .agg(r=pl.col("rank").sum(), k=pl.len(), n=pl.col("n").first().cast(pl.Float64))
            .group_by("area_code")
            .agg(ssbn=(pl.col("r") ** 2 / pl.col("k")).sum(), n=pl.col("n").first())
            .join(ties, on="area_code")
            .with_columns(
                kruskal_wallis=(
                    12 / (pl.col("n") * (pl.col("n") + 1)) * pl.col("ssbn") - 3 * (pl.col("n") + 1)
                )
                / (1 - pl.col("ties") / (pl.col("n") ** 3 - pl.col("n")))
            )
        )
        kw = kw.with_columns(
            kruskal_wallis_p=pl.Series(stats.chi2.sf(kw["kruskal_wallis"].to_numpy(), 11))
        )
        strengths, stl_rows, anomalies = [], [], []
        for (area,), s in t.partition_by("area_code", as_dict=True, maintain_order=True).items():
            counts = s["count"].to_numpy().astype(float)
            fit = STL(counts, **STL_SETTINGS).fit(**STL_FIT)
            strengths.append(
                (area, _strength(fit.seasonal, fit.resid), _strength(fit.trend, fit.resid))
            )
            cal = s["calendar_month"].to_numpy()
            stl_rows += [(area, m, fit.seasonal[cal == m].mean()) for m in range(1, 13)]
            scale = _robust_scale(counts, fit.resid)
            if scale > 1e-9 * counts.mean():
                score = fit.resid / scale
                for j in np.flatnonzero(np.abs(score) > ANOMALY_THRESHOLD):
                    anomalies.append((area, int(s["pidx"][int(j)]), counts[j], score[j]))
        stl = pl.DataFrame(
            stl_rows, schema=["area_code", "calendar_month", "stl_seasonal"], orient="row"
        ).cast({"calendar_month": pl.Int64})
        summary = pl.DataFrame(
            strengths,
            schema=["area_code", "seasonal_strength", "trend_strength"],
            orient="row",
        ).join(kw.select("area_code", "kruskal_wallis", "kruskal_wallis_p"), on="area_code")
        anomaly_frame = pl.DataFrame(
            anomalies,
            schema={
                "area_code": pl.String,
                "pidx": pl.Int64,
                "observed": pl.Float64,
                "robust_score": pl.Float64,
            },
            orient="row",
        )
        self.season = (
            summary,
            profile.with_columns(pl.col("calendar_month").cast(pl.Int64)).join(
                stl, on=["area_code", "calendar_month"]
            ),
            anomaly_frame,
        )

    def canonical(self) -> dict[str, pl.DataFrame]:
        """Return every stage's output in the canonical layout (see ``common``)."""
        out = {
            "read": self.crimes.group_by("crime_type").agg(
                rows=pl.len().cast(pl.Int64),
                no_location=pl.col("lsoa_code").is_null().sum().cast(pl.Int64),
            )
        }
        for name, (_, by, _) in COUNT_TABLES.items():
            out[f"counts_{name}"] = self.tables[name].select(
                "area_code",
                "area_name",
                *by,
                "period",
                pl.col("months_covered").cast(pl.Int64),
                "complete",
                "count",
            )
        for name in RATE_TABLES:
            _, by, _ = COUNT_TABLES[name]
            out[f"rates_{name}"] = self.rate_tables[name].select(
                "area_code",
                *by,
                "period",
                "count",
                pl.col("population").cast(pl.Float64),
                "value",
                "lower",
                "upper",
            )
        for name in CHANGE_TABLES:
            _, by, _ = COUNT_TABLES[name]
            finite = [
                pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c) for c in ("ratio", "upper")
            ]
            out[f"change_{name}"] = (
                self.change_tables[name]
                .select(
                    "area_code",
                    *by,
                    "period",
                    "comparison_period",
                    "count",
                    "count_previous",
                    *finite,
                    "lower",
                    "p_value",
                )
                .select(
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
                    significant=pl.col("p_value") < 1 - CONFIDENCE,
                )
            )
        out["concentration"] = self.concentration_summary.select(
            "csp_code",
            "period",
            pl.col("areas").cast(pl.Int64),
            "total",
            "top_share",
            "gini",
        )
        if self.season is not None:
            summary, profile, anomalies = self.season
            out["seasonality_summary"] = summary
            out["seasonality_profile"] = profile.select(
                "area_code",
                pl.col("calendar_month").map_elements(
                    lambda m: MONTH_NAMES[m - 1], return_dtype=pl.String
                ),
                "mean_count",
                "mean_per_day",
                "classical_index",
                "stl_seasonal",
            )
            out["seasonality_anomalies"] = anomalies.select(
                "area_code",
                month=pl.date(pl.col("pidx") // 12, pl.col("pidx") % 12 + 1, 1),
                observed="observed",
                robust_score="robust_score",
            )
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
