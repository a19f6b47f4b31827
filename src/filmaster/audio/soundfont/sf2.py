"""A SoundFont 2 file read into presets, instruments, zones and sample headers (SoundFont 2.01 specification).

The file is a RIFF `sfbk` form with three lists: INFO (names), sdta (16-bit sample words in `smpl`, their optional
low bytes in `sm24`) and pdta, the "hydra" of nine fixed-size record tables. A preset's bag (zone) list points into
its generators; a generator `instrument` links a preset zone to an instrument, whose zones link to samples by the
generator `sampleID`. Each table ends with a terminal record that only bounds the one before it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import ConfigError

# Generator operators (spec section 8.1.2) that this package reads by number.
START_OFFSET, END_OFFSET, LOOP_START_OFFSET, LOOP_END_OFFSET, START_COARSE = 0, 1, 2, 3, 4
MOD_ENV_TO_PITCH, FILTER_FC, FILTER_Q = 7, 8, 9
MOD_ENV_TO_FC = 11
END_COARSE = 12
PAN = 17
DELAY_MOD, ATTACK_MOD, HOLD_MOD, DECAY_MOD, SUSTAIN_MOD, RELEASE_MOD = 25, 26, 27, 28, 29, 30
KEY_TO_MOD_HOLD, KEY_TO_MOD_DECAY = 31, 32
DELAY_VOL, ATTACK_VOL, HOLD_VOL, DECAY_VOL, SUSTAIN_VOL, RELEASE_VOL = 33, 34, 35, 36, 37, 38
KEY_TO_HOLD, KEY_TO_DECAY = 39, 40
INSTRUMENT = 41
KEY_RANGE, VEL_RANGE = 43, 44
LOOP_START_COARSE = 45
KEYNUM, VELOCITY = 46, 47
ATTENUATION = 48
LOOP_END_COARSE = 50
COARSE_TUNE, FINE_TUNE = 51, 52
SAMPLE_ID, SAMPLE_MODES = 53, 54
SCALE_TUNING = 56
EXCLUSIVE_CLASS = 57
ROOT_KEY = 58
_RANGES = frozenset({KEY_RANGE, VEL_RANGE})  # their amount is two bytes (lo, hi), not a signed word


class SoundFontError(ConfigError):
    """The .sf2 file is not a SoundFont 2 file this reader understands."""


@dataclass(frozen=True)
class SampleHeader:
    name: str
    start: int  # word offsets into the sample data
    end: int  # first word after the sample
    loop_start: int
    loop_end: int  # first word after the loop
    sample_rate: int
    original_key: int
    pitch_correction: int  # cents
    sample_type: int  # 1 mono, 2 right, 4 left, 8 linked; 0x8000 ROM


@dataclass(frozen=True)
class Zone:
    """A zone's generators (operator → amount; keyRange/velRange as a (lo, hi) pair) and what it links to."""

    generators: dict[int, int]
    key_range: tuple[int, int]
    vel_range: tuple[int, int]
    link: int | None  # instrument index (a preset zone) or sample index (an instrument zone); None: global zone


@dataclass(frozen=True)
class Instrument:
    name: str
    global_zone: Zone | None
    zones: tuple[Zone, ...]


@dataclass(frozen=True)
class Preset:
    name: str
    program: int
    bank: int
    global_zone: Zone | None
    zones: tuple[Zone, ...]


@dataclass(frozen=True)
class SoundFont:
    name: str
    presets: tuple[Preset, ...]
    instruments: tuple[Instrument, ...]
    samples: tuple[SampleHeader, ...]
    data: np.ndarray  # every sample word as read: int16, or int32 where sm24 adds low bytes
    scale: float = 1.0 / 32768.0  # data * scale is in [-1, 1)

    def preset(self, bank: int, program: int) -> Preset | None:
        for preset in self.presets:
            if preset.bank == bank and preset.program == program:
                return preset
        return None


def load_soundfont(path: Path) -> SoundFont:
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise SoundFontError(f"cannot read soundfont {path}: {exc.strerror}") from exc
    return parse_soundfont(blob, str(path))


def parse_soundfont(blob: bytes, where: str = "soundfont") -> SoundFont:
    if len(blob) < 12 or blob[:4] != b"RIFF" or blob[8:12] != b"sfbk":
        raise SoundFontError(f"{where} is not a SoundFont (.sf2) file: no RIFF sfbk header")
    lists = {kind: chunks for kind, chunks in _lists(blob, where)}
    for needed in ("sdta", "pdta"):
        if needed not in lists:
            raise SoundFontError(f"{where} lacks its {needed} list; the .sf2 file is truncated or damaged")
    info, sdta, pdta = lists.get("INFO", {}), lists["sdta"], lists["pdta"]
    name = info.get("INAM", b"").split(b"\0", 1)[0].decode("latin-1").strip()
    data, scale = _sample_data(sdta, where)
    try:
        instruments = _instruments(pdta)
        presets = _presets(pdta)
        samples = _samples(pdta)
    except (KeyError, struct.error, IndexError) as exc:
        raise SoundFontError(f"{where} has a damaged preset table (pdta): {exc}; use another .sf2 file") from exc
    return SoundFont(name=name, presets=presets, instruments=instruments, samples=samples, data=data, scale=scale)


