"""The film's sound format, shared by the mix (which lays each scene on it) and the AAC encoder (which cuts on it)."""

from __future__ import annotations

AUDIO_RATE = 48000  # the film's sound track, in samples a second
AAC_FRAME = 1024  # samples per AAC frame: scenes start on this grid so their encoded sound can be reused
