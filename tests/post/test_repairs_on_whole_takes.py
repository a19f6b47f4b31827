"""A repair of the pixel pass (a cutaway to another shot of the scene) cuts from the whole takes the shoot
rendered: nothing is rendered for it, and every clip lies inside its take's clip, counted from the clip's frames."""

from __future__ import annotations

import shutil
from pathlib import Path

import av

from filmaster.backends.video.previz import PrevizVideoBackend
from filmaster.config import load_config
from filmaster.model import ActionKind, EditAction, RenderSettings
from filmaster.post.fine_cut import apply_edit
from filmaster.post.screening import post_produce
from filmaster.progress import SilentReporter
from filmaster.project import Project
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.rough_cut import rough_cut
from filmaster.stages.shoot import NAMESPACE, ShootConfig, planned_takes, start_shoot

from ..conftest import EXAMPLES

SETTINGS = RenderSettings(width=128, height=72, fps=12, draft=True)
CONFIG = ShootConfig(backend="previz", backend_settings={}, settings=SETTINGS, seed=0, workers=2)


def _frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_a_cutaway_the_pixel_pass_adds_plays_frames_of_the_whole_takes(tmp_path: Path) -> None:
    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    plan = plan_screenplay(develop(source))
    camera = PrevizVideoBackend()
    project = Project(tmp_path / "out", source)
    whole = planned_takes(plan, CONFIG, project, camera)
    post = post_produce(plan, rough_cut(plan, whole, SETTINGS), whole, load_config())
    assert post.decisions is not None and post.rough is not None
    with start_shoot(plan, CONFIG, project, SilentReporter(), camera) as shooting:
        takes = shooting.wait()

    # What a repair adds: a cutaway from a line to the scene's last shot that is not the speaker's.
    speaking = next(s for s in plan.shots if s.dialogue)
    away = [s for s in plan.shots if s.scene_index == speaking.scene_index and s.id != speaking.id][-1]
    split = EditAction(
        kind=ActionKind.SPLIT, shot_id=speaking.id, cutaway_shot=away.id, split_s=0.5, speed=1.0, reason="test"
    )
    decisions = post.decisions.model_copy(update={"applied": [*post.decisions.applied, split]})
    cut = apply_edit(post.rough, plan, whole, decisions)
    assert any(c.cutaway and c.shot_id == away.id for c in cut.clips)
    for clip in cut.clips:
        assert clip.source_start_frame >= 0 and clip.last_source_frame < _frames(
            project.out / takes[clip.shot_id].media
        )

    again = Project(project.out, source)  # and the shoot, asked again, finds every take it needs
    with start_shoot(plan, CONFIG, again, SilentReporter(), camera) as shooting:
        shooting.wait()
    assert again.cache.work.computed[NAMESPACE] == 0
