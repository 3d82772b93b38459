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
from typing import Optional, Sequence, get_args

import polars as pl

from saferstats import SaferstatsError, datasets
from saferstats._typing import Level, Period
from saferstats.counts import counts
from saferstats.readers import (
    Geography,
    PoliceUkData,
    build_geography,
    read_lookup,
    read_police_uk,
)

EXAMPLES = ("medway-2014",)
LEVELS = get_args(Level)
PERIODS = get_args(Period)


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
    report = {"read": crimes.report.to_dict(), "counts": result.report.to_dict()}
    (out / "report.json").write_text(json.dumps(report, indent=2))
    print(crimes.report)
    r = result.report.to_dict()
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


def _cmd_assessment(args: argparse.Namespace) -> int:
    """Write the strategic-assessment tables for the areas of a geography."""
    import saferstats as ss

    crimes, geography = _load(args)
    if geography is None:
        raise SaferstatsError("the assessment needs a geography: give --lookup (and --lad-lookup)")
    if args.areas:
        geography = geography.filter(args.area_level, args.areas)
    if args.example:
        example = datasets.medway_2014()
        lad_pop, ward_pop, ward_year = example.lad_population, example.ward_population, 2017
    else:
        lad_pop = ss.read_population(args.population) if args.population else None
        ward_pop = ss.read_population(args.ward_population) if args.ward_population else None
        ward_year = args.ward_population_year
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"# Strategic assessment tables ({args.level} level)", "", "## Data", "", "```"]
    lines += [str(crimes.report), "```", ""]
    written = []

    def save(name: str, table: pl.DataFrame) -> None:
        written.append(_write(table, out, name, args.format))

    level = args.level
    year = ss.counts(crimes, geography, level=level, period="calendar_year")
    save("overall_counts", year.table)
    if lad_pop is not None and level in ("lad", "csp"):
        overall = ss.rates(year, lad_pop)
        save("overall_rates", overall.table)
        lines.append("## Overall crime")
        for r in overall.table.iter_rows(named=True):
            lines.append(
                f"- {r['area_name']} {r['period']}: {r['count']:,} crimes, "
                f"{r['value']:.1f} per 1,000 residents (95% CI {r['lower']:.1f}-{r['upper']:.1f}; "
                f"mid-{r['population_year']} population {r['population']:,.0f})"
                + (f" [{r['flags']}]" if r["flags"] else "")
            )
        lines.append("")
    types = ss.counts(crimes, geography, level=level, by=["crime_type"], period="calendar_year")
    breakdown = ss.shares(types).table.sort(["area_code", "value"], descending=[False, True])
    save("crime_type_shares", breakdown)
    lines.append("## Breakdown by crime type (share of all incidents, Wilson 95% CI)")
    for r in breakdown.head(5).iter_rows(named=True):
        lines.append(
            f"- {r['crime_type']}: {r['value']:.1f}% ({r['lower']:.1f}-{r['upper']:.1f}), "
            f"{r['count']:,}"
        )
    lines.append("")
    wards = ss.counts(crimes, geography, level="ward", by=["crime_type"], period="month")
    save("ward_monthly_counts", wards.table)
    if ward_pop is not None:
        ward_year_counts = ss.counts(crimes, geography, level="ward", period="calendar_year")
        save("ward_rates", ss.rates(ward_year_counts, ward_pop, population_year=ward_year).table)
    quarters = ss.counts(crimes, geography, level="ward", period="quarter")
    change = ss.change(quarters, compare="previous")
    save("ward_quarterly_change", change.table)
    lines.append("## Quarter on previous quarter, by ward (exact conditional test)")
    lines.append(
        "Quarter-on-quarter change is confounded by seasonality; with a year of history, "
        "use the same quarter last year (the default of `saferstats.change`)."
    )
    sig = change.table.filter(pl.col("significant"))
    for r in sig.sort("p_value").head(5).iter_rows(named=True):
        when = f"{r['period']} vs {r['comparison_period']}"
        lines.append(f"- {r['area_name']}, {when}: {r['verdict']}")
    if change.report.refused_partial:
        lines.append(f"- not compared (partial): {'; '.join(change.report.refused_partial)}")
    lines.append("")
    asb = crimes.crimes.filter(pl.col("crime_type") == "Anti-social behaviour")
    if args.hotspot_from:
        asb = asb.filter(pl.col("month") >= pl.lit(args.hotspot_from).str.to_date("%Y-%m"))
    asb_counts = ss.counts(
        asb.with_columns(pl.lit("selected months").alias("window")),
        geography,
        level="ward",
        by=["window"],
        period="calendar_year",
    )
    hot = ss.hotspots(asb_counts, top=5)
    save("asb_ward_ranking", hot.ranking.sort("rank"))
    save("asb_concentration", hot.summary)
    s = hot.summary.row(0, named=True)
    lines.append("## Anti-social behaviour hotspots (wards)")
    top = hot.ranking.filter(pl.col("in_top")).sort("rank")
    lines.append(
        ", ".join(f"{r['area_name']} {r['count']:,}" for r in top.iter_rows(named=True))
        + f": these wards account for {s['top_share']:.0%} of the total "
        f"(a Poisson null with no real hotspots gives {s['poisson_null_share']:.0%}); "
        f"Gini {s['gini']:.2f}, Poisson-baseline Gini {s['gini_poisson_baseline']:.2f}."
    )
    lines.append("")
    grid_result = ss.grid_hotspots(
        crimes.crimes.filter(pl.col("lsoa_code").is_in(geography.table["lsoa_code"].implode())),
        cell_size=args.cell_size,
    )
    grid = grid_result.table
    save("grid_hotspots", grid)
    hot_cells = grid.filter(pl.col("hotspot") == "hot").height
    lines.append(
        f"## Grid hot spots: {hot_cells} hot cells of {args.cell_size:.0f} m (Gi*, queen "
        f"neighbours, p < 0.05); {grid_result.report.without_coordinates:,} points had no location."
    )
    lines.append("")
    months = len(crimes.report.months_covered)
    if months >= 24:
        monthly = ss.counts(crimes, geography, level=level, period="month")
        season = ss.seasonality(monthly)
        save("seasonality_summary", season.summary)
        save("seasonality_profile", season.profile)
        save("anomalous_months", season.anomalies)
    else:
        lines.append(
            f"## Seasonality: not computed ({months} months of data; STL and seasonal "
            "indices need at least 24)."
        )
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"wrote {len(written) + 1} files to {out}")
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

    ass = sub.add_parser(
        "assessment",
        help="strategic-assessment tables (counts, rates, "
        "breakdown, change, hotspots, seasonality)",
    )
    _add_inputs(ass)
    ass.add_argument("--level", choices=("lad", "csp", "force"), default="lad")
    ass.add_argument("--area-level", choices=LEVELS, default="lad", help="level of --areas")
    ass.add_argument("--areas", nargs="+", help="keep only these area codes (of --area-level)")
    ass.add_argument("--population", help="ONS mid-year estimates for the areas")
    ass.add_argument("--ward-population", help="ward population estimates")
    ass.add_argument("--ward-population-year", type=int, help="mid-year of the ward estimates")
    ass.add_argument("--hotspot-from", help="first month (YYYY-MM) for the ASB hotspot window")
    ass.add_argument("--cell-size", type=float, default=250.0, help="grid cell size in metres")
    ass.add_argument("--format", choices=("csv", "parquet"), default="csv")
    ass.add_argument("--out", default="saferstats-output", help="output folder")
    ass.set_defaults(func=_cmd_assessment)
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
