"""Our cut detector on real footage: hard cuts found at their frame, camera and subject motion never a cut."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np

from filmaster.retrieval.annotate.shots import LAG_FRAMES, CutDetector


def _frames(path: Path, start: int, count: int) -> list[np.ndarray]:
    with av.open(str(path)) as video:
        decoded = (f.to_ndarray(format="bgr24") for f in video.decode(video.streams.video[0]))
        frames = [frame for i, frame in enumerate(decoded) if start <= i < start + count]
    return [cv2.resize(frame, (320, 180)) for frame in frames]


def _detect(frames: list[np.ndarray], fps: float = 24.0) -> tuple[list[int], int]:
    """The cuts found, and the largest number of frames fed after a cut before `feed` reported it."""
    detector, late = CutDetector(fps), 0
    for index, frame in enumerate(frames):
        late = max([late, *(index - cut for cut in detector.feed(frame))])
    return detector.finish(), late


def test_hard_cuts_between_real_clips_are_found_at_their_frame(opencv_data: Path) -> None:
    # vtest: a static camera over walking people; Megamind's first 90 frames hold no cut (its first is at 98).
    walking, animation = opencv_data / "vtest.avi", opencv_data / "Megamind.avi"
    montage = _frames(walking, 0, 40) + _frames(animation, 0, 40) + _frames(walking, 300, 40)
    cuts, late = _detect(montage)
    assert cuts == [40, 80]
    assert late <= LAG_FRAMES


def test_motion_within_a_shot_is_not_a_cut(opencv_data: Path) -> None:
    """People walking past a still camera, then the same footage as a fast pan (a 6 px crop shift per frame)."""
    walking = _frames(opencv_data / "vtest.avi", 0, 120)
    assert _detect(walking)[0] == []
    panned = [cv2.resize(frame[:, 6 * i : 6 * i + 200], (320, 180)) for i, frame in enumerate(walking[:20])]
    assert _detect(panned)[0] == []
