"""Final Draft: the .fdx of a screenplay reads as the same screenplay and plans as the same film as its Fountain;
Fountain ↔ FDX conversion keeps every element; bad files fail with one line."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from filmaster.errors import ParseError
from filmaster.formats.fdx import fdx_text, parse_fdx, read_fdx, write_fdx
from filmaster.formats.fountain import parse_fountain, read_screenplay
from filmaster.formats.fountain_writer import fountain_text, write_fountain
from filmaster.model import ElementKind, Screenplay
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SCREENPLAYS = [
    ROOT / "examples" / "the_last_ferry.fountain",
    ROOT / "examples" / "paper_birds.fountain",
    DATA / "crossed_lines.fountain",
    DATA / "kitchen_dialogue.fountain",
]


def story(screenplay: Screenplay) -> dict:
    """What a plan is made of: the title, scenes and characters, without source line numbers (which differ
    between formats) and Fountain's sections (which Final Draft has no element for)."""

    def drop(value: object) -> object:
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if k not in ("line", "sections")}
        if isinstance(value, list):
            return [drop(v) for v in value]
        return value

    dumped = screenplay.model_dump(mode="json")
    return {"title": screenplay.title, "scenes": drop(dumped["scenes"]), "characters": drop(dumped["characters"])}


def test_the_bundled_fdx_reads_as_the_fountain() -> None:
    fountain = read_screenplay(ROOT / "examples" / "the_last_ferry.fountain")
    fdx = develop(DATA / "the_last_ferry.fdx")
    assert story(fdx) == story(fountain)
    assert fdx.title_page["author"] == "The filmaster authors"
    # Final Draft's styled runs ("<Text Style="Bold">") are joined into the paragraph's words.
    assert fdx.scenes[0].elements[0].text == "Gulls wheel over the grey water. The ferry's horn sounds twice."


def test_fdx_lines_point_at_the_xml() -> None:
    fdx = read_fdx(DATA / "the_last_ferry.fdx")
    lines = (DATA / "the_last_ferry.fdx").read_text().splitlines()
    first = fdx.scenes[1]
    assert lines[first.line - 1].strip().startswith('<Paragraph Type="Scene Heading"')
    cue = next(e for e in first.elements if e.dialogue is not None)
    assert lines[cue.line - 1].strip() == '<Paragraph Type="Character">'


