"""How a line is performed: the screenplay's parenthetical and extension turned into level, timbre and pace.

The TTS voice speaks every line the same way; the delivery reshapes it afterwards (and asks the voice for a
different pace and a slight pitch change), as an actor would: a whisper is breathy, thin and far quieter, a shout
louder, brighter and strained. The character's own voice (its pitch and rate in the cast) is kept: a delivery only
nudges it. The extension decides the perspective: (V.O.) dry and close, (O.S.)/(O.C.) off in the room.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .rooms import Perspective

DELIVERY_VERSION = "1"  # bump when a delivery's processing changes what it produces


@dataclass(frozen=True)
class Delivery:
    name: str = "normal"
    gain_db: float = 0.0  # level against a normal line
    rate: float = 1.0  # pace factor on top of the character's
    pitch: float = 1.0  # pitch factor on top of the character's
    tilt_db: float = 0.0  # spectral tilt: + brighter (more highs), - darker
    breath: float = 0.0  # 0..1: voiced sound replaced by breath noise shaped like the speech
    drive: float = 0.0  # 0..1: saturation of a strained voice
    tremolo_hz: float = 0.0  # laughing: a quick amplitude shake
    perspective: Perspective = Perspective.ON_SCREEN


# Words of a parenthetical → a delivery. The first match wins, so stronger readings come first.
_DELIVERIES: list[tuple[re.Pattern[str], Delivery]] = [
    (
        re.compile(r"\bwhisper|\bunder (?:his|her|their) breath|\bsotto voce|\bmouth(?:s|ing)\b"),
        Delivery("whispering", gain_db=-12.0, rate=0.93, tilt_db=4.0, breath=0.4),
    ),
    (
        re.compile(r"\bshout|\byell|\bscream|\bbellow|\bcall(?:s|ing)? out|\bover the (?:engine|noise|wind|music)"),
        Delivery("shouting", gain_db=5.0, rate=1.05, pitch=1.08, tilt_db=6.0, drive=0.6),
    ),
    (
        re.compile(r"\bang(?:ry|rily|er)\b|\bfurious|\bsnap|\bhiss|\bseeth"),
        Delivery("angrily", gain_db=4.0, rate=1.1, pitch=1.03, tilt_db=3.0, drive=0.3),
    ),
    (
        re.compile(r"\blaugh|\bgiggl|\bchuckl|\bamused"),
        Delivery("laughing", gain_db=1.0, rate=1.05, pitch=1.06, tilt_db=1.5, tremolo_hz=6.0),
    ),
    (
        re.compile(r"\bquiet|\bsoft(?:ly)?\b|\bgentl|\btender|\bmurmur|\bmutter|\bhush"),
        Delivery("quietly", gain_db=-6.0, rate=0.95, tilt_db=-2.0, breath=0.1),
    ),
    (
        re.compile(r"\bsad|\btear|\bcry|\bchok|\bsob|\bweary|\btired"),
        Delivery("sadly", gain_db=-3.0, rate=0.9, pitch=0.97, tilt_db=-2.0, breath=0.15),
    ),
    (
        re.compile(r"\bexcit|\beager|\bquick|\bhurr|\burgent|\bpanic"),
        Delivery("urgently", gain_db=2.0, rate=1.15, pitch=1.04, tilt_db=2.0),
    ),
]


def delivery_for(parenthetical: str | None, extension: str | None) -> Delivery:
    """The delivery a parenthetical ("(whispering)") and an extension ("V.O.") ask for."""
    text = (parenthetical or "").lower()
    delivery = next((d for pattern, d in _DELIVERIES if pattern.search(text)), Delivery())
    ext = re.sub(r"[^A-Z]", "", (extension or "").upper())
    if ext == "VO":
        perspective = Perspective.VOICE_OVER
    elif ext in {"OS", "OC"}:
        perspective = Perspective.OFF_SCREEN
    elif delivery.name == "whispering":
        perspective = Perspective.CLOSE
    else:
        perspective = Perspective.ON_SCREEN
    return Delivery(**{**delivery.__dict__, "perspective": perspective})


def perform(audio: np.ndarray, sample_rate: int, delivery: Delivery, seed: int = 0) -> np.ndarray:
    """A levelled TTS line (mono, ~-20 dBFS RMS) reshaped by `delivery`: timbre, breath, strain, then level."""
    from scipy.signal import butter, sosfilt

    x = np.asarray(audio, dtype=np.float64)
    if x.size == 0 or delivery == Delivery(perspective=delivery.perspective):
        return np.asarray(audio, dtype=np.float32).copy()
    rms = float(np.sqrt(np.mean(x**2))) or 1.0
    if delivery.breath > 0.0:
        # Breath: noise shaped by the voice's own envelope and its 1-6 kHz band, in place of part of the voicing;
        # the chest (under 300 Hz) goes, as a whisper has no voiced fundamental.
        env_sos = butter(2, 30.0, btype="lowpass", fs=sample_rate, output="sos")
        envelope = np.maximum(sosfilt(env_sos, np.abs(x)), 0.0)
        noise = np.random.default_rng(seed).standard_normal(x.size)
        band = butter(2, [1000.0, 6000.0], btype="bandpass", fs=sample_rate, output="sos")
        breath = sosfilt(band, noise) * envelope
        breath *= rms / (float(np.sqrt(np.mean(breath**2))) or 1.0)
        thin = sosfilt(butter(2, 300.0, btype="highpass", fs=sample_rate, output="sos"), x)
        x = (1.0 - delivery.breath) * thin + delivery.breath * breath
    if delivery.tilt_db:
        # A shelf above 2 kHz: the highs of the voice raised (brighter) or lowered (darker) by tilt_db.
        highs = sosfilt(butter(2, 2000.0, btype="highpass", fs=sample_rate, output="sos"), x)
        x = x + (10.0 ** (delivery.tilt_db / 20.0) - 1.0) * highs
    if delivery.drive > 0.0:
        # Strain: soft saturation adds harmonics and flattens the peaks, so the line is louder at the same peak.
        k = 1.0 + 6.0 * delivery.drive
        x = np.tanh(k * x / (np.abs(x).max() or 1.0)) / np.tanh(k)
    if delivery.tremolo_hz:
        t = np.arange(x.size) / sample_rate
        x = x * (1.0 - 0.35 * (0.5 + 0.5 * np.sin(2.0 * np.pi * delivery.tremolo_hz * t)))
    # Level: the delivery's gain against the line's original RMS, the peak kept under -1 dBFS.
    x *= rms * 10.0 ** (delivery.gain_db / 20.0) / (float(np.sqrt(np.mean(x**2))) or 1.0)
    peak = float(np.abs(x).max())
    ceiling = 10.0 ** (-1.0 / 20.0)
    if peak > ceiling:
        x *= ceiling / peak
    return x.astype(np.float32)
