"""The user's sound library: real files (WAV, FLAC with tags, a corrupt one), measured, tagged, embedded with the
real MiniLM model, searched by description; `filmaster sounds` from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from filmaster.audio.wavio import write_wav
from filmaster.model.sound_library import SoundKind
from filmaster.sound_library import add_folder, find_sound, load_library, read_sound, search
from filmaster.sound_library.scan import words_of

pyloudnorm = pytest.importorskip("pyloudnorm")
RATE = 48000


def _noise(seconds: float, level: float, seed: int) -> np.ndarray:
    return (level * np.random.default_rng(seed).standard_normal((round(seconds * RATE), 2))).astype(np.float32)


def _tone(seconds: float, hz: float) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * hz * t) * np.exp(-t)).astype(np.float32)


def _flac(path: Path, audio: np.ndarray, title: str) -> None:
    """A FLAC file whose name says nothing and whose title tag says what it is."""
    import av

    with av.open(str(path), "w", format="flac") as container:
        container.metadata["title"] = title
        stream = container.add_stream("flac", rate=RATE, layout="mono")
        frame = av.AudioFrame.from_ndarray(audio[None, :], format="flt", layout="mono")
        frame.sample_rate = RATE
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "my sounds"
    (root / "doors").mkdir(parents=True)
    (root / "music").mkdir()
    write_wav(root / "doors" / "HeavyDoorSlam_01.wav", _noise(0.8, 0.2, 1), RATE)
    write_wav(root / "ship_horn_long.wav", _tone(3.0, 110.0), RATE)
    write_wav(root / "rain-on-window-ambience.wav", _noise(4.0, 0.05, 2), RATE)
    write_wav(root / "music" / "calm_piano.wav", _tone(5.0, 440.0), RATE)
    _flac(root / "take_017.flac", _tone(2.0, 2000.0), "Seagulls crying over the harbour")
    (root / "broken.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt garbage that is not audio")
    (root / "notes.txt").write_text("which take is best")
    return root


def test_words_of_names() -> None:
    assert words_of("HeavyDoorSlam_01") == ["heavy", "door", "slam"]
    assert words_of("rain-on-window (take 3)") == ["rain", "window"]


def test_add_measures_tags_and_skips_what_it_cannot_read(folder: Path, tmp_path: Path, embedder) -> None:
    path = tmp_path / "home" / "sounds.json"
    library, report = add_folder(folder, embedder, path)
    names = {Path(s.path).name: s for s in library.sounds}
    assert set(names) == {"HeavyDoorSlam_01.wav", "ship_horn_long.wav", "rain-on-window-ambience.wav",
                          "calm_piano.wav", "take_017.flac"}  # fmt: skip
    skipped = {p.name: why for p, why in report.skipped}
    assert set(skipped) == {"broken.wav", "notes.txt"}
    assert "cannot decode" in skipped["broken.wav"] and "unsupported" in skipped["notes.txt"]
    door = names["HeavyDoorSlam_01.wav"]
    assert {"heavy", "door", "slam", "doors"} <= set(door.tags) and door.kind == SoundKind.SFX
    assert door.duration_s == pytest.approx(0.8, abs=0.001) and door.channels == 2
    # Loudness as pyloudnorm (ITU-R BS.1770) measures it on the same samples.
    expected = pyloudnorm.Meter(RATE).integrated_loudness(_noise(0.8, 0.2, 1).astype(np.float64))
    assert door.loudness_lufs == pytest.approx(expected, abs=0.5)
    assert names["calm_piano.wav"].kind == SoundKind.MUSIC  # its folder says so
    assert names["rain-on-window-ambience.wav"].kind == SoundKind.AMBIENCE
    gulls = names["take_017.flac"]
    assert gulls.title == "Seagulls crying over the harbour" and "seagulls" in gulls.tags
    assert gulls.duration_s == pytest.approx(2.0, abs=0.01)
    # Stored atomically where it was asked, and a second add measures nothing again.
    assert load_library(path) == library
    _, again = add_folder(folder, embedder, path)
    assert again.added == [] and again.unchanged == 5


def test_search_and_find_sound_by_description(folder: Path, tmp_path: Path, embedder) -> None:
    library, _ = add_folder(folder, embedder, tmp_path / "sounds.json")
    best, _ = search(library, "a door slams shut", embedder)[0]
    assert Path(best.path).name == "HeavyDoorSlam_01.wav"
    horn = find_sound("the ferry's horn sounds twice", "sfx", library=library, embedder=embedder)
    assert horn is not None and Path(horn.path).name == "ship_horn_long.wav"
    gulls = find_sound("gulls cry overhead", "sfx", library=library, embedder=embedder)
    assert gulls is not None and Path(gulls.path).name == "take_017.flac"  # found by its title tag
    music = find_sound("gentle piano", "music", library=library, embedder=embedder)
    assert music is not None and Path(music.path).name == "calm_piano.wav"
    samples = read_sound(gulls, 44100)  # resampled for a mix at another rate
    assert samples.shape == (round(2.0 * 44100), 1)
    tone = np.abs(np.fft.rfft(samples[:, 0]))
    assert np.fft.rfftfreq(samples.shape[0], 1 / 44100)[np.argmax(tone)] == pytest.approx(2000.0, abs=2.0)
    assert find_sound("a helicopter takes off", "sfx", library=library, embedder=embedder) is None
    assert find_sound("a door slams", "music", library=library, embedder=embedder) is None  # only of its kind


def test_sounds_commands(folder: Path, tmp_path: Path) -> None:
    env = {**os.environ, "FILMASTER_HOME": str(tmp_path / "home")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "filmaster", "sounds", *args], capture_output=True, text=True, env=env, timeout=120
        )

    added = run("add", str(folder))
    assert added.returncode == 0, added.stderr
    assert "5 sounds" in added.stdout and "skipped" in added.stderr and "broken.wav" in added.stderr
    assert (tmp_path / "home" / "sounds.json").is_file()
    listed = run("list", "--kind", "music")
    assert "calm_piano.wav" in listed.stdout and "HeavyDoorSlam" not in listed.stdout
    found = run("search", "rain against the glass")
    assert found.returncode == 0 and found.stdout.splitlines()[0].endswith("rain-on-window-ambience.wav")
    missing = run("add", str(tmp_path / "nowhere"))
    assert missing.returncode != 0 and "is not a folder" in missing.stderr and "Traceback" not in missing.stderr
