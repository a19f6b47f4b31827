"""Decode a video with PyAV as a stream of small BGR frames, never holding the whole video in memory."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ...errors import InputError

log = logging.getLogger(__name__)

# Analysis width: wide enough for a face of ~1/15 of the frame to reach the Haar detector's 20 px minimum,
# small enough that decode + analysis runs well above real time on one core.
ANALYSIS_WIDTH = 320
# Used when a container declares no frame rate (raw streams); reported as a warning.
FALLBACK_FPS = 25.0


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    width: int  # source size
    height: int
    fps: float
    frames_estimate: int  # from the container; 0 when it does not say
    analysis_size: tuple[int, int]  # (width, height) of the frames handed to the analysers
    fps_guessed: bool = False


def _analysis_size(width: int, height: int, target: int) -> tuple[int, int]:
    if width <= target:
        w, h = width, height
    else:
        w, h = target, round(height * target / width)
    # Even sizes keep swscale and every detector on a regular grid.
    return max(2, w - w % 2), max(2, h - h % 2)


def probe(path: Path, analysis_width: int = ANALYSIS_WIDTH) -> VideoInfo:
    """Open `path` and describe its first video stream, or raise InputError saying what is wrong."""
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path")
    if not path.is_file():
        raise InputError(f"{path}: not a file; give the path of a video file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (zero bytes); re-export or re-copy the video")
    try:
        container = av.open(str(path))
    except (av.FFmpegError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: not a readable video ({exc.__class__.__name__}); give an MP4/MOV/MKV/AVI video file"
        ) from exc
    with container:
        if not container.streams.video:
            raise InputError(f"{path}: holds no video stream (audio only?); give a file with picture")
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        if not width or not height:
            raise InputError(f"{path}: the video stream has no picture size; re-encode it (e.g. with ffmpeg)")
        rate = stream.average_rate or stream.guessed_rate
        fps_guessed = not rate or float(rate) <= 0
        fps = FALLBACK_FPS if rate is None or fps_guessed else float(Fraction(rate))
        frames = stream.frames or 0
        if not frames and stream.duration and stream.time_base:
            frames = round(float(stream.duration * stream.time_base) * fps)
    return VideoInfo(
        path=path,
        width=width,
        height=height,
        fps=fps,
        frames_estimate=frames,
        analysis_size=_analysis_size(width, height, analysis_width),
        fps_guessed=fps_guessed,
    )


def iter_frames(info: VideoInfo, warnings: list[str] | None = None) -> Iterator[np.ndarray]:
    """Yield every frame of the first video stream as a small BGR uint8 array, in decode order.

    A decode error after some frames ends the stream with a warning (a damaged tail should not cost the
    part that decodes); an error before the first frame raises InputError.
    """
    w, h = info.analysis_size
    decoded = 0
    try:
        with av.open(str(info.path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"  # frame threading: decode is the largest single cost
            for frame in container.decode(stream):
                # Scale in libswscale while converting: far cheaper than a full-size ndarray + cv2.resize.
                yield frame.to_ndarray(width=w, height=h, format="bgr24", interpolation="AREA")
                decoded += 1
    except av.FFmpegError as exc:
        if decoded == 0:
            raise InputError(
                f"{info.path}: the video stream cannot be decoded ({exc.__class__.__name__}); "
                "re-encode it (e.g. ffmpeg -i in -c:v libx264 out.mp4)"
            ) from exc
        message = f"{info.path}: decoding stopped at frame {decoded} ({exc}); annotated the frames before it"
        if warnings is None:
            log.warning(message)
        else:
            warnings.append(message)  # the caller reports it
