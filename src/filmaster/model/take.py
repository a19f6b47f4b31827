"""A take: the clip a video backend produced for one shot."""

from __future__ import annotations

from typing import ClassVar

from .base import Artifact
from .frame_rate import FrameRate
from .names import RelativePath, SafeName


class Keyframe(Artifact):
    """How a generated take's first frame was painted by an image backend before image-to-video (the keyframe
    step), or why the previz frame was sent instead (`note`)."""

    backend: str
    model: str = ""
    seed: int = 0
    prompt: str = ""
    cost_usd: float = 0.0
    note: str = ""  # why the previz frame was sent unpainted; "" when the painted frame was


class Take(Artifact):
    SCHEMA: ClassVar[str] = "Take.2"  # .2: every take holds its whole shot

    shot_id: SafeName
    media: RelativePath  # path relative to the output folder, e.g. "media/shots/S01-03.mp4"
    frames: int  # frames the media holds: the whole shot's
    fps: FrameRate
    width: int
    height: int
    backend: str
    seed: int = 0
    cost_usd: float = 0.0
    # The renderer's per-frame subject boxes and camera path, and on three frames each character's visible share
    # (JSON), when known.
    ground_truth: str | None = None
    model: str = ""  # the generative model that made the take ("" for previz)
    prompt: str = ""  # what the model was asked for
    note: str = ""  # why the take is not what was asked for (e.g. a generation fell back to the previz)
    keyframe: Keyframe | None = None  # the painted start frame of a generated take ([generate] keyframe)

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps
