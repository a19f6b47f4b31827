"""Blocking over time: where a character is, which way it faces and how far into its stride, at any moment.

A mark with a path is walked at constant speed along its waypoints (the mark first). Facing follows the
direction of travel, measured over a short stretch of path either side, so turns at waypoints are smooth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import Mark, SceneBlock, Shot

TURN_SPAN_M = 0.35  # facing looks this far back and ahead along the path: turns take about a stride
STRIDE_M = 1.4  # one full gait cycle (two steps) of a 1.75 m adult
EASE_M = 0.3  # the swing of the legs grows over the first and fades over the last stretch of a walk


def staged_scene(shot: Shot, scene: SceneBlock) -> SceneBlock:
    """The scene as this shot stages it: the shot's own blocking replaces the scene's marks by name."""
    if not shot.blocking:
        return scene
    return scene.model_copy(update={"marks": {**scene.marks, **shot.blocking}})


def heading_deg(direction: np.ndarray, fallback: float) -> float:
    """The facing angle (0 = toward -z, 90 = toward +x) of a ground direction (x, z)."""
    if float(np.hypot(direction[0], direction[1])) < 1e-9:
        return fallback
    return float(np.degrees(np.arctan2(direction[0], -direction[1])))


@dataclass(frozen=True)
class State:
    """A character at one instant."""

    x: float
    z: float
    facing_deg: float
    stride: float  # distance walked, in gait cycles (its fraction is the phase of the step)
    swing: float  # 0 standing still … 1 in full stride


class Motion:
    """The walk of one mark; a mark without a path holds still."""

    def __init__(self, mark: Mark, scale: float = 1.0) -> None:
        self.mark = mark
        self.points = np.array([(mark.x, mark.z), *mark.path], dtype=np.float64)
        seg = np.linalg.norm(np.diff(self.points, axis=0), axis=1) if len(self.points) > 1 else np.zeros(0)
        self.cumulative = np.concatenate([[0.0], np.cumsum(seg)])
        self.length = float(self.cumulative[-1])
        self.stride_m = STRIDE_M * scale

    @property
    def moves(self) -> bool:
        return self.length > 1e-6

    def distance(self, t_s: float) -> float:
        return min(max((t_s - self.mark.start_s) * self.mark.walk_speed, 0.0), self.length)

    def point(self, s: float) -> np.ndarray:
        s = min(max(s, 0.0), self.length)
        return np.array([np.interp(s, self.cumulative, self.points[:, i]) for i in (0, 1)])

    def at(self, t_s: float) -> State:
        m = self.mark
        if not self.moves:
            return State(m.x, m.z, m.facing_deg, 0.0, 0.0)
        s = self.distance(t_s)
        x, z = self.point(s)
        travel = self.point(s + TURN_SPAN_M) - self.point(s - TURN_SPAN_M)
        facing = heading_deg(travel, m.facing_deg)
        if s < EASE_M:  # turn from the mark's facing into the walk over the first steps
            w = s / EASE_M
            delta = (facing - m.facing_deg + 180.0) % 360.0 - 180.0
            facing = m.facing_deg + w * delta
        swing = min(1.0, s / EASE_M, (self.length - s) / EASE_M)
        return State(float(x), float(z), facing, s / self.stride_m, max(swing, 0.0))

    def travel_direction(self, t_s: float) -> np.ndarray | None:
        """Unit ground direction (x, 0, z) of travel around `t_s`, or None for a mark that does not move."""
        if not self.moves:
            return None
        s = self.distance(t_s)
        d = self.point(s + TURN_SPAN_M) - self.point(s - TURN_SPAN_M)
        n = float(np.hypot(*d))
        return np.array([d[0] / n, 0.0, d[1] / n]) if n > 1e-9 else None
