"""saferstats: crime statistics for Community Safety Partnership strategic assessments.

Readers for data.police.uk street-level files and ONS lookups and population estimates,
reporting periods and complete-grid counts, computed in a Rust core on polars frames.

Examples
--------
>>> import saferstats
>>> medway = saferstats.datasets.medway_2014()
>>> result = saferstats.counts(medway.crimes, medway.geography, level="csp",
...                            period="quarter")
>>> result.table.select("area_name", "period", "complete", "count").head(4)
shape: (4, 4)
┌───────────┬─────────┬──────────┬───────┐
│ area_name ┆ period  ┆ complete ┆ count │
│ ---       ┆ ---     ┆ ---      ┆ ---   │
│ str       ┆ str     ┆ bool     ┆ i64   │
╞═══════════╪═════════╪══════════╪═══════╡
│ Medway    ┆ 2014 Q1 ┆ true     ┆ 6088  │
│ Medway    ┆ 2014 Q2 ┆ true     ┆ 7134  │
│ Medway    ┆ 2014 Q3 ┆ true     ┆ 7257  │
│ Medway    ┆ 2014 Q4 ┆ false    ┆ 4638  │
└───────────┴─────────┴──────────┴───────┘

"""

from saferstats import datasets
from saferstats._saferstats import (
    ColumnError,
    DataError,
    InputFileError,
    InsufficientDataError,
    InternalError,
    ParameterError,
    SaferstatsError,
    __version__,
)
from saferstats.change import ChangeResult, change, dispersion_from_monthly, trends
from saferstats.counts import ALL_CRIME_EXCLUDING_ASB, CountResult, counts, map_categories
from saferstats.hotspots import (
    HotspotResult,
    grid_hotspots,
    hotspots,
    lorenz,
    persistence,
    share_change,
)
from saferstats.rates import (
    RateResult,
    compare_with_benchmark,
    funnel_limits,
    kish_effective_n,
    newcombe_difference,
    proportions,
    rank_among_peers,
    rates,
    shares,
)
from saferstats.readers import (
    Geography,
    Lookup,
    PoliceUkData,
    Population,
    ReadReport,
    build_geography,
    read_lookup,
    read_police_uk,
    read_population,
)
from saferstats.seasonality import SeasonalityResult, read_wide_monthly, seasonality

__all__ = [
    "ALL_CRIME_EXCLUDING_ASB",
    "ChangeResult",
    "ColumnError",
    "CountResult",
    "DataError",
    "Geography",
    "HotspotResult",
    "InputFileError",
    "InsufficientDataError",
    "InternalError",
    "Lookup",
    "ParameterError",
    "PoliceUkData",
    "Population",
    "RateResult",
    "ReadReport",
    "SaferstatsError",
    "SeasonalityResult",
    "__version__",
    "build_geography",
    "change",
    "compare_with_benchmark",
    "counts",
    "datasets",
    "dispersion_from_monthly",
    "funnel_limits",
    "grid_hotspots",
    "hotspots",
    "kish_effective_n",
    "lorenz",
    "map_categories",
    "newcombe_difference",
    "persistence",
    "proportions",
    "rank_among_peers",
    "rates",
    "read_lookup",
    "read_police_uk",
    "read_population",
    "read_wide_monthly",
    "seasonality",
    "share_change",
    "shares",
    "trends",
]
