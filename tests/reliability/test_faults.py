"""`[faults]`: backends that fail on purpose. The decision is reproducible and hits the configured share of calls;
a real film run with faults on every backend completes, and what could not be recovered falls back alone —
measured on the produced takes and samples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from filmaster.audio.wavio import read_wav
from filmaster.backends.faults import FaultsConfig, FaultyBackend, decide
from filmaster.backends.music.base import MusicRequest
from filmaster.backends.registry import create_backend
from filmaster.backends.resilience import Unrecovered, with_retries
from filmaster.model import Mood, TimeOfDay
from filmaster.verify import clip_ok

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny.fountain"


def test_the_decision_is_reproducible_and_hits_the_rate() -> None:
    config = FaultsConfig(rate=0.3, seed=5)
    first = [decide(config, "speech", f"unit-{i}", 0) for i in range(4000)]
    again = [decide(config, "speech", f"unit-{i}", 0) for i in range(4000)]
    assert first == again
    share = sum(f is not None for f in first) / len(first)
    assert 0.27 < share < 0.33
    assert {f for f in first if f} == set(config.kinds)  # every kind drawn
    other_seed = [decide(FaultsConfig(rate=0.3, seed=6), "speech", f"unit-{i}", 0) for i in range(4000)]
    assert other_seed != first
    # A retry draws afresh: the same unit's second attempt is decided independently of its first.
    retried = [decide(config, "speech", f"unit-{i}", 1) for i in range(4000)]
    assert sum((a is not None) and (b is not None) for a, b in zip(first, retried, strict=True)) < 0.12 * 4000


def _request() -> MusicRequest:
    return MusicRequest(
        cue_id="music-S01", mood=Mood("tense"), time_of_day=TimeOfDay("night"), interior=True, duration_s=2.0, seed=1
    )


def test_truncated_music_is_caught_and_retried_with_the_real_synthesizer() -> None:
    config = FaultsConfig(rate=1.0, kinds=("truncated_media",))
    music = FaultyBackend(create_backend("music", "midi-score"), config)
    rate = 16000
    cut = music.compose(_request(), rate).audio
    whole = music.inner.compose(_request(), rate).audio
    assert 0 < len(cut) <= len(whole) // 2 + 1  # the answer really is cut short

    def complete(result: object) -> str | None:
        return None if len(result.audio) >= len(whole) else "short"  # type: ignore[attr-defined]

    with pytest.raises(Unrecovered, match=r"short \(after 4 attempts\)"):
        with_retries("music", lambda: music.compose(_request(), rate), complete)
    assert sum(music.attempts.values()) == 1 + 4  # the call above, then the budget: a first try and 3 retries


def _make(out: Path, faults: str, *extra: str) -> subprocess.CompletedProcess[str]:
    out.mkdir(parents=True)
    config = out.parent / f"{out.name}.toml"
    config.write_text(faults, encoding="utf-8")
    command = [sys.executable, "-m", "filmaster", "make", str(TINY), "-o", str(out), "--draft", "-c", str(config)]
    return subprocess.run([*command, *extra], capture_output=True, text=True, timeout=300, check=False)


def _fell_back(out: Path) -> list[dict[str, str]]:
    return json.loads((out / ".filmaster" / "manifest.json").read_text())["last_run"]["fell_back"]


@pytest.mark.slow
def test_a_film_with_30_percent_faults_everywhere_completes_the_same_way_twice(tmp_path: Path) -> None:
    faults = "[faults]\nrate = 0.3\nseed = 11\nslow_s = 0.05\n"
    runs = [_make(tmp_path / name, faults) for name in ("a", "b")]
    for run, name in zip(runs, ("a", "b"), strict=True):
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
        out = tmp_path / name
        _every_take_whole(out)
        mix, _ = read_wav(out / "media" / "audio" / "mix.wav")
        assert float(np.sqrt(np.mean(mix.astype(np.float64) ** 2))) > 1e-3  # a film with sound, not a silent one
    assert _fell_back(tmp_path / "a") == _fell_back(tmp_path / "b")  # reproducible per seed


@pytest.mark.slow
def test_what_cannot_recover_falls_back_alone_and_is_listed(tmp_path: Path) -> None:
    # Every call of the video and speech backends fails: each shot becomes its previz take, each line silence.
    faults = '[faults]\nrate = 0.0\nkinds = ["exception", "truncated_media", "timeout"]\n'
    faults += "backends = { video = 1.0, speech = 1.0 }\n"
    out = tmp_path / "film"
    run = _make(out, faults)
    assert run.returncode == 0, run.stderr
    assert "shots   5 in the film: 5 rendered, 0 reused, 5 fell back" in run.stderr
    assert "voices  2 lines, 2 fell back" in run.stderr and "music   2 cues, none fell back" in run.stderr
    fell_back = _fell_back(out)
    assert [(e["kind"], e["fallback"]) for e in fell_back] == [("dialogue", "silence")] * 2 + [
        ("shots", "previz take")
    ] * 5
    _every_take_whole(out)
    sound = json.loads((out / ".filmaster" / "sound.json").read_text())
    lines = [c for c in sound["cues"] if c["kind"] == "dialogue"]
    assert len(lines) == 2
    for cue in lines:
        samples, rate = read_wav(out / cue["media"])
        assert len(samples) == pytest.approx(cue["duration_s"] * rate, abs=2)
        assert not np.any(samples)  # the silent stand-in, not a half-spoken line
    music = [c for c in sound["cues"] if c["kind"] == "music"]
    assert all(np.any(read_wav(out / c["media"])[0]) for c in music)  # the score was not touched


def test_a_bad_faults_section_is_refused_naming_the_field(tmp_path: Path) -> None:
    from filmaster.config import load_config
    from filmaster.errors import ConfigError

    config = tmp_path / "filmaster.toml"
    config.write_text('[faults]\nrate = 2\nkinds = ["gremlins"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(config)
    message = str(refused.value)
    assert "faults.rate" in message and "faults.kinds" in message and "\n" not in message


@pytest.mark.slow
def test_a_retrieval_that_cannot_embed_leaves_the_breakdown_and_the_next_run_plans_again(tmp_path: Path) -> None:
    out = tmp_path / "film"
    faults = '[faults]\nkinds = ["exception", "wrong_schema"]\nbackends = { embed = 1.0 }\n'
    run = _make(out, faults)
    assert run.returncode == 0, run.stderr
    assert "plan    1 fell back" in run.stderr and "retrieval → the breakdown's shots: embedding: " in run.stderr
    plan = json.loads((out / "plan.json").read_text())
    assert not any(scene["references"] for scene in plan["scenes"])  # the breakdown's shots, unreferenced
    assert json.loads((out / ".filmaster" / "manifest.json").read_text())["planning_key"] is None

    command = [sys.executable, "-m", "filmaster", "make", str(TINY), "-o", str(out), "--draft"]
    again = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    replanned = json.loads((out / "plan.json").read_text())
    assert all(scene["references"] for scene in replanned["scenes"])  # retrieval ran this time


def _every_take_whole(out: Path) -> None:
    """Every shot of the plan has a take whose clip decodes to the frames its record says (a window of the shot:
    what the cut plays, plus handles)."""
    plan = json.loads((out / "plan.json").read_text())
    takes = {t["shot_id"]: t for t in json.loads((out / "takes.json").read_text())["takes"]}
    assert {shot["id"] for scene in plan["scenes"] for shot in scene["shots"]} == set(takes)
    for take in takes.values():
        assert take["frames"] > 0 and clip_ok(out / take["media"], take["frames"])
