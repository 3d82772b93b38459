"""The ``saferstats`` console script: the Rust command line (clap, in saferstats-cli).

There is one parser, the Rust one; this module only hands it the arguments and exits with
its code: 0 done (also ``--help`` and ``--version``), 1 bad input, 2 usage.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import NoReturn

from saferstats import _saferstats


def main() -> NoReturn:
    """Run ``saferstats`` with the arguments of ``sys.argv`` and exit with its code."""
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C ends the job at once, as it does the Rust binary: Python's own handler would
        # only be run when the job had finished.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(_saferstats._cli_main(["saferstats", *sys.argv[1:]]))


if __name__ == "__main__":  # pragma: no cover
    main()
