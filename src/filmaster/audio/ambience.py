"""Procedural ambience beds: room tone and location atmospheres synthesised from noise and small events.

Every bed is built from a few layers (a steady body, slow swells, sparse events), each layer stereo and
partly decorrelated between channels so the bed sounds wide rather than like a mono noise in both speakers.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

from ..errors import AudioError
from ..model import SetKind, TimeOfDay
from .dsp import fade, rms_db
from .loudness import integrated_loudness

# Loudness of each bed (LUFS) before the mix's own gain: room tone sits near the noise floor, busy places
# are louder. An interior scene at an exterior kind (a room over a street) is quieter still.
BED_LUFS: dict[SetKind, float] = {
    SetKind.ROOM: -50.0,
    SetKind.KITCHEN: -48.0,
    SetKind.OFFICE: -46.0,
    SetKind.CORRIDOR: -47.0,
    SetKind.BAR: -34.0,
    SetKind.VEHICLE: -36.0,
    SetKind.STREET: -36.0,
    SetKind.FOREST: -40.0,
    SetKind.FIELD: -40.0,
    SetKind.SHORE: -32.0,
}
_MUFFLED_LUFS_OFFSET = -8.0
_INTERIOR_KINDS = {SetKind.ROOM, SetKind.KITCHEN, SetKind.OFFICE, SetKind.CORRIDOR, SetKind.BAR, SetKind.VEHICLE}

# Mixing weight between the two channels' noises (inter-channel correlation ≈ 0.38): 0 would leave a hole
# in the middle, 1 collapse to mono.
_CORRELATION = 0.2


class _Bed:
    """Shared state of one bed being built: length, rate, random generator and the stereo sum."""

    def __init__(self, n: int, sample_rate: int, rng: np.random.Generator) -> None:
        self.n, self.sr, self.rng = n, sample_rate, rng
        self.out = np.zeros((n, 2))

    # --- noise sources -------------------------------------------------------------------------------
    def white(self) -> np.ndarray:
        """(n, 2) white noise with the bed's inter-channel correlation."""
        w = self.rng.standard_normal((self.n, 2))
        c = _CORRELATION
        mixed = np.column_stack([w[:, 0] + c * w[:, 1], w[:, 1] + c * w[:, 0]])
        return mixed / np.sqrt(1.0 + c * c)

    def pink(self) -> np.ndarray:
        from scipy.signal import lfilter

        # A 3-pole/3-zero filter approximating -3 dB/octave across the audio band.
        b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
        a = [1.0, -2.494956002, 2.017265875, -0.522189400]
        return _unit(lfilter(b, a, self.white(), axis=0))

    def brown(self) -> np.ndarray:
        from scipy.signal import lfilter

        # Leaky integrator: -6 dB/octave, the leak keeps it from drifting off.
        return _unit(lfilter([1.0], [1.0, -0.998], self.white(), axis=0))

    # --- filters and shapes --------------------------------------------------------------------------
    def band(self, x: np.ndarray, lo: float | None, hi: float | None, order: int = 2) -> np.ndarray:
        from scipy.signal import butter, sosfilt

        nyq = self.sr / 2.0
        if lo and hi:
            sos = butter(order, [lo / nyq, min(hi / nyq, 0.99)], btype="band", output="sos")
        elif lo:
            sos = butter(order, lo / nyq, btype="high", output="sos")
        elif hi:
            sos = butter(order, min(hi / nyq, 0.99), btype="low", output="sos")
        else:
            return x
        return sosfilt(sos, x, axis=0)

    def drift(self, every_s: float, lo: float, hi: float) -> np.ndarray:
        """A smooth random curve in [lo, hi], with a new target about every `every_s` seconds."""
        points = int(self.n / (every_s * self.sr)) + 3
        values = self.rng.uniform(lo, hi, points)
        pos = np.arange(self.n) / (every_s * self.sr)
        i = np.minimum(pos.astype(int), points - 2)
        t = 0.5 - 0.5 * np.cos(np.pi * (pos - i))  # cosine interpolation: no corners
        return values[i] * (1 - t) + values[i + 1] * t

    def add(self, x: np.ndarray, gain_db: float = 0.0) -> None:
        self.out += (x if x.ndim == 2 else np.column_stack([x, x])) * 10.0 ** (gain_db / 20.0)

    def place(self, event: np.ndarray, start_s: float, pan: float, gain_db: float = 0.0) -> None:
        """Add a mono event at `start_s`, constant-power panned (pan -1 left … +1 right)."""
        start = int(start_s * self.sr)
        if start >= self.n or event.size == 0:
            return
        seg = event[: self.n - start] * 10.0 ** (gain_db / 20.0)
        angle = (pan + 1.0) * np.pi / 4.0
        self.out[start : start + seg.size, 0] += seg * np.cos(angle)
        self.out[start : start + seg.size, 1] += seg * np.sin(angle)

    def times(self, mean_gap_s: float, first_s: float = 0.0) -> list[float]:
        """Event start times of a Poisson process with the given mean gap."""
        found, t = [], first_s + self.rng.exponential(mean_gap_s)
        while t < self.n / self.sr:
            found.append(t)
            t += self.rng.exponential(mean_gap_s)
        return found