def test_plan_is_the_same_from_fdx_and_fountain(tmp_path: Path) -> None:
    """`filmaster plan` (retrieval and all) on the bundled .fdx and on the .fountain gives the same plan."""
    plans = {}
    for source in (ROOT / "examples" / "the_last_ferry.fountain", DATA / "the_last_ferry.fdx"):
        out = tmp_path / f"{source.suffix[1:]}.json"
        done = subprocess.run(
            [sys.executable, "-m", "filmaster", "plan", str(source), "-o", str(out)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        plans[source.suffix] = json.loads(out.read_text())
    assert plans[".fdx"] == plans[".fountain"]
    assert sum(len(scene["shots"]) for scene in plans[".fdx"]["scenes"]) > 0


@pytest.mark.parametrize("source", SCREENPLAYS, ids=lambda p: p.stem)
def test_fountain_to_fdx_and_back_keeps_every_element(source: Path, tmp_path: Path) -> None:
    original = read_screenplay(source)
    fdx = read_fdx(write_fdx(original, tmp_path / "script.fdx"))
    assert story(fdx) == story(original)
    again = read_screenplay(write_fountain(fdx, tmp_path / "script.fountain"))
    assert story(again) == story(original)


@pytest.mark.parametrize("source", SCREENPLAYS, ids=lambda p: p.stem)
def test_fountain_written_back_is_the_same_screenplay(source: Path) -> None:
    original = read_screenplay(source)
    again = parse_fountain(fountain_text(original))
    assert story(again) == story(original)
    assert [(s.depth, s.title) for s in again.sections] == [(s.depth, s.title) for s in original.sections]
    assert again.title_page == original.title_page


def test_voices_dual_dialogue_and_parentheticals_in_fdx(tmp_path: Path) -> None:
    written = write_fdx(read_screenplay(DATA / "crossed_lines.fountain"), tmp_path / "crossed.fdx")
    root = ET.parse(written).getroot()
    dual = root.findall(".//DualDialogue")
    assert len(dual) == 1
    assert [p.findtext("Text") for p in dual[0].findall("Paragraph[@Type='Character']")] == ["KIT", "DISPATCH"]
    cues = [p.findtext("Text") for p in root.iter("Paragraph") if p.get("Type") == "Character"]
    assert "DISPATCH (V.O.)" in cues and "KIT (O.S.)" in cues
    scene = read_fdx(written).scenes[0]
    speeches = [e.dialogue for e in scene.elements if e.dialogue is not None]
    orla = [s for s in speeches if s.character == "ORLA"][:2]
    assert [(s.parenthetical, s.text) for s in orla] == [
        ("into the headset", "I read you. How late?"),
        ("glancing at the clock", "Tell me it's minutes, not hours."),
    ]
    assert [s.dual for s in speeches[-2:]] == [False, True]
    assert [e.kind for e in scene.elements[-4:]] == [
        ElementKind.CENTERED,
        ElementKind.LYRIC,
        ElementKind.PAGE_BREAK,
        ElementKind.TRANSITION,
    ]


def test_upper_case_action_stays_action_in_fountain() -> None:
    fdx = b"""<FinalDraft DocumentType="Script" Version="5"><Content>
    <Paragraph Type="Scene Heading"><Text>INT. HALL - DAY</Text></Paragraph>
    <Paragraph Type="Action"><Text>BANG</Text></Paragraph>
    <Paragraph Type="Action"><Text>EXT. NOT A HEADING</Text></Paragraph>
    <Paragraph Type="Shot"><Text>CLOSE ON THE DOOR</Text></Paragraph>
    <Paragraph Type="Character"><Text>ann</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>Hello.</Text></Paragraph>
    </Content></FinalDraft>"""
    screenplay = parse_fdx(fdx)
    again = parse_fountain(fountain_text(screenplay))
    assert story(again) == story(screenplay)
    assert [e.kind for e in again.scenes[0].elements] == [ElementKind.ACTION] * 3 + [ElementKind.DIALOGUE]
    assert again.scenes[0].elements[-1].dialogue.character == "ANN"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<FinalDraft><Content><Paragraph>", "not well-formed XML"),
        (b"<html><body/></html>", "not <FinalDraft>"),
        (
            b'<FinalDraft><Content><Paragraph Type="Action"><Text>x</Text></Paragraph></Content></FinalDraft>',
            "no scene",
        ),
    ],
)
def test_bad_fdx_is_one_clear_error(data: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.fdx"
    path.write_bytes(data)
    with pytest.raises(ParseError, match=message) as error:
        develop(path)
    assert str(bad := error.value).startswith(str(path)) and "\n" not in str(bad)


def test_make_plan_cli_reports_a_bad_fdx_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.fdx"
    path.write_text("<FinalDraft>")
    done = subprocess.run(
        [sys.executable, "-m", "filmaster", "plan", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "not well-formed XML" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("source", [*SCREENPLAYS, DATA / "voices_off.fountain"], ids=lambda p: p.stem)
def test_a_converted_screenplay_plans_as_the_same_film(source: Path) -> None:
    """Fountain → FDX, and that FDX → Fountain: each plans (scenes, shots, dialogue, voices) as the original."""
    original = read_screenplay(source)
    as_fdx = parse_fdx(fdx_text(original))
    back_to_fountain = parse_fountain(fountain_text(as_fdx))
    plan = plan_screenplay(original).model_dump(mode="json")
    assert plan_screenplay(as_fdx).model_dump(mode="json") == plan
    assert plan_screenplay(back_to_fountain).model_dump(mode="json") == plan
    assert sum(len(scene["shots"]) for scene in plan["scenes"]) > 0
