"""Loudness targets: web, EBU R128 and ATSC A/85 presets, each measured on the film's mix with pyloudnorm."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from filmaster.audio.ambience import ambience_bed
from filmaster.audio.wavio import read_wav, write_wav
from filmaster.backends.registry import create_backend
from filmaster.backends.speech.base import VoiceSpec
from filmaster.config import load_config, loudness_overrides
from filmaster.errors import ConfigError
from filmaster.model import Cut, CutClip, SetKind, SoundCue, SoundPlan, TimeOfDay
from filmaster.project import Project
from filmaster.stages.mix import mix_film

pyloudnorm = pytest.importorskip("pyloudnorm")
RATE = 48000
FILM_S = 14.0
LINES = [(1.0, "The ferry leaves at six, whether you are on it or not."), (7.5, "Then I will be on it.")]


@pytest.fixture(scope="module")
def film(tmp_path_factory) -> tuple[SoundPlan, Cut, Project]:
    """Two real Piper lines over a real harbour ambience bed, as rendered cues of a one-scene film."""
    folder = tmp_path_factory.mktemp("loudness")
    source = folder / "story.fountain"
    source.write_text("EXT. HARBOUR - DAY\n\nThe ferry waits.\n")
    project = Project(folder / "out", source)
    audio_dir = project.out / "media" / "audio"
    audio_dir.mkdir(parents=True)
    speech = create_backend("speech", "piper")
    cues = []
    for i, (start, text) in enumerate(LINES, start=1):
        write_wav(audio_dir / f"dlg-{i}.wav", speech.synthesize(text, VoiceSpec(), RATE), RATE)
        cues.append(SoundCue(id=f"dlg-{i}", kind="dialogue", start_s=start, duration_s=3.0, scene_index=0))
    write_wav(audio_dir / "amb.wav", ambience_bed(SetKind.SHORE, False, TimeOfDay.DAY, FILM_S, RATE, 1), RATE)
    cues.append(SoundCue(id="amb", kind="ambience", start_s=0.0, duration_s=FILM_S, gain_db=-10.0, scene_index=0))
    cues = [c.model_copy(update={"media": f"media/audio/{c.id}.wav"}) for c in cues]
    cut = Cut(
        title="t",
        fps=24,
        width=64,
        height=36,
        clips=[CutClip(shot_id="S01-01", scene_index=0, media="x", frames=round(FILM_S * 24))],
    )
    return SoundPlan(sample_rate=RATE, cues=cues), cut, project


def _true_peak_dbtp(audio: np.ndarray) -> float:
    from scipy.signal import resample_poly

    return float(20 * np.log10(np.abs(resample_poly(audio, 4, 1, axis=0)).max()))


@pytest.mark.parametrize(("flag", "lufs"), [("web", -16.0), ("ebu-r128", -23.0), ("atsc-a85", -24.0), ("-20", -20.0)])
def test_each_target_is_met_on_the_mix_with_dialogue_on_top(film, flag: str, lufs: float) -> None:
    sound, cut, project = film
    config = load_config(None, {"sound": {k.split("__")[1]: v for k, v in loudness_overrides(flag).items()}})
    assert config.sound.loudness_lufs == lufs
    project.update_manifest(mix_key=None, master_gain_db=None)
    path = mix_film(sound, cut, config.sound, project).path
    mix, rate = read_wav(path)
    measured = pyloudnorm.Meter(rate).integrated_loudness(mix.astype(np.float64))
    assert measured == pytest.approx(lufs, abs=1.0)
    assert _true_peak_dbtp(mix) <= -1.0 + 0.05
    # Dialogue on top: the mix while a line is spoken is far louder than the bed alone between the lines.
    meter = pyloudnorm.Meter(rate, block_size=0.4)
    speaking = meter.integrated_loudness(mix[round(1.2 * rate) : round(3.2 * rate)].astype(np.float64))
    bed = meter.integrated_loudness(mix[round(5.0 * rate) : round(7.0 * rate)].astype(np.float64))
    assert speaking - bed >= 10.0


def test_a_named_target_in_the_config_file_sets_the_loudness(tmp_path: Path) -> None:
    path = tmp_path / "filmaster.toml"
    path.write_text('[sound]\ntarget = "ebu-r128"\n')
    assert load_config(path).sound.loudness_lufs == -23.0
    path.write_text('[sound]\ntarget = "atsc-a85"\nloudness_lufs = -27\n')
    assert load_config(path).sound.loudness_lufs == -27.0  # an explicit level wins


@pytest.mark.parametrize("bad", ["loud", "-3"])
def test_a_target_out_of_range_is_one_line_config_error(bad: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(None, {"sound": {k.split("__")[1]: v for k, v in loudness_overrides(bad).items()}})
    assert "\n" not in str(error.value)
    assert "loudness" in str(error.value)
    with pytest.raises(ConfigError, match="target"):
        load_config(None, {"sound": {"target": "cinema"}})


def test_make_refuses_an_unknown_target_in_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    source = tmp_path / "story.fountain"
    source.write_text("EXT. HARBOUR - DAY\n\nThe ferry waits.\n")
    result = subprocess.run(
        [sys.executable, "-m", "filmaster", "make", str(source), "-o", str(tmp_path / "out"), "--loudness", "cinema"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "--loudness 'cinema'" in result.stderr and "ebu-r128" in result.stderr
    assert not (tmp_path / "out").exists()  # nothing half-written
