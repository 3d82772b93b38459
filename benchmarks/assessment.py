"""Time the strategic assessment of every CSP in a generated preset, end to end.

Runs ``saferstats assess`` (the batch CLI the package installs) on a generated police.uk
folder with the real ONS lookups and MYE4 local-authority populations, every CSP of the data
in one run, and records what the CLI reports (reading, and the assessment after reading), the
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
MYE4 = "population/ons_MYE4_LAD23_population_mid2011_to_mid2023.csv"
TIMING = re.compile(r"in ([0-9.]+) s \(reading ([0-9.]+) s\)")


def cli() -> str:
    """Return the ``saferstats`` command beside this Python (the installed package's)."""
    beside = Path(sys.executable).with_name("saferstats")
    found = str(beside) if beside.exists() else shutil.which("saferstats")
    if not found:
        raise SystemExit("no saferstats command: install the package first (pip install .)")
    return found


def run_once(data: Path, shared: Path, period: str) -> dict[str, float]:
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
            str(shared / MYE4),
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
    runs = [run_once(data, a.shared, a.period) for _ in range(a.repeat)]
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
