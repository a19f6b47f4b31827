"""Coarse to fine, as in FilMaster: the idea → synopsis → cast and locations → scene outline → each scene in full.

Each step asks the model once (through `LLMSession`: cached, validated, repaired, logged), turns the answer into
its artifact and keeps it in the develop folder. The scenes are asked one by one, with the outline's line for the
scene and the end of the scene before, and what a small model leaves out is filled from the outline, so the last
step never fails a film for a weak answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import write_text_atomic
from ..errors import PlanError
from ..model.base import Artifact
from ..model.story import (
    DraftElement,
    Outline,
    OutlineScene,
    SceneDraft,
    StoryCast,
    StoryCharacter,
    StoryLocation,
    Synopsis,
)
from ..prompts import load_prompt
from .answers import (
    TIMES,
    SynopsisAnswer,
    cast_answer,
    character_name,
    one_line,
    outline_answer,
    scene_answer,
)
from .asking import LLMSession
from .looks import HAIR, SHIRTS, VOICE_PITCH
from .refs import reference_name

log = logging.getLogger(__name__)

MAX_CHARACTERS = 4
SECONDS_PER_ELEMENT = 6.0  # a line of action or dialogue plays for about this long on screen


@dataclass(frozen=True)
class DevelopOptions:
    scenes: int = 3
    minutes: float = 2.0
    pictures: dict[str, Path] | None = None  # from --refs, by upper-case name


def synopsis_step(session: LLMSession, idea: str, options: DevelopOptions) -> Synopsis:
    answer = session.ask(
        load_prompt("develop", "synopsis"),
        {
            "idea": one_line(idea, 2000),
            "minutes": f"{options.minutes:g}",
            "scenes": options.scenes,
            "references": _pictures_note(options),
        },
        SynopsisAnswer,
    )
    return Synopsis(
        idea=idea,
        title=one_line(answer.title, 80) or "Untitled",
        logline=one_line(answer.logline, 400),
        synopsis=one_line(answer.synopsis, 2000),
        source=session.llm.model_id,
    )


def synopsis_from_text(text: str, name: str) -> Synopsis:
    """`develop --from synopsis.txt`: the writer's own synopsis; its first sentence serves as the logline."""
    body = one_line(text, 4000)
    if len(body) < 20:
        raise PlanError(f"{name}: a synopsis of at least a few sentences is needed, not {len(body)} characters")
    first = body.split(". ")[0].rstrip(".") + "."
    title = " ".join(w.capitalize() for w in reference_name(Path(name).stem).split()) or "Untitled"
    return Synopsis(idea=body, title=title, logline=first, synopsis=body, source="file")


def cast_step(session: LLMSession, synopsis: Synopsis, options: DevelopOptions) -> StoryCast:
    max_locations = min(options.scenes, 6)
    answer = session.ask(
        load_prompt("develop", "cast"),
        {
            "title": synopsis.title,
            "synopsis": synopsis.synopsis,
            "references": _pictures_note(options),
            "max_characters": MAX_CHARACTERS,
            "max_locations": max_locations,
            "colours": ", ".join(SHIRTS),
            "hair_colours": ", ".join(HAIR),
        },
        cast_answer(list(SHIRTS), list(HAIR), MAX_CHARACTERS, max_locations),
        check=_usable_cast,
    )
    pictures = options.pictures or {}
    characters: list[StoryCharacter] = []
    for i, person in enumerate(answer.characters):  # type: ignore[attr-defined]
        name = character_name(person.name)
        if not name or name in {c.name for c in characters}:
            continue
        shirt = person.shirt.strip().lower()
        taken = {c.shirt for c in characters}
        if shirt not in SHIRTS or shirt in taken:  # unknown or already worn: the next free colour of the palette
            shirt = next((c for c in SHIRTS if c not in taken), list(SHIRTS)[i % len(SHIRTS)])
        hair = person.hair.strip().lower()
        voice = person.voice.strip().lower()
        characters.append(
            StoryCharacter(
                name=name,
                description=one_line(person.description, 300),
                shirt=shirt,
                hair=hair if hair in HAIR else list(HAIR)[i % len(HAIR)],
                voice=voice if voice in VOICE_PITCH else ("medium", "low", "high")[i % 3],
                reference_image=str(pictures[name]) if name in pictures else None,
            )
        )
    locations: list[StoryLocation] = []
    for place in answer.locations:  # type: ignore[attr-defined]
        name = _location_name(place.name)
        if name and name not in {loc.name for loc in locations}:
            locations.append(
                StoryLocation(
                    name=name,
                    interior=place.interior,
                    description=one_line(place.description, 300),
                    reference_image=str(pictures[name]) if name in pictures else None,
                )
            )
    return StoryCast(characters=characters, locations=locations)


