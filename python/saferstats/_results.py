"""Result classes: a table (or several) with its typed report, displayed in Jupyter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import polars as pl

from saferstats._reports import (
    ChangeReport,
    CountReport,
    DispersionReport,
    GridReport,
    HotspotReport,
    PeerReport,
    ProportionReport,
    RateReport,
    Report,
    SeasonalityReport,
    ShareReport,
    TrendReport,
)

R = TypeVar("R", bound=Report)


@dataclass(frozen=True)
class TableResult(Generic[R]):
    """A result table and the report of how it was made.

    ``table`` keeps the key columns of the input (``report.keys`` names the grouping
    columns; ``area_code`` and ``period`` are keys by role).
    """

    table: pl.DataFrame
    report: R

    def _repr_html_(self) -> str:
        return (
            f"<b>{type(self).__name__}</b>: {self.table.height:,} rows"
            f"{self.table._repr_html_()}{self.report._repr_html_()}"
        )


@dataclass(frozen=True)
class CountResult(TableResult[CountReport]):
    """Counts table and the account of every input row."""


@dataclass(frozen=True)
class RateResult(TableResult[RateReport]):
    """Rates table and report (population years and sources used, areas without counts)."""


@dataclass(frozen=True)
class ShareResult(TableResult[ShareReport]):
    """Shares with Wilson intervals and the columns that defined each total."""


@dataclass(frozen=True)
class ProportionResult(TableResult[ProportionReport]):
    """Proportions with Wilson intervals."""


@dataclass(frozen=True)
class PeerResult(TableResult[PeerReport]):
    """A peer comparison (benchmark labels, funnel limits or ranks) and its peer groups."""


@dataclass(frozen=True)
class ChangeResult(TableResult[ChangeReport]):
    """Comparisons and a report (rows compared, without an earlier period, refused)."""


@dataclass(frozen=True)
class DispersionResult(TableResult[DispersionReport]):
    """One row per monthly series with its robust quasi-Poisson dispersion."""


@dataclass(frozen=True)
class TrendResult(TableResult[TrendReport]):
    """One row per series with its trend marker and log-linear trend."""


@dataclass(frozen=True)
class LorenzResult(TableResult[HotspotReport]):
    """Lorenz curve points per group."""


@dataclass(frozen=True)
class PersistenceResult(TableResult[HotspotReport]):
    """Periods each area spends in the top N."""


@dataclass(frozen=True)
class ShareChangeResult(TableResult[HotspotReport]):
    """Per-area change-in-share tests."""


@dataclass(frozen=True)
class GridResult(TableResult[GridReport]):
    """Gi* per grid cell and where the points went."""


@dataclass(frozen=True)
class HotspotResult:
    """``ranking`` (one row per group and area), ``summary`` (one row per group), ``report``."""

    ranking: pl.DataFrame
    summary: pl.DataFrame
    report: HotspotReport

    def _repr_html_(self) -> str:
        return f"<b>HotspotResult</b>{self.summary._repr_html_()}{self.report._repr_html_()}"


@dataclass(frozen=True)
class SeasonalityResult:
    """``summary`` (per series), ``profile`` (per series and month), ``anomalies``, ``report``."""

    summary: pl.DataFrame
    profile: pl.DataFrame
    anomalies: pl.DataFrame
    report: SeasonalityReport

    def _repr_html_(self) -> str:
        return (
            f"<b>SeasonalityResult</b>{self.summary._repr_html_()}"
            f"{self.anomalies._repr_html_()}{self.report._repr_html_()}"
        )


def table_result(cls: type[Any], report_cls: type[Report], parts: tuple[Any, Any]) -> Any:
    """Build ``cls(table, report)`` from the bindings' ``(table, report dict)``."""
    table, report = parts
    return cls(table=table, report=report_cls.from_core(report))


__all__ = [
    "ChangeResult",
    "CountResult",
    "GridResult",
    "HotspotResult",
    "LorenzResult",
    "PeerResult",
    "PersistenceResult",
    "ProportionResult",
    "RateResult",
    "SeasonalityResult",
    "ShareChangeResult",
    "ShareResult",
    "TableResult",
    "TrendResult",
]
