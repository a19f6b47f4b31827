"""A scene's premix, a block at a time, whatever the scene's length: the stems summed with the dialogue compressed
on top and the beds ducked under it, as `premix` makes them, from a few blocks' memory.

The premix is local but for two things, carried from block to block. The compressor reads its key 5 ms ahead of
each sample (its look-ahead: the stems of a block are read that far past it) and its release carries over
(`dynamics.Compressor`). The ducking follows how present speech is compared with the scene's loudest line, which
only the whole scene tells: a first pass compresses the dialogue block by block and keeps its power per 1 ms step
(a 48th of the samples), from which the ducking curve is made at that rate (`ducking.duck_curve`); the second pass
reads the curve around each block. The default blocks are whole control steps and whole steps of the release
filter's running sum (`filters.ONE_POLE_STEP`), so a block goes through the very arithmetic of the whole scene and
equals the whole-scene premix sample for sample; other block sizes (the tests' one-second blocks) equal it to float
rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import AudioError
from .analysis_stream import AnalysisStream
from .dsp import fit_length, to_stereo
from .ducking import DUCKED_UNDER_DIALOGUE, control_hop, curve_gain, ducking_from_power, hop_power
from .dynamics import Compressor
from .film_bus import segment_file
from .filters import ONE_POLE_STEP
from .master_stream import spans_of

BLOCK_S = 20.0  # about how long a block is: a few of them are the premix's memory


class SceneStems(Protocol):
    """A scene's stems, read a stretch at a time."""

    samples: int  # the scene's length
    kinds: tuple[str, ...]  # its stems, in the order they are summed

    def read(
        self, lo: int, hi: int, kinds: Collection[str] | None = None
    ) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        """Samples [lo, hi) of every stem of `kinds` (the scene's when None; silence for a kind it lacks), each
        (hi - lo, 2) float32, and of what the dialogue's compressor listens to (None: the dialogue itself)."""
        ...


@dataclass(frozen=True)
class Premix:
    audio: np.ndarray  # float32 (n, 2): the stems summed, dialogue compressed, beds ducked; not yet mastered
    duck_gain: np.ndarray  # linear gain (n,) applied to the ducked stems


def block_samples(sample_rate: int, seconds: float = BLOCK_S) -> int:
    """Samples per block: whole control steps and whole release-filter steps, about `seconds` long."""
    step = math.lcm(control_hop(sample_rate), ONE_POLE_STEP)
    return step * max(1, round(seconds * sample_rate / step))


def scene_spans(stems: SceneStems, sample_rate: int, block: int | None = None) -> list[tuple[int, int]]:
    """The scene's blocks: `block` samples each (whole control steps), `block_samples` by default."""
    size = block or block_samples(sample_rate)
    if size % control_hop(sample_rate):
        raise AudioError(f"premix blocks of {size} samples: make them whole {control_hop(sample_rate)}-sample steps")
    return spans_of(stems.samples, size)


def dialogue_blocks(
    stems: SceneStems, spans: list[tuple[int, int]], sample_rate: int, dialogue_key: str = "dialogue"
) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """The scene's dialogue stem block by block, in order: (lo, hi, as laid, compressed). Each block's stems are
    read up to the compressor's look-ahead past it, and the compressor's release runs on from block to block."""
    compressor = Compressor(sample_rate)
    for lo, hi in spans:
        tracks, detector = stems.read(lo, min(stems.samples, hi + compressor.look - 1), (dialogue_key,))
        laid = tracks[dialogue_key]
        yield lo, hi, laid[: hi - lo], compressor.process(laid[: hi - lo], laid if detector is None else detector)


