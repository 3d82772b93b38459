"""Benchmark harness: saferstats against a plain-polars baseline, in one run, as ratios.

Timing is never asserted in tests; run this by hand or in a scheduled job:

    .venv/bin/python benchmarks/bench.py [--repeat 5] [--scale 10]

Cases (each timed as the best of ``--repeat`` runs, after one warm-up):

- read: ``saferstats.read_police_uk`` on the Kent 2014 files (typed, validated, with a
  read report) vs ``polars.read_csv`` of the same files (no validation, no accounting);
- counts: ``saferstats.counts`` by ward x crime type x month on the complete grid vs a polars
  join + group_by that gives only the non-zero cells;
- rates: ``saferstats.rates`` (Byar/exact limits per row) vs polars arithmetic for the rate
  alone.

``--scale`` stacks the Kent rows that many times (as extra forces) to approach national volume
(~6 million rows a year is ~40x Kent's 11 months).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Callable

import polars as pl
import saferstats as ss

SHARED = Path(
    os.environ.get(
        "SAFERSTATS_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    kent = SHARED / "police-uk" / "kent-2014"
    files = sorted(kent.glob("*-street.csv.gz"))
    geo = ss.build_geography(
        ss.read_lookup(SHARED / "lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz"),
        ss.read_lookup(SHARED / "lookups/ons_LAD19_CSP19_PFA19_EW.csv"),
    )
    data = ss.read_police_uk(kent)
    crimes = pl.concat([data.crimes] * args.scale)
    rows = crimes.height
    results = []

    t_ss = best_of(lambda: ss.read_police_uk(kent), args.repeat)
    t_pl = best_of(
        lambda: pl.concat([pl.read_csv(f, infer_schema_length=0) for f in files]), args.repeat
    )
    results.append(("read (Kent, 11 files)", data.report.rows_read, t_ss, t_pl))

    t_ss = best_of(
        lambda: ss.counts(crimes, geo, level="ward", by=["crime_type"], period="month"), args.repeat
    )

    def baseline_counts() -> pl.DataFrame:
        return (
            crimes.join(geo.table.select("lsoa_code", "ward_code"), on="lsoa_code")
            .group_by("ward_code", "crime_type", "month")
            .len()
        )

    t_pl = best_of(baseline_counts, args.repeat)
    results.append(("counts ward x type x month", rows, t_ss, t_pl))

    lad = ss.counts(crimes, geo, level="ward", by=["crime_type"], period="month")
    pop = (
        lad.table.select("area_code")
        .unique()
        .with_columns(pl.lit(2014).alias("mid_year"), pl.lit(10_000.0).alias("population"))
    )
    t_ss = best_of(lambda: ss.rates(lad, pop), args.repeat)

    def baseline_rates() -> pl.DataFrame:
        return lad.table.join(pop, on="area_code").with_columns(
            (pl.col("count") / pl.col("population") * 1000).alias("value")
        )

    t_pl = best_of(baseline_rates, args.repeat)
    results.append(("rates with limits", lad.table.height, t_ss, t_pl))

    print(f"{'case':32} {'rows':>10} {'saferstats s':>13} {'baseline s':>11} {'ratio':>7}")
    for name, n, a, b in results:
        print(f"{name:32} {n:>10,} {a:>13.4f} {b:>11.4f} {a / b:>7.2f}")


if __name__ == "__main__":
    main()
