"""Gestures on a mark, animated: sitting down, standing up and reaching for a prop, around the moment each lands.

A sit lowers the figure over SIT_S and lands on the seat at the gesture's moment (with speed: a body drops the
last of the way). A stand lifts the weight off the seat at its moment and eases upright over STAND_S. A reach
swings the right arm forward over REACH_S to touch the prop at its moment, holds, and brings it back.

While sitting the hips bend by θ and the knees by −θ, so the shins stay upright; the pelvis comes down by
SIT_DROP·(1 − cos θ) and back by the thigh's length·sin θ, so the feet stay planted on the floor in front of
the seat (a standing figure by a seat stands a thigh's length in front of it).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..model import Mark
from .figures import REFERENCE_HEIGHT_M, SIT_DROP, THIGH_M, Figure, FigureRig, Joints, facing_vector
from .geometry import transform, yaw_matrix
from .gesture_timing import has_seat, reach_weight, seat_weight

REACH_SHOULDER_DEG, REACH_ELBOW_DEG = 80.0, 5.0  # the right arm stretched out to a prop
SEATED_SHOULDER_DEG, SEATED_ELBOW_DEG = 30.0, 45.0  # hands resting on the thighs


def posture(mark: Mark, t_s: float) -> tuple[Joints, float]:
    """The joints at `t_s` and how far (metres at 1.75 m) the pelvis is in front of the mark."""
    sat, reach = seat_weight(mark, t_s), reach_weight(mark, t_s)
    theta = math.radians(90.0 * sat)
    shoulder, elbow = SEATED_SHOULDER_DEG * sat, SEATED_ELBOW_DEG * sat
    joints = Joints(
        hip=(90.0 * sat, 90.0 * sat),
        knee=(-90.0 * sat, -90.0 * sat),
        shoulder=(shoulder, shoulder + (REACH_SHOULDER_DEG - shoulder) * reach),
        elbow=(elbow, elbow + (REACH_ELBOW_DEG - elbow) * reach),
        drop=SIT_DROP * (1.0 - math.cos(theta)),
    )
    ahead = THIGH_M * (1.0 - math.sin(theta)) if has_seat(mark) else 0.0
    return joints, ahead


def gesturing_figure(rig: FigureRig, mark: Mark, t_s: float) -> Figure:
    """The figure on `mark` as its gestures pose it `t_s` seconds into the shot (without its seat)."""
    joints, ahead = posture(mark, t_s)
    forward = facing_vector(mark.facing_deg) * ahead * rig.height / REFERENCE_HEIGHT_M
    figure = rig.figure(mark.x + float(forward[0]), mark.z + float(forward[2]), mark.facing_deg, joints)
    return replace(figure, seated=seat_weight(mark, t_s) > 0.5)


def seat_mesh(rig: FigureRig, mark: Mark) -> np.ndarray:
    """The seat a gesturing figure sits on, at its mark: part of the set for the whole shot."""
    return transform(rig.seat, yaw_matrix(mark.facing_deg), (mark.x, 0.0, mark.z), rig.height / REFERENCE_HEIGHT_M)


def head_drop(mark: Mark, t_s: float, height_m: float) -> float:
    """How far (m) the head is below its standing height at `t_s`: the pelvis's drop, scaled to the figure."""
    theta = math.radians(90.0 * seat_weight(mark, t_s))
    return SIT_DROP * (1.0 - math.cos(theta)) * height_m / REFERENCE_HEIGHT_M
