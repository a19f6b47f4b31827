"""Known ground truth: camera moves filmed over real photographs and cut together, encoded to H.264."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from filmaster.model.camera import Movement
from filmaster.retrieval.annotate import AnnotatedVideo, annotate_video

from .annotate_synth import FPS, MOVES, W


def test_cuts_are_found_within_two_frames(moves_clip: tuple[Path, list[int]], moves_result: AnnotatedVideo) -> None:
    _, truth = moves_clip
    assert len(moves_result.cuts) == len(truth), (moves_result.cuts, truth)
    errors = np.abs(np.array(moves_result.cuts) - np.array(truth))
    assert errors.max() <= 2, (moves_result.cuts, truth)


@pytest.mark.parametrize("index", range(len(MOVES)), ids=[f"{m}-{d}" for _, m, d in MOVES])
def test_movement_label_matches_the_applied_move(moves_result: AnnotatedVideo, index: int) -> None:
    _, movement, direction = MOVES[index]
    shot = moves_result.shots[index].shot
    assert (shot.movement.value, shot.direction) == (movement, direction), moves_result.shots[index].motion


def test_measured_speeds_match_the_applied_ones(moves_result: AnnotatedVideo) -> None:
    # The photo is shown at 0.8 scale, so 1.2 px of camera travel per frame moves the content 0.96 px.
    shots = moves_result.shots
    pan_speed = 1.2 * 0.8 * FPS / W  # frame widths per second
    assert shots[1].motion.speed_x == pytest.approx(pan_speed, rel=0.1)
    assert shots[2].motion.speed_x == pytest.approx(-pan_speed, rel=0.1)
    assert shots[3].motion.speed_y == pytest.approx(1.0 * 0.8 * FPS / W, rel=0.1)
    assert shots[5].motion.zoom_rate == pytest.approx(0.01 * FPS, rel=0.1)
    assert shots[6].motion.zoom_rate == pytest.approx(-0.01 * FPS, rel=0.1)
    for i in (0, 8):  # locked-off shots measure no motion at all
        assert abs(shots[i].motion.speed_x) < 0.005 and abs(shots[i].motion.zoom_rate) < 0.005


def test_entries_carry_the_measured_shots(moves_result: AnnotatedVideo) -> None:
    entries = moves_result.entries
    assert sum(len(e.shots) for e in entries) == len(MOVES)
    assert all(e.source == "footage:moves" for e in entries)
    assert len({e.id for e in entries}) == len(entries)
    first = entries[0]
    assert first.situation.startswith("footage from moves, scene 1 (")
    shot = first.shots[0]
    assert shot.start_s == 0.0
    assert shot.duration_s == pytest.approx(30 / FPS, abs=0.05)
    starts = [s.shot.start_s for s in moves_result.shots]
    assert starts == sorted(starts)
    assert moves_result.frames == sum(m.frames for m, _, _ in MOVES)


def test_progress_is_reported_up_to_the_end(moves_clip: tuple[Path, list[int]]) -> None:
    calls: list[tuple[int, int]] = []
    result = annotate_video(moves_clip[0], "moves", progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (result.frames, result.frames)
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(calls) >= 3
    assert result.frames_per_second > 10  # a sanity floor; the measured figure is in the report
    assert [s.shot.movement for s in result.shots][1] is Movement.PAN
