"""End-to-end wall time per minute of film, and the cost of a re-run after a one-scene edit.

    .venv/bin/python benchmarks/bench_make.py [examples/the_last_ferry.fountain] [--resolution 960x540]

Prints: film length, full-run wall time and realtime factor (wall / film length; ≤ 1 means the film renders in
no more than its own runtime), per-stage seconds, then the re-run after changing one line of dialogue in the
last scene, and after that one in the first scene, each as a ratio of the full run. All runs happen in this one
process, on a fresh output folder.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

from filmaster.config import load_config
from filmaster.pipeline import make_film

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("screenplay", nargs="?", default=str(ROOT / "examples" / "the_last_ferry.fountain"))
    parser.add_argument("--resolution", default="960x540")
    parser.add_argument("--draft", action="store_true")
    args = parser.parse_args()

    config = load_config(overrides={"render": {"resolution": args.resolution, "draft": args.draft}})
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / Path(args.screenplay).name
        shutil.copy(args.screenplay, source)
        out = Path(tmp) / "out"

        start = time.perf_counter()
        full = make_film(source, out, config)
        full_s = time.perf_counter() - start

        # Edit one line of dialogue in the last scene that has one, then in the first: an edit late in the film
        # leaves the AAC chunks before it untouched, one early shifts every chunk after it.
        edits = []
        speaking = [s for s in full.plan.scenes if any(shot.dialogue for shot in s.shots)]
        for scene in (speaking[-1], speaking[0]):
            line = next(line.text for shot in scene.shots for line in shot.dialogue)
            source.write_text(source.read_text().replace(line, line.rstrip(".!?") + ", and that is all."))
            start = time.perf_counter()
            edited = make_film(source, out, config)
            edits.append((scene, time.perf_counter() - start, edited))

        start = time.perf_counter()
        make_film(source, out, config)
        unchanged_s = time.perf_counter() - start

    minutes = full.duration_s / 60
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"film: {Path(args.screenplay).name}, {full.duration_s:.1f} s, {len(full.plan.shots)} shots, {args.resolution}"
        f"{' draft' if args.draft else ''}"
    )
    print(
        f"full run: {full_s:.1f} s wall = {full_s / minutes:.1f} s per minute of film, "
        f"realtime factor {full_s / full.duration_s:.2f}"
    )
    print("  stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in full.seconds.items()))
    for scene, edit_s, edited in edits:
        print(
            f"re-run after editing one line of scene {scene.index + 1}: {edit_s:.1f} s = "
            f"{100 * edit_s / full_s:.1f} % of the full run "
            f"(made: {dict(edited.work.computed)}, reused: {sum(edited.work.reused.values())} units)"
        )
        print("  stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in edited.seconds.items()))
    print(f"unchanged re-run: {unchanged_s:.1f} s = {100 * unchanged_s / full_s:.1f} % of the full run")
    print(
        f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
        f"(render workers: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB peak)"
    )


if __name__ == "__main__":
    main()
