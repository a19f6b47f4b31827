"""No command overwrites its own input; a failed rebuild keeps the old files; a bad SoundFont is one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from filmaster.atomic import set_aside

ROOT = Path(__file__).resolve().parents[2]


def _filmaster(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "filmaster", *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )


def _one_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_previz_refuses_to_overwrite_its_spec(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    original = next((ROOT / "examples" / "shots").glob("*.json")).read_text()
    spec.write_text(original)
    error = _one_error(_filmaster("previz", "spec.json", "-o", "spec.mp4", cwd=tmp_path))
    assert "would overwrite the spec" in error
    assert spec.read_text() == original
    assert not (tmp_path / "spec.mp4").exists()


def test_a_file_that_is_not_a_soundfont_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "filmaster.toml").write_text('[backends.settings.music]\nsoundfont = "/etc/passwd"\n')
    screenplay = tmp_path / "tiny.fountain"
    screenplay.write_text((ROOT / "examples" / "tiny.fountain").read_text())
    error = _one_error(_filmaster("make", "tiny.fountain", "-o", "out", "--draft", cwd=tmp_path))
    assert "/etc/passwd is not a SoundFont (.sf2) file" in error
    assert not (tmp_path / "out").exists()  # refused before the output folder was touched


def test_set_aside_keeps_the_old_files_when_the_rebuild_fails(tmp_path: Path) -> None:
    index, meta = tmp_path / "corpus.faiss", tmp_path / "corpus.index.json"
    index.write_bytes(b"old index")
    meta.write_text("old meta")
    with pytest.raises(RuntimeError), set_aside([index, meta]):
        assert not index.exists()  # the rebuild starts from nothing
        index.write_bytes(b"half a new ind")
        raise RuntimeError("embedder failed")
    assert index.read_bytes() == b"old index" and meta.read_text() == "old meta"
    with set_aside([index, meta]):
        index.write_bytes(b"new index")
        meta.write_text("new meta")
    assert index.read_bytes() == b"new index" and meta.read_text() == "new meta"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.faiss", "corpus.index.json"]
