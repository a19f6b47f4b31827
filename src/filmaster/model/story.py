"""What `filmaster develop` makes from an idea, coarse to fine: synopsis → cast and locations → outline → scenes.

Each is kept in the develop folder as JSON (`synopsis.json`, `cast.json`, `outline.json`, `scenes/NN.json`), so a
writer can read what the model proposed at every step; the screenplay written from them is ordinary Fountain.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .base import Artifact

Voice = Literal["low", "medium", "high"]
DayTime = Literal["DAY", "NIGHT", "DAWN", "DUSK"]


class Synopsis(Artifact):
    SCHEMA: ClassVar[str] = "Synopsis.1"

    idea: str  # the logline or synopsis the writer gave
    title: str = Field(min_length=1)
    logline: str
    synopsis: str = Field(min_length=1)
    source: str  # who wrote it: the model id, or "file" for `develop --from`


class StoryCharacter(Artifact):
    name: str  # upper case, as the dialogue cues will name them
    description: str = ""
    shirt: str  # a colour of develop.looks.SHIRTS: what the previz dresses the figure in
    hair: str  # a colour of develop.looks.HAIR
    voice: Voice = "medium"
    reference_image: str | None = None  # a picture from --refs, shown on the previz figure and sent to video models


class StoryLocation(Artifact):
    name: str  # upper case, as the scene headings will name it
    interior: bool
    description: str = ""
    reference_image: str | None = None  # a picture from --refs: the previz set's backdrop


class StoryCast(Artifact):
    SCHEMA: ClassVar[str] = "StoryCast.1"

    characters: list[StoryCharacter] = Field(min_length=1)
    locations: list[StoryLocation] = Field(min_length=1)


class OutlineScene(Artifact):
    location: str  # one of the cast's locations
    time: DayTime = "DAY"
    characters: list[str] = Field(default_factory=list)  # names from the cast
    summary: str
    interior: bool = True  # taken from the location

    @property
    def heading(self) -> str:
        return f"{'INT' if self.interior else 'EXT'}. {self.location} - {self.time}"


class Outline(Artifact):
    SCHEMA: ClassVar[str] = "Outline.1"

    scenes: list[OutlineScene] = Field(min_length=2)


class DraftElement(Artifact):
    kind: Literal["action", "dialogue"]
    character: str = ""  # the speaker of a dialogue element
    parenthetical: str = ""
    text: str = Field(min_length=1)


class SceneDraft(Artifact):
    SCHEMA: ClassVar[str] = "SceneDraft.1"

    number: int = Field(ge=1)
    heading: str
    elements: list[DraftElement] = Field(min_length=1)
    notes: list[str] = Field(default_factory=list)  # what was filled in from the outline instead of the model
