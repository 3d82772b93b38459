"""``python -m saferstats``: the command line."""

import sys

from saferstats.cli import main

if __name__ == "__main__":
    sys.exit(main())
