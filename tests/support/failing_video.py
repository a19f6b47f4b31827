"""A video backend whose renders fail, importable by render worker processes (they receive the class itself)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from filmaster.backends.video.base import ShotRequest, ShotResult
from filmaster.backends.video.previz import PrevizVideoBackend


class LensCapVideoBackend(PrevizVideoBackend):
    """The real previz backend, except that every shot fails after writing part of its clip."""

    NAME: ClassVar[str] = "lens-cap"

    def shoot(self, request: ShotRequest, clip_path: Path, ground_truth_path: Path | None = None) -> ShotResult:
        clip_path.write_bytes(b"half a clip")
        raise RuntimeError("the lens cap is on")
