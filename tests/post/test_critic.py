"""The offline critic on constructed badly paced cuts: each defect found, a well-paced cut left alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from filmaster.config import load_config
from filmaster.model import Critique, Cut, CutClip, FindingKind, Plan
from filmaster.pipeline import MakeResult, make_film
from filmaster.post.critics.offline import offline_critique
from filmaster.post.intensity import intensity_curve

EXAMPLES = Path(__file__).parents[2] / "examples"

DRAFT = {"render": {"resolution": "192x108", "draft": True}}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> MakeResult:
    """The tiny example made for real at draft size: its takes are the media the constructed cuts use."""
    work = tmp_path_factory.mktemp("critic")
    source = work / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    return make_film(source, work / "out", load_config(overrides=DRAFT))


def _cut(plan: Plan, clips: list[CutClip]) -> Cut:
    return Cut(title=plan.title, fps=24, width=192, height=108, clips=clips)


def _clip(plan: Plan, shot_id: str, frames: int, start: int = 0) -> CutClip:
    shot = next(s for s in plan.shots if s.id == shot_id)
    return CutClip(
        shot_id=shot_id,
        scene_index=shot.scene_index,
        media=f"media/shots/{shot_id}.mp4",
        frames=frames,
        source_start_frame=start,
    )


def test_padded_dead_time_around_a_line_is_found_with_a_trim(tiny: MakeResult) -> None:
    plan = tiny.plan
    talker = next(s for s in plan.shots if s.dialogue)
    line_end_s = talker.dialogue[0].start_s + talker.dialogue[0].duration_s
    padded = _cut(plan, [_clip(plan, talker.id, round((line_end_s + 2.5) * 24))])
    found = offline_critique(plan, padded, intensity_curve(plan)).of_kind(FindingKind.DEAD_AIR)
    assert [f.shot_ids for f in found] == [[talker.id]]
    assert found[0].evidence["tail_s"] == pytest.approx(2.5, abs=0.05)
    assert found[0].actions[0].tail_frames > 0
    tight = _cut(plan, [_clip(plan, talker.id, round((line_end_s + 0.2) * 24))])
    assert not offline_critique(plan, tight, intensity_curve(plan)).of_kind(FindingKind.DEAD_AIR)


def test_monotone_lengths_are_found_and_varied_ones_are_not(tiny: MakeResult) -> None:
    plan = tiny.plan
    ids = [s.id for s in plan.shots]
    monotone = _cut(plan, [_clip(plan, i, 72) for i in ids])
    found = offline_critique(plan, monotone, intensity_curve(plan)).of_kind(FindingKind.MONOTONE_PACE)
    assert found and found[0].evidence["sigma_ln"] == pytest.approx(0.0, abs=1e-6)
    varied = _cut(plan, [_clip(plan, i, n) for i, n in zip(ids, [20, 90, 30, 70, 24], strict=False)])
    assert not offline_critique(plan, varied, intensity_curve(plan)).of_kind(FindingKind.MONOTONE_PACE)


def test_a_repeated_setup_is_found_in_the_pixels(tiny: MakeResult) -> None:
    plan, out = tiny.plan, tiny.out
    first, second = plan.shots[0].id, plan.shots[1].id
    # The same take cut against itself (the head, then the rest): an invisible cut.
    repeated = _cut(plan, [_clip(plan, first, 24), _clip(plan, first, 24, start=24), _clip(plan, second, 24)])
    found = offline_critique(plan, repeated, intensity_curve(plan), out).of_kind(FindingKind.IDENTICAL_SETUP)
    assert [f.shot_ids for f in found] == [[first, first]]
    assert found[0].evidence["frame_difference"] < 0.02


def test_the_intense_scene_cut_as_slowly_as_the_calm_one_is_found(tiny: MakeResult) -> None:
    plan = tiny.plan
    curve = intensity_curve(plan)
    hot = max(curve, key=lambda s: curve[s])
    even = _cut(plan, [_clip(plan, s.id, 96) for s in plan.shots])
    found = offline_critique(plan, even, curve).of_kind(FindingKind.PACE_VS_INTENSITY)
    assert found and found[0].evidence["asl_ratio"] == pytest.approx(1.0)
    assert set(found[0].shot_ids) == {s.id for s in plan.shots if s.scene_index == hot}


def test_the_bundled_example_keeps_its_screen_direction(tiny: MakeResult) -> None:
    """Measured on the delivered cut's takes: no crossed line, no missed eyeline, every subject seen."""
    screened = Critique.load(tiny.out / "fine_critique.json")
    geography = {FindingKind.CROSSED_LINE, FindingKind.EYELINE_MISMATCH, FindingKind.SUBJECT_NOT_SEEN}
    assert [f.message for f in screened.findings if f.kind in geography] == []
    truths = [t["ground_truth"] for t in json.loads((tiny.out / "takes.json").read_text())["takes"]]
    assert truths and all(truths)  # the screening had ground truth to measure


def test_a_crossed_line_the_shoot_made_is_cut_out_in_the_same_make(tiny: MakeResult, tmp_path: Path) -> None:
    """A plan edited to add, after the two-shot, the same two characters filmed from across the line (no line
    spoken): the make screens the takes, removes that shot, re-mixes, and says why in edit.json."""
    out = tmp_path / "out"
    shutil.copytree(tiny.out, out)
    plan = json.loads((out / "plan.json").read_text())
    shots = plan["scenes"][0]["shots"]
    two = next(s for s in shots if s["kind"] == "two_shot")
    mirrored = {**two, "id": "S01-09", "dialogue": [], "duration_s": 2.0}
    mirrored["camera"] = {**two["camera"], "line_side": -two["camera"]["line_side"], "scale": "MWS"}
    shots.insert(shots.index(two) + 1, mirrored)
    (out / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    source = tiny.out.parent / "tiny.fountain"
    made = make_film(source, out, load_config(overrides=DRAFT))
    edit = json.loads((out / "edit.json").read_text())
    removed = [a for a in edit["applied"] if a["kind"] == "remove" and a["shot_id"] == "S01-09"]
    assert removed and "crossed_line" in removed[0]["reason"], edit["applied"]
    cut = Cut.load(out / ".filmaster" / "cut.json")
    assert "S01-09" not in {c.shot_id for c in cut.clips}
    assert made.duration_s == pytest.approx(cut.duration_s)
    screened = Critique.load(out / "fine_critique.json")  # the delivered cut, screened again
    assert not screened.of_kind(FindingKind.CROSSED_LINE)
