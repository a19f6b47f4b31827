"""The Ray executor: the tiny film made on a local Ray instance is the film the local process pool makes."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from failing_video import LensCapVideoBackend
from filmaster.audio.wavio import read_wav
from filmaster.backends.music.midi_score import MidiScoreMusicBackend
from filmaster.backends.speech.piper import PiperSpeechBackend
from filmaster.cli import main
from filmaster.config import load_config
from filmaster.errors import ConfigError, RenderError
from filmaster.execution import closing_executor, open_executor, parse_executor
from filmaster.model import RenderSettings
from filmaster.pipeline import MakeResult, make_film
from filmaster.progress import SilentReporter
from filmaster.project import Project
from filmaster.stages import shoot
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.shoot import ShootConfig

from ..conftest import EXAMPLES, ROOT

SUPPORT = ROOT / "tests" / "support"

DRAFT = {"render": {"draft": True, "workers": 2}}
RUNWAY_KEY = "sk-fake-ray-3c9d"


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """One local Ray for the module's runs, as a user's running cluster: `--executor ray` attaches to it and
    leaves it running (the first test proves a run starts and stops its own). Its workers inherit this
    environment: the failing backend from the test support folder, and the fake Runway's key."""
    ray = pytest.importorskip("ray")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYTHONPATH", os.pathsep.join([str(SUPPORT), os.environ.get("PYTHONPATH", "")]))
        env.setenv("RUNWAYML_API_SECRET", RUNWAY_KEY)
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


def test_executor_specs_are_parsed_or_named_wrong() -> None:
    assert parse_executor("local") is None
    assert parse_executor("ray") == "local"
    assert parse_executor("ray://10.0.0.5:10001") == "ray://10.0.0.5:10001"
    for bad in ("dask", "ray://", "ray://nohost"):
        with pytest.raises(ConfigError, match="use 'local', 'ray'"):
            parse_executor(bad)


def test_unknown_executor_is_one_line_before_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["make", str(EXAMPLES / "tiny.fountain"), "-o", str(tmp_path / "out"), "--executor", "dask"])
    assert code == 1
    err = capsys.readouterr().err
    assert "unknown executor 'dask'" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_missing_ray_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError, as where it is not installed
    code = main(["make", str(EXAMPLES / "tiny.fountain"), "-o", str(tmp_path / "out"), "--executor", "ray"])
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert "--executor ray needs the Python package 'ray'" in err and "filmaster[ray]" in err
    assert [line for line in err.splitlines() if line.startswith("error:")] == [err.splitlines()[-1]]
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "film.mp4").exists()


def test_unreachable_cluster_is_one_line() -> None:
    pytest.importorskip("ray")
    with pytest.raises(ConfigError):
        open_executor("ray://")  # malformed: refused before any connection is tried


def _make(work: Path, name: str, executor: str) -> MakeResult:
    source = work / "tiny.fountain"
    if not source.exists():
        shutil.copy(EXAMPLES / "tiny.fountain", source)
    config = load_config(overrides={"render": {**DRAFT["render"], "executor": executor}})
    return make_film(source, work / name, config)


