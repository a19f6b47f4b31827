"""End to end: `filmaster make tiny.fountain --draft` with `[backends] speech = "elevenlabs"` and `music =
"elevenlabs-music"` against a local ElevenLabs server. A refused key leaves every line to Piper and every cue to the
MIDI score (the film is still made); the next run, with the key right, asks the service again and the lines are its
voices and the cues its music — measured on the delivered WAVs."""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from fake_speech_vendors import KEY, MUSIC_HZ, Fault, serve, voice_hz
from filmaster.audio.wavio import read_wav
from filmaster.cli import app
from project_entry_points import project_backends  # noqa: F401  (fixture)

from .conftest import EXAMPLES

VOICES = {"ANNA": "anna-voice-id", "BEN": "ben-voice-id"}


def _dominant_hz(path: Path) -> float:
    audio, rate = read_wav(path)
    mono = audio if audio.ndim == 1 else audio.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(mono.size)))
    return float(np.fft.rfftfreq(mono.size, 1.0 / rate)[np.argmax(spectrum)])


@pytest.mark.slow
@pytest.mark.usefixtures("project_backends")
def test_make_with_elevenlabs_voices_and_music_and_local_fallbacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    shutil.copy(EXAMPLES / "tiny.fountain", tmp_path / "tiny.fountain")
    monkeypatch.chdir(tmp_path)
    with serve("elevenlabs") as server:
        voices = ", ".join(f'{name} = "{voice}"' for name, voice in VOICES.items())
        (tmp_path / "filmaster.toml").write_text(
            f'[backends]\nspeech = "elevenlabs"\nmusic = "elevenlabs-music"\n\n'
            f'[backends.settings.speech]\nbase_url = "{server.url}"\ntimeout_s = 5\nmax_retries = 1\n'
            f"voices = {{ {voices} }}\n\n"
            f'[backends.settings.music]\nbase_url = "{server.url}"\nmax_retries = 1\n'
        )
        command = ["make", "tiny.fountain", "-o", "out", "--draft", "--no-retrieval"]
        monkeypatch.setenv("ELEVENLABS_API_KEY", "a-revoked-key")
        with caplog.at_level(logging.WARNING):
            refused = CliRunner().invoke(app, command)
        assert refused.exit_code == 0, refused.output
        asked = [r["path"] for r in server.requests]
        assert asked.count("/v1/music") == 2 and len(asked) == 4  # one per line and per scene, the 401 not retried
        assert "fell back to Piper's voice" in caplog.text and "a-revoked-key" not in caplog.text
        assert "fell back to the MIDI score" in caplog.text
        assert len(list((tmp_path / "out" / "media" / "music").glob("music-*.mid"))) == 2  # the score's own MIDI
        lines = sorted((tmp_path / "out" / "media" / "audio").glob("dlg-*.wav"))
        assert len(lines) == 2
        piper_hz = [_dominant_hz(p) for p in lines]

        monkeypatch.setenv("ELEVENLABS_API_KEY", KEY)
        spoken = CliRunner().invoke(app, command)
        assert spoken.exit_code == 0, spoken.output
        assert len(server.requests) == 8  # the fallbacks were not kept as the service's answers
    sound = json.loads((tmp_path / "out" / ".filmaster" / "sound.json").read_text())
    speakers = {cue["id"]: cue["character"] for cue in sound["cues"] if cue["kind"] == "dialogue"}
    for path, before in zip(lines, piper_hz, strict=True):
        expected = voice_hz(VOICES[speakers[path.stem]])
        assert abs(_dominant_hz(path) - expected) < 3.0  # the service's voice for that character
        assert abs(before - expected) > 3.0  # and not what Piper said in the first run
    for cue in sorted((tmp_path / "out" / "media" / "audio").glob("music-*.wav")):
        assert abs(_dominant_hz(cue) - MUSIC_HZ) < 2.0  # the service's music, not the MIDI score
    assert (tmp_path / "out" / "film.mp4").stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.usefixtures("project_backends")
def test_lines_and_cues_whose_answers_are_lost_are_bought_once_and_named_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(EXAMPLES / "tiny.fountain", tmp_path / "tiny.fountain")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ELEVENLABS_API_KEY", KEY)
    with serve("elevenlabs") as server:
        server.fail_next(*[Fault("slow", slow_s=1.5)] * 4)  # each line and cue is made, but answered too late
        (tmp_path / "filmaster.toml").write_text(
            f'[backends]\nspeech = "elevenlabs"\nmusic = "elevenlabs-music"\n\n'
            f'[backends.settings.speech]\nbase_url = "{server.url}"\ntimeout_s = 0.5\nmax_retries = 3\n\n'
            f'[backends.settings.music]\nbase_url = "{server.url}"\ntimeout_s = 0.5\nmax_retries = 3\n'
        )
        run = CliRunner().invoke(app, ["make", "tiny.fountain", "-o", "out", "--draft", "--no-retrieval"])
        assert run.exit_code == 0, run.output
        time.sleep(1.5)  # any request sent again would have arrived by now
        assert len(server.requests) == 4  # 2 lines and 2 cues, each asked once despite max_retries = 3
    said = " ".join(run.output.split())  # the console wraps long lines
    sound = json.loads((tmp_path / "out" / ".filmaster" / "sound.json").read_text())
    lines = sorted(cue["id"] for cue in sound["cues"] if cue["kind"] == "dialogue")
    cues = sorted(cue["id"] for cue in sound["cues"] if cue["kind"] == "music")
    # The closing summary names every unit that fell back, its stand-in, and that it may have been paid for.
    assert "voices 2 lines, 2 fell back" in said and "music 2 cues, 2 fell back" in said
    lost = "the request was sent but its answer was lost (no answer within timeout_s); it may have been billed; "
    lost += "not re-sent"
    for line in lines:
        assert f"{line} → Piper's voice: elevenlabs: {lost}" in said
    for cue in cues:
        assert f"{cue} → the MIDI score: elevenlabs-music: {lost}" in said
    for line in lines:  # Piper spoke them: real speech, not silence
        audio, _ = read_wav(tmp_path / "out" / "media" / "audio" / f"{line}.wav")
        assert np.abs(audio).max() > 0.05
    fell_back = json.loads((tmp_path / "out" / ".filmaster" / "manifest.json").read_text())["last_run"]["fell_back"]
    assert {(e["kind"], e["fallback"]) for e in fell_back} == {
        ("dialogue", "Piper's voice"),
        ("music", "the MIDI score"),
    }
