"""What the three benchmark pipelines share: inputs, the tables they build, the canonical output
layout, and the agreement check.

Every pipeline (``pipeline_saferstats``, ``pipeline_pandas``, ``pipeline_polars``) is a class
``Pipeline(inputs)`` with one method per stage in :data:`STAGES`, called in that order, and a
``canonical()`` method returning the stage outputs as polars frames in the layout of
:data:`CANONICAL_KEYS` (converted outside the timed stages). :func:`compare` checks two such
sets: integers, text, flags and dates exactly, floats to :data:`RTOL` relative.
"""

from __future__ import annotations

import calendar
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import polars as pl

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = Path(os.environ.get("SAFERSTATS_SHARED_DATA", HERE.parents[1] / "shared" / "data"))

LSOA_LOOKUP = "lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz"
LAD_LOOKUP = "lookups/ons_LAD19_CSP19_PFA19_EW.csv"
#: ONS small-area (SAPE) mid-2019 estimates by LSOA 2011, summed up the geography.
POPULATION = "population/demographr_population19_lsoa11.csv.gz"
#: The only mid-year the LSOA file holds: every period is rated on it (saferstats
#: ``population_year=2019``), so rates of different years differ only by their counts.
POPULATION_YEAR = 2019

#: Timed stages, in order. ``read`` is the police.uk files only; ``geography`` is the two ONS
#: lookups, the population file and its roll-up to wards and CSPs.
STAGES = ("read", "geography", "counts", "rates", "change", "concentration", "seasonality")

#: Count tables: name -> (level, extra grouping columns, period).
COUNT_TABLES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "csp_type_year": ("csp", ("crime_type",), "calendar_year"),
    "ward_month": ("ward", (), "month"),
    "csp_year": ("csp", (), "calendar_year"),
    "ward_year": ("ward", (), "calendar_year"),
    "csp_month": ("csp", (), "month"),
}
#: Tables rated per 1,000 and compared year on year.
RATE_TABLES = ("csp_type_year", "csp_year", "ward_year")
CHANGE_TABLES = RATE_TABLES
#: Ward counts per year give the top-5 ward share and Gini of each CSP.
CONCENTRATION_TABLE = "ward_year"
TOP = 5
#: Monthly CSP counts give the seasonality of each CSP (needs 24 months).
SEASONALITY_TABLE = "csp_month"
SEASONALITY_MIN_MONTHS = 24
CONFIDENCE = 0.95
PER = 1000.0

#: STL settings saferstats pins (``StlParams::default()``), passed in full to statsmodels.
STL_SETTINGS = {
    "period": 12,
    "seasonal": 1001,
    "trend": 19,
    "low_pass": 13,
    "seasonal_deg": 0,
    "trend_deg": 1,
    "low_pass_deg": 1,
    "robust": True,
    "seasonal_jump": 1,
    "trend_jump": 1,
    "low_pass_jump": 1,
}
STL_FIT = {"inner_iter": 1, "outer_iter": 15}
ANOMALY_THRESHOLD = 3.5
MAD_SCALE = 1.4826

MONTH_NAMES = tuple(calendar.month_name[1:])

#: Canonical outputs: name -> key columns (the frames are sorted on these before comparing).
CANONICAL_KEYS: dict[str, tuple[str, ...]] = {
    "read": ("crime_type",),
    **{f"counts_{t}": ("area_code", *COUNT_TABLES[t][1], "period") for t in COUNT_TABLES},
    **{f"rates_{t}": ("area_code", *COUNT_TABLES[t][1], "period") for t in RATE_TABLES},
    **{f"change_{t}": ("area_code", *COUNT_TABLES[t][1], "period") for t in CHANGE_TABLES},
    "concentration": ("csp_code", "period"),
    "seasonality_profile": ("area_code", "calendar_month"),
    "seasonality_summary": ("area_code",),
    "seasonality_anomalies": ("area_code", "month"),
}

