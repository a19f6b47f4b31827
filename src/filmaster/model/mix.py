"""What the mix hands on to delivery: the mixed file, where each scene's sound starts in it, how loud it is."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
from pydantic import Field

from .base import Artifact

# Called by the mix with stretches of the mastered film known before the whole mix is: (first sample, 16-bit stereo,
# the sample where each scene's sound starts).
EarlyAudio = Callable[[int, np.ndarray, Sequence[int]], object]


class MixResult(Artifact):
    SCHEMA: ClassVar[str] = "MixResult.1"

    path: Path = Field(description="media/audio/mix.wav, exactly as long as the picture")
    scene_starts: list[int] = Field(description="the sample where each scene's sound begins (the AAC chunks' edges)")
    remixed: bool = Field(description="False when the previous mix was reused unchanged")
    integrated_lufs: float | None = None  # measured on the mastered mix; None when reused
    true_peak_dbtp: float | None = None
