"""Windows: a take rendered as the frames the edit plays plus handles, measured on the rendered clips' pixels."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import av
import numpy as np

from filmaster.backends.video.previz import PrevizVideoBackend
from filmaster.model import Plan, RenderSettings
from filmaster.progress import SilentReporter
from filmaster.project import Project
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.shoot import EXTENDED, NAMESPACE, ShootConfig, shot_requests, start_shoot

from ..conftest import EXAMPLES

SETTINGS = RenderSettings(width=128, height=72, fps=12, draft=True)
CONFIG = ShootConfig(backend="previz", backend_settings={}, settings=SETTINGS, seed=0, workers=2)


def _lone_shot(tmp_path: Path) -> tuple[Plan, str, Path]:
    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    plan = plan_screenplay(develop(source))
    scene = plan.scenes[0]
    shot = scene.shots[0].model_copy(update={"duration_s": 5.0})  # 60 frames at 12 fps
    lone = plan.model_copy(update={"scenes": [scene.model_copy(update={"shots": [shot]})]})
    return lone, shot.id, source


def _pixels(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.int16) for f in container.decode(video=0)]


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255**2 / max(((a - b) ** 2).mean(), 1e-9)))


def test_a_window_renders_only_its_frames_and_an_overlapping_one_only_the_frames_around_the_stored_take(
    tmp_path: Path,
) -> None:
    plan, shot_id, source = _lone_shot(tmp_path)
    whole_clip, whole_truth = tmp_path / "whole.mp4", tmp_path / "whole.json"
    PrevizVideoBackend().shoot(shot_requests(plan, SETTINGS, 0)[0], whole_clip, whole_truth)
    whole = _pixels(whole_clip)
    truth = {f["index"]: f for f in json.loads(whole_truth.read_text())["frames"]}
    assert len(whole) == 60

    project = Project(tmp_path / "out", source)
    take = start_shoot(plan, CONFIG, project, SilentReporter(), windows={shot_id: (20, 44)}).wait()[shot_id]
    assert (take.window_start_frame, take.frames, take.whole_frames) == (20, 24, 60)
    rendered = _pixels(project.out / take.media)
    assert len(rendered) == 24  # the window, not the shot
    # The window's frames are the shot's frames 20..43 (two encodes of one picture differ by coding noise only).
    assert min(_psnr(a, b) for a, b in zip(rendered, whole[20:44], strict=True)) > 30
    assert [f["index"] for f in json.loads((project.out / take.ground_truth).read_text())["frames"]] == list(
        range(20, 44)
    )

    # A window inside the stored one renders nothing.
    inside = Project(project.out, source)
    again = start_shoot(plan, CONFIG, inside, SilentReporter(), windows={shot_id: (25, 40)}).wait()[shot_id]
    assert inside.cache.work.computed[NAMESPACE] == 0 and again.window_start_frame == 20

    # One reaching past it (an [edit] change that holds the shot longer) renders only frames 10..19 and 44..49,
    # joined to the stored 20..43.
    longer = Project(project.out, source)
    extended = start_shoot(plan, CONFIG, longer, SilentReporter(), windows={shot_id: (10, 50)}).wait()[shot_id]
    assert longer.cache.work.computed[NAMESPACE] == 0 and longer.cache.work.computed[EXTENDED] == 1
    assert (extended.window_start_frame, extended.frames) == (10, 40)
    joined = _pixels(project.out / extended.media)
    assert len(joined) == 40
    assert min(_psnr(a, b) for a, b in zip(joined, whole[10:50], strict=True)) > 30
    frames = json.loads((project.out / extended.ground_truth).read_text())["frames"]
    assert [f["index"] for f in frames] == list(range(10, 50))
    assert all(f["camera"] == truth[f["index"]]["camera"] for f in frames)


def test_no_window_renders_the_whole_shot_under_its_plain_key(tmp_path: Path) -> None:
    plan, shot_id, source = _lone_shot(tmp_path)
    project = Project(tmp_path / "out", source)
    start_shoot(plan, CONFIG, project, SilentReporter(), windows={shot_id: (20, 44)}).wait()
    whole = Project(project.out, source)
    take = start_shoot(plan, CONFIG, whole, SilentReporter()).wait()[shot_id]
    # The stored window does not hold the whole shot: the frames around it are rendered, and the take is whole.
    assert (take.window_start_frame, take.frames, take.shot_frames) == (0, 60, 0)
    assert len(_pixels(project.out / take.media)) == 60
    assert whole.cache.work.computed[EXTENDED] == 1
    names = sorted(p.name for p in (project.state / "cache" / NAMESPACE).glob("*.mp4"))
    assert len(names) == 2 and any(".w20-44." in n for n in names) and any(".w" not in n for n in names)
