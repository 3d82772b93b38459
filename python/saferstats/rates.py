"""Rates per 1,000 residents with confidence intervals, shares, and comparison with peers.

Methods (see the crate docs for formulas and sources): Byar's method for counts of 10 or more
and exact Poisson limits from chi-squared quantiles below 10 (PHE / Fingertips); Wilson score
intervals for shares; PHE's benchmark rule (interval against a fixed benchmark) at 95% and
99.8%; exact Poisson funnel limits and Spiegelhalter's over-dispersion-adjusted limits; a
seeded Poisson simulation for rank intervals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import polars as pl

from saferstats import _saferstats as _rs
from saferstats._frames import to_polars
from saferstats.counts import CountResult
from saferstats.readers import Population


@dataclass(frozen=True)
class RateResult:
    """Rates table and report (population years and sources used, areas without counts)."""

    table: pl.DataFrame
    report: dict[str, Any]


def _frame(obj: Any, name: str) -> pl.DataFrame:
    if isinstance(obj, (CountResult, RateResult)):
        return obj.table
    if isinstance(obj, Population):
        return obj.table
    return to_polars(obj, name)


def rates(
    counts: Union[CountResult, Any],
    population: Union[Population, Any],
    *,
    per: float = 1000,
    confidence: Union[float, str] = 0.95,
    population_year: Optional[int] = None,
    year_offset: int = 0,
    phe_columns: bool = False,
) -> RateResult:
    """Rates per ``per`` residents with confidence limits, for every row of a counts table.

    Parameters
    ----------
    counts
        A :class:`CountResult` or frame with ``area_code``, ``count`` and ``period_start``
        (or ``mid_year``).
    population
        A :class:`Population` or long frame ``area_code, mid_year, population[, source]``.
    per
        Multiplier: 1,000 (default, the CSP convention) or 100,000 (PHE).
    confidence
        A level from 0.90 to 0.999, or ``"phe"`` for the pair 95% and 99.8% (columns
        ``lower_95, upper_95, lower_99_8, upper_99_8``).
    population_year
        Use this mid-year for every period (e.g. 2017 for ward estimates). By default each
        period uses the mid-year of the year it starts in, plus ``year_offset``.
    year_offset
        Years added to the period's start year to choose the mid-year (default 0).
    phe_columns
        Name the limits as PHE's ``phe_rate`` does (``lowercl``/``uppercl`` or
        ``lower95_0cl`` ... ``upper99_8cl``) with its method labels (``Byars``, ``Exact``).

    Returns
    -------
    RateResult
        The counts with ``population, population_year, population_source, value, lower,
        upper, method, confidence, statistic, flags``.

    Examples
    --------
    >>> import saferstats as ss
    >>> medway = ss.datasets.medway_2014()
    >>> lad = ss.counts(medway.crimes, medway.geography, level="lad", period="calendar_year")
    >>> r = rates(lad, medway.lad_population)
    >>> r.table.select("area_name", "count", "population", "value", "lower", "upper").row(0)
    ('Medway', 25117, 273977.0, 91.67557860696336, 90.54528777070131, 92.81645602880258)
    >>> r.table["flags"][0]
    'partial period: 11 of 12 months'

    """
    pair = confidence == "phe"
    if not pair and isinstance(confidence, str):
        raise _rs.ParameterError(f"confidence must be a number or 'phe', got {confidence!r}")
    table, report = _rs.rates(
        _frame(counts, "counts"),
        _frame(population, "population"),
        float(per),
        None if pair else float(confidence),
        population_year,
        year_offset,
        phe_columns,
    )
    return RateResult(table=table, report=json.loads(report))


def shares(
    counts: Union[CountResult, Any],
    of: str = "crime_type",
    *,
    confidence: float = 0.95,
    per: float = 100,
) -> pl.DataFrame:
    """Share of each ``of`` category in its area and period, with Wilson intervals.

    Examples
    --------
    >>> import saferstats as ss
    >>> medway = ss.datasets.medway_2014()
    >>> c = ss.counts(medway.crimes, medway.geography, level="lad", by=["crime_type"],
    ...               period="calendar_year")
    >>> top = shares(c).sort("value", descending=True).select("crime_type", "value").row(0)
    >>> top[0], round(top[1], 1)
    ('Anti-social behaviour', 34.2)

    """
    return _rs.shares(_frame(counts, "counts"), of, float(confidence), float(per))


def proportions(
    frame: Any,
    numerator: str,
    denominator: str,
    *,
    confidence: float = 0.95,
    per: float = 100,
) -> pl.DataFrame:
    """Proportions with Wilson score intervals from numerator and denominator columns.

    For a weighted survey pass Kish's effective sample size (:func:`kish_effective_n`) as the
    denominator and the weighted share times it as the numerator.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"feel_safe": [65], "asked": [100]})
    >>> row = proportions(t, "feel_safe", "asked", per=1).row(0, named=True)
    >>> round(row["lower"], 6), round(row["upper"], 6)
    (0.552544, 0.736358)

    """
    return _rs.proportions(
        to_polars(frame, "frame"), numerator, denominator, float(confidence), float(per)
    )


def newcombe_difference(
    x1: float, n1: float, x2: float, n2: float, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for the difference of two proportions x1/n1 - x2/n2.

    Examples
    --------
    >>> lo, hi = newcombe_difference(67, 100, 60, 100)
    >>> round(lo, 4), round(hi, 4)
    (-0.0627, 0.1993)

    """
    return _rs.newcombe_difference(float(x1), float(n1), float(x2), float(n2), float(confidence))


