"""Time the strategic assessment of every CSP in a generated preset, end to end.

Runs ``saferstats assess`` (the batch CLI the package installs) on a generated police.uk
folder with the real ONS lookups and local-authority populations, every CSP of the data in one
run, and records what the CLI reports (reading, and the assessment after reading), the
wall time of the whole command and the command's peak memory. No pandas or polars equivalent
exists to compare with: the numbers are against the target of issue 13 (under 10 s after
reading for national-2y).

    .venv/bin/python benchmarks/assessment.py --preset national-2y --repeat 1

The data must have been generated (``benchmarks/generate.py --preset ...``); results go to
``benchmarks/results/assessment-<preset>-latest.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

from common import DEFAULT_SHARED, LAD_LOOKUP, LSOA_LOOKUP, load_inputs

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"
#: ONS small-area estimates by LSOA 2011, mid-2019 and mid-2020. The LAD23 MYE4 file lacks the
#: LAD19 authorities merged since (e.g. Allerdale), which the assessment rightly refuses, so
#: the LSOA estimates are summed to the LAD19 authorities of the lookup (outside the timing).
SAPE = {
    2019: "population/demographr_population19_lsoa11.csv.gz",
    2020: "population/demographr_population20_lsoa11.csv.gz",
}
TIMING = re.compile(r"in ([0-9.]+) s \(reading ([0-9.]+) s\)")


def cli() -> str:
    """Return the ``saferstats`` command beside this Python (the installed package's)."""
    beside = Path(sys.executable).with_name("saferstats")
    found = str(beside) if beside.exists() else shutil.which("saferstats")
    if not found:
        raise SystemExit("no saferstats command: install the package first (pip install .)")
    return found


def lad_population(shared: Path, path: Path) -> Path:
    """Write the LAD19 populations of mid-2019 and mid-2020 (LSOA estimates summed) to path."""
    import polars as pl
    import saferstats as ss

    lookup = ss.read_lookup(shared / LSOA_LOOKUP).table.select("lsoa_code", "lad_code", "lad_name")
    parts = []
    for year, file in SAPE.items():
        lsoa = ss.read_population(shared / file, mid_year=year).table
        parts.append(
            lsoa.join(lookup, left_on="area_code", right_on="lsoa_code")
            .group_by(area_code="lad_code", area_name="lad_name")
            .agg(pl.col("population").sum())
            .with_columns(mid_year=pl.lit(year))
        )
    pl.concat(parts).select("area_code", "area_name", "mid_year", "population").sort(
        "area_code", "mid_year"
    ).write_csv(path)
    return path


def run_once(data: Path, shared: Path, period: str, population: Path) -> dict[str, float]:
    """Run the assessment once in a child process; return its timings and peak memory."""
    with tempfile.TemporaryDirectory() as out:
        command = [
            cli(),
            "assess",
            "--police-uk",
            str(data),
            "--lookup",
            str(shared / LSOA_LOOKUP),
            "--lad-lookup",
            str(shared / LAD_LOOKUP),
            "--population",
            str(population),
            "--period",
            period,
            "--format",
            "csv",
            "--out",
            out,
        ]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"saferstats assess failed ({done.returncode}): {done.stderr[-2000:]}")
    match = TIMING.search(done.stdout)
    if match is None:
        raise SystemExit(f"no timing line in the output:\n{done.stdout[-2000:]}")
    total, reading = float(match.group(1)), float(match.group(2))
    areas = re.search(r"(\d+) csp areas", done.stdout)
    # ru_maxrss of the children so far: the largest child, which is the assessment (KiB).
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "areas": float(areas.group(1)) if areas else float("nan"),
        "reading_s": reading,
        "assessment_s": total - reading,
        "command_s": wall,
        "peak_rss_mb": peak,
    }


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Parse the options, run the assessment ``--repeat`` times and write the results."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="national-2y")
    p.add_argument("--seed", type=int, default=2015)
    p.add_argument("--data", type=Path, help="generated folder (default data/<preset>-seed<seed>)")
    p.add_argument("--period", default="2020", help="reporting period (default 2020)")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    a = p.parse_args(argv)
    data = a.data or HERE / "data" / f"{a.preset}-seed{a.seed}"
    inputs = load_inputs(data, a.shared)
    with tempfile.TemporaryDirectory() as tmp:
        population = lad_population(a.shared, Path(tmp) / "lad_population.csv")
        runs = [run_once(data, a.shared, a.period, population) for _ in range(a.repeat)]
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    result = {
        "preset": a.preset,
        "rows": inputs.manifest.get("rows"),
        "months": len(inputs.months),
        "period": a.period,
        "runs": runs,
        "median": median,
        "target_assessment_s": 10.0,
    }
    text = (
        f"# Assessment of every CSP: {a.preset} ({result['rows']:,} rows, "
        f"{result['months']} months, period {a.period})\n\n"
        f"| measure | median of {a.repeat} |\n|---|---:|\n"
        f"| CSPs assessed | {median['areas']:.0f} |\n"
        f"| reading (police.uk files, lookups, populations) | {median['reading_s']:.2f} s |\n"
        f"| assessment after reading (target < 10 s) | {median['assessment_s']:.2f} s |\n"
        f"| whole command | {median['command_s']:.2f} s |\n"
        f"| peak memory | {median['peak_rss_mb']:,.0f} MB |\n"
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    base = RESULTS_DIR / f"assessment-{a.preset}-latest"
    base.with_suffix(".json").write_text(json.dumps(result, indent=2))
    base.with_suffix(".md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
