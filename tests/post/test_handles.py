"""Handles: the windows the shoot renders come from the same fine cut that later cuts the rendered takes."""

from __future__ import annotations

import shutil
from pathlib import Path

from filmaster.config import load_config
from filmaster.model import Cut, CutClip, RenderSettings, Take
from filmaster.post.fine_cut import apply_edit, decide_edit
from filmaster.post.handles import HANDLE_S, played_spans, take_windows
from filmaster.post.intensity import intensity_curve
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.rough_cut import rough_cut

from ..conftest import EXAMPLES

SETTINGS = RenderSettings(width=192, height=108, fps=24, draft=True)


def _take(shot_id: str, frames: int, window: tuple[int, int] | None = None) -> Take:
    first, end = window or (0, frames)
    return Take(
        shot_id=shot_id,
        media=f"media/shots/{shot_id}.mp4",
        frames=end - first,
        fps=24,
        width=192,
        height=108,
        backend="previz",
        window_start_frame=first,
        shot_frames=frames if window else 0,
    )


def test_a_window_is_what_the_cut_plays_of_the_shot_and_its_cutaways_plus_a_handle_each_side() -> None:
    clips = [
        CutClip(shot_id="A", scene_index=0, media="a.mp4", frames=30, source_start_frame=10),
        CutClip(shot_id="B", scene_index=0, media="b.mp4", frames=12, source_start_frame=40, cutaway=True),
        CutClip(shot_id="A", scene_index=0, media="a.mp4", frames=20, source_start_frame=52),
        CutClip(shot_id="B", scene_index=0, media="b.mp4", frames=10, source_start_frame=2, window_start_frame=5),
        CutClip(shot_id="C", scene_index=0, media="c.mp4", frames=10, speed=1.5),
    ]
    cut = Cut(title="t", fps=24, width=64, height=64, clips=clips)
    assert played_spans(cut) == {"A": (10, 72), "B": (7, 52), "C": (0, 14)}
    takes = {name: _take(name, 100) for name in "ABCD"}
    windows = take_windows(cut, takes, handle_s=0.5)
    # 12 frames either side, within the shot; D is not played (removed) and is rendered whole.
    assert windows == {"A": (0, 84), "B": (0, 64), "C": (0, 26), "D": (0, 100)}


def test_the_fine_cut_of_windowed_takes_plays_the_same_frames_of_each_shot(tmp_path: Path) -> None:
    source = tmp_path / "the_last_ferry.fountain"
    shutil.copy(EXAMPLES / "the_last_ferry.fountain", source)
    plan = plan_screenplay(develop(source))
    edit = load_config().edit
    whole = {shot.id: _take(shot.id, round(shot.duration_s * 24)) for shot in plan.shots}
    rough = rough_cut(plan, whole, SETTINGS)
    decisions = decide_edit(plan, rough, whole, intensity_curve(plan), edit)
    planned = apply_edit(rough, plan, whole, decisions)
    windows = take_windows(planned, whole)
    rendered = {i: _take(i, whole[i].frames, windows[i]) for i in whole}
    played = played_spans(planned)
    handles = 2 * round(HANDLE_S * 24) * len(whole)
    assert sum(t.frames for t in rendered.values()) <= sum(b - a for a, b in played.values()) + handles
    assert sum(t.frames for t in rendered.values()) < 0.9 * sum(t.frames for t in whole.values())

    # The takes as rendered decide the same edit and play the same frames of every shot, inside their media.
    assert decide_edit(plan, rough, rendered, intensity_curve(plan), edit) == decisions
    cut = apply_edit(rough, plan, rendered, decisions)
    assert [(c.shot_id, c.shot_start_frame, c.frames, c.speed) for c in cut.clips] == [
        (c.shot_id, c.shot_start_frame, c.frames, c.speed) for c in planned.clips
    ]
    assert cut.take_origin_frames() == planned.take_origin_frames()
    for clip in cut.clips:
        take = rendered[clip.shot_id]
        assert clip.source_start_frame >= 0 and clip.last_source_frame < take.frames, clip


def test_a_shot_a_vendor_generates_is_not_windowed() -> None:
    """A remote backend is sent the whole previz take as its control, so that shot is rendered whole."""
    from filmaster.stages.generate import generated_shots

    plan = plan_screenplay(develop(EXAMPLES / "tiny.fountain"))
    scene = plan.scenes[0]
    shots = [scene.shots[0].model_copy(update={"video_backend": "kling"}), *scene.shots[1:]]
    plan = plan.model_copy(update={"scenes": [scene.model_copy(update={"shots": shots}), *plan.scenes[1:]]})
    assert generated_shots(plan, "previz") == {shots[0].id}
    assert generated_shots(plan, "runway") == {s.id for s in plan.shots}


def test_a_cut_playing_frames_its_takes_were_not_rendered_with_is_refused_in_one_line(tmp_path: Path) -> None:
    import pytest

    from filmaster.errors import RenderError
    from filmaster.post.handles import planned_windows
    from filmaster.post.screening import on_takes, post_produce

    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    plan = plan_screenplay(develop(source))
    config = load_config()
    whole = {shot.id: _take(shot.id, round(shot.duration_s * 24)) for shot in plan.shots}
    rough = rough_cut(plan, whole, SETTINGS)
    windows = planned_windows(plan, rough, whole, config, None)
    post = post_produce(plan, rough, whole, config)
    rendered = {i: _take(i, whole[i].frames, windows[i]) for i in whole}
    fitted = on_takes(post, plan, rendered)
    assert fitted.cut.frames == post.cut.frames  # the critics' proposals played no frame outside the windows
    first = plan.shots[0].id
    late = played_spans(post.cut)[first][0] + 1  # a take starting one frame after the cut's first of the shot
    short = {**rendered, first: _take(first, whole[first].frames, (late, windows[first][1]))}
    with pytest.raises(RenderError, match=f"shot {first}: the fine cut plays frames") as refused:
        on_takes(post, plan, short)
    assert "\n" not in str(refused.value)
