"""Staging shared by the breakdown and hand-written shot specs: actors' marks, the cast's looks and voices, props.

Both the screenplay's breakdown and `filmaster previz` (stages/shot_spec.py) stage a scene the same way, so a shot
filmed from a spec looks like the same shot of a film.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import CastMember, Mark, Prop
from .lexicon import PROP_WORDS, SET_PROPS


# ---------------------------------------------------------------------------------------------------- blocking
def characters_in(text: str, known: Iterable[str]) -> list[str]:
    """The known characters `text` names (names are upper case in a screenplay's cast), in `known`'s order."""
    upper = text.upper()
    return [name for name in known if re.search(rf"\b{re.escape(name)}\b", upper)]


def block_characters(characters: list[str]) -> dict[str, Mark]:
    """Marks along the 180° line (the x axis): the first two face each other, the rest complete a group."""
    if not characters:
        return {}
    if len(characters) == 1:
        return {characters[0]: Mark(x=0.0, z=0.0, facing_deg=-15.0)}
    marks = {
        characters[0]: Mark(x=-0.9, z=0.0, facing_deg=90.0),
        characters[1]: Mark(x=0.9, z=0.0, facing_deg=-90.0),
    }
    for i, name in enumerate(characters[2:]):
        side = -1 if i % 2 else 1
        marks[name] = Mark(x=0.45 * side * (1 + i // 2), z=1.1 + 0.5 * (i // 2), facing_deg=180.0 - 20.0 * side)
    return marks


def place_props(props: list[str]) -> list[Prop]:
    placed = [p for p in props if p not in SET_PROPS]
    return [
        Prop(name=name, x=-0.5 + 0.5 * (i % 3), z=0.55 + 0.35 * (i // 3), size=0.22, color=PROP_WORDS[name])
        for i, name in enumerate(placed)
    ]


# ---------------------------------------------------------------------------------------------------- cast
_SHIRTS = [
    (0.75, 0.16, 0.14),
    (0.16, 0.36, 0.72),
    (0.93, 0.72, 0.16),
    (0.2, 0.6, 0.32),
    (0.55, 0.25, 0.6),
    (0.92, 0.45, 0.15),
    (0.15, 0.6, 0.65),
    (0.85, 0.85, 0.82),
]
_TROUSERS = [(0.16, 0.17, 0.22), (0.3, 0.25, 0.2), (0.22, 0.28, 0.4), (0.12, 0.12, 0.12)]
_SKINS = [(0.87, 0.69, 0.57), (0.55, 0.37, 0.26), (0.95, 0.8, 0.69), (0.72, 0.52, 0.38), (0.36, 0.24, 0.17)]
_HAIRS = [(0.12, 0.08, 0.06), (0.55, 0.35, 0.16), (0.85, 0.72, 0.45), (0.3, 0.3, 0.32), (0.55, 0.16, 0.08)]
_HEIGHTS = [1.78, 1.66, 1.84, 1.71, 1.62, 1.88]
# One bundled voice: characters differ by pitch and pace (alternating lower/higher so neighbours contrast).
_VOICES = [(1.0, 1.0), (1.24, 1.06), (0.84, 0.94), (1.12, 1.1), (0.92, 0.9), (1.34, 1.0)]


def cast_for(names: list[str]) -> dict[str, CastMember]:
    cast = {}
    for i, name in enumerate(names):
        pitch, rate = _VOICES[i % len(_VOICES)]
        cast[name] = CastMember(
            name=name,
            shirt=_SHIRTS[i % len(_SHIRTS)],
            trousers=_TROUSERS[i % len(_TROUSERS)],
            skin=_SKINS[i % len(_SKINS)],
            hair=_HAIRS[(i * 2) % len(_HAIRS)],
            height_m=_HEIGHTS[i % len(_HEIGHTS)],
            voice_pitch=pitch,
            voice_rate=rate,
        )
    return cast
