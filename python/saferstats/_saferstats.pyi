"""Type stubs for the compiled core (private: use the functions in ``saferstats``)."""

from typing import Optional

import polars as pl

__version__: str

class SaferstatsError(ValueError): ...
class ColumnError(SaferstatsError): ...
class DataError(SaferstatsError): ...
class ParameterError(SaferstatsError): ...
class InsufficientDataError(SaferstatsError): ...
class InputFileError(SaferstatsError): ...
class InternalError(SaferstatsError): ...

def read_police_uk(
    paths: list[str], no_location: str, duplicate_crime_id: str, unknown_crime_type: str
) -> tuple[pl.DataFrame, pl.DataFrame, str]: ...
def read_lookup(path: str) -> tuple[pl.DataFrame, str, str, str]: ...
def build_geography(
    lsoa_table: pl.DataFrame,
    lsoa_kind: str,
    lsoa_vintage: str,
    lsoa_source: str,
    lad_table: Optional[pl.DataFrame] = None,
    lad_kind: Optional[str] = None,
    lad_vintage: Optional[str] = None,
    lad_source: Optional[str] = None,
) -> tuple[pl.DataFrame, str, list[str]]: ...
def read_population(path: str, mid_year: Optional[int] = None) -> tuple[pl.DataFrame, str, str]: ...
def counts(
    crimes: pl.DataFrame,
    geography_table: pl.DataFrame,
    level: str,
    by: list[str],
    period: str,
    coverage: Optional[list[str]] = None,
) -> tuple[pl.DataFrame, str]: ...
def map_categories(
    crimes: pl.DataFrame,
    mapping: dict[str, str],
    column: str,
    out: str,
    default_group: Optional[str] = None,
) -> pl.DataFrame: ...
def all_crime_excluding_asb() -> dict[str, str]: ...
def medway_2014(
    no_location: str, duplicate_crime_id: str, unknown_crime_type: str
) -> tuple[
    tuple[pl.DataFrame, pl.DataFrame, str],
    tuple[pl.DataFrame, str, list[str]],
    tuple[pl.DataFrame, str, str, str],
    tuple[pl.DataFrame, str, str],
    tuple[pl.DataFrame, str, str],
]: ...
def write_medway_2014(directory: str) -> list[str]: ...
def rates(
    counts: pl.DataFrame,
    population: pl.DataFrame,
    per: float,
    confidence: Optional[float],
    population_year: Optional[int],
    year_offset: int,
    phe_columns: bool,
) -> tuple[pl.DataFrame, str]: ...
def shares(counts: pl.DataFrame, of: str, confidence: float, per: float) -> pl.DataFrame: ...
def compare_with_benchmark(
    rates: pl.DataFrame,
    benchmark_value: Optional[float],
    per: float,
    peer_keys: Optional[list[str]] = None,
) -> pl.DataFrame: ...
def funnel_limits(
    rates: pl.DataFrame,
    benchmark_value: Optional[float],
    per: float,
    peer_keys: Optional[list[str]] = None,
) -> pl.DataFrame: ...
def rank_among_peers(
    rates: pl.DataFrame, simulations: int, seed: int, peer_keys: Optional[list[str]] = None
) -> pl.DataFrame: ...
def change(
    counts: pl.DataFrame,
    compare: str,
    months_earlier: Optional[int],
    method: str,
    confidence: float,
    dispersion: float,
    exposure_adjust: bool,
    small_count: float,
    breaks: list[tuple[str, str]],
) -> tuple[pl.DataFrame, str]: ...
def dispersion_from_monthly(counts: list[float], first_month: int) -> float: ...
def trends(
    annual: pl.DataFrame, breaks: list[tuple[str, str]], confidence: float
) -> pl.DataFrame: ...
def read_wide_monthly(path: str) -> pl.DataFrame: ...
def seasonality(
    monthly: pl.DataFrame,
    keys: Optional[list[str]],
    anomaly_threshold: float,
    seasonal_length: Optional[int],
    robust: bool,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]: ...
def hotspots(
    counts: pl.DataFrame, previous: Optional[pl.DataFrame], top: int, keys: Optional[list[str]]
) -> tuple[pl.DataFrame, pl.DataFrame]: ...
def persistence(counts: pl.DataFrame, top: int, keys: Optional[list[str]]) -> pl.DataFrame: ...
def share_change(before: pl.DataFrame, after: pl.DataFrame, test: str) -> pl.DataFrame: ...
def grid_hotspots(
    crimes: pl.DataFrame,
    cell_size: float,
    distance_band: Optional[float],
    fdr: str,
    max_cells: int,
) -> tuple[pl.DataFrame, str]: ...
def lorenz(counts: pl.DataFrame, keys: Optional[list[str]] = None) -> pl.DataFrame: ...
def proportions(
    frame: pl.DataFrame, numerator: str, denominator: str, confidence: float, per: float
) -> pl.DataFrame: ...
def newcombe_difference(
    x1: float, n1: float, x2: float, n2: float, confidence: float
) -> tuple[float, float]: ...
def kish_effective_n(weights: list[float]) -> float: ...
def _panic_for_tests() -> None: ...