@pytest.mark.slow
def test_ray_makes_the_same_film_as_the_local_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    ray_module = pytest.importorskip("ray")
    assert not ray_module.is_initialized()  # no Ray yet: the run below must start its own
    local = _make(tmp_path, "local", "local")
    # The Ray run starts from the local film's folder without its shots: every shot is rendered again, on Ray,
    # while the voices are taken from the cache (the pictures are what the executor moves; the voices are tested
    # on their own, and re-speaking them here would only add time).
    shutil.copytree(local.out, tmp_path / "ray")
    shutil.rmtree(tmp_path / "ray" / ".filmaster" / "cache" / "shots")
    shutil.rmtree(tmp_path / "ray" / "media" / "shots")

    def no_local_pool(*_: object, **__: object) -> None:
        raise AssertionError("a shot was sent to the local process pool under --executor ray")

    monkeypatch.setattr(shoot, "RenderPool", no_local_pool)
    ray = _make(tmp_path, "ray", "ray")
    assert not ray_module.is_initialized()  # the local Ray this run started is stopped with it
    assert ray.work.computed["shots"] == local.work.computed["shots"] > 0  # every shot rendered again, on Ray

    shots = sorted(p.name for p in (local.out / "media" / "shots").glob("*.mp4"))
    assert shots and shots == sorted(p.name for p in (ray.out / "media" / "shots").glob("*.mp4"))
    for name in shots:  # every shot's previz, byte for byte
        assert (ray.out / "media" / "shots" / name).read_bytes() == (local.out / "media" / "shots" / name).read_bytes()
    # The same timeline: the editors' files differ only by the folder they name.
    for timeline in ("film.otio", "film.fcpxml", "film.edl", "plan.json", "takes.json"):
        theirs = (ray.out / timeline).read_text(encoding="utf-8").replace(str(ray.out), "OUT")
        ours = (local.out / timeline).read_text(encoding="utf-8").replace(str(local.out), "OUT")
        assert theirs == ours, timeline

    # Voices and music on Ray: their cache is emptied, and this process's own voice and score refuse to work, so
    # every line and cue must be made by the Ray workers (a fresh import, without these patches).
    for kind in ("dialogue", "music"):
        shutil.rmtree(ray.out / ".filmaster" / "cache" / kind)

    def not_here(*_: object, **__: object) -> None:
        raise AssertionError("a voice or a music cue was made on the driver under --executor ray")

    monkeypatch.setattr(PiperSpeechBackend, "synthesize", not_here)
    monkeypatch.setattr(MidiScoreMusicBackend, "compose", not_here)
    request.getfixturevalue("local_ray")  # this run attaches to a running Ray, as on a user's cluster
    again = _make(tmp_path, "ray", "ray")
    assert ray_module.is_initialized()  # and leaves it running
    assert again.work.computed["dialogue"] == local.work.computed["dialogue"] > 0
    assert again.work.computed["music"] == local.work.computed["music"] > 0
    audio = again.out / "media" / "audio"
    assert list((local.out / "media" / "music").glob("*.mid"))
    for cue in sorted((local.out / "media" / "music").glob("*.mid")):  # the score: the same notes, the same samples
        assert (again.out / "media" / "music" / cue.name).read_bytes() == cue.read_bytes()
        wav = cue.with_suffix(".wav").name
        assert (audio / wav).read_bytes() == (local.out / "media" / "audio" / wav).read_bytes()
    for line in sorted((local.out / "media" / "audio").glob("dlg-*.wav")):  # each line spoken and of about its length
        ours, rate = read_wav(line)
        theirs, _ = read_wav(audio / line.name)
        assert abs(len(theirs) - len(ours)) < 0.15 * rate and float(np.sqrt(np.mean(theirs**2))) > 0.01


def test_resources_per_backend_are_checked() -> None:
    config = load_config(overrides={"render": {"resources": {"diffusers": {"num_gpus": 1, "num_cpus": 2}}}})
    assert config.render.resources == {"diffusers": {"num_gpus": 1.0, "num_cpus": 2.0}}
    with pytest.raises(ConfigError, match=r"render\.resources"):
        load_config(overrides={"render": {"resources": {"diffusers": {"gpus": 1}}}})


def test_a_shot_failing_on_ray_is_one_line_and_leaves_nothing(tmp_path: Path, local_ray: None) -> None:
    # The workers of the local Ray import the failing backend from the test support folder, as the pool's do.
    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    project = Project(tmp_path / "out", source)
    plan = plan_screenplay(develop(source))
    with closing_executor(open_executor("ray", 2)) as ray:
        config = ShootConfig("lens-cap", {}, RenderSettings(width=128, height=72, fps=12, draft=True), 0, 2, ray)
        shooting = shoot.start_shoot(plan, config, project, SilentReporter(), LensCapVideoBackend())
        with pytest.raises(RenderError) as failure:
            shooting.wait()
    assert str(failure.value).endswith("rendering failed: the lens cap is on")
    assert "\n" not in str(failure.value)
    assert not list((project.cache.root / shoot.NAMESPACE).glob("*")), "a failed render left files in the cache"


