"""Change over time with significance: period comparisons, dispersion, and 5-year trends."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from saferstats import _saferstats as _rs
from saferstats._frames import table_and_keys
from saferstats._reports import ChangeReport, TrendReport
from saferstats._results import ChangeResult, CountResult, RateResult, TrendResult, table_result
from saferstats._typing import ChangeMethod, Compare


def _breaks(breaks: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"month": str(m), "description": str(d)} for m, d in breaks]


def change(
    counts: Union[CountResult, RateResult, Any],
    *,
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

    """
    if isinstance(compare, int) and not isinstance(compare, bool):
        if compare < 1:
            raise _rs.ParameterError(
                f"invalid parameter 'compare': months earlier must be at least 1, got {compare}"
            )
        compare_spec: Any = {"months_earlier": compare}
    else:
        compare_spec = compare
    frame, keys = table_and_keys(counts, "counts", keys)
    spec = {
        "compare": compare_spec,
        "method": method,
        "confidence": float(confidence),
        "dispersion": float(dispersion),
        "exposure_adjust": bool(exposure_adjust),
        "small_count": float(small_count),
        "breaks": _breaks(breaks),
        "keys": keys,
    }
    return table_result(ChangeResult, ChangeReport, _rs.change(frame, spec))


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
    spec = {"keys": keys, "breaks": _breaks(breaks), "confidence": float(confidence)}
    return table_result(TrendResult, TrendReport, _rs.trends(frame, spec))
