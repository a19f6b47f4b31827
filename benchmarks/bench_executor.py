"""The executor's overhead: every shot of a film rendered by the local process pool, then by a local Ray instance.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_executor.py [--film examples/the_last_ferry.fountain] [--final]

Both render the same plan (draft by default) into empty caches with the same number of workers (one per core);
the Ray figure leaves out Ray's own start (printed apart: once per `make`), so the difference is what sending each
shot request to a worker and its files back as bytes costs. Prints the two wall times, their ratio and the
overhead per shot.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

from filmaster.config import load_config
from filmaster.execution import Executor, closing_executor, open_executor
from filmaster.formats import read_screenplay
from filmaster.pipeline import render_settings
from filmaster.progress import SilentReporter
from filmaster.project import Project
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.shoot import ShootConfig, start_shoot

ROOT = Path(__file__).resolve().parents[1]


def shoot(film: Path, config: ShootConfig, work: Path, executor: Executor | None) -> tuple[float, int]:
    plan = plan_screenplay(read_screenplay(film))
    project = Project(work / (executor.NAME if executor else "local"), film)
    config = dataclasses.replace(config, executor=executor)
    start = time.perf_counter()
    start_shoot(plan, config, project, SilentReporter()).wait()
    return time.perf_counter() - start, project.cache.work.computed["shots"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--film", type=Path, default=ROOT / "examples" / "the_last_ferry.fountain")
    parser.add_argument("--final", action="store_true", help="full-size frames instead of draft")
    args = parser.parse_args()
    settings = render_settings(load_config(overrides={"render": {"draft": not args.final}}))
    config = ShootConfig(backend="previz", backend_settings={}, settings=settings, seed=0, workers=0)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        local, shots = shoot(args.film, config, Path(tmp), None)
        start = time.perf_counter()
        with closing_executor(open_executor("ray", cores)) as ray:
            started = time.perf_counter() - start
            on_ray, _ = shoot(args.film, config, Path(tmp), ray)
    size = f"{settings.width}x{settings.height}"
    print(f"{args.film.name}: {shots} shots at {size}, {cores} workers")
    print(f"local process pool: {local:.1f} s; local Ray: {on_ray:.1f} s (Ray's own start {started:.1f} s apart)")
    print(f"Ray / pool: {on_ray / local:.2f}x; overhead {(on_ray - local) / shots * 1000:+.0f} ms a shot")


if __name__ == "__main__":
    main()
