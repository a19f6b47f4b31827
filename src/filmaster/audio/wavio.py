"""WAV files in and out: integer PCM on disk, float32 in memory, atomic writes."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from ..errors import AudioError, InputError

_FULL_SCALE = {1: 128.0, 2: 32768.0, 3: 8388608.0, 4: 2147483648.0}
_BLOCK_FRAMES = 1 << 16


def write_wav(path: str | Path, audio: np.ndarray, sample_rate: int) -> Path:
    """Write float samples (n,) or (n, channels) in [-1, 1] as 16-bit PCM, atomically.

    The file is written next to its destination and renamed over it, so a crash never leaves a half file
    that a content-addressed cache would take for a finished one.
    """
    path = Path(path)
    data = np.asarray(audio)
    if data.dtype != np.float32:  # float32 holds every 16-bit step exactly; the film's mix is written fast
        data = data.astype(np.float64)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] == 0:
        raise AudioError(f"cannot write {path}: audio shape {audio.shape} is not (samples,) or (samples, channels)")
    # One temporary-file scheme for every writer: a run killed mid-write leaves a name the lock's cleanup knows.
    with atomic_path(path) as tmp, tmp.open("wb") as fh, wave.open(fh, "wb") as wav:
        wav.setnchannels(data.shape[1])
        wav.setsampwidth(2)
        wav.setframerate(int(sample_rate))
        # In blocks that stay in the CPU's cache: a whole film converted at once allocates (and page-faults)
        # two more copies of it.
        for start in range(0, data.shape[0], _BLOCK_FRAMES):
            block = data[start : start + _BLOCK_FRAMES]
            if not np.isfinite(block).all():  # atomic_path removes the half-written file
                raise AudioError(
                    f"cannot write {path}: audio holds NaN or infinite samples; check the stage that made it"
                )
            # C order: a Fortran-ordered bed (from scipy) would otherwise give a view memoryview cannot cast.
            wav.writeframesraw(np.ascontiguousarray(to_pcm16(block)).data.cast("B"))
    return path


def to_pcm16(audio: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] as little-endian 16-bit integers, rounded; beyond full scale saturates.
    Same scale as reading (2^15), so a round trip is exact to half a step; +1.0 becomes 32767."""
    scaled = audio * audio.dtype.type(32768.0)
    return np.clip(np.rint(scaled, out=scaled), -32768, 32767, out=scaled).astype("<i2")


def wav_frames(path: str | Path) -> int:
    """How many sample frames a WAV holds, from its header."""
    return wav_format(path)[0]


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Read an integer-PCM WAV; return float32 samples shaped (n, channels) and the sample rate."""
    return read_wav_span(path, 0, None)


def read_wav_span(path: str | Path, start: int, stop: int | None) -> tuple[np.ndarray, int]:
    """Sample frames [start, stop) of an integer-PCM WAV (to its end when `stop` is None or past it), as
    `read_wav` returns them: a stretch of a long file is read without the rest."""
    path = Path(path)
    with _opened(path) as wav:
        channels, width, rate, frames = wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes()
        start = min(max(0, start), frames)
        stop = frames if stop is None else min(max(start, stop), frames)
        if start:
            wav.setpos(start)
        raw = wav.readframes(stop - start)
    if width == 1:  # 8-bit WAV is unsigned
        ints = np.frombuffer(raw, dtype=np.uint8).astype(np.int32) - 128
    elif width == 3:  # little-endian 24-bit: widen to int32 by hand
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
    elif width in (2, 4):
        ints = np.frombuffer(raw, dtype=f"<i{width}")
    else:
        raise InputError(f"{path} uses {width * 8}-bit samples; convert it to 16-bit PCM")
    if width < 4:  # up to 24 bits every integer and its scaled value are exact in float32: no float64 detour
        audio = ints.astype(np.float32) * np.float32(1.0 / _FULL_SCALE[width])
    else:
        audio = (ints.astype(np.float64) / _FULL_SCALE[width]).astype(np.float32)
    return audio.reshape(-1, channels), rate


def wav_format(path: str | Path) -> tuple[int, int]:
    """(sample frames, sample rate) of a WAV, from its header."""
    with _opened(Path(path)) as wav:
        return wav.getnframes(), wav.getframerate()


@contextmanager
def _opened(path: Path) -> Iterator[wave.Wave_read]:
    """A WAV open for reading; a missing or unreadable file is an input error that says what to do."""
    try:
        with wave.open(str(path), "rb") as wav:
            yield wav
    except FileNotFoundError as exc:
        raise InputError(f"WAV file {path} does not exist; render the stem first") from exc
    except (wave.Error, EOFError) as exc:
        raise InputError(f"cannot read {path} as a PCM WAV ({exc}); re-export it as 16-bit PCM") from exc