def _unit(x: np.ndarray) -> np.ndarray:
    """Scale to unit RMS (so layer gains in dB are relative to each other)."""
    r = float(np.sqrt(np.mean(x * x)))
    return x / r if r > 0 else x


def _envelope(n: int, attack: int, sr: int, decay_s: float) -> np.ndarray:
    t = np.arange(n)
    env = np.exp(-np.maximum(t - attack, 0) / (decay_s * sr))
    env[:attack] = np.linspace(0.0, 1.0, attack, endpoint=False) if attack else env[:attack]
    return env


# --- layers ---------------------------------------------------------------------------------------------
def _room_tone(bed: _Bed) -> None:
    bed.add(bed.band(bed.brown(), 20, 250) * bed.drift(3.0, 0.8, 1.1)[:, None])
    bed.add(bed.band(bed.pink(), 80, 2500), -14.0)
    # Mains hum, very faint: 50 or 60 Hz with its odd harmonics, as transformers and ballasts leave it.
    mains = 50.0 if bed.rng.random() < 0.5 else 60.0
    t = np.arange(bed.n) / bed.sr
    hum = sum((np.sin(2 * np.pi * mains * k * t + bed.rng.uniform(0, 6.3)) / k for k in (1, 3, 5)), np.zeros_like(t))
    bed.add(_unit(hum), -14.0)
    for start in bed.times(14.0, first_s=1.0):
        bed.place(_creak(bed), start, bed.rng.uniform(-0.8, 0.8), -2.0)


def _creak(bed: _Bed) -> np.ndarray:
    from scipy.signal import butter, lfilter

    """Wood creak: stick-slip clicks at a sliding rate, each ringing a resonance of the board."""
    dur = bed.rng.uniform(0.25, 0.7)
    n = int(dur * bed.sr)
    rate = np.linspace(bed.rng.uniform(25, 45), bed.rng.uniform(50, 110), n)
    phase = np.cumsum(rate) / bed.sr
    clicks = np.diff(np.floor(phase), prepend=0.0) * bed.rng.uniform(0.6, 1.0, n)
    centre = bed.rng.uniform(350, 900)
    nyq = bed.sr / 2
    ring = lfilter(*butter(2, [centre * 0.8 / nyq, centre * 1.25 / nyq], btype="band"), clicks)
    return _unit(ring) * np.hanning(n)


def _hvac(bed: _Bed) -> None:
    bed.add(bed.band(bed.pink(), 150, 5000) * bed.drift(6.0, 0.9, 1.05)[:, None], -2.0)
    t = np.arange(bed.n) / bed.sr
    bed.add(_unit(np.sin(2 * np.pi * bed.rng.uniform(95, 125) * t)), -22.0)  # fan motor


def _fridge(bed: _Bed) -> None:
    t = np.arange(bed.n) / bed.sr
    f = bed.rng.uniform(95, 110)
    buzz = sum((np.sin(2 * np.pi * f * k * t) / k for k in range(1, 6)), np.zeros_like(t))
    cycle = np.clip(bed.drift(8.0, -0.5, 1.5), 0.0, 1.0)  # the compressor switches on and off
    bed.add(_unit(buzz) * cycle, -10.0)


def _murmur(bed: _Bed, voices: int) -> None:
    """Crowd murmur: independent syllable-rate modulated voice-band noises, spread across the stereo field."""
    t = np.arange(bed.n) / bed.sr
    for _ in range(voices):
        noise = bed.band(bed.rng.standard_normal(bed.n), 250, 2500)
        syllables = 0.5 + 0.5 * np.sin(2 * np.pi * bed.rng.uniform(3.0, 5.5) * t + bed.rng.uniform(0, 6.3))
        talking = np.clip(bed.drift(2.5, -0.6, 1.4), 0.0, 1.0)  # each voice pauses now and then
        bed.place(_unit(noise) * syllables**2 * talking, 0.0, bed.rng.uniform(-0.9, 0.9), -6.0)
    for start in bed.times(6.0):
        bed.place(_clink(bed), start, bed.rng.uniform(-0.7, 0.7), -4.0)
    bed.add(bed.band(bed.brown(), 40, 300), -10.0)


