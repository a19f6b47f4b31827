"""Where an effect's samples come from: a sound library file when one matches its description, else the
procedural synthesiser; either way one cached WAV per cue, keyed by what it sounds like.

The library is a hook: `SoundLookup` takes a cue's description ("horn", "footstep-wood") and returns a file or
None; whoever provides a library (e.g. `filmaster sounds add`) passes one in `SoundBackends.find_sound`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import FilmasterError
from ..model import SoundCue
from ..project import content_key
from .dsp import resample
from .perspective import place_at_distance
from .sfx import PEAK, synthesize
from .wavio import read_wav, write_wav

log = logging.getLogger(__name__)

SFX_VERSION = "2"  # bump when a recipe or the perspective changes what is rendered

SoundLookup = Callable[[str], Path | None]


def effect_seed(cue: SoundCue, seed: int) -> int:
    """Each event its own variation, stable across re-runs: from the film's seed and the cue's identity."""
    return int(content_key("effect-seed", seed, cue.id)[:12], 16)


def render_effect(
    cue: SoundCue, rate: int, seed: int, find_sound: SoundLookup | None
) -> tuple[str, Callable[[Path], None]]:
    """The cache key of the cue's sound and how to make it."""
    category = cue.category or cue.description
    distance = cue.distance or 0.0
    library = find_sound(category) if find_sound is not None else None
    if library is not None:
        stat = library.stat()
        key = content_key("effect", SFX_VERSION, str(library), stat.st_size, stat.st_mtime_ns, distance, rate)

        def from_library(tmp: Path) -> None:
            try:
                audio, file_rate = read_wav(library)
            except FilmasterError as exc:  # a corrupt or unsupported library file: reported, the synthesiser plays
                log.warning("sound library: skipping %s for %s (%s); synthesising it instead", library, cue.id, exc)
                write_wav(tmp, synthesize(category, effect_seed(cue, seed), rate, distance), rate)
                return
            mono = audio.mean(axis=1) if audio.ndim == 2 else audio
            if file_rate != rate:
                mono = resample(mono, file_rate, rate)
            placed = place_at_distance(np.asarray(mono, dtype=np.float64), rate, distance, effect_seed(cue, seed))
            peak = float(np.abs(placed).max()) or 1.0
            write_wav(tmp, (placed * (PEAK / peak)).astype(np.float32), rate)

        return key, from_library
    variation = effect_seed(cue, seed)
    key = content_key("effect", SFX_VERSION, category, variation, distance, rate)

    def synthesised(tmp: Path) -> None:
        write_wav(tmp, synthesize(category, variation, rate, distance), rate)

    return key, synthesised
