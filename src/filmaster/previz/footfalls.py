"""Foot contacts of the walking figures: when each heel strikes the ground, from the same gait the renderer draws.

`figures.walk_joints` swings the hips as sin(2π·stride): the legs are furthest apart, the leading heel on the
ground and the body at its lowest (the bob is |cos|), at a quarter and three quarters of each gait cycle; the left
leg leads at a quarter. A contact is reported only where the legs swing (swing ≥ MIN_SWING), not while the
figure eases to a stop. The shot's ground truth records these times; foley places its footsteps on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..model import CastMember, SceneBlock, Shot
from .blocking import Motion, staged_scene

MIN_SWING = 0.15  # a smaller swing is the walk just starting or settling: the feet slide, no step is heard


@dataclass(frozen=True)
class FootContact:
    character: str
    t_s: float  # seconds into the shot
    foot: str  # "left" or "right"
    x: float
    z: float

    def to_json(self) -> dict[str, object]:
        return {"character": self.character, "t": round(self.t_s, 4), "foot": self.foot, "x": self.x, "z": self.z}


def walking(shot: Shot, scene: SceneBlock, cast: dict[str, CastMember]) -> dict[str, Motion]:
    """The motions of the characters who walk in this shot (as the renderer stages them)."""
    motions = {}
    for name, mark in staged_scene(shot, scene).marks.items():
        member = cast.get(name)
        motion = Motion(mark, (member.height_m if member else 1.75) / 1.75)
        if motion.moves and mark.pose == "stand":
            motions[name] = motion
    return motions


def foot_contacts(shot: Shot, scene: SceneBlock, cast: dict[str, CastMember]) -> list[FootContact]:
    """Every heel strike in the shot, in time order."""
    contacts: list[FootContact] = []
    for name, motion in walking(shot, scene, cast).items():
        speed = motion.mark.walk_speed
        cycles = motion.length / motion.stride_m
        # Heel strikes at stride = 1/4 + k/2 cycles: at distance (1/4 + k/2) * stride_m along the path.
        for k in range(math.ceil(2 * cycles) + 1):
            stride = 0.25 + k / 2
            distance = stride * motion.stride_m
            if distance > motion.length:
                break
            t = motion.mark.start_s + distance / speed
            if t > shot.duration_s:
                break
            state = motion.at(t)
            if state.swing < MIN_SWING:
                continue
            foot = "left" if k % 2 == 0 else "right"
            contacts.append(FootContact(name, t, foot, round(state.x, 3), round(state.z, 3)))
    return sorted(contacts, key=lambda c: c.t_s)
