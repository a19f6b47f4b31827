"""Sound engines: WAV I/O, DSP helpers, procedural ambience, loudness measurement and the final mix."""

from .ambience import ambience_bed
from .loudness import integrated_loudness, true_peak_dbtp
from .master import normalize
from .mix import MixResult, mix
from .wavio import read_wav, write_wav

__all__ = [
    "MixResult",
    "ambience_bed",
    "integrated_loudness",
    "mix",
    "normalize",
    "read_wav",
    "true_peak_dbtp",
    "write_wav",
]
