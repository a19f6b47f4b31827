"""Property tests: no text crashes the Fountain parser, no JSON crashes the artifact loaders; every refusal is a
FilmasterError that names the line (screenplay) or the field (artifact). Plus the bad-input corpus of tests/data/bad."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from filmaster.errors import FilmasterError, InputError, ParseError
from filmaster.formats.fountain import parse_fountain, read_screenplay
from filmaster.model import Plan
from filmaster.model.sound import SoundPlan
from filmaster.stages.breakdown import plan_screenplay

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny.fountain"

# Fountain's syntax characters, often, so that the fuzzer builds headings, cues, notes and boneyards.
PIECES = ["INT. ", "EXT. ", "\n", "\n\n", "[[", "]]", "/*", "*/", "(", ")", "^", "@", "!", ">", "<", "=", "#",
          "~", ".", "ANNA", "BEN", " - DAY", "Title:", "  ", "\t", "\r", "\ufeff", "é", "\u202e"]  # fmt: skip
fountain_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fountain_text)
def test_the_parser_never_crashes(text: str) -> None:
    try:
        screenplay = parse_fountain(text, "fuzz.fountain")
    except ParseError as exc:
        assert str(exc).startswith("fuzz.fountain:")
        return
    for scene in screenplay.scenes:
        assert scene.line >= 1
    plan_screenplay(screenplay)  # whatever parses can be planned


PLAN_JSON = json.loads(plan_screenplay(read_screenplay(TINY)).to_json())


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths(v, (*prefix, k))] or [prefix]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _paths(v, (*prefix, i))] or [prefix]
    return [prefix]


LEAVES = [p for p in _paths(PLAN_JSON) if p and p[0] != "schema"]
junk = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12), st.just([]), st.just({}),
    st.sampled_from(["../x", "/etc/passwd", "", "NaN", 1e300, -1.0, 0]),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(LEAVES), junk)
def test_a_plan_with_any_field_replaced_loads_or_names_the_field(path: tuple[object, ...], value: object) -> None:
    data = json.loads(json.dumps(PLAN_JSON))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    try:
        Plan.from_json(json.dumps(data), "plan.json")
    except InputError as exc:
        assert re.match(r"plan\.json: (not valid JSON|invalid Plan\.1)", str(exc)), exc


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_as_an_artifact_is_loaded_or_refused_in_one_line(text: str) -> None:
    for artifact in (Plan, SoundPlan):
        try:
            artifact.from_json(text, "x.json")
        except InputError as exc:
            assert "\n" not in str(exc) and str(exc).startswith("x.json:")


@pytest.mark.parametrize("path", sorted(BAD.glob("*.fountain")), ids=lambda p: p.name)
def test_bad_screenplays_are_one_clear_line_or_parse(path: Path) -> None:
    try:
        read_screenplay(path)
    except FilmasterError as exc:
        message = str(exc)
        assert str(path) in message and "\n" not in message


# Final Draft's paragraph types, often, so that the fuzzer builds scenes, speeches, dual dialogue and title pages.
FDX_TYPES = ["Scene Heading", "Action", "Character", "Parenthetical", "Dialogue", "Transition", "General", "Shot",
             "", "Nonsense"]  # fmt: skip
fdx_paragraph = st.tuples(
    st.sampled_from(FDX_TYPES), st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), st.booleans()
)


def _fdx_document(paragraphs: list[tuple[str, str, bool]], tail: str) -> str:
    from xml.sax.saxutils import escape, quoteattr

    body = []
    for kind, text, dual in paragraphs:
        paragraph = f"<Paragraph Type={quoteattr(kind)}><Text>{escape(text)}</Text></Paragraph>"
        body.append(f"<Paragraph><DualDialogue>{paragraph}</DualDialogue></Paragraph>" if dual else paragraph)
    return f'<?xml version="1.0"?><FinalDraft DocumentType="Script"><Content>{"".join(body)}</Content>{tail}'


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(fdx_paragraph, max_size=30), st.sampled_from(["</FinalDraft>", "", "<Content>", "</Content>"]))
def test_the_fdx_reader_never_crashes(paragraphs: list[tuple[str, str, bool]], tail: str) -> None:
    from filmaster.formats.fdx import parse_fdx

    try:
        screenplay = parse_fdx(_fdx_document(paragraphs, tail), "fuzz.fdx")
    except FilmasterError as exc:
        assert str(exc).startswith("fuzz.fdx"), str(exc)
        return
    plan_screenplay(screenplay)  # whatever reads can be planned


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_the_fdx_reader_refuses_any_bytes_in_one_line(data: bytes) -> None:
    from filmaster.formats.fdx import parse_fdx

    try:
        parse_fdx(data, "fuzz.fdx")
    except FilmasterError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("fuzz.fdx"), str(exc)


# The sound finder reads every action line a user writes: built from the words of the labelled screenplays (so
# sound words, sources, negations, "over the", "twice" and punctuation meet in any order), no line may crash it.
# "shouting over the music" once raised KeyError in `make` (a thing in no category, heard over speech).
_SCREENPLAY_WORDS = sorted(
    {
        word
        for path in sorted((BAD.parent).glob("*.fountain")) + sorted(TINY.parent.glob("*.fountain"))
        for word in re.findall(r"[A-Za-z']+|[.,;:!?()-]", path.read_text())
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_SCREENPLAY_WORDS), max_size=30).map(" ".join))
@example("shouting over the music")
def test_the_sound_finder_never_crashes_on_a_line(text: str) -> None:
    from filmaster.sound_design.events import SoundFinder
    from filmaster.sound_design.lexicon import load_lexicon

    CATEGORIES = {category.name for category in load_lexicon().categories}

    for sound in SoundFinder(None).find(text):
        assert sound.category in CATEGORIES and sound.words and 0 <= sound.position <= 1 and sound.count >= 1
