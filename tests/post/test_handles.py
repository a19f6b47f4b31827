"""Handles: every shot is rendered whole, so no `[edit]` setting can ask for a frame its take lacks."""

from __future__ import annotations

import shutil
from pathlib import Path

from filmaster.config import load_config
from filmaster.model import Cut, CutClip, RenderSettings, Take
from filmaster.post.fine_cut import apply_edit, decide_edit
from filmaster.post.handles import played_spans
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


def test_what_the_cut_plays_of_each_shot_counts_its_own_clips_and_the_cutaways_to_it() -> None:
    clips = [
        CutClip(shot_id="A", scene_index=0, media="a.mp4", frames=30, source_start_frame=10),
        CutClip(shot_id="B", scene_index=0, media="b.mp4", frames=12, source_start_frame=40, cutaway=True),
        CutClip(shot_id="A", scene_index=0, media="a.mp4", frames=20, source_start_frame=52),
        CutClip(shot_id="B", scene_index=0, media="b.mp4", frames=10, source_start_frame=2, window_start_frame=5),
        CutClip(shot_id="C", scene_index=0, media="c.mp4", frames=10, speed=1.5),
    ]
    cut = Cut(title="t", fps=24, width=64, height=64, clips=clips)
    assert played_spans(cut) == {"A": (10, 72), "B": (7, 52), "C": (0, 14)}


def test_every_fine_cut_within_the_edit_settings_plays_only_frames_of_the_whole_takes(tmp_path: Path) -> None:
    """The bounds of `[edit]` (pace, depth, speed; the rough cut) all cut inside the planned takes, so the takes
    the shoot renders serve any of them."""
    source = tmp_path / "the_last_ferry.fountain"
    shutil.copy(EXAMPLES / "the_last_ferry.fountain", source)
    plan = plan_screenplay(develop(source))
    whole = {shot.id: _take(shot.id, round(shot.duration_s * 24)) for shot in plan.shots}
    rough = rough_cut(plan, whole, SETTINGS)
    played: set[tuple[tuple[str, tuple[int, int]], ...]] = set()
    for pace in (0.8, 3.0, 20.0):
        for depth in (0.0, 0.5, 1.0):
            for speed in (1.0, 2.0):
                edit = load_config(overrides={"edit": {"target_pace_s": pace, "depth": depth, "max_speed": speed}})
                decisions = decide_edit(plan, rough, whole, intensity_curve(plan), edit.edit)
                cut = apply_edit(rough, plan, whole, decisions)
                for clip in cut.clips:
                    assert clip.source_start_frame >= 0 and clip.last_source_frame < whole[clip.shot_id].frames, (
                        pace,
                        depth,
                        clip,
                    )
                played.add(tuple(sorted(played_spans(cut).items())))
    assert len(played) > 5  # the settings do change what is played: the takes serve all of it
    assert max(end for spans in played for _, (_, end) in spans) <= max(t.frames for t in whole.values())


def test_a_cut_playing_frames_its_takes_were_not_rendered_with_is_refused_in_one_line(tmp_path: Path) -> None:
    """A take that lacks frames the cut plays (one rendered from a window of its shot) stops the run in one line."""
    import pytest

    from filmaster.errors import RenderError
    from filmaster.post.screening import on_takes, post_produce

    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    plan = plan_screenplay(develop(source))
    whole = {shot.id: _take(shot.id, round(shot.duration_s * 24)) for shot in plan.shots}
    post = post_produce(plan, rough_cut(plan, whole, SETTINGS), whole, load_config())
    assert on_takes(post, plan, whole).cut.frames == post.cut.frames
    first = plan.shots[0].id
    late = played_spans(post.cut)[first][0] + 1  # a take starting one frame after the cut's first of the shot
    short = {**whole, first: _take(first, whole[first].frames, (late, whole[first].frames))}
    with pytest.raises(RenderError, match=f"shot {first}: the fine cut plays frames") as refused:
        on_takes(post, plan, short)
    assert "\n" not in str(refused.value)