def _lists(blob: bytes, where: str) -> list[tuple[str, dict[str, bytes]]]:
    """The LIST chunks of the sfbk form, each as its sub-chunks by id."""
    out = []
    pos, stop = 12, min(len(blob), 8 + struct.unpack_from("<I", blob, 4)[0])
    while pos + 8 <= stop:
        cid, size = blob[pos : pos + 4], struct.unpack_from("<I", blob, pos + 4)[0]
        body = blob[pos + 8 : pos + 8 + size]
        if len(body) < size:
            raise SoundFontError(f"{where}: chunk {cid!r} runs past the end of the file; the file is truncated")
        if cid == b"LIST" and size >= 4:
            subs: dict[str, bytes] = {}
            sub = 4
            while sub + 8 <= size:
                sid, ssize = body[sub : sub + 4].decode("latin-1"), struct.unpack_from("<I", body, sub + 4)[0]
                subs[sid] = body[sub + 8 : sub + 8 + ssize]
                sub += 8 + ssize + (ssize & 1)  # chunks are word-aligned
            out.append((body[:4].decode("latin-1"), subs))
        pos += 8 + size + (size & 1)
    return out


def _sample_data(sdta: dict[str, bytes], where: str) -> tuple[np.ndarray, float]:
    """The sample words and the scale to [-1, 1); 16-bit words stay as read (no copy: a large font loads fast)."""
    smpl = sdta.get("smpl")
    if smpl is None:
        raise SoundFontError(
            f"{where} has no sample data (sdta/smpl); use an .sf2 file (not .sf3, which is compressed)"
        )
    words = np.frombuffer(smpl[: len(smpl) // 2 * 2], dtype="<i2")
    low = sdta.get("sm24")
    if low is not None and len(low) >= words.size:  # 24-bit: the low byte of each sample lies in sm24
        full = (words.astype(np.int32) << 8) | np.frombuffer(low[: words.size], dtype=np.uint8)
        return full, 1.0 / 8388608.0
    return words, 1.0 / 32768.0


def _records(pdta: dict[str, bytes], cid: str, fmt: str) -> list[tuple]:
    size = struct.calcsize(fmt)
    body = pdta[cid]
    return [struct.unpack_from(fmt, body, i) for i in range(0, len(body) - size + 1, size)]


def _name(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("latin-1").strip()


def _zones(bags: list[tuple], gens: list[tuple], first: int, last: int, link_op: int) -> tuple[Zone | None, list[Zone]]:
    """The zones of bags [first, last); the first one without a link generator is the global zone."""
    global_zone, zones = None, []
    for b in range(first, last):
        g0, g1 = bags[b][0], bags[b + 1][0]
        generators: dict[int, int] = {}
        key_range, vel_range = (0, 127), (0, 127)
        link = None
        for op, raw in (gens[g] for g in range(g0, g1)):
            if op == KEY_RANGE:
                key_range = (raw & 0xFF, raw >> 8)
            elif op == VEL_RANGE:
                vel_range = (raw & 0xFF, raw >> 8)
            elif op == link_op:
                link = raw
                break  # the link is the zone's last generator; any after it are to be ignored
            else:
                generators[op] = raw - 0x10000 if raw >= 0x8000 and op not in _RANGES else raw
        zone = Zone(generators=generators, key_range=key_range, vel_range=vel_range, link=link)
        if link is None:
            if b == first:
                global_zone = zone
            continue  # a linkless zone elsewhere is to be ignored
        zones.append(zone)
    return global_zone, zones


def _presets(pdta: dict[str, bytes]) -> tuple[Preset, ...]:
    headers = _records(pdta, "phdr", "<20sHHHIII")
    bags = _records(pdta, "pbag", "<HH")
    gens = _records(pdta, "pgen", "<HH")
    out = []
    for i in range(len(headers) - 1):  # the last header is the terminal "EOP"
        name, program, bank, bag = headers[i][:4]
        global_zone, zones = _zones(bags, gens, bag, headers[i + 1][3], INSTRUMENT)
        out.append(Preset(_name(name), program, bank, global_zone, tuple(zones)))
    return tuple(out)


def _instruments(pdta: dict[str, bytes]) -> tuple[Instrument, ...]:
    headers = _records(pdta, "inst", "<20sH")
    bags = _records(pdta, "ibag", "<HH")
    gens = _records(pdta, "igen", "<HH")
    out = []
    for i in range(len(headers) - 1):  # the last is the terminal "EOI"
        global_zone, zones = _zones(bags, gens, headers[i][1], headers[i + 1][1], SAMPLE_ID)
        out.append(Instrument(_name(headers[i][0]), global_zone, tuple(zones)))
    return tuple(out)


def _samples(pdta: dict[str, bytes]) -> tuple[SampleHeader, ...]:
    out = []
    for name, start, end, loop_start, loop_end, rate, key, correction, _link, kind in _records(
        pdta, "shdr", "<20sIIIIIBbHH"
    )[:-1]:  # the last is the terminal "EOS"
        out.append(SampleHeader(_name(name), start, end, loop_start, loop_end, rate, key, correction, kind))
    return tuple(out)
