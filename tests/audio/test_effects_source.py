"""The sound-library hook: a file found for a cue's description replaces the synthesiser for that cue only."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from filmaster.audio.effects_source import render_effect
from filmaster.audio.wavio import read_wav, write_wav
from filmaster.model import CueKind, SoundCue

RATE = 48000


def _cue(category: str) -> SoundCue:
    return SoundCue(id=f"sfx-{category}", kind=CueKind.SFX, start_s=1.0, duration_s=1.0, category=category)


def _dominant_hz(audio: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(audio.reshape(audio.shape[0], -1)[:, 0]))
    return float(np.fft.rfftfreq(audio.shape[0], 1 / RATE)[int(np.argmax(spectrum))])


def test_a_library_file_replaces_the_synthesiser_for_its_description(tmp_path: Path) -> None:
    library = tmp_path / "ship horn.wav"
    t = np.arange(44100) / 44100
    write_wav(library, 0.3 * np.sin(2 * np.pi * 330.0 * t), 44100)  # another rate: resampled to the mix's

    def find_sound(description: str) -> Path | None:
        return library if description == "horn" else None

    key, make = render_effect(_cue("horn"), RATE, 1, find_sound)
    make(tmp_path / "horn.wav")
    audio, rate = read_wav(tmp_path / "horn.wav")
    assert rate == RATE and abs(_dominant_hz(audio) - 330.0) < 2.0
    synth_key, _ = render_effect(_cue("horn"), RATE, 1, None)
    assert key != synth_key  # the cache tells the two apart

    _, make_dog = render_effect(_cue("dog"), RATE, 1, find_sound)  # nothing in the library: synthesised
    make_dog(tmp_path / "dog.wav")
    dog, _ = read_wav(tmp_path / "dog.wav")
    assert abs(_dominant_hz(dog) - 330.0) > 20.0 and float(np.abs(dog).max()) > 0.3


def test_an_unreadable_library_file_is_reported_and_synthesised_instead(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "horn.wav"
    broken.write_bytes(b"RIFF not really a wave file")
    _, make = render_effect(_cue("horn"), RATE, 1, lambda description: broken)
    with caplog.at_level(logging.WARNING):
        make(tmp_path / "out.wav")
    audio, _ = read_wav(tmp_path / "out.wav")
    assert float(np.abs(audio).max()) > 0.3  # the synthesised horn
    assert "skipping" in caplog.text and "horn.wav" in caplog.text
