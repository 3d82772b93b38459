"""The benchmark harness's implementations agree on generated data (no timing asserted).

Generates the ``small`` preset (about 50k rows, three forces, 24 months) into a temporary
folder and runs the harness's agreement check: saferstats, pandas + scipy/statsmodels and
hand-written polars must give the same counts exactly and the same rates, limits, p-values,
concentration and seasonality figures to 1e-9 relative.
"""

import importlib
import json
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCHMARKS = REPO / "benchmarks"
SHARED = Path(os.environ.get("SAFERSTATS_SHARED_DATA", REPO.parent / "shared" / "data"))

pytestmark = pytest.mark.skipif(
    not (SHARED / "lookups").is_dir(), reason=f"shared data not found at {SHARED}"
)

for module in ("pandas", "scipy", "statsmodels", "pyarrow"):
    pytest.importorskip(module)


@pytest.fixture(scope="module")
def harness():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield importlib.import_module("harness")
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def small(tmp_path_factory, harness):
    import generate

    out = tmp_path_factory.mktemp("benchmark") / "small"
    manifest = generate.generate(out, generate.PRESETS["small"], 2015, SHARED, name="small")
    return out, manifest


def test_generator_writes_police_uk_files(small):
    out, manifest = small
    assert 40_000 < manifest["rows"] < 60_000
    assert len(manifest["months"]) == 24
    assert manifest["files"] == 3 * 24
    first = out / "2019-01" / "2019-01-cumbria-street.csv"
    lines = first.read_bytes().split(b"\r\n")
    assert lines[0] == (
        b"Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
        b"LSOA name,Crime type,Last outcome category,Context"
    )
    rows = [line.split(b",") for line in lines[1:] if line]
    assert all(len(r) == 12 for r in rows)
    asb = [r for r in rows if r[9] == b"Anti-social behaviour"]
    assert asb
    assert all(r[0] == b"" and r[10] == b"" for r in asb)
    crimes = [r for r in rows if r[9] != b"Anti-social behaviour"]
    assert all(len(r[0]) == 64 for r in crimes)
    located = [r[6] != b"No Location" for r in rows]
    assert located == sorted(located, reverse=True)  # "No Location" rows last
    assert all(r[4] == r[5] == r[7] == r[8] == b"" for r in rows if r[6] == b"No Location")
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2015


def test_generator_is_deterministic(small, tmp_path):
    import generate

    out, _ = small
    again = tmp_path / "again"
    preset = generate.Preset(("E23000034",), 2, scale=0.22)
    generate.generate(again, preset, 2015, SHARED, verbose=False)
    name = "2019-02/2019-02-city-of-london-street.csv"
    assert (again / name).read_bytes() == (out / name).read_bytes()


def test_implementations_agree(small, harness):
    pytest.importorskip("saferstats")
    out, _ = small
    report = harness.check_agreement(out, SHARED, ["saferstats", "pandas", "polars"])
    problems = [f"{pair}: {p}" for pair, ps in report["problems"].items() for p in ps]
    assert not problems, "\n".join(problems)
    outputs = report["outputs"]["saferstats"]
    assert outputs["counts_ward_month"] > 0
    assert outputs["change_ward_year"] > 0
    assert outputs["seasonality_profile"] == 12 * outputs["seasonality_summary"]
