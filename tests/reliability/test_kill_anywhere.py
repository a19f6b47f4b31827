"""SIGKILL `make` at 15 points spread over every stage of a small film — seeded random times across the
uninterrupted run, and the moments its progress output names each stage — and run it again: every resumed run
completes, makes only the units of work not finished before the kill (counted from the cache), and delivers the
uninterrupted run's files byte for byte (timelines, takes, every WAV, the film)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from film_runs import finished_units, last_work, make_command, output_digests

STAGES = ("develop", "breakdown", "shoot", "rough cut", "fine cut", "sound", "mix", "deliver")
RANDOM_POINTS = 7  # with the 8 stage points: 15 kills (13 made the suite run past its 15 minutes)
SEED = 16
UNBUFFERED = {**os.environ, "PYTHONUNBUFFERED": "1"}  # progress lines arrive as they are printed


def _stage_of(line: str) -> str | None:
    words = line.strip()
    return next((stage for stage in STAGES if words.startswith(stage)), None)


def kill_during(out: Path, *, after_s: float | None = None, at_stage: str | None = None) -> tuple[list[str], bool]:
    """Start `make`, SIGKILL its process group `after_s` seconds in or as soon as it announces `at_stage`;
    return the stages it announced, and whether the kill found it still running."""
    run = subprocess.Popen(
        make_command(out), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=UNBUFFERED,
        start_new_session=True,
    )  # fmt: skip
    seen: list[str] = []
    announced = threading.Event()

    def read() -> None:
        assert run.stdout is not None
        for line in run.stdout:
            stage = _stage_of(line)
            if stage:
                seen.append(stage)
                if stage == at_stage:
                    announced.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if at_stage is not None:
        announced.wait(timeout=300)
    else:
        time.sleep(after_s or 0.0)
    running = run.poll() is None
    if running:
        os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    reader.join(timeout=10)
    return seen, running


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The uninterrupted run: its folder and how long it took."""
    out = tmp_path_factory.mktemp("reference") / "film"
    start = time.monotonic()
    subprocess.run(make_command(out), capture_output=True, timeout=300, check=True)
    return out, time.monotonic() - start


@pytest.mark.slow
def test_killed_anywhere_a_run_resumes_to_the_same_film(reference: tuple[Path, float], tmp_path: Path) -> None:
    ref, duration_s = reference
    expected = output_digests(ref)
    computed = last_work(ref)["computed"]
    rng = random.Random(SEED)
    points: list[dict[str, Any]] = [{"at_stage": stage} for stage in STAGES]
    points += [{"after_s": round(rng.uniform(0.05, duration_s), 2)} for _ in range(RANDOM_POINTS)]
    for n, point in enumerate(points):
        out = tmp_path / f"kill{n}"
        seen, killed = kill_during(out, **point)
        stage = point.get("at_stage")
        # Each stage's point kills a run that has announced it and not finished (the last, "deliver", is said a
        # moment before the end, so that run may win the race).
        assert stage is None or (stage in seen and (killed or stage == "deliver")), f"{point}: {seen}"
        finished = finished_units(out)

        resumed = subprocess.run(make_command(out), capture_output=True, text=True, timeout=300, check=False)

        where = f"killed {point}"
        assert resumed.returncode == 0, f"{where}: {resumed.stderr}"
        made = last_work(out)["computed"]
        for namespace, done in finished.items():  # nothing finished before the kill is made again
            assert made.get(namespace, 0) == computed.get(namespace, 0) - done, f"{where}: {namespace}"
        assert output_digests(out) == expected, where
        assert not list(out.rglob(".*part*")), where
    assert len(points) >= 15
