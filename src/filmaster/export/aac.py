"""The film's AAC track, encoded in chunks that splice without a seam: in parallel, and cached.

An AAC frame decodes by overlap-adding with its neighbour, so a chunk encoded on its own would click where it
meets the next. Each chunk is therefore encoded with a few frames of the audio before and after it (pre- and
post-roll) and only its own frames are kept: both encoders see the same signal across every splice, so the
overlap-add cancels as it does inside one stream. Chunks sit on the global 1024-sample frame grid and are keyed
by the samples they read, relative to where they start, so after an edit only the chunks whose audio changed are
encoded again; the rest come from the cache. Chunks also begin at every `start` the caller names (where each
scene's sound begins, itself on the frame grid: see `stages.mix`), so a scene that only moved, by whole frames,
because an earlier one grew, is cut into the same chunks and found in the cache. FFmpeg releases the GIL while it
encodes, so the chunks that are missing encode on every core.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..audio.film_grid import AAC_FRAME, AUDIO_RATE
from ..project import Cache, content_key
from ..verify import load_array

AUDIO_BITRATE = 192_000
# FFmpeg's "fast" AAC coder halves the encode time; at 192 kbps its loss against "twoloop" is not audible.
AAC_OPTIONS = {"aac_coder": "fast"}
CHUNK_FRAMES = 480  # 10.24 s at 48 kHz
ROLL_FRAMES = 8  # encoded before and after a chunk and thrown away: the encoder's memory is a frame or two
NAMESPACE = "aac"
_VERSION = "1"


@dataclass(frozen=True)
class AacPacket:
    pts: int  # in samples at AUDIO_RATE; the first packet of the track is the encoder's priming frame (-1024)
    duration: int
    payload: bytes


def can_chunk(mix_wav: Path) -> bool:
    """Chunks read the WAV directly: it must be 16-bit PCM at the film's audio rate, mono or stereo."""
    try:
        with wave.open(str(mix_wav), "rb") as wav:
            return wav.getframerate() == AUDIO_RATE and wav.getsampwidth() == 2 and wav.getnchannels() in (1, 2)
    except (OSError, wave.Error, EOFError):
        return False


def _new_encoder() -> av.audio.codeccontext.AudioCodecContext:
    ctx = av.CodecContext.create("aac", "w")
    ctx.sample_rate, ctx.layout, ctx.format, ctx.bit_rate = AUDIO_RATE, "stereo", "fltp", AUDIO_BITRATE
    ctx.time_base = Fraction(1, AUDIO_RATE)
    ctx.options = dict(AAC_OPTIONS)
    ctx.open()
    return ctx


# Reads film samples [start, stop) as planar float32 stereo, silence past the end of what it holds.
SampleReader = Callable[[int, int], np.ndarray]


def aac_packets(
    mix_wav: Path,
    total_samples: int,
    cache: Cache | None = None,
    workers: int | None = None,
    starts: Sequence[int] = (),
) -> list[AacPacket]:
    """The AAC packets of `mix_wav` cut or padded with silence to `total_samples`, in order; chunks begin at
    `starts` (samples on the frame grid) and every CHUNK_FRAMES frames after each."""
    with wave.open(str(mix_wav), "rb") as wav:
        read = functools.partial(_read_wav, wav)
        plans = [_plan(read, i, span, total_samples) for i, span in enumerate(chunk_spans(total_samples, starts))]
    results: dict[int, list[AacPacket]] = {}
    missing = []
    for plan in plans:
        stored = cache.path(NAMESPACE, plan.key, ".npz") if cache else None
        loaded = _load(stored, plan.origin) if stored is not None else None
        if loaded is not None and cache is not None:
            results[plan.index] = loaded
            cache.record(NAMESPACE, computed=False)
        else:
            missing.append(plan)
    if missing:

        def encode(plan: _ChunkPlan) -> list[AacPacket]:
            with wave.open(str(mix_wav), "rb") as wav:
                return _encode(_read_wav(wav, plan.read_from, plan.read_to), plan)

        with ThreadPoolExecutor(min(len(missing), workers or os.cpu_count() or 1)) as pool:
            for plan, packets in zip(missing, pool.map(encode, missing), strict=True):
                results[plan.index] = packets
                if cache is not None:
                    _store(cache, plan, packets)
    return [packet for index in range(len(plans)) for packet in results[index]]


def chunk_spans(total_samples: int, starts: Sequence[int] = ()) -> list[tuple[int, int]]:
    """The film's chunks as [first sample, end): from 0 and from each of `starts` on the frame grid, CHUNK_FRAMES
    frames at a time up to the next start or the end."""
    chunk = CHUNK_FRAMES * AAC_FRAME
    edges = sorted({0, *(s for s in starts if 0 < s < total_samples and s % AAC_FRAME == 0), max(1, total_samples)})
    return [(a, min(a + chunk, b)) for lo, b in itertools.pairwise(edges) for a in range(lo, b, chunk)]


