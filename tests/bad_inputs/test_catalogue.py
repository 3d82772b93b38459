"""Hostile and malformed inputs to the public Python API, each in a child interpreter.

Every case is a short snippet run in a subprocess (a crash, abort or hang of the interpreter
is a failure of that case, not of pytest). A case expects either a typed error (a subclass of
``ss.SaferstatsError``, never ``InternalError`` nor pyo3's ``PanicException``) whose message
matches the given patterns, or a check expression that must evaluate to ``True``.

Cases that cannot crash the interpreter run several to a child (a batch); a batch that dies
or times out is rerun one case per child, so a crash is still pinned to its case. Numeric
overflow, huge sizes and file-system loops always run alone.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Optional, Union

import pytest

TIMEOUT = 60
BATCH = 25
MARK = "@@CASE@@"
#: Area codes of the shared frames (also defined in the child's preamble).
AREAS = ["E05000001", "E05000002", "E05000003", "E05000004"]

PREAMBLE = r'''
import atexit
import datetime as dt
import gzip
import json
import math
import os
import pathlib
import re
import shutil
import sys
import tempfile
import traceback

import numpy as np
import pandas as pd
import polars as pl
import saferstats as ss

D = dt.date
NAN, INF = float("nan"), float("inf")
TMP = pathlib.Path(tempfile.mkdtemp(prefix="ss-bad-"))
atexit.register(shutil.rmtree, TMP, True)
T = TMP
AREAS = ["E05000001", "E05000002", "E05000003", "E05000004"]
YEARS = (2013, 2014)


def annual(areas=AREAS, years=YEARS, base=(100, 40, 10, 200)):
    rows = []
    for i, area in enumerate(areas):
        for j, year in enumerate(years):
            rows.append(
                {
                    "area_code": area,
                    "period": str(year),
                    "period_start": D(year, 1, 1),
                    "months_expected": 12,
                    "months_covered": 12,
                    "count": base[i % len(base)] + 7 * j * (i + 1),
                }
            )
    return pl.DataFrame(rows)


def population(areas=AREAS, years=YEARS):
    return pl.DataFrame(
        {
            "area_code": [a for a in areas for _ in years],
            "mid_year": [y for _ in areas for y in years],
            "population": [5000.0 + 1000 * i for i, _ in enumerate(areas) for _ in years],
        }
    )


def monthly(n=36, areas=AREAS[:2], start=2012):
    rows = []
    for i, area in enumerate(areas):
        for t in range(n):
            year, month = start + t // 12, t % 12 + 1
            season = (0, -8, -3, 2, 6, 10, 14, 12, 5, 0, -4, -9)[month - 1]
            rows.append(
                {
                    "area_code": area,
                    "period": f"{year}-{month:02d}",
                    "period_start": D(year, month, 1),
                    "months_expected": 1,
                    "months_covered": 1,
                    "count": 60 + 10 * i + season + (7 * t) % 5,
                }
            )
    return pl.DataFrame(rows)


def poke(frame, col, i, value):
    """Set one value of a column (the column becomes text or float if the value needs it)."""
    dtype = frame.schema[col]
    if isinstance(value, str) and dtype != pl.String:
        dtype = pl.String
    elif isinstance(value, float) and dtype.is_integer():
        dtype = pl.Float64
    values = frame[col].cast(dtype).to_list()
    values[i] = value
    return frame.with_columns(pl.Series(col, values, dtype=dtype))


C = annual()
POP = population()
R = ss.rates(C, POP)
RT = R.table
M = monthly()
CT = pl.concat(
    [C.with_columns(crime_type=pl.lit("Burglary")), C.with_columns(crime_type=pl.lit("Robbery"))]
)
PR = pl.DataFrame({"x": [65, 10], "n": [100, 20]})
BEFORE = C.filter(pl.col("period") == "2013")
AFTER = C.filter(pl.col("period") == "2014")
ANNUAL5 = annual(areas=AREAS[:2], years=range(2010, 2015), base=(100, 300))
RATES5 = ss.rates(ANNUAL5, population(AREAS[:2], range(2010, 2015))).table

GEO = pl.DataFrame(
    {
        "lsoa_code": ["L1", "L2", "L3"],
        "lsoa_name": ["l1", "l2", "l3"],
        "ward_code": ["W1", "W1", "W2"],
        "ward_name": ["w1", "w1", "w2"],
        "lad_code": ["X"] * 3,
        "lad_name": ["x"] * 3,
        "csp_code": ["S"] * 3,
        "csp_name": ["s"] * 3,
        "force_code": ["F"] * 3,
        "force_name": ["f"] * 3,
    }
)
CRIMES = pl.DataFrame(
    {
        "month": [D(2014, 1, 1), D(2014, 1, 1), D(2014, 2, 1), D(2014, 2, 1), D(2014, 2, 1)],
        "lsoa_code": ["L1", "L2", "L3", "L1", "L3"],
        "crime_type": ["Burglary", "Robbery", "Burglary", "Burglary", "Robbery"],
        "longitude": [0.52, 0.53, 0.54, 0.52, 0.54],
        "latitude": [51.38, 51.39, 51.40, 51.38, 51.40],
    }
)
COV = ["2014-01", "2014-02"]

STREET_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)
STREET_COLUMNS = STREET_HEADER.split(",")


def row(month="2014-01", lon="0.646747", lat="51.468262", lsoa="E01016070",
        crime_type="Burglary", crime_id="", drop=None):
    fields = [crime_id, month, "Kent Police", "Kent Police", lon, lat, "On or near X Road",
              lsoa, "Medway 001A", crime_type, "", ""]
    if drop is not None:
        del fields[STREET_COLUMNS.index(drop)]
    return ",".join(fields)


def write(name, text, folder=None):
    path = (folder or T) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def street(name="2014-01-kent-street.csv", rows=None, drop=None, folder=None, eol="\n"):
    header = STREET_HEADER if drop is None else ",".join(c for c in STREET_COLUMNS if c != drop)
    rows = [row(drop=drop)] if rows is None else rows
    return write(name, eol.join([header, *rows]) + eol, folder)


_MEDWAY = []


def medway():
    if not _MEDWAY:
        _MEDWAY.append(ss.datasets.medway_2014())
    return _MEDWAY[0]


def folder():
    return ss.datasets.medway_2014_folder()
'''

RUNNER = r"""
def _run_case(case):
    global T
    T = TMP / case["id"]
    T.mkdir(parents=True, exist_ok=True)
    ns = dict(globals())
    try:
        exec(compile(case["code"], case["id"], "exec"), ns)
        if case["check"] is None:
            out = {"kind": "value", "value": "no check", "ok": False}
        else:
            value = eval(case["check"], ns)
            out = {"kind": "value", "value": repr(value)[:500], "ok": value is True}
    except BaseException as exc:
        out = {
            "kind": "raised",
            "cls": type(exc).__name__,
            "module": type(exc).__module__,
            "typed": isinstance(exc, ss.SaferstatsError)
            and not isinstance(exc, ss.InternalError),
            "msg": str(exc)[:2000],
            "tb": traceback.format_exc()[-1500:],
        }
    out["id"] = case["id"]
    print("@@CASE@@" + json.dumps(out), flush=True)


for _case in json.loads(sys.stdin.read()):
    _run_case(_case)
