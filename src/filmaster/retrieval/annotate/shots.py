"""Cut detection: an adaptive content-change detector fed frame by frame from our own decode stream.

Each frame's content change is the mean absolute difference of its hue, saturation and value from the previous
frame's (0-255 scale). A frame starts a new shot when its change is a spike: at least `ADAPTIVE_THRESHOLD` times
the mean change of its `WINDOW_WIDTH` neighbours each side, and above `MIN_CONTENT_VAL`. Comparing with the
neighbours, not with a fixed level, keeps a fast pan (a large change every frame) from reading as a run of cuts.
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np

ADAPTIVE_THRESHOLD = 3.0  # spike / neighbourhood mean; right on our clips
MIN_CONTENT_VAL = 12.0  # absolute floor on the HSV content change; below it nothing is a cut (noise, flicker)
WINDOW_WIDTH = 2  # neighbours each side
# A cut is reported once the frames after it have been seen: never more than this many frames late.
LAG_FRAMES = WINDOW_WIDTH + 1
MIN_SHOT_S = 0.4  # shorter "shots" are flashes or a dissolve's middle; real edits rarely cut faster
_FLAT = 1e-6  # a neighbourhood this still makes any change above the floor a spike


def content_change(previous_hsv: np.ndarray, hsv: np.ndarray) -> float:
    """Mean absolute HSV difference of two frames, averaged over the three channels."""
    diff = cv2.absdiff(previous_hsv, hsv)
    return float(np.mean(cv2.mean(diff)[:3]))


class CutDetector:
    """Feed frames in order with `feed`; `finish` returns the frame indices at which new shots start."""

    def __init__(self, fps: float) -> None:
        self.fps = fps
        self._min_shot = max(2, round(MIN_SHOT_S * fps))
        self._previous: np.ndarray | None = None
        # (frame index, content change) of the frames still inside some pending frame's window
        self._changes: deque[tuple[int, float]] = deque(maxlen=2 * WINDOW_WIDTH + 1)
        self._cuts: list[int] = []
        self._last_cut = 0
        self._index = 0

    def feed(self, bgr: np.ndarray) -> list[int]:
        """Process the next frame; returns cuts found now (at most a few frames behind, see `LAG_FRAMES`)."""
        hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
        if self._previous is not None:
            self._changes.append((self._index, content_change(self._previous, hsv)))
        self._previous = hsv
        self._index += 1
        found = self._judge_centre() if len(self._changes) == self._changes.maxlen else []
        self._cuts.extend(found)
        return found

    def _judge_centre(self) -> list[int]:
        window = list(self._changes)
        index, change = window[WINDOW_WIDTH]
        neighbours = [c for i, (_, c) in enumerate(window) if i != WINDOW_WIDTH]
        around = sum(neighbours) / len(neighbours)
        spike = change / around >= ADAPTIVE_THRESHOLD if around > _FLAT else True
        if spike and change >= MIN_CONTENT_VAL and index - self._last_cut >= self._min_shot:
            self._last_cut = index
            return [index]
        return []

    def finish(self) -> list[int]:
        """Cut positions: each is the index of the first frame of a new shot (never 0)."""
        return sorted({c for c in self._cuts if 0 < c < self._index})
