"""What the model is asked to answer at each develop step, and how an answer is made usable.

The answer models are lenient (extra keys ignored, colours and times normalised) and bounded (lengths, counts),
so their JSON Schema also keeps a grammar-constrained small model short. Turning an answer into the step's
artifact fills what a weak model leaves out from what is already known, instead of failing.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

NAME = re.compile(r"[^A-Z0-9 '\-]")


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SynopsisAnswer(_Lenient):
    title: str = Field(min_length=1, max_length=80)
    logline: str = Field(min_length=1, max_length=400)
    synopsis: str = Field(min_length=20, max_length=2000)


class CharacterAnswer(_Lenient):
    name: str = Field(min_length=1, max_length=40)
    description: str = Field(default="", max_length=300)
    shirt: str = Field(default="", max_length=20)
    hair: str = Field(default="", max_length=20)
    voice: str = Field(default="medium", max_length=10)


class LocationAnswer(_Lenient):
    name: str = Field(min_length=1, max_length=40)
    interior: bool = True
    description: str = Field(default="", max_length=300)


class CastAnswer(_Lenient):
    characters: list[CharacterAnswer] = Field(min_length=1, max_length=6)
    locations: list[LocationAnswer] = Field(min_length=1, max_length=6)


class OutlineSceneAnswer(_Lenient):
    location: str = Field(min_length=1, max_length=60)
    time: str = Field(default="DAY", max_length=10)
    characters: list[str] = Field(default_factory=list, max_length=6)
    summary: str = Field(min_length=1, max_length=500)


def outline_answer(count: int) -> type[BaseModel]:
    """The outline's answer model for exactly `count` scenes (the count is in its schema, so a grammar keeps it)."""

    class OutlineAnswer(_Lenient):
        scenes: list[OutlineSceneAnswer] = Field(min_length=count, max_length=count)

    return OutlineAnswer


class ElementAnswer(_Lenient):
    type: str = Field(max_length=12)
    character: str = Field(default="", max_length=40)
    parenthetical: str = Field(default="", max_length=60)
    text: str = Field(max_length=600)


class SceneAnswer(_Lenient):
    elements: list[ElementAnswer] = Field(min_length=1, max_length=30)


def character_name(text: str) -> str:
    """A cue name: upper case letters, digits, spaces, apostrophes and hyphens, at most three words."""
    words = NAME.sub(" ", text.upper()).split()[:3]
    return " ".join(words)


def one_line(text: str, limit: int = 600) -> str:
    """Text as one line without the marks Fountain would read as notes, boneyard or emphasis."""
    for mark in ("[[", "]]", "/*", "*/", "*", "_", "#", "~", "=", "|"):
        text = text.replace(mark, " ")
    return " ".join(text.split())[:limit].lstrip("!@.>(")
