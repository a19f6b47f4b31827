"""The screenplay as parsed from Fountain: title page, scenes, elements, characters."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from .base import Artifact


class ElementKind(StrEnum):
    ACTION = "action"
    DIALOGUE = "dialogue"
    TRANSITION = "transition"
    CENTERED = "centered"
    LYRIC = "lyric"
    PAGE_BREAK = "page_break"


class DialogueLine(Artifact):
    """One speech: a character cue, its extension and parenthetical, and the words spoken."""

    character: str  # normalised upper-case name without extension, e.g. "MARA"
    extension: str | None = None  # "V.O.", "O.S.", "CONT'D" ...
    parenthetical: str | None = None  # "(quietly)" without the brackets
    text: str
    dual: bool = False  # second speaker of a dual-dialogue pair

    @property
    def is_voice_over(self) -> bool:
        return (self.extension or "").replace(".", "").upper() in {"VO", "OS", "OC"}


class Element(Artifact):
    kind: ElementKind
    text: str = ""
    dialogue: DialogueLine | None = None
    line: int = 0  # 1-based source line, for error messages


class Scene(Artifact):
    index: int  # 0-based order in the screenplay
    heading: str  # as written, e.g. "INT. KITCHEN - NIGHT"
    setting: str | None = None  # "INT", "EXT", "INT/EXT", or None for a forced heading without a prefix
    location: str  # "KITCHEN"
    time_of_day: str = ""  # "NIGHT", "DAY", "DAWN" ... as written, upper case; "" when absent
    scene_number: str | None = None  # from "#12A#"
    sections: list[str] = Field(default_factory=list)  # enclosing section titles, outermost first
    synopses: list[str] = Field(default_factory=list)
    elements: list[Element] = Field(default_factory=list)
    line: int = 0

    @property
    def dialogue(self) -> list[DialogueLine]:
        return [e.dialogue for e in self.elements if e.dialogue is not None]

    @property
    def speaking_characters(self) -> list[str]:
        seen: dict[str, None] = {}
        for d in self.dialogue:
            seen.setdefault(d.character, None)
        return list(seen)


class Character(Artifact):
    name: str
    lines: list[str] = Field(default_factory=list)  # every speech, in order
    scenes: list[int] = Field(default_factory=list)  # indices of scenes where they speak


class Section(Artifact):
    depth: int
    title: str
    line: int = 0


class Screenplay(Artifact):
    SCHEMA: ClassVar[str] = "Screenplay.1"

    title_page: dict[str, str] = Field(default_factory=dict)  # keys lower-case: "title", "author" ...
    scenes: list[Scene]
    characters: dict[str, Character] = Field(default_factory=dict)
    sections: list[Section] = Field(default_factory=list)

    @property
    def title(self) -> str:
        return self.title_page.get("title", "").replace("_", "").replace("*", "").strip() or "Untitled"
