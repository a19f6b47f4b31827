import numpy as np
from scipy.signal import fftconvolve

from filmaster.audio.dsp import (
    convolve_long,
    db_to_gain,
    fade,
    fit_length,
    gain_to_db,
    resample,
    rms_db,
    to_stereo,
    trim_silence,
)


def _peak_frequency(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1 / rate)[np.argmax(spectrum)])


def test_db_helpers_are_inverse():
    assert abs(db_to_gain(-6.0206) - 0.5) < 1e-4
    assert abs(gain_to_db(0.1) + 20.0) < 1e-9
    assert gain_to_db(0.0) == -200.0


def test_resample_keeps_frequency_and_duration():
    src = 22050
    t = np.arange(src) / src
    x = np.sin(2 * np.pi * 440.0 * t).astype(np.float32)
    y = resample(x, src, 48000)
    assert y.dtype == np.float32 and y.shape == (48000,)
    assert abs(_peak_frequency(y, 48000) - 440.0) < 2.0
    assert abs(rms_db(y[4800:-4800]) - rms_db(x[2205:-2205])) < 0.1


def test_resample_from_non_integer_rate_is_a_pitch_shift():
    x = np.sin(2 * np.pi * 200.0 * np.arange(22050) / 22050)
    y = resample(x, 22050 * 1.25, 48000)  # read as if recorded 25 % faster
    assert abs(_peak_frequency(y, 48000) - 250.0) < 2.0
    assert abs(y.shape[0] - 48000 / 1.25) <= 2


def test_fades_are_silent_at_the_ends_and_untouched_in_the_middle():
    x = np.ones((1000, 2), dtype=np.float32)
    y = fade(x, 1000, fade_in_s=0.1, fade_out_s=0.2)
    assert y[0, 0] == 0.0 and y[-1, 1] == 0.0
    assert np.all(y[100:800] == 1.0)
    assert np.all(np.diff(y[:100, 0]) >= 0) and np.all(np.diff(y[800:, 0]) <= 0)


def test_trim_silence_keeps_a_margin():
    rate = 1000
    x = np.concatenate([np.zeros(500), np.ones(300) * 0.5, np.zeros(700)])
    y = trim_silence(x, rate, keep_s=0.05)
    assert y.shape[0] == 300 + 2 * 50


def test_shape_helpers():
    assert to_stereo(np.zeros(5)).shape == (5, 2)
    assert fit_length(np.ones((3, 2)), 5).shape == (5, 2)
    assert fit_length(np.ones(9), 4).shape == (4,)


def test_convolve_long_matches_direct_convolution():
    rng = np.random.default_rng(3)
    audio = rng.standard_normal((70_000, 2)).astype(np.float32)
    response = rng.standard_normal((9_000, 2)) * np.exp(-np.arange(9_000) / 2_000)[:, None]
    expected = np.column_stack([fftconvolve(audio[:, c], response[:, c])[:70_000] for c in range(2)])
    got = convolve_long(audio, response, block=1 << 14)  # several blocks, and the response spans block edges
    assert got.shape == audio.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-4 * np.abs(expected).max())