def _clink(bed: _Bed) -> np.ndarray:
    n = int(0.4 * bed.sr)
    t = np.arange(n) / bed.sr
    partials = bed.rng.uniform(2200, 5200, 3)
    tone = sum(np.sin(2 * np.pi * f * t) for f in partials)
    return tone * np.exp(-t / 0.06) * 0.5


def _vehicle(bed: _Bed, muffle: bool) -> None:
    rpm = bed.drift(4.0, 0.85, 1.15) * bed.rng.uniform(28, 38)  # firing frequency in Hz
    phase = 2 * np.pi * np.cumsum(rpm) / bed.sr
    drone = sum(np.sin(k * phase) / k**0.7 for k in range(1, 9))
    bed.add(bed.band(_unit(drone), None, 400), -3.0)
    road = bed.band(bed.pink(), 30, 900 if muffle else 3000)
    bed.add(road * bed.drift(3.0, 0.7, 1.2)[:, None], -1.0)


def _traffic(bed: _Bed, night: bool) -> None:
    bed.add(bed.band(bed.brown(), 25, 500), -4.0)
    body = bed.band(bed.pink(), 60, 2500)
    # Cars passing: each a swell of a few seconds, the traffic density thinning out at night.
    swell = np.zeros(bed.n)
    for start in bed.times(7.0 if night else 2.5):
        length = int(bed.rng.uniform(3.0, 8.0) * bed.sr)
        s = int(start * bed.sr)
        seg = np.hanning(length)[: bed.n - s] * bed.rng.uniform(0.4, 1.0)
        swell[s : s + seg.size] += seg
    bed.add(body * (0.25 + swell)[:, None])
    for start in bed.times(25.0 if night else 12.0, first_s=2.0):
        bed.place(_horn(bed), start, bed.rng.uniform(-0.9, 0.9), -8.0)


def _horn(bed: _Bed) -> np.ndarray:
    from scipy.signal import butter, lfilter

    dur = bed.rng.uniform(0.25, 0.8)
    n = int(dur * bed.sr)
    t = np.arange(n) / bed.sr
    tone = sum(np.sign(np.sin(2 * np.pi * f * t)) for f in (bed.rng.uniform(380, 420), bed.rng.uniform(480, 520)))
    nyq = bed.sr / 2
    distant = lfilter(*butter(2, 1800 / nyq), tone)  # far away: the highs are gone
    return _unit(distant) * np.minimum(1.0, np.minimum(t, dur - t) / 0.03)


def _wind(bed: _Bed, lo: float, hi: float, gusts: float, gain_db: float = 0.0) -> None:
    leaves = bed.band(bed.pink(), lo, hi)
    am = bed.drift(2.5, 1.0 - gusts, 1.0) * bed.drift(11.0, 0.6, 1.0)
    bed.add(leaves * am[:, None], gain_db)


def _birds(bed: _Bed, mean_gap_s: float) -> None:
    for start in bed.times(mean_gap_s):
        pan, base = bed.rng.uniform(-0.9, 0.9), bed.rng.uniform(2200, 4800)
        t0 = start
        for _ in range(int(bed.rng.integers(2, 7))):  # a phrase of a few chirps
            dur = bed.rng.uniform(0.05, 0.18)
            n = int(dur * bed.sr)
            tt = np.arange(n) / bed.sr
            sweep = base * (1 + bed.rng.uniform(-0.35, 0.35) * tt / dur)
            chirp = np.sin(2 * np.pi * np.cumsum(sweep) / bed.sr) * np.hanning(n)
            bed.place(chirp, t0, pan, bed.rng.uniform(-2.0, 3.0))
            t0 += dur + bed.rng.uniform(0.03, 0.15)


def _crickets(bed: _Bed, count: int) -> None:
    t = np.arange(bed.n) / bed.sr
    for _ in range(count):
        carrier = np.sin(2 * np.pi * bed.rng.uniform(4200, 4900) * t)
        # Pulses at ~30 Hz grouped into chirps of ~3-4 pulses, repeating a little under twice a second.
        pulses = np.clip(np.sin(2 * np.pi * bed.rng.uniform(26, 34) * t), 0.0, 1.0) ** 2
        period = bed.rng.uniform(0.45, 0.8)
        gate = ((t + bed.rng.uniform(0, period)) % period) < 0.13
        bed.place(carrier * pulses * gate, 0.0, bed.rng.uniform(-0.9, 0.9), bed.rng.uniform(-2.0, 2.0))


