"""Bring user frames (polars, pandas, pyarrow, Arrow streams) to eager polars frames."""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

import polars as pl

from saferstats import _check
from saferstats._saferstats import ColumnError, DataError, ParameterError

#: Columns holding a month or period boundary: a Datetime there (e.g. after a pandas round
#: trip, ``datetime64[ms]``) is taken as its date.
DATE_COLUMNS = ("month", "period_start", "period_end")

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def to_polars(frame: Any, name: str) -> pl.DataFrame:
    """Return ``frame`` as an eager polars DataFrame with dtypes the core accepts.

    Accepts a polars DataFrame or LazyFrame, a pandas DataFrame, a pyarrow Table, or any object
    with ``__arrow_c_stream__`` (the Arrow PyCapsule interface). The frame is then normalised
    by :func:`normalise`, the one place where dtypes are made safe to cross into Rust.
    """
    if isinstance(frame, pl.DataFrame):
        return normalise(frame, name)
    if isinstance(frame, pl.LazyFrame):
        return normalise(frame.collect(), name)
    module = type(frame).__module__.split(".")[0]
    if module == "pandas":
        return normalise(pl.from_pandas(frame), name)
    if module == "pyarrow" or hasattr(frame, "__arrow_c_stream__"):
        converted = pl.from_arrow(frame)
        if isinstance(converted, pl.DataFrame):
            return normalise(converted, name)
    raise ParameterError(
        f"{name} must be a polars or pandas DataFrame (or an Arrow table); "
        f"got {type(frame).__name__}"
    )


def _wide_integer(dtype: pl.DataType) -> bool:
    wide = [getattr(pl, n) for n in ("Int128", "UInt64", "UInt128") if hasattr(pl, n)]
    return any(dtype == w for w in wide)


def normalise(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Make every column's dtype one the core reads, without changing a value.

    - Categorical and Enum become String (the labels, not the physical codes);
    - Decimal becomes Float64;
    - Int128, UInt64 and UInt128 become Int64 when every value fits, else :class:`DataError`
      naming the column and the first value that does not fit;
    - Datetime in ``month``, ``period_start`` or ``period_end`` becomes Date;
    - Object columns are a :class:`ColumnError` (they cannot cross into Rust).

    Examples
    --------
    >>> import polars as pl
    >>> f = pl.DataFrame({"a": ["x"], "n": [1]}, schema={"a": pl.Categorical, "n": pl.UInt64})
    >>> dict(normalise(f, "t").schema)
    {'a': String, 'n': Int64}

    """
    casts = []
    for column, dtype in frame.schema.items():
        if isinstance(dtype, (pl.Categorical, pl.Enum)) or dtype in (pl.Categorical, pl.Enum):
            casts.append(pl.col(column).cast(pl.String))
        elif isinstance(dtype, pl.Decimal) or dtype == pl.Decimal:
            casts.append(pl.col(column).cast(pl.Float64))
        elif _wide_integer(dtype):
            values = frame[column].drop_nulls()
            if values.len():
                low, high = values.min(), values.max()
                bad = high if high > _INT64_MAX else low if low < _INT64_MIN else None
                if bad is not None:
                    raise DataError(
                        f"{name}, column '{column}': value {bad} does not fit in a 64-bit "
                        "signed integer"
                    )
            casts.append(pl.col(column).cast(pl.Int64))
        elif isinstance(dtype, pl.Datetime) and column in DATE_COLUMNS:
            casts.append(pl.col(column).dt.date())
        elif dtype == pl.Object:
            raise ColumnError(
                f"{name}, column '{column}': Python objects cannot be read; convert the column "
                "to text or numbers"
            )
    return frame.with_columns(casts) if casts else frame


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
    """Make ``column`` a ``Date`` (the core counts any day in its month).

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
    return frame if dtype == pl.Date else frame.with_columns(expr.alias(column))


def table_and_keys(
    obj: Any, name: str, keys: Optional[Sequence[str]] = None
) -> tuple[pl.DataFrame, list[str]]:
    """Return the table of a result (or of a frame) and its grouping keys.

    Keys are declared, never guessed: ``keys`` when given; otherwise the keys the result's
    report declares (a :class:`CountResult` records its ``by`` columns); otherwise none (one
    row per area and period).
    """
    table = getattr(obj, "table", None)
    if isinstance(table, pl.DataFrame):
        frame = normalise(table, name)
        declared = getattr(getattr(obj, "report", None), "keys", None)
    else:
        frame = to_polars(obj, name)
        declared = None
    if keys is not None:
        return frame, _check.texts("keys", keys, what="column names")
    return frame, list(declared) if declared is not None else []


def numeric_text(frame: pl.DataFrame, column: str, name: str) -> pl.DataFrame:
    """Parse a text ``column`` as numbers; a value that is not a number is a DataError.

    The core reads a text column of numbers (``"5000"``) as numbers, but would read any other
    text as missing, so ``"many"`` residents would be reported as "no population". A column
    that is absent or not text is returned unchanged.

    Examples
    --------
    >>> import polars as pl
    >>> numeric_text(pl.DataFrame({"population": ["5000", None]}), "population", "p").dtypes
    [Float64]
    >>> numeric_text(pl.DataFrame({"population": ["5000", "many"]}), "population", "p")
    Traceback (most recent call last):
    ...
    _saferstats.DataError: p, column 'population' must be numeric: row 2 holds 'many'

    """
    if frame.schema.get(column) != pl.String:
        return frame
    parsed = pl.col(column).str.strip_chars().cast(pl.Float64, strict=False)
    bad = frame.with_row_index("__row").filter(parsed.is_null() & pl.col(column).is_not_null())
    if bad.height:
        raise DataError(
            f"{name}, column '{column}' must be numeric: row {bad['__row'][0] + 1} holds "
            f"{bad[column][0]!r}"
        )
    return frame.with_columns(parsed)
