"""The formant-keeping pitch shift (`keep_formants`), measured on the real Piper voice's samples."""

import numpy as np
import pytest

from filmaster.audio.formants import keep_formants, spectral_envelope
from filmaster.backends.speech.base import VoiceSpec
from filmaster.backends.speech.piper import PiperSpeechBackend
from filmaster.errors import ConfigError

from .test_speech_piper import RATE, median_f0

LINE = "That's not how wishes work, Ben."
PITCH = 1.3
_SIZE = 2048


def envelope_db(x: np.ndarray) -> np.ndarray:
    """The line's long-term spectral envelope in dB, 300 Hz to 4 kHz (where the first formants lie), over its
    spoken frames, level removed."""
    frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), _SIZE)[:: _SIZE // 4] * np.hanning(_SIZE)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    energy = power.sum(axis=1)
    mean = np.sqrt(power[energy > energy.max() * 0.05].mean(axis=0))
    band = slice(round(300 * _SIZE / RATE), round(4000 * _SIZE / RATE))
    db = spectral_envelope(mean[None], RATE, _SIZE)[0][band] * 20 / np.log(10)
    return db - db.mean()


@pytest.fixture(scope="module")
def lines() -> dict[str, np.ndarray]:
    moved, kept = PiperSpeechBackend(), PiperSpeechBackend(keep_formants=True)
    return {
        "natural": moved.synthesize(LINE, VoiceSpec(pitch=1.0), RATE),
        "resampled": moved.synthesize(LINE, VoiceSpec(pitch=PITCH), RATE),
        "kept": kept.synthesize(LINE, VoiceSpec(pitch=PITCH), RATE),
    }


def test_pitch_moves_by_the_factor_with_formants_kept(lines):
    ratio = median_f0(lines["kept"], RATE) / median_f0(lines["natural"], RATE)
    assert ratio == pytest.approx(PITCH, rel=0.04)


def test_the_spectral_envelope_stays_where_the_natural_voice_has_it(lines):
    natural = envelope_db(lines["natural"])
    off = {k: float(np.sqrt(np.mean((envelope_db(lines[k]) - natural) ** 2))) for k in ("resampled", "kept")}
    # measured: resampled 6.2 dB (every formant 30 % higher), kept 1.3 dB
    assert off["resampled"] > 4.0
    assert off["kept"] < 2.5


def test_duration_and_rate_are_untouched(lines):
    assert lines["kept"].shape[0] == pytest.approx(lines["resampled"].shape[0], rel=0.02)


def test_no_shift_is_the_identity():
    x = np.random.default_rng(1).standard_normal(RATE).astype(np.float32)
    assert np.array_equal(keep_formants(x, RATE, 1.0), x)
    # a shift of nothing reconstructs the samples (the overlap-add is exact)
    assert np.abs(keep_formants(x, RATE, 1.0 + 1e-9) - x).max() < 1e-3


def test_keep_formants_must_be_true_or_false():
    with pytest.raises(ConfigError, match="keep_formants 'yes' is not true or false"):
        PiperSpeechBackend(keep_formants="yes")
