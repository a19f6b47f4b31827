"""The sound stage's cache: a scene that changes length a little cuts its ambience from the bed it already has."""

from pathlib import Path

import numpy as np

from filmaster.audio.wavio import read_wav
from filmaster.formats import read_screenplay
from filmaster.model import CueKind, SoundCue, SoundPlan
from filmaster.progress import SilentReporter
from filmaster.project import Project
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.sound import SoundBackends, render_sound

ROOT = Path(__file__).resolve().parents[2]
RATE = 48000


def _bed(duration_s: float) -> SoundPlan:
    cue = SoundCue(id="amb-S01", kind=CueKind.AMBIENCE, start_s=0.0, duration_s=duration_s, scene_index=0)
    return SoundPlan(sample_rate=RATE, cues=[cue])


def test_a_scene_a_little_longer_reuses_its_bed(tmp_path: Path) -> None:
    source = ROOT / "examples" / "tiny.fountain"
    plan = plan_screenplay(read_screenplay(source))
    backends = SoundBackends.create("piper", "midi-score", {})
    project = Project(tmp_path / "out", source)

    first = render_sound(plan, _bed(12.3), backends, project, SilentReporter(), seed=0)
    short, _ = read_wav(project.out / first.cues[0].media)
    short = short.copy()  # the next render publishes over the same file
    second = render_sound(plan, _bed(13.1), backends, project, SilentReporter(), seed=0)
    long, _ = read_wav(project.out / second.cues[0].media)

    work = project.cache.work
    assert work.computed["ambience-bed"] == 1 and work.reused["ambience-bed"] == 1  # one 20 s render, cut twice
    assert work.computed["ambience"] == 2
    assert short.shape == (round(12.3 * RATE), 2) and long.shape == (round(13.1 * RATE), 2)
    # Both are the same bed, each with a short fade at its cut rather than a click.
    fade = round(0.05 * RATE)
    np.testing.assert_array_equal(short[:-fade], long[: short.shape[0] - fade])
    assert np.abs(short[-8:]).max() < 0.05 * np.abs(short[-fade * 4 : -fade]).max()
    assert np.abs(long[short.shape[0] : short.shape[0] + RATE // 2]).max() > 0  # the longer one goes on
