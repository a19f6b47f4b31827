"""A SoundFont 2 synthesizer of our own: the .sf2 parser (sf2), zone resolution (regions), the volume envelope and
offline rendering of MIDI parts (synth)."""

from .sf2 import SoundFont, SoundFontError, load_soundfont, parse_soundfont
from .synth import MissingPresetError, Note, Part, render

__all__ = [
    "MissingPresetError",
    "Note",
    "Part",
    "SoundFont",
    "SoundFontError",
    "load_soundfont",
    "parse_soundfont",
    "render",
]
