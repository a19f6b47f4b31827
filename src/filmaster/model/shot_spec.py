"""A hand-written spec of one shot, for `filmaster previz`: a set, who is in it, a camera and a length."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .base import Artifact
from .camera import CameraSpec
from .plan import Mark, SetKind, TimeOfDay


class ShotSpec(Artifact):
    SCHEMA: ClassVar[str] = "ShotSpec.1"

    set: SetKind = SetKind.ROOM
    time_of_day: TimeOfDay = TimeOfDay.DAY
    interior: bool | None = None  # default: from the set (room, kitchen... inside; street, forest... outside)
    characters: list[str] = Field(default_factory=list)  # blocked on the 180° line, first two facing each other
    marks: dict[str, Mark] = Field(default_factory=dict)  # optional: place characters yourself
    props: list[str] = Field(default_factory=list)  # e.g. ["letter", "lamp"] for inserts
    duration_s: float = Field(default=4.0, gt=0, le=600)
    camera: CameraSpec
