"""Fountain screenplay parser (the plain-text syntax of fountain.io) producing a `Screenplay` artifact.

The parser works line by line on the source with comments removed but line numbers kept, so that every
scene and element points back at the line a writer can fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, ParseError
from ..model.screenplay import Character, DialogueLine, Element, ElementKind, Scene, Screenplay, Section

# The largest screenplay read unless the caller allows more ([limits] screenplay_mb): a feature film is ~200 KB,
# and 5 MB parse in a few seconds.
MAX_SCREENPLAY_BYTES = 5_000_000
_NOT_NEWLINE = re.compile(r"[^\n]")
_TITLE_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9 _-]*?)\s*:\s*(.*)$")
_HEADING_PREFIX = re.compile(r"^(INT\.?/EXT|EXT\.?/INT|INT/EXT|I/E|INT|EXT|EST)(?=[.\s]|$)", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"\s*#([A-Za-z0-9.-]+)#\s*$")
_TIME_SPLIT = re.compile(r"\s+[-–—]+\s+")
_CLOCK = re.compile(r"\b\d{1,2}(:\d\d)?\s*(AM|PM)\b|\b\d{1,2}:\d\d\b")
_TRAILING_PAREN = re.compile(r"\(([^()]*)\)\s*$")
_PAGE_BREAK = re.compile(r"^={3,}$")
_CONTD = {"CONTD", "CONT", "CONTINUED", "CONTINUING"}
_SETTINGS = {
    "INT": "INT",
    "EXT": "EXT",
    "EST": "EXT",
    "INT/EXT": "INT/EXT",
    "EXT/INT": "INT/EXT",
    "I/E": "INT/EXT",
}
# A heading's last " - " part is its time of day only when it says a time; "EXT. HOUSE - FRONT DOOR" has none.
_TIME_WORDS = frozenset(
    {
        *("DAY", "NIGHT", "DAWN", "DUSK", "MORNING", "AFTERNOON", "EVENING", "NOON", "MIDNIGHT"),
        *("SUNRISE", "SUNSET", "TWILIGHT", "DAYTIME", "NIGHTTIME"),
        *("CONTINUOUS", "LATER", "SAME", "MOMENTS", "CONTINUED"),
    }
)
_NO_HEADING_HINT = "no scene heading found (a line like 'INT. KITCHEN - NIGHT'); is this a Fountain screenplay?"


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based line in the source
    text: str


@dataclass
class _SceneDraft:
    heading: str
    setting: str | None
    location: str
    time_of_day: str
    scene_number: str | None
    sections: list[str]
    line: int
    synopses: list[str] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)


# ---------------------------------------------------------------- reading files


def read_screenplay(path: Path, max_bytes: int = MAX_SCREENPLAY_BYTES) -> Screenplay:
    """Read and parse a Fountain file; every failure is one `InputError` line naming the path."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path to the Fountain screenplay")
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give the path of a Fountain screenplay file (.fountain)")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{path}: {size / 1e6:.1f} MB is more than the {max_bytes / 1e6:g} MB a screenplay may have "
                "([limits] screenplay_mb); is it the right file?"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}; check that it is a readable file") from exc
    text = _decode(data, path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty; write a screenplay in Fountain format into it")
    return parse_fountain(text, source=str(path))


def _decode(data: bytes, path: Path) -> str:
    binary = InputError(f"{path}: looks like a binary file, not a Fountain screenplay (plain text expected)")
    if b"\x00" in data:
        raise binary
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if any(b < 0x20 and b not in b"\t\n\r\f" for b in data[:4096]) or b"\x7f" in data[:4096]:
            raise binary from exc
        # Guessing another encoding (Windows-1252) would silently turn some bytes into the wrong letters.
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{path}: not UTF-8 text: byte 0x{data[exc.start]:02X} at offset {exc.start} (line {line}); "
            "save the screenplay as UTF-8"
        ) from exc


# ---------------------------------------------------------------- parsing text


