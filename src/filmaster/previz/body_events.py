"""Moments the body makes a sound other than a footstep, from the same motion the renderer draws.

A walk eases in and out (blocking.EASE_M): the arms and legs start to swing from rest and settle back to it.
Clothing rustles when the limbs set off and when they stop: the frame where the swing crosses MIN_SWING on the
way up (the limbs begin to move fast) and on the way down (they come to rest). These are the take's ground truth
next to its foot contacts; foley places a cloth movement on each.

The renderer does not animate sitting down, standing up or reaching for a prop (a mark's pose holds for the
whole shot), so no such events exist to report.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import CastMember, SceneBlock, Shot
from .blocking import EASE_M
from .footfalls import MIN_SWING, walking


@dataclass(frozen=True)
class BodyEvent:
    character: str
    t_s: float  # seconds into the shot
    kind: str  # "sets-off" (the limbs start to swing) or "stops" (they come to rest)

    def to_json(self) -> dict[str, object]:
        return {"character": self.character, "t": round(self.t_s, 4), "kind": self.kind}

    @property
    def description(self) -> str:
        return f"{self.character} {'sets off walking' if self.kind == 'sets-off' else 'comes to a stop'}"


def body_events(shot: Shot, scene: SceneBlock, cast: dict[str, CastMember]) -> list[BodyEvent]:
    """Every cloth-moving event of the shot, in time order."""
    events: list[BodyEvent] = []
    ramp = MIN_SWING * EASE_M  # path length over which the swing grows from 0 to MIN_SWING
    for name, motion in walking(shot, scene, cast).items():
        if motion.length <= 2 * ramp:
            continue  # a shuffle: the limbs never swing enough to be heard
        speed = motion.mark.walk_speed
        for kind, distance in (("sets-off", ramp), ("stops", motion.length - ramp)):
            t = motion.mark.start_s + distance / speed
            if 0.0 <= t <= shot.duration_s:
                events.append(BodyEvent(name, t, kind))
    return sorted(events, key=lambda e: e.t_s)
