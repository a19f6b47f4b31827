"""Our SoundFont synthesizer against tinysoundfont, the renderer it replaced, on the bundled example's scene cues:
the same score through the same SoundFont must be as loud, strike its notes at the same moments and sound as
bright. Skipped where tinysoundfont is not installed (it is no longer a dependency)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.signal import stft

from filmaster.audio.loudness import integrated_loudness
from filmaster.backends.music.base import MusicRequest
from filmaster.backends.music.midi_score import MidiScoreMusicBackend, compose_score
from filmaster.formats import read_screenplay
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.score_cues import scene_theme

try:
    import tinysoundfont
except ImportError:
    tinysoundfont = None
pytestmark = pytest.mark.skipif(tinysoundfont is None, reason="tinysoundfont (the renderer compared with) is absent")

RATE = 48000
HOP = 48  # 1 ms
EXAMPLE = Path(__file__).parents[2] / "examples" / "the_last_ferry.fountain"


def tinysoundfont_render(midi, soundfont: Path, n: int) -> np.ndarray:
    """The score played through tinysoundfont as midi_score did before (its own channel per part, drums on 10)."""
    synth = tinysoundfont.Synth(samplerate=RATE, gain=-6.0)
    sfid = synth.sfload(soundfont.read_bytes())
    melodic = iter(c for c in range(16) if c != 9)
    events = []
    for inst in midi.instruments:
        chan = 9 if inst.is_drum else next(melodic)
        synth.program_select(chan, sfid, 128 if inst.is_drum else 0, inst.program, is_drums=inst.is_drum)
        events += [(round(cc.time * RATE), 1, chan, cc.number, cc.value) for cc in inst.control_changes]
        for note in inst.notes:
            events += [(round(note.start * RATE), 2, chan, note.pitch, note.velocity)]
            events += [(round(note.end * RATE), 0, chan, note.pitch, 0)]
    out = bytearray(n * 8)
    view, pos = memoryview(out), 0
    for at, order, chan, a, b in sorted(events):
        at = min(at, n)
        if at > pos:
            synth.generate_simple(at - pos, buffer=view[pos * 8 : at * 8])
            pos = at
        if pos >= n:
            break
        if order == 0:
            synth.noteoff(chan, a)
        elif order == 1:
            synth.control_change(chan, a, b)
        else:
            synth.noteon(chan, a, b)
    if pos < n:
        synth.generate_simple(n - pos, buffer=view[pos * 8 :])
    return np.frombuffer(out, dtype=np.float32).reshape(n, 2).copy()


def onset_strength(audio: np.ndarray) -> np.ndarray:
    """Spectral flux every millisecond."""
    _, _, z = stft(audio.mean(axis=1), RATE, nperseg=512, noverlap=512 - HOP)
    mag = np.log1p(1000 * np.abs(z) / (np.abs(z).max() + 1e-12))
    return np.maximum(np.diff(mag, axis=1), 0).sum(axis=0)


def onset_offsets(ours: np.ndarray, theirs: np.ndarray, starts: list[float]) -> np.ndarray:
    """For each note start of the score, how far apart (s) the two renders' attacks are: where each one's flux
    first reaches half its peak in the 25 ms after the note starts (5 ms before allowed)."""
    a, b = onset_strength(ours), onset_strength(theirs)
    out = []
    for t in starts:
        k = round(t * RATE / HOP)
        lo, hi = max(0, k - 5), min(a.size, k + 25)
        if hi - lo < 10:
            continue
        wa, wb = a[lo:hi], b[lo:hi]
        out.append(abs(int(np.argmax(wa >= 0.5 * wa.max())) - int(np.argmax(wb >= 0.5 * wb.max()))) * HOP / RATE)
    return np.array(out)


def centroid(audio: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(audio.mean(axis=1))) ** 2
    return float((spectrum * np.fft.rfftfreq(audio.shape[0], 1.0 / RATE)).sum() / spectrum.sum())


def scene_cues():
    plan = plan_screenplay(read_screenplay(EXAMPLE))
    for scene in plan.scenes:
        theme = scene_theme(plan, scene)
        yield MusicRequest(
            cue_id=f"music-S{scene.index:02d}",
            mood=scene.mood,
            time_of_day=scene.time_of_day,
            interior=scene.interior,
            duration_s=scene.duration_s,
            seed=scene.index,
            theme=theme[1] if theme else (),
            theme_name=theme[0] if theme else "",
        )


@pytest.fixture(scope="module")
def backend() -> MidiScoreMusicBackend:
    return MidiScoreMusicBackend()


@pytest.mark.parametrize("request_", list(scene_cues()), ids=lambda r: f"{r.cue_id}-{r.mood.value}")
def test_a_scene_cue_sounds_as_through_tinysoundfont(backend, request_):
    score = compose_score(backend._pm, request_)
    n = round(score.bars * score.bar_s * RATE)
    ours = backend._render(score.midi, n, RATE)
    theirs = tinysoundfont_render(score.midi, backend.soundfont_path, n)
    # The specification's velocity curve is squared where tinysoundfont's is linear: a cue played harder or
    # softer than the calibration's average moves by up to ~1.6 dB (measured: -0.5, +1.4, -1.6, +0.6 dB).
    assert integrated_loudness(ours, RATE) == pytest.approx(integrated_loudness(theirs, RATE), abs=1.8)
    starts = sorted({round(note.start, 4) for inst in score.midi.instruments for note in inst.notes})
    offsets = onset_offsets(ours, theirs, starts)
    assert offsets.size > 20
    assert np.median(offsets) <= 0.002 and np.mean(offsets <= 0.005) >= 0.85
    assert centroid(ours) == pytest.approx(centroid(theirs), rel=0.1)
