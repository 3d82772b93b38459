"""Change over time with significance: period comparisons, dispersion, and 5-year trends."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence, Union

import polars as pl

from saferstats import _saferstats as _rs
from saferstats._frames import to_polars
from saferstats.counts import CountResult
from saferstats.rates import RateResult

METHODS = ("exact-cond", "cond-midp", "score", "wald-log", "wald", "score-log", "sqrt")


@dataclass(frozen=True)
class ChangeResult:
    """Comparisons and a report (rows compared, without an earlier period, refused)."""

    table: pl.DataFrame
    report: dict[str, Any]


def _frame(obj: Any, name: str) -> pl.DataFrame:
    if isinstance(obj, (CountResult, RateResult)):
        return obj.table
    return to_polars(obj, name)


def change(
    counts: Union[CountResult, RateResult, Any],
    *,
    compare: Union[str, int] = "year_earlier",
    method: str = "exact-cond",
    confidence: float = 0.95,
    dispersion: float = 1.0,
    exposure_adjust: bool = False,
    small_count: float = 10,
    breaks: Sequence[tuple[str, str]] = (),
) -> ChangeResult:
    """Compare each period with an earlier one and test whether the change is real.

    Parameters
    ----------
    counts
        A counts table (or rates table: its population enters the exposure).
    compare
        ``"year_earlier"`` (default: same period last year, which removes seasonality),
        ``"previous"`` (the period just before), or a number of months earlier (24 = two years).
    method
        ``"exact-cond"`` (default: binomial test on the total, Clopper-Pearson interval for the
        rate ratio), ``"cond-midp"``, ``"score"``, ``"wald-log"``, ``"wald"``, ``"score-log"``,
        ``"sqrt"`` (statsmodels ``test_poisson_2indep`` definitions).
    confidence
        Level of the rate-ratio interval and of "statistically significant" (0.90 to 0.999).
    dispersion
        Quasi-Poisson φ (see :func:`dispersion_from_monthly`); widens intervals by √φ.
    exposure_adjust
        Allow partial periods, using months covered as exposure (flagged). Without it a
        comparison involving a partial period is refused and listed in the report.
    small_count
        Rows where either count is below this are flagged as small counts.
    breaks
        Recording-practice changes as ``("YYYY-MM", description)``: comparisons spanning one
        are flagged.

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
    >>> res.report["refused_partial"]
    ['2014 Q4 (2 of 3 months) vs 2014 Q3 (3 of 3 months)']

    """
    if method not in METHODS:
        raise _rs.ParameterError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if isinstance(compare, int) and not isinstance(compare, bool):
        kind, months = "months_earlier", compare
    else:
        kind, months = str(compare), None
    table, report = _rs.change(
        _frame(counts, "counts"),
        kind,
        months,
        method,
        float(confidence),
        float(dispersion),
        bool(exposure_adjust),
        float(small_count),
        [(str(m), str(d)) for m, d in breaks],
    )
    return ChangeResult(table=table, report=json.loads(report))


def dispersion_from_monthly(counts: Sequence[float], first_month: int = 1) -> float:
    """Quasi-Poisson dispersion φ of a monthly series after year and calendar-month effects.

    Pearson χ² of the log-linear model year + month (closed form) over its degrees of freedom;
    needs two complete calendar years. φ near 1 means Poisson variation; crime series are
    usually above 1.

    Examples
    --------
    >>> year = [10, 12, 9, 11, 13, 15, 14, 12, 11, 10, 9, 12]
    >>> dispersion_from_monthly(year + [2 * v for v in year])
    0.0

    """
    return _rs.dispersion_from_monthly([float(c) for c in counts], int(first_month))


def trends(
    annual: Union[CountResult, RateResult, Any],
    *,
    breaks: Sequence[tuple[str, str]] = (),
    confidence: float = 0.95,
) -> pl.DataFrame:
    """PHE recent-trend marker and Poisson log-linear trend for every series.

    ``annual`` holds one row per area, group and (non-overlapping, complete) year, with a
    ``population`` column for the PHE marker (pass a rates table). Returns one row per series:
    ``trend`` ("Increasing", "Decreasing", "No significant change", "Cannot be calculated"),
    ``trend_reason``, ``annual_pct_change`` with ``lower``/``upper``, ``p_value``,
    ``dispersion``, ``periods`` and ``flags`` (recording-break caveats).
    """
    return _rs.trends(
        _frame(annual, "annual"), [(str(m), str(d)) for m, d in breaks], float(confidence)
    )