def outline_step(session: LLMSession, synopsis: Synopsis, cast: StoryCast, options: DevelopOptions) -> Outline:
    answer = session.ask(
        load_prompt("develop", "outline"),
        {
            "title": synopsis.title,
            "synopsis": synopsis.synopsis,
            "characters": "; ".join(
                f"{c.name} ({c.description})" if c.description else c.name for c in cast.characters
            ),
            "locations": "; ".join(
                f"{loc.name} ({'interior' if loc.interior else 'exterior'})" for loc in cast.locations
            ),
            "scenes": options.scenes,
        },
        outline_answer(options.scenes, [loc.name for loc in cast.locations], [c.name for c in cast.characters]),
    )
    places = {loc.name: loc for loc in cast.locations}
    names = [c.name for c in cast.characters]
    scenes = []
    for i, scene in enumerate(answer.scenes):  # type: ignore[attr-defined]
        place = places.get(_location_name(scene.location)) or cast.locations[i % len(cast.locations)]
        time = scene.time.strip().upper()
        who = [n for n in dict.fromkeys(character_name(c) for c in scene.characters) if n in names]
        scenes.append(
            OutlineScene(
                location=place.name,
                interior=place.interior,
                time=time if time in TIMES else "DAY",
                characters=who or names[: min(2, len(names))],
                summary=one_line(scene.summary, 500),
            )
        )
    return Outline(scenes=scenes)


def scene_step(
    session: LLMSession,
    synopsis: Synopsis,
    outline: Outline,
    number: int,
    previous: SceneDraft | None,
    options: DevelopOptions,
) -> SceneDraft:
    """Scene `number` (1-based) written in full; a scene the model cannot write becomes its outline line."""
    planned = outline.scenes[number - 1]
    seconds = options.minutes * 60 / len(outline.scenes)
    before = ""
    if previous is not None:
        tail = " ".join(_element_text(e) for e in previous.elements[-3:])
        before = f"The scene before ended: {tail[:400]}\n"
    lines = max(3, min(12, round(seconds / SECONDS_PER_ELEMENT)))
    try:
        answer = session.ask(
            load_prompt("develop", "scene"),
            {
                "title": synopsis.title,
                "logline": synopsis.logline,
                "number": number,
                "total": len(outline.scenes),
                "heading": planned.heading,
                "characters": ", ".join(planned.characters),
                "summary": planned.summary,
                "previous": before,
                "lines": lines,
            },
            scene_answer(planned.characters, lines + 4),
        )
        elements = list(answer.elements)  # type: ignore[attr-defined]
    except PlanError as exc:
        log.warning("scene %d: %s; it is written from its outline line", number, exc)
        elements = []
    return _draft(number, planned, elements)


def _draft(number: int, planned: OutlineScene, answered: list[Any]) -> SceneDraft:
    """The scene's elements, cleaned; what is missing or unusable is filled from the outline and noted."""
    elements: list[DraftElement] = []
    notes: list[str] = []
    for element in answered:
        text = one_line(element.text)
        if not text:
            continue
        if element.type.strip().lower() == "dialogue":
            speaker = character_name(element.character)
            if speaker not in planned.characters:
                notes.append(f"dropped a line of {element.character or 'nobody'}, who is not in the scene")
                continue
            how = one_line(element.parenthetical.strip("() "), 60).rstrip(")")
            elements.append(DraftElement(kind="dialogue", character=speaker, parenthetical=how, text=text))
        else:
            elements.append(DraftElement(kind="action", text=text))
    if not elements or elements[0].kind != "action":
        notes.append("opened with the outline's summary as action")
        elements.insert(0, DraftElement(kind="action", text=planned.summary))
    return SceneDraft(number=number, heading=planned.heading, elements=elements, notes=notes)


def keep(artifact: Artifact, path: Path) -> None:
    """Write a step's artifact into the develop folder (atomically; unchanged files are left alone)."""
    text = artifact.to_json()
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_text_atomic(path, text)


def _usable_cast(answer: Any) -> Any:
    if not any(character_name(c.name) for c in answer.characters):
        raise ValueError("characters: every name is empty once cleaned; give names such as MARA")
    if not any(_location_name(loc.name) for loc in answer.locations):
        raise ValueError("locations: every name is empty once cleaned; give names such as FERRY DECK")
    return answer


def _location_name(text: str) -> str:
    # A heading names the location between "INT. " and " - TIME": no dashes or dots that would split it.
    return " ".join(character_name(text.replace("-", " ")).split()[:4])


def _element_text(element: DraftElement) -> str:
    return f"{element.character}: {element.text}" if element.kind == "dialogue" else element.text


def _pictures_note(options: DevelopOptions) -> str:
    if not options.pictures:
        return ""
    return f"Pictures exist of: {', '.join(options.pictures)}. Use these names for the people and places they show.\n"
