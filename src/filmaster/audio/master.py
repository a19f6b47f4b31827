"""The master bus: one static gain to the loudness target, then a look-ahead true-peak limiter.

It works from an `Analysis` of the pre-master (its true-peak envelope and K-weighted energy per sample) rather
than from the audio alone, because an analysis can be made per scene, cached, and joined: after a one-line
edit only that scene is analysed again and the film is re-mastered from the joined analyses in about a second.
Both are exact to join: the envelope and the energy of a sample depend only on nearby samples, so only the
"seams" around each segment's ends are measured again on the joined audio (see `assemble`).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

from .filters import sliding_mean, sliding_min
from .loudness import (
    PEAK_REACH,
    blocks_from_hops,
    gated_loudness,
    hop_energies,
    hop_samples,
    peak_envelope,
    weighted_energy,
)

# After a discontinuity the K-weighting filters ring for a few ms (their slowest pole, the 38 Hz high-pass, decays
# by e^-12 in 50 ms); 50 ms after a seam, a segment's own energy equals the joined audio's to float precision.
FILTER_SETTLE_S = 0.05
# The master's gain moves in steps of 0.5 dB, so the film lands within a quarter of a LU of the target (the
# delivery specs allow ±1): a one-line edit moves a film's loudness by hundredths of a LU (a 90-minute film's by
# thousandths), so it nearly always lands on the same gain and every stretch it did not touch comes out
# sample-identical (the film's encoder reuses them), while the gain stays a function of the pre-master alone, never
# of what the folder mastered before. (At 0.05 dB steps a one-line edit of the_last_ferry moved the gain and
# re-encoded the whole film's sound.)
GAIN_STEP_DB = 0.5
LOUDNESS_TOLERANCE_LU = GAIN_STEP_DB / 2  # how close a new master lands to the target
FILTER_WARMUP_S = 0.5
LOOKAHEAD_S = 0.005  # the limiter's look-ahead
RELEASE_S = 0.08  # how long the limiter holds a dip after a peak
_BLOCK = 1 << 16  # samples per block where a film-long temporary is not needed


@dataclass(frozen=True)
class Analysis:
    """What the master bus needs to know about pre-master audio, sample by sample."""

    envelope: np.ndarray  # (n,) float32: largest |value| of the 4x-oversampled signal around each sample
    energy: np.ndarray  # (n,) float32: channel-weighted K-weighted square (see loudness.weighted_energy)

    @property
    def samples(self) -> int:
        return self.envelope.shape[0]


def analyse(audio: np.ndarray, sample_rate: int) -> Analysis:
    return Analysis(
        envelope=peak_envelope(audio, sample_rate).astype(np.float32),
        energy=weighted_energy(audio, sample_rate).astype(np.float32),
    )


@dataclass(frozen=True)
class Segment:
    """A stretch of pre-master audio ((n, 2) float32) and its analysis, placed `start` samples into the film."""

    start: int
    audio: np.ndarray
    analysis: Analysis

    @property
    def end(self) -> int:
        return self.start + self.audio.shape[0]


def assemble(segments: list[Segment], total: int, sample_rate: int) -> tuple[np.ndarray, Analysis]:
    """Sum segments into `total` samples of stereo audio and join their analyses.

    Segments may overlap (a line that rings past its scene's end) and leave gaps (silence). Away from their ends
    a segment's analysis is the film's; around each end, and wherever two overlap, envelope and energy are
    measured again on the summed audio.
    """
    audio = np.zeros((total, 2), dtype=np.float32)
    envelope = np.zeros(total, dtype=np.float32)
    energy = np.zeros(total, dtype=np.float32)
    settle = round(FILTER_SETTLE_S * sample_rate)
    seams: list[tuple[int, int]] = []
    placed: list[tuple[int, int]] = []
    for seg in sorted(segments, key=lambda s: s.start):
        a, b = max(0, seg.start), min(total, seg.end)
        if a >= b:
            continue
        inner = slice(a - seg.start, b - seg.start)
        audio[a:b] += seg.audio[inner]
        envelope[a:b] = seg.analysis.envelope[inner]  # overlaps are seams, measured again below
        energy[a:b] = seg.analysis.energy[inner]
        seams += [(edge - PEAK_REACH, edge + settle) for edge in (a, b)]
        seams += [(a, min(b, end)) for _, end in placed if end > a]  # overlaps with segments placed before
        placed.append((a, b))
    warmup = round(FILTER_WARMUP_S * sample_rate)
    for a, b in merge_spans(seams, total):
        lo, hi = max(0, a - PEAK_REACH), min(total, b + PEAK_REACH)
        envelope[a:b] = peak_envelope(audio[lo:hi], sample_rate)[a - lo : b - lo]
        lo = max(0, a - warmup)
        energy[a:b] = weighted_energy(audio[lo:b], sample_rate)[a - lo :]
    return audio, Analysis(envelope=envelope, energy=energy)


@dataclass(frozen=True)
class Mastered:
    audio: np.ndarray  # (n, 2) float32
    integrated_lufs: float  # measured on `audio`
    true_peak_dbtp: float  # measured on `audio`
    gain_db: float  # the static gain before limiting


def master(
    audio: np.ndarray,
    analysis: Analysis,
    target_lufs: float,
    max_true_peak_db: float,
    sample_rate: int = 48000,
) -> Mastered:
    """Gain `audio` to `target_lufs` integrated loudness with its true peak held at or under `max_true_peak_db`.

    Limiting lowers the loudness a little, so gain and limiting alternate a few times until both hold. Each try
    is measured exactly but cheaply: from the analysis, filtering again only where the limiter acts.

    The gain depends on the pre-master alone, never on what was mastered before (a film must not depend on the
    folder's history), and moves on a grid of `GAIN_STEP_DB` (see `gain_search`).
    """
    source = np.asarray(audio, dtype=np.float32)
    base = hop_energies(analysis.energy, sample_rate)  # the pre-master's energy per 100 ms hop
    measured = gated_loudness(blocks_from_hops(base, sample_rate))
    if measured == float("-inf"):  # silence (or under 400 ms) has no loudness to normalise
        peak = float(analysis.envelope.max()) if analysis.samples else 0.0
        return Mastered(source.copy(), measured, to_dbtp(peak), 0.0)
    search = gain_search(measured, target_lufs)
    gain_db = next(search)
    while True:
        gain = 10.0 ** (gain_db / 20.0)
        regions = limiter_dips(analysis.envelope, gain, max_true_peak_db, sample_rate)
        hops = hops_under_limiting(source, regions, analysis.energy, base, gain, sample_rate)
        measured = gated_loudness(blocks_from_hops(hops, sample_rate))
        try:
            gain_db = search.send(measured)
        except StopIteration:
            break
    peak = to_dbtp(_peak_under_limiting(source, regions, analysis.envelope, gain, sample_rate))
    # The output is made once, at the gain chosen: each try above computed it only where the limiter acts.
    out = limited(source, gain, regions, 0, source.shape[0])
    if peak > max_true_peak_db:  # any residue above the ceiling is removed by a final static trim
        trim = peak - max_true_peak_db + 0.01
        out *= np.float32(10.0 ** (-trim / 20.0))
        peak, measured = peak - trim, measured - trim
    return Mastered(out, measured, peak, gain_db)


Regions = list[tuple[int, int, np.ndarray]]  # the limiter's dips: (start, stop, gain of each sample between)


def limiter_dips(envelope: np.ndarray, gain: float, max_true_peak_db: float, sample_rate: int) -> Regions:
    # Aim a hair under the ceiling: the oversampling filter sees the gain curve's own slight ripple.
    return limiter_regions(envelope, sample_rate, max_true_peak_db - 0.05, gain=gain)


def limited(source: np.ndarray, gain: float, regions: Regions, lo: int, hi: int) -> np.ndarray:
    """Samples [lo, hi) of the master: `source` times `gain`, times the limiter's dips where it acts. Each
    output sample depends only on the source within `limiter_reach` of it."""
    out = source[lo:hi] * np.float32(gain)
    for a, b, dip in regions:
        if a < hi and b > lo:
            out[max(a, lo) - lo : min(b, hi) - lo] *= dip[max(a, lo) - a : min(b, hi) - a, None]
    return out


def limiter_reach(sample_rate: int) -> int:
    """How many samples either side of a sample decide the limiter's gain on it (hold, look-ahead, smoothing)."""
    return round(RELEASE_S * sample_rate) + 2 * round(LOOKAHEAD_S * sample_rate) + 1


def on_grid(gain_db: float) -> float:
    return round(round(gain_db / GAIN_STEP_DB) * GAIN_STEP_DB, 4)


def gain_search(unmastered_lufs: float, target_lufs: float, tries: int = 8) -> Generator[float, float, None]:
    """The master's gain tries, on the grid: yields a gain, is sent the loudness it gave, stops at the gain to
    keep. It starts from the pre-master's own loudness, so the result is a function of the audio alone."""
    gain_db = on_grid(target_lufs - unmastered_lufs)
    previous: tuple[float, float] | None = None  # (gain, loudness) of the last try, for a secant step
    for _ in range(tries):
        measured = yield gain_db
        if abs(measured - target_lufs) < LOUDNESS_TOLERANCE_LU:
            return
        wanted, previous = next_gain(gain_db, measured, target_lufs, previous)
        if on_grid(wanted) == gain_db:  # already the nearest step of the grid
            return
        gain_db = on_grid(wanted)


def next_gain(
    gain_db: float, measured: float, target_lufs: float, previous: tuple[float, float] | None
) -> tuple[float, tuple[float, float]]:
    """The master's next gain try, and this try as the new `previous` (gain, loudness). Limiting eats part of
    every gain step, so loudness grows slower than gain: step along the secant of the last two tries."""
    slope = 1.0
    if previous is not None and abs(gain_db - previous[0]) > 1e-6:
        slope = min(1.0, max(0.1, (measured - previous[1]) / (gain_db - previous[0])))
    return gain_db + (target_lufs - measured) / slope, (gain_db, measured)


class _Placed(Protocol):
    """Anything placed in the film: a segment in memory, or one still in its file."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


PlacedT = TypeVar("PlacedT", bound=_Placed)


def stable_stretches(
    segments: list[PlacedT], sample_rate: int, others: Sequence[tuple[int, int]] = ()
) -> list[tuple[PlacedT, int, int]]:
    """For each segment, the stretches of the film [a, b) whose master depends on that segment alone (and on the
    master's gain): away from its ends, from any other segment and from the spans in `others` (segments not made
    yet) by the reach of the analysis and the limiter. There `master_stretch` gives the master's samples before
    the rest of the film is known."""
    margin = limiter_reach(sample_rate) + PEAK_REACH + round(FILTER_SETTLE_S * sample_rate)
    stretches = []
    for seg in segments:
        free = [(seg.start + margin, seg.end - margin)]
        for start, end in [(o.start, o.end) for o in segments if o is not seg] + list(others):
            free = _subtract(free, (start - margin, end + margin))
        stretches += [(seg, a, b) for a, b in free]
    return stretches


def _subtract(intervals: list[tuple[int, int]], cut: tuple[int, int]) -> list[tuple[int, int]]:
    """[start, stop) intervals without the part inside `cut`; empty pieces dropped."""
    pieces = []
    for a, b in intervals:
        pieces += [(lo, hi) for lo, hi in ((a, min(b, cut[0])), (max(a, cut[1]), b)) if lo < hi]
    return pieces


def master_stretch(
    segment: Segment, a: int, b: int, gain_db: float, max_true_peak_db: float, sample_rate: int
) -> np.ndarray:
    """The samples [a, b) of the film that `master` makes when it keeps `gain_db` (and needs no final trim), for
    a stretch that `stable_stretches` found: the same arithmetic on the same samples."""
    reach = limiter_reach(sample_rate)
    lo, hi = max(segment.start, a - reach), min(segment.end, b + reach)
    window = slice(lo - segment.start, hi - segment.start)
    gain = 10.0 ** (gain_db / 20.0)
    regions = limiter_dips(segment.analysis.envelope[window], gain, max_true_peak_db, sample_rate)
    return limited(segment.audio[window], gain, regions, a - lo, b - lo)


def hops_under_limiting(
    source: np.ndarray, regions: Regions, energy: np.ndarray, base: np.ndarray, gain: float, sample_rate: int
) -> np.ndarray:
    """Hop energies of the master, exact: the source's (`base`) times the gain, and a few stretches filtered anew.

    Where only the static gain applies, the K-weighted output is the gain times the K-weighted source; only where
    the limiter dips (and while the filters settle after it) is the output's energy measured again.
    """
    hops = base * gain * gain
    hop, total = hop_samples(sample_rate), source.shape[0]
    warmup, settle = round(FILTER_WARMUP_S * sample_rate), round(FILTER_SETTLE_S * sample_rate)
    for lo, b in merge_spans([(a - warmup, b + settle) for a, b, _ in regions], total):
        start = lo + warmup if lo > 0 else 0  # from the start of the film the filters truly begin at rest
        exact = weighted_energy(limited(source, gain, regions, lo, b), sample_rate)[start - lo :]
        # Spread the correction over whole hops (zeros around it) and add it to their sums.
        first, last = start // hop, min(hops.shape[0], -(-b // hop))
        if first >= last:
            continue
        delta = np.zeros((last - first) * hop)
        stop = min(b, last * hop)
        delta[start - first * hop : stop - first * hop] = exact[: stop - start] - gain * gain * energy[start:stop]
        hops[first:last] += delta.reshape(-1, hop).sum(axis=1)
    return hops


def _peak_under_limiting(
    source: np.ndarray, regions: Regions, envelope: np.ndarray, gain: float, sample_rate: int
) -> float:
    """True peak (linear) of the master, given the envelope of the source.

    Where only the static gain applies all through the interpolator's reach, the oversampled output is the gain
    times the oversampled source, so its envelope is known; only around the limiter's dips is it measured.
    """
    total = source.shape[0]
    near = merge_spans([(a - PEAK_REACH, b + PEAK_REACH) for a, b, _ in regions], total)
    edges = [0, *(edge for span in near for edge in span), total]  # `near` is sorted and merged
    away = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if a < b]
    peak = max((float(envelope[a:b].max()) for a, b in away), default=0.0) * gain
    for a, b in near:
        lo, hi = max(0, a - PEAK_REACH), min(total, b + PEAK_REACH)
        oversampled = peak_envelope(limited(source, gain, regions, lo, hi), sample_rate)
        peak = max(peak, float(oversampled[a - lo : b - lo].max()))
    return peak


def limiter_regions(
    envelope: np.ndarray,
    sample_rate: int,
    ceiling_dbtp: float,
    lookahead_s: float = LOOKAHEAD_S,
    release_s: float = RELEASE_S,
    gain: float = 1.0,
) -> Regions:
    """A look-ahead limiter's gain for a signal whose true-peak envelope is `envelope` times `gain`, where it is
    not 1: (start, stop, gain of each sample in between), in order.

    The required gain per sample is min-filtered over [t - release, t + lookahead] (look ahead, then hold) and
    box-smoothed over the look-ahead window; a box average of a window-minimum can never exceed the minimum at
    the peak itself, so the gain is always low enough while staying free of steps.
    """
    ceiling = 10.0 ** (ceiling_dbtp / 20.0)
    total = envelope.shape[0]
    over = np.empty(total, dtype=bool)
    for i in range(0, total, _BLOCK):  # blocks: a film-long gained copy of the envelope is never made
        np.greater(envelope[i : i + _BLOCK] * np.float32(gain), ceiling, out=over[i : i + _BLOCK])
    if not over.any():
        return []
    look = max(1, round(lookahead_s * sample_rate))
    hold = max(1, round(release_s * sample_rate))
    # The gain dips only from `look` before a peak to `hold + look` after it, so the filters run on those
    # stretches alone (with the context they read), not on the whole film.
    regions = []
    for a, b in merge_spans([(a - look, b + hold + look) for a, b in true_runs(over)], total):
        lo, hi = max(0, a - hold - look), min(total, b + look)
        gained = (envelope[lo:hi] * np.float32(gain)).astype(np.float64)
        need = np.minimum(1.0, ceiling / np.maximum(gained, 1e-12))
        # A window of `size` at t spans [t - size//2 - origin, ...] (as in scipy.ndimage): origins pick the windows.
        size = hold + look
        held = sliding_min(need, size, origin=hold - size // 2, mode="nearest")  # [t - hold, t + look - 1]
        smooth = sliding_mean(held, look, origin=(look - 1) // 2, mode="nearest")  # [t - look + 1, t]
        regions.append((a, b, np.minimum(smooth[a - lo : b - lo], 1.0)))
    return regions


def normalize(audio: np.ndarray, target_lufs: float, max_true_peak_db: float, sample_rate: int = 48000) -> np.ndarray:
    """`audio` ((n,) or (n, channels)) gained to `target_lufs` with its true peak under `max_true_peak_db`."""
    a = np.asarray(audio, dtype=np.float32)
    stereo = a[:, None] if a.ndim == 1 else a
    result = master(stereo, analyse(stereo, sample_rate), target_lufs, max_true_peak_db, sample_rate).audio
    return result[:, 0] if a.ndim == 1 else result


def to_dbtp(peak: float) -> float:
    return 20.0 * float(np.log10(peak)) if peak > 0 else float("-inf")


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of every run of True in a 1-D boolean mask."""
    if mask.size == 0:
        return []
    steps = np.diff(mask.view(np.int8))
    starts = (np.flatnonzero(steps == 1) + 1).tolist()
    stops = (np.flatnonzero(steps == -1) + 1).tolist()
    if mask[0]:
        starts.insert(0, 0)
    if mask[-1]:
        stops.append(mask.size)
    return list(zip(starts, stops, strict=True))


def merge_spans(intervals: list[tuple[int, int]], total: int) -> list[tuple[int, int]]:
    """Clip [start, stop) intervals to [0, total) and merge the ones that overlap or touch."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted((max(0, a), min(total, b)) for a, b in intervals):
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
