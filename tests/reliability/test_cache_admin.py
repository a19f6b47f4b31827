"""`filmaster cache info|prune`: pruning removes what recent runs did not use and keeps the current film whole."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _filmaster(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "filmaster", *args], capture_output=True, text=True, timeout=300, check=False, cwd=cwd
    )
    assert result.returncode == 0, result.stderr
    return result


def test_prune_keeps_the_last_runs_units_and_removes_the_rest(tmp_path: Path) -> None:
    screenplay = tmp_path / "tiny.fountain"
    screenplay.write_text((ROOT / "examples" / "tiny.fountain").read_text())
    _filmaster("make", "tiny.fountain", "-o", "out", "--draft", cwd=tmp_path)
    shots = tmp_path / "out" / ".filmaster" / "cache" / "shots"
    first_takes = set(shots.glob("*.mp4"))
    # Another seed: every shot is rendered anew, the first run's takes are now unused.
    _filmaster("make", "tiny.fountain", "-o", "out", "--draft", "--seed", "7", cwd=tmp_path)
    second_takes = set(shots.glob("*.mp4")) - first_takes
    assert len(first_takes) == len(second_takes) == 5

    info = _filmaster("cache", "info", "out", cwd=tmp_path).stdout
    assert "shots" in info and "last run" in info and "2 run(s) recorded" in info

    kept = _filmaster("cache", "prune", "out", "--keep-last", "2", cwd=tmp_path).stdout
    assert kept.startswith("removed 0 entries")
    pruned = _filmaster("cache", "prune", "out", cwd=tmp_path).stdout
    assert not pruned.startswith("removed 0 ")
    assert set(shots.glob("*.mp4")) == second_takes  # the first run's takes are gone, the current film's kept

    again = _filmaster("make", "tiny.fountain", "-o", "out", "--draft", "--seed", "7", cwd=tmp_path)
    assert "0 units made" in again.stderr  # nothing the current film needs was pruned
    manifest = json.loads((tmp_path / "out" / ".filmaster" / "manifest.json").read_text())
    assert manifest["last_run"]["work"]["computed"] == {}
