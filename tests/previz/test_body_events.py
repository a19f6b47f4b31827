"""Cloth events, measured on the figure the renderer poses: a walk's limbs start to swing at its "sets-off" event
and are at rest after its "stops" event, within 2 frames."""

from __future__ import annotations

import numpy as np

from filmaster.formats.fountain import parse_fountain
from filmaster.previz.blocking import staged_scene
from filmaster.previz.body_events import body_events
from filmaster.previz.renderer import World
from filmaster.stages.breakdown import plan_screenplay

from ..conftest import EXAMPLES

FPS = 24
STEP_S = 0.005


def _limb_speed(world: World, name: str, times: np.ndarray) -> np.ndarray:
    """How fast the figure's points move relative to its own position and facing (m/s): the limbs, not the walk."""
    shapes = []
    for t in times:
        figure = world.figures_at(float(t))[name]
        local = figure.body_points - figure.position
        # Undo the facing so a turn is not counted as a limb moving.
        angle = np.arctan2(figure.facing[0], -figure.facing[2])
        c, s = np.cos(angle), np.sin(angle)
        x = c * local[:, 0] - s * local[:, 2]
        z = s * local[:, 0] + c * local[:, 2]
        shapes.append(np.stack([x, local[:, 1], z], axis=1))
    moves = np.linalg.norm(np.diff(np.array(shapes), axis=0), axis=2).max(axis=1) / STEP_S
    return np.concatenate([[0.0], moves])


def test_cloth_events_fall_where_the_rendered_limbs_start_and_stop_swinging() -> None:
    plan = plan_screenplay(parse_fountain((EXAMPLES / "the_last_ferry.fountain").read_text()))
    walks = [
        (scene, shot) for scene in plan.scenes for shot in scene.shots if any(m.path for m in shot.blocking.values())
    ]
    assert walks
    checked = 0
    for scene, shot in walks:
        events = [e for e in body_events(shot, scene, plan.cast) if e.kind in ("sets-off", "stops")]  # the walks'
        world = World.build(scene, plan.cast, True, staged_scene(shot, scene).marks)
        for event in events:
            times = np.arange(max(0.0, event.t_s - 1.0), min(shot.duration_s, event.t_s + 1.0), STEP_S)
            speed = _limb_speed(world, event.character, times)
            full = float(speed.max())
            assert full > 0.3, (shot.id, event)  # a real swing around the event
            moving = times[speed > 0.1 * full]
            if event.kind == "sets-off":
                assert float(speed[times < event.t_s - 2 / FPS].max(initial=0.0)) < 0.1 * full  # still before
                assert abs(float(moving[0]) - event.t_s) <= 2 / FPS, (shot.id, event, moving[0])
            else:
                assert float(speed[times > event.t_s + 2 / FPS].max(initial=0.0)) < 0.1 * full  # at rest after
                assert abs(float(moving[-1]) - event.t_s) <= 2 / FPS, (shot.id, event, moving[-1])
            checked += 1
    assert checked >= 2
