"""Cut detection: PySceneDetect's AdaptiveDetector driven frame by frame from our own decode stream."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...errors import MissingDependencyError

if TYPE_CHECKING:
    from scenedetect import AdaptiveDetector, FrameTimecode

# AdaptiveDetector compares each frame's content change with the mean of its neighbours, so a fast pan (large
# change every frame) does not read as a run of cuts, while a hard cut (one isolated spike) does.
ADAPTIVE_THRESHOLD = 3.0  # spike / neighbourhood mean; PySceneDetect's default, right on our clips
MIN_CONTENT_VAL = 12.0  # absolute floor on the HSV content change; below it nothing is a cut (noise, flicker)
WINDOW_WIDTH = 2  # neighbours each side
# A cut is reported once the frames after it have been seen: never more than this many frames late.
LAG_FRAMES = WINDOW_WIDTH + 1
MIN_SHOT_S = 0.4  # shorter "shots" are flashes or a dissolve's middle; real edits rarely cut faster


def _scenedetect() -> tuple[type[AdaptiveDetector], type[FrameTimecode]]:
    try:
        from scenedetect import AdaptiveDetector, FrameTimecode
    except ImportError as exc:  # the package pulls opencv-python; --no-deps keeps the headless build
        raise MissingDependencyError(
            "scenedetect", "cut detection in footage", "pip install scenedetect --no-deps"
        ) from exc
    return AdaptiveDetector, FrameTimecode


class CutDetector:
    """Feed frames in order with `feed`; `finish` returns the frame indices at which new shots start."""

    def __init__(self, fps: float) -> None:
        detector_cls, self._timecode = _scenedetect()
        self.fps = fps
        self._detector = detector_cls(
            adaptive_threshold=ADAPTIVE_THRESHOLD,
            min_content_val=MIN_CONTENT_VAL,
            window_width=WINDOW_WIDTH,
            min_scene_len=max(2, round(MIN_SHOT_S * fps)),
        )
        self._cuts: list[int] = []
        self._index = 0

    def feed(self, bgr: np.ndarray) -> list[int]:
        """Process the next frame; returns cuts found now (at most a few frames behind, see `LAG_FRAMES`)."""
        found = [tc.frame_num for tc in self._detector.process_frame(self._timecode(self._index, fps=self.fps), bgr)]
        self._cuts.extend(found)
        self._index += 1
        return found

    def finish(self) -> list[int]:
        """Cut positions: each is the index of the first frame of a new shot (never 0)."""
        if self._index:
            tail = self._detector.post_process(self._timecode(self._index, fps=self.fps))
            self._cuts.extend(tc.frame_num for tc in tail)
        return sorted({c for c in self._cuts if 0 < c < self._index})
