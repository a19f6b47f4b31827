"""Is a file a run would reuse whole? Cheap structural checks, so a truncated or damaged output or cache entry is
made again instead of being served (a silent film from a half-written mix, a traceback from a cut-off array).

Each check reads headers and container structure, not every sample: a clip's packets are counted, not decoded.
"""

from __future__ import annotations

import contextlib
import wave
import zipfile
from pathlib import Path
from typing import Any

# What a damaged file raises in the readers below: every one means "make it again", none is a bug of ours.
_DAMAGED = (OSError, EOFError, ValueError, KeyError, IndexError, zipfile.BadZipFile, wave.Error)


def clip_ok(path: Path, frames: int | None = None, *, audio: bool = False) -> bool:
    """A video file whose container opens and holds `frames` video packets (any number > 0 when None), and an
    audio stream with packets when `audio`."""
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.video or (audio and not container.streams.audio):
                return False
            counts = {"video": 0, "audio": 0}
            for packet in container.demux():
                if packet.size and packet.stream.type in counts:
                    counts[packet.stream.type] += 1
    except (*_DAMAGED, av.error.FFmpegError):
        return False
    if audio and counts["audio"] == 0:
        return False
    return counts["video"] == frames if frames is not None else counts["video"] > 0


def wav_ok(path: Path, frames: int | None = None) -> bool:
    """A WAV whose header promises no more samples than the file holds (a truncated write breaks that)."""
    try:
        with wave.open(str(path), "rb") as wav:
            expected = wav.getnframes()
            bytes_per_frame = wav.getsampwidth() * wav.getnchannels()
        header_end = path.stat().st_size - expected * bytes_per_frame
    except _DAMAGED:
        return False
    return expected > 0 and header_end >= 12 and (frames is None or expected == frames)


def png_ok(path: Path) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()  # decodes every row: a cut-off file fails here
    except (*_DAMAGED, UnidentifiedImageError, SyntaxError):
        return False
    return True


def load_array(path: Path) -> Any | None:
    """The array (or, for .npz, the dict of arrays) stored at `path`, or None when it is missing or damaged; a
    damaged file is removed so that the next run does not trip on it either."""
    import numpy as np

    try:
        with open(path, "rb") as handle:
            stored = np.load(handle, allow_pickle=False)
            if isinstance(stored, np.lib.npyio.NpzFile):
                with stored:
                    return {name: stored[name] for name in stored.files}
            return stored
    except FileNotFoundError:
        return None
    except _DAMAGED:
        with contextlib.suppress(OSError):
            path.unlink()
        return None
