"""The film's closing shot after the fine cut's removals: the last shot left once the shots that add nothing and
the critics' valid REMOVEs are gone (not the rough cut's last), held `END_HOLD_S` after its last line or action
and never sped up. Built from constructed shots and critiques, measured on the cut `apply_edit` makes."""

from __future__ import annotations

import pytest

from filmaster.config import EditConfig
from filmaster.model import ActionKind, Critique, EditAction, EditDecisions, Finding, FindingKind, Plan, RenderSettings
from filmaster.model.plan import ShotDialogue
from filmaster.post.ending import END_HOLD_S, closing_hold_s
from filmaster.post.fine_cut import apply_edit, decide_edit
from filmaster.previz.testing import make_scene, make_shot
from filmaster.stages.rough_cut import rough_cut
from plan_takes import takes_of

SETTINGS = RenderSettings(width=192, height=108, fps=24, draft=True)
# The most intense scene at the fastest pace: a silent moving shot that is not the closing one is cut to
# MIN_SHOT_S and sped up to `max_speed`, so a closing hold given to the wrong shot shows in both.
FAST = EditConfig(target_pace_s=0.8, depth=1.0, max_speed=2.0)
INTENSE = {0: 1.0}


def _line(character: str, start_s: float) -> ShotDialogue:
    return ShotDialogue(character=character, text="We should go.", start_s=start_s, duration_s=1.5)


def _plan(last_speaks: bool) -> Plan:
    """S01-01 ANNA speaks; S01-02 a silent dolly-in on both; S01-03 the same set-up again, silent (it adds
    nothing); S01-04 a close-up of BEN, silent or with a line of his."""
    shots = [
        make_shot(4.0, "S01-01", scale="MS", subjects=["ANNA"]).model_copy(update={"dialogue": [_line("ANNA", 0.5)]}),
        make_shot(4.0, "S01-02", scale="WS", movement="dolly_in", subjects=["ANNA", "BEN"]),
        make_shot(4.0, "S01-03", scale="WS", movement="dolly_in", subjects=["ANNA", "BEN"]),
        make_shot(4.0, "S01-04", scale="MCU", subjects=["BEN"]).model_copy(
            update={"dialogue": [_line("BEN", 0.3)] if last_speaks else []}
        ),
    ]
    shots = [shot.model_copy(update={"number": n}) for n, shot in enumerate(shots, start=1)]
    return Plan(title="Closing", scenes=[make_scene().model_copy(update={"shots": shots})])


def _removing(shot_id: str, duration_s: float) -> Critique:
    remove = EditAction(kind=ActionKind.REMOVE, shot_id=shot_id, reason="the ending drags")
    finding = Finding(kind=FindingKind.ENDING_DRAGS, critic="offline", message="the last shot holds too long",
                      start_s=duration_s - 4.0, end_s=duration_s, shot_ids=[shot_id], actions=[remove])  # fmt: skip
    return Critique(title="Closing", cut_duration_s=duration_s, findings=[finding], critics=["offline"])


def _edit(last_speaks: bool, critique: bool) -> tuple[Plan, EditDecisions, list[str], float]:
    """The decisions, the shots the fine cut plays (in order) and the hold after the last one's content."""
    plan = _plan(last_speaks)
    takes = takes_of(plan, SETTINGS)
    rough = rough_cut(plan, takes, SETTINGS)
    said = _removing("S01-04", rough.duration_s) if critique else None
    decisions = decide_edit(plan, rough, takes, INTENSE, FAST, said)
    cut = apply_edit(rough, plan, takes, decisions)
    return plan, decisions, [clip.shot_id for clip in cut.clips if not clip.cutaway], closing_hold_s(plan, cut)


def _actions(decisions: EditDecisions, shot_id: str) -> set[ActionKind]:
    return {action.kind for action in decisions.applied if action.shot_id == shot_id}


@pytest.mark.parametrize(
    ("last_speaks", "critique", "closing"),
    [
        (False, True, "S01-02"),  # S01-04 removed by the critic, S01-03 as adding nothing: S01-02 closes the film
        (True, True, "S01-04"),  # the critic's REMOVE would cut BEN's line: not valid, S01-04 stays and closes
        (False, False, "S01-04"),  # no critique: the rough cut's last shot is kept and closes
    ],
)
def test_the_closing_shot_is_the_last_one_left_held_and_not_sped_up(
    last_speaks: bool, critique: bool, closing: str
) -> None:
    _, decisions, played, hold_s = _edit(last_speaks, critique)
    assert "S01-03" not in played  # the repeated set-up adds nothing, whatever the critic says
    assert played[-1] == closing
    assert ActionKind.ACCELERATE not in _actions(decisions, closing)
    assert hold_s == pytest.approx(END_HOLD_S, abs=1.5 / SETTINGS.fps)  # held a beat after its content, to the frame
    if closing != "S01-02":  # the same silent dolly, not closing, is cut short and sped up: the hold is the rule's
        assert ActionKind.ACCELERATE in _actions(decisions, "S01-02")
