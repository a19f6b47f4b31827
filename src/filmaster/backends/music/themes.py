"""Leitmotifs: a short theme per character or place, the same intervals in every cue it returns in.

A theme is five notes drawn from the intervals every mode of the score shares (unison, second, fourth, fifth,
octave, the fifth below), so it stays diatonic whatever key and mode a scene's cue is in, and keeps its shape.
"""

from __future__ import annotations

import hashlib

_SHARED_INTERVALS = (-5, 0, 2, 5, 7, 12)
THEME_RHYTHM = (1.0, 0.5, 0.5, 2.0, 4.0)  # beats: a pick-up figure, then a held note over the next bar


def leitmotif(name: str) -> tuple[int, ...]:
    """The theme of `name` (semitones from the tonic): stable across runs, distinct for most names."""
    digest = hashlib.sha256(f"leitmotif:{name.strip().upper()}".encode()).digest()
    notes: list[int] = []
    for byte in digest[: len(THEME_RHYTHM) - 1]:
        options = [x for x in _SHARED_INTERVALS if not notes or x != notes[-1]]  # a theme moves
        notes.append(options[byte % len(options)])
    notes.append(0 if notes[-1] != 0 else 7)  # it comes home to the tonic (or rests on the fifth)
    return tuple(notes)
