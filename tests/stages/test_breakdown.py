"""The rule-based breakdown, on small screenplays written for each rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmaster.formats import parse_fountain, read_screenplay
from filmaster.model import Plan, SetKind, ShotKind, ShotScale, TimeOfDay
from filmaster.stages.breakdown import classify_set, classify_time, estimate_speech_s, plan_screenplay

EXAMPLES = Path(__file__).parents[2] / "examples"

SCRIPT = """\
Title: Rules

INT. KITCHEN - NIGHT

MARA waits at the table. A letter lies by the lamp.

MARA
Where were you?

JONAH
Out. Walking.

MARA
(quietly)
For six hours?

JONAH
I needed to think!

Mara opens the letter.

INT. KITCHEN - CONTINUOUS

JONAH
Read it.

EXT. SHORE - DAWN

Jonah runs along the sand.
"""


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_screenplay(parse_fountain(SCRIPT))


def test_every_scene_block_field_is_filled(plan: Plan) -> None:
    for scene in plan.scenes:
        assert scene.heading and scene.location and scene.objective
        assert scene.visual_elements
        assert scene.shots
        for shot in scene.shots:
            assert shot.prompt and shot.duration_s >= 1.0
            assert shot.camera.lens_mm > 0


def test_scene_facts(plan: Plan) -> None:
    kitchen, continued, shore = plan.scenes
    assert (kitchen.set_kind, kitchen.time_of_day, kitchen.interior) == (SetKind.KITCHEN, TimeOfDay.NIGHT, True)
    assert continued.time_of_day == TimeOfDay.NIGHT  # CONTINUOUS keeps the previous time
    assert (shore.set_kind, shore.time_of_day, shore.interior) == (SetKind.SHORE, TimeOfDay.DAWN, False)
    assert kitchen.characters == ["MARA", "JONAH"]
    assert "letter" in [p.name for p in kitchen.props]


def test_establishing_shot_only_where_the_story_arrives_somewhere_new(plan: Plan) -> None:
    kitchen, continued, shore = plan.scenes
    assert kitchen.shots[0].kind == ShotKind.ESTABLISHING
    assert kitchen.shots[0].camera.subjects == []
    assert continued.shots[0].kind != ShotKind.ESTABLISHING  # same kitchen, continuous
    assert shore.shots[0].kind == ShotKind.ESTABLISHING
    assert shore.shots[0].camera.scale == ShotScale.EWS  # an exterior opens wider


def test_dialogue_coverage_and_the_180_degree_line(plan: Plan) -> None:
    kitchen = plan.scenes[0]
    kinds = [s.kind for s in kitchen.shots]
    assert ShotKind.TWO_SHOT in kinds and ShotKind.OVER_SHOULDER in kinds and ShotKind.SINGLE in kinds
    mara, jonah = kitchen.marks["MARA"], kitchen.marks["JONAH"]
    assert mara.x < 0 < jonah.x and mara.z == jonah.z == 0  # the line is the x axis between them
    assert mara.facing_deg == 90 and jonah.facing_deg == -90  # they face each other
    for shot in kitchen.shots:
        assert shot.camera.line_side == 1  # every camera on one side of the line
        for subject in shot.camera.subjects:
            assert subject in kitchen.marks or subject in [p.name for p in kitchen.props]
        if shot.kind == ShotKind.OVER_SHOULDER:
            assert shot.camera.over_shoulder_of not in shot.camera.subjects
            assert shot.camera.over_shoulder_of in kitchen.marks


def test_each_line_sits_in_a_shot_long_enough_to_speak_it(plan: Plan) -> None:
    lines = [(shot, line) for shot in plan.shots for line in shot.dialogue]
    assert [line.text for _, line in lines] == [
        "Where were you?",
        "Out. Walking.",
        "For six hours?",
        "I needed to think!",
        "Read it.",
    ]
    for shot, line in lines:
        assert line.start_s + line.duration_s < shot.duration_s
        assert line.duration_s >= estimate_speech_s(line.text, 2.0)
    assert lines[2][1].parenthetical == "quietly"


def test_significant_action_on_a_prop_gets_an_insert(plan: Plan) -> None:
    inserts = [s for s in plan.scenes[0].shots if s.kind == ShotKind.INSERT]
    assert [s.camera.subjects for s in inserts] == [["letter"]]
    assert inserts[0].camera.scale == ShotScale.CU


def test_travel_is_followed_by_a_moving_wide_shot(plan: Plan) -> None:
    shore = plan.scenes[2]
    running = [s for s in shore.shots if "runs" in s.action]
    assert running and running[0].camera.scale == ShotScale.WS
    assert running[0].camera.movement.value == "tracking"


def test_cast_identities_are_distinct(plan: Plan) -> None:
    cast = list(plan.cast.values())
    assert len({c.shirt for c in cast}) == len(cast)
    assert len({(c.voice_pitch, c.voice_rate) for c in cast}) == len(cast)


def test_planning_is_deterministic_and_round_trips() -> None:
    screenplay = parse_fountain(SCRIPT)
    first, second = plan_screenplay(screenplay), plan_screenplay(screenplay)
    assert first == second
    assert Plan.from_json(first.to_json()) == first


@pytest.mark.parametrize(
    ("location", "interior", "expected"),
    [
        ("FERRY CABIN", True, SetKind.VEHICLE),
        ("OLD PIER", False, SetKind.SHORE),
        ("MARA'S APARTMENT", True, SetKind.ROOM),
        ("PINE WOODS", False, SetKind.FOREST),
        ("SOMEWHERE", False, SetKind.STREET),
        ("SOMEWHERE", True, SetKind.ROOM),
    ],
)
def test_set_from_heading(location: str, interior: bool, expected: SetKind) -> None:
    assert classify_set(location, interior) == expected


def test_time_words() -> None:
    assert classify_time("LATE NIGHT", None) == TimeOfDay.NIGHT
    assert classify_time("SUNSET", None) == TimeOfDay.DUSK
    assert classify_time("LATER", TimeOfDay.DAWN) == TimeOfDay.DAWN
    assert classify_time("", None) == TimeOfDay.DAY


@pytest.mark.parametrize("name", ["the_last_ferry", "paper_birds"])
def test_examples_plan_into_watchable_films(name: str) -> None:
    plan = plan_screenplay(read_screenplay(EXAMPLES / f"{name}.fountain"))
    assert 60 <= plan.duration_s <= 180
    assert len({s.time_of_day for s in plan.scenes}) >= 2
    assert {s.interior for s in plan.scenes} == {True, False}
    assert len({s.camera.scale for s in plan.shots}) >= 4
