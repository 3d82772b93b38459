"""Rates per 1,000 residents with confidence intervals, shares, and comparison with peers.

Methods (see the crate docs for formulas and sources): Byar's method for counts of 10 or more
and exact Poisson limits from chi-squared quantiles below 10 (PHE / Fingertips); Wilson score
intervals for shares; PHE's benchmark rule (interval against a fixed benchmark) at 95% and
99.8%; exact Poisson funnel limits and Spiegelhalter's over-dispersion-adjusted limits; a
seeded Poisson simulation for rank intervals.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from saferstats import _check
from saferstats import _saferstats as _rs
from saferstats._frames import numeric_text, table_and_keys, to_polars
from saferstats._reports import PeerReport, ProportionReport, RateReport, ShareReport
from saferstats._results import (
    CountResult,
    PeerResult,
    ProportionResult,
    RateResult,
    ShareResult,
    table_result,
)
from saferstats.readers import Population


def _confidence(confidence: Union[float, str]) -> Any:
    """Return the core's ``Confidence``: a level, or PHE's pair 95% + 99.8% for ``"phe"``."""
    if isinstance(confidence, str):
        if confidence.strip().lower() in ("phe", "phe_pair"):
            return "phe_pair"
        raise _rs.ParameterError(f"confidence must be a number or 'phe', got {confidence!r}")
    return {"level": _check.number("confidence", confidence)}


def rates(
    counts: Union[CountResult, Any],
    population: Union[Population, Any],
    *,
    per: float = 1000,
    confidence: Union[float, str] = 0.95,
    population_year: Optional[int] = None,
    year_offset: int = 0,
    phe_columns: bool = False,
    annualise: bool = False,
    keys: Optional[Sequence[str]] = None,
) -> RateResult:
    """Rates per ``per`` residents with confidence limits, for every row of a counts table.

    Parameters
    ----------
    counts
        A :class:`CountResult` or frame with ``area_code``, ``count`` and ``period_start``
        (or ``mid_year``).
    population
        A :class:`Population` or long frame ``area_code, mid_year, population[, source]``. A
        text ``population`` column is read as numbers; text that is not a number is a
        :class:`DataError` naming the row.
    per
        Multiplier: 1,000 (default, the CSP convention) or 100,000 (PHE).
    confidence
        A level from 0.90 to 0.999, or ``"phe"`` for the pair 95% and 99.8% (columns
        ``lower_95, upper_95, lower_99_8, upper_99_8``).
    population_year
        Use this mid-year (a whole number) for every period (e.g. 2017 for ward estimates). By
        default each period uses the mid-year of the year it starts in, plus ``year_offset``.
    year_offset
        Whole years added to the period's start year to choose the mid-year (default 0).
    phe_columns
        Name the limits as PHE's ``phe_rate`` does (``lowercl``/``uppercl`` or
        ``lower95_0cl`` ... ``upper99_8cl``) with its method labels (``Byars``, ``Exact``).
    annualise
        Scale the rate and limits of a partial period (e.g. 11 of 12 months) to the full
        period, flagged "annualised". By default a partial period keeps its own rate and is
        flagged "partial period: 11 of 12 months": it is not an annual rate. A period with no
        month covered has no rate (null), never a rate of zero.
    keys
        Grouping columns of ``counts`` besides ``area_code`` and ``period``; default: the keys
        a :class:`CountResult` declares (none for a bare frame).

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
    frame, keys = table_and_keys(counts, "counts", keys)
    pop, _ = table_and_keys(population, "population")
    pop = numeric_text(pop, "population", "population")
    year = {"min": _check.I32_MIN, "max": _check.I32_MAX}
    spec = {
        "per": _check.number("per", per),
        "confidence": _confidence(confidence),
        "population_year": (
            {"fixed": _check.integer("population_year", population_year, **year)}
            if population_year is not None
            else {"period_start": {"offset": _check.integer("year_offset", year_offset, **year)}}
        ),
        "phe_columns": bool(phe_columns),
        "annualise": bool(annualise),
        "keys": keys,
    }
    return table_result(RateResult, RateReport, _rs.rates(frame, pop, spec))


def shares(
    counts: Union[CountResult, Any],
    of: str = "crime_type",
    *,
    confidence: float = 0.95,
    per: float = 100,
    keys: Optional[Sequence[str]] = None,
) -> ShareResult:
    """Share of each ``of`` category in its area and period, with Wilson intervals.

    ``of`` is a key column: ``crime_type`` gives each type's share of its area's crimes in
    the period; ``area_code`` gives each area's share of the period's (and group's) total.

    Examples
    --------
    >>> import saferstats as ss
    >>> medway = ss.datasets.medway_2014()
    >>> c = ss.counts(medway.crimes, medway.geography, level="lad", by=["crime_type"],
    ...               period="calendar_year")
    >>> top = shares(c).table.sort("value", descending=True).select("crime_type", "value").row(0)
    >>> top[0], round(top[1], 1)
    ('Anti-social behaviour', 34.2)

    """
    frame, keys = table_and_keys(counts, "counts", keys)
    spec = {
        "of": of,
        "keys": keys,
        "confidence": _check.number("confidence", confidence),
        "per": _check.number("per", per),
    }
    return table_result(ShareResult, ShareReport, _rs.shares(frame, spec))


