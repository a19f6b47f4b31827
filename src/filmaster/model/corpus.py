"""The cinematography corpus: scene-level entries of how films cover recurring situations, and their shots."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .base import Artifact
from .camera import Angle, Movement, ShotScale
from .plan import TimeOfDay


class CorpusShot(Artifact):
    """One shot of a reference sequence: what it shows and how."""

    scale: ShotScale
    angle: Angle = Angle.EYE_LEVEL
    movement: Movement = Movement.STATIC
    direction: Literal["left", "right", "up", "down", "in", "out"] | None = None
    duration_s: float = Field(gt=0, le=600)
    shows: str = ""  # "her eyes as she reads", "both at the table", "the door"
    # Role of the shot in the sequence: establishing, single, two_shot, over_shoulder, insert, reaction, pov...
    role: str = ""
    # Measured from footage (None for the built-in, written entries).
    brightness: float | None = None  # mean luma 0..1
    contrast: float | None = None  # luma standard deviation 0..1
    colour_temperature_k: float | None = None
    start_s: float | None = None  # position in the source video


class CorpusEntry(Artifact):
    id: str  # stable, unique, e.g. "confrontation-table-01"
    situation: str  # "a confrontation across a table"
    description: str  # what happens and how the coverage serves it
    objective: str  # the narrative objective / emotion the camera serves
    genres: list[str] = Field(default_factory=list)
    time_of_day: TimeOfDay | None = None
    interior: bool | None = None
    location: str = ""  # "kitchen", "street", "ship deck" ...
    characters: int = Field(ge=0, le=100)
    shots: list[CorpusShot] = Field(min_length=1)
    films: list[str] = Field(default_factory=list)  # well-known films that use the pattern
    source: str = "builtin"  # "builtin", or "footage:<name>" for entries annotated from a user's video

    @property
    def embedding_text(self) -> str:
        """What the retrieval index embeds for this entry (the query side mirrors it)."""
        where = " ".join(
            part
            for part in (
                "interior" if self.interior else "exterior" if self.interior is not None else "",
                self.location,
                self.time_of_day.value if self.time_of_day else "",
            )
            if part
        )
        shots = "; ".join(s.shows for s in self.shots if s.shows)
        return f"{self.situation}. {self.objective}. {where}. {self.characters} characters. {shots}"


class Corpus(Artifact):
    SCHEMA: ClassVar[str] = "Corpus.1"

    version: str = "1"
    entries: list[CorpusEntry] = Field(default_factory=list)
