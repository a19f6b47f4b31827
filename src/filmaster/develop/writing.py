"""The developed scenes as a Fountain screenplay, checked by reading it back with the project's own parser."""

from __future__ import annotations

from pathlib import Path

from ..atomic import write_text_atomic
from ..errors import PlanError
from ..formats.fountain import parse_fountain
from ..formats.fountain_writer import fountain_text
from ..model import DialogueLine, Element, ElementKind, Scene, Screenplay
from ..model.story import SceneDraft, Synopsis


def screenplay_of(synopsis: Synopsis, drafts: list[SceneDraft]) -> Screenplay:
    scenes = []
    for index, draft in enumerate(drafts):
        setting, _, rest = draft.heading.partition(". ")
        location, _, time = rest.rpartition(" - ")
        elements = [
            Element(
                kind=ElementKind.DIALOGUE,
                dialogue=DialogueLine(character=e.character, parenthetical=e.parenthetical or None, text=e.text),
            )
            if e.kind == "dialogue"
            else Element(kind=ElementKind.ACTION, text=e.text)
            for e in draft.elements
        ]
        scenes.append(
            Scene(
                index=index,
                heading=draft.heading,
                setting=setting,
                location=location,
                time_of_day=time,
                elements=elements,
            )
        )
    title_page = {"title": synopsis.title, "credit": "Developed from an idea with", "author": "filmaster develop"}
    if synopsis.logline:
        title_page["notes"] = synopsis.logline
    return Screenplay(title_page=title_page, scenes=scenes)


def write_screenplay(synopsis: Synopsis, drafts: list[SceneDraft], out: Path) -> Screenplay:
    """Write the screenplay to `out` (atomically) once it reads back with every scene; returns what was read."""
    text = fountain_text(screenplay_of(synopsis, drafts))
    parsed = parse_fountain(text, source=str(out))
    if len(parsed.scenes) != len(drafts):  # a bug in the writer or the cleaning, never the model's fault
        raise PlanError(f"{out}: the developed screenplay reads back as {len(parsed.scenes)} scenes, not {len(drafts)}")
    write_text_atomic(out, text)
    return parsed
