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
def _panic_for_tests() -> None: ...
