"""Fine-cut bounds: every shot is rendered whole, so no `[edit]` setting can ask for a frame its take lacks."""

from __future__ import annotations

import shutil
from pathlib import Path

from filmaster.config import load_config
from filmaster.model import RenderSettings
from filmaster.post.fine_cut import apply_edit, decide_edit
from filmaster.post.intensity import intensity_curve
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.rough_cut import rough_cut
from plan_takes import takes_of

from ..conftest import EXAMPLES

SETTINGS = RenderSettings(width=192, height=108, fps=24, draft=True)


def test_every_fine_cut_within_the_edit_settings_plays_only_frames_of_the_whole_takes(tmp_path: Path) -> None:
    """The bounds of `[edit]` (pace, depth, speed; the rough cut) all cut inside the planned takes, so the takes
    the shoot renders serve any of them."""
    source = tmp_path / "the_last_ferry.fountain"
    shutil.copy(EXAMPLES / "the_last_ferry.fountain", source)
    plan = plan_screenplay(develop(source))
    whole = takes_of(plan, SETTINGS)
    rough = rough_cut(plan, whole, SETTINGS)
    played: set[tuple[tuple[str, int, int], ...]] = set()
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
                played.add(tuple((c.shot_id, c.source_start_frame, c.last_source_frame) for c in cut.clips))
    assert len(played) > 5  # the settings do change what is played: the takes serve all of it