def proportions(
    frame: Any,
    numerator: str,
    denominator: str,
    *,
    confidence: float = 0.95,
    per: float = 100,
) -> ProportionResult:
    """Proportions with Wilson score intervals from numerator and denominator columns.

    For a weighted survey pass Kish's effective sample size (:func:`kish_effective_n`) as the
    denominator and the weighted share times it as the numerator.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame({"feel_safe": [65], "asked": [100]})
    >>> row = proportions(t, "feel_safe", "asked", per=1).table.row(0, named=True)
    >>> round(row["lower"], 6), round(row["upper"], 6)
    (0.552544, 0.736358)

    """
    spec = {
        "numerator": numerator,
        "denominator": denominator,
        "confidence": _check.number("confidence", confidence),
        "per": _check.number("per", per),
    }
    return table_result(
        ProportionResult, ProportionReport, _rs.proportions(to_polars(frame, "frame"), spec)
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
    return _rs.newcombe_difference(
        _check.number("x1", x1),
        _check.number("n1", n1),
        _check.number("x2", x2),
        _check.number("n2", n2),
        _check.number("confidence", confidence),
    )


def kish_effective_n(weights: Sequence[float]) -> float:
    """Kish's effective sample size (sum of weights)² / sum of squared weights.

    Examples
    --------
    >>> kish_effective_n([1.0, 1.0, 2.0, 4.0])
    2.909090909090909

    """
    return _rs.kish_effective_n(_check.numbers("weights", weights))


def compare_with_benchmark(
    rates: Union[RateResult, Any],
    *,
    benchmark: Optional[float] = None,
    per: float = 1000,
    peer_group: Optional[Sequence[str]] = None,
    keys: Optional[Sequence[str]] = None,
) -> PeerResult:
    """Label each area Higher / Similar / Lower than a benchmark at 95% and 99.8% (PHE rule).

    The benchmark is the peer group's pooled rate (default) or a given rate (e.g. England's).
    Peer groups are the areas sharing ``peer_group`` (default: the period and grouping keys).
    """
    frame, keys = table_and_keys(rates, "rates", keys)
    spec = _peer_spec(keys, benchmark=benchmark, per=per, peer_group=peer_group)
    return table_result(PeerResult, PeerReport, _rs.compare_with_benchmark(frame, spec))


def funnel_limits(
    rates: Union[RateResult, Any],
    *,
    benchmark: Optional[float] = None,
    per: float = 1000,
    peer_group: Optional[Sequence[str]] = None,
    keys: Optional[Sequence[str]] = None,
) -> PeerResult:
    """Funnel-plot limits: exact Poisson (95%, 99.8%) and over-dispersion adjusted (``_od``).

    Adds ``expected``, ``funnel_lower_95`` ... ``funnel_upper_99_8_od``, ``funnel_flag``,
    ``funnel_flag_od`` (PHE's labels) and the peer group's ``phi`` and ``tau2``.
    """
    frame, keys = table_and_keys(rates, "rates", keys)
    spec = _peer_spec(keys, benchmark=benchmark, per=per, peer_group=peer_group)
    return table_result(PeerResult, PeerReport, _rs.funnel_limits(frame, spec))


def rank_among_peers(
    rates: Union[RateResult, Any],
    *,
    simulations: int = 1000,
    seed: int = 2015,
    peer_group: Optional[Sequence[str]] = None,
    keys: Optional[Sequence[str]] = None,
) -> PeerResult:
    """Rank (1 = highest rate) with a 95% rank interval from a seeded Poisson simulation.

    "19th highest of 50" is an estimate: ``rank_lower``/``rank_upper`` say how far it could
    move given the counts' random variation.
    """
    frame, keys = table_and_keys(rates, "rates", keys)
    spec = _peer_spec(keys, simulations=simulations, seed=seed, peer_group=peer_group)
    return table_result(PeerResult, PeerReport, _rs.rank_among_peers(frame, spec))


def _peer_spec(
    keys: list[str],
    *,
    benchmark: Optional[float] = None,
    per: float = 1000,
    peer_group: Optional[Sequence[str]] = None,
    simulations: int = 1000,
    seed: int = 2015,
) -> dict[str, Any]:
    return {
        "keys": keys,
        "benchmark": (
            "peer_rate" if benchmark is None else {"value": _check.number("benchmark", benchmark)}
        ),
        "per": _check.number("per", per),
        "peer_group": (
            None if peer_group is None else _check.texts("peer_group", peer_group, what="columns")
        ),
        "simulations": _check.integer("simulations", simulations, min=0, max=_check.U64_MAX),
        "seed": _check.integer("seed", seed, min=0, max=_check.U64_MAX),
    }
