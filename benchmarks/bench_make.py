"""End-to-end wall time per minute of film, and the cost of a re-run after a one-scene edit.

    .venv/bin/python benchmarks/bench_make.py [examples/the_last_ferry.fountain] [--resolution 960x540]

Runs the `filmaster make` command exactly as a user does (the console script, in a fresh process each time) on
a fresh output folder. Prints: film length, full-run wall time and realtime factor (wall / film length; ≤ 1 means
the film renders in no more than its own runtime), per-stage seconds, then the re-run after changing one line of
dialogue in the last scene, and after that one in the first scene, each as a ratio of the full run, and an
unchanged re-run (the command's start-up and checks).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILMASTER = Path(sys.executable).parent / "filmaster"


def make(source: Path, out: Path, resolution: str, draft: bool) -> tuple[float, dict]:
    """Run `filmaster make` once; return its wall time and what it recorded about the run."""
    command = [str(FILMASTER), "--quiet", "make", str(source), "-o", str(out), "--resolution", resolution]
    if draft:
        command.append("--draft")
    start = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - start
    return wall, json.loads((out / ".filmaster" / "manifest.json").read_text())["last_run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("screenplay", nargs="?", default=str(ROOT / "examples" / "the_last_ferry.fountain"))
    parser.add_argument("--resolution", default="960x540")
    parser.add_argument("--draft", action="store_true")
    args = parser.parse_args()

    from filmaster.model import Cut, Plan

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / Path(args.screenplay).name
        shutil.copy(args.screenplay, source)
        out = Path(tmp) / "out"
        full_s, full = make(source, out, args.resolution, args.draft)
        plan = Plan.load(out / "plan.json")
        film_s = Cut.load(out / ".filmaster" / "cut.json").duration_s

        # Edit one line of dialogue in the last scene that has one, then in the first: an edit late in the film
        # leaves the AAC chunks before it untouched, one early shifts every chunk after it.
        edits = []
        speaking = [s for s in plan.scenes if any(shot.dialogue for shot in s.shots)]
        for scene in (speaking[-1], speaking[0]):
            line = next(line.text for shot in scene.shots for line in shot.dialogue)
            source.write_text(source.read_text().replace(line, line.rstrip(".!?") + ", and that is all."))
            edits.append((scene, *make(source, out, args.resolution, args.draft)))
        unchanged_s, _ = make(source, out, args.resolution, args.draft)

    minutes = film_s / 60
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"film: {Path(args.screenplay).name}, {film_s:.1f} s, {len(plan.shots)} shots, {args.resolution}"
        f"{' draft' if args.draft else ''}"
    )
    print(
        f"full run: {full_s:.1f} s wall = {full_s / minutes:.1f} s per minute of film, "
        f"realtime factor {full_s / film_s:.2f}"
    )
    print("  stages (s): " + _stages(full))
    for scene, edit_s, run in edits:
        made = {k: v for k, v in run["work"]["computed"].items() if v}
        print(
            f"re-run after editing one line of scene {scene.index + 1}: {edit_s:.1f} s = "
            f"{100 * edit_s / full_s:.1f} % of the full run; without start-up {edit_s - unchanged_s:.1f} s = "
            f"{100 * (edit_s - unchanged_s) / full_s:.1f} % (made: {made}, "
            f"reused: {sum(run['work']['reused'].values())} units)"
        )
        print("  stages (s): " + _stages(run))
    print(f"unchanged re-run (start-up): {unchanged_s:.1f} s = {100 * unchanged_s / full_s:.1f} % of the full run")


def _stages(run: dict) -> str:
    # Stages overlap: shots render while the sound is made and mixed; "shoot" is the wait for them after the mix.
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in run["seconds"].items())


if __name__ == "__main__":
    main()