@pytest.mark.slow
def test_faults_on_ray_fall_back_as_in_the_local_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_ray: None
) -> None:
    """`[faults] rate = 0.3`, no retries: the same shots, lines and cues fall back on Ray as in the local pool with
    the same seed (the faults travel with each task, and a unit's fate is a hash of its arguments), each with the
    same reason carried back from the worker; measured on the takes and samples the two runs delivered."""
    pytest.importorskip("ray")
    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    # 0.3 of every backend's calls fail, and without retries 0.6 of the shots', lines' and cues' calls: so that a
    # tiny film surely has each kind fall back whatever its shots' requests hold as the code changes.
    rates = {"video": 0.6, "speech": 0.6, "music": 0.6}
    faults = {"rate": 0.3, "backends": rates, "seed": 11, "slow_s": 0.05, "retries": 0}

    def make(name: str, executor: str) -> MakeResult:
        config = load_config(overrides={"render": {**DRAFT["render"], "executor": executor}, "faults": faults})
        return make_film(source, tmp_path / name, config)

    local = make("local", "local")

    def not_here(*_: object, **__: object) -> None:
        raise AssertionError("work was done on the driver under --executor ray")

    monkeypatch.setattr(shoot, "RenderPool", not_here)
    monkeypatch.setattr(PiperSpeechBackend, "synthesize", not_here)
    monkeypatch.setattr(MidiScoreMusicBackend, "compose", not_here)
    ray = make("ray", "ray")

    assert local.summary is not None and ray.summary is not None
    fell_back = local.summary.fell_back
    kinds = {f.kind for f in fell_back}
    assert "shots" in kinds and kinds & {"dialogue", "music"}  # a take and a line or cue, at least
    assert ray.summary.fell_back == fell_back  # the same units, the same stand-ins, the same reasons
    manifest = json.loads((ray.out / ".filmaster" / "manifest.json").read_text())
    assert manifest["last_run"]["fell_back"] == [f.model_dump() for f in fell_back if f.kind != "generated"]

    for shot in local.plan.shots:  # every take, a fallen-back one too, is the previz byte for byte
        name = f"media/shots/{shot.id}.mp4"
        assert (ray.out / name).read_bytes() == (local.out / name).read_bytes(), shot.id
    for cue in [f.unit for f in fell_back if f.kind in ("dialogue", "music")]:  # silent stand-ins on both
        for run in (local, ray):
            samples, _ = read_wav(run.out / "media" / "audio" / f"{cue}.wav")
            assert samples.size > 0 and not np.any(samples), (run.out.name, cue)
    fallen = {f.unit for f in fell_back}
    voiced = [p for p in sorted((ray.out / "media" / "audio").glob("dlg-*.wav")) if p.stem not in fallen]
    assert voiced  # the other lines were spoken, by Piper on the Ray workers
    for line in voiced:
        assert float(np.sqrt(np.mean(read_wav(line)[0] ** 2))) > 0.01, line.name


@pytest.mark.slow
def test_generated_shots_on_ray_carry_back_a_vendors_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_ray: None
) -> None:
    """Shots generated through a local server speaking Runway's API, each request made by a Ray worker: the shot
    the vendor refuses falls back to its previz take with the vendor's reason, as with the local executor."""
    pytest.importorskip("ray")
    from fake_video_vendors import register_worktree_backends, serve_vendor
    from filmaster.backends.video.remote import RemoteVideoBackend

    def not_here(*_: object, **__: object) -> None:
        raise AssertionError("a shot was generated on the driver under --executor ray")

    monkeypatch.setattr(RemoteVideoBackend, "generate", not_here)  # the workers import their own, unpatched
    register_worktree_backends()
    key = RUNWAY_KEY  # the local Ray's workers inherited it (the `local_ray` fixture)
    monkeypatch.setenv("RUNWAYML_API_SECRET", key)
    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    with serve_vendor("runway", key, refuse_words=("sun",)) as runway:
        settings = {"runway": {"base_url": runway.base_url, "poll_interval_s": 0.02, "timeout_s": 5.0}}
        config = load_config(
            overrides={
                "render": {"draft": True, "resolution": "192x108", "workers": 2, "executor": "ray"},
                "backends": {"video": "runway", "settings": settings},
                "cinematography": {"retrieval": False},
            }
        )
        made = make_film(source, tmp_path / "out", config)
    assert len(runway.submits()) == 5
    takes = {t["shot_id"]: t for t in json.loads((made.out / "takes.json").read_text())["takes"]}
    assert [s for s, t in takes.items() if t["backend"] == "runway"] == ["S01-01", "S01-02", "S01-03", "S02-01"]
    assert takes["S02-02"]["backend"] == "previz" and "runway refused the shot" in takes["S02-02"]["note"]
    assert made.summary is not None
    [refused] = made.summary.of_kind("generated")
    assert refused.unit == "S02-02" and "runway refused the shot" in refused.reason
    assert made.summary.generated == 4 and made.summary.cost_usd["shots"] > 0
