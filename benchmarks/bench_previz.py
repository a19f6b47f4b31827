"""Previz speed on a ~3-minute, ~40-shot film: render and encode frames per second, realtime factor, memory.

    .venv/bin/python benchmarks/bench_previz.py [--seconds 180] [--resolution 960x540]

The shots are the bundled examples' planned shots (both films, in order, as many as fit in --seconds), rendered by
a process pool with one worker per core, each streaming frames into its encoder. Then the same shots in --draft,
in the same run, for the speed ratio. Prints one block of figures per mode.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from filmaster.config import load_config
from filmaster.formats import read_screenplay
from filmaster.model.shot_request import ShotRequest
from filmaster.pipeline import render_settings
from filmaster.previz.shoot import Timings, shoot_shot
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.shoot import shot_requests

ROOT = Path(__file__).resolve().parents[1]


def film_requests(seconds: float, resolution: str, draft: bool) -> list[ShotRequest]:
    config = load_config(overrides={"render": {"resolution": resolution, "draft": draft}})
    requests: list[ShotRequest] = []
    for name in ("the_last_ferry", "paper_birds"):
        plan = plan_screenplay(read_screenplay(ROOT / "examples" / f"{name}.fountain"))
        requests += shot_requests(plan, render_settings(config), seed=0)
    chosen, total = [], 0.0
    for request in requests:
        if total >= seconds:
            break
        chosen.append(request)
        total += request.shot.duration_s
    return chosen


def _worker_init() -> None:
    os.environ["LP_NUM_THREADS"] = "1"


def _render(request: ShotRequest, folder: str, index: int) -> tuple[Timings, int]:
    timings = shoot_shot(request, Path(folder) / f"{index:03d}.mp4")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return timings, peak_kib


def measure(requests: list[ShotRequest]) -> dict[str, float]:
    workers = os.cpu_count() or 1
    context = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory() as folder,
        ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init) as pool,
    ):
        list(pool.map(_worker_init_probe, range(workers)))  # start the workers before the clock
        start = time.perf_counter()
        results = list(pool.map(_render, requests, [folder] * len(requests), range(len(requests))))
        wall = time.perf_counter() - start
    frames = sum(t.frames for t, _ in results)
    render_cpu = sum(t.render_cpu_s for t, _ in results)
    encode_cpu = sum(t.encode_cpu_s for t, _ in results)
    film_s = sum(r.shot.duration_s for r in requests)
    return {
        "film_s": film_s,
        "shots": len(requests),
        "frames": frames,
        "wall_s": wall,
        "render_fps_per_core": frames / render_cpu,
        "encode_fps_per_core": frames / encode_cpu,
        "fps": frames / wall,
        "realtime_factor": wall / film_s,
        "worker_peak_mib": max(peak for _, peak in results) / 1024,
    }


def _worker_init_probe(_: int) -> None:
    time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--resolution", default="960x540")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    final = None
    for draft in (False, True):
        requests = film_requests(args.seconds, args.resolution, draft)
        size = f"{requests[0].settings.width}x{requests[0].settings.height}"
        figures = measure(requests)
        final = final or figures
        print(
            f"{'draft' if draft else 'final'} {size}: {figures['shots']} shots, {figures['film_s']:.0f} s of film, "
            f"{figures['frames']} frames in {figures['wall_s']:.1f} s wall -> {figures['fps']:.0f} fps, "
            f"realtime factor {figures['realtime_factor']:.2f} (target <= 0.5)"
        )
        print(
            f"  render {figures['render_fps_per_core']:.0f} fps per core, encode {figures['encode_fps_per_core']:.0f} "
            f"fps per core (CPU time); peak memory per worker {figures['worker_peak_mib']:.0f} MiB"
        )
        if draft:
            print(f"  draft is {final['wall_s'] / figures['wall_s']:.1f}x faster than final (target >= 4x)")


if __name__ == "__main__":
    main()