def _waves(bed: _Bed) -> None:
    """Waves breaking: swells every 7-11 s (about 0.1 Hz), a low-passed roar and a delayed hiss of wash."""
    env = np.zeros(bed.n)
    wash = np.zeros(bed.n)
    t = -bed.rng.uniform(0.0, 6.0)
    while t < bed.n / bed.sr:
        period = bed.rng.uniform(7.0, 11.0)
        s, length = int(t * bed.sr), int(period * bed.sr)
        rise = int(0.35 * length)
        shape = _envelope(length, rise, bed.sr, period * 0.22) * bed.rng.uniform(0.7, 1.0)
        lo, hi = max(s, 0), min(s + length, bed.n)
        if hi > lo:
            env[lo:hi] += shape[lo - s : hi - s]
            d = s + rise // 2  # the wash trails the break a little
            lo2, hi2 = max(d, 0), min(d + length, bed.n)
            if hi2 > lo2:
                wash[lo2:hi2] += shape[lo2 - d : hi2 - d]
        t += period
    bed.add(bed.band(bed.pink(), 40, 1200) * (0.06 + env)[:, None])
    bed.add(bed.band(bed.white(), 2000, 9000) * (0.03 + wash)[:, None], -8.0)


# --- recipes --------------------------------------------------------------------------------------------
def _recipe(kind: SetKind, night: bool, day_birds: bool, muffle: bool) -> Callable[[_Bed], None]:
    def build(bed: _Bed) -> None:
        if kind in (SetKind.ROOM, SetKind.KITCHEN):
            _room_tone(bed)
            if kind is SetKind.KITCHEN:
                _fridge(bed)
        elif kind in (SetKind.OFFICE, SetKind.CORRIDOR):
            _hvac(bed)
            _room_tone(bed)
        elif kind is SetKind.BAR:
            _murmur(bed, voices=12 if night else 7)
        elif kind is SetKind.VEHICLE:
            _vehicle(bed, muffle)
        elif kind is SetKind.STREET:
            _traffic(bed, night)
        elif kind in (SetKind.FOREST, SetKind.FIELD):
            field = kind is SetKind.FIELD
            # The wind drops at night, when the crickets take over.
            calm = 0.0 if day_birds else -6.0
            _wind(bed, 150 if field else 400, 2500 if field else 6000, gusts=0.7 if field else 0.5, gain_db=calm)
            if day_birds:
                _birds(bed, 2.0 if not field else 4.0)
            else:
                _crickets(bed, 4 if not field else 6)
        elif kind is SetKind.SHORE:
            _waves(bed)
        else:  # a SetKind added later without a recipe still gets a neutral room tone
            _room_tone(bed)

    return build


def ambience_bed(
    set_kind: SetKind,
    interior: bool,
    time_of_day: TimeOfDay,
    duration_s: float,
    sample_rate: int,
    seed: int = 0,
) -> np.ndarray:
    """A stereo ambience bed (n, 2) float32, n = round(duration_s * sample_rate), deterministic per seed.

    Night replaces birds with crickets and thins out traffic; an interior scene at an exterior kind (a
    room on a street, a cabin in a forest) hears the location through the walls (low-passed) over room tone.
    """
    if duration_s <= 0 or sample_rate <= 0:
        raise AudioError(f"ambience bed needs a positive duration and rate, got {duration_s} s at {sample_rate} Hz")
    n = round(duration_s * sample_rate)
    set_kind, time_of_day = SetKind(set_kind), TimeOfDay(time_of_day)
    night = time_of_day in (TimeOfDay.NIGHT, TimeOfDay.DUSK)
    # Stable across runs and Python processes (str hash() is salted; crc32 is not).
    entropy = [seed & 0xFFFFFFFF, zlib.crc32(set_kind.value.encode()), zlib.crc32(time_of_day.value.encode())]
    bed = _Bed(n, sample_rate, np.random.default_rng([*entropy, int(interior)]))
    through_walls = interior and set_kind not in _INTERIOR_KINDS
    _recipe(set_kind, night, not night, muffle=interior)(bed)
    out = bed.out
    target = BED_LUFS.get(set_kind, -48.0)
    if through_walls:
        out = bed.band(out, None, 500, order=4)
        walls = _Bed(n, sample_rate, np.random.default_rng([*entropy, 2]))
        _room_tone(walls)
        out = _unit(out) + _unit(walls.out) * 10.0 ** (-6.0 / 20.0)
        target += _MUFFLED_LUFS_OFFSET
    out = _set_level(out, sample_rate, target)
    return fade(np.clip(out, -1.0, 1.0).astype(np.float32), sample_rate, 0.05, 0.05)


def _set_level(audio: np.ndarray, sample_rate: int, target_lufs: float) -> np.ndarray:
    measured = integrated_loudness(audio, sample_rate)
    if not np.isfinite(measured):  # under one 400 ms block: fall back to RMS, which reads close for noise
        measured = rms_db(audio)
    return audio * 10.0 ** ((target_lufs - measured) / 20.0)
