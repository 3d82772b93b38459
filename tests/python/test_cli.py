"""The installed ``saferstats`` console script: the Rust (clap) command line run from Python.

Exit codes 0 done (also --help and --version), 1 bad input, 2 usage; errors on stderr; the
bundled examples written where --out says.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from saferstats import _saferstats

SCRIPT = Path(sys.executable).parent / "saferstats"


def saferstats(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_the_console_script_is_installed_and_is_the_rust_parser():
    assert SCRIPT.is_file(), f"{SCRIPT} not installed (pip install -e . / maturin develop)"
    text = SCRIPT.read_text()
    assert "saferstats._cli" in text


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["assess", "--help"]])
def test_help_and_version_exit_0_on_stdout(args):
    o = saferstats(*args)
    assert o.returncode == 0, o.stderr
    assert o.stdout
    assert o.stderr == ""
    if args == ["--version"]:
        assert o.stdout.startswith("saferstats ")
    if args == ["assess", "--help"]:
        assert "--example" in o.stdout
        assert "london-mps" in o.stdout
        assert "Exit codes" in o.stdout


@pytest.mark.parametrize(
    "args",
    [[], ["assess", "--no-such-flag"], ["assess", "--example", "nowhere"], ["nope"]],
)
def test_usage_errors_exit_2_on_stderr(args):
    o = saferstats(*args)
    assert o.returncode == 2
    assert o.stdout == ""
    assert o.stderr.startswith("error: ") or "Usage:" in o.stderr, o.stderr
    assert "--help" in o.stderr


def test_bad_input_exits_1_with_one_message(tmp_path):
    o = saferstats("assess", "--example", "medway-2014")
    assert o.returncode == 1
    assert "'out'" in o.stderr
    o = saferstats(
        "assess", "--example", "medway-2014", "--areas", "E22999999", "--out", str(tmp_path)
    )
    assert o.returncode == 1
    assert "E22999999" in o.stderr
    assert len(o.stderr.strip().splitlines()) == 1, o.stderr
    o = saferstats("assess", "--counts", str(tmp_path / "missing.csv"), "--out", str(tmp_path))
    assert o.returncode == 1
    assert "'population'" in o.stderr


def test_medway_example_writes_its_files(tmp_path):
    out = tmp_path / "medway"
    o = saferstats("assess", "--example", "medway-2014", "--out", str(out))
    assert o.returncode == 0, o.stderr
    assert "E22000143 Medway" in o.stdout
    assert f"to {out}" in o.stdout.splitlines()[-1]
    for name in ["index.md", "E22000143-medway.md", "assessment.csv", "manifest.json"]:
        assert (out / name).is_file(), name


def test_london_example_assesses_the_32_borough_csps(tmp_path):
    out = tmp_path / "london"
    o = saferstats("assess", "--example", "london-mps", "--out", str(out))
    assert o.returncode == 0, o.stderr
    assert o.stdout.startswith("london-mps: 32 csp areas, 2022/23 (12 of 12 months)")
    pages = sorted(p.name for p in out.glob("E22*.md"))
    assert len(pages) == 32
    assert "E22000192-westminster.md" in pages
    data = json.loads((out / "assessment.json").read_text())
    assert len(data["areas"]) == 32
    manifest = (out / "manifest.json").read_text()
    assert "bundled:london-mps/" in manifest


def test_example_all_is_the_readme_main_job(tmp_path):
    o = saferstats("assess", "--example", "all", "--out", str(tmp_path), "--format", "md,csv")
    assert o.returncode == 0, o.stderr
    assert (tmp_path / "medway-2014" / "index.md").is_file()
    assert (tmp_path / "london-mps" / "index.md").is_file()
    assert (tmp_path / "london-mps" / "assessment.csv").is_file()
    assert not (tmp_path / "london-mps" / "assessment.json").exists()


def test_python_m_saferstats_runs_the_same_command_line():
    o = subprocess.run(
        [sys.executable, "-m", "saferstats", "assess", "--bogus"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert o.returncode == 2
    assert "--bogus" in o.stderr


def test_cli_main_returns_the_code_without_exiting_the_interpreter(capfd):
    assert _saferstats._cli_main(["saferstats", "--version"]) == 0
    assert _saferstats._cli_main(["saferstats", "assess", "--no-such-flag"]) == 2
    captured = capfd.readouterr()
    assert captured.out.startswith("saferstats ")
    assert "--no-such-flag" in captured.err
