"""Sitting, standing and reaching, measured on what the renderer draws: the ID pass's pixels of the figure and the
posed figure's own points, against the take's ground-truth body events ("sits", "stands", "handles")."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from filmaster.formats.fountain import parse_fountain
from filmaster.model import CameraSpec, Mark, Plan, RenderSettings, ShotScale
from filmaster.model.shot_request import ShotRequest
from filmaster.previz.body_events import body_events
from filmaster.previz.gesture_timing import REACH_S, SIT_S, STAND_S
from filmaster.previz.shoot import ShotSession
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.shoot import shot_requests

DATA = Path(__file__).resolve().parents[1] / "data"
FPS = 24
DRAFT = RenderSettings(width=320, height=180, fps=FPS, draft=True)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_screenplay(parse_fountain((DATA / "bench_cup.fountain").read_text()))


def _request(plan: Plan, kind: str) -> tuple[ShotRequest, float]:
    """The shot where MARA does `kind`, and the gesture's moment."""
    for request in shot_requests(plan, DRAFT, seed=0):
        mark = request.shot.blocking.get("MARA")
        for g in mark.gestures if mark else []:
            if g.kind == kind:
                return request, g.at_s
    raise AssertionError(f"no {kind} planned")


def _wide(request: ShotRequest) -> ShotSession:
    """The shot filmed wide and still, so the whole figure stays in frame while it sits or stands."""
    camera = CameraSpec(scale=ShotScale.WS, subjects=["MARA"])
    return ShotSession(replace(request, shot=request.shot.model_copy(update={"camera": camera})))


def _pixel_height(session: ShotSession, t: float) -> int:
    """How many rows of the ID pass MARA covers at `t`."""
    ids, names = session.renderer.ids(session.pose(t), t)
    rows = np.flatnonzero((ids == names.index("MARA") + 1).any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


def _head_top(session: ShotSession, t: float) -> float:
    return float(session.renderer.world.figures_at(t)["MARA"].head_points[:, 1].max())


def test_the_screenplay_s_sit_handle_and_stand_are_planned_where_they_are_written(plan: Plan) -> None:
    shots = plan.scenes[0].shots
    kinds = [(g.kind, g.target) for s in shots for g in s.blocking.get("MARA", Mark(x=0, z=0)).gestures]
    assert kinds == [("sit", "bench"), ("handle", "cup"), ("stand", "bench")]
    # Seated from the sit to the stand: the shots between hold MARA on the seat.
    poses = [s.blocking["MARA"].pose for s in shots if "MARA" in s.blocking and not s.blocking["MARA"].path]
    assert poses == ["stand", "sit", "sit", "sit", "sit"]


def test_sitting_down_lowers_the_figure_in_the_pixels_and_lands_at_the_sits_event(plan: Plan) -> None:
    request, at = _request(plan, "sit")
    events = [e for e in body_events(request.shot, request.scene, request.cast) if e.kind == "sits"]
    assert [(e.character, e.t_s, e.target) for e in events] == [("MARA", at, "bench")]
    session = _wide(request)
    before, after = _pixel_height(session, at - SIT_S - 0.1), _pixel_height(session, at + 0.1)
    assert before > 40 and after <= 0.8 * before, (before, after)  # the figure is a fifth shorter, or more
    # The head comes down from the start of the motion until the seat contact, and not after it.
    times = np.arange(at - SIT_S - 0.3, min(at + 0.5, request.shot.duration_s), 1 / FPS / 4)
    heights = np.array([_head_top(session, float(t)) for t in times])
    moving = times[np.abs(np.gradient(heights, times)) > 0.02]
    still = times < at - SIT_S
    assert np.ptp(heights[still]) < 0.001 and abs(float(moving[-1]) - at) <= 2 / FPS
    assert heights[0] - heights[-1] > 0.35  # about the 43 cm from standing hips to a seat


def test_standing_up_raises_the_figure_from_the_stands_event(plan: Plan) -> None:
    request, at = _request(plan, "stand")
    assert request.shot.blocking["MARA"].pose == "sit"
    events = [e for e in body_events(request.shot, request.scene, request.cast) if e.kind == "stands"]
    assert [(e.t_s, e.target) for e in events] == [(at, "bench")]
    session = _wide(request)
    before, after = _pixel_height(session, at - 0.1), _pixel_height(session, at + STAND_S + 0.1)
    assert after > 40 and before <= 0.8 * after, (before, after)
    times = np.arange(at - 0.5, min(at + STAND_S + 0.3, request.shot.duration_s), 1 / FPS / 4)
    heights = np.array([_head_top(session, float(t)) for t in times])
    moving = times[np.abs(np.gradient(heights, times)) > 0.02]
    assert abs(float(moving[0]) - at) <= 2 / FPS  # the weight leaves the seat at the event


def test_the_hand_reaches_the_prop_at_the_handles_event(plan: Plan) -> None:
    request, at = _request(plan, "handle")
    events = [e for e in body_events(request.shot, request.scene, request.cast) if e.kind == "handles"]
    assert [(e.t_s, e.target) for e in events] == [(at, "cup")]
    session = _wide(request)
    rest_t = at - REACH_S - 0.2
    rest = session.renderer.world.figures_at(rest_t)["MARA"].body_points

    def moved(t: float) -> float:  # how far the figure's furthest-moved point is from where it was at rest (m)
        return float(np.linalg.norm(session.renderer.world.figures_at(t)["MARA"].body_points - rest, axis=1).max())

    times = np.arange(rest_t, at + 0.3, 1 / FPS / 4)
    out = np.array([moved(float(t)) for t in times])
    assert out.max() > 0.25  # the hand travels a good part of an arm's length
    assert abs(float(times[np.argmax(out > out.max() - 0.005)]) - at) <= 2 / FPS  # and arrives at the event
    # In the pixels: the arm changes the figure's silhouette (the camera is still: nothing else moves).
    masks = [session.renderer.ids(session.pose(t), t)[0] == 1 for t in (rest_t - 0.2, rest_t, at)]
    assert np.array_equal(masks[0], masks[1])
    assert np.count_nonzero(masks[1] != masks[2]) >= 30


@pytest.mark.parametrize("kind", ["sit", "stand"])
def test_a_close_shot_tilts_with_the_head_so_it_stays_in_frame(plan: Plan, kind: str) -> None:
    request, _ = _request(plan, kind)
    session = ShotSession(request)  # the planned camera: a medium shot or closer
    assert session.tilts_with is not None
    for index in range(0, session.frames, 6):
        head = session.ground_truth(index, session.pose(session.time_of(index)))["characters"]["MARA"]["head"]
        _, y0, _, y1 = head
        shown = (min(y1, DRAFT.height) - max(y0, 0.0)) / (y1 - y0)
        assert shown > 0.8, (request.shot.id, index, head)  # not cut off by the top or the bottom of the frame
