"""Foley for sits, stands and handled props: placed on the renderer's event in the cut as edited, by the seat's and
the prop's material, each instance its own variation, each with its reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from filmaster.audio.effects_source import effect_seed
from filmaster.audio.sfx import synthesize
from filmaster.formats.fountain import parse_fountain
from filmaster.model import Cut, CutClip, Plan, SetKind
from filmaster.sound_design.events import SoundFinder
from filmaster.sound_design.materials import prop_material, seat_material
from filmaster.sound_design.placement import place_effects
from filmaster.stages.breakdown import plan_screenplay

DATA = Path(__file__).resolve().parents[1] / "data"
FPS = 24


def _plan(text: str | None = None) -> Plan:
    return plan_screenplay(parse_fountain(text or (DATA / "bench_cup.fountain").read_text()))


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


def _gesture_cues(plan: Plan, cut: Cut):  # type: ignore[no-untyped-def]
    cues = place_effects(plan, cut, SoundFinder(), -10.0, -16.0)
    return [c for c in cues if c.kind.value == "foley" and c.category.split("-")[0] in ("seat", "rise", "handle")]


def test_each_gesture_sounds_on_its_event_and_moves_with_a_trim() -> None:
    plan = _plan()
    cues = _gesture_cues(plan, _cut(plan))
    assert [c.category for c in cues] == ["seat-wood", "handle-glass", "rise-wood"]
    frames = [round(s.duration_s * FPS) for s in plan.shots]
    starts = dict(zip([s.id for s in plan.shots], np.cumsum([0, *frames[:-1]]), strict=True))
    for cue in cues:
        shot = next(s for s in plan.shots if s.id == cue.shot_id)
        (gesture,) = shot.blocking["MARA"].gestures
        assert round(cue.start_s * FPS) == starts[shot.id] + round(gesture.at_s * FPS)
        assert f"at {gesture.at_s:.3f} s into {shot.id}" in (cue.reason or "")
    sit = cues[0]
    trimmed = {c.id: c for c in _gesture_cues(plan, _cut(plan, {sit.shot_id: 6}))}
    assert round((sit.start_s - trimmed[sit.id].start_s) * FPS) == 6
    # A trim that cuts the moment away leaves no sound for it.
    gone = _gesture_cues(plan, _cut(plan, {sit.shot_id: round(2.0 * FPS)}))
    assert sit.id not in {c.id for c in gone}


def test_the_seat_follows_the_set_and_the_word_and_the_prop_its_material() -> None:
    scene = _plan().scenes[0]  # a pier: wood
    assert seat_material("bench", scene) == "wood"
    assert seat_material("bench", scene.model_copy(update={"location": "FERRY DECK"})) == "metal"
    assert seat_material("sofa", scene) == "upholstered" and seat_material("steps", scene) == "stone"
    room = scene.model_copy(update={"location": "LIVING ROOM", "set_kind": SetKind.ROOM, "interior": True})
    assert seat_material(None, room) == "upholstered"
    kinds = {p: prop_material(p) for p in ("letter", "keys", "bottle", "box", "bag", "phone")}
    assert kinds == {
        "letter": "paper",
        "keys": "metal",
        "bottle": "glass",
        "box": "wood",
        "bag": "fabric",
        "phone": "generic",
    }


def test_two_sits_are_two_different_sounds() -> None:
    plan = _plan(
        "EXT. PIER - DAY\n\nMARA sits down on the bench.\n\nMARA\nHello.\n\n"
        "MARA stands up.\n\nMARA sits on the bench.\n"
    )
    sits = [c for c in _gesture_cues(plan, _cut(plan)) if c.category == "seat-wood"]
    assert len(sits) == 2 and sits[0].id != sits[1].id
    a, b = (synthesize(c.category, effect_seed(c, 0), 48000, c.distance or 0.0) for c in sits)
    n = min(a.size, b.size)
    assert float(np.dot(a[:n], b[:n]) / (np.linalg.norm(a[:n]) * np.linalg.norm(b[:n]))) < 0.9


def test_a_body_sound_is_named_by_its_character_so_two_people_at_once_are_two_sounds() -> None:
    plan = _plan()
    cues = _gesture_cues(plan, _cut(plan))
    # The id seeds the sound's variation: with the character in it, BEN sitting when MARA does is another sound.
    assert cues and all(f"-{c.character}-" in c.id for c in cues)
    mara, ben = cues[0], cues[0].model_copy(update={"character": "BEN", "id": cues[0].id.replace("MARA", "BEN")})
    assert effect_seed(mara, 0) != effect_seed(ben, 0)
