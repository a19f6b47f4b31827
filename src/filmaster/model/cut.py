"""The picture edit: an ordered list of clips on one video track."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .base import Artifact
from .frame_rate import FrameRate
from .names import RelativePath, SafeName


class CutClip(Artifact):
    shot_id: SafeName
    scene_index: int
    media: RelativePath  # relative path of the take's clip
    frames: int  # frames used on the timeline
    # The media's frame the clip starts at; a take holds its whole shot, so it is the shot's frame too, where the
    # shot's lines and ground truth are timed from.
    source_start_frame: int = 0
    speed: float = 1.0
    audio_description: str = ""  # placeholder for sound design, as in the rough cut of the paper
    # A cutaway shows frames of another shot's take (a reaction, an insert) while `shot_id`'s sound goes on
    # under it: it owns no sound of its own, so it does not move where that shot's lines are heard.
    cutaway: bool = False

    def source_frame(self, played: int) -> int:
        """The media's frame shown at the clip's `played`-th frame on the timeline: at speed 2 every second frame,
        at 0.5 each frame twice (the epsilon keeps 45 * 1.4 = 62.99… from flooring one frame short)."""
        return self.source_start_frame + int(played * self.speed + 1e-9)

    @property
    def last_source_frame(self) -> int:
        """The media's last frame the clip plays."""
        return self.source_frame(self.frames - 1)

    @property
    def source_end_frame(self) -> float:
        """Where in the media (frames, fractional when sped up) the clip's picture ends: its first frame plus the
        media time it covers."""
        return self.source_start_frame + self.frames * self.speed


class Cut(Artifact):
    SCHEMA: ClassVar[str] = "Cut.2"  # .2: a clip's media is its whole take (no window_start_frame)

    title: str
    fps: FrameRate
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

    def take_origin_frames(self) -> dict[str, int]:
        """Timeline frame at which each shot's take frame 0 would play (its first clip that is not a cutaway,
        head trim taken back), so a line `start_s` into the take is heard at origin + start_s however the
        head was trimmed."""
        origins: dict[str, int] = {}
        position = 0
        for clip in self.clips:
            if not clip.cutaway and clip.shot_id not in origins:
                origins[clip.shot_id] = position - round(clip.source_start_frame / clip.speed)
            position += clip.frames
        return origins

    def scene_start_frames(self) -> dict[int, int]:
        """Timeline frame of each scene's first clip."""
        starts: dict[int, int] = {}
        position = 0
        for clip in self.clips:
            starts.setdefault(clip.scene_index, position)
            position += clip.frames
        return starts
