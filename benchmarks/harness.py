"""Benchmark harness: saferstats against pandas + scipy/statsmodels and hand-written polars.

One command generates (or reuses) a synthetic national-shaped police.uk data set, checks that
the three implementations agree, then times every stage of the pipeline in each and reports
medians, ratios, throughput and peak memory:

    .venv/bin/python benchmarks/harness.py --preset county --repeat 3
    .venv/bin/python benchmarks/harness.py --scaling county national-1y national-2y

Stages (see ``common.STAGES``): read the police.uk files; geography (ONS lookups, the LSOA
population file and its roll-up); the five count tables on the complete grid; rates per 1,000
with 95% limits; year-on-year change with the exact conditional test; top-5 ward share and
Gini per CSP; seasonality of each CSP's monthly series.

Each implementation runs in its own subprocess (``--worker``), so its peak RSS is its own and
one library's caches or threads never help another. Before any timing, each implementation runs
once and writes its outputs; they must agree (counts exactly, floats to 1e-9 relative) or the
harness stops with the differences. Timings are never asserted by the tests.

Results go to ``benchmarks/results/<preset>-<timestamp>.{json,md}`` (and ``<preset>-latest``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional, Sequence

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from common import (  # noqa: E402
    DEFAULT_SHARED,
    RTOL,
    STAGES,
    ColumnCheck,
    compare,
    doubling_factor,
    load_inputs,
    read_canonical,
    write_canonical,
)

IMPLEMENTATIONS = ("saferstats", "pandas", "polars")
RESULTS_DIR = HERE / "results"
SCALING_PRESETS = ("county", "national-1y", "national-2y", "national-5y")


def _rss_bytes() -> int:
    """Current resident set size of this process (Linux ``/proc``; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    """Peak resident set size of this process (``getrusage``; kilobytes on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def run_worker(
    implementation: str,
    data_dir: Path,
    shared: Path,
    repeat: int,
    canonical: Optional[Path],
) -> dict[str, Any]:
    """Run one implementation ``repeat`` times in this process and return its measurements.

    Parameters
    ----------
    implementation
        ``saferstats``, ``pandas`` or ``polars``.
    data_dir
        A generated data set.
    shared
        The shared data folder.
    repeat
        Runs of the whole pipeline (a fresh ``Pipeline`` each time).
    canonical
        When given, write the last run's canonical outputs there (after timing).

    Returns
    -------
    dict
        ``runs`` (seconds per stage and ``total``), RSS after imports, peak RSS, RSS after
        each stage of the first run, import time and library versions.
    """
    t0 = time.perf_counter()
    module = importlib.import_module(f"pipeline_{implementation}")
    import_seconds = time.perf_counter() - t0
    rss_import = _rss_bytes()
    inputs = load_inputs(data_dir, shared)
    runs, rss_stages, versions = [], {}, {}
    for r in range(repeat):
        pipeline = module.Pipeline(inputs)
        versions = pipeline.versions
        times: dict[str, float] = {}
        start = time.perf_counter()
        for stage in STAGES:
            s = time.perf_counter()
            getattr(pipeline, stage)()
            times[stage] = time.perf_counter() - s
            if r == 0:
                rss_stages[stage] = _rss_bytes()
        times["total"] = time.perf_counter() - start
        runs.append(times)
        if canonical is not None and r == repeat - 1:
            write_canonical(pipeline.canonical(), canonical)
        del pipeline
        gc.collect()
    return {
        "implementation": implementation,
        "runs": runs,
        "import_seconds": import_seconds,
        "rss_after_import": rss_import,
        "rss_after_stage": rss_stages,
        "peak_rss": _peak_rss_bytes(),
        "versions": versions,
        "python": platform.python_version(),
    }


def spawn(
    implementation: str,
    data_dir: Path,
    shared: Path,
    repeat: int,
    canonical: Optional[Path] = None,
) -> dict[str, Any]:
    """Run :func:`run_worker` in a fresh interpreter and return its measurements.

    Parameters
    ----------
    implementation, data_dir, shared, repeat, canonical
        As :func:`run_worker`.

    Returns
    -------
    dict
        The worker's measurements.

    Raises
    ------
    RuntimeError
        When the worker fails (its standard error is included).
    """
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "result.json"
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            implementation,
            "--data",
            str(data_dir),
            "--shared",
            str(shared),
            "--repeat",
            str(repeat),
            "--result",
            str(result),
        ]
        if canonical is not None:
            cmd += ["--canonical", str(canonical)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{implementation} worker failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
            )
        return json.loads(result.read_text())


def check_agreement(
    data_dir: Path,
    shared: Path,
    implementations: Sequence[str],
    verbose: bool = True,
) -> dict[str, Any]:
    """Run every implementation once and compare its outputs with the first one's.

    Parameters
    ----------
    data_dir
        A generated data set.
    shared
        The shared data folder.
    implementations
        Names; the first is the reference (saferstats when included).
    verbose
        Print a line per comparison.

    Returns
    -------
    dict
        ``problems`` per compared pair (empty lists when everything agrees) and the worst
        relative float difference per output column.
    """
    report: dict[str, Any] = {"problems": {}, "worst_relative": {}, "rtol": RTOL}
    with tempfile.TemporaryDirectory() as tmp:
        outputs = {}
        for name in implementations:
            folder = Path(tmp) / name
            spawn(name, data_dir, shared, 1, canonical=folder)
            outputs[name] = read_canonical(folder)
        reference = implementations[0]
        for name in implementations[1:]:
            pair = f"{name} vs {reference}"
            problems, checks = compare(outputs[reference], outputs[name])
            report["problems"][pair] = problems
            report["worst_relative"][pair] = _worst(checks)
            if verbose:
                worst = max((c.worst_relative for c in checks), default=0.0)
                status = "agree" if not problems else f"{len(problems)} DISAGREEMENTS"
                print(f"  {pair}: {status} (worst relative float difference {worst:.2g})")
        report["outputs"] = {
            name: {k: v.height for k, v in sorted(outputs[reference].items())}
            for name in implementations[:1]
        }
    return report


def _worst(checks: list[ColumnCheck]) -> dict[str, float]:
    return {f"{c.frame}.{c.column}": c.worst_relative for c in checks}


def summarise(measurements: dict[str, dict], manifest: dict) -> dict[str, Any]:
    """Medians per stage, ratios to saferstats, throughput and memory.

    Parameters
    ----------
    measurements
        Worker results by implementation.
    manifest
        The data set's manifest (rows, bytes).

    Returns
    -------
    dict
        ``median_seconds`` and ``ratio_to_saferstats`` per implementation and stage, plus rows/s
        and MB/s (read stage and end to end) and peak RSS.
    """
    stages = (*STAGES, "total")
    rows, size = manifest["rows"], manifest["bytes"]
    out: dict[str, Any] = {"median_seconds": {}, "ratio_to_saferstats": {}, "throughput": {}}
    for name, m in measurements.items():
        med = {s: statistics.median(run[s] for run in m["runs"]) for s in stages}
        out["median_seconds"][name] = med
        out["throughput"][name] = {
            "read_rows_per_s": rows / med["read"] if med["read"] else None,
            "read_mb_per_s": size / 1e6 / med["read"] if med["read"] else None,
            "total_rows_per_s": rows / med["total"] if med["total"] else None,
            "total_mb_per_s": size / 1e6 / med["total"] if med["total"] else None,
            "peak_rss_mb": m["peak_rss"] / 1e6,
            "rss_after_import_mb": m["rss_after_import"] / 1e6,
            "import_seconds": m["import_seconds"],
        }
    if "saferstats" in out["median_seconds"]:
        base = out["median_seconds"]["saferstats"]
        for name, med in out["median_seconds"].items():
            if name != "saferstats":
                out["ratio_to_saferstats"][name] = {
                    s: (med[s] / base[s] if base[s] > 0 else None) for s in stages
                }
    return out


def machine() -> dict[str, Any]:
    """Describe this machine: cores, CPU model, RAM, OS, Python."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpus": usable,
        "cpu_model": cpu,
        "ram_gb": round(ram / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def benchmark(
    preset: str,
    *,
    seed: int,
    repeat: int,
    implementations: Sequence[str],
    shared: Path,
    check: bool = True,
    data_dir: Optional[Path] = None,
) -> dict[str, Any]:
    """Generate (or reuse) a preset, check agreement, time every implementation.

    Parameters
    ----------
    preset
        A ``generate.PRESETS`` key.
    seed
        Generator seed.
    repeat
        Timed runs per implementation (medians are reported).
    implementations
        Names, reference first.
    shared
        The shared data folder.
    check
        Run the agreement check first (stops on any disagreement).
    data_dir
        Use this data set instead of ``benchmarks/data/<preset>-seed<seed>``.

    Returns
    -------
    dict
        Everything measured (written as JSON by :func:`write_results`).

    Raises
    ------
    SystemExit
        When the implementations disagree.
    """
    data_dir, manifest = _data(preset, seed, data_dir, shared)
    print(
        f"{preset}: {manifest['rows']:,} rows, {manifest['files']} files, "
        f"{manifest['bytes'] / 1e6:,.1f} MB, {len(manifest['forces'])} forces x "
        f"{len(manifest['months'])} months"
    )
    result: dict[str, Any] = {
        "preset": preset,
        "seed": seed,
        "repeat": repeat,
        "data": {k: manifest[k] for k in ("rows", "files", "bytes", "months", "lsoas")}
        | {"forces": [f["slug"] for f in manifest["forces"]], "path": str(data_dir)},
        "machine": machine(),
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if check:
        print("agreement check (one run each):")
        agreement = check_agreement(data_dir, shared, implementations)
        result["agreement"] = agreement
        problems = [f"{pair}: {p}" for pair, ps in agreement["problems"].items() for p in ps]
        if problems:
            print("\nIMPLEMENTATIONS DISAGREE; not timing.", file=sys.stderr)
            for p in problems[:50]:
                print(f"  {p}", file=sys.stderr)
            raise SystemExit(1)
    measurements = {}
    for name in implementations:
        print(f"timing {name} ({repeat} runs)...", flush=True)
        measurements[name] = spawn(name, data_dir, shared, repeat)
    result["measurements"] = measurements
    result["summary"] = summarise(measurements, manifest)
    return result


def _data(
    preset: str, seed: int, data_dir: Optional[Path], shared: Path
) -> tuple[Path, dict[str, Any]]:
    """An existing data set (``--data``, used as it is) or the preset's (generated if absent)."""
    import generate

    if data_dir is not None and (data_dir / "manifest.json").exists():
        return data_dir, json.loads((data_dir / "manifest.json").read_text())
    return generate.ensure(preset, seed, data_dir, shared)


def markdown(result: dict[str, Any]) -> str:
    """Render one benchmark result as a Markdown report.

    Parameters
    ----------
    result
        Output of :func:`benchmark`.

    Returns
    -------
    str
        Tables of medians, ratios, throughput and memory.
    """
    s = result["summary"]
    names = list(s["median_seconds"])
    others = [n for n in names if n != "saferstats"]
    d = result["data"]
    m = result["machine"]
    lines = [
        f"## {result['preset']} ({d['rows']:,} rows, {d['bytes'] / 1e6:,.1f} MB, "
        f"{len(d['forces'])} forces x {len(d['months'])} months)",
        "",
        f"Medians of {result['repeat']} runs; {m['cpus']} CPUs ({m['cpu_model']}), "
        f"{m['ram_gb']} GB RAM; seed {result['seed']}; started {result['started']}.",
        "",
        "| stage | "
        + " | ".join(f"{n} s" for n in names)
        + "".join(f" | {n}/saferstats" for n in others if "saferstats" in names)
        + " |",
        "|---" * (1 + len(names) + (len(others) if "saferstats" in names else 0)) + "|",
    ]
    for stage in (*STAGES, "total"):
        row = [f"{s['median_seconds'][n][stage]:.3f}" for n in names]
        if "saferstats" in names:
            row += [_ratio(s["ratio_to_saferstats"][n][stage]) for n in others]
        label = f"**{stage}**" if stage == "total" else stage
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    lines += ["", "| | " + " | ".join(names) + " |", "|---" * (1 + len(names)) + "|"]
    metrics = [
        ("read rows/s", "read_rows_per_s", "{:,.0f}"),
        ("read MB/s", "read_mb_per_s", "{:,.1f}"),
        ("end-to-end rows/s", "total_rows_per_s", "{:,.0f}"),
        ("end-to-end MB/s", "total_mb_per_s", "{:,.1f}"),
        ("peak RSS MB", "peak_rss_mb", "{:,.0f}"),
        ("RSS after imports MB", "rss_after_import_mb", "{:,.0f}"),
        ("import s", "import_seconds", "{:.2f}"),
    ]
    for label, key, fmt in metrics:
        vals = [s["throughput"][n][key] for n in names]
        lines.append(
            f"| {label} | "
            + " | ".join(fmt.format(v) if v is not None else "-" for v in vals)
            + " |"
        )
    versions = {k: v for n in names for k, v in result["measurements"][n]["versions"].items()}
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + "."]
    if "agreement" in result:
        a = result["agreement"]
        worst = max(
            (v for pair in a["worst_relative"].values() for v in pair.values()), default=0.0
        )
        lines.append(
            f"Agreement: checked before timing (floats to {a['rtol']:g} relative); worst "
            f"relative difference {worst:.2g}."
        )
    return "\n".join(lines) + "\n"


def _ratio(v: Optional[float]) -> str:
    return "-" if v is None else f"{v:.2f}"


def scaling_markdown(results: list[dict[str, Any]]) -> str:
    """Render a scaling run: seconds per preset and the growth per doubling of rows.

    Parameters
    ----------
    results
        Outputs of :func:`benchmark`, smallest first.

    Returns
    -------
    str
        One table per implementation.
    """
    lines = ["## Scaling", ""]
    names = list(results[0]["summary"]["median_seconds"])
    for name in names:
        lines += [
            f"### {name}",
            "",
            "| stage | "
            + " | ".join(f"{r['preset']} ({r['data']['rows']:,} rows)" for r in results)
            + "".join(
                f" | x per doubling {a['preset']}->{b['preset']}"
                for a, b in zip(results, results[1:])
            )
            + " |",
            "|---" * (1 + len(results) + len(results) - 1) + "|",
        ]
        for stage in (*STAGES, "total"):
            secs = [r["summary"]["median_seconds"][name][stage] for r in results]
            growth = [
                doubling_factor(
                    secs[i], secs[i + 1], results[i]["data"]["rows"], results[i + 1]["data"]["rows"]
                )
                for i in range(len(results) - 1)
            ]
            lines.append(
                f"| {stage} | "
                + " | ".join(f"{v:.3f}" for v in secs)
                + "".join(f" | {_ratio(g)}" for g in growth)
                + " |"
            )
        peaks = [r["summary"]["throughput"][name]["peak_rss_mb"] for r in results]
        growth = [
            doubling_factor(
                peaks[i], peaks[i + 1], results[i]["data"]["rows"], results[i + 1]["data"]["rows"]
            )
            for i in range(len(results) - 1)
        ]
        lines.append(
            "| peak RSS MB | "
            + " | ".join(f"{v:,.0f}" for v in peaks)
            + "".join(f" | {_ratio(g)}" for g in growth)
            + " |"
        )
        lines.append("")
    lines.append(
        "x per doubling: 2.00 is linear in rows (2 ** (log(t2/t1) / log(n2/n1))). Presets "
        "with fewer than 24 months skip seasonality and have no year-on-year comparisons."
    )
    return "\n".join(lines) + "\n"


def write_results(name: str, payload: Any, text: str, out: Path = RESULTS_DIR) -> Path:
    """Write ``<name>-<timestamp>.json`` and ``.md`` (and ``<name>-latest.*``) under ``out``.

    Parameters
    ----------
    name
        Preset or ``scaling``.
    payload
        JSON-serialisable results.
    text
        The Markdown report.
    out
        Results folder.

    Returns
    -------
    pathlib.Path
        The Markdown file written.
    """
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for stem in (f"{name}-{stamp}", f"{name}-latest"):
        (out / f"{stem}.json").write_text(json.dumps(payload, indent=2) + "\n")
        (out / f"{stem}.md").write_text(text)
    return out / f"{name}-{stamp}.md"


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Command line (see the module docstring)."""
    import generate

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="county", choices=sorted(generate.PRESETS))
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--implementations",
        default=",".join(IMPLEMENTATIONS),
        help="comma-separated, reference first (default: saferstats,pandas,polars)",
    )
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--data", type=Path, help="an existing generated data set")
    parser.add_argument("--no-check", action="store_true", help="skip the agreement check")
    parser.add_argument("--check-only", action="store_true", help="agreement check, no timing")
    parser.add_argument(
        "--scaling",
        nargs="*",
        metavar="PRESET",
        help=f"run these presets in order (default {' '.join(SCALING_PRESETS)})",
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--canonical", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        measured = run_worker(args.worker, args.data, args.shared, args.repeat, args.canonical)
        args.result.write_text(json.dumps(measured))
        return

    implementations = [s.strip() for s in args.implementations.split(",") if s.strip()]
    unknown = set(implementations) - set(IMPLEMENTATIONS)
    if unknown:
        parser.error(f"unknown implementations: {', '.join(sorted(unknown))}")
    if args.check_only:
        data_dir, _ = _data(args.preset, args.seed, args.data, args.shared)
        report = check_agreement(data_dir, args.shared, implementations)
        problems = [p for ps in report["problems"].values() for p in ps]
        for p in problems[:50]:
            print(f"  {p}", file=sys.stderr)
        raise SystemExit(1 if problems else 0)
    if args.scaling is not None:
        presets = args.scaling or list(SCALING_PRESETS)
        results = [
            benchmark(
                p,
                seed=args.seed,
                repeat=args.repeat,
                implementations=implementations,
                shared=args.shared,
                check=not args.no_check,
            )
            for p in presets
        ]
        text = "\n".join(markdown(r) for r in results) + "\n" + scaling_markdown(results)
        path = write_results("scaling", results, text, args.out)
        print(text)
        print(f"written: {path} (and .json)")
        return
    result = benchmark(
        args.preset,
        seed=args.seed,
        repeat=args.repeat,
        implementations=implementations,
        shared=args.shared,
        check=not args.no_check,
        data_dir=args.data,
    )
    text = markdown(result)
    path = write_results(args.preset, result, text, args.out)
    print(text)
    print(f"written: {path} (and .json)")


if __name__ == "__main__":
    main()
