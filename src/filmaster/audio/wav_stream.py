"""A 16-bit PCM WAV written block by block: anew (atomically), or patched in place where blocks changed.

The film's mix is written as it is mastered, so it is never whole in memory. After an edit that keeps the
master's gain, only the blocks that changed are written into the existing file: the rest of a feature's
gigabyte of sound is not copied.
"""

from __future__ import annotations

import os
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from ..errors import AudioError
from .wavio import to_pcm16


def _pcm(target: Path, block: np.ndarray) -> memoryview:
    if not np.isfinite(block).all():
        raise AudioError(f"cannot write {target}: audio holds NaN or infinite samples; check the stage that made it")
    return memoryview(np.ascontiguousarray(to_pcm16(np.asarray(block, dtype=np.float32))).data).cast("B")


class WavBlockWriter:
    def __init__(self, out: wave.Wave_write, target: Path) -> None:
        self._out, self._target = out, target
        self.written = 0  # sample frames so far: blocks must come in order, without gaps

    def write(self, lo: int, hi: int, block: np.ndarray | None) -> None:
        """Samples [lo, hi) of the file, float in [-1, 1], shaped (hi - lo, channels)."""
        if block is None or lo != self.written or block.shape[0] != hi - lo:
            raise AudioError(f"cannot write {self._target}: block [{lo}, {hi}) after {self.written} samples")
        self._out.writeframesraw(_pcm(self._target, block))
        self.written = hi


@contextmanager
def wav_blocks(target: Path, channels: int, sample_rate: int) -> Iterator[WavBlockWriter]:
    """Write `target` block by block; it replaces the old file only once the last block is written."""
    with atomic_path(target) as tmp, wave.open(str(tmp), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        yield WavBlockWriter(out, target)


class WavPatcher:
    def __init__(self, fd: int, target: Path, data_offset: int, frame_bytes: int, frames: int) -> None:
        self._fd, self._target = fd, target
        self._offset, self._frame_bytes, self._frames = data_offset, frame_bytes, frames

    def write(self, lo: int, hi: int, block: np.ndarray | None) -> None:
        """Samples [lo, hi) replaced by `block`; None keeps what the file holds there."""
        if block is None:
            return
        if not 0 <= lo < hi <= self._frames or block.shape[0] != hi - lo:
            raise AudioError(f"cannot patch {self._target}: block [{lo}, {hi}) outside its {self._frames} samples")
        raw = _pcm(self._target, block)
        if len(raw) != (hi - lo) * self._frame_bytes:
            raise AudioError(f"cannot patch {self._target}: block [{lo}, {hi}) has another channel count")
        os.pwrite(self._fd, raw, self._offset + lo * self._frame_bytes)


@contextmanager
def wav_patch(target: Path) -> Iterator[WavPatcher]:
    """Patch blocks of an existing 16-bit PCM WAV in place (its length and format stay)."""
    try:
        with wave.open(str(target), "rb") as wav:
            frames, channels, width = wav.getnframes(), wav.getnchannels(), wav.getsampwidth()
    except (OSError, EOFError, wave.Error) as exc:
        raise AudioError(f"cannot patch {target}: {exc}; delete it and run again") from exc
    if width != 2:
        raise AudioError(f"cannot patch {target}: {8 * width}-bit samples, the mix is 16-bit; delete it and run again")
    data_offset = target.stat().st_size - frames * channels * width  # the data chunk ends the files we write
    fd = os.open(target, os.O_WRONLY)
    try:
        yield WavPatcher(fd, target, data_offset, channels * width, frames)
    finally:
        os.close(fd)
