"""Measure previz speed: frames per second for rendering and for encoding, separately.

    python -m filmaster.previz.bench --width 960 --height 540 --seconds 4 --threads 1 [--draft]

`--threads 1` pins Mesa's llvmpipe to one rasteriser thread (pin the process to one core with `taskset -c 0`
as well to measure "one core"). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def run(width: int, height: int, fps: int, seconds: float, draft: bool, set_kind: str) -> dict[str, object]:
    from ..model.plan import SetKind
    from .context import renderer_name
    from .shoot import shoot_shot
    from .testing import make_request, make_scene, make_shot

    scene = make_scene(SetKind(set_kind))
    warm = make_request(make_shot(duration_s=0.1, scale="WS"), scene, width, height, fps, draft)
    shot = make_shot(duration_s=seconds, scale="MWS", subjects=["ANNA", "BEN"], movement="dolly_in")
    request = make_request(shot, scene, width, height, fps, draft)
    with tempfile.TemporaryDirectory() as tmp:
        shoot_shot(warm, Path(tmp) / "warm.mp4")  # compile shaders, build the set: not per-frame costs
        start = time.perf_counter()
        timings = shoot_shot(request, Path(tmp) / "clip.mp4")
        total = time.perf_counter() - start
    return {
        "renderer": renderer_name(),
        "size": f"{width}x{height}",
        "draft": draft,
        "set": set_kind,
        "frames": timings.frames,
        "render_fps": round(timings.frames / timings.render_s, 1),
        "encode_fps": round(timings.frames / timings.encode_s, 1),
        "total_fps": round(timings.frames / total, 1),
        "realtime_factor": round(timings.frames / total / fps, 2),
        # CPU-time rates: what one dedicated core achieves, even when the machine is shared.
        "render_fps_cpu": round(timings.frames / timings.render_cpu_s, 1),
        "encode_fps_cpu": round(timings.frames / timings.encode_cpu_s, 1),
        "total_fps_cpu": round(timings.frames / (timings.render_cpu_s + timings.encode_cpu_s), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=960)
    parser.add_argument("--height", type=int, default=540)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--draft", action="store_true")
    parser.add_argument("--set", default="room", dest="set_kind")
    parser.add_argument("--threads", type=int, default=0, help="llvmpipe threads (0 = Mesa's default)")
    args = parser.parse_args()
    if args.threads:
        os.environ["LP_NUM_THREADS"] = str(args.threads)  # read by Mesa when the context is created
    print(json.dumps(run(args.width, args.height, args.fps, args.seconds, args.draft, args.set_kind)))


if __name__ == "__main__":
    main()