class SpeechPower:
    """The compressed dialogue's power per control step (`hop_power`), filled block by block (blocks are whole
    steps): all the ducking needs of the first pass, a 48th of the samples."""

    def __init__(self, samples: int, sample_rate: int) -> None:
        self.sample_rate, self.hop = sample_rate, control_hop(sample_rate)
        self.power = np.zeros(-(-samples // self.hop))

    def add(self, lo: int, compressed: np.ndarray) -> None:
        power = hop_power(compressed, self.sample_rate)
        self.power[lo // self.hop : lo // self.hop + power.size] = power

    def ducking(self, duck_db: float) -> np.ndarray:
        """The ducking curve (dB per control step)."""
        return ducking_from_power(self.power, duck_db)


def premix_blocks(
    stems: SceneStems,
    write: Callable[[int, np.ndarray], None],
    *,
    sample_rate: int,
    duck_db: float,
    dialogue_key: str = "dialogue",
    duck_keys: Iterable[str] = DUCKED_UNDER_DIALOGUE,
    block: int | None = None,
) -> np.ndarray | None:
    """The scene's premix handed to `write(lo, audio)` block by block, in order; returns the ducking curve (dB per
    control step; None where nothing is ducked)."""
    spans = scene_spans(stems, sample_rate, block)
    speaks = dialogue_key in stems.kinds
    ducked = set(duck_keys) & set(stems.kinds)
    others = [kind for kind in stems.kinds if kind != dialogue_key]
    curve, kept = None, []
    if speaks and ducked and duck_db < 0:  # pass one: how present speech is, all through the scene
        power = SpeechPower(stems.samples, sample_rate)
        for block_of_dialogue in dialogue_blocks(stems, spans, sample_rate, dialogue_key):
            power.add(block_of_dialogue[0], block_of_dialogue[3])
            kept = [block_of_dialogue] if len(spans) == 1 else []  # one block: no need to compress it twice
        curve = power.ducking(duck_db)
        del power
    spoken = iter(kept or dialogue_blocks(stems, spans, sample_rate, dialogue_key)) if speaks else None
    for lo, hi in spans:
        tracks, _ = stems.read(lo, hi, others)
        if spoken is not None:
            tracks[dialogue_key] = next(spoken)[3]
        gain = None if curve is None else curve_gain(curve, np.arange(lo, hi), sample_rate)[:, None]
        total = np.zeros((hi - lo, 2), dtype=np.float32)
        for name in stems.kinds:
            total += tracks[name] * gain if gain is not None and name in ducked else tracks[name]
        write(lo, total)
    return curve


class ArrayStems:
    """Stems held in memory ((n,) mono or (n, 2) stereo; shorter ones padded with silence), as `SceneStems`."""

    def __init__(self, stems: dict[str, np.ndarray], detector: np.ndarray | None = None) -> None:
        self.samples = max(np.asarray(s).shape[0] for s in stems.values())
        self.kinds = tuple(stems)
        self._tracks = {
            name: fit_length(to_stereo(s), self.samples).astype(np.float32, copy=False) for name, s in stems.items()
        }
        self._detector = None if detector is None else fit_length(to_stereo(detector), self.samples)

    def read(
        self, lo: int, hi: int, kinds: Collection[str] | None = None
    ) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        silence = np.zeros((hi - lo, 2), dtype=np.float32)
        detector = None if self._detector is None else self._detector[lo:hi]
        chosen = self.kinds if kinds is None else kinds
        return {name: self._tracks[name][lo:hi] if name in self._tracks else silence for name in chosen}, detector


def premix(
    stems: dict[str, np.ndarray],
    *,
    dialogue_key: str = "dialogue",
    duck_db: float = -10.0,
    sample_rate: int = 48000,
    duck_keys: Iterable[str] = DUCKED_UNDER_DIALOGUE,
    dialogue_detector: np.ndarray | None = None,
) -> Premix:
    """Sum stems ((n,) mono or (n, 2) stereo float32; shorter ones are padded) with the dialogue on top; the
    dialogue's compressor reads its level from `dialogue_detector` when given (see `SoundCue.delivery_db`). In
    memory, in one block: `store_premix` makes the same premix of a scene of any length on disk."""
    if not stems:
        raise AudioError("nothing to mix: no stems were given; render the sound plan first")
    source = ArrayStems(stems, dialogue_detector)
    n, hop = source.samples, control_hop(sample_rate)
    audio = np.zeros((n, 2), dtype=np.float32)

    def keep(lo: int, block: np.ndarray) -> None:
        audio[lo : lo + block.shape[0]] = block

    whole = -(-n // hop) * hop
    curve = premix_blocks(
        source,
        keep,
        sample_rate=sample_rate,
        duck_db=duck_db,
        dialogue_key=dialogue_key,
        duck_keys=duck_keys,
        block=whole,
    )
    duck = np.ones(n, dtype=np.float32) if curve is None else curve_gain(curve, np.arange(n), sample_rate)
    return Premix(audio=audio, duck_gain=duck)


def store_premix(
    stems: SceneStems, target: Path, *, sample_rate: int, duck_db: float, block: int | None = None
) -> None:
    """The scene's premix and its analysis written into `target` (the layout `film_bus.unpack_segment` reads),
    block by block: memory stays a few blocks whatever the scene's length."""
    with segment_file(target, stems.samples) as out:
        analysis = AnalysisStream(stems.samples, sample_rate, out.analysis)

        def write(lo: int, audio: np.ndarray) -> None:
            out.audio(lo, audio)
            analysis.push(lo, audio)

        premix_blocks(stems, write, sample_rate=sample_rate, duck_db=duck_db, block=block)
        analysis.finish()
