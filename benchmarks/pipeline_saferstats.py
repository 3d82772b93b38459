"""The benchmark pipeline with saferstats. Every saferstats call of the benchmarks is here.

The Python API is being reshaped; keep this module small and change it with the API. Besides
saferstats itself it uses polars only where saferstats has no function: rolling the LSOA
populations up to wards and CSPs, and attaching each ward's CSP before the concentration step.
"""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl
import saferstats as ss
from common import (
    ANOMALY_THRESHOLD,
    CHANGE_TABLES,
    CONCENTRATION_TABLE,
    CONFIDENCE,
    COUNT_TABLES,
    PER,
    RATE_TABLES,
    SEASONALITY_TABLE,
    STL_SETTINGS,
    TOP,
    Inputs,
)

NAME = "saferstats"


def _versions() -> dict[str, str]:
    return {"saferstats": ss.__version__, "polars": pl.__version__}


def _seasonality_full_spec(table: pl.DataFrame) -> SimpleNamespace:
    """Call the core with every STL setting spelled out.

    Extensions built before the core's ``StlParams`` took serde defaults reject the partial
    spec the reshaped wrapper sends ("missing field `seasonal_length`"); delete this once every
    build has them.
    """
    stl = {
        "seasonal_length": STL_SETTINGS["seasonal"],
        "trend_length": None,
        "low_pass_length": None,
        "seasonal_degree": STL_SETTINGS["seasonal_deg"],
        "trend_degree": STL_SETTINGS["trend_deg"],
        "robust": STL_SETTINGS["robust"],
    }
    spec = {"keys": [], "anomaly_threshold": ANOMALY_THRESHOLD, "stl": stl}
    summary, profile, anomalies, _ = ss._saferstats.seasonality(table, spec)
    return SimpleNamespace(summary=summary, profile=profile, anomalies=anomalies)


class Pipeline:
    """saferstats implementation of the benchmark stages."""

    name = NAME

    def __init__(self, inputs: Inputs):
        self.inputs = inputs
        self.versions = _versions()

    def read(self) -> None:
        """Read the police.uk folder (typed, validated, with a read report)."""
        self.data = ss.read_police_uk(self.inputs.data_dir)

    def geography(self) -> None:
        """Build the geography of the forces read and the ward and CSP populations."""
        geo = ss.build_geography(
            ss.read_lookup(self.inputs.lsoa_lookup), ss.read_lookup(self.inputs.lad_lookup)
        )
        self.geo = geo.filter("force", list(self.inputs.force_codes))
        lsoa = ss.read_population(self.inputs.population, mid_year=self.inputs.population_year)
        # No saferstats function aggregates a population up the geography: plain polars.
        joined = self.geo.table.join(
            lsoa.table.select(lsoa_code="area_code", population="population"), on="lsoa_code"
        )
        self.population = pl.concat(
            [
                joined.group_by(area_code="ward_code").agg(pl.col("population").sum()),
                joined.filter(pl.col("csp_code").is_not_null())
                .group_by(area_code="csp_code")
                .agg(pl.col("population").sum()),
            ]
        ).with_columns(mid_year=pl.lit(self.inputs.population_year))

    def counts(self) -> None:
        """Count the five tables on the complete grid (the rows placed in the geography once)."""
        self.tables = ss.counts_many(
            self.data,
            self.geo,
            {
                name: {"level": level, "by": list(by), "period": period}
                for name, (level, by, period) in COUNT_TABLES.items()
            },
        )

    def rates(self) -> None:
        """Rates per 1,000 with 95% limits on the mid-2019 populations."""
        self.rate_tables = {
            name: ss.rates(
                self.tables[name],
                self.population,
                per=PER,
                confidence=CONFIDENCE,
                population_year=self.inputs.population_year,
            )
            for name in RATE_TABLES
        }

    def change(self) -> None:
        """Each year against the year before, exact conditional test."""
        self.change_tables = {
            name: ss.change(
                self.tables[name], compare="year_earlier", method="exact-cond", confidence=0.95
            )
            for name in CHANGE_TABLES
        }

    def concentration(self) -> None:
        """Top-5 ward share and the Gini family per CSP and year."""
        wards = (
            self.geo.table.select("ward_code", "csp_code")
            .filter(pl.col("csp_code").is_not_null())
            .unique()
        )
        table = self.tables[CONCENTRATION_TABLE].table.join(
            wards, left_on="area_code", right_on="ward_code"
        )
        # Areas are ranked within each group of the grouping keys and period. The baselines
        # compute the observed top share and Gini only, so the Poisson-null share and baseline
        # Gini (the costly part, on by default) are skipped; BENCHMARKS.md gives both timings.
        self.hotspots = ss.hotspots(table, top=TOP, keys=["csp_code"], poisson_null=False)

    def seasonality(self) -> None:
        """Profile, classical indices, STL, tests and anomalies of each CSP's monthly series."""
        self.season = None
        if self.inputs.has_seasonality:
            table = self.tables[SEASONALITY_TABLE]
            try:
                self.season = ss.seasonality(table)
            except ss.ParameterError as error:
                if "missing field" not in str(error):
                    raise
                self.season = _seasonality_full_spec(table.table)

    def canonical(self) -> dict[str, pl.DataFrame]:
        """Return every stage's output in the canonical layout (see ``common``)."""
        crimes = self.data.crimes
        out = {
            "read": crimes.group_by("crime_type").agg(
                rows=pl.len().cast(pl.Int64),
                no_location=pl.col("lsoa_code").is_null().sum().cast(pl.Int64),
            )
        }
        for name, (_, by, _) in COUNT_TABLES.items():
            out[f"counts_{name}"] = self.tables[name].table.select(
                "area_code",
                "area_name",
                *by,
                "period",
                pl.col("months_covered").cast(pl.Int64),
                "complete",
                pl.col("count").cast(pl.Int64),
            )
        for name in RATE_TABLES:
            _, by, _ = COUNT_TABLES[name]
            out[f"rates_{name}"] = self.rate_tables[name].table.select(
                "area_code",
                *by,
                "period",
                pl.col("count").cast(pl.Int64),
                pl.col("population").cast(pl.Float64),
                "value",
                "lower",
                "upper",
            )
        for name in CHANGE_TABLES:
            _, by, _ = COUNT_TABLES[name]
            out[f"change_{name}"] = self.change_tables[name].table.select(
                "area_code",
                *by,
                "period",
                "comparison_period",
                pl.col("count").cast(pl.Int64),
                pl.col("count_previous").cast(pl.Int64),
                ratio=pl.col("value").cast(pl.Float64),
                lower=pl.col("lower").cast(pl.Float64),
                upper=pl.col("upper").cast(pl.Float64),
                p_value=pl.col("p_value").cast(pl.Float64),
                significant="significant",
            )
        out["concentration"] = self.hotspots.summary.select(
            "csp_code",
            "period",
            pl.col("areas").cast(pl.Int64),
            pl.col("total").cast(pl.Float64),
            "top_share",
            "gini",
        )
        if self.season is not None:
            out["seasonality_summary"] = self.season.summary.select(
                "area_code",
                "seasonal_strength",
                "trend_strength",
                "kruskal_wallis",
                "kruskal_wallis_p",
            )
            out["seasonality_profile"] = self.season.profile.select(
                "area_code",
                "calendar_month",
                "mean_count",
                "mean_per_day",
                "classical_index",
                "stl_seasonal",
            )
            out["seasonality_anomalies"] = self.season.anomalies.select(
                "area_code",
                "month",
                pl.col("observed").cast(pl.Float64),
                "robust_score",
            )
        return out
