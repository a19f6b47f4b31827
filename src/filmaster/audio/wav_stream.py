"""A 16-bit PCM WAV written block by block, atomically, whose blocks may be copied from an earlier version of it.

The film's mix is written as it is mastered, so it is never whole in memory; a block the last master already
wrote identically is copied from the last file instead of being made again.
"""

from __future__ import annotations

import wave
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from ..errors import AudioError
from .wavio import to_pcm16


class WavBlockWriter:
    def __init__(self, out: wave.Wave_write, target: Path, previous: wave.Wave_read | None) -> None:
        self._out, self._target, self._previous = out, target, previous
        self.written = 0  # sample frames so far: blocks must come in order, without gaps

    def write(self, lo: int, hi: int, block: np.ndarray | None, previous_lo: int | None = None) -> None:
        """Samples [lo, hi) of the file: `block` (float, (hi - lo, channels)), or, when None, the same number of
        frames of the previous file from `previous_lo` (default `lo`)."""
        if lo != self.written:
            raise AudioError(f"cannot write {self._target}: block at sample {lo} after {self.written} samples")
        if block is None:
            if self._previous is None:
                raise AudioError(f"cannot copy into {self._target}: there is no previous file to copy from")
            self._previous.setpos(lo if previous_lo is None else previous_lo)
            raw = self._previous.readframes(hi - lo)
        else:
            if not np.isfinite(block).all():
                raise AudioError(
                    f"cannot write {self._target}: audio holds NaN or infinite samples; check the stage that made it"
                )
            raw = memoryview(np.ascontiguousarray(to_pcm16(np.asarray(block, dtype=np.float32)))).cast("B")
        if len(raw) != (hi - lo) * self._out.getnchannels() * 2:
            raise AudioError(f"cannot write {self._target}: block [{lo}, {hi}) has the wrong number of samples")
        self._out.writeframesraw(raw)
        self.written = hi


@contextmanager
def wav_blocks(target: Path, channels: int, sample_rate: int, previous: Path | None = None) -> Iterator[WavBlockWriter]:
    """Write `target` block by block; it replaces the old file only when the last block is written. `previous`
    (usually the old `target`) is kept open for copying until then."""
    with ExitStack() as stack:
        old = None
        if previous is not None and previous.is_file():
            old = stack.enter_context(wave.open(str(previous), "rb"))
            if (old.getnchannels(), old.getsampwidth(), old.getframerate()) != (channels, 2, sample_rate):
                raise AudioError(f"cannot copy from {previous}: not {channels}-channel 16-bit PCM at {sample_rate} Hz")
        tmp = stack.enter_context(atomic_path(target))
        out = stack.enter_context(wave.open(str(tmp), "wb"))
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        yield WavBlockWriter(out, target, old)
