"""``python -m saferstats``: the command line (the same as the ``saferstats`` console script)."""

from saferstats._cli import main

if __name__ == "__main__":
    main()
