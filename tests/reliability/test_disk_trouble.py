"""A disk that fills up, or an output folder whose file system turns read-only, in the middle of a run: the run
stops with one line that says what and what to do, the cache holds only whole entries, and the next run (disk
fixed) delivers the uninterrupted run's files byte for byte. Needs root to mount a small tmpfs; skipped otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from film_runs import finished_units, make_command, output_digests
from filmaster.verify import clip_ok


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of 8 MB (the tiny film and its cache take about 46) mounted at a fresh folder; unmounted afterwards."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(where)) if os.geteuid() == 0 else None
    if mounted is None or mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() if mounted else 'not root'})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("reference") / "film"
    subprocess.run(make_command(out), capture_output=True, timeout=300, check=True)
    return output_digests(out)


def _error_lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def _cache_is_whole(out: Path, *, temporary_files: bool = False) -> None:
    """Every stored take holds its frames; no temporary file is left in the cache unless `temporary_files` (a
    read-only folder keeps the half-written `.part` files it refused to delete; the next run removes them)."""
    cache = out / ".filmaster" / "cache"
    assert temporary_files or not [p for p in cache.rglob(".*") if p.is_file()]
    for clip in (cache / "shots").glob("*.mp4") if (cache / "shots").is_dir() else []:
        truth = clip.with_suffix(".json")
        if truth.is_file():
            assert clip_ok(clip, len(json.loads(truth.read_text())["frames"])), clip.name


@pytest.mark.slow
def test_a_full_disk_stops_the_run_in_one_line_and_the_next_run_recovers(
    small_disk: Path, reference: dict[str, str]
) -> None:
    out = small_disk / "film"
    full = subprocess.run(make_command(out), capture_output=True, text=True, timeout=300, check=False)
    assert full.returncode == 1
    errors = _error_lines(full.stderr)
    assert len(errors) == 1 and errors[0].startswith("error: no space left on the device"), full.stderr
    assert "run the same command again" in errors[0]
    _cache_is_whole(out)
    kept = finished_units(out)

    assert _mount("-o", "remount,size=200m", str(small_disk)).returncode == 0
    again = subprocess.run(make_command(out), capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    assert output_digests(out) == reference
    assert sum(kept.values()) > 0  # the full disk stopped a run that had finished some work, kept for the next


@pytest.mark.slow
def test_a_folder_made_read_only_mid_run_stops_it_in_one_line_and_the_next_run_recovers(
    small_disk: Path, reference: dict[str, str]
) -> None:
    assert _mount("-o", "remount,size=200m", str(small_disk)).returncode == 0
    out = small_disk / "film"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    run = subprocess.Popen(make_command(out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    assert run.stderr is not None
    progress = []
    for line in run.stderr:  # the shots render in the background while the sound is made
        progress.append(line)
        if line.strip().startswith("sound"):
            break
    started = time.monotonic()
    # A read-only view of the folder, made aside and then mounted over it at once: files already open keep their
    # writes, anything new is refused. (The tmpfs itself cannot turn read-only while files on it are open for
    # writing, nor can a bind mount over the folder once the run has opened a file through it.)
    view = small_disk.parent / "view"
    view.mkdir()
    try:
        assert _mount("--bind", str(out), str(view)).returncode == 0
        assert _mount("-o", "remount,bind,ro", str(view)).returncode == 0
        assert _mount("--bind", str(view), str(out)).returncode == 0
        stderr = "".join(progress) + run.stderr.read()
        run.wait(timeout=300)
        assert run.returncode == 1, f"finished {time.monotonic() - started:.1f} s after the remount: {stderr}"
        errors = _error_lines(stderr)
        assert len(errors) == 1 and "read-only" in errors[0], stderr
        for mount_point in (out, view):  # writable again
            assert subprocess.run(["umount", str(mount_point)], check=False).returncode == 0
    finally:  # whatever failed above: no read-only mount outlives the test (pytest could not remove its folder)
        run.kill()
        for mount_point in (out, view):  # os.path.ismount cannot see a bind mount within one file system
            subprocess.run(["umount", "-l", str(mount_point)], check=False, capture_output=True)
    _cache_is_whole(out, temporary_files=True)
    again = subprocess.run(make_command(out), capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    assert output_digests(out) == reference
    assert not list(out.rglob(".*part*"))


def test_disk_errors_say_what_where_and_to_run_again() -> None:
    import errno

    from filmaster.os_errors import describe_os_error

    full = describe_os_error(OSError(errno.ENOSPC, "No space left on device", "/films/a/mix.wav"))
    assert full.startswith("no space left on the device (/films/a/mix.wav); free some space")
    assert describe_os_error(OSError(errno.EROFS, "Read-only file system")).startswith("the file system is read-only;")
    assert describe_os_error(OSError(errno.ENOENT, "No such file or directory", "x")) == "No such file or directory (x)"
