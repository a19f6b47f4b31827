"""The master bus from joined per-scene analyses must equal the master bus over the whole film."""

import numpy as np
import pytest

from filmaster.audio.loudness import integrated_loudness, peak_envelope, true_peak_dbtp, weighted_energy
from filmaster.audio.master import (
    LOUDNESS_TOLERANCE_LU,
    Segment,
    analyse,
    assemble,
    limiter_regions,
    master,
    master_stretch,
    on_grid,
    stable_stretches,
)

RATE = 48000


def _scene(seconds: float, seed: int, level: float) -> np.ndarray:
    """Noise bursts with hot transients, so the limiter has work to do in every scene."""
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    audio = rng.standard_normal((n, 2)).astype(np.float32) * level
    audio[:: RATE // 3] *= 12.0  # spikes three times a second
    envelope = 0.5 + 0.5 * np.sin(np.arange(n) / RATE * 2 * np.pi * 0.7)
    return (audio * envelope[:, None]).astype(np.float32)


@pytest.fixture(scope="module")
def scenes() -> list[Segment]:
    """Three scenes; the second rings 0.3 s past the start of the third, and a gap of silence precedes the first."""
    parts = [(RATE // 2, _scene(2.0, 1, 0.05)), (RATE // 2 + 2 * RATE, _scene(1.8, 2, 0.2))]
    parts.append((parts[1][0] + round(1.5 * RATE), _scene(2.5, 3, 0.02)))
    return [Segment(start, audio, analyse(audio, RATE)) for start, audio in parts]


def test_joined_analyses_equal_the_analysis_of_the_joined_audio(scenes):
    total = scenes[-1].end + RATE // 4
    audio, joined = assemble(scenes, total, RATE)
    whole_envelope = peak_envelope(audio, RATE)
    whole_energy = weighted_energy(audio, RATE)
    assert audio.shape == (total, 2)
    np.testing.assert_allclose(joined.envelope, whole_envelope, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(joined.energy, whole_energy, rtol=1e-4, atol=1e-9)
    # The overlap really is summed: the third scene's first samples hold the second scene's tail too.
    overlap = scenes[2].start + 100
    expected = scenes[1].audio[overlap - scenes[1].start] + scenes[2].audio[100]
    np.testing.assert_allclose(audio[overlap], expected, rtol=1e-6)


def test_master_from_joined_analyses_meets_loudness_and_true_peak(scenes):
    total = scenes[-1].end
    audio, joined = assemble(scenes, total, RATE)
    done = master(audio, joined, target_lufs=-14.0, max_true_peak_db=-1.0, sample_rate=RATE)
    assert done.integrated_lufs == pytest.approx(integrated_loudness(done.audio, RATE), abs=0.005)
    assert done.integrated_lufs == pytest.approx(-14.0, abs=0.2)
    # The peak reported from the envelope and the limited regions is the output's measured true peak.
    assert done.true_peak_dbtp == pytest.approx(true_peak_dbtp(done.audio, RATE), abs=0.01)
    assert done.true_peak_dbtp <= -1.0
    # And the same as mastering the film from a fresh analysis of the whole.
    direct = master(audio, analyse(audio, RATE), -14.0, -1.0, RATE)
    np.testing.assert_allclose(done.audio, direct.audio, atol=1e-5)


def test_silence_passes_through():
    silent = np.zeros((RATE, 2), np.float32)
    done = master(silent, analyse(silent, RATE), -16.0, -1.0, RATE)
    assert done.integrated_lufs == float("-inf") and not done.audio.any()


def test_limiter_gain_follows_its_definition():
    """Per sample: the mean over the look-ahead window of the window-minimum of the gain each peak needs."""
    rng = np.random.default_rng(5)
    envelope = (rng.random(6000) * 0.5).astype(np.float32)
    envelope[[700, 2500, 2540, 5990]] = [1.6, 2.4, 1.2, 3.0]  # peaks, two close together, one at the very end
    rate, look, hold = 1000, 5, 80  # 5 ms look-ahead, 80 ms hold at 1 kHz
    gain = np.ones(envelope.size)
    for a, b, dip in limiter_regions(envelope, rate, ceiling_dbtp=0.0, lookahead_s=0.005, release_s=0.08):
        gain[a:b] = dip
    need = np.minimum(1.0, 1.0 / envelope.astype(np.float64))
    n = need.size
    held = np.array([need[max(0, t - hold) : min(n, t + look)].min() for t in range(n)])
    expected = np.array([held[max(0, t - look + 1) : t + 1].mean() for t in range(n)])
    # At the start the box is shorter; scipy repeats the edge value ("nearest"), which is 1 there too.
    np.testing.assert_allclose(gain[look:], expected[look:], atol=1e-12)
    assert gain[2500] <= 1 / 2.4 + 1e-12 and gain[5990] <= 1 / 3.0 + 1e-12
    assert gain[1500] == 1.0


def test_the_gain_is_a_function_of_the_audio_on_a_grid_so_a_small_edit_keeps_it(scenes):
    total = scenes[-1].end
    audio, joined = assemble(scenes, total, RATE)
    first = master(audio, joined, -16.0, -1.0, RATE)
    assert first.gain_db == on_grid(first.gain_db)
    assert abs(first.integrated_lufs + 16.0) < LOUDNESS_TOLERANCE_LU
    # A small edit: one scene 0.05 dB quieter. The gain, searched from the audio alone, lands on the same step
    # of the grid, so the untouched scenes come out sample-identical.
    quieter = [
        scenes[0],
        scenes[1],
        Segment(scenes[2].start, scenes[2].audio * 0.994, analyse(scenes[2].audio * 0.994, RATE)),
    ]
    audio2, joined2 = assemble(quieter, total, RATE)
    kept = master(audio2, joined2, -16.0, -1.0, RATE)
    assert kept.gain_db == first.gain_db
    assert abs(kept.integrated_lufs + 16.0) < LOUDNESS_TOLERANCE_LU
    untouched = slice(0, scenes[1].start)
    np.testing.assert_array_equal(kept.audio[untouched], first.audio[untouched])
    # A bigger change of loudness moves the gain, still to within the tolerance of the target.
    louder = [Segment(s.start, s.audio * 0.7, analyse(s.audio * 0.7, RATE)) for s in scenes]
    audio3, joined3 = assemble(louder, total, RATE)
    moved = master(audio3, joined3, -16.0, -1.0, RATE)
    assert moved.gain_db != first.gain_db and moved.gain_db == on_grid(moved.gain_db)
    assert abs(moved.integrated_lufs + 16.0) < LOUDNESS_TOLERANCE_LU


def test_a_stable_stretch_is_mastered_ahead_exactly_as_the_whole_film(scenes):
    """Where a stretch depends on one scene alone, `master_stretch` (at the gain the master keeps) gives the
    master's very samples, limiter dips included, before the film is joined; one margin closer to a seam it
    would not."""
    total = scenes[-1].end
    audio, joined = assemble(scenes, total, RATE)
    kept = master(audio, joined, -14.0, -1.0, RATE)
    stretches = stable_stretches(scenes, RATE)
    assert {id(seg) for seg, _, _ in stretches} == {id(s) for s in scenes}
    limited = 0
    for seg, a, b in stretches:
        ahead = master_stretch(seg, a, b, kept.gain_db, -1.0, RATE)
        np.testing.assert_array_equal(ahead, kept.audio[a:b])
        limited += int(np.any(np.abs(ahead) < np.abs(audio[a:b] * np.float32(10 ** (kept.gain_db / 20))) - 1e-6))
        assert a >= seg.start and b <= seg.end
    assert limited, "the limiter never acted inside a stable stretch: the test proves nothing about its dips"
    # The second scene overlaps the third: their stretches stop short of the overlap.
    second, third = scenes[1], scenes[2]
    assert max(b for seg, _, b in stretches if seg is second) < third.start
    assert min(a for seg, a, _ in stretches if seg is third) > second.end
    # Right at a seam the scene's own analysis is not the film's: a stretch there would differ.
    seg = scenes[2]
    seam = master_stretch(seg, seg.start, seg.start + RATE // 10, kept.gain_db, -1.0, RATE)
    assert not np.array_equal(seam, kept.audio[seg.start : seg.start + RATE // 10])