"""


@dataclass(frozen=True)
class Raises:
    """A typed error: class name(s) separated by ``|``, and regexes the message must match."""

    cls: str
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    """An expression, evaluated after the snippet, that must be ``True``."""

    expr: str


@dataclass(frozen=True)
class Case:
    id: str
    code: str
    expect: Union[Raises, Check]
    alone: bool = False
    bug: Optional[str] = None


def raises(cls: str, *patterns: str) -> Raises:
    return Raises(cls, patterns)


def check(expr: str) -> Check:
    return Check(expr)


CASES: list[Case] = []


def case(
    id: str,
    code: str,
    expect: Union[Raises, Check],
    *,
    alone: bool = False,
    bug: Optional[str] = None,
) -> None:
    CASES.append(Case(id, code, expect, alone, bug))


P = "ParameterError"
DE = "DataError"
CE = "ColumnError"

# --- read_police_uk -------------------------------------------------------------------------
case(
    "police_missing_file",
    "ss.read_police_uk(T / 'nope-street.csv')",
    raises("InputFileError", r"nope-street\.csv"),
)
case(
    "police_empty_list",
    "ss.read_police_uk([])",
    raises("InputFileError|ParameterError", r"(?i)path|file"),
)
case(
    "police_folder_without_street_files",
    "write('notes.txt', 'hi'); ss.read_police_uk(T)",
    raises("InputFileError", "police_folder_without_street_files"),
)
case(
    "police_glob_matching_nothing",
    "ss.read_police_uk(str(T / '*-street.csv'))",
    raises("InputFileError", r"\*-street\.csv"),
)
case(
    "police_bad_header",
    "ss.read_police_uk(write('2014-01-x-street.csv', 'a,b,c\\n1,2,3\\n'))",
    raises(CE, r"2014-01-x-street\.csv"),
)
case(
    "police_missing_crime_type_column",
    "ss.read_police_uk(street(drop='Crime type'))",
    raises(CE, "Crime type"),
)
case("police_missing_month_column", "ss.read_police_uk(street(drop='Month'))", raises(CE, "Month"))
case(
    "police_month_13",
    "ss.read_police_uk(street(rows=[row(month='2014-13')]))",
    raises(DE, "(?i)month", "2014-13", "kent-street"),
)
case(
    "police_month_word",
    "ss.read_police_uk(street(rows=[row(month='January')]))",
    raises(DE, "(?i)month", "January"),
)
case(
    "police_month_empty", "ss.read_police_uk(street(rows=[row(month='')]))", raises(DE, "(?i)month")
)
case(
    "police_longitude_text",
    "ss.read_police_uk(street(rows=[row(lon='abc')]))",
    raises(DE, "(?i)longitude", "abc"),
)
case(
    "police_latitude_text",
    "ss.read_police_uk(street(rows=[row(lat='north')]))",
    raises(DE, "(?i)latitude", "north"),
)
case(
    "police_truncated_gz",
    "p = street('2014-01-kent-street.csv.gz', rows=[row()] * 300)\n"
    "p.write_bytes(p.read_bytes()[:-40])\nss.read_police_uk(p)",
    raises(DE, r"kent-street\.csv\.gz"),
    alone=True,
)
case(
    "police_gz_not_gzip",
    "p = T / '2014-01-kent-street.csv.gz'\np.write_bytes(b'not gzip')\nss.read_police_uk(p)",
    raises("DataError|ColumnError", r"kent-street\.csv\.gz"),
)
case(
    "police_empty_file",
    "p = T / '2014-01-kent-street.csv'\np.write_bytes(b'')\nss.read_police_uk(p)",
    raises(DE, r"kent-street\.csv"),
)
case(
    "police_header_only",
    "r = ss.read_police_uk(street(rows=[]))",
    check("r.report.rows_read == 0 and r.crimes.height == 0"),
)
case(
    "police_non_utf8",
    "p = street()\np.write_bytes(p.read_bytes().replace(b'X Road', b'X \\xff Road'))\n"
    "ss.read_police_uk(p)",
    raises(DE, r"kent-street\.csv", "(?i)utf"),
)
case(
    "police_too_many_fields",
    "ss.read_police_uk(street(rows=[row() + ',extra']))",
    raises(DE, r"(?i)line|row"),
)
case(
    "police_too_few_fields",
    "ss.read_police_uk(street(rows=[row().rsplit(',', 3)[0]]))",
    raises(DE, r"(?i)line|row"),
)
case(
    "police_crlf",
    "r = ss.read_police_uk(street(rows=[row(), row()], eol='\\r\\n'))",
    check("r.report.rows_read == 2 and r.crimes['month'][0] == D(2014, 1, 1)"),
)
case(
    "police_blank_coordinates",
    "r = ss.read_police_uk(street(rows=[row(lon='', lat='')]))",
    check("r.report.rows_kept == 1 and r.crimes['longitude'][0] is None"),
)
case(
    "police_symlink_to_itself",
    "street(rows=[row()])\nloop = T / '2014-02-kent-street.csv'\nloop.symlink_to(loop)"
    "\ntry:\n    out = ss.read_police_uk(T).report.rows_read == 1\n"
    "except ss.InputFileError as e:\n    out = '2014-02-kent-street' in str(e)",
    check("out"),
    alone=True,
)
case(
    "police_folder_symlink_loop",
    "street(rows=[row()])\n(T / 'loop').symlink_to(T, target_is_directory=True)\n"
    "try:\n    out = ss.read_police_uk(T).report.rows_read == 1\n"
    "except ss.InputFileError as e:\n    out = 'loop' in str(e)",
    check("out"),
    alone=True,
)
case(
    "police_same_file_twice",
    "p = street(rows=[row(), row()])\nr = ss.read_police_uk([p, p])",
    check("r.report.rows_read == 2 and r.crimes.height == 2"),
)
case(
    "police_same_file_in_folder_and_by_name",
    "p = street(rows=[row(), row()])\nr = ss.read_police_uk([T, p])",
    check("r.report.rows_read == 2"),
)
case(
    "police_same_file_other_spelling",
    "p = street(rows=[row(), row()])\nr = ss.read_police_uk([p, T / '.' / p.name])",
    check("r.report.rows_read == 2"),
)
case(
    "police_same_file_by_glob_and_name",
    "p = street(rows=[row(), row()])\nr = ss.read_police_uk([str(T / '*-street.csv'), p])",
    check("r.report.rows_read == 2"),
)
case(
    "police_same_file_via_symlink",
    "p = street(rows=[row(), row()])\n(T / 'l').mkdir()\n"
    "(T / 'l' / p.name).symlink_to(p)\nr = ss.read_police_uk([p, T / 'l' / p.name])",
    check("r.report.rows_read == 2"),
    alone=True,
)
case(
    "police_bad_option",
    "ss.read_police_uk(street(), no_location='drop')",
    raises(P, "drop", "keep"),
)
case("police_paths_int", "ss.read_police_uk(42)", raises(P, "paths"))
case("police_paths_none", "ss.read_police_uk(None)", raises(P, "paths"))
case(
    "police_duplicate_crime_id_across_months",
    "street(rows=[row(crime_id='abc')])\n"
    "street('2014-02-kent-street.csv', rows=[row(month='2014-02', crime_id='abc')])\n"
    "r = ss.read_police_uk(T)",
    check("r.report.set_aside_by_reason == {'duplicate_crime_id': 1} and r.crimes.height == 1"),
)

# --- read_lookup, build_geography -----------------------------------------------------------
LK_HEADER = "LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM\\n"
case("lookup_missing", "ss.read_lookup(T / 'nope.csv')", raises("InputFileError", r"nope\.csv"))
case(
    "lookup_unknown_header",
    "ss.read_lookup(write('lk.csv', 'foo,bar\\n1,2\\n'))",
    raises(CE, "foo"),
)
case(
    "lookup_empty_file",
    "ss.read_lookup(write('lk.csv', b''))",
    raises("DataError|ColumnError", r"lk\.csv"),
)
case(
    "lookup_short_row",
    f"ss.read_lookup(write('lk.csv', '{LK_HEADER}E01000001,a,E05\\n'))",
    raises(DE, r"(?i)line|row"),
)
case(
    "lookup_lsoa_in_two_wards",
    f"ss.read_lookup(write('lk.csv', '{LK_HEADER}E01000001,a,E05000001,w,E06000001,l\\n"
    "E01000001,a,E05000002,v,E06000001,l\\n'))",
    raises(DE, "E01000001"),
)
case("lookup_path_none", "ss.read_lookup(None)", raises(P, "path"))
case(
    "build_geography_lad_lookup_as_lsoa_lookup",
    "lk = ss.read_lookup(folder() / 'lookup_lad19_csp19_pfa19_medway.csv')\n"
    "ss.build_geography(lk, lk)",
    raises("ParameterError|ColumnError", "(?i)lsoa"),
)

# --- read_population ------------------------------------------------------------------------
POP_LONG = "area_code,mid_year,population\\n"
case(
    "population_missing",
    "ss.read_population(T / 'nope.csv')",
    raises("InputFileError", r"nope\.csv"),
)
case(
    "population_unknown_shape",
    "ss.read_population(write('p.csv', 'foo,bar\\n1,2\\n'))",
    raises(CE, "foo"),
)
case(
    "population_negative",
    f"ss.read_population(write('p.csv', '{POP_LONG}E06000001,2014,-5\\n'))",
    raises(DE, "(?i)line", "-5"),
)
case(
    "population_duplicate_area_year",
    f"ss.read_population(write('p.csv', '{POP_LONG}E06000001,2014,5\\nE06000001,2014,6\\n'))",
    raises(DE, "(?i)line", "E06000001"),
)
case(
    "population_text",
    f"ss.read_population(write('p.csv', '{POP_LONG}E06000001,2014,abc\\n'))",
    raises(DE, "abc"),
)
case(
    "population_nan",
    f"ss.read_population(write('p.csv', '{POP_LONG}E06000001,2014,NaN\\n'))",
    raises(DE, "(?i)nan|population"),
)
case(
    "population_wide_text",
    "ss.read_population(write('p.csv', 'Code,Name,Geography,Mid-2014\\nE06000001,M,UA,n/a\\n'))",
    raises(DE, "n/a"),
)
case(
    "population_mid_year_huge",
    "ss.read_population(folder() / 'population_ward_mid2017_medway.csv', mid_year=10**20)",
    raises(P, "mid_year"),
    alone=True,
)
case(
    "population_mid_year_float",
    "ss.read_population(folder() / 'population_ward_mid2017_medway.csv', mid_year=2017.5)",
    raises(P, "mid_year"),
)
case(
    "population_mid_year_text",
    "ss.read_population(folder() / 'population_ward_mid2017_medway.csv', mid_year='2017')",
    raises(P, "mid_year"),
)

# --- read_wide_monthly ----------------------------------------------------------------------
WIDE = "borough,201401,201402\\n"
case("wide_missing", "ss.read_wide_monthly(T / 'nope.csv')", raises("InputFileError", r"nope\.csv"))
case(
    "wide_no_month_columns",
    "ss.read_wide_monthly(write('w.csv', 'borough,x\\nA,1\\n'))",
    raises(CE, "(?i)month"),
)
case(
    "wide_count_1e30",
    f"ss.read_wide_monthly(write('w.csv', '{WIDE}A,1e30,5\\n'))",
    raises(DE, r"1e30|1e\+30|10{30}"),
    alone=True,
)
case(
    "wide_count_2_63",
    f"ss.read_wide_monthly(write('w.csv', '{WIDE}A,{2**63},5\\n'))",
    raises(DE, str(2**63)),
    alone=True,
)
case(
    "wide_count_negative",
    f"ss.read_wide_monthly(write('w.csv', '{WIDE}A,-3,5\\n'))",
    raises(DE, "-3"),
)
case(
    "wide_count_text",
    f"ss.read_wide_monthly(write('w.csv', '{WIDE}A,lots,5\\n'))",
    raises(DE, "lots"),
)
case(
    "wide_count_fraction",
    f"ss.read_wide_monthly(write('w.csv', '{WIDE}A,1.5,5\\n'))",
    raises(DE, r"1\.5"),
)
case(
    "wide_bad_month_column",
    "ss.read_wide_monthly(write('w.csv', 'borough,201401,201413\\nA,1,2\\n'))",
    raises("ColumnError|DataError", "201413"),
)
case(
    "wide_duplicate_month_column",
    "ss.read_wide_monthly(write('w.csv', 'borough,201401,2014-01\\nA,1,2\\n'))",
    raises("ColumnError|DataError", "2014-?01"),
)
case(
    "wide_empty_file",
    "ss.read_wide_monthly(write('w.csv', b''))",
    raises("DataError|ColumnError", r"w\.csv"),
)
case("wide_path_none", "ss.read_wide_monthly(None)", raises(P, "path"))
case(
    "wide_ok",
    f"w = ss.read_wide_monthly(write('w.csv', '{WIDE}A,3,5\\n'))",
    check("w['count'].to_list() == [3, 5] and w.schema['month'] == pl.Date"),
)

# --- counts, map_categories, Geography.filter -----------------------------------------------
case(
    "counts_unknown_level",
    "ss.counts(CRIMES, GEO, level='county', coverage=COV)",
    raises(P, "level", "county"),
)
case("counts_level_none", "ss.counts(CRIMES, GEO, level=None, coverage=COV)", raises(P, "level"))
case("counts_unknown_by", "ss.counts(CRIMES, GEO, by=['nope'], coverage=COV)", raises(CE, "nope"))
case("counts_by_string", "ss.counts(CRIMES, GEO, by='crime_type', coverage=COV)", raises(P, "by"))
case(
    "counts_bad_period",
    "ss.counts(CRIMES, GEO, period='fortnight', coverage=COV)",
    raises(P, "period", "fortnight"),
)
case("counts_period_none", "ss.counts(CRIMES, GEO, period=None, coverage=COV)", raises(P, "period"))
case(
    "counts_missing_lsoa_code", "ss.counts(CRIMES.drop('lsoa_code'), GEO)", raises(CE, "lsoa_code")
)
case("counts_missing_month", "ss.counts(CRIMES.drop('month'), GEO)", raises(CE, "month"))
case(
    "counts_month_bad_text",
    "ss.counts(CRIMES.with_columns(month=pl.lit('2014/01')), GEO)",
    raises(CE, "month"),
)
case(
    "counts_month_integer",
    "ss.counts(CRIMES.with_columns(month=pl.lit(201401)), GEO)",
    raises(CE, "month"),
)
case(
    "counts_geo_missing_level",
    "ss.counts(CRIMES, GEO.drop('ward_code'), coverage=COV)",
    raises(CE, "ward_code"),
)
case(
    "counts_coverage_bad_month",
    "ss.counts(CRIMES, GEO, coverage=['2014-13'])",
    raises("ParameterError|DataError", "2014-13"),
)
case("counts_coverage_string", "ss.counts(CRIMES, GEO, coverage='2014-01')", raises(P, "coverage"))
case("counts_crimes_none", "ss.counts(None, GEO)", raises(P, "crimes"))
case("counts_crimes_dict", "ss.counts({'month': []}, GEO)", raises(P, "crimes"))
case("counts_geography_list", "ss.counts(CRIMES, [1, 2])", raises(P, "geography"))
case(
    "counts_pandas_input",
    "t = ss.counts(CRIMES.to_pandas(), GEO.to_pandas(), coverage=COV).table",
    check("t['count'].sum() == CRIMES.height and t.height == 4"),
)
case(
    "counts_lazy_input",
    "t = ss.counts(CRIMES.lazy(), GEO.lazy(), coverage=COV).table",
    check("t['count'].sum() == CRIMES.height"),
)
case(
    "counts_categorical_and_enum",
    "f = CRIMES.with_columns(pl.col('lsoa_code').cast(pl.Categorical),\n"
    "    pl.col('crime_type').cast(pl.Enum(['Robbery', 'Burglary'])))\n"
    "a = ss.counts(f, GEO, by=['crime_type'], coverage=COV).table.sort(pl.all())\n"
    "b = ss.counts(CRIMES, GEO, by=['crime_type'], coverage=COV).table.sort(pl.all())",
    check("a.equals(b)"),
)
case(
    "counts_datetime_ms_month",
    "f = CRIMES.with_columns(pl.col('month').cast(pl.Datetime('ms')))\n"
    "a = ss.counts(f, GEO, coverage=COV).table\nb = ss.counts(CRIMES, GEO, coverage=COV).table",
    check("a.equals(b)"),
)
case(
    "counts_empty_crimes_with_coverage",
    "t = ss.counts(CRIMES.clear(), GEO, coverage=COV).table",
    check("t.height == 4 and t['count'].sum() == 0"),
)
case(
    "counts_empty_crimes_without_coverage",
    "t = ss.counts(CRIMES.clear(), GEO).table",
    check("t.height == 0"),
)
case(
    "counts_null_lsoa_is_reported",
    "r = ss.counts(poke(CRIMES, 'lsoa_code', 0, None), GEO, coverage=COV)",
    check("r.report.rows_without_lsoa == 1 and r.table['count'].sum() == CRIMES.height - 1"),
)
case(
    "counts_object_column",
    "f = CRIMES.with_columns(pl.Series('crime_type', [object()] * 5, dtype=pl.Object))\n"
    "ss.counts(f, GEO, by=['crime_type'], coverage=COV)",
    raises(CE, "crime_type"),
)
case(
    "counts_medway_alias_pfa",
    "t = ss.counts(medway().crimes, medway().geography, level='pfa').table",
    check("t['area_code'].unique().to_list() == ['E23000032']"),
)
case(
    "geography_filter_single_string",
    "g = medway().geography.filter('ward', 'E05002250')",
    check("g.table.height == 4"),
)
case(
    "geography_filter_unknown_level",
    "medway().geography.filter('county', ['E05002250'])",
    raises(P, "level", "county"),
)
case("geography_filter_codes_none", "medway().geography.filter('ward', None)", raises(P, "codes"))
case(
    "map_categories_unknown_type",
    "ss.map_categories(pl.DataFrame({'crime_type': ['Dragons']}))",
    raises(P, "Dragons"),
)
case(
    "map_categories_missing_column",
    "ss.map_categories(pl.DataFrame({'x': ['Burglary']}))",
    raises(CE, "crime_type"),
)
case(
    "map_categories_mapping_list",
    "ss.map_categories(pl.DataFrame({'crime_type': ['Burglary']}), ['Burglary'])",
    raises(P, "mapping"),
)

# --- rates ----------------------------------------------------------------------------------
for name, value in (
    ("0", "0"),
    ("minus1", "-1"),
    ("nan", "NAN"),
    ("inf", "INF"),
    ("text", "'abc'"),
):
    case(f"rates_per_{name}", f"ss.rates(C, POP, per={value})", raises(P, "per"))
for name, value in (
    ("1_5", "1.5"),
    ("0", "0"),
    ("minus1", "-1"),
    ("nan", "NAN"),
    ("1", "1.0"),
    ("text", "'high'"),
):
    case(
        f"rates_confidence_{name}", f"ss.rates(C, POP, confidence={value})", raises(P, "confidence")
    )
case(
    "rates_missing_population_column",
    "ss.rates(C, POP.drop('population'))",
    raises(CE, "population"),
)
for name, value in (
    ("0", "0.0"),
    ("negative", "-5.0"),
    ("nan", "NAN"),
    ("inf", "INF"),
    ("text", "'many'"),
):
    case(
        f"rates_population_{name}",
        f"ss.rates(C, poke(POP, 'population', 1, {value}))",
        raises("DataError|ParameterError", "'population'", "numeric")
        if name == "text"
        else raises(DE, "population"),
    )
case(
    "rates_area_without_population",
    "try:\n    t = ss.rates(C, POP.filter(pl.col('area_code') != AREAS[3])).table\n"
    "    v = t.filter(pl.col('area_code') == AREAS[3])\n"
    "    out = v.height == 2 and v['value'].is_null().all()"
    " and v['flags'].str.contains('(?i)population').all()\n"
    "except (ss.DataError, ss.ParameterError) as e:\n    out = AREAS[3] in str(e)",
    check("out"),
)
case(
    "rates_population_year_huge",
    "ss.rates(C, POP, population_year=10**30)",
    raises(P, "population_year"),
    alone=True,
)
case(
    "rates_population_year_float",
    "ss.rates(C, POP, population_year=2014.7)",
    raises(P, "population_year"),
)
case("rates_year_offset_float", "ss.rates(C, POP, year_offset=0.5)", raises(P, "year_offset"))
case("rates_count_negative", "ss.rates(poke(C, 'count', 0, -1), POP)", raises(DE, "count"))
case("rates_count_nan", "ss.rates(poke(C, 'count', 0, NAN), POP)", raises(DE, "count"))
case("rates_count_fraction", "ss.rates(poke(C, 'count', 0, 1.5), POP)", raises(DE, "count"))
case(
    "rates_count_text",
    "ss.rates(poke(C, 'count', 0, 'ten'), POP)",
    raises("DataError|ColumnError|ParameterError", "'count'", "numeric"),
)
case(
    "rates_count_i64_max",
    f"t = ss.rates(poke(C, 'count', 0, {2**63 - 1}), POP).table",
    check(
        "t['value'][0] == (2**63 - 1) / 5000 * 1000 and t['lower'][0] < t['value'][0] "
        "< t['upper'][0] and math.isfinite(t['upper'][0])"
    ),
    alone=True,
)
case("rates_no_period_start", "ss.rates(C.drop('period_start'), POP)", raises(CE, "period_start"))
case(
    "rates_pandas_round_trip",
    "a = ss.rates(pl.from_pandas(C.to_pandas()), POP.to_pandas()).table",
    check("a['value'].to_list() == RT['value'].to_list()"),
)
case(
    "rates_lazy",
    "a = ss.rates(C.lazy(), POP.lazy()).table",
    check("a['upper'].to_list() == RT['upper'].to_list()"),
)
case(
    "rates_empty_counts",
    "try:\n    out = ss.rates(C.clear(), POP).table.height == 0\n"
    "except ss.InsufficientDataError as e:\n    out = 'count' in str(e)",
    check("out"),
)
case(
    "rates_duplicate_population", "ss.rates(C, pl.concat([POP, POP.head(1)]))", raises(DE, AREAS[0])
)
case(
    "rates_count_uint64_too_big",
    f"ss.rates(C.with_columns(pl.col('count').cast(pl.UInt64)).pipe(poke, 'count', 0, "
    f"{2**64 - 1}), POP)",
    raises(DE, "count"),
)
case(
    "rates_count_int128",
    "a = ss.rates(C.with_columns(pl.col('count').cast(pl.Int128)), POP)",
    check("a.table['value'].to_list() == RT['value'].to_list()"),
)
case(
    "rates_population_decimal",
    "a = ss.rates(C, POP.with_columns(pl.col('population').cast(pl.Decimal(12, 2))))",
    check("a.table['value'].to_list() == RT['value'].to_list()"),
)
case("rates_keys_string", "ss.rates(C, POP, keys='crime_type')", raises(P, "keys"))
case("rates_keys_unknown", "ss.rates(C, POP, keys=['nope'])", raises(CE, "nope"))
case("rates_population_none", "ss.rates(C, None)", raises(P, "population"))

# --- shares, proportions, newcombe, kish ----------------------------------------------------
SH = "ss.shares(CT, 'crime_type', keys=['crime_type']"
case("shares_per_0", f"{SH}, per=0)", raises(P, "per"))
case("shares_per_nan", f"{SH}, per=NAN)", raises(P, "per"))
case(
    "shares_of_unknown",
    "ss.shares(CT, 'nope', keys=['crime_type'])",
    raises("ColumnError|ParameterError", "'of'", "nope"),
)
case("shares_of_list", "ss.shares(CT, ['crime_type'], keys=['crime_type'])", raises(P, "of"))
case("shares_confidence_1_5", f"{SH}, confidence=1.5)", raises(P, "confidence"))
case(
    "shares_count_negative",
    "ss.shares(poke(CT, 'count', 0, -4), 'crime_type', keys=['crime_type'])",
    raises(DE, "count"),
)
case(
    "shares_ok",
    f"t = {SH}).table",
    check("t.filter(pl.col('crime_type') == 'Burglary')['value'].to_list() == [50.0] * 8"),
)
case("proportions_per_0", "ss.proportions(PR, 'x', 'n', per=0)", raises(P, "per"))
case("proportions_per_negative", "ss.proportions(PR, 'x', 'n', per=-1)", raises(P, "per"))
case(
    "proportions_confidence_0",
    "ss.proportions(PR, 'x', 'n', confidence=0)",
    raises(P, "confidence"),
)
case("proportions_unknown_numerator", "ss.proportions(PR, 'nope', 'n')", raises(CE, "nope"))
case(
    "proportions_numerator_above_denominator",
    "ss.proportions(poke(PR, 'x', 0, 101), 'x', 'n')",
    raises(DE, "x|numerator"),
)
case(
    "proportions_negative_numerator",
    "ss.proportions(poke(PR, 'x', 0, -1), 'x', 'n')",
    raises(DE, "x|numerator"),
)
case(
    "proportions_nan_numerator",
    "ss.proportions(poke(PR, 'x', 0, NAN), 'x', 'n')",
    raises(DE, "x|numerator"),
)
case(
    "proportions_text_numerator",
    "ss.proportions(poke(PR, 'x', 0, 'ten'), 'x', 'n')",
    raises("DataError|ColumnError|ParameterError", "'x'", "numeric"),
)
case(
    "proportions_denominator_zero",
    "try:\n    t = ss.proportions(poke(poke(PR, 'x', 0, 0), 'n', 0, 0), 'x', 'n').table\n"
    "    out = t['value'][0] is None and t['lower'][0] is None\n"
    "except ss.DataError as e:\n    out = 'n' in str(e)",
    check("out"),
)
case(
    "proportions_wilson_near_1e308",
    "t = ss.proportions(pl.DataFrame({'x': [5e307], 'n': [1e308]}), 'x', 'n', per=1).table",
    # n = 1e308: the interval is 0.5 to within rounding (its half-width is about 1e-154).
    check("abs(t['lower'][0] - 0.5) < 1e-12 and abs(t['upper'][0] - 0.5) < 1e-12"),
    alone=True,
)
case(
    "kish_tiny_weights",
    "v = ss.kish_effective_n([1e-200] * 2)",
    check("abs(v - 2) <= 2e-12"),
    alone=True,
)
case(
    "kish_huge_weights",
    "v = ss.kish_effective_n([1e200] * 2)",
    check("abs(v - 2) <= 2e-12"),
    alone=True,
)
case(
    "kish_empty",
    "ss.kish_effective_n([])",
    raises("InsufficientDataError|DataError|ParameterError", "(?i)weight"),
)
case("kish_negative", "ss.kish_effective_n([-1.0, 2.0])", raises(P, "weights", r"-1|NaN|inf"))
case("kish_nan", "ss.kish_effective_n([NAN, 1.0])", raises(P, "weights", r"-1|NaN|inf"))
case("kish_inf", "ss.kish_effective_n([INF, 1.0])", raises(P, "weights", r"-1|NaN|inf"))
case(
    "kish_all_zero",
    "ss.kish_effective_n([0.0, 0.0])",
    raises("ParameterError|InsufficientDataError|DataError", "weights"),
)
case("kish_string", "ss.kish_effective_n('abc')", raises(P, "weights"))
case(
    "newcombe_near_1e308",
    "lo, hi = ss.newcombe_difference(5e307, 1e308, 4e307, 1e308)",
    check("abs(lo - 0.1) < 1e-12 and abs(hi - 0.1) < 1e-12"),
    alone=True,
)
case("newcombe_x_above_n", "ss.newcombe_difference(120, 100, 5, 10)", raises(P, "120/100"))
case(
    "newcombe_n_zero",
    "ss.newcombe_difference(0, 0, 5, 10)",
    raises("ParameterError|InsufficientDataError|DataError", "0/0"),
)
case("newcombe_negative", "ss.newcombe_difference(-1, 100, 5, 10)", raises(P, "-1/100"))
case(
    "newcombe_nan",
    "ss.newcombe_difference(NAN, 100, 5, 10)",
    raises("DataError|ParameterError", "(?i)x1|nan"),
)
case(
    "newcombe_confidence_1_5",
    "ss.newcombe_difference(5, 10, 5, 10, confidence=1.5)",
    raises(P, "confidence"),
)
case("newcombe_text", "ss.newcombe_difference('five', 10, 5, 10)", raises(P, "x1"))

# --- peers: compare_with_benchmark, funnel_limits, rank_among_peers ---------------------------
PEERS = ("compare_with_benchmark", "funnel_limits", "rank_among_peers")
for fn in PEERS:
    for name, value in (
        ("0", "0.0"),
        ("negative", "-5.0"),
        ("nan", "NAN"),
        ("inf", "INF"),
        ("text", "'many'"),
    ):
        case(
            f"{fn}_population_{name}",
            f"ss.{fn}(poke(RT, 'population', 1, {value}))",
            raises("DataError|ParameterError" if name == "text" else DE, "population"),
        )
    case(f"{fn}_missing_population", f"ss.{fn}(RT.drop('population'))", raises(CE, "population"))
    case(f"{fn}_peer_group_unknown", f"ss.{fn}(RT, peer_group=['nope'])", raises(CE, "nope"))
    case(
        f"{fn}_pandas",
        f"a = ss.{fn}(RT.to_pandas()).table\nb = ss.{fn}(R).table",
        check("a.equals(b)"),
    )
case(
    "rank_simulations_negative", "ss.rank_among_peers(RT, simulations=-1)", raises(P, "simulations")
)
case(
    "rank_simulations_float", "ss.rank_among_peers(RT, simulations=10.5)", raises(P, "simulations")
)
case(
    "rank_simulations_huge",
    "ss.rank_among_peers(RT, simulations=2**40)",
    raises(P, "simulations"),
    alone=True,
)
case("rank_seed_negative", "ss.rank_among_peers(RT, seed=-1)", raises(P, "seed"))
case("rank_seed_huge", "ss.rank_among_peers(RT, seed=2**70)", raises(P, "seed"), alone=True)
case(
    "rank_peer_group_string",
    "ss.rank_among_peers(RT, peer_group='period')",
    raises(P, "peer_group"),
)
for fn in ("compare_with_benchmark", "funnel_limits"):
    case(f"{fn}_per_0", f"ss.{fn}(RT, per=0)", raises(P, "per"))
    case(f"{fn}_benchmark_nan", f"ss.{fn}(RT, benchmark=NAN)", raises(P, "benchmark"))
    case(f"{fn}_benchmark_negative", f"ss.{fn}(RT, benchmark=-1)", raises(P, "benchmark"))

# --- change ---------------------------------------------------------------------------------
case(
    "change_duplicated_area_period",
    "ss.change(pl.concat([C, C.head(1)]))",
    raises(DE, AREAS[0], "2013"),
)
case("change_null_area_code", "ss.change(poke(C, 'area_code', 0, None))", raises(DE, "area_code"))
case(
    "change_count_i64_max",
    f"try:\n    t = ss.change(poke(C, 'count', 1, {2**63 - 1})).table\n"
    f"    r = t.filter(pl.col('area_code') == AREAS[0]).row(0, named=True)\n"
    f"    out = r['change'] == {2**63 - 1} - 100 and r['verdict'] is None"
    " and 'no verdict' in r['flags'] and r['significant'] is None\n"
    "except ss.DataError as e:\n    out = 'count' in str(e)",
    check("out"),
    alone=True,
)
case(
    "change_count_2_53_plus_1",
    f"f = poke(poke(C, 'count', 0, {2**53}), 'count', 1, {2**53 + 1})\n"
    "t = ss.change(f).table.filter(pl.col('area_code') == AREAS[0])",
    check("t['change'][0] == 1 and t['count'][0] == 2**53 + 1 and t['count_previous'][0] == 2**53"),
    alone=True,
)
case("change_count_fraction", "ss.change(poke(C, 'count', 0, 1.5))", raises(DE, "count"))
case("change_count_negative", "ss.change(poke(C, 'count', 0, -1))", raises(DE, "count"))
case(
    "change_count_text",
    "ss.change(poke(C, 'count', 0, 'ten'))",
    raises("DataError|ColumnError|ParameterError", "'count'", "numeric"),
)
case(
    "change_months_covered_negative",
    "ss.change(poke(C, 'months_covered', 0, -1))",
    raises(DE, "months_covered"),
)
case(
    "change_months_covered_13_of_12",
    "ss.change(poke(C, 'months_covered', 0, 13))",
    raises(DE, "months_covered"),
)
for name, value in (("1_5", "1.5"), ("0", "0"), ("nan", "NAN"), ("minus1", "-1")):
    case(f"change_confidence_{name}", f"ss.change(C, confidence={value})", raises(P, "confidence"))
case("change_method_bogus", "ss.change(C, method='bogus')", raises(P, "method", "bogus"))
case("change_method_none", "ss.change(C, method=None)", raises(P, "method"))
case("change_compare_bogus", "ss.change(C, compare='bogus')", raises(P, "bogus", "previous"))
case("change_compare_float", "ss.change(C, compare=1.5)", raises(P, "compare"))
case("change_compare_zero", "ss.change(C, compare=0)", raises(P, "compare"))
case("change_compare_huge", "ss.change(C, compare=2**40)", raises(P, "compare"), alone=True)
for name, value in (("minus1", "-1"), ("nan", "NAN"), ("inf", "INF")):
    case(f"change_dispersion_{name}", f"ss.change(C, dispersion={value})", raises(P, "dispersion"))
# 0 is what dispersion_from_monthly gives for a series its seasonal model fits exactly: accepted,
# used as 1 (the plain test).
case(
    "change_dispersion_0",
    "r = ss.change(C, dispersion=0)",
    check("r.table.height > 0 and not r.table['method'].str.starts_with('quasi').any()"),
)
case(
    "dfm_all_zero",
    "ss.dispersion_from_monthly([0.0] * 24)",
    raises("InsufficientDataError", "(?i)no crimes"),
)
case("change_small_count_nan", "ss.change(C, small_count=NAN)", raises(P, "small_count"))
case("change_breaks_bad_month", "ss.change(C, breaks=[('2014-13', 'x')])", raises(P, "2014-13"))
case("change_breaks_string", "ss.change(C, breaks='2014-01')", raises(P, "breaks"))
case("change_keys_unknown", "ss.change(C, keys=['nope'])", raises(CE, "nope"))
case("change_missing_period_column", "ss.change(C.drop('period'))", raises(CE, "period"))
case(
    "change_null_period_start",
    "ss.change(poke(C, 'period_start', 0, None))",
    raises(DE, "period_start"),
)
case(
    "change_pandas_round_trip",
    "a = ss.change(pl.from_pandas(C.to_pandas())).table\nb = ss.change(C).table",
    check("a.equals(b)"),
)
case(
    "change_pandas_input",
    "a = ss.change(C.to_pandas()).table\nb = ss.change(C).table",
    check("a.equals(b)"),
)
case("change_lazy", "a = ss.change(C.lazy()).table\nb = ss.change(C).table", check("a.equals(b)"))
case(
    "change_categorical_and_enum",
    "f = C.with_columns(pl.col('area_code').cast(pl.Categorical),\n"
    "    pl.col('period').cast(pl.Enum(['2013', '2014'])))\n"
    "a = ss.change(f).table\nb = ss.change(C).table",
    check("a.equals(b)"),
)
case(
    "change_datetime_ms",
    "a = ss.change(C.with_columns(pl.col('period_start').cast(pl.Datetime('ms')))).table\n"
    "b = ss.change(C).table",
    check("a.equals(b)"),
)
case(
    "change_int128_count",
    "a = ss.change(C.with_columns(pl.col('count').cast(pl.Int128))).table\nb = ss.change(C).table",
    check("a.equals(b)"),
)
case(
    "change_decimal_count",
    "a = ss.change(C.with_columns(pl.col('count').cast(pl.Decimal(10, 0)))).table\n"
    "b = ss.change(C).table",
    check("a['p_value'].to_list() == b['p_value'].to_list()"),
)
case(
    "change_empty",
    "try:\n    out = ss.change(C.clear()).table.height == 0\n"
    "except ss.InsufficientDataError as e:\n    out = 'count' in str(e) or 'row' in str(e)",
    check("out"),
)
case(
    "change_monthly_too_short",
    "r = ss.change(C, monthly=monthly(n=6, areas=AREAS, start=2014))",
    check("r.table.height == 4 and r.table['p_value'].is_not_null().all()"),
)
case(
    "change_monthly_duplicated_months",
    "ss.change(C, monthly=pl.concat([M, M.head(1)]))",
    raises(DE, AREAS[0], "2012-01"),
)
case(
    "change_monthly_negative", "ss.change(C, monthly=poke(M, 'count', 3, -2))", raises(DE, "count")
)

# --- series_dispersion, dispersion_from_monthly, trends -------------------------------------
case(
    "dispersion_too_short",
    "r = ss.series_dispersion(monthly(n=12))",
    check(
        "r.table['dispersion'].is_null().all() and r.table['flags'].str.len_chars().min() > 0"
        " and r.report.not_estimated == 2"
    ),
)
case(
    "dispersion_duplicated_months",
    "ss.series_dispersion(pl.concat([M, M.head(1)]))",
    raises(DE, AREAS[0], "2012-01"),
)
case("dispersion_negative", "ss.series_dispersion(poke(M, 'count', 3, -2))", raises(DE, "count"))
case("dispersion_keys_unknown", "ss.series_dispersion(M, keys=['nope'])", raises(CE, "nope"))
case(
    "dispersion_ok",
    "r = ss.series_dispersion(M)",
    check("r.report.estimated == 2 and (r.table['dispersion'] >= 1).all()"),
)
case("dfm_empty", "ss.dispersion_from_monthly([])", raises("InsufficientDataError", "(?i)month"))
case(
    "dfm_one_year",
    "ss.dispersion_from_monthly([10.0] * 12)",
    raises("InsufficientDataError", "(?i)month|year"),
)
case(
    "dfm_first_month_13",
    "ss.dispersion_from_monthly([10.0] * 24, first_month=13)",
    raises(P, "first_month"),
)
case(
    "dfm_first_month_0",
    "ss.dispersion_from_monthly([10.0] * 24, first_month=0)",
    raises(P, "first_month"),
)
case("dfm_nan", "ss.dispersion_from_monthly([NAN] + [10.0] * 23)", raises(DE, "(?i)count|nan"))
case("dfm_negative", "ss.dispersion_from_monthly([-1.0] + [10.0] * 23)", raises(DE, "(?i)count|-1"))
case("dfm_string", "ss.dispersion_from_monthly('abc')", raises(P, "counts"))
case("trends_confidence_1_5", "ss.trends(RATES5, confidence=1.5)", raises(P, "confidence"))
case("trends_confidence_nan", "ss.trends(RATES5, confidence=NAN)", raises(P, "confidence"))
case(
    "trends_duplicated_year",
    "ss.trends(pl.concat([RATES5, RATES5.head(1)]))",
    raises(DE, AREAS[0], "2010"),
)
case("trends_count_negative", "ss.trends(poke(RATES5, 'count', 0, -3))", raises(DE, "count"))
case(
    "trends_single_year",
    "t = ss.trends(RATES5.filter(pl.col('period') == '2014')).table",
    check("t['trend'].to_list() == ['Cannot be calculated'] * 2"),
)
case(
    "trends_breaks_bad_month", "ss.trends(RATES5, breaks=[('2012-00', 'x')])", raises(P, "2012-00")
)

# --- hotspots, lorenz, persistence, share_change --------------------------------------------
case("hotspots_top_0", "ss.hotspots(C, top=0)", raises(P, "top"))
case("hotspots_top_minus1", "ss.hotspots(C, top=-1)", raises(P, "top"))
case("hotspots_top_float", "ss.hotspots(C, top=2.5)", raises(P, "top"))
case(
    "hotspots_top_2_40",
    "try:\n    h = ss.hotspots(C, top=2**40)\n    out = h.ranking['in_top'].all()"
    " and (h.summary['top_share'] - 100).abs().max() < 1e-9\n"
    "except ss.ParameterError as e:\n    out = 'top' in str(e)",
    check("out"),
    alone=True,
)
case("hotspots_duplicated_rows", "ss.hotspots(pl.concat([C, C.head(1)]))", raises(DE, AREAS[0]))
case(
    "hotspots_null_area_code", "ss.hotspots(poke(C, 'area_code', 0, None))", raises(DE, "area_code")
)
case(
    "hotspots_count_2_53",
    f"h = ss.hotspots(poke(C, 'count', 0, {2**53}), top=1)\n"
    "top = h.ranking.filter(pl.col('in_top'))",
    check(
        "top['area_code'].to_list() == [AREAS[0], AREAS[3]] and "
        "h.summary['top_share'].is_finite().all()"
    ),
    alone=True,
)
case("hotspots_count_negative", "ss.hotspots(poke(C, 'count', 0, -1))", raises(DE, "count"))
case("hotspots_count_nan", "ss.hotspots(poke(C, 'count', 0, NAN))", raises(DE, "count"))
case("hotspots_previous_not_a_frame", "ss.hotspots(C, previous=5)", raises(P, "previous"))
case("lorenz_count_negative", "ss.lorenz(poke(C, 'count', 0, -1))", raises(DE, "count"))
case(
    "lorenz_pandas",
    "a = ss.lorenz(C.to_pandas()).table\nb = ss.lorenz(C).table",
    check("a.equals(b)"),
)
case("persistence_top_0", "ss.persistence(C, top=0)", raises(P, "top"))
case(
    "share_change_area_missing_from_after",
    "ss.share_change(BEFORE, AFTER.filter(pl.col('area_code') != AREAS[3]))",
    raises(DE, AREAS[3]),
)
case(
    "share_change_test_bogus",
    "ss.share_change(BEFORE, AFTER, test='bogus')",
    raises(P, "test", "bogus"),
)
case(
    "share_change_count_negative",
    "ss.share_change(poke(BEFORE, 'count', 0, -1), AFTER)",
    raises(DE, "count"),
)
case(
    "share_change_fisher",
    "t = ss.share_change(BEFORE.drop('period', 'period_start'),"
    " AFTER.drop('period', 'period_start'), test='fisher').table",
    check("t.height == 4"),
)

# --- grid_hotspots --------------------------------------------------------------------------
for name, value in (("0", "0"), ("negative", "-250"), ("nan", "NAN"), ("inf", "INF")):
    case(
        f"grid_cell_size_{name}",
        f"ss.grid_hotspots(CRIMES, cell_size={value})",
        raises(P, "cell_size"),
    )
for name, value in (("0", "0"), ("negative", "-1"), ("nan", "NAN")):
    case(
        f"grid_distance_band_{name}",
        f"ss.grid_hotspots(CRIMES, distance_band={value})",
        raises(P, "distance_band"),
    )
case(
    "grid_distance_band_huge",
    "ss.grid_hotspots(medway().crimes, distance_band=1e12)",
    raises("ParameterError|DataError", "distance_band"),
    alone=True,
)
case(
    "grid_distance_band_inf",
    "ss.grid_hotspots(CRIMES, distance_band=INF)",
    raises(P, "distance_band"),
    alone=True,
)
case("grid_fdr_bogus", "ss.grid_hotspots(CRIMES, fdr='bogus')", raises(P, "fdr", "bogus"))
case("grid_max_cells_negative", "ss.grid_hotspots(CRIMES, max_cells=-1)", raises(P, "max_cells"))
case("grid_max_cells_float", "ss.grid_hotspots(CRIMES, max_cells=1.5)", raises(P, "max_cells"))
case(
    "grid_tiny_cells",
    "ss.grid_hotspots(medway().crimes, cell_size=0.01)",
    raises("ParameterError|DataError", "max_cells|cell_size"),
    alone=True,
)
case(
    "grid_missing_longitude", "ss.grid_hotspots(CRIMES.drop('longitude'))", raises(CE, "longitude")
)
case(
    "grid_longitude_text",
    "r = ss.grid_hotspots(poke(CRIMES, 'longitude', 0, 'east')).report",
    check("r.without_coordinates == 1 and r.points_used == 4"),
)
case(
    "grid_medway_accounts_for_every_row",
    "r = ss.grid_hotspots(medway().crimes).report",
    check("r.points_used + r.without_coordinates + r.outside_great_britain == r.rows_in"),
)
case(
    "grid_all_outside_gb",
    "f = CRIMES.with_columns(longitude=pl.lit(100.0), latitude=pl.lit(10.0))\n"
    "try:\n    out = ss.grid_hotspots(f).report.outside_great_britain == 5\n"
    "except ss.InsufficientDataError as e:\n    out = 'Great Britain' in str(e)",
    check("out"),
)

# --- seasonality ----------------------------------------------------------------------------
case(
    "seasonality_too_few_months",
    "ss.seasonality(monthly(n=12))",
    raises("InsufficientDataError", "(?i)24|months"),
)
case(
    "seasonality_duplicated_months",
    "ss.seasonality(pl.concat([M, M.head(1)]))",
    raises(DE, AREAS[0], "2012-01"),
)
case("seasonality_negative_count", "ss.seasonality(poke(M, 'count', 3, -2))", raises(DE, "count"))
case("seasonality_nan_count", "ss.seasonality(poke(M, 'count', 3, NAN))", raises(DE, "count"))
case(
    "seasonality_missing_month",
    "ss.seasonality(M.filter(pl.col('period') != '2013-06'))",
    raises("ParameterError|DataError|InsufficientDataError", AREAS[0], "2013-06"),
)
for name, value in (("0", "0"), ("minus1", "-1"), ("nan", "NAN")):
    case(
        f"seasonality_anomaly_threshold_{name}",
        f"ss.seasonality(M, anomaly_threshold={value})",
        raises(P, "anomaly_threshold"),
    )
for name, value in (("4", "4"), ("minus1", "-1"), ("text", "'x'")):
    case(
        f"seasonality_seasonal_length_{name}",
        f"ss.seasonality(M, seasonal_length={value})",
        raises(P, "seasonal_length"),
    )
case(
    "seasonality_pandas",
    "a = ss.seasonality(M.to_pandas()).summary\nb = ss.seasonality(M).summary",
    check("a.equals(b)"),
)
case(
    "seasonality_month_column",
    "a = ss.seasonality(M.drop('period').rename({'period_start': 'month'})).summary",
    check("a.height == 2"),
)

# --- assessment -----------------------------------------------------------------------------
case("assessment_unknown_example", "ss.assessment(example='atlantis')", raises(P, "atlantis"))
case(
    "assessment_confidence_1_5",
    "ss.assessment(example='medway-2014', confidence=1.5)",
    raises(P, "confidence"),
)
case("assessment_top_0", "ss.assessment(example='medway-2014', top=0)", raises(P, "top"))

#: Cases where the installed library misbehaves: strict xfail, so each fails again once fixed.
BUGS: dict[str, str] = {}

#: Fixed in the Rust source but not yet in the installed extension, so these fail until the
#: rebuild: peers refuse a zero, negative, NaN, infinite or text population; Wilson and
#: Newcombe limits no longer overflow near 1e308. Not marked: they are the fixes' acceptance
#: tests.
PENDING_REBUILD = {
    f"{fn}_population_{name}" for fn in PEERS for name in ("0", "negative", "nan", "inf", "text")
}


def _params() -> list:
    params = []
    for c in CASES:
        reason = BUGS.get(c.id) or c.bug
        marks = [pytest.mark.xfail(strict=True, reason=f"bug: {reason}")] if reason else []
        params.append(pytest.param(c, id=c.id, marks=marks))
    return params


def _spawn(cases: list[Case], timeout: float) -> tuple[dict[str, dict], str]:
    payload = json.dumps(
        [{"id": c.id, "code": c.code, "check": getattr(c.expect, "expr", None)} for c in cases]
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", PREAMBLE + RUNNER],
            input=payload,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        stdout, note = proc.stdout, f"exit status {proc.returncode}: {proc.stderr[-2000:]}"
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout or ""
        stdout = out.decode() if isinstance(out, bytes) else out
        note = f"timed out after {timeout} s"
    results = {}
    for line in stdout.splitlines():
        if line.startswith(MARK):
            result = json.loads(line[len(MARK) :])
            results[result["id"]] = result
    return results, note


_RESULTS: dict[str, dict] = {}


def _outcome(target: Case) -> dict:
    if target.id in _RESULTS:
        return _RESULTS[target.id]
    if target.alone:
        batch = [target]
    else:
        pending = [c for c in CASES if not c.alone and c.id not in _RESULTS]
        start = pending.index(target)
        batch = pending[start : start + BATCH]
    results, note = _spawn(batch, 2 * TIMEOUT if len(batch) > 1 else TIMEOUT)
    _RESULTS.update(results)
    if target.id not in _RESULTS:
        if len(batch) > 1:
            # The batch died or hung before this case reported: run it on its own.
            results, note = _spawn([target], TIMEOUT)
            _RESULTS.update(results)
        if target.id not in _RESULTS:
            _RESULTS[target.id] = {"kind": "crash", "note": note}
    return _RESULTS[target.id]


def test_catalogue_is_large_and_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) >= 150
    assert len(ids) == len(set(ids))
    assert set(ids) >= set(BUGS)
    assert set(ids) >= PENDING_REBUILD
    assert not set(BUGS) & PENDING_REBUILD


@pytest.mark.parametrize("bad", _params())
def test_bad_input(bad: Case):
    try:
        _assert_outcome(bad, _outcome(bad))
    except AssertionError as exc:
        if bad.id in PENDING_REBUILD:
            raise AssertionError(f"[fixed in the source, pending a rebuild] {exc}") from None
        raise


def _assert_outcome(bad: Case, result: dict) -> None:
    kind = result["kind"]
    assert kind != "crash", f"interpreter crashed or hung: {result['note']}"
    expect = bad.expect
    if isinstance(expect, Raises):
        assert kind == "raised", f"expected {expect.cls}, got a result: {result['value']}"
        shown = f"{result['cls']}: {result['msg']}\n{result['tb']}"
        assert result["typed"], f"not a typed saferstats error: {shown}"
        assert result["cls"] in expect.cls.split("|"), f"expected {expect.cls}, got {shown}"
        for pattern in expect.patterns:
            assert re.search(pattern, result["msg"]), f"message lacks /{pattern}/: {shown}"
    else:
        assert kind == "value", f"expected {expect.expr!r}: raised {result['cls']}: " + (
            f"{result['msg']}\n{result['tb']}"
        )
        assert result["ok"], f"check {expect.expr!r} gave {result['value']}"
