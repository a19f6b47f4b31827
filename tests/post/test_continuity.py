"""Screen direction measured on real takes: the renderer films a two-person scene from both sides of its 180° line,
and cuts built from those takes show each defect (or none) to the critic through the takes' ground truth."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from filmaster.model import (
    ActionKind,
    Cut,
    CutClip,
    EditAction,
    FindingKind,
    Mark,
    Plan,
    Prop,
    ShotDialogue,
    ShotKind,
    Take,
)
from filmaster.post.critics.continuity import MIN_LOOK, continuity_findings, shows_no_side
from filmaster.post.pixel_edit import _problem, _State
from filmaster.previz.shoot import shoot_shot
from filmaster.previz.testing import make_request, make_scene, make_shot

W, H, FPS = 320, 180, 24
SETUPS = {  # shot id: (kind, subjects, side of the line, scale)
    "S01-01": (ShotKind.TWO_SHOT, ["ANNA", "BEN"], 1, "MS"),
    "S01-02": (ShotKind.SINGLE, ["ANNA"], 1, "MS"),
    "S01-03": (ShotKind.SINGLE, ["BEN"], 1, "MS"),
    "S01-04": (ShotKind.TWO_SHOT, ["ANNA", "BEN"], -1, "MS"),  # the same two-shot, mirrored across the line
    "S01-05": (ShotKind.SINGLE, ["ANNA"], -1, "MS"),
    "S01-06": (ShotKind.INSERT, ["lamp"], 1, "CU"),  # a prop: neutral, no side to flip
    "S01-07": (ShotKind.TWO_SHOT, ["ANNA", "BEN"], 1, "MS"),  # S01-01 again: the same set-up
}
DURATION_S = 1.5  # long enough to cut inside a shot (two shots of at least MIN_SHOT_S)


@pytest.fixture(scope="module")
def filmed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, dict[str, Take], Path]:
    out = tmp_path_factory.mktemp("continuity")
    scene = make_scene(props=(Prop(name="lamp", x=2.5, z=0.5),))
    shots = [
        make_shot(DURATION_S, shot_id, kind, scale=scale, subjects=subjects, line_side=side)
        for shot_id, (kind, subjects, side, scale) in SETUPS.items()
    ]
    takes = {}
    for shot in shots:
        request = make_request(shot, scene, width=W, height=H, fps=FPS)
        shoot_shot(request, out / f"{shot.id}.mp4", out / f"{shot.id}.json")
        takes[shot.id] = Take(
            shot_id=shot.id,
            media=f"{shot.id}.mp4",
            frames=request.frames,
            fps=FPS,
            width=W,
            height=H,
            backend="previz",
            ground_truth=f"{shot.id}.json",
        )
    plan = Plan(title="Sides", scenes=[scene.model_copy(update={"shots": shots})])
    return plan, takes, out


def _cut(takes: dict[str, Take], *ids: str) -> Cut:
    clips = [CutClip(shot_id=i, scene_index=0, media=takes[i].media, frames=takes[i].frames) for i in ids]
    return Cut(title="Sides", fps=FPS, width=W, height=H, clips=clips)


def _kinds(filmed: tuple[Plan, dict[str, Take], Path], *ids: str) -> list[tuple[FindingKind, list[str]]]:
    plan, takes, out = filmed
    return [(f.kind, f.shot_ids) for f in continuity_findings(plan, _cut(takes, *ids), takes, out)]


def test_coverage_from_one_side_of_the_line_has_no_finding(filmed: tuple[Plan, dict[str, Take], Path]) -> None:
    assert _kinds(filmed, "S01-01", "S01-02", "S01-03", "S01-01") == []


def test_a_two_shot_from_across_the_line_is_a_crossed_line(filmed: tuple[Plan, dict[str, Take], Path]) -> None:
    plan, takes, out = filmed
    found = continuity_findings(plan, _cut(takes, "S01-01", "S01-04"), takes, out)
    assert [(f.kind, f.shot_ids) for f in found] == [(FindingKind.CROSSED_LINE, ["S01-01", "S01-04"])]
    evidence = found[0].evidence  # measured: ANNA left of BEN before the cut, right of him after it
    assert evidence["ANNA_x_before"] < evidence["BEN_x_before"]
    assert evidence["ANNA_x_after"] > evidence["BEN_x_after"]
    assert found[0].actions and found[0].actions[0].shot_id == "S01-04"  # no line in it: it can go


def test_a_single_from_across_the_line_is_an_eyeline_mismatch(filmed: tuple[Plan, dict[str, Take], Path]) -> None:
    # After the two-shot (ANNA left, BEN right) ANNA must look right; from across the line she looks left.
    assert _kinds(filmed, "S01-01", "S01-05") == [(FindingKind.EYELINE_MISMATCH, ["S01-01", "S01-05"])]
    # Two singles from opposite sides: both look the same way, so they do not look at each other.
    assert _kinds(filmed, "S01-05", "S01-03") == [(FindingKind.EYELINE_MISMATCH, ["S01-05", "S01-03"])]
    assert _kinds(filmed, "S01-02", "S01-03") == []


def test_the_look_direction_is_measured_on_the_takes(filmed: tuple[Plan, dict[str, Take], Path]) -> None:
    import json

    _, takes, out = filmed

    def anna_look(shot_id: str) -> float:
        doc = json.loads((out / str(takes[shot_id].ground_truth)).read_text())
        return doc["frames"][0]["characters"]["ANNA"]["look_x"]

    assert anna_look("S01-02") > 0.3 > -0.3 > anna_look("S01-05")


def test_a_shot_whose_frames_do_not_show_its_subject_is_found(filmed: tuple[Plan, dict[str, Take], Path]) -> None:
    plan, takes, out = filmed
    # The plan says S01-02 is BEN's single; its take (a single of ANNA from the same side) never shows BEN.
    shots = [s.model_copy(update={"camera": s.camera.model_copy(update={"subjects": ["BEN"]})}) if s.id == "S01-02"
             else s for s in plan.shots]  # fmt: skip
    claimed = Plan(title=plan.title, scenes=[plan.scenes[0].model_copy(update={"shots": shots})])
    found = continuity_findings(claimed, _cut(takes, "S01-01", "S01-02"), takes, out)
    unseen = [f for f in found if f.kind == FindingKind.SUBJECT_NOT_SEEN]
    assert [f.shot_ids for f in unseen] == [["S01-02"]]
    assert unseen[0].evidence["BEN_visible"] < 0.15
    assert not [f for f in continuity_findings(plan, _cut(takes, "S01-02"), takes, out)]


def test_the_fine_cut_acts_on_what_the_pixels_show(filmed: tuple[Plan, dict[str, Take], Path]) -> None:
    from filmaster.model import ActionKind, Critique, EditDecisions
    from filmaster.post.pixel_edit import act_on_pixels
    from filmaster.post.screening import PostResult
    from filmaster.project import Project

    plan, takes, out = filmed
    project = Project(out, out / "sides.fountain", force=True)
    rough = _cut(takes, "S01-02", "S01-01", "S01-04")  # the last cut crosses the line; S01-04 has no line
    decided = EditDecisions(title="Sides", rough_duration_s=rough.duration_s)
    post = PostResult(Critique(title="Sides", cut_duration_s=rough.duration_s), decided, rough, rough=rough)
    acted = act_on_pixels(plan, post, rough, takes, project)
    assert acted is not None and acted.decisions is not None
    assert [c.shot_id for c in acted.cut.clips] == ["S01-02", "S01-01"]
    (removal,) = acted.decisions.applied
    assert removal.kind == ActionKind.REMOVE and removal.shot_id == "S01-04"
    assert "crossed_line" in removal.reason and "screened on the pixels" in removal.reason
    assert acted.decisions.fine_duration_s == pytest.approx(acted.cut.duration_s)
    # A cut with nothing to fix is left as it was; the screening is cached, so asking again decodes nothing.
    clean = _cut(takes, "S01-01", "S01-02", "S01-03")
    assert act_on_pixels(plan, replace(post, cut=clean, rough=clean), clean, takes, project) is None
    # The user's own edit.json is the user's: the pixel pass reports (fine_critique.json) but does not re-cut it.
    assert act_on_pixels(plan, replace(post, hand_edited=True), rough, takes, project) is None


def _speaking(plan: Plan, lines: dict[str, str]) -> Plan:
    """`plan` with a line spoken in each named shot (shot id → the character who speaks it)."""
    shots = [
        s.model_copy(
            update={"dialogue": [ShotDialogue(character=lines[s.id], text="Hold on.", start_s=0.1, duration_s=1.2)]}
        )
        if s.id in lines
        else s
        for s in plan.shots
    ]
    return Plan(title=plan.title, scenes=[plan.scenes[0].model_copy(update={"shots": shots})])


def _act(plan: Plan, takes: dict[str, Take], out: Path, *ids: str):
    from filmaster.model import Critique, EditDecisions
    from filmaster.post.pixel_edit import act_on_pixels
    from filmaster.post.screening import PostResult
    from filmaster.project import Project

    project = Project(out, out / "sides.fountain", force=True)
    rough = _cut(takes, *ids)
    decided = EditDecisions(title="Sides", rough_duration_s=rough.duration_s)
    post = PostResult(Critique(title="Sides", cut_duration_s=rough.duration_s), decided, rough, rough=rough)
    return act_on_pixels(plan, post, rough, takes, project)


def test_a_line_over_a_shot_that_hides_its_speaker_cuts_to_another_setup_of_them(
    filmed: tuple[Plan, dict[str, Take], Path],
) -> None:
    plan, takes, out = filmed
    # S01-02 claims to be BEN's single while he speaks in it; its take shows only ANNA. S01-03 shows BEN.
    shots = [s.model_copy(update={"camera": s.camera.model_copy(update={"subjects": ["BEN"]})}) if s.id == "S01-02"
             else s for s in plan.shots]  # fmt: skip
    claimed = _speaking(Plan(title=plan.title, scenes=[plan.scenes[0].model_copy(update={"shots": shots})]),
                        {"S01-02": "BEN"})  # fmt: skip
    acted = _act(claimed, takes, out, "S01-06", "S01-02")
    assert acted is not None and acted.decisions is not None
    (split,) = acted.decisions.applied
    assert split.kind == ActionKind.SPLIT and split.shot_id == "S01-02" and split.cutaway_shot == "S01-03"
    assert "subject_not_seen" in split.reason and "another set-up of the scene" in split.reason
    clips = acted.cut.clips
    assert [(c.shot_id, c.cutaway) for c in clips] == [("S01-06", False), ("S01-02", False), ("S01-03", True)]
    assert clips[1].frames == round(0.6 * FPS)  # a moment of the shot, then BEN, his line running on under him
    # Measured on the ground truth of the frames the new cut plays: BEN is seen for most of his line now.
    import json

    away = clips[2]
    doc = json.loads((out / str(takes["S01-03"].ground_truth)).read_text())
    frames = {f["index"]: f for f in doc["frames"]}
    shown = [frames[i]["characters"].get("BEN", {}).get("box_visible") for i in range(away.source_start_frame,
             away.source_start_frame + away.frames)]  # fmt: skip
    assert all(shown) and away.frames / (clips[1].frames + away.frames) > 0.5


def test_a_repeated_setup_is_moved_apart_before_it_is_removed(filmed: tuple[Plan, dict[str, Take], Path]) -> None:
    plan, takes, out = filmed
    rough = ("S01-06", "S01-02", "S01-01", "S01-07")  # S01-01 → S01-07: the same frames
    acted = _act(plan, takes, out, *rough)
    assert acted is not None and acted.decisions is not None
    (move,) = acted.decisions.applied
    assert move.kind == ActionKind.REARRANGE and move.shot_id == "S01-07" and "identical_setup" in move.reason
    assert [c.shot_id for c in acted.cut.clips] == ["S01-07", "S01-06", "S01-02", "S01-01"]
    # With a line in S01-07 the silent S01-01 moves instead; with a line in both, nothing can move or go: the
    # cut is left as it was, the finding flagged in the screening.
    (other,) = _act(_speaking(plan, {"S01-07": "ANNA"}), takes, out, *rough).decisions.applied
    assert other.kind == ActionKind.REARRANGE and other.shot_id == "S01-01"
    both = _speaking(plan, {"S01-01": "BEN", "S01-07": "ANNA"})
    held = _act(both, takes, out, *rough)
    assert held is None, (held.decisions.applied, held.decisions.skipped)


def test_a_crossed_line_between_two_lines_gets_a_neutral_shot(filmed: tuple[Plan, dict[str, Take], Path]) -> None:
    plan, takes, out = filmed
    talking = _speaking(plan, {"S01-01": "ANNA", "S01-04": "BEN"})
    acted = _act(talking, takes, out, "S01-01", "S01-04")
    assert acted is not None and acted.decisions is not None
    (insert,) = acted.decisions.applied
    assert insert.kind == ActionKind.SPLIT and insert.shot_id == "S01-01" and insert.cutaway_shot == "S01-06"
    assert "crossed_line" in insert.reason and "neutral" in insert.reason
    assert [(c.shot_id, c.cutaway) for c in acted.cut.clips] == [("S01-01", False), ("S01-06", True), ("S01-04", False)]
    # Measured on the new cut: no cut joins the two sides of the line any more.
    assert not [f for f in continuity_findings(talking, acted.cut, takes, out) if f.kind == FindingKind.CROSSED_LINE]
    # Without a neutral shot in the coverage, the crossing is only flagged.
    no_neutral = {k: v for k, v in takes.items() if k != "S01-06"}
    assert _act(talking, no_neutral, out, "S01-01", "S01-04") is None


# Two more looks at the lamp, with ANNA walking behind it (3 s: a cutaway of 0.9 s plays frames 25-46 of 72).
TURNS = {
    # On the lens axis at both ends of the take; walking across the frame in its middle.
    "S01-08": Mark(x=2.0, z=1.5, facing_deg=0.0, path=[(3.2, 1.5), (3.2, 1.0)], walk_speed=1.0, start_s=0.6),
    # Facing across at both ends of the take; walking toward the lens in its middle.
    "S01-09": Mark(x=2.0, z=1.8, facing_deg=90.0, path=[(2.0, 0.6), (2.4, 0.6)], walk_speed=0.5, start_s=0.3),
}


@pytest.fixture(scope="module")
def turning(filmed: tuple[Plan, dict[str, Take], Path]) -> tuple[Plan, dict[str, Take], Path]:
    """`filmed` with the two walks of TURNS filmed as inserts on the lamp."""
    plan, takes, out = filmed
    scene = plan.scenes[0]
    walks = [
        make_shot(3.0, shot_id, ShotKind.INSERT, scale="CU", subjects=["lamp"], line_side=1).model_copy(
            update={"blocking": {"ANNA": mark}}
        )
        for shot_id, mark in TURNS.items()
    ]
    more = dict(takes)
    for shot in walks:
        request = make_request(shot, scene, width=W, height=H, fps=FPS)
        shoot_shot(request, out / f"{shot.id}.mp4", out / f"{shot.id}.json")
        more[shot.id] = Take(shot_id=shot.id, media=f"{shot.id}.mp4", frames=request.frames, fps=FPS, width=W,
                             height=H, backend="previz", ground_truth=f"{shot.id}.json")  # fmt: skip
    return Plan(title=plan.title, scenes=[scene.model_copy(update={"shots": [*scene.shots, *walks]})]), more, out


def _anna_looks(out: Path, take: Take, frames: Iterable[int]) -> list[float]:
    doc = json.loads((out / str(take.ground_truth)).read_text())
    recorded = {f["index"]: f["characters"] for f in doc["frames"]}
    return [abs(recorded[i]["ANNA"]["look_x"]) for i in frames]


def test_a_neutral_shot_is_judged_on_the_frames_the_cutaway_plays(
    turning: tuple[Plan, dict[str, Take], Path],
) -> None:
    plan, takes, out = turning
    # The takes as meant: S01-08 is on the lens axis at its ends only, S01-09 in the frames a cutaway plays only.
    ends, middle = (0, 71), range(25, 47)
    assert max(_anna_looks(out, takes["S01-08"], ends)) < MIN_LOOK < max(_anna_looks(out, takes["S01-08"], middle))
    assert min(_anna_looks(out, takes["S01-09"], ends)) > MIN_LOOK > max(_anna_looks(out, takes["S01-09"], middle))
    talking = _speaking(plan, {"S01-01": "ANNA", "S01-04": "BEN"})
    without_the_lamp = {k: v for k, v in takes.items() if k != "S01-06"}
    acted = _act(talking, without_the_lamp, out, "S01-01", "S01-04")
    assert acted is not None and acted.decisions is not None
    (insert,) = acted.decisions.applied
    # S01-08 comes first in the scene but would show ANNA walking across the frame: S01-09 is cut in.
    assert insert.kind == ActionKind.SPLIT and insert.cutaway_shot == "S01-09"
    away = next(c for c in acted.cut.clips if c.cutaway)
    played = range(away.source_start_frame, away.last_source_frame + 1)  # measured on the frames the new cut plays
    assert away.frames >= round(0.6 * FPS) and max(_anna_looks(out, takes["S01-09"], played)) < MIN_LOOK
    assert not [f for f in continuity_findings(talking, acted.cut, takes, out) if f.kind == FindingKind.CROSSED_LINE]
    # With only S01-08 to cut to, the crossing is flagged rather than "repaired" with a look across the frame.
    assert _act(talking, {k: v for k, v in without_the_lamp.items() if k != "S01-09"}, out, "S01-01", "S01-04") is None
    # Frames the ground truth does not hold (a take rendered from a window that ends before them) vouch for nothing.
    doc = json.loads((out / "S01-09.json").read_text())
    (out / "S01-09-head.json").write_text(json.dumps({**doc, "frames": doc["frames"][:30]}))
    head_only = takes["S01-09"].model_copy(update={"ground_truth": "S01-09-head.json"})
    span = (middle.start, middle.stop)
    assert shows_no_side(takes["S01-09"], out, span) and not shows_no_side(head_only, out, span)


def test_the_pixel_pass_removes_no_shot_another_cuts_away_to_nor_splits_a_sped_up_one(
    filmed: tuple[Plan, dict[str, Take], Path],
) -> None:
    plan, takes, _ = filmed
    first, second = (s.id for s in plan.scenes[0].shots[:2])
    state = _State(
        order=[first, second], shown={first, second}, removed=set(), split=set(), moved=set(), cut_to=set(),
        accelerated={first},
    )  # fmt: skip
    state.take(EditAction(kind=ActionKind.SPLIT, shot_id=second, cutaway_shot=first, split_s=0.5, speed=0.8))
    clips = [CutClip(shot_id=sid, scene_index=0, media=f"{sid}.mp4", frames=24) for sid in (first, second)]
    cut = Cut(title="t", fps=24, width=64, height=36, clips=clips)
    removal = EditAction(kind=ActionKind.REMOVE, shot_id=first)
    assert _problem(removal, plan, cut, takes, state) == "another shot cuts away to it"
    split = EditAction(kind=ActionKind.SPLIT, shot_id=first, cutaway_shot=second, split_s=0.5, speed=0.8)
    assert "sped up" in _problem(split, plan, cut, takes, state)
