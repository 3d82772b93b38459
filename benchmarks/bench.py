"""Former benchmark entry point, kept so old commands still work: runs ``harness.py``.

The harness (``benchmarks/harness.py``) replaces the Kent-stacking micro-benchmarks that were
here: it generates national-shaped synthetic data (``generate.py``), checks that saferstats,
pandas + scipy/statsmodels and hand-written polars agree, and times the whole pipeline. See
``benchmarks/BENCHMARKS.md``.

    .venv/bin/python benchmarks/bench.py --preset county --repeat 3
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import main

if __name__ == "__main__":
    main()
