"""The few filters every re-mix needs, in numpy alone.

scipy.signal takes over a second to import (scipy 1.16+ rewrites every docstring at import time) and scipy.ndimage
a third of one, which is more than a one-line edit spends filtering. Measuring loudness, compressing a line,
ducking the beds, limiting the master, resampling a voice and darkening a reverb need only what is here; each is
tested against scipy's own function (tests/audio/test_filters.py). The procedural ambience beds, rendered rarely
and then cached, still use scipy.signal.
"""

from __future__ import annotations

import math
from functools import cache
from math import gcd
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

_TAIL = 1e-17  # an impulse response is cut where its poles have decayed below this (float64 resolution)


def kaiser_lowpass(numtaps: int, cutoff: float, beta: float) -> np.ndarray:
    """A linear-phase low-pass FIR: the ideal (sinc) response windowed by Kaiser(`beta`), unit gain at DC;
    `cutoff` is relative to Nyquist (as in scipy.signal.firwin)."""
    m = np.arange(numtaps) - (numtaps - 1) / 2.0
    taps = cutoff * np.sinc(cutoff * m) * np.kaiser(numtaps, beta)
    return taps / taps.sum()


def butter2_lowpass(cutoff: float) -> np.ndarray:
    """Second-order Butterworth low-pass as one second-order section [b0, b1, b2, 1, a1, a2]; `cutoff` relative
    to Nyquist. The analogue prototype through the bilinear transform, its corner pre-warped to land exactly."""
    k = math.tan(math.pi * cutoff / 2.0)
    norm = 1.0 / (1.0 + math.sqrt(2.0) * k + k * k)
    b0 = k * k * norm
    return np.array([[b0, 2.0 * b0, b0, 1.0, 2.0 * (k * k - 1.0) * norm, (1.0 - math.sqrt(2.0) * k + k * k) * norm]])


def sos_filter(sos: np.ndarray, x: np.ndarray) -> np.ndarray:
    """`x` ((n,) or (n, channels)) through cascaded second-order sections, from rest, along axis 0 (float64).

    A stable filter's impulse response dies away geometrically; cut where it is below float64's resolution, its
    convolution with `x` (by FFT, overlap-add) is the recursive filter's output to ~1e-15.
    """
    response = _impulse_response(np.asarray(sos, dtype=np.float64).tobytes())
    return fft_convolve(np.asarray(x, dtype=np.float64), response)


@cache
def _impulse_response(sos_bytes: bytes) -> np.ndarray:
    sos = np.frombuffer(sos_bytes, dtype=np.float64).reshape(-1, 6)
    radius = max(max(abs(np.roots(section[3:])), default=0.0) for section in sos)
    if radius >= 1.0:
        raise ValueError("unstable filter: a pole on or outside the unit circle")
    # r^n < tail, with room for repeated poles (n r^n) and the cascade.
    length = 64 if radius == 0 else math.ceil(1.5 * math.log(_TAIL) / math.log(radius)) + 64 * len(sos)
    signal = [0.0] * length
    signal[0] = 1.0
    for b0, b1, b2, a0, a1, a2 in sos.tolist():  # direct form I; a short loop, once per filter
        b0, b1, b2, a1, a2 = b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0
        x1 = x2 = y1 = y2 = 0.0
        out = []
        for x0 in signal:
            y0 = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            out.append(y0)
            x2, x1, y2, y1 = x1, x0, y1, y0
        signal = out
    return np.array(signal)


def fft_convolve(x: np.ndarray, response: np.ndarray) -> np.ndarray:
    """`x` ((n,) or (n, channels)) convolved with a 1-D `response`, cut to n samples (overlap-add, float64)."""
    data = x[:, None] if x.ndim == 1 else x
    n, m = data.shape[0], response.shape[0]
    size = 1 << max(16, (4 * m - 1).bit_length())
    step = size - m + 1
    spectrum = np.fft.rfft(response, size)[:, None]
    out = np.zeros((n + size, data.shape[1]))
    for start in range(0, n, step):
        block = np.fft.rfft(data[start : start + step], size, axis=0)
        out[start : start + size] += np.fft.irfft(block * spectrum, size, axis=0)
    out = out[:n]
    return out[:, 0] if x.ndim == 1 else out


# Samples per step of `one_pole`'s running sum: a signal filtered in pieces that are multiples of it goes through
# the very same arithmetic as when filtered whole.
ONE_POLE_STEP = 4096


def one_pole(x: np.ndarray, alpha: float, state: float = 0.0) -> np.ndarray:
    """y[n] = (1 - alpha) x[n] + alpha y[n - 1] for 1-D `x` (a smoother with time constant -1/ln(alpha)
    samples), y[-1] = `state` (0: from rest; the last output of the previous piece: a signal filtered in pieces),
    computed in blocks: within one, y is a scaled running sum of x weighted by alpha^-k."""
    x = np.asarray(x, dtype=np.float64)
    if not 0.0 < alpha < 1.0:
        return x * (1.0 - alpha) if alpha == 0.0 else x.copy()
    # Blocks short enough that alpha^-block stays modest, so the running sum keeps its precision.
    block = max(1, min(ONE_POLE_STEP, int(math.log(1e6) / -math.log(alpha))))
    k = np.arange(block)
    rise = alpha ** (k + 1.0)  # alpha^(i+1): the state carried into sample i of a block
    weight = alpha ** -k.astype(np.float64)
    y = np.empty_like(x)
    for start in range(0, x.shape[0], block):
        xb = x[start : start + block]
        m = xb.shape[0]
        yb = rise[:m] * state + (1.0 - alpha) * (rise[:m] / alpha) * np.cumsum(xb * weight[:m])
        y[start : start + m] = yb
        state = float(yb[-1])
    return y


