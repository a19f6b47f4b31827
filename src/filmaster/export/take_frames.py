"""Frames of takes that one reader wants, kept as they pass through another reader's decode.

After the shoot the conform decodes most takes (every trimmed clip) and the storyboard wants two frames of each
clip: the first and the middle it plays, which lie inside the conformed range. Keeping those frames as the
conform decodes them spares the storyboard its own decode of those takes; a take no conform decoded (a clip
played whole, or a conformed clip found in the cache) is still decoded by the storyboard.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import av


class FrameTap:
    """RGB copies of the frames in `wanted` (take path → source frame indices), offered by any decode."""

    def __init__(self, wanted: Mapping[Path, Iterable[int]]) -> None:
        self.wanted = {media: frozenset(indices) for media, indices in wanted.items()}
        self._kept: dict[Path, dict[int, np.ndarray]] = {}
        self._lock = threading.Lock()  # the conform decodes two takes at once

    def offer(self, media: Path, index: int, frame: av.VideoFrame) -> None:
        """Called for every decoded frame of `media`: a wanted one is kept (as `frames_from_clip` reads it)."""
        if index not in self.wanted.get(media, ()):
            return
        with self._lock:
            if index in self._kept.get(media, {}):
                return
        array = frame.to_ndarray(format="rgb24")
        with self._lock:
            self._kept.setdefault(media, {})[index] = array

    def frames(self, media: Path, indices: Sequence[int]) -> list[np.ndarray] | None:
        """The kept frames `indices` of `media` in that order, or None unless every one was kept."""
        with self._lock:
            kept = self._kept.get(media, {})
            if not all(i in kept for i in indices):
                return None
            return [kept[i] for i in indices]
