"""Fountain parser: one test per syntax feature, the file-reading errors, and the shipped examples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from filmaster.errors import InputError, ParseError
from filmaster.formats import parse_fountain, read_screenplay
from filmaster.model import ElementKind, Screenplay

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The previz set kinds a location must map onto, by the words a heading uses for them.
SET_WORDS = (
    *("ROOM", "KITCHEN", "OFFICE", "BAR", "CORRIDOR", "CAR", "FERRY", "CABIN", "TRAIN"),
    *("STREET", "FOREST", "BEACH", "PIER", "HARBOUR", "FIELD"),
)


def parse(text: str) -> Screenplay:
    return parse_fountain(text.lstrip("\n"))


def kinds(screenplay: Screenplay, scene: int = 0) -> list[ElementKind]:
    return [e.kind for e in screenplay.scenes[scene].elements]


# ---------------------------------------------------------------- title page


def test_title_page_keys_and_indented_multiline_values() -> None:
    sp = parse(
        """
Title: **The Night Ferry**
Credit: Written by
Authors:
    Ada Lind
    Bo Ek
Draft date: 1/2/2025

INT. CABIN - NIGHT

Rain.
"""
    )
    assert sp.title_page == {
        "title": "**The Night Ferry**",
        "credit": "Written by",
        "authors": "Ada Lind\nBo Ek",
        "draft date": "1/2/2025",
    }
    assert sp.title == "The Night Ferry"
    assert sp.scenes[0].line == 8


def test_title_page_only_when_the_document_starts_with_a_key() -> None:
    sp = parse("INT. CABIN - NIGHT\n\nNote: the radio is off.\n")
    assert sp.title_page == {}
    assert sp.title == "Untitled"
    assert sp.scenes[0].elements[0].text == "Note: the radio is off."


def test_indented_first_key_still_opens_the_title_page() -> None:
    sp = parse("  Title: Indented\n    Subtitle line\n\nINT. ROOM - DAY\n\nA.\n")
    assert sp.title_page == {"title": "Indented\nSubtitle line"}


def test_fade_in_at_the_top_is_not_a_title_page() -> None:
    sp = parse("FADE IN:\n\nINT. ROOM - DAY\n\nA lamp.\n")
    assert sp.title_page == {}
    assert [e.text for e in sp.scenes[0].elements] == ["A lamp."]


def test_title_page_ends_at_first_blank_line() -> None:
    sp = parse("Title: A\n\nAuthor: not title page\n\nINT. ROOM - DAY\n\nA chair.\n")
    assert sp.title_page == {"title": "A"}


# ---------------------------------------------------------------- scene headings


@pytest.mark.parametrize(
    ("line", "setting", "location"),
    [
        ("INT. KITCHEN - NIGHT", "INT", "KITCHEN"),
        ("EXT. FOREST - NIGHT", "EXT", "FOREST"),
        ("INT./EXT. CAR - NIGHT", "INT/EXT", "CAR"),
        ("INT/EXT CAR - NIGHT", "INT/EXT", "CAR"),
        ("I/E. CAR - NIGHT", "INT/EXT", "CAR"),
        ("EST. HARBOUR - NIGHT", "EXT", "HARBOUR"),
        ("int. kitchen - night", "INT", "KITCHEN"),
        ("INT KITCHEN - NIGHT", "INT", "KITCHEN"),
    ],
)
def test_scene_heading_prefixes(line: str, setting: str, location: str) -> None:
    scene = parse(f"{line}\n\nSomeone waits.\n").scenes[0]
    assert (scene.heading, scene.setting, scene.location, scene.time_of_day) == (
        line,
        setting,
        location,
        "NIGHT",
    )


@pytest.mark.parametrize(
    ("line", "location", "time"),
    [
        ("INT. KITCHEN - DAY", "KITCHEN", "DAY"),
        ("EXT. PIER - DAWN", "PIER", "DAWN"),
        ("EXT. FIELD - dusk", "FIELD", "DUSK"),
        ("INT. CORRIDOR - CONTINUOUS", "CORRIDOR", "CONTINUOUS"),
        ("INT. BAR - MOMENTS LATER", "BAR", "MOMENTS LATER"),
        ("INT. MARA'S HOUSE - KITCHEN - NIGHT", "MARA'S HOUSE - KITCHEN", "NIGHT"),
        ("EXT. HOUSE - FRONT DOOR", "HOUSE - FRONT DOOR", ""),
        ("EXT. STREET", "STREET", ""),
        ("EXT. STREET - 3 AM", "STREET", "3 AM"),
    ],
)
def test_scene_heading_location_and_time_of_day(line: str, location: str, time: str) -> None:
    scene = parse(f"{line}\n\nWind.\n").scenes[0]
    assert (scene.location, scene.time_of_day) == (location, time)


def test_scene_heading_must_follow_a_blank_line() -> None:
    sp = parse("INT. ROOM - DAY\n\nShe reads.\nINT. is written on the door.\n")
    assert len(sp.scenes) == 1
    assert sp.scenes[0].elements[0].text == "She reads.\nINT. is written on the door."


def test_forced_scene_heading_but_not_ellipsis() -> None:
    sp = parse(".THE ROOFTOP - NIGHT\n\n...and then silence.\n\n.SNIPER NEST\n\nA rifle.\n")
    assert [s.heading for s in sp.scenes] == ["THE ROOFTOP - NIGHT", "SNIPER NEST"]
    assert sp.scenes[0].setting is None
    assert (sp.scenes[0].location, sp.scenes[0].time_of_day) == ("THE ROOFTOP", "NIGHT")
    assert sp.scenes[0].elements[0].text == "...and then silence."


def test_scene_numbers() -> None:
    sp = parse("INT. ROOM - DAY #1A#\n\nA.\n\nEXT. STREET - NIGHT #2#\n\nB.\n")
    assert [s.scene_number for s in sp.scenes] == ["1A", "2"]
    assert sp.scenes[0].heading == "INT. ROOM - DAY"
    assert sp.scenes[0].time_of_day == "DAY"


def test_heading_keeps_emphasis_as_written() -> None:
    scene = parse("INT. *OLD* KITCHEN - NIGHT\n\nA kettle.\n").scenes[0]
    assert scene.heading == "INT. *OLD* KITCHEN - NIGHT"
    assert scene.location == "OLD KITCHEN"


# ---------------------------------------------------------------- action


def test_action_paragraphs_and_line_numbers() -> None:
    sp = parse("EXT. FIELD - DAY\n\nTall grass.\nA crow lands.\n\nShe runs.\n")
    elements = sp.scenes[0].elements
    assert [(e.kind, e.text, e.line) for e in elements] == [
        (ElementKind.ACTION, "Tall grass.\nA crow lands.", 3),
        (ElementKind.ACTION, "She runs.", 6),
    ]


def test_forced_action() -> None:
    sp = parse("INT. ROOM - DAY\n\n!BANG\nThe door flies open.\n\n!INT. is stencilled on the crate.\n")
    texts = [e.text for e in sp.scenes[0].elements]
    assert texts == ["BANG\nThe door flies open.", "INT. is stencilled on the crate."]
    assert kinds(sp) == [ElementKind.ACTION, ElementKind.ACTION]
    assert len(sp.scenes) == 1


def test_action_before_the_first_scene_is_ignored() -> None:
    sp = parse("FADE IN:\n\nA preface nobody films.\n\nINT. ROOM - DAY\n\nA lamp.\n")
    assert len(sp.scenes) == 1
    assert [e.text for e in sp.scenes[0].elements] == ["A lamp."]


# ---------------------------------------------------------------- dialogue


def test_character_cue_and_multiline_dialogue() -> None:
    sp = parse("INT. ROOM - DAY\n\nMARA\nI waited.\nAll night.\n\nShe leaves.\n")
    element = sp.scenes[0].elements[0]
    assert element.kind == ElementKind.DIALOGUE and element.line == 3
    assert element.dialogue is not None
    assert (element.dialogue.character, element.dialogue.text) == ("MARA", "I waited. All night.")
    assert kinds(sp) == [ElementKind.DIALOGUE, ElementKind.ACTION]


@pytest.mark.parametrize(
    ("cue", "extension", "voice_over"),
    [
        ("MARA (V.O.)", "V.O.", True),
        ("MARA (O.S.)", "O.S.", True),
        ("MARA (O.C.)", "O.C.", True),
        ("MARA (CONT'D)", "CONT'D", False),
        ("MARA (CONT’D)", "CONT'D", False),
        ("MARA (V.O.) (CONT'D)", "V.O.", True),
        ("MARA (CONT'D) (O.S.)", "O.S.", True),
        ("MARA (cont'd)", "CONT'D", False),
    ],
)
def test_character_extensions(cue: str, extension: str, voice_over: bool) -> None:
    sp = parse(f"INT. ROOM - DAY\n\n{cue}\nHello.\n")
    line = sp.scenes[0].dialogue[0]
    assert (line.character, line.extension, line.is_voice_over) == ("MARA", extension, voice_over)
    assert list(sp.characters) == ["MARA"]


def test_forced_character_with_lower_case() -> None:
    line = parse("INT. ROOM - DAY\n\n@McClane\nYippee.\n").scenes[0].dialogue[0]
    assert (line.character, line.text) == ("MCCLANE", "Yippee.")


def test_all_caps_line_is_action_without_following_text_or_preceding_blank() -> None:
    sp = parse("INT. ROOM - DAY\n\nSILENCE.\n\nShe sits.\nBOOM\nThe wall shakes.\n")
    assert kinds(sp) == [ElementKind.ACTION, ElementKind.ACTION]
    assert sp.characters == {}


def test_dual_dialogue() -> None:
    sp = parse("INT. ROOM - DAY\n\nMARA\nLeft!\n\nJON ^\nRight!\n")
    first, second = sp.scenes[0].dialogue
    assert (first.character, first.dual) == ("MARA", False)
    assert (second.character, second.dual, second.text) == ("JON", True, "Right!")


def test_parentheticals() -> None:
    sp = parse("INT. ROOM - DAY\n\nMARA\n(quietly)\nStay.\n(beat)\nPlease stay.\n")
    lines = sp.scenes[0].dialogue
    assert [(d.parenthetical, d.text) for d in lines] == [("quietly", "Stay."), ("beat", "Please stay.")]
    assert sp.characters["MARA"].lines == ["Stay.", "Please stay."]


def test_trailing_parenthetical_joins_the_speech_before_it() -> None:
    lines = parse("INT. ROOM - DAY\n\nMARA\nStay.\n(turns away)\n").scenes[0].dialogue
    assert [(d.parenthetical, d.text) for d in lines] == [("turns away", "Stay.")]


def test_two_space_line_keeps_dialogue_going() -> None:
    line = parse("INT. ROOM - DAY\n\nMARA\nFirst part.\n  \nSecond part.\n").scenes[0].dialogue[0]
    assert line.text == "First part.\nSecond part."


def test_emphasis_is_stripped_from_dialogue() -> None:
    line = parse("INT. ROOM - DAY\n\nMARA\nI *never* said **that**, _ever_. Price: 5\\*.\n").scenes[0]
    assert line.dialogue[0].text == "I never said that, ever. Price: 5*."


# ---------------------------------------------------------------- transitions and other elements


def test_natural_and_forced_transitions() -> None:
    sp = parse("INT. ROOM - DAY\n\nA.\n\nCUT TO:\n\nEXT. STREET - DAY\n\nB.\n\n> FADE OUT.\n")
    assert [(e.kind, e.text) for e in sp.scenes[0].elements][-1] == (ElementKind.TRANSITION, "CUT TO:")
    assert sp.scenes[1].elements[-1].kind == ElementKind.TRANSITION
    assert sp.scenes[1].elements[-1].text == "FADE OUT."


def test_transition_needs_blank_lines_around_it() -> None:
    sp = parse("INT. ROOM - DAY\n\nShe says:\nCUT TO:\n")
    assert kinds(sp) == [ElementKind.ACTION]


def test_centered_text() -> None:
    element = parse("INT. ROOM - DAY\n\n>THE END<\n").scenes[0].elements[0]
    assert (element.kind, element.text) == (ElementKind.CENTERED, "THE END")


def test_lyrics() -> None:
    sp = parse("INT. BAR - NIGHT\n\n~Row, row, row\n~gently down\n")
    assert [(e.kind, e.text) for e in sp.scenes[0].elements] == [(ElementKind.LYRIC, "Row, row, row\ngently down")]


def test_page_break() -> None:
    sp = parse("INT. ROOM - DAY\n\nA.\n\n===\n\nB.\n")
    assert kinds(sp) == [ElementKind.ACTION, ElementKind.PAGE_BREAK, ElementKind.ACTION]
    assert sp.scenes[0].elements[1].line == 5


# ---------------------------------------------------------------- comments


def test_inline_and_multiline_notes_are_removed() -> None:
    sp = parse(
        "INT. ROOM - DAY\n\nShe sits [[blocking: left]] down.\n\n[[A long note\nover two lines]]\n\nMARA\n"
        "Hi [[say it softly]] there.\n"
    )
    elements = sp.scenes[0].elements
    assert [e.text for e in elements] == ["She sits down.", "Hi there."]
    assert elements[1].line == 8


def test_boneyard_is_removed_and_line_numbers_survive() -> None:
    sp = parse(
        "INT. ROOM - DAY\n\n/* cut:\nEXT. BEACH - DAY\n\nWaves.\n*/\n\nMARA\nStay /* whisper */ here.\n"
        "/* a dropped line */\nPlease.\n"
    )
    assert len(sp.scenes) == 1
    line = sp.scenes[0].dialogue[0]
    assert line.text == "Stay here. Please."
    assert sp.scenes[0].elements[0].line == 9


def test_note_inside_boneyard_does_not_open_a_note() -> None:
    sp = parse("INT. ROOM - DAY\n\n/* [[ */\nStill here.]]\n")
    assert [e.text for e in sp.scenes[0].elements] == ["Still here.]]"]


# ---------------------------------------------------------------- sections and synopses


def test_sections_enclose_scenes() -> None:
    sp = parse(
        "# Act One\n\n## Arrival\n\nINT. ROOM - DAY\n\nA.\n\n## Departure\n\nEXT. PIER - DAY\n\nB.\n\n"
        "# Act Two\n\nEXT. FIELD - DAY\n\nC.\n"
    )
    assert [(s.depth, s.title, s.line) for s in sp.sections] == [
        (1, "Act One", 1),
        (2, "Arrival", 3),
        (2, "Departure", 9),
        (1, "Act Two", 15),
    ]
    assert [s.sections for s in sp.scenes] == [["Act One", "Arrival"], ["Act One", "Departure"], ["Act Two"]]


def test_synopses_attach_to_the_scene_they_describe() -> None:
    sp = parse(
        "= Before anything: the night.\n\nINT. ROOM - DAY\n= Mara waits.\n\nA.\n\n# Later\n= Jon returns.\n\n"
        "EXT. PIER - DAY\n\nB.\n"
    )
    assert [s.synopses for s in sp.scenes] == [["Before anything: the night.", "Mara waits."], ["Jon returns."]]
    assert kinds(sp) == [ElementKind.ACTION]


# ---------------------------------------------------------------- characters and whole documents


def test_characters_are_collected_and_normalised() -> None:
    sp = parse(
        "INT. ROOM - DAY\n\nMARA\nOne.\n\nJON (O.S.)\nTwo.\n\nEXT. PIER - DAY\n\nMARA (CONT'D)\nThree.\n\n"
        "@mara\nFour.\n"
    )
    assert list(sp.characters) == ["MARA", "JON"]
    assert sp.characters["MARA"].lines == ["One.", "Three.", "Four."]
    assert sp.characters["MARA"].scenes == [0, 1]
    assert sp.characters["JON"].scenes == [0]
    assert sp.scenes[0].speaking_characters == ["MARA", "JON"]


def test_windows_line_endings_and_bom() -> None:
    sp = parse_fountain("\ufeffTitle: W\r\n\r\nINT. ROOM - DAY\r\n\r\nMARA\r\nHi.\r\n")
    assert sp.title_page == {"title": "W"}
    assert sp.scenes[0].dialogue[0].text == "Hi."
    assert sp.scenes[0].line == 3


def test_no_scene_heading_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match=r"^notes\.txt: no scene heading found .*Fountain screenplay\?$"):
        parse_fountain("Just some notes.\n\nMARA\nHello.\n", source="notes.txt")


def test_json_round_trip() -> None:
    sp = read_screenplay(EXAMPLES / "the_last_ferry.fountain")
    again = Screenplay.from_json(sp.to_json())
    assert again == sp
    assert again.to_json() == sp.to_json()


# ---------------------------------------------------------------- read_screenplay errors


def test_read_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.fountain"
    with pytest.raises(InputError, match=r"nope\.fountain: no such file") as info:
        read_screenplay(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_read_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_screenplay(tmp_path)


@pytest.mark.parametrize("content", [b"", b"  \n\t\n\n"])
def test_read_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.fountain"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"empty\.fountain: the file is empty") as info:
        read_screenplay(path)
    assert not isinstance(info.value, ParseError)


def test_read_png_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "poster.fountain"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06")
    with pytest.raises(InputError, match=r"poster\.fountain: looks like a binary file"):
        read_screenplay(path)


def test_read_undecodable_bytes_without_nul_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "blob.fountain"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xd8\xff\x01\x02INT. ROOM - DAY\n")
    with pytest.raises(InputError, match="looks like a binary file"):
        read_screenplay(path)


def test_read_refuses_invalid_utf8_naming_the_byte_and_reads_utf8_bom(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.fountain"
    legacy.write_bytes("INT. ROOM - DAY\n\nRENÉ\nÇa va – bien.\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"not UTF-8 text: byte 0xC9 at offset 20 \(line 3\); save .* as UTF-8"):
        read_screenplay(legacy)
    bom = tmp_path / "bom.fountain"
    bom.write_bytes("Title: Ö\n\nINT. ROOM - DAY\n\nA.\n".encode("utf-8-sig"))
    assert read_screenplay(bom).title_page == {"title": "Ö"}


def test_read_text_without_scene_heading(tmp_path: Path) -> None:
    path = tmp_path / "essay.txt"
    path.write_text("Dear diary,\n\ntoday nothing happened.\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"essay\.txt: no scene heading found \(a line like 'INT\. KITCHEN"):
        read_screenplay(path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_read_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.fountain"
    path.write_text("INT. ROOM - DAY\n\nA.\n", encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(InputError, match=r"cannot read .*locked\.fountain"):
            read_screenplay(path)
    finally:
        path.chmod(0o600)


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_read_file_that_fails_on_read() -> None:
    # /proc/self/mem exists and is a file, but reading it from offset 0 fails with an I/O error.
    with pytest.raises(InputError, match=r"^cannot read /proc/self/mem: .*readable file$"):
        read_screenplay(Path("/proc/self/mem"))


# ---------------------------------------------------------------- shipped examples


@pytest.mark.parametrize("name", ["the_last_ferry.fountain", "paper_birds.fountain"])
def test_example_screenplays(name: str) -> None:
    sp = read_screenplay(EXAMPLES / name)
    assert sp.title_page.get("title") and sp.title != "Untitled"
    assert 4 <= len(sp.scenes) <= 5
    assert {"INT", "EXT"} <= {s.setting for s in sp.scenes}
    assert {"DAY", "NIGHT"} <= {s.time_of_day for s in sp.scenes}
    for scene in sp.scenes:
        assert any(word in scene.location.split() for word in SET_WORDS), scene.location
    speeches = [d for s in sp.scenes for d in s.dialogue]
    assert 12 <= len(speeches) <= 20
    # 2.5 spoken words a second: dialogue alone stays well inside a two-minute film.
    assert 20 <= sum(len(d.text.split()) for d in speeches) / 2.5 <= 60
    assert len(sp.characters) >= 2
    assert any(len(s.speaking_characters) >= 2 for s in sp.scenes)
    assert any(d.is_voice_over for d in speeches)
    assert any(d.parenthetical for d in speeches)
    elements = [e for s in sp.scenes for e in s.elements]
    assert any(e.kind == ElementKind.TRANSITION for e in elements)
    assert sp.sections and any(s.synopses for s in sp.scenes)
    assert not any("[[" in e.text or "]]" in e.text for e in elements)
    action = " ".join(e.text for e in elements if e.kind == ElementKind.ACTION).lower()
    assert any(verb in action for verb in ("runs", "opens", "throws", "falls", "climbs", "jumps"))


def test_one_example_has_three_speaking_characters() -> None:
    sizes = [len(read_screenplay(EXAMPLES / n).characters) for n in ("the_last_ferry.fountain", "paper_birds.fountain")]
    assert max(sizes) >= 3


def test_example_notes_and_boneyard_stay_out_of_the_film() -> None:
    raw = (EXAMPLES / "the_last_ferry.fountain").read_text(encoding="utf-8")
    assert "[[" in raw and "/*" in raw  # the example really exercises both
    sp = read_screenplay(EXAMPLES / "the_last_ferry.fountain")
    assert "ISLAND" not in [s.location for s in sp.scenes]
    assert sp.characters["CAPTAIN"].scenes and sp.characters["CAPTAIN"].lines


def test_tiny_example() -> None:
    sp = read_screenplay(EXAMPLES / "tiny.fountain")
    first, second = sp.scenes
    assert (first.setting, first.time_of_day) == ("INT", "NIGHT")
    assert len(first.dialogue) == 2 and len(first.speaking_characters) == 2
    assert (second.setting, second.time_of_day) == ("EXT", "DAY")
    assert [e.kind for e in second.elements] == [ElementKind.ACTION]
    assert len(second.elements[0].text.splitlines()) == 1
