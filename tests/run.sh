#!/usr/bin/env bash
# Installs what the tests need and runs every check: Rust format, lints, unit, integration and
# doc tests; Python lint, tests and doctests; and the polars boundary test at the oldest
# Python polars the package declares. Needs ../shared/data beside the repository (or
# SAFERSTATS_SHARED_DATA). Usage: bash tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

SECONDS=0
step() { printf '\n==> %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }

step "python environment and extension build"
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# The dev profile for the test loop (the README's `pip install .` builds release).
MATURIN_PEP517_ARGS="--profile dev" .venv/bin/python -m pip install -q -e '.[test]'
export PYO3_PYTHON="$PWD/.venv/bin/python"

step "cargo fmt"
cargo fmt --all --check

step "cargo clippy (workspace, all targets)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo deny (licences, bans, sources: deny.toml)"
# The advisories check is left out: it needs the RustSec database from the internet, which
# these machines cannot reach (README, "Dependency policy"). cargo-deny is installed when absent
# (pinned; about 10-15 minutes on 2 cores, once per machine).
if ! cargo deny --version > /dev/null 2>&1; then
    cargo install --locked --quiet cargo-deny --version 0.20.2
fi
cargo deny check licenses bans sources

step "cargo test (core: unit, integration on ../shared/data, doc tests)"
cargo test

step "cargo test -p saferstats-cli (the command line: exit codes, config file, bundled examples)"
cargo test -p saferstats-cli

step "stubtest (the .pyi of the compiled module against the module itself)"
.venv/bin/python -m mypy.stubtest saferstats._saferstats --allowlist tests/stubtest_allowlist.txt

step "ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

step "pytest at the oldest declared polars"
floor=$(sed -n 's/.*"polars>=\([0-9.]*\),.*/\1/p' pyproject.toml)
current=$(.venv/bin/python -c 'import polars; print(polars.__version__)')
.venv/bin/python -m pip install -q "polars==${floor}.0"
.venv/bin/pytest -q -p no:cacheprovider tests/python/test_boundary.py tests/python/test_counts.py
.venv/bin/python -m pip install -q "polars==${current}"

step "headless Chromium (the report pages are opened and screenshot in tests/python/test_reports.py)"
# The Debian package; installed when absent and when this machine allows it (root or sudo).
if ! command -v chromium > /dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && apt-get install -y -qq chromium > /dev/null) || true
    elif sudo -n true 2> /dev/null; then
        (sudo apt-get update -qq && sudo apt-get install -y -qq chromium > /dev/null) || true
    fi
fi
if command -v chromium > /dev/null 2>&1; then
    # Installed: the browser tests must run (a missing browser would fail them, not skip).
    export SAFERSTATS_REQUIRE_CHROMIUM=1
else
    echo "WARNING: chromium could not be installed; the browser tests are skipped" >&2
fi

step "pytest (all Python tests and doctests, newest polars); ${SECONDS}s so far"
.venv/bin/pytest
