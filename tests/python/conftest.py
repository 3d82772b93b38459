import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("SAFERSTATS_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.exists():
        pytest.fail(f"shared data not found at {SHARED}; set SAFERSTATS_SHARED_DATA")
    return SHARED


@pytest.fixture(scope="session")
def kent(shared: Path) -> Path:
    return shared / "police-uk" / "kent-2014"


@pytest.fixture(scope="session")
def medway_example():
    import saferstats as ss

    return ss.datasets.medway_2014()
