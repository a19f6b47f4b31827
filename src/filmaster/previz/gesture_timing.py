"""When a gesture moves the body: how far down onto the seat and how far out to a prop, at any moment.

Light on purpose (the model only): the breakdown fits gestures into shots with these durations, the fine cut
keeps a gesture whole from its first motion, and framing asks whether a figure is seated, none of them needing
the figure's geometry (previz/gestures.py poses the figure from these weights).
"""

from __future__ import annotations

from ..model import Gesture, Mark

SIT_S = 1.0  # from upright to seat contact
STAND_S = 0.8  # from weight off the seat to upright
REACH_S = 0.6  # from the arm at rest to the hand on the prop
HOLD_S = 0.4  # the hand stays on the prop
RETURN_S = 0.6  # and comes back to rest


# Before its moment a gesture's motion takes this long (the descent, the reach); after it, this long (the rise,
# the hold and the return).
LEAD_S = {"sit": SIT_S, "stand": 0.0, "handle": REACH_S}
TAIL_S = {"sit": 0.0, "stand": STAND_S, "handle": HOLD_S + RETURN_S}


def _lands(u: float) -> float:
    """0 → 1, starting at rest and arriving with speed: u²(2 − u)."""
    u = min(max(u, 0.0), 1.0)
    return u * u * (2.0 - u)


def _smooth(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return u * u * (3.0 - 2.0 * u)


def motion_start(gesture: Gesture) -> float:
    """When the body starts to move for `gesture` (seconds into the shot): a sit and a reach begin before their
    moment, a stand at it."""
    return max(0.0, gesture.at_s - LEAD_S[gesture.kind])


def has_seat(mark: Mark) -> bool:
    """Whether the mark has a seat under it at some time of the shot."""
    return mark.pose == "sit" or any(g.kind != "handle" for g in mark.gestures)


def seat_weight(mark: Mark, t_s: float) -> float:
    """How far down onto the seat the figure is at `t_s`: 0 upright … 1 seated."""
    weight = 1.0 if mark.pose == "sit" else 0.0
    for g in mark.gestures:
        if g.kind == "sit":
            if t_s < g.at_s - SIT_S:
                return weight
            if t_s < g.at_s:
                return _lands((t_s - (g.at_s - SIT_S)) / SIT_S)
            weight = 1.0
        elif g.kind == "stand":
            if t_s < g.at_s:
                return weight
            if t_s < g.at_s + STAND_S:
                return _lands(1.0 - (t_s - g.at_s) / STAND_S)
            weight = 0.0
    return weight


def reach_weight(mark: Mark, t_s: float) -> float:
    """How far the right arm is stretched toward a prop at `t_s`: 0 at rest … 1 touching it."""
    for g in mark.gestures:
        if g.kind != "handle":
            continue
        if g.at_s - REACH_S <= t_s < g.at_s:
            return _smooth((t_s - (g.at_s - REACH_S)) / REACH_S)
        if g.at_s <= t_s < g.at_s + HOLD_S:
            return 1.0
        if g.at_s + HOLD_S <= t_s < g.at_s + HOLD_S + RETURN_S:
            return 1.0 - _smooth((t_s - g.at_s - HOLD_S) / RETURN_S)
    return 0.0
