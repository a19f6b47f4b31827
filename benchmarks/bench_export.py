"""`filmaster export OUT --format all` on a finished film: wall time of the command (a fresh process each run, as a
user runs it), the time of each format's writer in-process, and proof that nothing was rendered (no file of the
film's folder or its cache changed).

    .venv/bin/python benchmarks/bench_export.py [FILM_FOLDER] [--runs 3]

Without a folder it first makes examples/the_last_ferry.fountain (draft) into a temporary folder.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _snapshot(folder: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("film", nargs="?", type=Path, help="a finished film's folder (default: make one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    filmaster = [sys.executable, "-m", "filmaster"]
    with tempfile.TemporaryDirectory() as tmp:
        film = args.film
        if film is None:
            film = Path(tmp) / "the_last_ferry"
            source = ROOT / "examples/the_last_ferry.fountain"
            subprocess.run([*filmaster, "-q", "make", str(source), "-o", str(film), "--draft"], check=True)
        before = _snapshot(film)
        walls = []
        for run in range(args.runs):
            dest = Path(tmp) / f"export-{run}"
            start = time.perf_counter()
            subprocess.run([*filmaster, "-q", "export", str(film), "--format", "all", "--dest", str(dest)], check=True)
            walls.append(time.perf_counter() - start)
        changed = [path for path, mtime in _snapshot(film).items() if before.get(path) != mtime]
        print(f"film: {film}")
        print(f"export --format all, wall per run: {', '.join(f'{w:.2f} s' for w in walls)}")
        print(f"files of the film's folder (cache included) made or changed by the exports: {len(changed)}")

        from filmaster.export.formats import CONVERSIONS, FORMATS
        from filmaster.export.project_export import load_context

        start = time.perf_counter()
        context = load_context(film, dest=Path(tmp) / "in-process", names=tuple(CONVERSIONS))
        print(f"in-process: reading the artifacts and building the timeline {time.perf_counter() - start:.3f} s")
        for name, writer in (FORMATS | CONVERSIONS).items():
            start = time.perf_counter()
            writer(context)
            print(f"  {name:<9} {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