def kish_effective_n(weights: Sequence[float]) -> float:
    """Kish's effective sample size (sum of weights)² / sum of squared weights.

    Examples
    --------
    >>> kish_effective_n([1.0, 1.0, 2.0, 4.0])
    2.909090909090909

    """
    return _rs.kish_effective_n([float(w) for w in weights])


def compare_with_benchmark(
    rates: Union[RateResult, Any],
    *,
    benchmark: Optional[float] = None,
    per: float = 1000,
    peer_keys: Optional[Sequence[str]] = None,
) -> pl.DataFrame:
    """Label each area Higher / Similar / Lower than a benchmark at 95% and 99.8% (PHE rule).

    The benchmark is the peer group's pooled rate (default) or a given rate (e.g. England's).
    Peer groups are rows sharing ``peer_keys`` (default: every key column but the area).
    """
    return _rs.compare_with_benchmark(
        _frame(rates, "rates"), benchmark, float(per), list(peer_keys) if peer_keys else None
    )


def funnel_limits(
    rates: Union[RateResult, Any],
    *,
    benchmark: Optional[float] = None,
    per: float = 1000,
    peer_keys: Optional[Sequence[str]] = None,
) -> pl.DataFrame:
    """Funnel-plot limits: exact Poisson (95%, 99.8%) and over-dispersion adjusted (``_od``).

    Adds ``expected``, ``funnel_lower_95`` ... ``funnel_upper_99_8_od``, ``funnel_flag``,
    ``funnel_flag_od`` (PHE's labels) and the peer group's ``phi`` and ``tau2``.
    """
    return _rs.funnel_limits(
        _frame(rates, "rates"), benchmark, float(per), list(peer_keys) if peer_keys else None
    )


def rank_among_peers(
    rates: Union[RateResult, Any],
    *,
    simulations: int = 1000,
    seed: int = 2015,
    peer_keys: Optional[Sequence[str]] = None,
) -> pl.DataFrame:
    """Rank (1 = highest rate) with a 95% rank interval from a seeded Poisson simulation.

    "19th highest of 50" is an estimate: ``rank_lower``/``rank_upper`` say how far it could
    move given the counts' random variation.
    """
    return _rs.rank_among_peers(
        _frame(rates, "rates"), int(simulations), int(seed), list(peer_keys) if peer_keys else None
    )
