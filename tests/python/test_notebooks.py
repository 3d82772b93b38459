"""Execute every notebook's code cells in order (outputs are not stored in the repository)."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path):
    nb = json.loads(path.read_text())
    namespace: dict = {}
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        assert cell["outputs"] == [], f"{path.name}: cell {i} has stored outputs"
        exec(compile("".join(cell["source"]), f"{path.name}[{i}]", "exec"), namespace)


def test_there_is_a_notebook():
    assert NOTEBOOKS
