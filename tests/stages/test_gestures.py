"""Gestures read from action lines: who sits, stands or handles a prop, when in the shot, and the pose carried
from shot to shot; a hand-edited mark whose gestures contradict its pose is refused in one line."""

from __future__ import annotations

import pytest

from filmaster.errors import InputError
from filmaster.model import Mark, Plan, Prop
from filmaster.previz.gesture_timing import SIT_S, STAND_S
from filmaster.previz.testing import make_scene, make_shot
from filmaster.stages.action_moments import moment_in_shot
from filmaster.stages.gestures import act_out, gestures_in


def _found(text: str, props: tuple[str, ...] = ("cup", "letter")) -> list[tuple[str, str, str | None]]:
    return [(f.character, f.kind, f.target) for f in gestures_in(text, ["ANNA", "BEN"], list(props))]


def test_sitting_standing_and_handling_are_read_with_their_subject_and_object() -> None:
    assert _found("ANNA sits down on the old bench.") == [("ANNA", "sit", "bench")]
    assert _found("BEN slumps onto the sofa and opens the letter.") == [
        ("BEN", "sit", "sofa"),
        ("BEN", "handle", "letter"),
    ]
    assert _found("ANNA takes a seat. She picks up the cup.") == [("ANNA", "sit", None), ("ANNA", "handle", "cup")]
    assert _found("BEN gets up.") == [("BEN", "stand", None)]


def test_what_is_not_a_gesture_of_a_character_is_not_read() -> None:
    assert _found("The sun rises over the bay.") == []  # no character, no pronoun
    assert _found("ANNA picks up the phone.") == []  # not a prop of this scene
    assert _found("A cup sits on the table.") == []  # the cup is no character
    assert _found("ANNA slumps.") == []  # a slump that lands nowhere
    assert _found("ANNA folds another under the cup.") == []  # the cup is where, not what, she folds
    assert _found("ANNA drops her old cup.") == [("ANNA", "handle", "cup")]


def _scene(*actions: str):  # type: ignore[no-untyped-def]
    shots = [
        make_shot(2.6, f"S01-{i + 1:02d}", subjects=["ANNA"]).model_copy(update={"action": a})
        for i, a in enumerate(actions)
    ]
    return make_scene(props=(Prop(name="cup", x=0.0, z=0.6),)).model_copy(update={"shots": shots})


def test_the_pose_carries_from_the_sit_to_the_stand_and_each_lands_where_its_sentence_is() -> None:
    scene = act_out(_scene("ANNA sits down.", "ANNA picks up the cup.", "The wind blows.", "ANNA stands at last."))
    marks = [s.blocking.get("ANNA") for s in scene.shots]
    assert all(m is not None for m in marks)
    assert [m.pose for m in marks] == ["stand", "sit", "sit", "sit"]  # type: ignore[union-attr]
    assert [[(g.kind, g.at_s) for g in m.gestures] for m in marks] == [  # type: ignore[union-attr]
        [("sit", moment_in_shot(2.6, 0.5))],
        [("handle", moment_in_shot(2.6, 0.5))],
        [],
        [("stand", moment_in_shot(2.6, 0.5))],
    ]
    assert "BEN" not in scene.shots[0].blocking  # who does nothing keeps the scene's mark


def test_a_stand_while_standing_is_where_one_stands_and_gestures_fit_in_the_shot() -> None:
    scene = act_out(_scene("ANNA stands by the window.", "ANNA sits down, then stands up."))
    assert "ANNA" not in scene.shots[0].blocking
    sit, stand = scene.shots[1].blocking["ANNA"].gestures
    assert sit.at_s >= SIT_S  # the whole descent is in the shot
    assert stand.at_s > sit.at_s and stand.at_s + STAND_S <= 2.6  # after it, and risen before the cut


def test_a_mark_whose_gestures_contradict_its_pose_is_refused_in_one_line() -> None:
    plan = Plan(title="t", scenes=[make_scene()], cast={})
    text = plan.to_json().replace('"gestures": []', '"gestures": [{"kind": "stand", "at_s": 1.0}]', 1)
    with pytest.raises(InputError, match=r"gesture 'stand' at 1.0 s while already standing; drop it or fix `pose`"):
        Plan.from_json(text, "plan.json")
    with pytest.raises(ValueError, match="a mark that walks a path has no gestures"):
        Mark(x=0, z=0, path=[(1.0, 0.0)], gestures=[{"kind": "handle", "at_s": 1.0}])  # type: ignore[list-item]


def test_a_gesture_with_no_room_left_in_its_shot_is_not_shown_nor_any_after_it() -> None:
    # The stand would end after the cut; the sit after it would fit alone, but would contradict the pose.
    scene = act_out(_scene("ANNA sits down.", "The wind blows. The rain falls. ANNA stands up and sits down."))
    assert scene.shots[1].blocking["ANNA"].pose == "sit" and scene.shots[1].blocking["ANNA"].gestures == []
