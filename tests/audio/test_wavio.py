import signal
import subprocess
import sys
import wave

import numpy as np
import pytest

from filmaster.audio.wavio import read_wav, read_wav_span, write_wav
from filmaster.errors import AudioError, InputError
from filmaster.lock import remove_stale_parts


def test_stereo_round_trip_within_one_lsb(tmp_path):
    rng = np.random.default_rng(0)
    audio = rng.uniform(-1, 1, (4800, 2)).astype(np.float32)
    path = write_wav(tmp_path / "out" / "stem.wav", audio, 48000)
    back, rate = read_wav(path)
    assert rate == 48000
    assert back.shape == (4800, 2) and back.dtype == np.float32
    assert np.max(np.abs(back - audio)) <= 1.0 / 32767 + 1e-6
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 48000)


def test_mono_is_written_as_one_channel_and_clipped(tmp_path):
    audio = np.array([0.0, 0.5, -0.5, 1.7, -3.0], dtype=np.float32)
    back, _ = read_wav(write_wav(tmp_path / "m.wav", audio, 22050))
    assert back.shape == (5, 1)
    np.testing.assert_allclose(back[:, 0], [0.0, 0.5, -0.5, 1.0, -1.0], atol=1e-4)


def test_write_leaves_no_temporary_file_and_replaces_atomically(tmp_path):
    target = tmp_path / "a.wav"
    write_wav(target, np.zeros(10), 48000)
    write_wav(target, np.full(20, 0.25), 48000)
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]
    assert read_wav(target)[0].shape == (20, 1)


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "a.wav"
    write_wav(target, np.full(10, 0.5), 48000)
    with pytest.raises(AudioError):
        write_wav(target, np.array([0.0, np.nan]), 48000)
    late_nan = np.zeros(200_000)  # found only after blocks of it were written
    late_nan[-1] = np.inf
    with pytest.raises(AudioError):
        write_wav(target, late_nan, 48000)
    assert read_wav(target)[0].shape == (10, 1)
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]


def test_long_audio_written_in_blocks_reads_back_whole(tmp_path):
    audio = np.random.default_rng(1).uniform(-1, 1, (200_003, 2)).astype(np.float32)
    back, _ = read_wav(write_wav(tmp_path / "long.wav", audio, 48000))
    assert back.shape == audio.shape
    np.testing.assert_array_equal(np.rint(back * 32768), np.clip(np.rint(audio * 32768), -32768, 32767))


def test_reads_24_bit_pcm(tmp_path):
    values = np.array([0, 2**22, -(2**23), 2**23 - 1], dtype=np.int64)
    raw = b"".join(int(v & 0xFFFFFF).to_bytes(3, "little") for v in values)
    path = tmp_path / "24.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(3)
        w.setframerate(44100)
        w.writeframes(raw)
    audio, rate = read_wav(path)
    assert rate == 44100
    np.testing.assert_allclose(audio[:, 0], [0.0, 0.5, -1.0, 1.0], atol=1e-6)


def test_missing_and_broken_files_raise_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_wav(tmp_path / "nope.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav at all")
    with pytest.raises(InputError, match="cannot read"):
        read_wav(bad)


def test_a_stretch_of_a_wav_is_read_as_the_whole_file_has_it(tmp_path):
    audio = (np.random.default_rng(1).uniform(-0.9, 0.9, (5000, 2))).astype(np.float32)
    path = write_wav(tmp_path / "x.wav", audio, 48000)
    whole, _ = read_wav(path)
    part, rate = read_wav_span(path, 1234, 4321)
    assert rate == 48000
    np.testing.assert_array_equal(part, whole[1234:4321])
    assert read_wav_span(path, 4990, 9000)[0].shape == (10, 2)  # cut at the file's end


def test_a_write_killed_midway_leaves_only_a_temporary_file_the_next_run_removes(tmp_path):
    # The process dies between two blocks, as under SIGKILL: no `finally` runs. What it leaves must be a name the
    # lock's cleanup recognises (CI once found a `.tmp` from an effects cache write that no run ever removed).
    script = (
        "import os, signal, sys\n"
        "import numpy as np\n"
        "from filmaster.audio import wavio\n"
        "real = wavio.to_pcm16\n"
        "calls = []\n"
        "def dying(block):\n"
        "    calls.append(1)\n"
        "    if len(calls) == 2:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(block)\n"
        "wavio.to_pcm16 = dying\n"
        "wavio.write_wav(sys.argv[1], np.zeros(3 * 65536, dtype=np.float32), 48000)\n"
    )
    target = tmp_path / "cue.wav"
    killed = subprocess.run([sys.executable, "-c", script, str(target)], check=False, capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cue.")]  # the half file is there...
    assert remove_stale_parts(tmp_path) == 1  # ...and the next run's cleanup knows it
    assert not list(tmp_path.iterdir())
