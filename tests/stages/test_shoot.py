"""Shoot: takes known before they render, missing shots rendered in worker processes in the background."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest

from failing_video import LensCapVideoBackend
from filmaster.backends.video.previz import PrevizVideoBackend
from filmaster.errors import RenderError
from filmaster.model import Plan, RenderSettings
from filmaster.progress import SilentReporter
from filmaster.project import Project
from filmaster.stages import shoot
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.shoot import (
    NAMESPACE,
    RenderPool,
    ShootConfig,
    _job,
    _longest_first,
    shot_key,
    shot_requests,
    start_shoot,
)

from ..conftest import EXAMPLES

SETTINGS = RenderSettings(width=128, height=72, fps=12, draft=True)


def _project(tmp_path: Path) -> tuple[Plan, Project]:
    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    return plan_screenplay(develop(source)), Project(tmp_path / "out", source)


def _config(workers: int = 0) -> ShootConfig:
    return ShootConfig(backend="previz", backend_settings={}, settings=SETTINGS, seed=0, workers=workers)


def _frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_takes_are_known_before_rendering_and_in_place_after_wait(tmp_path: Path) -> None:
    plan, project = _project(tmp_path)
    shooting = start_shoot(plan, _config(), project, SilentReporter(), PrevizVideoBackend())
    planned = {shot.id: round(shot.duration_s * SETTINGS.fps) for shot in plan.shots}
    assert {i: take.frames for i, take in shooting.takes.items()} == planned  # before any frame exists
    takes = shooting.wait()
    assert project.cache.work.computed[NAMESPACE] == len(plan.shots)
    for shot_id, take in takes.items():
        assert _frames(project.out / take.media) == planned[shot_id]
        assert take.ground_truth and (project.out / take.ground_truth).is_file()
    again = Project(project.out, tmp_path / "tiny.fountain")
    assert start_shoot(plan, _config(), again, SilentReporter(), PrevizVideoBackend()).wait() == takes
    assert again.cache.work.computed[NAMESPACE] == 0  # all found in the cache


@pytest.mark.parametrize("started_early", [False, True])
def test_a_render_failing_in_the_background_is_raised_by_wait_with_nothing_half_made(
    tmp_path: Path, started_early: bool
) -> None:
    plan, project = _project(tmp_path)
    pool = RenderPool(LensCapVideoBackend, {}, 2) if started_early else None
    try:
        shooting = start_shoot(plan, _config(), project, SilentReporter(), LensCapVideoBackend(), pool=pool)
        with pytest.raises(RenderError, match="rendering failed: the lens cap is on"):
            shooting.wait()
    finally:
        if pool is not None:
            pool.close()
    shots = project.cache.root / NAMESPACE
    assert not list(shots.glob("*")), "a failed render left files in the cache"
    assert not (project.out / "media" / "shots").exists() or not list((project.out / "media" / "shots").iterdir())


def test_a_pool_started_before_the_plan_renders_the_shots(tmp_path: Path) -> None:
    plan, project = _project(tmp_path)
    pool = RenderPool(PrevizVideoBackend, {}, 2)
    pool.warm()  # what `make` does while it plans
    try:
        takes = start_shoot(plan, _config(), project, SilentReporter(), PrevizVideoBackend(), pool=pool).wait()
    finally:
        pool.close()
    assert project.cache.work.computed[NAMESPACE] == len(plan.shots)
    assert all(_frames(project.out / take.media) == take.frames for take in takes.values())


def test_cancel_renders_no_more_than_what_is_under_way(tmp_path: Path) -> None:
    plan, project = _project(tmp_path)
    assert len(plan.shots) >= 4
    shooting = start_shoot(plan, _config(workers=1), project, SilentReporter(), PrevizVideoBackend())
    shooting.cancel()
    # One worker: the shot it renders and the one queued to it may finish; none after them starts.
    assert project.cache.work.computed[NAMESPACE] <= 2
    assert not list((project.cache.root / NAMESPACE).glob(".*part*"))


class _PromptVideoBackend(PrevizVideoBackend):
    """Stands for a backend that films from the prompt and the words: every shot field is part of its picture."""

    IGNORED_SHOT_FIELDS = frozenset()


def test_a_shot_key_leaves_out_only_the_fields_its_backend_does_not_draw(tmp_path: Path) -> None:
    plan, _ = _project(tmp_path)
    request = next(r for r in shot_requests(plan, SETTINGS, 0) if r.shot.dialogue)
    line = request.shot.dialogue[0]
    reworded = dataclasses.replace(
        request,
        shot=request.shot.model_copy(
            update={"dialogue": [line.model_copy(update={"text": "Other words."})], "prompt": "Another prompt."}
        ),
    )
    longer = dataclasses.replace(request, shot=request.shot.model_copy(update={"duration_s": 9.0}))
    previz, by_prompt = PrevizVideoBackend(), _PromptVideoBackend()
    assert shot_key(reworded, previz) == shot_key(request, previz)
    assert shot_key(longer, previz) != shot_key(request, previz)
    assert shot_key(reworded, by_prompt) != shot_key(request, by_prompt)


def test_a_lone_shot_renders_in_a_part_per_core_joined_into_the_take_a_whole_render_makes(tmp_path: Path) -> None:
    plan, project = _project(tmp_path)
    scene = plan.scenes[0]
    shot = scene.shots[0].model_copy(update={"duration_s": 4.5})  # 54 frames at 12 fps: two parts of 27
    lone = plan.model_copy(update={"scenes": [scene.model_copy(update={"shots": [shot]})]})
    config = _config(workers=2)
    take = start_shoot(lone, config, project, SilentReporter(), PrevizVideoBackend()).wait()[shot.id]
    assert project.cache.work.computed[NAMESPACE] == 1
    assert not [p for p in (project.state / "cache" / NAMESPACE).iterdir() if ".part" in p.name]

    request = shot_requests(lone, SETTINGS, 0)[0]
    whole_clip, whole_truth = tmp_path / "whole.mp4", tmp_path / "whole.json"
    PrevizVideoBackend().shoot(request, whole_clip, whole_truth)
    joined = project.out / take.media
    with av.open(str(joined)) as a, av.open(str(whole_clip)) as b:
        # Same codec parameters, so the film still copies this take's packets with the others'.
        assert a.streams.video[0].codec_context.extradata == b.streams.video[0].codec_context.extradata
        frames_a = [f.to_ndarray(format="rgb24").astype(np.int16) for f in a.decode(video=0)]
        frames_b = [f.to_ndarray(format="rgb24").astype(np.int16) for f in b.decode(video=0)]
    assert len(frames_a) == len(frames_b) == 54
    with av.open(str(joined)) as a:
        keyframes = sorted(round(p.pts * p.time_base * 12) for p in a.demux(video=0) if p.is_keyframe)
    assert keyframes == [0, 27]  # rendered as two parts, each from its own keyframe
    # One picture, two encodes (the joined take starts a keyframe at its second part): every frame within the
    # difference two H.264 encodes of it make.
    psnr = [10 * np.log10(255**2 / max(((x - y) ** 2).mean(), 1e-9)) for x, y in zip(frames_a, frames_b, strict=True)]
    assert min(psnr) > 30
    assert json.loads((project.out / take.ground_truth).read_text()) == json.loads(whole_truth.read_text())


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads process states from /proc")
def test_render_workers_exit_when_their_run_is_killed(tmp_path: Path) -> None:
    """A killed run cannot shut its pool down; its idle workers (a GL context and a few hundred MB each) must not
    wait for work for ever."""
    script = tmp_path / "run.py"
    script.write_text(
        "import os, time\n"
        "from filmaster.backends.video.previz import PrevizVideoBackend\n"
        "from filmaster.stages.shoot import RenderPool\n"
        "if __name__ == '__main__':\n"
        "    pool = RenderPool(PrevizVideoBackend, {}, 1)\n"
        "    print(pool.executor.submit(os.getpid).result(timeout=60), flush=True)\n"
        "    time.sleep(120)\n"
    )
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True) as run:
        assert run.stdout is not None
        worker = int(run.stdout.readline())
        run.kill()
    deadline = time.monotonic() + 10
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = _running(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads process states from /proc")
def test_closing_a_pool_ends_a_worker_that_does_not_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    """After Ctrl-C a worker can be left waiting for work no one will send (Python 3.11's pool manager fails on a
    cancelled future when another worker dies); the run's exit would wait for it for ever. Here the worker is busy
    far longer than the pool waits: close kills it, and a pool whose worker died is closed without waiting."""
    monkeypatch.setattr(shoot, "_WORKER_EXIT_S", 1.0)
    pool = RenderPool(PrevizVideoBackend, {}, 1)
    worker = pool.executor.submit(os.getpid).result(timeout=60)
    pool.executor.submit(time.sleep, 600)
    assert not pool.broken()
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 10 and not _running(worker)

    pool = RenderPool(PrevizVideoBackend, {}, 1)
    worker = pool.executor.submit(os.getpid).result(timeout=60)
    os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not pool.broken() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool.broken()
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 1.0


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_shots_that_look_alike_are_rendered_once_and_published_for_each(tmp_path: Path) -> None:
    # A scene played twice (a developed screenplay repeats itself): its shots share render keys.
    source = tmp_path / "twice.fountain"
    scene = "INT. KITCHEN - NIGHT\n\nMara waits.\n\nMARA\nHe is late.\n\n"
    source.write_text(scene + scene.replace("waits", "still waits"))
    plan = plan_screenplay(develop(source))
    project = Project(tmp_path / "out", source)
    keys = {r.shot.id: shot_key(r, PrevizVideoBackend()) for r in shot_requests(plan, SETTINGS, 0)}
    assert len(set(keys.values())) < len(keys)
    takes = start_shoot(plan, _config(), project, SilentReporter(), PrevizVideoBackend()).wait()
    assert project.cache.work.computed[NAMESPACE] == len(set(keys.values()))
    for shot in plan.shots:
        assert _frames(project.out / takes[shot.id].media) == round(shot.duration_s * SETTINGS.fps)
        assert takes[shot.id].ground_truth


def test_renders_are_handed_out_longest_first(tmp_path: Path) -> None:
    plan, project = _project(tmp_path)
    backend = PrevizVideoBackend()
    settings = SETTINGS.model_copy(update={"fps": 24})  # long enough that some shots render in parts
    jobs = [
        _job(project.cache, shot_key(r, backend), r, tmp_path / f"{r.shot.id}.mp4", backend)
        for r in shot_requests(plan, settings, 0)
    ]
    renders = _longest_first(jobs, 1)
    lengths = [(r.part or (0, r.frames))[1] - (r.part or (0, r.frames))[0] for _, r, _, _ in renders]
    assert lengths == sorted(lengths, reverse=True) and len(set(lengths)) > 1
    # Every render of every job, each once: a split shot's parts as well as whole shots.
    assert sorted(str(clip) for _, _, clip, _ in renders) == sorted(
        str(clip) for job in jobs for _, clip, _ in job.renders(1)
    )
    assert any(job.parts > 1 for job in jobs)
