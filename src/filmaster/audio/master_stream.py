"""The master bus in bounded memory: `master`'s arithmetic, run over the film bus block by block.

Two passes. The first reads the bus once, block by block, and keeps only what is small: the K-weighted energy of
each 100 ms hop (all the BS.1770 gates need) and the largest true-peak envelope value of each 1024-sample chunk
(where a gain could make the limiter act). Gain and limiting then alternate as in `master`, each try made block
by block, the limiter's envelope read only around chunks that go over the ceiling near the block. The second pass
writes each block of the master as it is made. A block's summary and its part of each try are cached by the
content of the scenes it hears and the gain (`BlockMemo`), and a block the last master already wrote at the same
gain is left where it is: a one-line edit that keeps the gain reads, tries and writes only its scene's blocks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .film_bus import BusSamples, FilmBus, context
from .loudness import PEAK_REACH, blocks_from_hops, gated_loudness, hop_samples, peak_envelope
from .master import (
    FILTER_SETTLE_S,
    FILTER_WARMUP_S,
    LOOKAHEAD_S,
    RELEASE_S,
    Regions,
    gain_search,
    hops_under_limiting,
    limited,
    limiter_dips,
    limiter_reach,
    merge_spans,
    to_dbtp,
    true_runs,
)

CHUNK = 1024  # samples per entry of the peak index
BLOCK_HOPS = 240  # hops per block: 24 s at 48 kHz (a block is whole hops and whole chunks at 48 kHz)


def block_samples(sample_rate: int, block_hops: int = BLOCK_HOPS) -> int:
    """Samples per block: whole 100 ms hops (so hop sums join exactly) and whole peak-index chunks."""
    hops = hop_samples(sample_rate) * block_hops
    return hops * CHUNK // math.gcd(hops, CHUNK)


def block_spans(total: int, sample_rate: int, block_hops: int = BLOCK_HOPS) -> list[tuple[int, int]]:
    return spans_of(total, block_samples(sample_rate, block_hops))


def spans_of(total: int, size: int) -> list[tuple[int, int]]:
    """[lo, hi) of each block of `size` samples (the last one shorter) over `total` samples."""
    return [(lo, min(total, lo + size)) for lo in range(0, total, size)]


def influence(sample_rate: int) -> int:
    """How far from a block a sample over the ceiling can change that block's master: its limiter dip reaches the
    block, or the filters that measure the block's loudness are still settling after it."""
    look, hold = round(LOOKAHEAD_S * sample_rate), round(RELEASE_S * sample_rate)
    return round((FILTER_WARMUP_S + FILTER_SETTLE_S) * sample_rate) + hold + 2 * look + 2 * CHUNK + 2 * PEAK_REACH


def _window_pad(sample_rate: int) -> int:
    """Envelope read either side of a chunk over the ceiling, so that the limiter sees every run it would merge."""
    return 2 * limiter_reach(sample_rate) + CHUNK


def output_margin(sample_rate: int) -> int:
    """How far from a block the bus can change anything the master computes for it (the block key's reach)."""
    return influence(sample_rate) + _window_pad(sample_rate) + sum(context(sample_rate))


@dataclass(frozen=True)
class BlockSummary:
    hops: np.ndarray  # float64: energy summed over each whole 100 ms hop of the block
    peaks: np.ndarray  # float32: largest envelope value in each CHUNK of the block


class BlockMemo:
    """Where a block's results (small float64 arrays, by content key) are kept between runs; this one keeps none."""

    def get(self, key: str) -> np.ndarray | None:
        return None

    def put(self, key: str, packed: np.ndarray) -> None:
        return None


@dataclass(frozen=True)
class StreamedMaster:
    integrated_lufs: float
    true_peak_dbtp: float
    gain_db: float
    trim_db: float  # the final static trim (0 unless a residue went over the ceiling)
    blocks: list[str]  # each block's content key, in order: a later master may copy the blocks that keep theirs
    copied: int  # how many blocks the last master wrote, kept rather than made


Writer = Callable[[int, int, str, np.ndarray | None], None]  # (lo, hi, block key, block or None: keep the last one)


def block_key(bus: FilmBus, lo: int, hi: int, margin: int, key_of: Callable[..., str]) -> str:
    """The content key of what decides block [lo, hi): the scenes heard within `margin` of it, where they sit."""
    wlo, whi = max(0, lo - margin), min(bus.total, hi + margin)
    heard = [(seg.key, seg.start - lo, seg.samples) for seg in bus.overlapping(wlo, whi)]
    return key_of("bus-block", heard, wlo - lo, whi - lo, bus.sample_rate)


