"""Picture settings shared by the shoot and deliver stages."""

from __future__ import annotations

from pydantic import Field

from .base import Artifact


class RenderSettings(Artifact):
    width: int = Field(default=960, ge=64, le=7680)
    height: int = Field(default=540, ge=64, le=4320)
    fps: int = Field(default=24, ge=1, le=120)
    draft: bool = False  # lower sample counts / simpler shading for fast iteration

    @property
    def resolution(self) -> str:
        return f"{self.width}x{self.height}"
