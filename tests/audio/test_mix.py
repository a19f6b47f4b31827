import numpy as np
import pytest
from scipy.signal import butter, sosfiltfilt

from filmaster.audio.loudness import integrated_loudness, true_peak_dbtp
from filmaster.audio.mix import MixResult, mix
from filmaster.errors import AudioError

RATE = 48000
SPEECH = (3.0, 6.0)  # seconds where the dialogue stem speaks


def _music(seconds: float = 10.0) -> np.ndarray:
    """A steady 6 kHz tone: far above the dialogue's band, so it can be measured in the mix."""
    t = np.arange(int(seconds * RATE)) / RATE
    tone = 0.1 * np.sin(2 * np.pi * 6000.0 * t)
    return np.column_stack([tone, tone]).astype(np.float32)


def _dialogue(seconds: float = 10.0) -> np.ndarray:
    """Mono voice-like signal: a 120 Hz harmonic series under 1.5 kHz, syllable-modulated, between SPEECH."""
    t = np.arange(int(seconds * RATE)) / RATE
    voice = sum(np.sin(2 * np.pi * 120.0 * k * t) / k for k in range(1, 13))
    syllables = 0.6 + 0.4 * np.sin(2 * np.pi * 4.0 * t)
    on = (t >= SPEECH[0]) & (t < SPEECH[1])
    return (0.2 * voice * syllables * on).astype(np.float32)


def _band_level_db(x: np.ndarray, start_s: float, stop_s: float) -> float:
    sos = butter(4, [5500 / (RATE / 2), 6500 / (RATE / 2)], btype="band", output="sos")
    band = sosfiltfilt(sos, x.mean(axis=1))[int(start_s * RATE) : int(stop_s * RATE)]
    return 10 * np.log10(np.mean(band**2))


@pytest.fixture(scope="module")
def ducked() -> MixResult:
    return mix({"music": _music(), "dialogue": _dialogue()}, duck_db=-10.0, target_lufs=-16.0)


def test_music_is_ducked_under_dialogue(ducked):
    during = _band_level_db(ducked.audio, SPEECH[0] + 0.5, SPEECH[1] - 0.2)
    before = _band_level_db(ducked.audio, 0.5, 2.5)
    after = _band_level_db(ducked.audio, 8.0, 9.5)
    assert before - during >= 6.0
    assert abs(after - before) < 1.0  # released again once the line is over


def test_duck_starts_before_the_first_word(ducked):
    just_before = _band_level_db(ducked.audio, SPEECH[0] - 0.02, SPEECH[0])
    well_before = _band_level_db(ducked.audio, 1.0, 2.0)
    assert well_before - just_before >= 1.0


def test_without_dialogue_nothing_is_ducked():
    result = mix({"music": _music()})
    assert _band_level_db(result.audio, 0.5, 2.5) == pytest.approx(_band_level_db(result.audio, 4.0, 5.5), abs=0.2)
    assert np.all(result.duck_gain == 1.0)


def test_loudness_true_peak_and_range(ducked):
    assert ducked.audio.shape == (10 * RATE, 2) and ducked.audio.dtype == np.float32
    assert ducked.integrated_lufs == pytest.approx(-16.0, abs=0.5)
    assert integrated_loudness(ducked.audio, RATE) == pytest.approx(-16.0, abs=0.5)  # measured, not claimed
    assert true_peak_dbtp(ducked.audio, RATE) <= -1.0
    assert ducked.true_peak_dbtp <= -1.0
    assert np.abs(ducked.audio).max() <= 1.0
    assert 0.0 < ducked.gain_db < 30.0


def test_loud_stems_of_mixed_shapes_are_limited_not_clipped():
    rng = np.random.default_rng(0)
    n = 8 * RATE
    stems = {
        "dialogue": _dialogue(8.0) * 4.0,  # mono, hot
        "music": _music(6.0) * 8.0,  # shorter: padded
        "sfx": (rng.standard_normal((n, 2)) * 0.3).astype(np.float32),
    }
    result = mix(stems, target_lufs=-10.0, max_true_peak_db=-1.0)
    assert result.audio.shape == (n, 2)
    assert integrated_loudness(result.audio, RATE) == pytest.approx(-10.0, abs=0.5)
    assert true_peak_dbtp(result.audio, RATE) <= -1.0
    assert np.abs(result.audio).max() < 1.0


def test_nothing_to_mix_is_an_error():
    with pytest.raises(AudioError, match="no stems"):
        mix({})


def test_ducks_at_44k1_too():
    rate = 44100
    t = np.arange(8 * rate) / rate
    music = np.column_stack([0.1 * np.sin(2 * np.pi * 6000 * t)] * 2).astype(np.float32)
    voice = (0.2 * np.sin(2 * np.pi * 150 * t) * ((t >= 3) & (t < 6))).astype(np.float32)
    result = mix({"music": music, "dialogue": voice}, sample_rate=rate)
    assert result.duck_gain[int(4.5 * rate)] == pytest.approx(10 ** (-10 / 20), rel=0.05)
    assert result.duck_gain[int(1.0 * rate)] == pytest.approx(1.0, abs=1e-3)
