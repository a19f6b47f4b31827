"""Foot contacts, measured on the figure the renderer poses: each reported heel strike is where the walking
figure's feet are furthest apart (the leading heel down), within 2 frames."""

from __future__ import annotations

import numpy as np

from filmaster.formats.fountain import parse_fountain
from filmaster.previz.blocking import staged_scene
from filmaster.previz.footfalls import foot_contacts
from filmaster.previz.renderer import World
from filmaster.stages.breakdown import plan_screenplay

from ..conftest import EXAMPLES

FPS = 24


def test_contacts_fall_where_the_rendered_feet_are_furthest_apart() -> None:
    plan = plan_screenplay(parse_fountain((EXAMPLES / "the_last_ferry.fountain").read_text()))
    walks = [
        (scene, shot) for scene in plan.scenes for shot in scene.shots if any(m.path for m in shot.blocking.values())
    ]
    assert walks
    for scene, shot in walks:
        contacts = foot_contacts(shot, scene, plan.cast)
        assert len(contacts) >= 3
        world = World.build(scene, plan.cast, True, staged_scene(shot, scene).marks)
        name = contacts[0].character
        times = np.arange(0.0, shot.duration_s, 0.002)
        spread = []
        for t in times:
            figure = world.figures_at(float(t))[name]
            feet = figure.body_points[figure.body_points[:, 1] < 0.12]  # what touches the ground
            along = feet[:, [0, 2]] @ figure.facing[[0, 2]]
            spread.append(float(along.max() - along.min()))
        spread_arr = np.array(spread)
        for contact in contacts:
            # The widest stance within half a step either side of the contact is at the contact.
            near = np.abs(times - contact.t_s) <= 0.2
            widest = times[near][int(np.argmax(spread_arr[near]))]
            assert abs(widest - contact.t_s) <= 2 / FPS, (shot.id, contact, widest)
            # And it is a real stride there, not a figure standing with its feet together.
            assert spread_arr[near].max() > 2 * spread_arr[0]
        # Both feet take turns, at a walking pace.
        assert {c.foot for c in contacts} == {"left", "right"}
        gaps = np.diff([c.t_s for c in contacts])
        assert np.all((gaps > 0.3) & (gaps < 0.8))
