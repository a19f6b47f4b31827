"""Artifacts: versioned JSON round trips and one-line errors that name the file and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from filmaster.errors import InputError
from filmaster.model import CameraSpec, Cut, CutClip, Plan, ShotScale, SoundCue, SoundPlan
from filmaster.model.camera import DEFAULT_LENS_MM


def test_camera_spec_fills_the_lens_from_the_scale() -> None:
    assert CameraSpec(scale=ShotScale.CU).lens_mm == DEFAULT_LENS_MM[ShotScale.CU]
    assert CameraSpec(scale=ShotScale.CU, lens_mm=35).lens_mm == 35
    assert CameraSpec(scale="MS", movement="pan", direction="left").sentence() == (
        "Medium shot, eye level angle, pan left camera, 40mm lens."
    )


def test_cut_and_sound_plan_round_trip() -> None:
    cut = Cut(
        title="t",
        fps=24,
        width=64,
        height=36,
        clips=[CutClip(shot_id="S01-01", scene_index=0, media="a.mp4", frames=30)],
    )
    assert Cut.from_json(cut.to_json()) == cut
    assert cut.record_start_frames() == {"S01-01": 0} and cut.duration_s == 1.25
    sound = SoundPlan(cues=[SoundCue(id="music-S01", kind="music", start_s=0, duration_s=1.25)])
    assert SoundPlan.from_json(sound.to_json()) == sound
    assert json.loads(sound.to_json())["schema"] == "SoundPlan.2"


def test_wrong_schema_and_bad_fields_are_one_line_errors(tmp_path: Path) -> None:
    cut_json = Cut(title="t", fps=24, width=64, height=36).to_json()
    with pytest.raises(InputError, match=r"holds a 'Cut\.2', not a 'Plan\.1'; give the Plan file here"):
        Plan.from_json(cut_json, source="plan.json")
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"schema": "Plan.1", "title": "x", "scenes": [{"index": "first"}]}))
    with pytest.raises(InputError) as info:
        Plan.load(path)
    assert str(path) in str(info.value) and "scenes.0" in str(info.value) and "\n" not in str(info.value)
    path.write_text("{ not json")
    with pytest.raises(InputError, match="not valid JSON"):
        Plan.load(path)
    with pytest.raises(InputError, match="cannot read"):
        Plan.load(tmp_path / "missing.json")


def test_artifacts_are_frozen() -> None:
    spec = CameraSpec(scale=ShotScale.WS)
    with pytest.raises(Exception, match="frozen"):
        spec.scale = ShotScale.CU  # type: ignore[misc]


def test_a_cut_written_before_whole_takes_is_refused_in_one_line(tmp_path: Path) -> None:
    """A `Cut.1` (clips with `window_start_frame`) left in an older output folder's `.filmaster/cut.json`: what
    `filmaster export` reads is refused by its schema label, as every artifact of another version is."""
    clip = {"shot_id": "S01-01", "scene_index": 0, "media": "a.mp4", "frames": 30, "window_start_frame": 0}
    old = {"schema": "Cut.1", "title": "t", "fps": 24, "width": 64, "height": 36, "clips": [clip]}
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(old))
    with pytest.raises(InputError, match=r"holds a 'Cut\.1', expected 'Cut\.2'") as refused:
        Cut.load(path)
    assert "\n" not in str(refused.value) and "filmaster make" in str(refused.value)  # and what to do


def test_a_clip_names_the_frames_it_plays() -> None:
    # 46 timeline frames at 1.4x, 5 frames into a take whose media starts 10 frames into its shot.
    clip = CutClip(shot_id="S01-01", scene_index=0, media="a.mp4", frames=46, source_start_frame=5, speed=1.4)
    assert [clip.source_frame(j) for j in (0, 1, 2, 45)] == [5, 6, 7, 68]  # 45 * 1.4 is 62.99… in floats: still 63
    assert clip.last_source_frame == 68
    assert clip.source_end_frame == pytest.approx(5 + 46 * 1.4)
    still = clip.model_copy(update={"speed": 1.0})
    assert still.last_source_frame == 50 and still.source_end_frame == 51
