"""A project folder is used by one run at a time; a run killed by SIGKILL leaves no lock and no temporary files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from filmaster.project import Project

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny.fountain"


def _make(out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "filmaster", "make", str(TINY), "-o", str(out), "--draft", "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for_lock(out: Path, pid: int, timeout: float = 60.0) -> None:
    lock = out / ".filmaster" / "lock"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if json.loads(lock.read_text())["pid"] == pid:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"make (pid {pid}) never took the lock")


def test_a_second_project_in_another_process_is_refused_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "film"
    first = _make(out)
    try:
        _wait_for_lock(out, first.pid)
        second = subprocess.run(
            [sys.executable, "-m", "filmaster", "make", str(TINY), "-o", str(out), "--draft"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert second.returncode == 1
        errors = [line for line in second.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "Traceback" not in second.stderr, second.stderr
        assert "in use by another filmaster run" in errors[0] and str(first.pid) in errors[0]
        _, err = first.communicate(timeout=300)
        assert first.returncode == 0, err  # the first run was not disturbed
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    assert (out / "film.mp4").stat().st_size > 0


def test_sigkilled_run_leaves_no_lock_and_its_temporary_files_are_cleared(tmp_path: Path) -> None:
    out = tmp_path / "film"
    killed = _make(out)
    _wait_for_lock(out, killed.pid)
    # Let it get into rendering, where the renderer writes its `.part` files, then kill the whole group.
    deadline = time.monotonic() + 60
    shots = out / ".filmaster" / "cache" / "shots"
    while time.monotonic() < deadline and not any(shots.glob(".*part*")) and killed.poll() is None:
        time.sleep(0.02)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    leftover = list(out.rglob(".*part*"))
    assert leftover, "the kill came too late to leave a half-written file; nothing was tested"
    rerun = subprocess.run(
        [sys.executable, "-m", "filmaster", "make", str(TINY), "-o", str(out), "--draft"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert (out / "film.mp4").stat().st_size > 0
    assert not any(out.rglob(".*part*")), f"left behind: {leftover}"


def test_lock_is_reentrant_in_one_process_and_released_on_close(tmp_path: Path) -> None:
    source = tmp_path / "story.fountain"
    source.write_text("INT. ROOM - DAY\n")
    first = Project(tmp_path / "out", source)
    second = Project(tmp_path / "out", source)  # the same process: a library user opening it twice
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from filmaster import lock; from pathlib import Path; "
            f"lock.acquire(Path({str(first.state)!r}), Path('x'))",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert probe.returncode != 0 and "ProjectBusyError" in probe.stderr
    first.close()
    second.close()
    free = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from filmaster import lock; from pathlib import Path; "
            f"lock.acquire(Path({str(first.state)!r}), Path('x'))",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert free.returncode == 0, free.stderr
