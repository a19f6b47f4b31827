"""Reading one sound file of the user's library: decode it, measure it, and name it with tags."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..audio.loudness import integrated_loudness
from ..errors import InputError
from ..model.sound_library import LibrarySound, SoundKind

AUDIO_SUFFIXES = {".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".aif", ".aiff"}
_METADATA_KEYS = ("title", "genre", "comment", "description", "keywords", "album")
_STOP = {"the", "and", "of", "a", "an", "in", "on", "at", "to", "with", "sfx", "fx", "wav", "mono", "stereo", "take"}
_MUSIC_WORDS = {"music", "score", "song", "theme", "cue", "piano", "strings", "orchestra", "soundtrack", "bgm"}
_AMBIENCE_WORDS = {"ambience", "ambient", "atmos", "atmosphere", "roomtone", "room-tone", "background", "bed"}
_LONG_MUSIC_S = 45.0  # a file this long with no other hint is taken for music


def words_of(text: str) -> list[str]:
    """Lower-case words of a name or a tag: split at punctuation, underscores, digits and camelCase."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return [w for w in re.split(r"[^a-zA-Z]+", spaced.lower()) if len(w) > 1 and w not in _STOP]


def decode(path: Path) -> tuple[np.ndarray, int, dict[str, str]]:
    """(samples (n, channels) float32, sample rate, metadata) of an audio file, through FFmpeg (PyAV)."""
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise InputError(f"{path}: no audio stream")
            stream = container.streams.audio[0]
            metadata = {k.lower(): str(v) for k, v in {**container.metadata, **stream.metadata}.items()}
            rate = stream.codec_context.sample_rate
            resampler = av.AudioResampler(format="fltp", layout=stream.codec_context.layout, rate=rate)
            chunks = [out.to_ndarray() for frame in container.decode(stream) for out in resampler.resample(frame)]
    except InputError:
        raise
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise InputError(f"{path}: cannot decode ({exc})") from exc
    if not chunks or not rate:
        raise InputError(f"{path}: holds no audio samples")
    audio = np.concatenate(chunks, axis=1).T.astype(np.float32)
    if audio.shape[0] == 0:
        raise InputError(f"{path}: holds no audio samples")
    return audio, rate, metadata


def _kind(words: set[str], metadata: dict[str, str], duration_s: float) -> SoundKind:
    if words & _MUSIC_WORDS or "genre" in metadata:
        return SoundKind.MUSIC
    if words & _AMBIENCE_WORDS:
        return SoundKind.AMBIENCE
    return SoundKind.MUSIC if duration_s >= _LONG_MUSIC_S else SoundKind.SFX


def scan(path: Path, root: Path) -> LibrarySound:
    """Measure and tag one file; `root` is the folder added (its sub-folders' names become tags)."""
    audio, rate, metadata = decode(path)
    folders = path.resolve().parent.relative_to(root.resolve()).parts if path.is_relative_to(root) else ()
    tags: list[str] = []
    for text in [path.stem, *folders, *(metadata.get(k, "") for k in _METADATA_KEYS)]:
        tags += [w for w in words_of(text) if w not in tags]
    duration_s = audio.shape[0] / rate
    loudness = integrated_loudness(audio, rate) if duration_s >= 0.4 else float("-inf")
    peak = float(np.abs(audio).max())
    stat = path.stat()
    return LibrarySound(
        path=str(path.resolve()),
        kind=_kind(set(tags), metadata, duration_s),
        tags=tags,
        title=metadata.get("title") or None,
        duration_s=round(duration_s, 3),
        loudness_lufs=round(loudness, 2) if np.isfinite(loudness) else None,
        peak_dbfs=round(20.0 * np.log10(max(peak, 1e-10)), 2),
        sample_rate=rate,
        channels=audio.shape[1],
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
    )
