"""The film's pre-master bus, assembled on demand from scene premixes stored on disk, never held whole.

A feature's bus would be about 16 bytes a sample (stereo float32 audio, its true-peak envelope and K-weighted
energy): 5.5 GB for two hours. Here each scene's premix stays in its cached file and any stretch [lo, hi) of the
bus is assembled when asked for, from the scenes that sound in it, with enough context before and after that its
seams are measured as `assemble` measures them on the whole film (to float precision: the K-weighting filters
have settled long before `lo`). Memory is one window, whatever the film's length.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from .loudness import PEAK_REACH
from .master import FILTER_SETTLE_S, FILTER_WARMUP_S, Analysis, Segment, assemble


def unpack_segment(start: int, packed: np.ndarray) -> Segment:
    """A scene's premix stored as one flat float32 array: interleaved stereo, then envelope, then energy."""
    n = packed.shape[0] // 4
    return Segment(
        start=start,
        audio=packed[: 2 * n].reshape(n, 2),
        analysis=Analysis(envelope=packed[2 * n : 3 * n], energy=packed[3 * n :]),
    )


class SegmentWriter:
    """Fills a stored premix (see `unpack_segment`) a stretch at a time, by writes at their place in the file:
    neither the premix nor a map of the file is ever held in memory."""

    def __init__(self, fd: int, data_offset: int, samples: int) -> None:
        self._fd, self._offset, self.samples = fd, data_offset, samples

    def _put(self, first: int, values: np.ndarray) -> None:
        data = np.ascontiguousarray(values, dtype="<f4").data.cast("B")
        done = 0
        while done < len(data):  # a write may take fewer bytes than it was given
            done += os.pwrite(self._fd, data[done:], self._offset + 4 * first + done)

    def audio(self, lo: int, audio: np.ndarray) -> None:
        """Samples [lo, lo + len) of the premix, (len, 2)."""
        self._put(2 * lo, audio.reshape(-1))

    def analysis(self, lo: int, analysis: Analysis) -> None:
        self._put(2 * self.samples + lo, analysis.envelope)
        self._put(3 * self.samples + lo, analysis.energy)


@contextmanager
def segment_file(target: Path, samples: int) -> Iterator[SegmentWriter]:
    """Write a premix of `samples` samples into `target` (a .npy of 4 × samples float32) stretch by stretch; it
    replaces `target` only once the block returns, so a run stopped half way leaves no premix to be taken whole."""
    header = {"descr": "<f4", "fortran_order": False, "shape": (4 * samples,)}
    with atomic_path(target) as tmp, tmp.open("wb") as handle:
        np.lib.format.write_array_header_1_0(handle, header)
        handle.flush()
        data_offset = handle.tell()
        handle.truncate(data_offset + 16 * samples)
        yield SegmentWriter(handle.fileno(), data_offset, samples)


@dataclass(frozen=True)
class StoredSegment:
    """A scene premix in its cache file, placed `start` samples into the film; `key` names its content."""

    start: int
    samples: int
    path: Path
    key: str

    @property
    def end(self) -> int:
        return self.start + self.samples

    def open(self) -> Segment:
        """The segment mapped from disk: pages are read when touched and released when it is dropped."""
        return unpack_segment(self.start, np.load(self.path, mmap_mode="r"))


def stored_samples(path: Path) -> int:
    """How many samples a stored premix holds, from its .npy header alone."""
    return np.load(path, mmap_mode="r").shape[0] // 4  # maps the file; reads its header only


def context(sample_rate: int) -> tuple[int, int]:
    """Samples of context a window needs before and after it for its seams to be measured as on the whole film."""
    settle = round(FILTER_SETTLE_S * sample_rate)
    return round(FILTER_WARMUP_S * sample_rate) + settle + 4 * PEAK_REACH, settle + 4 * PEAK_REACH


class FilmBus:
    """`total` samples of the film's pre-master, the sum of `segments` (which may overlap or leave silence)."""

    def __init__(self, segments: Sequence[StoredSegment], total: int, sample_rate: int) -> None:
        self.segments = sorted(segments, key=lambda s: s.start)
        self.total = total
        self.sample_rate = sample_rate
        self._last: tuple[int, int, np.ndarray, Analysis] | None = None

    def overlapping(self, lo: int, hi: int) -> list[StoredSegment]:
        return [seg for seg in self.segments if seg.start < hi and seg.end > lo]

    def window(self, lo: int, hi: int) -> tuple[np.ndarray, Analysis]:
        """Samples [lo, hi) of the bus and their analysis, as `assemble` would give them for the whole film."""
        lo, hi = max(0, lo), min(self.total, hi)
        if self._last is not None and self._last[:2] == (lo, hi):  # audio and energy are often asked in turn
            return self._last[2], self._last[3]
        before, after = context(self.sample_rate)
        wlo, whi = max(0, lo - before), min(self.total, hi + after)
        pieces = []
        for stored in self.overlapping(wlo, whi):
            seg = stored.open()
            a, b = max(wlo, seg.start), min(whi, seg.end)
            inner = slice(a - seg.start, b - seg.start)
            pieces.append(
                Segment(
                    start=a - wlo,
                    audio=np.array(seg.audio[inner]),
                    analysis=Analysis(np.array(seg.analysis.envelope[inner]), np.array(seg.analysis.energy[inner])),
                )
            )
            del seg  # unmaps the file: its pages leave this process
        audio, analysis = assemble(pieces, whi - wlo, self.sample_rate)
        cut = slice(lo - wlo, hi - wlo)
        result = audio[cut], Analysis(envelope=analysis.envelope[cut], energy=analysis.energy[cut])
        self._last = (lo, hi, *result)
        return result


class BusSamples:
    """One field of the bus as an array-like: `[a:b]` assembles that stretch (so the master's helpers, written
    for arrays, run on the bus unchanged)."""

    def __init__(self, bus: FilmBus, field: str) -> None:
        self.bus = bus
        self.field = field
        self.shape = (bus.total, 2) if field == "audio" else (bus.total,)

    def __getitem__(self, span: slice) -> np.ndarray:
        if not isinstance(span, slice) or span.step not in (None, 1):
            raise TypeError("the film bus is read in contiguous stretches")
        lo, hi, _ = span.indices(self.bus.total)
        audio, analysis = self.bus.window(lo, max(lo, hi))
        return audio if self.field == "audio" else getattr(analysis, self.field)
