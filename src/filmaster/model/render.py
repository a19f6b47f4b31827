"""Picture settings shared by the shoot and deliver stages."""

from __future__ import annotations

from pydantic import Field

from .base import Artifact
from .frame_rate import FrameRate


class RenderSettings(Artifact):
    width: int = Field(default=960, ge=64, le=7680)
    height: int = Field(default=540, ge=64, le=4320)
    fps: FrameRate = 24
    draft: bool = False  # lower sample counts / simpler shading for fast iteration

    @property
    def resolution(self) -> str:
        return f"{self.width}x{self.height}"
