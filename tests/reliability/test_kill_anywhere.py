"""SIGKILL `make` once inside every stage of a small film — at a random moment within the stage, drawn from how
long that stage took in the uninterrupted run — and run it again: every resumed run completes, makes only the units
of work not finished before the kill (counted from the cache), and delivers the uninterrupted run's files byte for
byte (timelines, takes, every WAV, the film).

One kill per stage at a random moment inside it covers the run as stratified samples: every stage is interrupted on
every run, and over runs the seed (new each run, printed, `FILMASTER_KILL_SEED` replays one) walks the moments
inside each stage. The former 8 kills at the stage announcements plus 7 times across the whole run cost twice as
long and proved no more: a point at the announcement is this draw's zero, and the 7 times fell in those stages."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from film_runs import finished_units, last_work, make_command, output_digests

STAGES = ("develop", "breakdown", "shoot", "rough cut", "fine cut", "sound", "mix", "deliver")
SEED = int(os.environ.get("FILMASTER_KILL_SEED") or random.SystemRandom().randrange(1 << 31))
WITHIN = 0.8  # of a stage's reference length: a kill run a little faster than the reference still dies inside it
UNBUFFERED = {**os.environ, "PYTHONUNBUFFERED": "1"}  # progress lines arrive as they are printed


def _stage_of(line: str) -> str | None:
    words = line.strip()
    return next((stage for stage in STAGES if words.startswith(stage)), None)


def kill_during(out: Path, at_stage: str, after_s: float) -> tuple[list[str], bool]:
    """Start `make`, SIGKILL its process group `after_s` seconds after it announces `at_stage`; return the stages
    it announced, and whether the kill found it still running."""
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
    announced.wait(timeout=300)
    time.sleep(after_s)
    running = run.poll() is None
    if running:
        os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    reader.join(timeout=10)
    return seen, running


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, float]]:
    """The uninterrupted run: its folder and how many seconds each stage lasted (announcement to the next)."""
    out = tmp_path_factory.mktemp("reference") / "film"
    run = subprocess.Popen(
        make_command(out), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=UNBUFFERED
    )
    assert run.stdout is not None
    announced: dict[str, float] = {}
    for line in run.stdout:  # a stage's first line is its announcement
        if (stage := _stage_of(line)) and stage not in announced:
            announced[stage] = time.monotonic()
    assert run.wait(timeout=300) == 0
    ends = [*list(announced.values())[1:], time.monotonic()]
    assert sorted(announced) == sorted(STAGES), f"the run announced {list(announced)}"
    return out, {stage: end - began for (stage, began), end in zip(announced.items(), ends, strict=True)}


@pytest.mark.slow
def test_killed_anywhere_a_run_resumes_to_the_same_film(
    reference: tuple[Path, dict[str, float]], tmp_path: Path
) -> None:
    ref, lasted = reference
    expected = output_digests(ref)
    computed = last_work(ref)["computed"]
    rng = random.Random(SEED)
    print(f"kill seed {SEED} (FILMASTER_KILL_SEED={SEED} replays it); stage lengths {lasted}")
    points = [(stage, round(rng.uniform(0.0, WITHIN * lasted[stage]), 2)) for stage in STAGES]
    for n, (stage, after_s) in enumerate(points):
        out = tmp_path / f"kill{n}"
        seen, killed = kill_during(out, stage, after_s)
        where = f"killed {after_s} s into {stage} (seed {SEED})"
        # Each kill finds a run that has announced its stage and not finished (the last, "deliver", is short, so
        # that run may win the race).
        assert stage in seen and (killed or stage == STAGES[-1]), f"{where}: {seen}"
        finished = finished_units(out)

        resumed = subprocess.run(make_command(out), capture_output=True, text=True, timeout=300, check=False)

        assert resumed.returncode == 0, f"{where}: {resumed.stderr}"
        made = last_work(out)["computed"]
        for namespace, done in finished.items():  # nothing finished before the kill is made again
            assert made.get(namespace, 0) == computed.get(namespace, 0) - done, f"{where}: {namespace}"
        assert output_digests(out) == expected, where
        assert not list(out.rglob(".*part*")), where
    assert len(points) == len(STAGES)
