"""Foley for sitting, standing and handling a prop, end to end and measured on the output: a character walks onto a
pier, sits on the bench, picks up a cup, speaks and stands (tests/data/bench_cup.fountain). Every real stage runs;
onsets are detected on the Foley stem's samples and compared with the renderer's ground-truth body events."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from filmaster.config import load_config
from filmaster.pipeline import MakeResult, make_film

from .test_make_effects import _cut, _sound, _stem, _truth_times, onsets

DATA = Path(__file__).resolve().parent / "data"
GESTURES = ("sits", "stands", "handles")


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> MakeResult:
    work = tmp_path_factory.mktemp("bench")
    source = work / "bench_cup.fountain"
    shutil.copy(DATA / "bench_cup.fountain", source)
    return make_film(source, work / "out", load_config(overrides={"render": {"resolution": "320x180"}}))


def test_each_sit_stand_and_handle_is_heard_within_two_frames_and_nothing_else_is(film: MakeResult) -> None:
    fps = _cut(film).fps
    heard = onsets(*_stem(film, "foley"))
    for kind in GESTURES:
        truth = _truth_times(film, "body_events", (kind,))
        assert len(truth) == 1, (kind, truth)  # the cut shows each gesture once
        assert float(np.min(np.abs(heard - truth[0]))) <= 2 / fps, (kind, truth[0], heard)
    # Precision: every onset in the Foley stem is a ground-truth event (a step, a rustle, a sit, a stand, a hand).
    events = np.array(_truth_times(film, "foot_contacts") + _truth_times(film, "body_events"))
    for t in heard:
        assert float(np.min(np.abs(events - t))) <= 2 / fps, (t, events)


def test_the_sounds_follow_the_seat_and_the_prop_and_say_why(film: MakeResult) -> None:
    cues = {c.category: c for c in _sound(film).cues if c.kind.value == "foley" and c.category != "cloth"}
    # A bench on a pier is wood; a cup rings like glass.
    assert {"seat-wood", "rise-wood", "handle-glass"} <= set(cues)
    assert "MARA sits down on the bench (seat contact)" in (cues["seat-wood"].reason or "")
    assert "MARA stands up from the bench (the weight leaves the seat)" in (cues["rise-wood"].reason or "")
    assert "MARA handles the cup (hand contact with the prop)" in (cues["handle-glass"].reason or "")
    # On the Foley track of the timeline, with the reason an editor reads.
    timeline = otio.adapters.read_from_file(str(film.timeline))
    foley = {clip.name: clip for t in timeline.tracks if t.name.startswith("Foley") for clip in t.find_clips()}
    for cue in cues.values():
        assert foley[cue.id].metadata["filmaster"]["reason"] == cue.reason
    result = subprocess.run(
        [sys.executable, "-m", "filmaster", "explain", "1", "--plan", str(film.out / "plan.json")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert all((c.reason or "") in result.stdout for c in cues.values())