#: Floats must agree to this relative tolerance (|a - b| <= RTOL * max(|a|, |b|)); equal values,
#: including zeros, infinities and missing values in the same places, always agree. ``ATOL`` is
#: an optional absolute slack, 0 by default: the measured worst differences are below 1e-10.
RTOL = 1e-9
ATOL = 0.0


@dataclass(frozen=True)
class Inputs:
    """Where a pipeline reads from: the police.uk folder and files, lookups, populations."""

    data_dir: Path
    files: tuple[Path, ...]
    force_codes: tuple[str, ...]
    months: tuple[str, ...]
    shared: Path = DEFAULT_SHARED
    population_year: int = POPULATION_YEAR
    manifest: dict = field(default_factory=dict, compare=False)

    @property
    def lsoa_lookup(self) -> Path:
        """The LSOA11 -> WD19 -> LAD19 lookup."""
        return self.shared / LSOA_LOOKUP

    @property
    def lad_lookup(self) -> Path:
        """The LAD19 -> CSP19 -> PFA19 lookup."""
        return self.shared / LAD_LOOKUP

    @property
    def population(self) -> Path:
        """The LSOA mid-2019 population file."""
        return self.shared / POPULATION

    @property
    def has_seasonality(self) -> bool:
        """Whether the data span enough months for seasonality (24)."""
        return len(self.months) >= SEASONALITY_MIN_MONTHS


def load_inputs(data_dir: Path, shared: Path = DEFAULT_SHARED) -> Inputs:
    """Describe a generated data set from its ``manifest.json``.

    Parameters
    ----------
    data_dir
        A folder written by ``generate.py``.
    shared
        The shared data folder.

    Returns
    -------
    Inputs
        Files (sorted by path, as saferstats reads them), forces and months.
    """
    manifest = json.loads((data_dir / "manifest.json").read_text())
    files = tuple(sorted(data_dir.glob("*/*-street.csv")))
    return Inputs(
        data_dir=data_dir,
        files=files,
        force_codes=tuple(f["code"] for f in manifest["forces"]),
        months=tuple(manifest["months"]),
        shared=shared,
        manifest=manifest,
    )


def period_label(kind: str, index: int) -> str:
    """Return the saferstats label of a month index (``year * 12 + month - 1``) or a year.

    Parameters
    ----------
    kind
        ``"month"`` (``index`` is a month index) or ``"calendar_year"`` (``index`` is a year).
    index
        The period's index.

    Returns
    -------
    str
        ``"2019-04"`` or ``"2019"``.
    """
    if kind == "month":
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    return f"{index:04d}"


@dataclass
class ColumnCheck:
    """The worst disagreement found in one column."""

    frame: str
    column: str
    worst_relative: float = 0.0
    failures: int = 0
    example: str = ""


def _float_check(
    name: str, column: str, a: pl.Series, b: pl.Series, rtol: float, atol: float
) -> ColumnCheck:
    check = ColumnCheck(name, column)
    a = a.cast(pl.Float64)
    b = b.cast(pl.Float64)
    null_a, null_b = a.is_null() | a.is_nan(), b.is_null() | b.is_nan()
    mismatch = null_a != null_b
    if mismatch.any():
        i = int(mismatch.arg_max())
        check.failures += int(mismatch.sum())
        check.example = f"row {i}: {a[i]!r} vs {b[i]!r} (missing in one)"
    both = ~(null_a | null_b)
    x, y = a.filter(both), b.filter(both)
    if x.len() == 0:
        return check
    frame = pl.DataFrame({"x": x, "y": y}).with_columns(
        same=(pl.col("x") == pl.col("y")),
        diff=(pl.col("x") - pl.col("y")).abs(),
        scale=pl.max_horizontal(pl.col("x").abs(), pl.col("y").abs()),
    )
    frame = frame.with_columns(
        rel=pl.when(pl.col("same")).then(0.0).otherwise(pl.col("diff") / pl.col("scale")),
        bad=~pl.col("same")
        & (
            (pl.col("diff") > atol) & (pl.col("diff") > rtol * pl.col("scale"))
            | pl.col("x").is_infinite()
            | pl.col("y").is_infinite()
        ),
    )
    check.worst_relative = float(frame["rel"].max() or 0.0)
    bad = frame["bad"]
    if bad.any():
        i = int(bad.arg_max())
        check.failures += int(bad.sum())
        check.example = check.example or (f"{x[i]!r} vs {y[i]!r} (relative {frame['rel'][i]:.3g})")
    return check


