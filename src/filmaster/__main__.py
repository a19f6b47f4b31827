"""The `filmaster` command (also `python -m filmaster`).

Kept free of imports on purpose: render workers start with multiprocessing's "spawn", which runs the command's
script again in each worker, and a script that imported the CLI (typer, rich, the config models) would cost every
worker half a second before it renders a frame.
"""

import sys


def main() -> int:
    from .cli import main as run

    return run()


if __name__ == "__main__":
    sys.exit(main())
