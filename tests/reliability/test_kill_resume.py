"""SIGKILL `make` at points spread over a small film's run; the next run completes with the uninterrupted
film's timeline, its takes byte for byte, and renders no shot that was already finished."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny.fountain"
KILL_AFTER_S = [0.3, 1.0, 2.0, 3.0, 4.5, 6.0, 8.0]  # develop/plan, shoot, sound, mix, delivery on 2 loaded cores


def _command(out: Path) -> list[str]:
    return [sys.executable, "-m", "filmaster", "make", str(TINY), "-o", str(out), "--draft"]


def _picture(out: Path) -> list[tuple[str, str, str]]:
    """The timeline's video tracks: clip names and source ranges. (The dialogue's length varies by a few ms from
    one Piper run to the next, uninterrupted runs included, so the audio tracks are not compared.)"""
    import opentimelineio as otio

    timeline = otio.adapters.read_from_file(str(out / "film.otio"))
    return [(track.name, item.name, str(item.source_range)) for track in timeline.video_tracks() for item in track]


def _digests(out: Path) -> dict[str, str]:
    shots = sorted((out / "media" / "shots").glob("*.mp4"))
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in shots}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "film"
    subprocess.run(_command(out), capture_output=True, timeout=300, check=True)
    assert _picture(out)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("kill_after_s", KILL_AFTER_S)
def test_a_killed_run_resumes_to_the_same_film(reference: Path, tmp_path: Path, kill_after_s: float) -> None:
    out = tmp_path / "film"
    killed = subprocess.Popen(
        _command(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    time.sleep(kill_after_s)
    if killed.poll() is None:
        os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    shots = out / ".filmaster" / "cache" / "shots"
    finished = len([p for p in shots.glob("*.mp4") if not p.name.startswith(".")]) if shots.is_dir() else 0

    resumed = subprocess.run(_command(out), capture_output=True, text=True, timeout=300, check=False)

    assert resumed.returncode == 0, resumed.stderr
    assert _picture(out) == _picture(reference)
    assert _digests(out) == _digests(reference)
    work = json.loads((out / ".filmaster" / "manifest.json").read_text())["last_run"]["work"]
    assert work["computed"].get("shots", 0) == 5 - finished  # no finished take rendered again
    assert not list(out.rglob(".*part*"))
