"""The analysis of a signal pushed in blocks of any size is the whole signal's analysis."""

from __future__ import annotations

import numpy as np
import pytest

from filmaster.audio.analysis_stream import AnalysisStream
from filmaster.audio.master import Analysis, analyse

RATE = 48000


def test_blocks_of_any_size_are_analysed_as_the_whole_signal() -> None:
    rng = np.random.default_rng(5)
    n = 3 * RATE
    t = np.arange(n) / RATE
    audio = np.column_stack([0.3 * np.sin(2 * np.pi * 997.0 * t), 0.1 * rng.standard_normal(n)]).astype(np.float32)
    audio[RATE - 3] = 0.99  # an inter-sample peak right at a block's edge
    whole = analyse(audio, RATE)
    sizes = [7, 5, 30000, RATE - 30012, 11, 24000]  # blocks shorter than the interpolator's reach, and long ones
    got: list[tuple[int, Analysis]] = []
    stream = AnalysisStream(n, RATE, lambda lo, analysis: got.append((lo, analysis)))
    lo = 0
    for size in [*sizes, n]:
        hi = min(n, lo + size)
        stream.push(lo, audio[lo:hi])
        lo = hi
        if lo == n:
            break
    stream.finish()
    assert [first for first, _ in got] == sorted(first for first, _ in got) and got[0][0] == 0
    envelope = np.concatenate([a.envelope for _, a in got])
    energy = np.concatenate([a.energy for _, a in got])
    assert envelope.shape == energy.shape == (n,)
    np.testing.assert_allclose(envelope, whole.envelope, rtol=0, atol=1e-6)
    np.testing.assert_allclose(energy, whole.energy, rtol=1e-6, atol=1e-9)


def test_a_signal_that_stops_short_is_refused() -> None:
    stream = AnalysisStream(RATE, RATE, lambda lo, analysis: None)
    stream.push(0, np.zeros((RATE // 2, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="stopped at sample 24000 of 48000"):
        stream.finish()
    with pytest.raises(ValueError):
        stream.push(10, np.zeros((5, 2), dtype=np.float32))  # not where the last block ended