def resample_rational(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """`x` ((n,) or (n, channels)) resampled by up/down along axis 0 with a Kaiser-windowed sinc (beta 5, 10
    zero crossings each side): the same output as scipy.signal.resample_poly(x, up, down, axis=0), evaluated
    polyphase (each output sample reads ~20 input samples) instead of filtering the zero-stuffed signal."""
    g = gcd(up, down)
    up, down = up // g, down // g
    data = np.asarray(x, dtype=np.float64)
    if up == down == 1:
        return data.copy()
    n_in = data.shape[0]
    n_out = -(-n_in * up // down)
    table, skip = _polyphase_table(up, down)
    span = table.shape[1]
    flat = data.reshape(n_in, -1)
    silence = np.zeros((span, flat.shape[1]))
    padded = np.concatenate([silence, flat, silence, silence])  # every sample a tap reaches exists
    reversed_taps = table[:, ::-1]
    out = np.empty((n_out, flat.shape[1]))
    # Outputs `up` apart use the same phase of the filter and inputs `down` apart: each such family is one
    # matrix product of strided windows of the input (views, not copies) with that phase's taps.
    for first in range(min(up, n_out)):
        t = (first + skip) * down  # the output's position on the zero-stuffed grid
        phase, newest = t % up, t // up  # the filter phase it uses, and the newest input sample it reads
        count = len(range(first, n_out, up))
        for channel in range(flat.shape[1]):
            windows = sliding_window_view(padded[:, channel], span)
            out[first::up, channel] = windows[newest + 1 : newest + 1 + down * count : down] @ reversed_taps[phase]
    return out.reshape((n_out, *data.shape[1:]))


@cache
def _polyphase_table(up: int, down: int) -> tuple[np.ndarray, int]:
    """The interpolating filter (gain `up`) split by phase: row p holds the taps p, p + up, ... (zeros past its
    end); and how many output samples of the zero-stuffed convolution come before the signal's first."""
    rate = max(up, down)
    half = 10 * rate
    taps = kaiser_lowpass(2 * half + 1, 1.0 / rate, 5.0) * up
    pre_pad = down - half % down  # taps shifted so that output sample 0 sits on input sample 0
    padded = np.concatenate([np.zeros(pre_pad), taps])
    span = -(-padded.shape[0] // up)
    padded = np.concatenate([padded, np.zeros(span * up - padded.shape[0])])
    return padded.reshape(span, up).T.copy(), (half + pre_pad) // down


# scipy.ndimage's boundary modes, as numpy.pad names them.
_PAD_MODES: dict[str, Literal["edge", "symmetric", "reflect"]] = {
    "nearest": "edge",
    "reflect": "symmetric",
    "mirror": "reflect",
}


def _windowed(x: np.ndarray, size: int, origin: int, mode: str) -> np.ndarray:
    """`x` padded as scipy.ndimage pads it and cut so that output i's window is [i, i + size) of the result:
    scipy's window at i starts at i - size // 2 - origin."""
    if size < 1 or not -(size // 2) <= origin <= (size - 1) // 2:
        raise ValueError(f"window of {size} samples with origin {origin}: the origin must lie inside the window")
    start = -(size // 2) - origin
    before, after = max(0, -start), max(0, start + size - 1)
    padded = np.pad(x, (before, after), mode=_PAD_MODES[mode])
    first = before + start
    return padded[first : first + x.shape[0] + size - 1]


def _sliding_extreme(x: np.ndarray, size: int, origin: int, mode: str, extreme: np.ufunc) -> np.ndarray:
    # van Herk / Gil-Werman: cut the padded signal into blocks of `size`; a window spans the end of one block and
    # the start of the next, so its extreme is that of a suffix and a prefix: three passes whatever the size.
    x = np.asarray(x)
    seg = _windowed(x, size, origin, mode)
    n, blocks = x.shape[0], -(-seg.shape[0] // size)
    fill = np.inf if extreme is np.minimum else -np.inf
    grid = np.full(blocks * size, fill, dtype=np.result_type(x.dtype, np.float32))
    grid[: seg.shape[0]] = seg
    grid = grid.reshape(blocks, size)
    prefix = extreme.accumulate(grid, axis=1).reshape(-1)
    suffix = extreme.accumulate(grid[:, ::-1], axis=1)[:, ::-1].reshape(-1)
    return extreme(suffix[:n], prefix[size - 1 : size - 1 + n]).astype(x.dtype, copy=False)


def sliding_max(x: np.ndarray, size: int, origin: int = 0, mode: str = "reflect") -> np.ndarray:
    """The largest value in each window of `size` samples of 1-D `x`: scipy.ndimage.maximum_filter1d."""
    return _sliding_extreme(x, size, origin, mode, np.maximum)


def sliding_min(x: np.ndarray, size: int, origin: int = 0, mode: str = "reflect") -> np.ndarray:
    """The smallest value in each window of `size` samples of 1-D `x`: scipy.ndimage.minimum_filter1d."""
    return _sliding_extreme(x, size, origin, mode, np.minimum)


def sliding_mean(x: np.ndarray, size: int, origin: int = 0, mode: str = "reflect") -> np.ndarray:
    """The mean of each window of `size` samples of 1-D `x` (float64): scipy.ndimage.uniform_filter1d."""
    seg = _windowed(np.asarray(x, dtype=np.float64), size, origin, mode)
    sums = np.concatenate([[0.0], np.cumsum(seg)])
    return (sums[size:] - sums[:-size]) / size
