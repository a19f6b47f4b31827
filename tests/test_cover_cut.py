"""A repair of the pixel pass that cuts to frames outside a take's window has those frames rendered and joined on:
measured on the rendered clip, with nothing else rendered again."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import av

from filmaster.backends.video.previz import PrevizVideoBackend
from filmaster.config import load_config
from filmaster.model import ActionKind, EditAction, RenderSettings
from filmaster.pipeline import cover_cut
from filmaster.post.fine_cut import apply_edit
from filmaster.post.handles import played_spans
from filmaster.post.screening import post_produce
from filmaster.progress import SilentReporter
from filmaster.project import Project
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.rough_cut import rough_cut
from filmaster.stages.shoot import EXTENDED, NAMESPACE, ShootConfig, planned_takes, start_shoot

from .conftest import EXAMPLES

SETTINGS = RenderSettings(width=128, height=72, fps=12, draft=True)
CONFIG = ShootConfig(backend="previz", backend_settings={}, settings=SETTINGS, seed=0, workers=2)


def _frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_a_cutaway_to_frames_outside_its_window_is_rendered_and_cut_from_the_lengthened_take(tmp_path: Path) -> None:
    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    plan = plan_screenplay(develop(source))
    camera = PrevizVideoBackend()
    project = Project(tmp_path / "out", source)
    whole = planned_takes(plan, CONFIG, project, camera)
    config = load_config()
    rough = rough_cut(plan, whole, SETTINGS)
    post = post_produce(plan, rough, whole, config)
    assert post.decisions is not None and post.rough is not None
    speaking = next(s for s in plan.shots if s.dialogue)
    away = next(s for s in plan.shots if s.scene_index == speaking.scene_index and s.id != speaking.id)
    # Every shot rendered whole but the cutaway's, of which only its first half second exists.
    windows = {away.id: (0, 6)}
    with start_shoot(plan, CONFIG, project, SilentReporter(), camera, windows=windows) as shooting:
        takes = shooting.wait()
    assert (takes[away.id].window_start_frame, takes[away.id].frames) == (0, 6)

    split = EditAction(
        kind=ActionKind.SPLIT, shot_id=speaking.id, cutaway_shot=away.id, split_s=0.5, speed=1.0, reason="test"
    )
    decisions = post.decisions.model_copy(update={"applied": [*post.decisions.applied, split]})
    wanted = replace(post, decisions=decisions, cut=apply_edit(post.rough, plan, takes, decisions))
    first, end = played_spans(wanted.cut)[away.id]
    assert end > 6  # the cutaway plays frames the take does not hold

    again = Project(project.out, source)
    covered = cover_cut(wanted, plan, takes, CONFIG, again, SilentReporter(), camera, None)
    take = takes[away.id]
    assert take.window_start_frame <= first and end <= take.window_start_frame + take.frames
    assert _frames(again.out / take.media) == take.frames  # the lengthened clip holds what its take says
    assert again.cache.work.computed[EXTENDED] == 1 and again.cache.work.computed[NAMESPACE] == 0
    for clip in covered.cut.clips:  # every clip within its take's frames
        assert clip.source_start_frame >= 0 and clip.last_source_frame < takes[clip.shot_id].frames
    assert any(c.cutaway and c.shot_id == away.id for c in covered.cut.clips)
