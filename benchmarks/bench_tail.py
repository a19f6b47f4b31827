"""The full run's tail, after the last shot is rendered: the pixel screening and the delivery (conform, film,
storyboard, timelines), which no render worker overlaps.

    .venv/bin/python benchmarks/bench_tail.py [--rounds 3] [--resolution 960x540] [--keep OUT]

Makes the_last_ferry once (or reuses the folder given by --keep, made by an earlier run of this script), then
--rounds times: copies the folder, removes what the tail makes (the conformed clips, thumbnails, screenings,
film.mp4, storyboard.png and their manifest keys), and runs `filmaster make` on the copy in a fresh process, as a
user does. Prints per round: wall seconds, CPU seconds of the process tree (user + sys), and the run's `deliver`
seconds (screening and delivery), then the medians. Everything before the tail is found in the cache, so the
figures are the tail's own plus the command's start-up and cache checks (about 2 s).

`--keep-cache thumbs` (or `screening`, `conform`; repeatable) leaves that cache in place: the tail without that
piece's work, so the difference to a plain run is the most that sharing or removing the piece could save.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILMASTER = Path(sys.executable).parent / "filmaster"
TAIL_CACHES = ("conform", "thumbs", "screening")
TAIL_FILES = ("film.mp4", "storyboard.png")
TAIL_KEYS = ("film_key", "storyboard_key")


def make(source: Path, out: Path, resolution: str) -> tuple[float, float, float]:
    """Run `filmaster make` once: wall seconds, CPU seconds of its process tree, and its `deliver` seconds."""
    command = [str(FILMASTER), "--quiet", "make", str(source), "-o", str(out), "--resolution", resolution]
    before = os.times()
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = after.children_user - before.children_user + after.children_system - before.children_system
    seconds = json.loads((out / ".filmaster" / "manifest.json").read_text())["last_run"]["seconds"]
    return wall, cpu, float(seconds["deliver"])


def without_tail(made: Path, copy: Path, kept: tuple[str, ...] = ()) -> None:
    """`made` copied to `copy` with what the tail makes removed (but the caches named in `kept`)."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(made, copy)
    for namespace in (n for n in TAIL_CACHES if n not in kept):
        shutil.rmtree(copy / ".filmaster" / "cache" / namespace, ignore_errors=True)
    for name in TAIL_FILES:
        (copy / name).unlink(missing_ok=True)
    manifest = copy / ".filmaster" / "manifest.json"
    data = json.loads(manifest.read_text())
    for key in TAIL_KEYS:
        data.pop(key, None)
    manifest.write_text(json.dumps(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--resolution", default="960x540")
    parser.add_argument("--keep", type=Path, help="a folder to make the film in once and reuse in later runs")
    parser.add_argument(
        "--keep-cache", action="append", default=[], choices=TAIL_CACHES, help="a tail cache to leave in place"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        made = args.keep or Path(tmp) / "made"
        source = made.parent / "the_last_ferry.fountain"
        if not (made / "film.mp4").is_file():
            made.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / "examples" / "the_last_ferry.fountain", source)
            make(source, made, args.resolution)
        rounds = []
        for k in range(args.rounds):
            copy = Path(tmp) / "tail"
            without_tail(made, copy, tuple(args.keep_cache))
            wall, cpu, deliver = make(source, copy, args.resolution)
            rounds.append((wall, cpu, deliver))
            print(
                f"round {k + 1}: wall {wall:.2f} s, cpu {cpu:.2f} s, deliver {deliver:.2f} s "
                f"(load {os.getloadavg()[0]:.1f})"
            )
    walls, cpus, delivers = zip(*rounds, strict=True)
    print(
        f"median: wall {statistics.median(walls):.2f} s, cpu {statistics.median(cpus):.2f} s, "
        f"deliver {statistics.median(delivers):.2f} s"
    )


if __name__ == "__main__":
    main()
