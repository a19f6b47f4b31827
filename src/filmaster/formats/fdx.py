"""Final Draft (.fdx) screenplays: read into the same `Screenplay` a Fountain file gives, and write one back.

An FDX file is XML: `<FinalDraft><Content>` holds one `<Paragraph Type="...">` per element (Scene Heading,
Action, Character, Parenthetical, Dialogue, Transition, Shot, General), with its words in `<Text>` runs; dual
dialogue is a `<DualDialogue>` inside a paragraph; a scene's synopsis is the heading's `<SceneProperties>`
`<Summary>`; the title page is free paragraphs under `<TitlePage>`. The reader applies Fountain's rules for
what Final Draft does not spell out (a cue's extension, a parenthetical in mid-speech starting a new line), so
a screenplay gives the same plan in either format. Fountain's sections have no Final Draft element: they are
not written. Line numbers in the `Screenplay` are the lines of the FDX file, for error messages.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from ..atomic import write_text_atomic
from ..errors import InputError, ParseError
from ..model.screenplay import DialogueLine, Element, ElementKind, Scene, Screenplay
from .fountain import (
    _HEADING_PREFIX,
    _NO_HEADING_HINT,
    _SETTINGS,
    _collect_characters,
    _parse_cue,
    _split_time,
)

FDX_VERSION = "5"  # the document version Final Draft 10-13 write
_ACTION_TYPES = frozenset({"Action", "General", "Shot"})  # element types read as action
_BY_LINE = re.compile(r"^(written\s+)?by$", re.IGNORECASE)


# ---------------------------------------------------------------- reading


def read_fdx(path: Path) -> Screenplay:
    """Read and parse a Final Draft file; every failure is one `InputError` line naming the path."""
    path = Path(path)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "no such file"
        raise InputError(f"{path}: {what}; give the path of a Final Draft screenplay file (.fdx)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}; check that it is a readable file") from exc
    if not data.strip():
        raise InputError(f"{path}: the file is empty; save the screenplay again from Final Draft")
    return parse_fdx(data, source=str(path))


def parse_fdx(data: bytes | str, source: str = "<string>") -> Screenplay:
    """Parse FDX XML into a `Screenplay`; raise `ParseError` when it is not FDX or holds no scene heading."""
    root, lines = _parse_xml(data.encode("utf-8") if isinstance(data, str) else data, source)
    if root.tag != "FinalDraft":
        raise ParseError(f"{source}: the XML's root is <{root.tag}>, not <FinalDraft>; is this a Final Draft file?")
    content = root.find("Content")
    builder = _SceneBuilder(lines)
    for paragraph in content.findall("Paragraph") if content is not None else []:
        builder.paragraph(paragraph)
    scenes = builder.scenes()
    if not scenes:
        raise ParseError(f"{source}: {_NO_HEADING_HINT.replace('Fountain', 'Final Draft')}")
    return Screenplay(title_page=_title_page(root), scenes=scenes, characters=_collect_characters(scenes))


def _parse_xml(data: bytes, source: str) -> tuple[ET.Element, dict[int, int]]:
    """The element tree, and the source line of each element (by `id`), which ElementTree alone does not keep."""
    parser = expat.ParserCreate()
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}

    def start(tag: str, attributes: dict[str, str]) -> None:
        lines[id(builder.start(tag, attributes))] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
        return builder.close(), lines
    except (expat.ExpatError, AssertionError) as exc:
        raise ParseError(f"{source}: not well-formed XML ({exc}); save the screenplay again from Final Draft") from exc


def _text(paragraph: ET.Element) -> str:
    """The words of a paragraph: its `<Text>` runs joined, spaces squeezed on each line (as Fountain's reader)."""
    raw = "".join(run.text or "" for run in paragraph.findall("Text"))
    return "\n".join(" ".join(part.split()) for part in raw.replace("\r\n", "\n").split("\n")).strip()


@dataclass
class _Speech:
    """A character's dialogue block being read: its cue and the (parenthetical, words) segments so far."""

    name: str
    extension: str | None
    dual: bool
    line: int
    segments: list[tuple[int, str | None, list[str]]] = field(default_factory=list)


class _SceneBuilder:
    def __init__(self, lines: dict[int, int]) -> None:
        self._lines = lines
        self._drafts: list[tuple[Scene, list[Element]]] = []
        self._speech: _Speech | None = None
        self._break_pending = False

    def scenes(self) -> list[Scene]:
        self._close_speech()
        return [
            scene.model_copy(update={"index": i, "elements": elements})
            for i, (scene, elements) in enumerate(self._drafts)
        ]

    def paragraph(self, paragraph: ET.Element, *, dual: bool = False) -> None:
        kind = paragraph.get("Type", "")
        line = self._lines.get(id(paragraph), 0)
        nested = paragraph.find("DualDialogue")
        if nested is not None:
            # The second speaker of the pair is the one Fountain marks with "^".
            speakers = 0
            for inner in nested.findall("Paragraph"):
                speakers += inner.get("Type") == "Character"
                self.paragraph(inner, dual=speakers > 1)
            self._close_speech()
            return
        if paragraph.get("StartsNewPage") == "Yes" and self._drafts:
            self._close_speech()
            self._add(Element(kind=ElementKind.PAGE_BREAK, line=line))
        text = _text(paragraph)
        if kind == "Character":
            self._close_speech()
            cue = _parse_cue("@" + text) if text else None
            if cue is not None:
                name, extension, _ = cue
                self._speech = _Speech(name, extension, dual, line, [(line, None, [])])
            return
        if kind in ("Parenthetical", "Dialogue") and self._speech is not None:
            self._speak(kind, text, line)
            return
        self._close_speech()
        if kind == "Scene Heading":
            self._heading(paragraph, text, line)
        elif not text:
            return
        elif kind == "Transition":
            self._add(Element(kind=ElementKind.TRANSITION, text=text, line=line))
        elif kind == "Lyrics":
            self._add(Element(kind=ElementKind.LYRIC, text=text, line=line))
        elif paragraph.get("Alignment") == "Center":
            self._add(Element(kind=ElementKind.CENTERED, text=text, line=line))
        else:  # Action, General, Shot and any custom type read as action, as Fountain reads plain prose
            self._add(Element(kind=ElementKind.ACTION, text=text, line=line))

    def _heading(self, paragraph: ET.Element, heading: str, line: int) -> None:
        prefix = _HEADING_PREFIX.match(heading)
        setting, rest = None, heading
        if prefix:
            setting = _SETTINGS[prefix.group(1).upper().replace(".", "")]
            rest = heading[prefix.end() :].lstrip(". \t")
        location, time_of_day = _split_time(rest)
        summary = paragraph.find("SceneProperties/Summary")
        synopses = [t for p in (summary.findall("Paragraph") if summary is not None else []) if (t := _text(p))]
        scene = Scene(
            index=len(self._drafts),
            heading=heading,
            setting=setting,
            location=" ".join(location.split()).upper(),
            time_of_day=time_of_day,
            scene_number=paragraph.get("Number") or None,
            synopses=synopses,
            line=line,
        )
        self._drafts.append((scene, []))

    def _speak(self, kind: str, text: str, line: int) -> None:
        """Fountain's rule: a parenthetical before any words joins the segment's; one after words starts a new
        line of the same speech."""
        speech = self._speech
        assert speech is not None
        number, paren, words = speech.segments[-1]
        if kind == "Dialogue":
            if text:
                words.append(text)
            return
        text = text[1:] if text.startswith("(") else text
        text = text[:-1] if text.endswith(")") else text
        text = " ".join(text.split())
        if words:
            speech.segments.append((line, text, []))
        else:
            speech.segments[-1] = (number, f"{paren}; {text}" if paren else text, words)

    def _close_speech(self) -> None:
        speech, self._speech = self._speech, None
        if speech is None:
            return
        segments = speech.segments
        # A closing parenthetical with no words after it ("(beat)") belongs to the speech before it.
        if len(segments) > 1 and not segments[-1][2]:
            _, paren, _ = segments.pop()
            number, old, words = segments[-1]
            segments[-1] = (number, f"{old}; {paren}" if old else paren, words)
        for number, paren, words in segments:
            text = "\n".join(words)
            said = DialogueLine(
                character=speech.name, extension=speech.extension, parenthetical=paren, text=text, dual=speech.dual
            )
            self._add(Element(kind=ElementKind.DIALOGUE, text=text, dialogue=said, line=number))

    def _add(self, element: Element) -> None:
        # Before the first heading there is no scene to hold an element (as in Fountain): it is dropped.
        if self._drafts:
            self._drafts[-1][1].append(element)


def _title_page(root: ET.Element) -> dict[str, str]:
    """Final Draft's title page is free text: the first paragraph is the title, a "Written by" line is the credit
    and the one after it the author; left-aligned paragraphs are the contact, the rest are notes."""
    texts = [(p.get("Alignment", ""), t) for p in root.findall("TitlePage/Content/Paragraph") if (t := _text(p))]
    page: dict[str, list[str]] = {}
    for i, (alignment, text) in enumerate(texts):
        if i == 0:
            key = "title"
        elif _BY_LINE.match(text):
            key = "credit"
        elif i > 0 and _BY_LINE.match(texts[i - 1][1]):
            key = "author"
        else:
            key = "contact" if alignment == "Left" else "notes"
        page.setdefault(key, []).append(text)
    return {key: "\n".join(values) for key, values in page.items()}


# ---------------------------------------------------------------- writing


def fdx_text(screenplay: Screenplay) -> str:
    """The screenplay as Final Draft XML."""
    root = ET.Element("FinalDraft", DocumentType="Script", Template="No", Version=FDX_VERSION)
    content = ET.SubElement(root, "Content")
    for scene in screenplay.scenes:
        _write_scene(content, scene)
    _write_title_page(root, screenplay.title_page)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n{body}\n'


def write_fdx(screenplay: Screenplay, path: Path) -> Path:
    """Write `screenplay` as a Final Draft file at `path`, atomically."""
    return write_text_atomic(Path(path), fdx_text(screenplay))


def _paragraph(parent: ET.Element, kind: str, text: str, **attributes: str) -> ET.Element:
    paragraph = ET.SubElement(parent, "Paragraph", {"Type": kind, **attributes})
    ET.SubElement(paragraph, "Text").text = text
    return paragraph


def _write_scene(content: ET.Element, scene: Scene) -> None:
    heading = ET.SubElement(content, "Paragraph", Type="Scene Heading")
    if scene.scene_number:
        heading.set("Number", scene.scene_number)
    if scene.synopses:
        properties = ET.SubElement(heading, "SceneProperties", Length="", Page="", Title="")
        summary = ET.SubElement(properties, "Summary")
        for synopsis in scene.synopses:
            _paragraph(summary, "General", synopsis)
    ET.SubElement(heading, "Text").text = scene.heading
    elements = scene.elements
    new_page = False
    i = 0
    while i < len(elements):
        element = elements[i]
        page = {"StartsNewPage": "Yes"} if new_page else {}
        new_page = False
        if element.kind == ElementKind.PAGE_BREAK:
            new_page = True
        elif element.dialogue is not None:
            pair = elements[i + 1].dialogue if i + 1 < len(elements) else None
            if pair is not None and pair.dual and not element.dialogue.dual:
                holder = ET.SubElement(content, "Paragraph", dict(page))
                dual = ET.SubElement(holder, "DualDialogue")
                _write_speech(dual, element.dialogue)
                _write_speech(dual, pair)
                i += 1
            else:
                _write_speech(content, element.dialogue, page)
        elif element.kind == ElementKind.TRANSITION:
            _paragraph(content, "Transition", element.text, **page)
        elif element.kind == ElementKind.CENTERED:
            _paragraph(content, "Action", element.text, Alignment="Center", **page)
        elif element.kind == ElementKind.LYRIC:
            _paragraph(content, "Lyrics", element.text, **page)
        else:
            _paragraph(content, "Action", element.text, **page)
        i += 1


def _write_speech(parent: ET.Element, line: DialogueLine, page: dict[str, str] | None = None) -> None:
    cue = f"{line.character} ({line.extension})" if line.extension else line.character
    _paragraph(parent, "Character", cue, **(page or {}))
    if line.parenthetical:
        _paragraph(parent, "Parenthetical", f"({line.parenthetical})")
    for paragraph in line.text.split("\n") if line.text else []:
        _paragraph(parent, "Dialogue", paragraph)


def _write_title_page(root: ET.Element, page: dict[str, str]) -> None:
    if not page:
        return
    content = ET.SubElement(ET.SubElement(root, "TitlePage"), "Content")
    order = [("title", "Center"), ("credit", "Center"), ("author", "Center"), ("source", "Center")]
    order += [(key, "Center") for key in page if key not in {"title", "credit", "author", "source", "contact"}]
    order += [("contact", "Left")]
    for key, alignment in order:
        value = page.get(key, "")
        if key == "author" and "credit" not in page and value:
            _paragraph(content, "Title Page", "Written by", Alignment=alignment)
        for text in value.split("\n") if value else []:
            _paragraph(content, "Title Page", text, Alignment=alignment)
