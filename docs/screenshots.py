"""Render the example reports and screenshot them in headless Chromium.

Writes, from the bundled examples (``python docs/screenshots.py``):

- ``docs/screenshots/medway-2014.png``: the Medway page (police.uk records, 2014);
- ``docs/screenshots/london-brent-2022-23.png``: Brent's page of the London assessment (MPS
  borough counts, 2022/23);
- ``docs/images/funnel-london.png``: the funnel plot shown in the README.

The test suite (``tests/python/test_reports.py``) calls the same functions on a temporary
folder and checks each page's tables, charts and console. Needs the Debian package
``chromium`` (or ``chromium-browser`` / ``google-chrome`` on the PATH).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import saferstats as ss

DOCS = Path(__file__).resolve().parent
BRENT = "E22000189"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def browser() -> Optional[str]:
    """Return the path of a headless-capable Chromium, or None."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass(frozen=True)
class Shot:
    """A screenshot and what the browser said while taking it."""

    png: Path
    console: list[str]


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    exe = browser()
    if exe is None:
        raise RuntimeError("no chromium on the PATH (Debian: apt-get install chromium)")
    common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    return subprocess.run(
        [exe, *common, *args], capture_output=True, text=True, timeout=120, check=False
    )


def screenshot(page: Path, png: Path, width: int = 1100, height: int = 2000) -> Shot:
    """Screenshot ``page`` (an HTML or SVG file) into ``png``; return the console messages."""
    png.parent.mkdir(parents=True, exist_ok=True)
    out = _run(
        [
            "--enable-logging=stderr",
            "--v=0",
            f"--window-size={width},{height}",
            f"--screenshot={png}",
            page.resolve().as_uri(),
        ]
    )
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot of {page}: {out.stderr[-2000:]}")
    console = [line for line in out.stderr.splitlines() if re.search(r":CONSOLE[(:]", line)]
    return Shot(png=png, console=console)


def rendered_dom(page: Path) -> str:
    """Return the DOM of ``page`` as Chromium parsed it."""
    return _run(["--dump-dom", page.resolve().as_uri()]).stdout


def example_pages(folder: Path) -> dict[str, Path]:
    """Write the Medway and London reports (HTML) into ``folder``; return the pages shot."""
    medway = ss.assessment(example="medway-2014")
    medway.write(folder / "medway-2014", ["html"])
    london = ss.assessment(example="london-mps")
    london.write(folder / "london-mps", ["html"])
    (brent,) = (folder / "london-mps").glob(f"{BRENT}-*.html")
    (medway_page,) = (folder / "medway-2014").glob("E22000143-*.html")
    funnel = ss.plot.funnel(london, area=BRENT).save(folder / "funnel-london.svg")
    return {
        "medway-2014": medway_page,
        "london-brent-2022-23": brent,
        "london-index": folder / "london-mps" / "index.html",
        "funnel-london": funnel,
    }


def main() -> int:
    """Write the screenshots under docs/."""
    if browser() is None:
        print("no chromium on the PATH (Debian: apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        pages = example_pages(Path(tmp))
        shots = [
            screenshot(pages["medway-2014"], DOCS / "screenshots" / "medway-2014.png", 1000, 7400),
            screenshot(
                pages["london-brent-2022-23"],
                DOCS / "screenshots" / "london-brent-2022-23.png",
                1000,
                7400,
            ),
            screenshot(pages["funnel-london"], DOCS / "images" / "funnel-london.png", 760, 440),
        ]
    for shot in shots:
        print(f"wrote {shot.png.relative_to(DOCS.parent)}")
        for line in shot.console:
            print(f"  console: {line}", file=sys.stderr)
    return 1 if any(s.console for s in shots) else 0


if __name__ == "__main__":
    sys.exit(main())
