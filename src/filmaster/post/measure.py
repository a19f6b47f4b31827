"""Measures of a cut an editor judges pace by, taken from its timing and from its pixels."""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..model import Cut, CutClip

if TYPE_CHECKING:
    import av

THUMB = (64, 36)  # frames are compared this small: a set-up is the layout, not the texture


def shot_lengths_s(cut: Cut) -> list[float]:
    return [clip.frames / cut.fps for clip in cut.clips]


def sigma_ln(lengths: Sequence[float]) -> float:
    """Standard deviation of ln(shot length): ~0.7-0.9 in edited films, ~0 for templated lengths."""
    logs = [math.log(x) for x in lengths if x > 0]
    return statistics.pstdev(logs) if len(logs) > 1 else 0.0


def scene_asl_s(cut: Cut) -> dict[int, float]:
    """Average shot length of each scene."""
    per: dict[int, list[float]] = {}
    for clip in cut.clips:
        per.setdefault(clip.scene_index, []).append(clip.frames / cut.fps)
    return {scene: sum(v) / len(v) for scene, v in per.items()}


def boundary_frames(out_dir: Path, cut: Cut) -> list[tuple[np.ndarray, np.ndarray]]:
    """(first, last) frame of every clip as it plays, greyscale thumbnails in 0..1; one decode per clip."""
    return [_first_and_last(out_dir, clip) for clip in cut.clips]


def cut_differences(out_dir: Path, cut: Cut) -> list[float]:
    """Mean absolute difference (0..1) between the last frame before each cut and the first after it."""
    ends = boundary_frames(out_dir, cut)
    return [float(np.abs(ends[i][1] - ends[i + 1][0]).mean()) for i in range(len(ends) - 1)]


def _first_and_last(out_dir: Path, clip: CutClip) -> tuple[np.ndarray, np.ndarray]:
    import av

    first_index = clip.source_start_frame
    last_index = clip.source_start_frame + int((clip.frames - 1) * clip.speed + 1e-9)
    first = last = None
    with av.open(str(out_dir / clip.media)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for index, frame in enumerate(container.decode(stream)):
            if index == first_index or (first is None and index > first_index):
                first = _thumb(frame)
            last = frame
            if index >= last_index:
                break
    blank = np.zeros(THUMB[::-1], np.float32)
    return (first if first is not None else blank), (_thumb(last) if last is not None else blank)


def _thumb(frame: av.VideoFrame) -> np.ndarray:
    grey = frame.reformat(width=THUMB[0], height=THUMB[1], format="gray").to_ndarray()
    return grey.astype(np.float32) / 255.0


def detected_cuts(film: Path) -> tuple[list[int], int, int]:
    """Cuts found in a film's pixels by content-aware cut detection: (first frames of new shots, frames, fps)."""
    import av

    from ..retrieval.annotate.shots import CutDetector

    with av.open(str(film)) as container:
        stream = container.streams.video[0]
        fps = round(float(stream.average_rate or 24))
        detector = CutDetector(float(fps))
        frames = 0
        for frame in container.decode(stream):
            detector.feed(frame.to_ndarray(format="bgr24"))
            frames += 1
    return detector.finish(), frames, fps


def film_shot_lengths_s(film: Path) -> list[float]:
    """Shot lengths of a film as its pixels show them."""
    cuts, frames, fps = detected_cuts(film)
    bounds = [0, *cuts, frames]
    return [(b - a) / fps for a, b in itertools.pairwise(bounds) if b > a]


def pixel_pacing(film: Path, cut: Cut) -> tuple[list[float], dict[int, float]]:
    """Shot lengths found in `film`'s pixels, and each scene's ASL from them (a pixel shot belongs to the scene
    whose first clip in `cut` starts at or just before it)."""
    cuts, frames, fps = detected_cuts(film)
    bounds = [0, *cuts, frames]
    starts = sorted((frame, scene) for scene, frame in cut.scene_start_frames().items())
    lengths: list[float] = []
    per_scene: dict[int, list[float]] = {}
    for a, b in itertools.pairwise(bounds):
        lengths.append((b - a) / fps)
        scene = max((s for s in starts if s[0] <= a + 2), default=starts[0])[1]
        per_scene.setdefault(scene, []).append((b - a) / fps)
    return lengths, {scene: sum(v) / len(v) for scene, v in per_scene.items()}