def summarise(bus: FilmBus, spans: list[tuple[int, int]], keys: list[str], memo: BlockMemo) -> BlockSummary:
    """Pass one: the film's hop energies and peak index, from the memo where a block's key is known."""
    hops, peaks = [], []
    for (lo, hi), key in zip(spans, keys, strict=True):
        packed = memo.get(key)
        summary = _unpack_summary(packed) if packed is not None else None
        if summary is None:
            _, analysis = bus.window(lo, hi)
            hop = hop_samples(bus.sample_rate)
            count = (hi - lo) // hop
            energy = analysis.energy[: count * hop].reshape(count, hop).sum(axis=1, dtype=np.float64)
            padded = np.zeros(-(-(hi - lo) // CHUNK) * CHUNK, dtype=np.float32)
            padded[: hi - lo] = analysis.envelope
            summary = BlockSummary(hops=energy, peaks=padded.reshape(-1, CHUNK).max(axis=1))
            memo.put(key, np.concatenate([[energy.shape[0]], energy, summary.peaks.astype(np.float64)]))
        hops.append(summary.hops)
        peaks.append(summary.peaks)
    return BlockSummary(hops=np.concatenate(hops or [np.zeros(0)]), peaks=np.concatenate(peaks or [np.zeros(0)]))


def master_streamed(
    bus: FilmBus,
    target_lufs: float,
    max_true_peak_db: float,
    write: Writer,
    *,
    memo: BlockMemo | None = None,
    key_of: Callable[..., str],
    reusable: Callable[[str, int, float, float], bool] = lambda key, lo, gain_db, trim_db: False,
    block_hops: int = BLOCK_HOPS,
) -> StreamedMaster:
    """What `master(assemble(...))` makes, written block by block through `write`; memory stays a few blocks.

    `reusable(key, lo, gain_db, trim_db)` says whether the last master wrote this very block (that key, at sample
    `lo`, at that gain and trim) where `write` writes; such a block is handed to `write` as None (keep it).
    """
    rate, total = bus.sample_rate, bus.total
    memo = memo or BlockMemo()
    spans = block_spans(total, rate, block_hops)
    margin = output_margin(rate)
    keys = [block_key(bus, lo, hi, margin, key_of) for lo, hi in spans]
    summary = summarise(bus, spans, keys, memo)
    base, source = summary.hops, BusSamples(bus, "audio")
    measured = gated_loudness(blocks_from_hops(base, rate))
    if measured == float("-inf"):  # silence (or under 400 ms): passed through, as `master` does
        for (lo, hi), key in zip(spans, keys, strict=True):
            write(lo, hi, key, np.array(source[lo:hi]))
        peak = float(summary.peaks.max()) if summary.peaks.size else 0.0
        return StreamedMaster(measured, to_dbtp(peak), 0.0, 0.0, keys, 0)
    search = gain_search(measured, target_lufs)  # the same search as `master`, each try made (or recalled) per block
    gain_db = next(search)
    while True:
        tries = [
            _block_try(bus, summary, lo, hi, key, gain_db, max_true_peak_db, memo, key_of)
            for (lo, hi), key in zip(spans, keys, strict=True)
        ]
        measured = gated_loudness(blocks_from_hops(np.concatenate([hops for hops, _ in tries]), rate))
        try:
            gain_db = search.send(measured)
        except StopIteration:
            break
    peak = to_dbtp(max(block_peak for _, block_peak in tries))
    trim = peak - max_true_peak_db + 0.01 if peak > max_true_peak_db else 0.0
    gain = 10.0 ** (gain_db / 20.0)
    copied = 0
    for (lo, hi), key in zip(spans, keys, strict=True):
        if reusable(key, lo, gain_db, trim):
            write(lo, hi, key, None)
            copied += 1
            continue
        regions = _regions(bus, summary.peaks, gain, max_true_peak_db, lo, hi)
        out = limited(source, gain, regions, lo, hi)  # type: ignore[arg-type]
        if trim:
            out *= np.float32(10.0 ** (-trim / 20.0))
        write(lo, hi, key, out)
    return StreamedMaster(measured - trim, peak - trim, gain_db, trim, keys, copied)


def _unpack_summary(packed: np.ndarray) -> BlockSummary | None:
    hops = int(packed[0]) if packed.size else -1
    if hops < 0 or packed.size < 1 + hops:
        return None
    return BlockSummary(hops=packed[1 : 1 + hops], peaks=packed[1 + hops :].astype(np.float32))


def _block_try(
    bus: FilmBus,
    summary: BlockSummary,
    lo: int,
    hi: int,
    key: str,
    gain_db: float,
    max_true_peak_db: float,
    memo: BlockMemo,
    key_of: Callable[..., str],
) -> tuple[np.ndarray, float]:
    """Block [lo, hi)'s part of one gain try: its hop energies and true peak (linear) under limiting, as the
    whole film's try finds them there. Recalled by the block's content and the gain: after an edit that keeps
    the gain, only the blocks the edit reached are tried again."""
    memo_key = key_of("bus-try", key, gain_db, max_true_peak_db)
    packed = memo.get(memo_key)
    rate = bus.sample_rate
    hop = hop_samples(rate)
    first, last = lo // hop, hi // hop  # blocks are whole hops; the film's last, partial hop belongs to none
    if packed is not None and packed.shape == (last - first + 1,):
        return packed[:-1], float(packed[-1])
    gain = 10.0 ** (gain_db / 20.0)
    regions = _regions(bus, summary.peaks, gain, max_true_peak_db, lo, hi)
    source, energy = BusSamples(bus, "audio"), BusSamples(bus, "energy")
    # The film's hops at this gain, corrected where these regions limit: exact within the block.
    film = hops_under_limiting(source, regions, energy, summary.hops, gain, rate)  # type: ignore[arg-type]
    hops = film[first:last].copy()  # a view would keep the film-long array alive for every block
    peak = _peak(bus, summary.peaks, regions, gain, lo, hi)
    memo.put(memo_key, np.append(hops, peak))
    return hops, peak


def _regions(bus: FilmBus, peaks: np.ndarray, gain: float, max_true_peak_db: float, lo: int, hi: int) -> Regions:
    """The limiter's dips that reach block [lo, hi) or its loudness, as `limiter_dips` finds them on the film-long
    envelope, reading the envelope only around the chunks near the block that go over the ceiling."""
    rate = bus.sample_rate
    ceiling = 10.0 ** ((max_true_peak_db - 0.05) / 20.0)  # `limiter_dips`'s aim
    reach = influence(rate)
    first = max(0, lo - reach) // CHUNK
    hot = first + np.flatnonzero(peaks[first : -(-(hi + reach) // CHUNK)] * np.float32(gain) > ceiling)
    if hot.size == 0:
        return []
    pad = _window_pad(rate)
    windows = merge_spans([(c * CHUNK - pad, (c + 1) * CHUNK + pad) for c in hot.tolist()], bus.total)
    regions: Regions = []
    for wlo, whi in windows:
        _, analysis = bus.window(wlo, whi)
        found = limiter_dips(analysis.envelope, gain, max_true_peak_db, rate)
        regions += [(a + wlo, b + wlo, dip) for a, b, dip in found]
    return regions


def _peak(bus: FilmBus, peaks: np.ndarray, regions: Regions, gain: float, block_lo: int, block_hi: int) -> float:
    """True peak (linear) of block [block_lo, block_hi) of the master, as `_peak_under_limiting` finds it on the
    film: from the peak index away from the limiter's dips and from the bus around them."""
    rate, total = bus.sample_rate, bus.total
    near = merge_spans([(a - PEAK_REACH, b + PEAK_REACH) for a, b, _ in regions], total)
    near = [(max(a, block_lo), min(b, block_hi)) for a, b in near if a < block_hi and b > block_lo]
    offset = block_lo // CHUNK  # blocks are whole chunks
    index = peaks[offset : -(-block_hi // CHUNK)]
    touched = np.zeros(index.shape[0], dtype=bool)
    for a, b in near:
        touched[a // CHUNK - offset : -(-b // CHUNK) - offset] = True
    peak = float(index[~touched].max()) * gain if (~touched).any() else 0.0
    source = BusSamples(bus, "audio")
    for first, last in true_runs(touched):  # the parts of touched chunks that lie away from every dip
        lo, hi = (first + offset) * CHUNK, min(total, (last + offset) * CHUNK)
        _, analysis = bus.window(lo, hi)
        away = np.ones(hi - lo, dtype=bool)
        for a, b in near:
            if a < hi and b > lo:
                away[max(a, lo) - lo : min(b, hi) - lo] = False
        if away.any():
            peak = max(peak, float(analysis.envelope[away].max()) * gain)
    for a, b in near:
        lo, hi = max(0, a - PEAK_REACH), min(total, b + PEAK_REACH)
        oversampled = peak_envelope(limited(source, gain, regions, lo, hi), rate)  # type: ignore[arg-type]
        peak = max(peak, float(oversampled[a - lo : b - lo].max()))
    return peak
