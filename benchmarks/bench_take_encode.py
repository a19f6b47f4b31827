"""The takes' H.264 settings: CPU per frame, quality and size, against plain veryfast fed RGB.

    .venv/bin/python benchmarks/bench_take_encode.py [--shots 4] [--resolution 960x540] [--rounds 3]

Renders the first --shots planned shots of the_last_ferry once (as `make` would, full quality), keeps their
frames, then encodes them with each setting, --rounds times in turn, with the encoder's default threads (as the
shoot's workers run it), the RGB frames converted to YUV by swscale (inside the encoder) or by OpenCV
(`previz.encode.rgb_to_i420`, what `ClipEncoder` does). Prints per setting: CPU ms per frame (median of the
rounds, the conversion included), PSNR of the decoded frames against the rendered ones, kB per second of film;
then the CPU ms per frame of `rgb_to_i420` alone (median of the rounds).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import av
import numpy as np

from filmaster.config import load_config
from filmaster.formats import read_screenplay
from filmaster.model import frame_rate
from filmaster.pipeline import render_settings
from filmaster.previz.encode import X264_OPTIONS, rgb_to_i420
from filmaster.previz.shoot import ShotSession
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.shoot import shot_requests

ROOT = Path(__file__).resolve().parents[1]
# name -> (x264 options, RGB -> YUV by OpenCV's `rgb_to_i420` rather than swscale inside the encoder)
SETTINGS = {
    "veryfast, swscale (before)": ({"preset": "veryfast", "crf": "20"}, False),
    "takes' options, swscale": (dict(X264_OPTIONS), False),
    "takes' options, OpenCV (now)": (dict(X264_OPTIONS), True),
}


def rendered_frames(shots: int, resolution: str) -> tuple[list[np.ndarray], float]:
    config = load_config(overrides={"render": {"resolution": resolution}})
    plan = plan_screenplay(read_screenplay(ROOT / "examples" / "the_last_ferry.fountain"))
    frames: list[np.ndarray] = []
    requests = shot_requests(plan, render_settings(config), config.seed)[:shots]
    for request in requests:
        session = ShotSession(request)
        frames += [session.render(i, session.pose(session.time_of(i))).copy() for i in range(session.frames)]
    return frames, requests[0].settings.fps


def encode(frames: list[np.ndarray], fps: float, options: dict[str, str], opencv: bool, path: Path) -> float:
    """CPU seconds (this process, x264's threads included) to encode `frames` into `path`."""
    height, width, _ = frames[0].shape
    start = time.process_time()
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=frame_rate.exact(fps), options=dict(options))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for frame in frames:
            picture = av.VideoFrame.from_ndarray(*((rgb_to_i420(frame), "yuv420p") if opencv else (frame, "rgb24")))
            container.mux(stream.encode(picture))
        container.mux(stream.encode(None))
    return time.process_time() - start


def psnr(frames: list[np.ndarray], path: Path) -> float:
    with av.open(str(path)) as container:
        decoded = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    mse = np.mean([np.mean((a.astype(np.float64) - b) ** 2) for a, b in zip(frames, decoded, strict=True)])
    return float(10 * np.log10(255.0**2 / mse))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=4)
    parser.add_argument("--resolution", default="960x540")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    frames, fps = rendered_frames(args.shots, args.resolution)
    cpu: dict[str, list[float]] = {name: [] for name in SETTINGS}
    with tempfile.TemporaryDirectory() as tmp:
        paths = {name: Path(tmp) / f"{k}.mp4" for k, name in enumerate(SETTINGS)}
        for _ in range(args.rounds):
            for name, (options, opencv) in SETTINGS.items():
                cpu[name].append(encode(frames, fps, options, opencv, paths[name]))
        print(f"{len(frames)} frames of {args.shots} shots, {args.resolution}, {args.rounds} rounds")
        for name in SETTINGS:
            ms = 1000 * statistics.median(cpu[name]) / len(frames)
            rate = paths[name].stat().st_size / 1000 / (len(frames) / fps)
            print(f"{name:30s} {ms:5.2f} ms CPU/frame  PSNR {psnr(frames, paths[name]):5.2f} dB  {rate:6.0f} kB/s")
    conversion_ms = 1000 * statistics.median(convert(frames) for _ in range(args.rounds))
    print(f"{'rgb_to_i420 alone':30s} {conversion_ms:5.2f} ms CPU/frame")


def convert(frames: list[np.ndarray]) -> float:
    """CPU seconds per frame of OpenCV's RGB -> YUV 4:2:0 conversion alone."""
    start = time.process_time()
    for frame in frames:
        rgb_to_i420(frame)
    return (time.process_time() - start) / len(frames)


if __name__ == "__main__":
    main()
