"""A `Screenplay` written back as Fountain text that `parse_fountain` reads as the same screenplay.

Elements whose text the reader could take for something else (an upper-case action line for a cue or a
heading, a line starting with a marker character) are written with Fountain's forcing marks (`!`, `@`, `.`,
`>`), so that conversion from Final Draft never changes what an element is.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import write_text_atomic
from ..model.screenplay import DialogueLine, Element, ElementKind, Scene, Screenplay
from .fountain import _HEADING_PREFIX, _is_natural_transition, _parse_cue

_MARKERS = tuple("!@#=>~.[/")  # a line starting with one of these means something else in Fountain


def fountain_text(screenplay: Screenplay) -> str:
    """The screenplay as Fountain: title page, then sections, headings, synopses and elements in order."""
    blocks: list[str] = []
    if screenplay.title_page:
        blocks.append("\n".join(_title_entry(key, value) for key, value in screenplay.title_page.items()))
    sections = sorted(screenplay.sections, key=lambda s: s.line)
    for scene in screenplay.scenes:
        # Sections are placed by the source lines they came from (only a Fountain source has them).
        while sections and sections[0].line < scene.line:
            section = sections.pop(0)
            blocks.append(f"{'#' * section.depth} {section.title}")
        blocks.append(_heading(scene))
        blocks += [f"= {synopsis}" for synopsis in scene.synopses]
        blocks += [_element(element) for element in scene.elements]
    blocks += [f"{'#' * section.depth} {section.title}" for section in sections]
    return "\n\n".join(blocks) + "\n"


def write_fountain(screenplay: Screenplay, path: Path) -> Path:
    """Write `screenplay` as a Fountain file at `path`, atomically."""
    return write_text_atomic(Path(path), fountain_text(screenplay))


def _title_entry(key: str, value: str) -> str:
    name = key.title() if key.islower() else key
    lines = value.split("\n")
    if len(lines) == 1:
        return f"{name}: {value}"
    return f"{name}:\n" + "\n".join(f"    {line}" for line in lines)


def _heading(scene: Scene) -> str:
    forced = "" if _HEADING_PREFIX.match(scene.heading) else "."
    number = f" #{scene.scene_number}#" if scene.scene_number else ""
    return f"{forced}{scene.heading}{number}"


def _element(element: Element) -> str:
    if element.dialogue is not None:
        return _speech(element.dialogue)
    text = element.text
    if element.kind == ElementKind.TRANSITION:
        return f"> {text}"
    if element.kind == ElementKind.CENTERED:
        return f"> {text} <"
    if element.kind == ElementKind.LYRIC:
        return "\n".join(f"~{line}" for line in text.split("\n"))
    if element.kind == ElementKind.PAGE_BREAK:
        return "==="
    return "\n".join(_action_line(line) for line in text.split("\n"))


def _action_line(line: str) -> str:
    """An action line, forced with `!` when it would read as a heading, cue or transition or starts with a mark."""
    plain = line.startswith(_MARKERS) or _HEADING_PREFIX.match(line) or _is_natural_transition(line)
    shouted = line == line.upper() and any(c.isalpha() for c in line)
    return f"!{line}" if plain or shouted else line


def _speech(line: DialogueLine) -> str:
    cue = f"{line.character} ({line.extension})" if line.extension else line.character
    if _parse_cue(cue) is None:
        cue = f"@{cue}"
    rows = [f"{cue} ^" if line.dual else cue]
    if line.parenthetical:
        rows.append(f"({line.parenthetical})")
    # A paragraph break inside a speech is a line of two spaces.
    rows += [part or "  " for part in line.text.split("\n")] if line.text else []
    return "\n".join(rows)
