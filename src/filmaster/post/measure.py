"""Measures of a cut an editor judges pace by, taken from its timing and from its pixels."""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..model import Cut, CutClip

if TYPE_CHECKING:
    import av

THUMB = (64, 36)  # frames are compared this small: a set-up is the layout, not the texture
DECODE_THREADS = 2


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
    """(first, last) frame of every clip as it plays, greyscale thumbnails in 0..1.

    Each take is decoded once, up to the last frame any of its clips shows (a take can play in several clips:
    split around a cutaway, or as another shot's reaction), and the takes are decoded two at a time (the decoder
    releases the GIL), each on one thread (frame threads cost a third more CPU for the same frames): after the
    shoot this sits on the run's critical path."""
    wanted: dict[str, set[int]] = {}
    for clip in cut.clips:
        wanted.setdefault(clip.media, set()).update(_ends(clip))
    longest_first = sorted(wanted, key=lambda m: -max(wanted[m]))  # no long decode left alone at the end
    with ThreadPoolExecutor(DECODE_THREADS, thread_name_prefix="screen") as pool:
        decoded = pool.map(lambda m: _thumbs_at(out_dir / m, wanted[m]), longest_first)
        thumbs = dict(zip(longest_first, decoded, strict=True))
    blank = np.zeros(THUMB[::-1], np.float32)
    return [
        tuple(thumbs[clip.media].get(i, blank) for i in _ends(clip))  # type: ignore[misc]
        for clip in cut.clips
    ]


def cut_differences(out_dir: Path, cut: Cut) -> list[float]:
    """Mean absolute difference (0..1) between the last frame before each cut and the first after it."""
    ends = boundary_frames(out_dir, cut)
    return [float(np.abs(ends[i][1] - ends[i + 1][0]).mean()) for i in range(len(ends) - 1)]


def _ends(clip: CutClip) -> tuple[int, int]:
    """Take frame indices of the first and the last frame the clip plays."""
    return clip.source_start_frame, clip.last_source_frame


def _thumbs_at(media: Path, indices: set[int]) -> dict[int, np.ndarray]:
    """Thumbnails of frames `indices` of a clip (an index past its end gets its last frame)."""
    import av

    found: dict[int, np.ndarray] = {}
    last_needed = max(indices)
    frame = None
    index = -1
    with av.open(str(media)) as container:
        stream = container.streams.video[0]  # decoded on this thread alone: two takes decode side by side
        for index, frame in enumerate(container.decode(stream)):
            if index in indices:
                found[index] = _thumb(frame)
            if index >= last_needed:
                break
    if frame is not None:
        for missing in indices - found.keys():
            if missing > index:
                found[missing] = _thumb(frame)
    return found


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
