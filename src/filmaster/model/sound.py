"""The sound design: timed cues on named tracks, each rendered to a stem file."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from .base import Artifact
from .names import RelativePath, SafeName


class CueKind(StrEnum):
    DIALOGUE = "dialogue"
    MUSIC = "music"
    AMBIENCE = "ambience"
    FOLEY = "foley"
    SFX = "sfx"


# Track of the timeline each cue kind lands on, in the order editors show them.
TRACK_NAMES: dict[CueKind, str] = {
    CueKind.DIALOGUE: "Dialogue",
    CueKind.MUSIC: "Music",
    CueKind.AMBIENCE: "Background",
    CueKind.FOLEY: "Foley",
    CueKind.SFX: "SFX",
}


class SoundCue(Artifact):
    id: SafeName  # e.g. "dlg-S01-03-1", "music-S02", "amb-S02"; names its WAV
    kind: CueKind
    start_s: float  # timeline position
    duration_s: float
    description: str = ""
    media: RelativePath | None = None  # relative path of the rendered WAV
    gain_db: float = 0.0  # level applied in the mix (before ducking and loudness normalisation)
    # A line's delivery level (whispering -12 dB...), already in its media: the dialogue compressor is keyed as if
    # the line were spoken at 0 dB, so it keeps the difference, as a fader after the compressor would.
    delivery_db: float = 0.0
    scene_index: int | None = None
    shot_id: SafeName | None = None
    character: str | None = None
    text: str | None = None
    # Effects and foley: what is heard, why it exists (the screenplay's words, or the renderer's foot contact)
    # and how far away it sounds (0 = close and dry, 1 = far and wet, from the shot's scale).
    category: str | None = None
    reason: str | None = None
    distance: float | None = None

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


class SoundPlan(Artifact):
    SCHEMA: ClassVar[str] = "SoundPlan.2"  # 2: effects and foley cues

    sample_rate: int = 48000
    cues: list[SoundCue] = Field(default_factory=list)

    def of_kind(self, kind: CueKind) -> list[SoundCue]:
        return [c for c in self.cues if c.kind == kind]
