"""Effects and footsteps placed on the cut as edited: the shot that shows them, trims, scale, surface."""

from __future__ import annotations

from pathlib import Path

from filmaster.formats.fountain import parse_fountain
from filmaster.model import Cut, CutClip, Plan, ShotScale
from filmaster.sound_design.events import SoundFinder
from filmaster.sound_design.placement import DISTANCE_DB, place_effects, surface_of
from filmaster.stages.breakdown import plan_screenplay

DATA = Path(__file__).resolve().parents[1] / "data"
FPS = 24


def _plan() -> Plan:
    return plan_screenplay(parse_fountain((DATA / "quay_effects.fountain").read_text()))


def _cut(plan: Plan, trim: dict[str, int] | None = None) -> Cut:
    trim = trim or {}
    clips = [
        CutClip(
            shot_id=s.id,
            scene_index=s.scene_index,
            media=f"media/shots/{s.id}.mp4",
            frames=round(s.duration_s * FPS) - trim.get(s.id, 0),
            source_start_frame=trim.get(s.id, 0),
        )
        for s in plan.shots
    ]
    return Cut(title=plan.title, fps=FPS, width=320, height=180, clips=clips, locked=True)


def test_each_sound_sits_in_the_shot_that_shows_it_and_moves_with_a_trim() -> None:
    plan = _plan()
    cues = place_effects(plan, _cut(plan), SoundFinder(), -10.0, -16.0)
    horn = next(c for c in cues if c.category == "horn")
    shot = next(s for s in plan.shots if s.id == horn.shot_id)
    assert "horn" in shot.action.lower()
    trimmed = place_effects(plan, _cut(plan, {shot.id: 12}), SoundFinder(), -10.0, -16.0)
    moved = next(c for c in trimmed if c.id == horn.id)
    assert (
        round((horn.start_s - moved.start_s) * FPS) == 12
    )  # half a second trimmed off the head: half a second earlier
    assert all(round(c.start_s * FPS) == c.start_s * FPS for c in cues)  # on picture frames


def test_a_wide_shot_plays_its_sound_quieter_and_further_away_than_a_close_one() -> None:
    plan = _plan()
    cues = place_effects(plan, _cut(plan), SoundFinder(), -10.0, -16.0)
    by_scale = {}
    for cue in cues:
        shot = next(s for s in plan.shots if s.id == cue.shot_id)
        by_scale.setdefault(shot.camera.scale, cue)
    wide = [c for s, c in by_scale.items() if s in (ShotScale.WS, ShotScale.EWS)]
    assert wide
    for cue in wide:
        assert cue.distance is not None and cue.distance >= 0.6
        assert cue.gain_db <= (-10.0 if cue.kind.value == "sfx" else -16.0) + DISTANCE_DB * 0.6


def test_footsteps_take_the_floor_of_the_set() -> None:
    plan = _plan()
    harbour = plan.scenes[0]
    assert surface_of(harbour.model_copy(update={"location": "FERRY DECK"})) == "metal"
    assert surface_of(harbour.model_copy(update={"location": "PIER"})) == "wood"
    foley = [c for c in place_effects(plan, _cut(plan), SoundFinder(), -10.0, -16.0) if c.kind.value == "foley"]
    steps = [c for c in foley if "foot contact" in (c.reason or "")]
    assert len(steps) >= 3 and all(c.category == f"footstep-{surface_of(harbour)}" for c in steps)


def test_a_walk_rustles_cloth_as_it_sets_off_and_stops_each_with_its_reason() -> None:
    plan = _plan()
    foley = [c for c in place_effects(plan, _cut(plan), SoundFinder(), -10.0, -16.0) if c.kind.value == "foley"]
    cloth = [c for c in foley if c.category == "cloth"]
    assert [c.description for c in cloth] == ["cloth: MARA sets off walking", "cloth: MARA comes to a stop"]
    assert all((c.reason or "").startswith("renderer: MARA") for c in cloth)
    steps = [c.start_s for c in foley if c.category != "cloth"]
    assert cloth[0].start_s < min(steps) and cloth[1].start_s > max(steps)  # around the steps, not on them
    assert len({c.id for c in foley}) == len(foley)
