import numpy as np
import pyloudnorm
import pytest

from filmaster.audio.dsp import fade
from filmaster.audio.loudness import integrated_loudness, k_weighting, true_peak_dbtp
from filmaster.audio.master import LOUDNESS_TOLERANCE_LU, normalize

RATE = 48000


def _sine(freq: float, dbfs: float, seconds: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_k_weighting_reproduces_the_bs1770_table_at_48k():
    (shelf_b, shelf_a), (hp_b, hp_a) = k_weighting(48000)
    np.testing.assert_allclose(shelf_b, [1.53512485958697, -2.69169618940638, 1.19839281085285], atol=1e-9)
    np.testing.assert_allclose(shelf_a, [1.0, -1.69065929318241, 0.73248077421585], atol=1e-9)
    np.testing.assert_allclose(hp_b, [1.0, -2.0, 1.0])
    np.testing.assert_allclose(hp_a, [1.0, -1.99004745483398, 0.99007225036621], atol=1e-9)


def test_ebu_reference_sines():
    # EBU Tech 3341 case 1: a stereo 1 kHz sine at -23 dBFS reads -23.0 LUFS; one channel alone is 3 dB less.
    s = _sine(997.0, -23.0, 20.0)
    assert integrated_loudness(np.column_stack([s, s]), RATE) == pytest.approx(-23.0, abs=0.1)
    assert integrated_loudness(s, RATE) == pytest.approx(-26.0, abs=0.1)
    # and so a mono -20 dBFS sine reads -23.0, a stereo one -20.0
    s20 = _sine(997.0, -20.0, 20.0)
    assert integrated_loudness(s20, RATE) == pytest.approx(-23.0, abs=0.1)
    assert integrated_loudness(np.column_stack([s20, s20]), RATE) == pytest.approx(-20.0, abs=0.1)


def test_gates_ignore_silence_and_quiet_passages():
    loud = _sine(997.0, -20.0, 10.0)
    with_silence = np.concatenate([loud, np.zeros(RATE * 10, np.float32)])  # absolute gate
    with_quiet = np.concatenate([loud, _sine(997.0, -45.0, 10.0)])  # 25 LU below: relative gate
    ref = integrated_loudness(loud, RATE)
    # (the few blocks straddling the change still count: 0.1 LU)
    assert integrated_loudness(with_silence, RATE) == pytest.approx(ref, abs=0.1)
    assert integrated_loudness(with_quiet, RATE) == pytest.approx(ref, abs=0.1)
    assert integrated_loudness(with_silence, RATE) - ref > -0.2  # ungated it would be 3 dB lower
    assert integrated_loudness(np.zeros(RATE), RATE) == float("-inf")
    assert integrated_loudness(loud[: RATE // 5], RATE) == float("-inf")  # shorter than one block


@pytest.mark.parametrize("rate", [48000, 44100, 32000])
def test_agrees_with_pyloudnorm_on_noise(rate):
    rng = np.random.default_rng(rate)
    noise = rng.standard_normal((rate * 6, 2)) * 0.05
    noise[: rate * 2] *= 0.02  # a quiet start the gates have to deal with
    ours = integrated_loudness(noise, rate)
    assert ours == pytest.approx(pyloudnorm.Meter(rate).integrated_loudness(noise), abs=0.2)


def test_agrees_with_pyloudnorm_on_music(music_cue):
    ours = integrated_loudness(music_cue, RATE)
    reference = pyloudnorm.Meter(RATE).integrated_loudness(music_cue.astype(np.float64))
    assert ours == pytest.approx(reference, abs=0.2)


def test_true_peak_sees_between_the_samples():
    # A quarter-rate sine sampled 45° off its crest: every sample is at 0.5, the waveform peaks at 0.707.
    t = np.arange(RATE * 2)
    x = fade(0.7071 * np.sin(np.pi / 2 * t + np.pi / 4), RATE, 0.05, 0.05)
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-6.02, abs=0.05)
    assert true_peak_dbtp(x, RATE) == pytest.approx(-3.01, abs=0.1)


def test_normalize_hits_target_and_limits_true_peak(music_cue):
    # -9 LUFS is far louder than this score's crest factor allows under -1 dBTP: the limiter must work.
    out = normalize(music_cue, target_lufs=-9.0, max_true_peak_db=-1.0, sample_rate=RATE)
    assert out.shape == music_cue.shape and out.dtype == np.float32
    assert integrated_loudness(out, RATE) == pytest.approx(-9.0, abs=0.5)
    assert true_peak_dbtp(out, RATE) <= -1.0
    assert np.abs(out).max() < 1.0
    # limiting is a smooth gain, not clipping: the output stays proportional to the input sample by sample
    ratio = out[:, 0] / np.where(np.abs(music_cue[:, 0]) > 1e-3, music_cue[:, 0], np.nan)
    steps = np.abs(np.diff(ratio[np.isfinite(ratio)]))
    assert np.nanmax(steps) < 0.05 * np.nanmax(np.abs(ratio))


def test_normalize_quiet_input_needs_no_limiting():
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((RATE * 5, 2)) * 0.001).astype(np.float32)
    out = normalize(x, -23.0, -1.0, RATE)
    # The master's gain moves on a grid (GAIN_STEP_DB): it lands within half a step of the target.
    assert integrated_loudness(out, RATE) == pytest.approx(-23.0, abs=LOUDNESS_TOLERANCE_LU)
    np.testing.assert_allclose(out / x, (out / x)[0, 0], rtol=1e-4)  # a single static gain


@pytest.mark.parametrize("rate", [48000, 44100, 96000])
def test_peak_envelope_equals_upsampling_with_the_interpolator(rate):
    """The polyphase envelope is exactly the envelope of the zero-stuffed, filtered signal (scipy's reference),
    ends included."""
    from scipy.signal import resample_poly

    from filmaster.audio.loudness import _interpolator, _oversampling, peak_envelope

    rng = np.random.default_rng(7)
    x = (0.3 * rng.standard_normal((rate // 10, 2))).astype(np.float32)
    factor = _oversampling(rate)
    reference = np.zeros(x.shape[0])
    for channel in x.T:
        up = np.abs(resample_poly(channel, factor, 1, window=_interpolator(factor))[: factor * x.shape[0]])
        reference = np.maximum(reference, up.reshape(-1, factor).max(axis=1))
    np.testing.assert_allclose(peak_envelope(x, rate), reference, atol=1e-6)
