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

from saferstats import datasets, plot
from saferstats._reports import (
    ChangeReport,
    CountReport,
    DispersionReport,
    FileReport,
    GridReport,
    HotspotReport,
    PeerReport,
    ProportionReport,
    RateReport,
    ReadReport,
    SeasonalityReport,
    ShareReport,
    TrendReport,
)
from saferstats._results import (
    ChangeResult,
    CountResult,
    DispersionResult,
    GridResult,
    HotspotResult,
    LorenzResult,
    PeerResult,
    PersistenceResult,
    ProportionResult,
    RateResult,
    SeasonalityResult,
    ShareChangeResult,
    ShareResult,
    TrendResult,
)
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
from saferstats.assessment import Assessment, assessment, reproduce
from saferstats.change import change, dispersion_from_monthly, series_dispersion, trends
from saferstats.counts import ALL_CRIME_EXCLUDING_ASB, counts, counts_many, map_categories
from saferstats.hotspots import grid_hotspots, hotspots, lorenz, persistence, share_change
from saferstats.rates import (
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
    build_geography,
    read_lookup,
    read_police_uk,
    read_population,
)
from saferstats.seasonality import read_wide_monthly, seasonality

__all__ = [
    "ALL_CRIME_EXCLUDING_ASB",
    "Assessment",
    "ChangeReport",
    "ChangeResult",
    "ColumnError",
    "CountReport",
    "CountResult",
    "DataError",
    "DispersionReport",
    "DispersionResult",
    "FileReport",
    "Geography",
    "GridReport",
    "GridResult",
    "HotspotReport",
    "HotspotResult",
    "InputFileError",
    "InsufficientDataError",
    "InternalError",
    "Lookup",
    "LorenzResult",
    "ParameterError",
    "PeerReport",
    "PeerResult",
    "PersistenceResult",
    "PoliceUkData",
    "Population",
    "ProportionReport",
    "ProportionResult",
    "RateReport",
    "RateResult",
    "ReadReport",
    "SaferstatsError",
    "SeasonalityReport",
    "SeasonalityResult",
    "ShareChangeResult",
    "ShareReport",
    "ShareResult",
    "TrendReport",
    "TrendResult",
    "__version__",
    "assessment",
    "build_geography",
    "change",
    "compare_with_benchmark",
    "counts",
    "counts_many",
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
    "plot",
    "proportions",
    "rank_among_peers",
    "rates",
    "read_lookup",
    "read_police_uk",
    "read_population",
    "read_wide_monthly",
    "reproduce",
    "seasonality",
    "series_dispersion",
    "share_change",
    "shares",
    "trends",
]
