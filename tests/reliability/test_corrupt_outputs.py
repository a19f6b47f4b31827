"""Outputs and cache entries a run would reuse are checked first: a truncated one is made again, never served."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from filmaster.verify import clip_ok, load_array, png_ok, wav_ok

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny.fountain"


def _make(out: Path, *extra: str) -> dict[str, dict[str, int]]:
    result = subprocess.run(
        [sys.executable, "-m", "filmaster", "make", str(TINY), "-o", str(out), "--draft", *extra],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads((out / ".filmaster" / "manifest.json").read_text())["last_run"]["work"]


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _video_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corrupt") / "film"
    _make(out)
    return out


def test_truncated_deliverables_and_cache_entries_are_redone(film: Path) -> None:
    cache = film / ".filmaster" / "cache"
    mix, movie, board = film / "media" / "audio" / "mix.wav", film / "film.mp4", film / "storyboard.png"
    with wave.open(str(mix)) as wav:
        mix_frames = wav.getnframes()
    movie_frames = _video_frames(movie)
    shot = sorted((cache / "shots").glob("*.mp4"))[0]
    shot_frames = _video_frames(shot)
    arrays = [sorted((cache / ns).glob(f"*{suffix}"))[0] for ns, suffix in
              [("premix", ".npy"), ("thumbs", ".npy"), ("aac", ".npz")]]  # fmt: skip
    for path in [mix, movie, board, shot, *arrays]:
        _truncate(path)

    work = _make(film)

    assert work["computed"].get("mix") == 1 and work["computed"].get("film") == 1
    assert work["computed"].get("shots") == 1 and work["reused"].get("shots") == 4
    with wave.open(str(mix)) as wav:
        assert wav.getnframes() == mix_frames
        samples = np.frombuffer(wav.readframes(wav.getnframes()), np.int16)
    assert np.abs(samples).max() > 1000  # the film is not silent
    assert _video_frames(movie) == movie_frames and clip_ok(movie, movie_frames, audio=True)
    assert _video_frames(shot) == shot_frames
    with Image.open(board) as image:
        image.load()
    for path in arrays:
        assert path.is_file() and load_array(path) is not None, path  # redone and readable


def test_force_redoes_a_truncated_cached_shot(film: Path) -> None:
    shot = sorted((film / ".filmaster" / "cache" / "shots").glob("*.mp4"))[-1]
    frames = _video_frames(shot)
    _truncate(shot, 0.3)
    work = _make(film, "--force")
    assert work["computed"].get("shots") == 1
    assert _video_frames(shot) == frames


def test_checks_tell_whole_files_from_cut_ones(tmp_path: Path) -> None:
    png = tmp_path / "a.png"
    Image.new("RGB", (64, 64), (200, 10, 10)).save(png)
    wav_path = tmp_path / "a.wav"
    with wave.open(str(wav_path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(np.ones(800, np.int16).tobytes())
    npy = tmp_path / "a.npy"
    np.save(npy, np.arange(1000.0))
    assert png_ok(png) and wav_ok(wav_path, 800) and load_array(npy) is not None
    assert not wav_ok(wav_path, 801)
    for path in (png, wav_path, npy):
        _truncate(path, 0.6)
    assert not png_ok(png) and not wav_ok(wav_path) and load_array(npy) is None
    assert not npy.exists()  # a damaged array is removed, so the next reader makes it again


def test_a_truncated_cached_embedding_is_embedded_again(tmp_path: Path) -> None:
    from filmaster.backends.embed.cached import NAMESPACE, CachedEmbeddings
    from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
    from filmaster.project import Cache

    texts = ["A ferry leaves a foggy pier.", "Two sisters argue in a kitchen."]
    direct = CachedEmbeddings(MiniLMEmbeddingBackend(), Cache(tmp_path)).embed(texts)
    _truncate(sorted((tmp_path / NAMESPACE).glob("*.npy"))[0])
    cache = Cache(tmp_path)
    again = CachedEmbeddings(MiniLMEmbeddingBackend(), cache).embed(texts)
    np.testing.assert_array_equal(again, direct)
    assert (cache.work.computed[NAMESPACE], cache.work.reused[NAMESPACE]) == (1, 1)