def encode_ahead(start: int, pcm: np.ndarray, total_samples: int, cache: Cache, starts: Sequence[int] = ()) -> int:
    """Encode into `cache` every chunk whose samples (roll included) all lie in `pcm`, 16-bit stereo film samples
    from `start`, exactly as `aac_packets` with the same `starts` will look for them; returns how many chunks
    were encoded.

    For a stretch of the mix known before the whole mix is (see `stages.mix`): a chunk whose samples turn out
    otherwise is simply not found under its key, and encoded again from the WAV.
    """
    stop = start + pcm.shape[0]
    roll = ROLL_FRAMES * AAC_FRAME

    def read(a: int, b: int) -> np.ndarray:
        return _planar(pcm[a - start : b - start])

    encoded = 0
    for index, (origin, end) in enumerate(chunk_spans(total_samples, starts)):
        # The first chunk holds the encoder's priming, the last depends on the film's end: neither is made ahead.
        if origin == 0 or end >= total_samples or origin - roll < start or end + roll > stop:
            continue
        plan = _plan(read, index, (origin, end), total_samples)
        if not cache.has(NAMESPACE, plan.key, ".npz"):
            _store(cache, plan, _encode(read(plan.read_from, plan.read_to), plan))
            encoded += 1
    return encoded


@dataclass(frozen=True)
class _ChunkPlan:
    index: int
    origin: int  # first sample of the chunk on the film's timeline
    read_from: int  # samples the encoder reads: [read_from, read_to) of the film, silence past the WAV's end
    read_to: int
    keep_from: int  # packets kept: pts in [keep_from, keep_to)
    keep_to: int
    key: str


def _plan(read: SampleReader, index: int, span: tuple[int, int], total: int) -> _ChunkPlan:
    roll = ROLL_FRAMES * AAC_FRAME
    origin, end = span
    first, last = origin == 0, end >= total
    read_from = 0 if first else origin - roll
    read_to = total if last else min(total, end + roll)
    # The first chunk keeps the priming frame; the last keeps everything up to the (shortened) final frame.
    keep_from = -AAC_FRAME if first else origin
    keep_to = total if last else end
    digest = hashlib.sha256(read(read_from, read_to).tobytes()).hexdigest()
    key = content_key(
        NAMESPACE, _VERSION, AUDIO_BITRATE, AAC_OPTIONS, ROLL_FRAMES, digest,
        [read_from - origin, read_to - origin, keep_from - origin, keep_to - origin],
    )  # fmt: skip
    return _ChunkPlan(index, origin, read_from, read_to, keep_from, keep_to, key)


def _read_wav(wav: wave.Wave_read, start: int, stop: int) -> np.ndarray:
    """Samples [start, stop) of the WAV as planar float32 stereo; silence past its end."""
    available = max(0, min(stop, wav.getnframes()) - start)
    ints = np.zeros((0, wav.getnchannels()), dtype="<i2")
    if available:
        wav.setpos(start)
        ints = np.frombuffer(wav.readframes(available), dtype="<i2").reshape(-1, wav.getnchannels())
    return _planar(ints, stop - start)


def _planar(ints: np.ndarray, length: int | None = None) -> np.ndarray:
    """16-bit samples (n, channels) as planar float32 stereo (2, length), silence after them (mono to both)."""
    out = np.zeros((2, ints.shape[0] if length is None else length), np.float32)
    if ints.shape[0]:
        out[:, : ints.shape[0]] = (ints.T / np.float32(32768.0)).astype(np.float32)
    return out


def _encode(samples: np.ndarray, plan: _ChunkPlan) -> list[AacPacket]:
    """The packets the chunk keeps, from `samples` (planar float32 stereo, film samples [read_from, read_to))."""
    encoder = _new_encoder()
    packets: list[AacPacket] = []

    def keep(encoded: list[av.Packet]) -> None:
        for packet in encoded:
            if packet.pts is None or packet.duration is None:  # an encoder stamps every packet it returns
                raise AssertionError("the AAC encoder returned a packet without a time stamp")
            pts = plan.read_from + int(packet.pts)
            if plan.keep_from <= pts < plan.keep_to:
                packets.append(AacPacket(pts, int(packet.duration), bytes(packet)))

    # PyAV cuts big frames into AAC's 1024-sample frames itself: 16 at a time means 16 times fewer Python calls,
    # and less waiting for the GIL while other threads work (the packets are byte-identical).
    for offset in range(0, samples.shape[1], 16 * AAC_FRAME):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples[:, offset : offset + 16 * AAC_FRAME]), format="fltp", layout="stereo"
        )
        frame.sample_rate, frame.pts = AUDIO_RATE, offset
        keep(encoder.encode(frame))
    keep(encoder.encode(None))
    return packets


def _store(cache: Cache, plan: _ChunkPlan, packets: list[AacPacket]) -> None:
    def write(tmp: Path) -> None:
        with tmp.open("wb") as handle:
            np.savez(
                handle,
                payload=np.frombuffer(b"".join(p.payload for p in packets), np.uint8),
                sizes=np.array([len(p.payload) for p in packets], np.int64),
                pts=np.array([p.pts - plan.origin for p in packets], np.int64),
                durations=np.array([p.duration for p in packets], np.int64),
            )

    cache.fetch_or_make(NAMESPACE, plan.key, ".npz", write)


def _load(path: Path, origin: int) -> list[AacPacket] | None:
    """The stored packets, or None when missing or damaged (the chunk is encoded again)."""
    stored = load_array(path)
    if stored is None:
        return None
    payload, sizes = stored["payload"].tobytes(), stored["sizes"]
    ends = np.cumsum(sizes).tolist()
    starts = [0, *ends[:-1]]
    return [
        AacPacket(origin + int(pts), int(duration), payload[a:b])
        for pts, duration, a, b in zip(stored["pts"], stored["durations"], starts, ends, strict=True)
    ]