def parse_fountain(text: str, source: str = "<string>") -> Screenplay:
    """Parse Fountain text into a `Screenplay`; raise `ParseError` when it holds no scene heading."""
    lines = _strip_comments(text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    title_page, body = _split_title_page(lines)
    parser = _BodyParser(body)
    parser.run()
    if not parser.scenes:
        raise ParseError(f"{source}: {_NO_HEADING_HINT}")
    scenes = [
        Scene(
            index=i,
            heading=d.heading,
            setting=d.setting,
            location=d.location,
            time_of_day=d.time_of_day,
            scene_number=d.scene_number,
            sections=d.sections,
            synopses=d.synopses,
            elements=d.elements,
            line=d.line,
        )
        for i, d in enumerate(parser.scenes)
    ]
    return Screenplay(
        title_page=title_page, scenes=scenes, characters=_collect_characters(scenes), sections=parser.sections
    )


def _strip_comments(text: str) -> list[_Line]:
    """Remove boneyard `/* */` and notes `[[ ]]`; drop lines that held only a comment, keep numbering."""
    removed = bytearray(len(text))
    boneyards = _spans(text, "/*", "*/")
    for start, end in boneyards:
        removed[start:end] = b"\x01" * (end - start)
    # Notes are searched with boneyard text blanked, so a "[[" inside a boneyard cannot open a note.
    masked, last = [], 0
    for start, end in boneyards:
        masked += [text[last:start], _NOT_NEWLINE.sub("\x00", text[start:end])]
        last = end
    for start, end in _spans("".join([*masked, text[last:]]), "[[", "]]"):
        removed[start:end] = b"\x01" * (end - start)

    lines: list[_Line] = []
    start = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        end = start + len(raw)
        touched = any(removed[start : end + 1])  # + 1: the newline itself may sit inside a comment
        if touched:
            kept = "".join(c for i, c in enumerate(raw, start) if not removed[i]).rstrip()
            if kept.strip():
                lines.append(_Line(number, kept))
        else:
            lines.append(_Line(number, raw))
        start = end + 1
    return lines


def _spans(text: str, opener: str, closer: str) -> list[tuple[int, int]]:
    """Each `opener` … first following `closer` span, left to right, in linear time.

    (The regex `opener.*?closer` rescans to the end for every unclosed opener: quadratic on a file of them.)
    Once a closer is missing, no later opener can be closed either, so the scan stops.
    """
    spans: list[tuple[int, int]] = []
    position = 0
    while (start := text.find(opener, position)) >= 0:
        end = text.find(closer, start + len(opener))
        if end < 0:
            break
        position = end + len(closer)
        spans.append((start, position))
    return spans


def _split_title_page(lines: list[_Line]) -> tuple[dict[str, str], list[_Line]]:
    """Return the title page (keys lower-case) and the remaining lines; only a leading `Key:` opens one."""
    first = next((i for i, line in enumerate(lines) if line.text.strip()), None)
    if first is None:
        return {}, lines
    opening = lines[first].text.strip()
    match = _TITLE_KEY.match(opening)
    if match is None or _HEADING_PREFIX.match(opening) or _is_natural_transition(opening):
        return {}, lines
    # "FADE IN:" alone is a transition, not a key: a key with no value needs indented lines under it.
    following = lines[first + 1].text if first + 1 < len(lines) else ""
    if not match.group(2).strip() and not (following[:1].isspace() and following.strip()):
        return {}, lines
    page: dict[str, list[str]] = {}
    key = ""
    i = first
    while i < len(lines) and lines[i].text.strip():
        raw = lines[i].text
        # Indented lines continue a value; only the opening line may be indented and still hold a key.
        match = _TITLE_KEY.match(raw.strip()) if i == first or not raw[:1].isspace() else None
        if match:
            key = " ".join(match.group(1).lower().split())
            page.setdefault(key, [])
            if match.group(2).strip():
                page[key].append(match.group(2).strip())
        else:  # an indented (or stray) line continues the current value
            page[key].append(raw.strip())
        i += 1
    return {k: "\n".join(v) for k, v in page.items()}, lines[i:]


class _BodyParser:
    """Classifies body lines into scenes, elements, sections and synopses."""

    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.scenes: list[_SceneDraft] = []
        self.sections: list[Section] = []
        self._open_sections: list[Section] = []
        self._pending_synopses: list[str] = []
        self._section_since_scene = False
        self._merge_from = -1  # list index whose line an action/lyric on the next line continues
        # The element whose text later lines continue (always its list's last) and those texts, joined once when
        # another element follows or parsing ends: joining per line would be quadratic in a long paragraph.
        self._continued: tuple[list[Element], list[str]] | None = None

    def run(self) -> None:
        i = 0
        prev_blank = True
        while i < len(self.lines):
            if not self.lines[i].text.strip():
                prev_blank, i = True, i + 1
                continue
            i, prev_blank = self._step(i, prev_blank)
        self._flush()

    def _blank(self, i: int) -> bool:
        return i >= len(self.lines) or not self.lines[i].text.strip()

    def _step(self, i: int, prev_blank: bool) -> tuple[int, bool]:
        """Handle the element at non-blank line `i`; return the next index and whether it acts as a blank."""
        line = self.lines[i]
        s = line.text.strip()
        if s.startswith("!"):
            self._action(i, s[1:])
        elif _PAGE_BREAK.match(s):
            self._add(Element(kind=ElementKind.PAGE_BREAK, line=line.number))
            return i + 1, True
        elif s.startswith("#"):
            self._section(line, s)
            return i + 1, True
        elif s.startswith("="):
            self._synopsis(_strip_emphasis(s[1:].strip()))
            return i + 1, True
        elif prev_blank and _is_heading(s):
            self._heading(line, s)
            return i + 1, True  # writers often put action right under the heading
        elif s.startswith(">") and s.endswith("<") and len(s) > 1:
            self._add(Element(kind=ElementKind.CENTERED, text=_clean(s[1:-1]), line=line.number))
        elif s.startswith(">"):
            self._add(Element(kind=ElementKind.TRANSITION, text=_clean(s[1:]), line=line.number))
        elif s.startswith("~"):
            self._text_line(i, ElementKind.LYRIC, s[1:])
        elif prev_blank and self._blank(i + 1) and _is_natural_transition(s):
            self._add(Element(kind=ElementKind.TRANSITION, text=_clean(s), line=line.number))
        elif prev_blank and not self._blank(i + 1) and (cue := _parse_cue(s)) is not None:
            return self._dialogue(i, cue), False
        else:
            self._action(i, s)
        return i + 1, False

    # -- structure

    def _heading(self, line: _Line, s: str) -> None:
        heading = s[1:].strip() if s.startswith(".") else s
        number = _SCENE_NUMBER.search(heading)
        if number:
            heading = heading[: number.start()].rstrip()
        prefix = _HEADING_PREFIX.match(heading)
        rest = heading
        setting = None
        if prefix:
            setting = _SETTINGS[prefix.group(1).upper().replace(".", "")]
            rest = heading[prefix.end() :].lstrip(". \t")
        location, time_of_day = _split_time(rest)
        self.scenes.append(
            _SceneDraft(
                heading=heading,
                setting=setting,
                location=_clean(location).upper(),
                time_of_day=time_of_day,
                scene_number=number.group(1) if number else None,
                sections=[sec.title for sec in self._open_sections],
                synopses=self._pending_synopses,
                line=line.number,
            )
        )
        self._pending_synopses = []
        self._section_since_scene = False

    def _section(self, line: _Line, s: str) -> None:
        depth = len(s) - len(s.lstrip("#"))
        title = _clean(s[depth:])
        if not title:
            return
        section = Section(depth=depth, title=title, line=line.number)
        self.sections.append(section)
        self._open_sections = [sec for sec in self._open_sections if sec.depth < depth] + [section]
        self._section_since_scene = True

    def _synopsis(self, text: str) -> None:
        if not text:
            return
        # A synopsis right under a heading describes that scene; one under a section, the scene to come.
        if self.scenes and not self._section_since_scene:
            self.scenes[-1].synopses.append(text)
        else:
            self._pending_synopses.append(text)

    # -- elements

    def _add(self, element: Element) -> None:
        # Before the first heading there is no scene to hold an element ("FADE IN:", a preface): drop it.
        if self.scenes:
            self._flush()
            self.scenes[-1].elements.append(element)

    def _flush(self) -> None:
        """Give the continued element its joined text."""
        if self._continued is not None:
            elements, parts = self._continued
            elements[-1] = elements[-1].model_copy(update={"text": "\n".join(part for part in parts if part)})
            self._continued = None

    def _action(self, i: int, text: str) -> None:
        self._text_line(i, ElementKind.ACTION, text)

    def _text_line(self, i: int, kind: ElementKind, text: str) -> None:
        """Add an action/lyric line, joined to the element of the line just above when that one continues."""
        text = _clean(text)
        elements = self.scenes[-1].elements if self.scenes else []
        if self._merge_from == i - 1 and elements and elements[-1].kind == kind:
            if self._continued is None:
                self._continued = (elements, [elements[-1].text])
            self._continued[1].append(text)
        else:
            self._add(Element(kind=kind, text=text, line=self.lines[i].number))
        self._merge_from = i

    def _dialogue(self, i: int, cue: tuple[str, str | None, bool]) -> int:
        """Consume a cue and its speech up to a blank line; a parenthetical mid-speech starts a new line."""
        name, extension, dual = cue
        segments: list[tuple[int, str | None, list[str]]] = [(self.lines[i].number, None, [])]
        j = i + 1
        while j < len(self.lines):
            raw = self.lines[j].text
            s = raw.strip()
            if not s:
                # Two spaces on an otherwise empty line keep a speech going across a paragraph break.
                if len(raw) >= 2 and not self._blank(j + 1):
                    segments[-1][2].append("\n")
                    j += 1
                    continue
                break
            if s.startswith("("):
                start = self.lines[j].number
                wrapped = [s]
                while not wrapped[-1].endswith(")") and not self._blank(j + 1):  # a parenthetical may wrap
                    j += 1
                    wrapped.append(self.lines[j].text.strip())
                s = " ".join(wrapped)
                paren: str | None = _clean(s[1:-1] if s.endswith(")") else s[1:])
                number, old, words = segments[-1]
                if any(w != "\n" for w in words):
                    segments.append((start, paren, []))
                else:
                    segments[-1] = (number, f"{old}; {paren}" if old else paren, words)
            else:
                segments[-1][2].append(s)
            j += 1
        # A closing parenthetical with no words after it ("(beat)") belongs to the speech before it.
        if len(segments) > 1 and not any(w != "\n" for w in segments[-1][2]):
            _, paren, _ = segments.pop()
            number, old, words = segments[-1]
            segments[-1] = (number, f"{old}; {paren}" if old else paren, words)
        for number, paren, words in segments:
            speech = _clean(" ".join(words).replace(" \n ", "\n").strip())
            line = DialogueLine(character=name, extension=extension, parenthetical=paren, text=speech, dual=dual)
            self._add(Element(kind=ElementKind.DIALOGUE, text=speech, dialogue=line, line=number))
        return j


# ---------------------------------------------------------------- line classifiers


def _is_heading(s: str) -> bool:
    if s.startswith("."):
        return len(s) > 1 and s[1].isalnum()  # ".." and "..." open ordinary action
    return _HEADING_PREFIX.match(s) is not None


def _is_natural_transition(s: str) -> bool:
    return s.endswith("TO:") and s == s.upper()


def _split_time(rest: str) -> tuple[str, str]:
    parts = _TIME_SPLIT.split(rest.strip())
    if len(parts) > 1:
        last = parts[-1].strip().upper()
        if _CLOCK.search(last) or any(word in _TIME_WORDS for word in re.findall(r"[A-Z]+", last)):
            return " - ".join(parts[:-1]).strip(), last
    return rest.strip(), ""


def _parse_cue(s: str) -> tuple[str, str | None, bool] | None:
    """Return (name, extension, dual) when `s` reads as a character cue, else None."""
    forced = s.startswith("@")
    body = s[1:].strip() if forced else s
    dual = body.endswith("^")
    if dual:
        body = body[:-1].rstrip()
    extensions: list[str] = []
    while (match := _TRAILING_PAREN.search(body)) is not None:
        extensions.insert(0, match.group(1).strip().upper().replace("’", "'"))
        body = body[: match.start()].rstrip()
    name = " ".join(body.split()).upper()
    if not name or "(" in name or ")" in name:
        return None
    if not forced and (body != body.upper() or not any(c.isalpha() for c in body) or _is_natural_transition(s)):
        return None
    # CONT'D only says the same person goes on speaking; a real extension (V.O., O.S.) wins over it.
    real = [e for e in extensions if re.sub(r"[^A-Z]", "", e) not in _CONTD]
    extension = real[0] if real else (extensions[0] if extensions else None)
    return name, extension or None, dual


# ---------------------------------------------------------------- text clean-up


def _clean(text: str) -> str:
    """Strip emphasis markers and squeeze runs of spaces (left where inline notes were cut out)."""
    lines = [" ".join(part.split()) for part in text.split("\n")]
    return _strip_emphasis("\n".join(lines).strip())


def _strip_emphasis(text: str) -> str:
    text = text.replace("\\*", "\x01").replace("\\_", "\x02")  # escaped markers stay as literal characters
    for marker in (r"\*\*\*", r"\*\*", r"\*", "_"):
        text = re.sub(rf"{marker}(?=\S)(.+?)(?<=\S){marker}", r"\1", text)
    return text.replace("\x01", "*").replace("\x02", "_")


def _collect_characters(scenes: list[Scene]) -> dict[str, Character]:
    lines: dict[str, list[str]] = {}
    where: dict[str, list[int]] = {}
    for scene in scenes:
        for speech in scene.dialogue:
            lines.setdefault(speech.character, [])
            if speech.text:
                lines[speech.character].append(speech.text)
            seen = where.setdefault(speech.character, [])
            if not seen or seen[-1] != scene.index:  # scenes come in order: no search of the list (quadratic)
                seen.append(scene.index)
    return {name: Character(name=name, lines=lines[name], scenes=where[name]) for name in lines}
