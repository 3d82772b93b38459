"""Typed reports: what each core function used, matched and set aside.

Each class mirrors a serde report struct of the core field for field; ``from_core`` builds it
from the dict the bindings return and fails loudly (``InternalError``) if the two ever drift.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, Optional, TypeVar

from saferstats._saferstats import InternalError

T = TypeVar("T", bound="Report")


@dataclass(frozen=True)
class Report:
    """Base class of every report."""

    @classmethod
    def from_core(cls: type[T], data: dict[str, Any]) -> T:
        """Build the report from the core's dict (every field, nothing else)."""
        names = {f.name for f in fields(cls)}
        # Fields with a default may be absent (the core leaves out empty optional parts).
        required = {
            f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING
        }
        if not set(data) <= names or not required <= set(data):
            raise InternalError(
                f"{cls.__name__}: the core returned fields {sorted(data)}, "
                f"the Python class declares {sorted(names)}"
            )
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain data (for JSON or logging)."""
        return asdict(self)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{k}</th><td>{_html(v)}</td></tr>"
            for k, v in self.to_dict().items()
        )
        return f"<table><caption>{type(self).__name__}</caption>{rows}</table>"


def _html(value: Any) -> str:
    import html

    text = f"{value:,}" if isinstance(value, int) else str(value)
    return html.escape(text if len(text) < 400 else text[:400] + "...")


@dataclass(frozen=True)
class FileReport(Report):
    """One file read: rows read and kept, months found.

    ``archive`` is the bulk archive a file was read from (None for a loose file);
    ``from_cache`` says whether it came from the read cache (None when no cache was used).
    """

    source: str
    rows_read: int
    rows_kept: int
    months: list[str]
    archive: Optional[str] = None
    from_cache: Optional[bool] = None


@dataclass(frozen=True)
class ReadReport(Report):
    """What a read of police.uk files found: nothing is dropped without a line here.

    ``rows_read == rows_kept + rows_set_aside`` always holds.
    """

    files: list[FileReport]
    rows_read: int
    rows_kept: int
    rows_set_aside: int
    set_aside_by_reason: dict[str, int]
    flagged_by_reason: dict[str, int]
    months_covered: list[str]
    months_missing: list[str]
    forces: list[str]
    unknown_crime_types: dict[str, int] = field(default_factory=dict)
    under_published: list[dict[str, Any]] = field(default_factory=list)
    superseded: list[dict[str, Any]] = field(default_factory=list)
    cache: Optional[dict[str, Any]] = None

    @classmethod
    def from_core(cls, data: dict[str, Any]) -> ReadReport:
        """Build the report, with its files as :class:`FileReport`."""
        data = dict(data)
        data["files"] = [FileReport.from_core(f) for f in data["files"]]
        return super().from_core(data)

    def __str__(self) -> str:
        lines = [
            f"files read: {len(self.files)}; forces: {', '.join(self.forces) or '-'}",
            f"rows read: {self.rows_read:,}; kept: {self.rows_kept:,}; "
            f"set aside: {self.rows_set_aside:,}",
        ]
        lines += [f"  set aside ({k}): {v:,}" for k, v in self.set_aside_by_reason.items()]
        lines += [f"  kept, flagged {k}: {v:,}" for k, v in self.flagged_by_reason.items()]
        if self.months_covered:
            lines.append(
                f"months: {self.months_covered[0]} to {self.months_covered[-1]} "
                f"({len(self.months_covered)} covered)"
            )
        if self.months_missing:
            lines.append(f"months missing inside the run: {', '.join(self.months_missing)}")
        lines += [
            f"  under-published: {u['force']} {u['month']}: {u['rows']:,} rows, "
            f"{u['share']:.0%} of the neighbouring months' {u['typical_rows']:,.0f}"
            for u in self.under_published
        ]
        return "\n".join(lines)


@dataclass(frozen=True)
class CountReport(Report):
    """The account of every input row of a counts call, and the table's declared keys."""

    keys: list[str]
    rows_in: int
    rows_counted: int
    rows_without_lsoa: int
    rows_outside_geography: int
    rows_outside_periods: int
    lsoas_outside_geography: dict[str, int]
    areas: int
    groups: int
    periods: int
    partial_periods: list[str]
    rows_under_published: int = 0


@dataclass(frozen=True)
class RateReport(Report):
    """Population years and sources used, areas without counts, partial-period rows."""

    keys: list[str]
    rows: int
    population_years: list[int]
    population_sources: list[str]
    areas_without_counts: list[str]
    partial_period_rows: int
    annualised_rows: int
    uncovered_rows: int
    under_published_rows: int = 0


@dataclass(frozen=True)
class ShareReport(Report):
    """The key whose shares were computed and the columns defining each total."""

    keys: list[str]
    of: str
    within: list[str]
    groups: int


@dataclass(frozen=True)
class ProportionReport(Report):
    """Rows of a proportions call."""

    rows: int


@dataclass(frozen=True)
class PeerReport(Report):
    """The columns that defined the peer groups, and how many there were."""

    keys: list[str]
    peer_group: list[str]
    groups: int
    rows: int


@dataclass(frozen=True)
class ChangeReport(Report):
    """Rows compared, without an earlier period, refused as partial; the dispersion used."""

    keys: list[str]
    compared: int
    without_earlier_period: int
    refused_partial: list[str]
    dispersion_source: str
    quasi_rows: int
    no_verdict: int
    under_published_rows: int = 0


@dataclass(frozen=True)
class DispersionReport(Report):
    """Series with and without a dispersion estimate, months treated as missing, the method."""

    keys: list[str]
    estimated: int
    not_estimated: int
    missing_months: int
    method: str


@dataclass(frozen=True)
class TrendReport(Report):
    """Series with a trend and the confidence level of the log-linear interval."""

    keys: list[str]
    series: int
    confidence: float


@dataclass(frozen=True)
class HotspotReport(Report):
    """The groups inside which areas were ranked."""

    keys: list[str]
    within: list[str]
    groups: int
    rows: int


@dataclass(frozen=True)
class SeasonalityReport(Report):
    """Series and months analysed."""

    keys: list[str]
    series: int
    months: int


@dataclass(frozen=True)
class GridReport(Report):
    """Where the points of a grid Gi* call went, and the grid's size."""

    rows_in: int
    points_used: int
    without_coordinates: int
    outside_great_britain: int
    columns: int
    rows: int


__all__ = [
    "ChangeReport",
    "CountReport",
    "FileReport",
    "GridReport",
    "HotspotReport",
    "PeerReport",
    "ProportionReport",
    "RateReport",
    "ReadReport",
    "Report",
    "SeasonalityReport",
    "ShareReport",
    "TrendReport",
]
