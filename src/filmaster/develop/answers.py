"""What the model is asked to answer at each develop step, and how an answer is made usable.

The answer models are lenient (extra keys ignored, names and colours normalised afterwards) but bounded: lengths,
counts and the allowed values (colours, times, the cast's names) go into the JSON Schema sent with the question,
so a grammar-constrained small model (llama.cpp's server) cannot ramble past them or name what does not exist.
Turning an answer into the step's artifact fills what a weak model leaves out from what is already known.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

NAME = re.compile(r"[^A-Z0-9 '\-]")
TIMES = ("DAY", "NIGHT", "DAWN", "DUSK")
VOICES = ("low", "medium", "high")


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def _one_of(values: list[str] | tuple[str, ...]) -> dict[str, Any]:
    return {"enum": list(values)}


class SynopsisAnswer(_Lenient):
    title: str = Field(min_length=1, max_length=60)
    logline: str = Field(min_length=1, max_length=200)
    synopsis: str = Field(min_length=20, max_length=1200)


def cast_answer(shirts: list[str], hair: list[str], characters: int, locations: int) -> type[BaseModel]:
    character = create_model(
        "CharacterAnswer",
        __base__=_Lenient,
        name=(str, Field(min_length=1, max_length=30)),
        description=(str, Field(default="", max_length=200)),
        shirt=(str, Field(default="", max_length=12, json_schema_extra=_one_of(shirts))),
        hair=(str, Field(default="", max_length=12, json_schema_extra=_one_of(hair))),
        voice=(str, Field(default="medium", max_length=8, json_schema_extra=_one_of(VOICES))),
    )
    location = create_model(
        "LocationAnswer",
        __base__=_Lenient,
        name=(str, Field(min_length=1, max_length=30)),
        interior=(bool, True),
        description=(str, Field(default="", max_length=200)),
    )
    return create_model(
        "CastAnswer",
        __base__=_Lenient,
        characters=(list[character], Field(min_length=1, max_length=characters)),
        locations=(list[location], Field(min_length=1, max_length=locations)),
    )


def outline_answer(count: int, locations: list[str], characters: list[str]) -> type[BaseModel]:
    """Exactly `count` scenes, each at one of the cast's `locations` with some of its `characters`."""
    scene = create_model(
        "OutlineSceneAnswer",
        __base__=_Lenient,
        location=(str, Field(min_length=1, max_length=40, json_schema_extra=_one_of(locations))),
        time=(str, Field(default="DAY", max_length=8, json_schema_extra=_one_of(TIMES))),
        characters=(
            list[str],
            Field(default_factory=list, max_length=len(characters), json_schema_extra={"items": _one_of(characters)}),
        ),
        summary=(str, Field(min_length=1, max_length=300)),
    )
    return create_model(
        "OutlineAnswer",
        __base__=_Lenient,
        scenes=(list[scene], Field(min_length=count, max_length=count)),
    )


def scene_answer(characters: list[str], elements: int) -> type[BaseModel]:
    """At most `elements` action or dialogue elements, spoken only by the scene's `characters`."""
    element = create_model(
        "ElementAnswer",
        __base__=_Lenient,
        type=(str, Field(max_length=10, json_schema_extra=_one_of(["action", "dialogue"]))),
        character=(str, Field(default="", max_length=30, json_schema_extra=_one_of(["", *characters]))),
        parenthetical=(str, Field(default="", max_length=40)),
        text=(str, Field(max_length=200)),
    )
    return create_model(
        "SceneAnswer",
        __base__=_Lenient,
        elements=(list[element], Field(min_length=1, max_length=elements)),
    )


def character_name(text: str) -> str:
    """A cue name: upper case letters, digits, spaces, apostrophes and hyphens, at most three words."""
    words = NAME.sub(" ", text.upper()).split()[:3]
    return " ".join(words)


def one_line(text: str, limit: int = 600) -> str:
    """Text as one line without the marks Fountain would read as notes, boneyard or emphasis."""
    for mark in ("[[", "]]", "/*", "*/", "*", "_", "#", "~", "=", "|"):
        text = text.replace(mark, " ")
    return " ".join(text.split())[:limit].lstrip("!@.>(")
