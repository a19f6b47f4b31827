"""numpy filters measured against scipy.signal's (the reference, imported only here)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from filmaster.audio.filters import (
    butter2_lowpass,
    kaiser_lowpass,
    one_pole,
    resample_rational,
    sliding_max,
    sliding_mean,
    sliding_min,
    sos_filter,
)
from filmaster.audio.loudness import k_weighting

RATE = 48000


def _noise(n: int, channels: int = 2, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, channels))


@pytest.mark.parametrize("numtaps, cutoff, beta", [(65, 0.25, 6.0), (81, 0.2, 6.0), (6401, 1 / 320, 5.0)])
def test_kaiser_lowpass_equals_firwin(numtaps, cutoff, beta):
    expected = signal.firwin(numtaps, cutoff, window=("kaiser", beta))
    np.testing.assert_allclose(kaiser_lowpass(numtaps, cutoff, beta), expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("cutoff", [5000 / 24000, 0.02, 0.9])
def test_butter2_lowpass_equals_butter(cutoff):
    np.testing.assert_allclose(butter2_lowpass(cutoff), signal.butter(2, cutoff, output="sos"), atol=1e-13)


def test_sos_filter_equals_sosfilt_on_k_weighting_and_a_lowpass():
    x = _noise(3 * RATE)
    x[RATE] += 40.0  # a click: the slow high-pass must ring out the same
    k = np.array([np.concatenate([b, a]) for b, a in k_weighting(RATE)])
    for sos in (k, butter2_lowpass(0.01)):
        expected = signal.sosfilt(sos, x, axis=0)
        np.testing.assert_allclose(sos_filter(sos, x), expected, rtol=0, atol=1e-11 * np.abs(expected).max())
    mono = x[:, 0]
    np.testing.assert_allclose(sos_filter(k, mono), signal.sosfilt(k, mono), atol=1e-10)


def test_an_unstable_filter_is_refused():
    with pytest.raises(ValueError, match="unstable"):
        sos_filter(np.array([[1.0, 0.0, 0.0, 1.0, -2.0, 1.0]]), np.ones(10))


@pytest.mark.parametrize("alpha", [np.exp(-1 / (0.12 * RATE)), np.exp(-1 / 240), 0.5, 0.01])
def test_one_pole_equals_lfilter(alpha):
    x = np.abs(_noise(RATE * 2, 1)[:, 0]) * 20.0
    expected = signal.lfilter([1.0 - alpha], [1.0, -alpha], x)
    np.testing.assert_allclose(one_pole(x, alpha), expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("up, down, n", [(320, 147, 22050), (160, 147, 1234), (2, 1, 999), (1, 3, 1000), (4, 1, 7)])
def test_resample_rational_equals_resample_poly(up, down, n):
    x = _noise(n, 2, seed=up)
    expected = signal.resample_poly(x, up, down, axis=0)
    got = resample_rational(x, up, down)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12 * np.abs(expected).max())
    np.testing.assert_allclose(
        resample_rational(x[:, 0], up, down), expected[:, 0], atol=1e-12 * np.abs(expected).max()
    )


@pytest.mark.parametrize("mode", ["nearest", "reflect", "mirror"])
@pytest.mark.parametrize(("size", "origin"), [(1, 0), (2, 0), (2, -1), (5, 0), (5, -2), (5, 2), (240, -120), (97, 40)])
def test_sliding_filters_equal_scipy_ndimage(size, origin, mode):
    from scipy import ndimage

    rng = np.random.default_rng(size * 7 + origin)
    for n in (1, 3, 250, 1001):
        x = rng.standard_normal(n).astype(np.float32)
        np.testing.assert_array_equal(
            sliding_max(x, size, origin, mode), ndimage.maximum_filter1d(x, size, origin=origin, mode=mode)
        )
        np.testing.assert_array_equal(
            sliding_min(x, size, origin, mode), ndimage.minimum_filter1d(x, size, origin=origin, mode=mode)
        )
        wide = x.astype(np.float64)
        np.testing.assert_allclose(
            sliding_mean(wide, size, origin, mode),
            ndimage.uniform_filter1d(wide, size, origin=origin, mode=mode),
            rtol=0,
            atol=1e-12,
        )


def test_a_window_origin_outside_the_window_is_refused():
    with pytest.raises(ValueError, match="origin"):
        sliding_max(np.zeros(10), 4, origin=3)
