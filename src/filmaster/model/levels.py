"""The mix's levels as data: each cue's static gain and the ducking automation the mix applied to it, so that
editors' timelines can carry the film's balance (volume keyframes) instead of playing every clip at unity."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .base import Artifact


class CueLevel(Artifact):
    """Where and how loud one cue plays in the film: from sample `start_sample` of the film's sound, at `gain_db`
    throughout (its own gain, the master's, and for dialogue the compressor's mean gain reduction over the line,
    `dynamics_db`), plus `ducking` breakpoints (seconds from the cue's start, dB) interpolated linearly; no
    breakpoints means no ducking."""

    cue_id: str
    start_sample: int  # the mix lays a scene's sound on the film AAC's frame grid: not always the cue's start_s
    gain_db: float
    dynamics_db: float = 0.0
    ducking: list[tuple[float, float]] = Field(default_factory=list)

    def level_db(self, time_s: float) -> float:
        """The cue's level at `time_s` seconds from its start, as the mix applied it (before the limiter)."""
        if not self.ducking:
            return self.gain_db
        times = [t for t, _ in self.ducking]
        if time_s <= times[0]:
            return self.gain_db + self.ducking[0][1]
        if time_s >= times[-1]:
            return self.gain_db + self.ducking[-1][1]
        for (t0, d0), (t1, d1) in zip(self.ducking, self.ducking[1:], strict=False):
            if t0 <= time_s <= t1:
                return self.gain_db + (d0 if t1 == t0 else d0 + (d1 - d0) * (time_s - t0) / (t1 - t0))
        return self.gain_db


class MixLevels(Artifact):
    SCHEMA: ClassVar[str] = "MixLevels.1"

    sample_rate: int = 48000
    master_gain_db: float = 0.0  # the master bus's loudness-normalising gain (the limiter's work is not in it)
    cues: dict[str, CueLevel] = Field(default_factory=dict)  # by cue id
