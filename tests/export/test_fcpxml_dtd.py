"""FCPXML checked against the FCPXML 1.9 DTD's facts (a fixture of our own) and Apple's documented rules, on a fine
cut with a trimmed take, a speed change, a cutaway, lines that run over the cuts (J/L cuts), the reference mix and
the broadcast start timecode. The checker is shown to catch each kind of breach, so a pass means something."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from filmaster.export.otio_timeline import build_timeline, interchange_texts, start_frame
from filmaster.export.timeline_view import view
from filmaster.model import CutClip

from .conftest import FPS, Project
from .fcpxml_rules import content_pattern, dtd_problems, fcpxml_problems, rule_problems


@pytest.fixture(scope="module")
def fine_cut(project: Project) -> tuple[str, list[str]]:
    """The FCPXML of the fixture's cut with a cutaway added (frames of S01-01 over S01-02's sound), and the audio
    track names its lanes follow."""
    clips = list(project.cut.clips)
    cutaway = CutClip(shot_id="S01-01", scene_index=0, media="media/shots/S01-01.mp4", frames=3, cutaway=True)
    cut = project.cut.model_copy(update={"clips": [clips[0], cutaway, *clips[1:]]})
    timeline = build_timeline(
        cut, project.sound, project.plan, media_root=project.out_dir, mix_media="media/audio/mix.wav"
    )
    assert any(c.speed != 1.0 for c in cut.clips) and any(c.source_start_frame for c in cut.clips)
    texts = interchange_texts(
        timeline, project.out_dir, start_frame=start_frame("01:00:00:00", FPS), formats=("fcpxml",)
    )
    return texts[project.out_dir / "film.fcpxml"], [t.name for t in view(timeline, project.out_dir).audio]


def test_the_fine_cut_s_fcpxml_is_valid(fine_cut: tuple[str, list[str]]) -> None:
    text, tracks = fine_cut
    assert fcpxml_problems(text, tracks) == []
    root = ET.fromstring(text.split("\n", 2)[2])
    # What was checked is there: the speed change's time map, the cutaway, the J/L lines, the disabled mix.
    assert root.find(".//asset-clip/timeMap") is not None
    assert len(root.findall("library/event/project/sequence/spine/asset-clip")) == 5
    assert [c.get("enabled") for c in root.iter("asset-clip") if c.get("audioRole") == "effects.Mix"] == ["0"]


def test_the_content_models_read_as_the_dtd_writes_them() -> None:
    model = content_pattern("(note?, (asset-clip | gap)*, (marker | keyword)*, metadata?)")
    assert model.fullmatch("note asset-clip gap asset-clip marker keyword metadata ")
    assert not model.fullmatch("marker asset-clip ")  # markers come after the connected clips
    assert not model.fullmatch("note note ")
    assert content_pattern("(media-rep+, metadata?)").fullmatch("media-rep media-rep ")
    assert not content_pattern("(media-rep+, metadata?)").fullmatch("metadata ")


def _breach(text: str, change: str) -> ET.Element:
    root = ET.fromstring(text.split("\n", 2)[2])
    spine = root.find("library/event/project/sequence/spine")
    first = spine.find("asset-clip")
    connected = first.find("asset-clip[@lane]") if first.find("asset-clip[@lane]") is not None else None
    if change == "order":
        first.insert(0, ET.Element("marker", start="0s", value="early"))
    elif change == "off grid":
        first.set("duration", f"1/{FPS * 2}s")
    elif change == "missing ref":
        first.set("ref", "r999")
    elif change == "no lane":
        assert connected is not None
        del connected.attrib["lane"]
    elif change == "role":
        assert connected is not None
        connected.set("audioRole", "music")
    elif change == "attribute":
        first.set("volume", "1")
    elif change == "value":
        root.find("library/event/project/sequence").set("tcFormat", "PAL")
    elif change == "unknown element":
        ET.SubElement(first, "filmaster-notes")
    elif change == "required":
        del root.find("resources/asset/media-rep").attrib["src"]
    return root


@pytest.mark.parametrize(
    ("change", "found"),
    [
        ("order", "not (note?"),
        ("off grid", "off the 1/24s frame grid"),
        ("missing ref", "names no resource"),
        ("no lane", "has no lane"),
        ("role", "has the role 'music'"),
        ("attribute", "does not declare"),
        ("value", "is none of"),
        ("unknown element", "not an element the facts list"),
        ("required", "lacks its required src"),
    ],
)
def test_the_checker_finds_each_kind_of_breach(fine_cut: tuple[str, list[str]], change: str, found: str) -> None:
    text, tracks = fine_cut
    root = _breach(text, change)
    problems = dtd_problems(root) + rule_problems(root, tracks)
    assert any(found in problem for problem in problems), problems
