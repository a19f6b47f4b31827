"""What a video backend is asked to film: one shot of a scene, its cast, the render settings."""

from __future__ import annotations

from dataclasses import dataclass

from .plan import CastMember, SceneBlock, Shot
from .render import RenderSettings


@dataclass(frozen=True)
class ShotRequest:
    shot: Shot
    scene: SceneBlock
    cast: dict[str, CastMember]
    settings: RenderSettings
    seed: int = 0
    cores: int = 1  # CPU cores the backend may keep busy for this shot (more than one when nothing else renders)
    part: tuple[int, int] | None = None  # render only the shot's frames [first, end) (backends that RENDERS_PARTS)

    @property
    def frames(self) -> int:
        """How many frames the shot's clip holds: round(duration * fps)."""
        return round(self.shot.duration_s * self.settings.fps)
