"""Sound files cut to start on the frame grid, for editors that place a clip's in-point on a whole frame (MLT).

The film places each line at its exact sample, so a sound clip usually enters its file a fraction of a frame in.
MLT (Kdenlive) can start a clip only on a whole frame: rounding moves each line by up to half a frame (21 ms at
24 fps), which alone took the re-sum of the_last_ferry's Kdenlive project from 0.98 to 0.90 correlation with the
film. Instead the clip reads a copy of its file that begins `shift` samples later, so that a whole-frame in-point
lands on the exact sample; the heads before it stay (but for that fraction of a frame), so it can still be
trimmed. Copies are made once, beside the film's media, named by the source and the shift.
"""

from __future__ import annotations

import math
import wave
from pathlib import Path

from ..atomic import atomic_path

FOLDER = "media/aligned"
TOLERANCE_FRAMES = 1e-3  # a start this close to a frame is on it


def frame_aligned(out: Path, url: str, start_s: float, fps: float) -> tuple[str, int]:
    """(media url, first frame) that play `url` (relative to the film's folder `out`) from `start_s` seconds with
    a whole-frame in-point: `url` itself when `start_s` is on a frame, else a copy that begins later."""
    position = start_s * fps
    first = math.floor(position + TOLERANCE_FRAMES)
    source = out / url
    if position - first < TOLERANCE_FRAMES or not url.lower().endswith(".wav") or not source.is_file():
        return url, round(position)
    try:
        with wave.open(str(source), "rb") as wav:
            rate, total = wav.getframerate(), wav.getnframes()
            shift = round(start_s * rate) - round(first / fps * rate)
            if shift <= 0 or shift >= total:
                return url, round(position)
            target = out / FOLDER / f"{Path(url).stem}-{shift}.wav"
            if not target.is_file():
                wav.setpos(shift)
                samples = wav.readframes(total - shift)
                target.parent.mkdir(parents=True, exist_ok=True)
                with atomic_path(target) as tmp, wave.open(str(tmp), "wb") as copy:
                    copy.setparams(wav.getparams())
                    copy.writeframes(samples)
    except (OSError, wave.Error, EOFError):
        return url, round(position)  # unreadable here: the editor gets the file as it is, rounded to a frame
    return f"{FOLDER}/{target.name}", first