def compare(
    reference: dict[str, pl.DataFrame],
    other: dict[str, pl.DataFrame],
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> tuple[list[str], list[ColumnCheck]]:
    """Compare two sets of canonical outputs.

    Parameters
    ----------
    reference, other
        Canonical outputs (``Pipeline.canonical()``).
    rtol, atol
        Float tolerances.

    Returns
    -------
    tuple of (list of str, list of ColumnCheck)
        Problems found (empty when the two agree) and the worst relative difference of every
        float column.
    """
    problems: list[str] = []
    checks: list[ColumnCheck] = []
    for name in sorted(set(reference) | set(other)):
        if name not in reference or name not in other:
            problems.append(f"{name}: present in only one implementation")
            continue
        keys = list(CANONICAL_KEYS[name])
        a = reference[name].sort(keys, nulls_last=True)
        b = other[name].sort(keys, nulls_last=True)
        if a.columns != b.columns:
            problems.append(f"{name}: columns {a.columns} vs {b.columns}")
            continue
        if a.height != b.height:
            problems.append(f"{name}: {a.height} rows vs {b.height} rows")
            continue
        for column in a.columns:
            x, y = a[column], b[column]
            if x.dtype.is_float() or y.dtype.is_float():
                check = _float_check(name, column, x, y, rtol, atol)
                checks.append(check)
                if check.failures:
                    problems.append(
                        f"{name}.{column}: {check.failures} values differ beyond rtol {rtol:g} "
                        f"(e.g. {check.example})"
                    )
            else:
                if x.dtype != y.dtype:
                    x, y = x.cast(pl.String), y.cast(pl.String)
                equal = (x == y) | (x.is_null() & y.is_null())
                equal = equal.fill_null(False)
                if not equal.all():
                    i = int((~equal).arg_max())
                    key = {k: a[k][i] for k in keys}
                    problems.append(
                        f"{name}.{column}: {int((~equal).sum())} values differ "
                        f"(e.g. at {key}: {x[i]!r} vs {y[i]!r})"
                    )
    return problems, checks


def read_canonical(folder: Path) -> dict[str, pl.DataFrame]:
    """Load canonical outputs written by a worker (one parquet file per output).

    Parameters
    ----------
    folder
        The worker's output folder.

    Returns
    -------
    dict of str to polars.DataFrame
        Outputs by name.
    """
    return {p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def write_canonical(outputs: dict[str, pl.DataFrame], folder: Path) -> None:
    """Write canonical outputs, one parquet file per output.

    Parameters
    ----------
    outputs
        Outputs by name.
    folder
        Destination (created).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in outputs.items():
        frame.write_parquet(folder / f"{name}.parquet")


def doubling_factor(t1: float, t2: float, n1: float, n2: float) -> Optional[float]:
    """Return how much a cost grows per doubling of rows, from two measurements.

    ``2 ** b`` with ``b = log(t2 / t1) / log(n2 / n1)``: 2.0 is linear, above 2 super-linear.

    Parameters
    ----------
    t1, t2
        Costs (seconds, bytes) at the two sizes.
    n1, n2
        The sizes (rows).

    Returns
    -------
    float or None
        The factor, or ``None`` when it cannot be estimated.
    """
    if min(t1, t2, n1, n2) <= 0 or n1 == n2:
        return None
    return 2 ** (math.log(t2 / t1) / math.log(n2 / n1))
