"""The picture edit: an ordered list of clips on one video track."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .base import Artifact
from .names import RelativePath, SafeName


class CutClip(Artifact):
    shot_id: SafeName
    scene_index: int
    media: RelativePath  # relative path of the take's clip
    frames: int  # frames used on the timeline
    source_start_frame: int = 0
    speed: float = 1.0
    audio_description: str = ""  # placeholder for sound design, as in the rough cut of the paper


class Cut(Artifact):
    SCHEMA: ClassVar[str] = "Cut.1"

    title: str
    fps: int
    width: int
    height: int
    clips: list[CutClip] = Field(default_factory=list)
    locked: bool = False  # picture lock: sound is designed against a locked cut

    @property
    def frames(self) -> int:
        return sum(c.frames for c in self.clips)

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps

    def record_start_frames(self) -> dict[str, int]:
        """Timeline position (frame) of each shot's first frame."""
        starts: dict[str, int] = {}
        position = 0
        for clip in self.clips:
            starts[clip.shot_id] = position
            position += clip.frames
        return starts
