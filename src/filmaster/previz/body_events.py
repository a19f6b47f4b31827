"""Moments the body makes a sound other than a footstep, from the same motion the renderer draws.

A walk eases in and out (blocking.EASE_M): the arms and legs start to swing from rest and settle back to it.
Clothing rustles when the limbs set off and when they stop: the frame where the swing crosses MIN_SWING on the
way up (the limbs begin to move fast) and on the way down (they come to rest). These are the take's ground truth
next to its foot contacts; foley places a cloth movement on each.

A mark's gestures (previz/gestures.py) add the moments a body meets or leaves a thing: "sits" when the pelvis
lands on the seat, "stands" when the weight leaves it, "handles" when the hand touches the prop; foley places a
seat creak, a rise and a handling sound on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import CastMember, SceneBlock, Shot
from .blocking import EASE_M, staged_scene
from .footfalls import MIN_SWING, walking

# A gesture's kind → the event it makes: the moment it lands (see model.Gesture.at_s).
GESTURE_EVENTS = {"sit": "sits", "stand": "stands", "handle": "handles"}


@dataclass(frozen=True)
class BodyEvent:
    character: str
    t_s: float  # seconds into the shot
    # "sets-off" (the limbs start to swing), "stops" (they come to rest), "sits" (seat contact), "stands" (the
    # weight leaves the seat) or "handles" (the hand touches the prop)
    kind: str
    target: str | None = None  # the seat or the prop, as the screenplay names it

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"character": self.character, "t": round(self.t_s, 4), "kind": self.kind}
        return out if self.target is None else {**out, "target": self.target}

    @property
    def description(self) -> str:
        on = f" the {self.target}" if self.target else ""
        return f"{self.character} " + {
            "sets-off": "sets off walking",
            "stops": "comes to a stop",
            "sits": f"sits down{' on' + on if on else ''}",
            "stands": f"stands up{' from' + on if on else ''}",
            "handles": f"handles{on or ' a prop'}",
        }.get(self.kind, self.kind)


def body_events(shot: Shot, scene: SceneBlock, cast: dict[str, CastMember]) -> list[BodyEvent]:
    """Every cloth-moving, seat and handling event of the shot, in time order."""
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
    for name, mark in staged_scene(shot, scene).marks.items():
        seat = None
        for g in mark.gestures:
            seat = g.target if g.kind == "sit" else seat
            target = (g.target or seat) if g.kind == "stand" else g.target  # up from what was sat on
            if 0.0 <= g.at_s <= shot.duration_s:
                events.append(BodyEvent(name, g.at_s, GESTURE_EVENTS[g.kind], target))
    return sorted(events, key=lambda e: e.t_s)
