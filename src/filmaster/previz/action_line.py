"""The 180° line a shot must not cross, and the part of a camera move that stays on the camera's side of it.

The line runs through the two characters the shot is about: the framed one and the shoulder of an
over-the-shoulder, the two people of a two-shot, else the scene's first two characters with marks, where they
stand in the middle of the shot. A move that carries the camera across it mid-take (an arc swinging past the
shoulder, a truck out from behind it) reverses every left/right on screen: the next cut reads as a jump to the
other side of the room. So a move keeps its full amount but slides away from the line when the room on the far
side allows it (the direction away from the line), and is shortened to the room there is when it does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..model import CastMember, SceneBlock, Shot
from .camera import CameraPose
from .subjects import Subject, resolve

MIN_CLEARANCE_M = 0.3  # the camera comes no nearer the line than this (or than its planned pose, if nearer)
SAMPLES = 21  # points of the move checked, first and last frame included
OFFSETS = np.linspace(0.0, 0.5, 11)  # slides of the move's centre tried, in shares of the move, smallest first
SCALES = np.linspace(1.0, 0.0, 21)  # shares of the move kept when no slide fits it whole


@dataclass(frozen=True)
class ActionLine:
    """A vertical plane through two ground points (x, 0, z)."""

    a: np.ndarray
    b: np.ndarray

    def signed_distance(self, point: np.ndarray) -> float:
        """Metres from the line on the ground, positive on one side, negative on the other."""
        d = self.b - self.a
        length = float(np.hypot(d[0], d[2]))
        rel = point - self.a
        return float((d[0] * rel[2] - d[2] * rel[0]) / length)


def line_through(first: np.ndarray, second: np.ndarray) -> ActionLine | None:
    """The line through two ground positions, or None when they (nearly) coincide."""
    a = np.array([first[0], 0.0, first[2]], dtype=float)
    b = np.array([second[0], 0.0, second[2]], dtype=float)
    return ActionLine(a, b) if float(np.hypot(*(b - a)[[0, 2]])) > 1e-3 else None


def shot_line(
    shot: Shot, scene: SceneBlock, cast: dict[str, CastMember], subjects: list[Subject], shoulder: Subject | None
) -> ActionLine | None:
    """The shot's 180° line (see the module's docstring); None when the scene has fewer than two characters.
    `scene` is the scene as the shot stages it; `subjects` and `shoulder` as `subjects.check_camera` gives them."""
    people = [s for s in subjects if not s.is_prop]
    if shoulder is not None and people:
        return line_through(people[0].position, shoulder.position)
    if len(people) >= 2:
        return line_through(people[0].position, people[1].position)
    marked = [name for name in scene.characters if name in scene.marks]
    if len(marked) < 2:
        return None
    mid = shot.duration_s / 2.0
    first, second = (resolve(name, scene, cast, shot.id, mid) for name in marked[:2])
    return line_through(first.position, second.position)


@dataclass(frozen=True)
class MoveSpan:
    """Where a move runs: the share of its amount kept, and how far its centre slides (in shares of the move).

    The move's progress s ∈ [−½, +½] becomes scale × (s + offset); (1, 0) is the planned move."""

    scale: float = 1.0
    offset: float = 0.0

    def progress(self, s: float) -> float:
        return self.scale * (s + self.offset)


FULL_MOVE = MoveSpan()


def span_on_side(line: ActionLine | None, pose_at_progress: Callable[[float], CameraPose]) -> MoveSpan:
    """The least change to the planned move (none, a slide, then a shorter move) that keeps the camera on the
    planned camera's side of `line` for the whole take. `pose_at_progress(p)` is the camera at move progress p
    (−½ … +½ for the planned move)."""
    if line is None:
        return FULL_MOVE
    planned = line.signed_distance(pose_at_progress(0.0).position)
    if abs(planned) < 1e-6:
        return FULL_MOVE  # a camera on the line (a POV down it) has no side to keep
    clearance = min(MIN_CLEARANCE_M, abs(planned))
    side = np.sign(planned)
    steps = np.linspace(-0.5, 0.5, SAMPLES)

    def keeps(span: MoveSpan) -> bool:
        return all(
            side * line.signed_distance(pose_at_progress(span.progress(s)).position) >= clearance - 1e-9 for s in steps
        )

    for scale in SCALES:
        for offset in OFFSETS:
            for signed in (offset, -offset) if offset else (0.0,):
                span = MoveSpan(float(scale), float(signed))
                if keeps(span):
                    return span
    return MoveSpan(0.0, 0.0)
