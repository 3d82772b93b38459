"""Change over time with significance: period comparisons, dispersion, and 5-year trends."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from saferstats import _check
from saferstats import _saferstats as _rs
from saferstats._frames import table_and_keys
from saferstats._reports import ChangeReport, DispersionReport, TrendReport
from saferstats._results import (
    ChangeResult,
    CountResult,
    DispersionResult,
    RateResult,
    TrendResult,
    table_result,
)
from saferstats._typing import ChangeMethod, Compare


def _breaks(breaks: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    pairs = _check.text_pairs("breaks", breaks, what="(month, description) pairs")
    return [{"month": m, "description": d} for m, d in pairs]


def change(
    counts: Union[CountResult, RateResult, Any],
    *,
    monthly: Union[CountResult, Any, None] = None,
    compare: Union[Compare, int] = "year_earlier",
    method: ChangeMethod = "exact-cond",
    confidence: float = 0.95,
    dispersion: float = 1.0,
    exposure_adjust: bool = False,
    small_count: float = 10,
    breaks: Sequence[tuple[str, str]] = (),
    keys: Optional[Sequence[str]] = None,
) -> ChangeResult:
    """Compare each period with an earlier one and test whether the change is real.

    Parameters
    ----------
    counts
        A counts table (or rates table: its population enters the exposure).
    monthly
        Monthly counts of the same areas and grouping columns (``period="month"``). When given
        (recommended: police.uk and MPS data always have them), each series' over-dispersion
        φ is estimated from its months (:func:`series_dispersion`, robust to a few anomalous
        months), floored at 1, and the test is the quasi-Poisson form of ``method`` (the score
        test for the exact methods) with its matching interval; verdicts then say "once
        month-to-month variation is allowed for" and quote φ. Without it, ``dispersion`` is used
        (1: the plain Poisson test).
    compare
        ``"year_earlier"`` (default: same period last year, which removes seasonality),
        ``"previous"`` (the period just before), or a whole number of months earlier (1 or
        more: 24 = two years).
    method
        ``"exact-cond"`` (default: binomial test on the total, Clopper-Pearson interval for the
        rate ratio), ``"cond-midp"``, ``"score"``, ``"wald-log"``, ``"wald"``, ``"score-log"``,
        ``"sqrt"`` (statsmodels ``test_poisson_2indep`` definitions).
    confidence
        Level of the rate-ratio interval and of "statistically significant" (0.90 to 0.999).
    dispersion
        A fixed quasi-Poisson φ for every row when ``monthly`` is not given (and for series too
        short for an estimate when it is); 1 is the plain Poisson test, and values from 0 to
        1 (an estimate can fall below 1) are used as 1.
    exposure_adjust
        Allow partial periods, using months covered as exposure (flagged). Without it a
        comparison involving a partial period is refused and listed in the report.
    small_count
        Rows where either count is below this are flagged as small counts.
    breaks
        Recording-practice changes as ``("YYYY-MM", description)``: comparisons spanning one
        are flagged.
    keys
        Grouping columns of ``counts`` besides ``area_code`` and ``period``; default: the keys
        a :class:`CountResult` declares (none for a bare frame).

    Examples
    --------
    >>> import saferstats as ss
    >>> medway = ss.datasets.medway_2014()
    >>> q = ss.counts(medway.crimes, medway.geography, level="lad", period="quarter")
    >>> res = change(q, compare="previous")
    >>> res.table.select("period", "comparison_period", "count", "count_previous").rows()
    [('2014 Q2', '2014 Q1', 7134, 6088), ('2014 Q3', '2014 Q2', 7257, 7134)]
    >>> res.table["verdict"][0]
    'increase of 17.2% (1,046 more), statistically significant at 95%'
    >>> res.report.refused_partial
    ['2014 Q4 (2 of 3 months) vs 2014 Q3 (3 of 3 months)']

    With monthly counts, month-to-month variation is allowed for:

    >>> import polars as pl
    >>> counts = [500 + (97 * t) % 160 for t in range(36)]
    >>> m = pl.DataFrame({"area_code": ["A"] * 36, "count": counts})
    >>> m = m.with_columns(period_start=pl.date_range(
    ...     pl.date(2020, 1, 1), pl.date(2022, 12, 1), "1mo", eager=True))
    >>> annual = (
    ...     m.group_by(period=pl.col("period_start").dt.year().cast(pl.String))
    ...     .agg(pl.col("count").sum(), pl.col("period_start").min(), months_covered=pl.len())
    ...     .with_columns(area_code=pl.lit("A"), months_expected=pl.lit(12)).sort("period")
    ... )
    >>> res = change(annual, monthly=m)
    >>> res.table.select("period", "count", "count_previous", "method").rows()
    [('2021', 7010, 6802, 'quasi-score'), ('2022', 6898, 7010, 'quasi-score')]
    >>> res.report.dispersion_source, res.report.quasi_rows
    ('monthly', 2)

    """
    if isinstance(compare, str):
        compare_spec: Any = compare
    else:
        months = _check.integer("compare", compare, min=1, max=_check.U32_MAX)
        compare_spec = {"months_earlier": months}
    frame, keys = table_and_keys(counts, "counts", keys)
    spec = {
        "compare": compare_spec,
        "method": _check.text("method", method),
        "confidence": _check.number("confidence", confidence),
        "dispersion": _check.number("dispersion", dispersion),
        "exposure_adjust": bool(exposure_adjust),
        "small_count": _check.number("small_count", small_count),
        "breaks": _breaks(breaks),
        "keys": keys,
    }
    monthly_frame = None if monthly is None else table_and_keys(monthly, "monthly", keys)[0]
    return table_result(ChangeResult, ChangeReport, _rs.change(frame, spec, monthly_frame))


def series_dispersion(
    monthly: Union[CountResult, Any], *, keys: Optional[Sequence[str]] = None
) -> DispersionResult:
    """Robust quasi-Poisson dispersion φ of every monthly series (area and grouping columns).

    The year + calendar-month log-linear model fitted with Huber weights (Proposal 2 scale of
    the standardised Pearson residuals, k = 1.5), so that a few anomalous months (a lockdown, a
    recording drive) move φ by a bounded amount. Months with ``months_covered`` = 0, or absent
    inside a series' run, are missing, never zeros. ``dispersion`` is floored at 1 and null
    (with ``flags`` saying why) for a series with fewer than two years of months or no crimes.

    Examples
    --------
    >>> import polars as pl
    >>> import saferstats as ss
    >>> counts = [500 + (97 * t) % 160 for t in range(36)]
    >>> m = pl.DataFrame({"area_code": ["A"] * 36, "count": counts})
    >>> m = m.with_columns(period_start=pl.date_range(
    ...     pl.date(2020, 1, 1), pl.date(2022, 12, 1), "1mo", eager=True))
    >>> res = ss.series_dispersion(m)
    >>> res.table.select("dispersion", "months", "downweighted").row(0)
    (6.29..., 36, 2)
    >>> res.report.estimated
    1

    """
    frame, keys = table_and_keys(monthly, "monthly", keys)
    return table_result(DispersionResult, DispersionReport, _rs.series_dispersion(frame, keys))


def dispersion_from_monthly(counts: Sequence[float], first_month: int = 1) -> float:
    """Quasi-Poisson dispersion φ of a monthly series after year and calendar-month effects.

    Pearson χ² of the log-linear model year + month (closed form) over its degrees of freedom;
    needs two complete calendar years. ``counts`` is a list of numbers in month order and
    ``first_month`` (1 to 12) the calendar month of ``counts[0]``. φ near 1 means Poisson
    variation; crime series are usually above 1.

    Examples
    --------
    >>> year = [10, 12, 9, 11, 13, 15, 14, 12, 11, 10, 9, 12]
    >>> dispersion_from_monthly(year + [2 * v for v in year])
    0.0

    """
    return _rs.dispersion_from_monthly(
        _check.numbers("counts", counts), _check.integer("first_month", first_month, min=1, max=12)
    )


def trends(
    annual: Union[CountResult, RateResult, Any],
    *,
    breaks: Sequence[tuple[str, str]] = (),
    confidence: float = 0.95,
    keys: Optional[Sequence[str]] = None,
) -> TrendResult:
    """PHE recent-trend marker and Poisson log-linear trend for every series.

    ``annual`` holds one row per area, group and (non-overlapping, complete) year, with a
    ``population`` column for the PHE marker (pass a rates table). Returns one row per series:
    ``trend`` ("Increasing", "Decreasing", "No significant change", "Cannot be calculated"),
    ``trend_reason``, ``annual_pct_change`` with ``lower``/``upper``, ``p_value``,
    ``dispersion``, ``periods`` and ``flags`` (recording-break caveats).
    """
    frame, keys = table_and_keys(annual, "annual", keys)
    spec = {
        "keys": keys,
        "breaks": _breaks(breaks),
        "confidence": _check.number("confidence", confidence),
    }
    return table_result(TrendResult, TrendReport, _rs.trends(frame, spec))
