"""Every camera move keeps the camera on its side of the 180° line for the whole take: measured on the
renderer's camera (ground truth) and on the ID pass's pixels, for constructed arcs and every shot of the
examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from filmaster.config import load_config
from filmaster.model import Plan, RenderSettings
from filmaster.model.shot_request import ShotRequest
from filmaster.pipeline import make_plan
from filmaster.previz.action_line import FULL_MOVE
from filmaster.previz.blocking import staged_scene
from filmaster.previz.camera import CameraPose
from filmaster.previz.moves import pose_at
from filmaster.previz.shoot import ShotSession
from filmaster.previz.subjects import resolve
from filmaster.previz.testing import make_request, make_scene, make_shot
from filmaster.progress import SilentReporter
from filmaster.stages.develop import develop
from filmaster.stages.shoot import shot_requests

ROOT = Path(__file__).parents[2]
SCREENPLAYS = [
    ROOT / "examples" / "the_last_ferry.fountain",
    ROOT / "examples" / "paper_birds.fountain",
    ROOT / "tests" / "data" / "crossed_lines.fountain",
]
MIN_PIXELS = 30  # ID-pass pixels (240 wide) under which a character's centre is not measured
MIN_GAP = 0.04  # screen widths between two centres under which their order is not measured


def side(request: ShotRequest, position: np.ndarray) -> float:
    """Metres from the shot's line of action, signed by side. The line joins the shot's two characters (the
    framed one and the over-the-shoulder's shoulder, or the two of a two-shot), else the scene's first two, where
    they stand mid-shot."""
    shot, scene = request.shot, staged_scene(request.shot, request.scene)
    cam, mid = shot.camera, shot.duration_s / 2
    people = [n for n in cam.subjects if n in scene.marks and n != cam.over_shoulder_of]
    if cam.over_shoulder_of:
        people = [people[0], cam.over_shoulder_of]
    if len(people) < 2:
        people = [n for n in scene.characters if n in scene.marks]
    a, b = (resolve(n, scene, request.cast, shot.id, mid).position for n in people[:2])
    d, rel = b - a, position - a
    return float((d[0] * rel[2] - d[2] * rel[0]) / np.hypot(d[0], d[2]))


def screen_order(session: ShotSession, t: float, pose: CameraPose | None = None) -> dict[tuple[str, str], bool]:
    """For each pair of characters the ID pass shows at `t` (from `pose`, else the shot's camera), whether the
    first is left of the second on screen."""
    ids, names = session.renderer.ids(pose or session.pose(t), t)
    centres = {}
    for k, name in enumerate(names):
        xs = np.nonzero(ids == k + 1)[1]
        if len(xs) >= MIN_PIXELS:
            centres[name] = xs.mean() / ids.shape[1]
    return {
        (p, q): centres[p] < centres[q]
        for p in sorted(centres)
        for q in sorted(centres)
        if p < q and abs(centres[p] - centres[q]) >= MIN_GAP
    }


def over_shoulder_arc(direction: str) -> ShotSession:
    shot = make_shot(
        duration_s=2.0, scale="MS", subjects=["ANNA"], over_shoulder_of="BEN", movement="arc", direction=direction
    )
    return ShotSession(make_request(shot, make_scene()))


@pytest.mark.parametrize("direction", ["left", "right"])
def test_an_arc_past_the_shoulder_stays_on_its_side_of_the_line(direction: str) -> None:
    session = over_shoulder_arc(direction)
    shot, last = session.request.shot, (session.frames - 1) / 24
    planned = [pose_at(session.framing, shot.camera, t, shot.duration_s, 0, FULL_MOVE) for t in (0.0, last)]
    kept = [session.pose(t) for t in (0.0, last)]
    crossed = [side(session.request, p.position) for p in planned]
    first, end = (side(session.request, p.position) for p in kept)
    assert first * end > 0 and min(abs(first), abs(end)) >= 0.25  # the kept move clears the line
    # The move still circles by its planned amount: the camera travels as far around the subject.
    pivot = session.framing.pivot

    def bearing(p: np.ndarray) -> float:
        return float(np.degrees(np.arctan2(p[0] - pivot[0], p[2] - pivot[2])))

    assert abs(bearing(kept[1].position) - bearing(kept[0].position)) == pytest.approx(30.0, abs=3.0)
    # The planned arc crossed: the two characters swap sides on screen; the kept one does not.
    assert crossed[0] * crossed[1] < 0
    assert screen_order(session, 0.0, planned[0]) != screen_order(session, last, planned[1])
    seen = [screen_order(session, t).get(("ANNA", "BEN")) for t in np.linspace(0.0, last, 9)]
    measured = [order for order in seen if order is not None]
    assert len(measured) >= 3 and len(set(measured)) == 1, seen


@pytest.fixture(scope="module")
def plans() -> list[Plan]:
    config = load_config(overrides={"cinematography": {"retrieval": True}})
    return [make_plan(develop(path), config, SilentReporter()) for path in SCREENPLAYS]


def test_no_shot_of_the_examples_crosses_the_line_during_its_take(plans: list[Plan]) -> None:
    settings = RenderSettings(width=320, height=180, fps=24, draft=True)
    checked, moving = 0, 0
    for plan in plans:
        for request in shot_requests(plan, settings, 0):
            scene = request.scene
            if len([n for n in scene.characters if n in scene.marks]) < 2:
                continue  # one character: no line
            session = ShotSession(request)
            last = (session.frames - 1) / settings.fps
            # Ground truth: the renderer's camera at the first and the last frame.
            first, end = (side(request, session.pose(t).position) for t in (0.0, last))
            assert first * end > 0, f"{plan.title} {request.shot.id}: camera {first:.2f} m → {end:.2f} m"
            # Pixels: no two characters swap sides on screen between the first and the last frame (unless one of
            # them walks past the other: the blocking, not the camera).
            before, after = screen_order(session, 0.0), screen_order(session, last)
            walkers = {n for n, mark in staged_scene(request.shot, scene).marks.items() if mark.path}
            for pair in before.keys() & after.keys() - {p for p in before if walkers & set(p)}:
                assert before[pair] == after[pair], f"{plan.title} {request.shot.id}: {pair} swap sides"
            checked += 1
            moving += not np.allclose(session.pose(0.0).position, session.pose(last).position)
    assert checked > 50 and moving > 10
