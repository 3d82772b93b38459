"""Bring user frames (polars, pandas, pyarrow, Arrow streams) to eager polars frames."""

from __future__ import annotations

from typing import Any, Iterable

import polars as pl

from saferstats._saferstats import ColumnError, ParameterError


def to_polars(frame: Any, name: str) -> pl.DataFrame:
    """Return ``frame`` as an eager polars DataFrame.

    Accepts a polars DataFrame or LazyFrame, a pandas DataFrame, a pyarrow Table, or any object
    with ``__arrow_c_stream__`` (the Arrow PyCapsule interface).
    """
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    module = type(frame).__module__.split(".")[0]
    if module == "pandas":
        return pl.from_pandas(frame)
    if module == "pyarrow" or hasattr(frame, "__arrow_c_stream__"):
        converted = pl.from_arrow(frame)
        if isinstance(converted, pl.DataFrame):
            return converted
    raise ParameterError(
        f"{name} must be a polars or pandas DataFrame (or an Arrow table); "
        f"got {type(frame).__name__}"
    )


def require_columns(frame: pl.DataFrame, columns: Iterable[str], name: str) -> None:
    """Raise :class:`ColumnError` naming the first missing column."""
    for column in columns:
        if column not in frame.columns:
            raise ColumnError(
                f"{name}: missing column '{column}' (found: {', '.join(frame.columns)})"
            )


def as_strings(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """Cast columns to ``String`` (categoricals, enums and integers become text)."""
    return frame.with_columns([pl.col(c).cast(pl.String) for c in columns])


def as_month_dates(frame: pl.DataFrame, column: str = "month") -> pl.DataFrame:
    """Make ``column`` a ``Date`` at the first of its month.

    Accepts ``Date``, ``Datetime`` and ``YYYY-MM`` strings; anything else is a
    :class:`ColumnError`.
    """
    dtype = frame.schema[column]
    if dtype == pl.Date:
        expr = pl.col(column)
    elif isinstance(dtype, pl.Datetime):
        expr = pl.col(column).dt.date()
    elif dtype == pl.String:
        expr = pl.col(column).str.strptime(pl.Date, "%Y-%m", strict=False)
        bad = frame.filter(expr.is_null() & pl.col(column).is_not_null())
        if bad.height:
            raise ColumnError(f"column '{column}': {bad[column][0]!r} is not a YYYY-MM month")
    else:
        raise ColumnError(
            f"column '{column}' must be a Date, Datetime or YYYY-MM text; got {dtype}"
        )
    return frame.with_columns(expr.dt.truncate("1mo").alias(column))
