"""A change to the renderer's source re-renders the shots, and only them: cache keys hold a digest of the code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import filmaster

ROOT = Path(__file__).resolve().parents[2]


def _make(src: Path, out: Path) -> dict[str, dict[str, int]]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "filmaster",
            "make",
            str(ROOT / "examples" / "tiny.fountain"),
            "-o",
            str(out),
            "--draft",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "PYTHONPATH": str(src)},
    )
    assert result.returncode == 0, result.stderr
    return json.loads((out / ".filmaster" / "manifest.json").read_text())["last_run"]["work"]


def test_editing_a_renderer_source_file_rerenders_the_shots_and_nothing_else(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(Path(filmaster.__file__).parent, src / "filmaster", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "film"
    _make(src, out)
    unchanged = _make(src, out)
    assert unchanged["computed"] == {}  # the same code: everything reused

    renderer = src / "filmaster" / "previz" / "renderer.py"
    renderer.write_text(renderer.read_text() + "\n# an edit that a hand-bumped VERSION would have missed\n")
    work = _make(src, out)

    assert work["computed"].get("shots") == 5 and not work["reused"].get("shots")
    for unit in ("dialogue", "music", "ambience", "mix"):
        assert not work["computed"].get(unit) and work["reused"].get(unit), (unit, work)
