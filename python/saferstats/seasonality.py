"""Seasonality of monthly series: profiles, classical indices, STL, tests, anomalous months."""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence, Union

import polars as pl

from saferstats import _check
from saferstats import _saferstats as _rs
from saferstats._frames import table_and_keys
from saferstats._reports import SeasonalityReport
from saferstats._results import CountResult, SeasonalityResult


def read_wide_monthly(path: Union[str, os.PathLike[str]]) -> pl.DataFrame:
    """Read a wide monthly table (columns ``YYYYMM`` or ``YYYY-MM``) into a long one.

    The Metropolitan Police borough and ward files have this shape. Other columns are keys
    (lower-cased); the output has the keys, ``month`` (Date) and ``count``. A ``path`` that
    is not a path (e.g. ``None``) is a :class:`ParameterError`.
    """
    return _rs.read_wide_monthly(_check.path("path", path))


def seasonality(
    monthly: Union[CountResult, Any],
    *,
    keys: Optional[Sequence[str]] = None,
    anomaly_threshold: float = 3.5,
    seasonal_length: Optional[int] = None,
    robust: bool = True,
) -> SeasonalityResult:
    """Seasonal pattern, its strength and tests, and anomalous months, for every series.

    ``monthly`` has series keys (e.g. ``area_code``, ``crime_type``), ``period_start`` or
    ``month`` (a Date, first of the month) and ``count``. Each series must be gap-free (gaps
    are reported, never interpolated) and at least 24 months long; below 36 months it is
    flagged.

    The summary gives STL seasonal and trend strength (Wang, Smith & Hyndman 2006), peak and
    trough months as names (from STL, and from month-length-adjusted classical indices),
    Kruskal-Wallis by calendar month and the QS test. STL is robust with a periodic seasonal
    window by default (``seasonal_length=1001``; another window is an odd whole number of 3 or
    more), which suits 3-5 years of police data; the profile gives the classical
    ratio-to-moving-average indices analysts compute in spreadsheets beside the STL seasonal
    component. Anomalies are months whose STL remainder exceeds ``anomaly_threshold`` robust
    standard deviations (1.4826 x MAD).
    """
    frame, keys = table_and_keys(monthly, "monthly", keys)
    stl: dict[str, Any] = {"robust": bool(robust)}
    if seasonal_length is not None:
        stl["seasonal_length"] = _check.integer(
            "seasonal_length", seasonal_length, min=3, max=_check.U64_MAX
        )
    spec = {
        "keys": keys,
        "anomaly_threshold": _check.number("anomaly_threshold", anomaly_threshold),
        "stl": stl,
    }
    summary, profile, anomalies, report = _rs.seasonality(frame, spec)
    return SeasonalityResult(
        summary=summary,
        profile=profile,
        anomalies=anomalies,
        report=SeasonalityReport.from_core(report),
    )
