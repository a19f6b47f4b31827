"""Contract of a video backend: one shot in, one clip out."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ...model.shot_request import ShotRequest
from ..registry import Backend

__all__ = ["ShotRequest", "ShotResult", "VideoBackend"]  # ShotRequest lives in model/, re-exported for plugins


@dataclass(frozen=True)
class ShotResult:
    frames: int
    cost_usd: float = 0.0


class VideoBackend(Backend):
    KIND: ClassVar[str] = "video"
    # Shot fields this backend's picture does not depend on. They are left out of the shot's cache key, so that
    # editing them re-renders nothing: a previz shot looks the same whatever its line says, while a model that
    # films from the prompt must keep every field.
    IGNORED_SHOT_FIELDS: ClassVar[frozenset[str]] = frozenset()
    # Whether `shoot` can render a part of a shot (`ShotRequest.part`) as an H.264 clip that starts on a keyframe,
    # so that a lone shot renders on every core at once and its parts are joined by packet copy.
    RENDERS_PARTS: ClassVar[bool] = False

    def check_shot(self, request: ShotRequest) -> None:
        """Raise PlanError naming the shot if this backend cannot film it. Called before any rendering."""

    @abstractmethod
    def shoot(self, request: ShotRequest, clip_path: Path, ground_truth_path: Path | None = None) -> ShotResult:
        """Write the shot as an H.264 MP4 (no audio) of exactly round(duration * fps) frames to `clip_path`."""
