"""Check what a parameter is before it crosses into the core.

The core checks what a value means (a confidence from 0.90 to 0.999, an odd STL window...);
these functions check its type, so that a wrong type, or a whole number too big for the
core's integer type, is a :class:`ParameterError` naming the parameter and the value: never a
bare ``TypeError``, ``ValueError`` or ``OverflowError``, and never a silent truncation.

Examples
--------
>>> integer("top", 5.0, min=1)
5
>>> integer("top", 2.5, min=1)
Traceback (most recent call last):
...
_saferstats.ParameterError: invalid parameter 'top': must be a whole number of 1 or more, ...
>>> integer("seed", 2**70, min=0, max=U64_MAX)
Traceback (most recent call last):
...
_saferstats.ParameterError: invalid parameter 'seed': must be a whole number from 0 to ...
>>> number("per", "abc")
Traceback (most recent call last):
...
_saferstats.ParameterError: invalid parameter 'per': must be a number, got the string 'abc'
>>> texts("coverage", "2014-01")
Traceback (most recent call last):
...
_saferstats.ParameterError: invalid parameter 'coverage': must be a list ..., got the string ...
>>> texts("codes", "E05002250", single=True)
['E05002250']

"""

from __future__ import annotations

import math
import operator
import os
from collections.abc import Iterable, Mapping
from typing import Any, Optional

from saferstats._saferstats import ParameterError

#: Bounds of the core's integer types.
I32_MIN, I32_MAX = -(2**31), 2**31 - 1
U32_MAX = 2**32 - 1
U64_MAX = 2**64 - 1
_TYPE_LIMITS = (I32_MIN, I32_MAX, U32_MAX, U64_MAX)

_PATH_TYPES = (str, bytes, os.PathLike)


def _fail(name: str, must: str, value: Any) -> ParameterError:
    shown = f"the string {value!r}" if isinstance(value, str) else repr(value)
    return ParameterError(f"invalid parameter '{name}': {must}, got {shown}")


def integer(
    name: str,
    value: Any,
    *,
    min: Optional[int] = None,
    max: Optional[int] = None,
) -> int:
    """Return ``value`` as an ``int`` from ``min`` to ``max`` (each optional).

    Accepts ``int``, NumPy integers and floats without a fractional part (``2014.0``).
    ``bool``, text, a fractional or non-finite float, or a value outside the bounds is a
    :class:`ParameterError` naming ``name``. Pass the bounds of the core's integer type
    (e.g. ``max=U64_MAX``) when the core has no tighter rule, so that a huge value is
    reported here rather than as an ``OverflowError``; the message quotes such a bound only
    when the value breaks it.
    """
    whole = _whole(value)
    low = min is not None and whole is not None and whole < min
    high = max is not None and whole is not None and whole > max
    if whole is None or low or high:
        shown_min = min if low or min not in _TYPE_LIMITS else None
        shown_max = max if high or max not in _TYPE_LIMITS else None
        if shown_min is not None and shown_max is not None:
            must = f"must be a whole number from {shown_min} to {shown_max}"
        elif shown_min is not None:
            must = f"must be a whole number of {shown_min} or more"
        elif shown_max is not None:
            must = f"must be a whole number of at most {shown_max}"
        else:
            must = "must be a whole number"
        raise _fail(name, must, value)
    return whole


def _whole(value: Any) -> Optional[int]:
    """``value`` as an ``int`` if it is a whole number (not bool, not text), else None."""
    if isinstance(value, (bool, str, bytes)):
        return None
    try:
        return operator.index(value)
    except TypeError:
        pass
    try:
        real = float(value)
    except (TypeError, ValueError):
        return None
    return int(real) if math.isfinite(real) and real.is_integer() else None


def number(name: str, value: Any) -> float:
    """Return ``value`` as a ``float``; ``bool``, text or a non-number is a ParameterError.

    NaN and infinities pass: the core says whether the parameter allows them.
    """
    if isinstance(value, (bool, str, bytes)):
        raise _fail(name, "must be a number", value)
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise _fail(name, "must be a number", value) from None


def numbers(name: str, values: Any) -> list[float]:
    """Return a sequence of numbers as a list of floats (a lone string is not one)."""
    return [number(f"{name}[{i}]", v) for i, v in enumerate(_items(name, values, "numbers"))]


def text(name: str, value: Any) -> str:
    """Return ``value`` if it is a ``str``, else raise a ParameterError naming ``name``."""
    if not isinstance(value, str):
        raise _fail(name, "must be text", value)
    return value


def texts(name: str, values: Any, *, single: bool = False, what: str = "text values") -> list[str]:
    """Return a list of strings; a lone string is one item only when ``single`` is true.

    Otherwise a lone string is a ParameterError (``coverage="2014-01"`` would be read as the
    characters ``"2"``, ``"0"``...), as is a non-iterable or an item that is not text.
    """
    if single and isinstance(values, str):
        return [values]
    items = _items(name, values, what)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise _fail(f"{name}[{i}]", "must be text", item)
    return items


def text_pairs(name: str, values: Any, *, what: str = "pairs of text") -> list[tuple[str, str]]:
    """Return a list of pairs of strings, e.g. ``[("2014-04", "new recording rules")]``.

    A lone string, a non-iterable, or an item that is not two strings is a ParameterError.
    """
    out = []
    for i, item in enumerate(_items(name, values, what)):
        pair = (
            None if isinstance(item, (str, bytes)) or not isinstance(item, Iterable) else list(item)
        )
        if pair is None or len(pair) != 2 or not all(isinstance(v, str) for v in pair):
            raise _fail(f"{name}[{i}]", "must be a pair of text values", item)
        out.append((pair[0], pair[1]))
    return out


def mapping(name: str, value: Any) -> dict[str, str]:
    """Return a text-to-text mapping as a dict; anything else is a ParameterError."""
    if not isinstance(value, Mapping):
        raise _fail(name, "must be a mapping of text to text (a dict)", value)
    for key, item in value.items():
        if not (isinstance(key, str) and isinstance(item, str)):
            raise _fail(name, "must map text to text", {key: item})
    return dict(value)


def path(name: str, value: Any) -> str:
    """Return a file path (``str``, ``bytes`` or ``os.PathLike``) as a ``str``."""
    if not isinstance(value, _PATH_TYPES):
        raise _fail(name, "must be a path (str or os.PathLike)", value)
    return os.fsdecode(value)


def paths(name: str, value: Any) -> list[str]:
    """Return one path, or an iterable of paths, as a list of ``str``."""
    if isinstance(value, _PATH_TYPES):
        return [path(name, value)]
    if not isinstance(value, Iterable):
        raise _fail(name, "must be a path or a list of paths", value)
    return [path(f"{name}[{i}]", p) for i, p in enumerate(value)]


def _items(name: str, values: Any, what: str) -> list[Any]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise _fail(name, f"must be a list of {what}", values)
    return list(values)
