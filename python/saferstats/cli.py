"""Command-line batch jobs: ``saferstats counts`` and ``saferstats read``.

Every job works on all areas of a geography in one pass and writes its tables as CSV (or
Parquet) with a JSON report of what was read, kept and set aside.

Examples
--------
Counts by ward and crime type for 2014 on the bundled Medway data::

    saferstats counts --example medway-2014 --level ward --by crime_type \
        --period calendar_year --out saferstats-output

The same for every CSP of a force from downloaded files::

    saferstats counts --police-uk data/2014-*/ --lookup LSOA11_WD19.csv \
        --lad-lookup LAD19_CSP19_PFA19.csv --level csp --period financial_year --out out

"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

import polars as pl

from saferstats import SaferstatsError, datasets
from saferstats.counts import LEVELS, PERIODS, counts
from saferstats.readers import (
    Geography,
    PoliceUkData,
    build_geography,
    read_lookup,
    read_police_uk,
)

EXAMPLES = ("medway-2014",)


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    source = parser.add_argument_group("inputs (either --example or --police-uk + --lookup)")
    source.add_argument("--example", choices=EXAMPLES, help="use a bundled example dataset")
    source.add_argument(
        "--police-uk", nargs="+", metavar="PATH", help="street-level files, folders or globs"
    )
    source.add_argument("--lookup", help="ONS LSOA to ward to local authority lookup")
    source.add_argument("--lad-lookup", help="ONS local authority to CSP to force lookup")
    source.add_argument(
        "--set-aside-no-location",
        action="store_true",
        help="set aside rows without a location instead of keeping them flagged",
    )


def _load(args: argparse.Namespace) -> tuple[PoliceUkData, Optional[Geography]]:
    no_location = "set_aside" if args.set_aside_no_location else "keep"
    if args.example:
        data = datasets.medway_2014(no_location=no_location)
        return data.crimes, data.geography
    if not args.police_uk:
        raise SaferstatsError("give --example or --police-uk PATH ...")
    crimes = read_police_uk(args.police_uk, no_location=no_location)
    geography = None
    if args.lookup:
        lad = read_lookup(args.lad_lookup) if args.lad_lookup else None
        geography = build_geography(read_lookup(args.lookup), lad)
    return crimes, geography


def _write(table: pl.DataFrame, out: Path, name: str, fmt: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.{fmt}"
    if fmt == "parquet":
        table.write_parquet(path)
    else:
        table.write_csv(path)
    return path


def _cmd_read(args: argparse.Namespace) -> int:
    crimes, _ = _load(args)
    print(crimes.report)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "read_report.json").write_text(json.dumps(crimes.report.to_dict(), indent=2))
    return 0


def _cmd_counts(args: argparse.Namespace) -> int:
    crimes, geography = _load(args)
    if geography is None:
        raise SaferstatsError("counts need a geography: give --lookup (and --lad-lookup)")
    if args.areas:
        geography = geography.filter(args.area_level, args.areas)
    by = [b for b in (args.by or []) if b]
    result = counts(crimes, geography, level=args.level, by=by, period=args.period)
    out = Path(args.out)
    path = _write(result.table, out, "counts", args.format)
    report = {"read": crimes.report.to_dict(), "counts": result.report}
    (out / "report.json").write_text(json.dumps(report, indent=2))
    print(crimes.report)
    r = result.report
    print(
        f"counted {r['rows_counted']:,} rows into {r['areas']} {args.level} areas x "
        f"{r['groups']} groups x {r['periods']} periods; "
        f"{r['rows_without_lsoa']:,} without location, "
        f"{r['rows_outside_geography']:,} outside the geography"
    )
    if r["partial_periods"]:
        print(f"partial periods (not all months covered): {', '.join(r['partial_periods'])}")
    summary = (
        result.table.group_by(["area_name", *by])
        .agg(pl.col("count").sum())
        .sort("count", descending=True)
        .head(10)
    )
    with pl.Config(tbl_rows=10, tbl_hide_dataframe_shape=True):
        print(summary)
    print(f"wrote {path} and {out / 'report.json'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the ``saferstats`` argument parser."""
    parser = argparse.ArgumentParser(prog="saferstats", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    read = sub.add_parser("read", help="read police.uk files and print the read report")
    _add_inputs(read)
    read.add_argument("--out", help="folder for read_report.json")
    read.set_defaults(func=_cmd_read)

    cnt = sub.add_parser("counts", help="counts per area, group and period (complete grid)")
    _add_inputs(cnt)
    cnt.add_argument("--level", choices=LEVELS, default="ward")
    cnt.add_argument("--by", nargs="*", default=["crime_type"], help="grouping columns")
    cnt.add_argument("--period", choices=PERIODS, default="month")
    cnt.add_argument("--area-level", choices=LEVELS, default="lad", help="level of --areas")
    cnt.add_argument("--areas", nargs="+", help="keep only these area codes (of --area-level)")
    cnt.add_argument("--format", choices=("csv", "parquet"), default="csv")
    cnt.add_argument("--out", default="saferstats-output", help="output folder")
    cnt.set_defaults(func=_cmd_counts)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SaferstatsError as err:
        print(f"saferstats: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
