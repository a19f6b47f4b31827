"""What a note on a preset plays: the instrument zones it falls in, their generators combined as the spec says.

An instrument zone's value is its own generator, else the instrument's global zone's, else the default; the
preset zone's value (own, else its global zone's) is then added to it, for the generators that a preset may set.
Key and velocity ranges intersect across the levels.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import sf2
from .sf2 import Preset, SampleHeader, SoundFont, Zone

# Instrument-level defaults of the generators read here (spec section 8.1.3); absent ones default to 0.
_DEFAULTS = {
    sf2.FILTER_FC: 13500,
    sf2.DELAY_MOD: -12000,
    sf2.ATTACK_MOD: -12000,
    sf2.HOLD_MOD: -12000,
    sf2.DECAY_MOD: -12000,
    sf2.RELEASE_MOD: -12000,
    sf2.DELAY_VOL: -12000,
    sf2.ATTACK_VOL: -12000,
    sf2.HOLD_VOL: -12000,
    sf2.DECAY_VOL: -12000,
    sf2.RELEASE_VOL: -12000,
    sf2.SCALE_TUNING: 100,
    sf2.ROOT_KEY: -1,
    sf2.KEYNUM: -1,
    sf2.VELOCITY: -1,
}
# Generators a preset zone may not set (sample addresses, modes, fixed key/velocity, root key, exclusive class).
_INSTRUMENT_ONLY = frozenset(
    {
        sf2.START_OFFSET,
        sf2.END_OFFSET,
        sf2.LOOP_START_OFFSET,
        sf2.LOOP_END_OFFSET,
        sf2.START_COARSE,
        sf2.END_COARSE,
        sf2.LOOP_START_COARSE,
        sf2.LOOP_END_COARSE,
        sf2.KEYNUM,
        sf2.VELOCITY,
        sf2.SAMPLE_MODES,
        sf2.EXCLUSIVE_CLASS,
        sf2.ROOT_KEY,
    }
)


@dataclass(frozen=True)
class Region:
    """One sample to play for a note, with every generator resolved (operator → summed amount)."""

    sample: SampleHeader
    generators: dict[int, int]

    def get(self, op: int) -> int:
        return self.generators.get(op, _DEFAULTS.get(op, 0))


def _covers(zone: Zone | None, key: int, velocity: int) -> bool:
    if zone is None:
        return True
    return zone.key_range[0] <= key <= zone.key_range[1] and zone.vel_range[0] <= velocity <= zone.vel_range[1]


def _merged(global_zone: Zone | None, zone: Zone) -> dict[int, int]:
    return {**(global_zone.generators if global_zone else {}), **zone.generators}


def regions(font: SoundFont, preset: Preset, key: int, velocity: int) -> list[Region]:
    """The regions a note (key, velocity 1-127) on `preset` sounds, in file order."""
    out: list[Region] = []
    if not _covers(preset.global_zone, key, velocity):
        return out
    for pzone in preset.zones:
        if not _covers(pzone, key, velocity) or pzone.link is None or pzone.link >= len(font.instruments):
            continue
        instrument = font.instruments[pzone.link]
        if not _covers(instrument.global_zone, key, velocity):
            continue
        added = {op: v for op, v in _merged(preset.global_zone, pzone).items() if op not in _INSTRUMENT_ONLY}
        for izone in instrument.zones:
            if not _covers(izone, key, velocity) or izone.link is None or izone.link >= len(font.samples):
                continue
            generators = {op: _DEFAULTS.get(op, 0) for op in added}
            generators.update(_merged(instrument.global_zone, izone))
            for op, amount in added.items():
                generators[op] += amount
            out.append(Region(font.samples[izone.link], generators))
    return out
