"""`analyse` of a signal that arrives a block at a time: the true-peak envelope and K-weighted energy of each block
as the whole signal's analysis has them there, from a few blocks' memory whatever the signal's length.

Both are filters, so a block's values depend on the signal just around it: the 4× oversampling interpolator reads
`PEAK_REACH` samples either side, and the K-weighting filters' response (computed as a convolution with their
impulse response, 0.25 s long) reads back `FILTER_WARMUP_S` (0.5 s) at most. Carrying that much of the signal from
one block to the next carries the filters' state: each block comes out once the `PEAK_REACH` samples after it are
in, equal to the whole signal's analysis there to float rounding (the FFT's).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .loudness import PEAK_REACH, peak_envelope, weighted_energy
from .master import FILTER_WARMUP_S, Analysis

Emit = Callable[[int, Analysis], None]  # (first sample of the block, its analysis)


class AnalysisStream:
    """Analyse `total` samples of (n, 2) float32 audio pushed in order, in blocks of any size; `emit` receives
    each block's analysis, in order, once it is known. `finish` checks that the whole signal came."""

    def __init__(self, total: int, sample_rate: int, emit: Emit) -> None:
        self.total, self.sample_rate, self.emit = total, sample_rate, emit
        self._warmup = round(FILTER_WARMUP_S * sample_rate)
        self._start = 0  # the sample `_audio` begins at
        self._audio = np.zeros((0, 2), dtype=np.float32)
        self._pending: list[tuple[int, int]] = []

    @property
    def _end(self) -> int:
        return self._start + self._audio.shape[0]

    def push(self, lo: int, audio: np.ndarray) -> None:
        if lo != self._end or lo + audio.shape[0] > self.total:
            raise ValueError(f"block at {lo} of {audio.shape[0]} samples after {self._end} of {self.total}")
        self._audio = np.concatenate([self._audio, np.asarray(audio, dtype=np.float32)])
        self._pending.append((lo, lo + audio.shape[0]))
        while self._pending and min(self.total, self._pending[0][1] + PEAK_REACH) <= self._end:
            a, b = self._pending.pop(0)
            self.emit(a, self._analyse(a, b))
        # Keep what the next block's filters read before it; a copy, so the rest is freed.
        keep = max(self._start, (self._pending[0][0] if self._pending else self._end) - self._warmup)
        self._audio, self._start = self._audio[keep - self._start :].copy(), keep

    def finish(self) -> None:
        if self._end != self.total or self._pending:
            raise ValueError(f"the signal stopped at sample {self._end} of {self.total}")

    def _span(self, lo: int, hi: int) -> np.ndarray:
        return self._audio[lo - self._start : hi - self._start]

    def _analyse(self, a: int, b: int) -> Analysis:
        lo, hi = max(0, a - PEAK_REACH), min(self.total, b + PEAK_REACH)
        envelope = peak_envelope(self._span(lo, hi), self.sample_rate)[a - lo : b - lo]
        lo = max(0, a - self._warmup)
        energy = weighted_energy(self._span(lo, b), self.sample_rate)[a - lo :]
        return Analysis(envelope=envelope.astype(np.float32), energy=energy.astype(np.float32))
