"""Camera movement over a shot, eased in and out and centred on the planned framing.

A move runs from −½ to +½ of its amount around the framed pose, so the middle of the shot shows the planned
composition and scale. Directions follow the operator's view: "left" pans/trucks/arcs toward screen left.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..model import CameraSpec, Movement
from .action_line import FULL_MOVE, MoveSpan
from .camera import CameraPose, rotate, unit
from .framing import MIN_CAMERA_Y, Framing

Y = np.array([0.0, 1.0, 0.0])
DEFAULT_AMOUNT = {
    Movement.PAN: 20.0,  # degrees
    Movement.TILT: 12.0,  # degrees
    Movement.TRUCK: 1.0,  # metres
    Movement.PEDESTAL: 0.6,  # metres
    Movement.CRANE: 1.2,  # metres of rise
    Movement.ARC: 30.0,  # degrees
    Movement.TRACKING: 1.5,  # metres along the line
    Movement.ZOOM: 1.6,  # focal length factor
    Movement.DOLLY_ZOOM: 1.6,  # focal length (and distance) factor
}
DOLLY_FRACTION = 0.35  # of the camera-to-subject distance
NEGATIVE = {"left", "down", "out"}
# Handheld: a few slow sines per axis (0.3–1.5 Hz), amplitudes in metres and degrees.
SHAKE_POS_M, SHAKE_YAW_DEG, SHAKE_PITCH_DEG, SHAKE_ROLL_DEG = 0.012, 0.5, 0.4, 0.35


def ease(p: float) -> float:
    """Ease-in-out from 0 to 1."""
    p = min(max(p, 0.0), 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * p)


def _sign(spec: CameraSpec) -> float:
    return -1.0 if spec.direction in NEGATIVE else 1.0


def _amount(spec: CameraSpec, framing: Framing) -> float:
    if spec.amount > 0:
        return spec.amount
    if spec.movement in (Movement.DOLLY_IN, Movement.DOLLY_OUT):
        return DOLLY_FRACTION * framing.distance
    return DEFAULT_AMOUNT.get(spec.movement, 0.0)


def _turn(pose: CameraPose, axis: np.ndarray, deg: float) -> CameraPose:
    """Rotate the camera in place about `axis` through its position."""
    aim = rotate(pose.target - pose.position, axis, deg)
    return replace(pose, target=pose.position + aim, up=rotate(pose.up, axis, deg))


def _shift(pose: CameraPose, offset: np.ndarray) -> CameraPose:
    return replace(pose, position=pose.position + offset, target=pose.target + offset)


def handheld_offsets(t_s: float, seed: int) -> np.ndarray:
    """Six smooth shake channels (x, y, z metres; yaw, pitch, roll degrees) at time t, deterministic per seed."""
    rng = np.random.default_rng(seed + 7919)
    freqs = rng.uniform(0.3, 1.5, (6, 3))
    phases = rng.uniform(0.0, 2 * np.pi, (6, 3))
    weights = np.array([1.0, 0.6, 0.35])
    waves = (np.sin(2 * np.pi * freqs * t_s + phases) * weights).sum(axis=1) / weights.sum()
    amps = np.array([SHAKE_POS_M, SHAKE_POS_M, SHAKE_POS_M, SHAKE_YAW_DEG, SHAKE_PITCH_DEG, SHAKE_ROLL_DEG])
    return waves * amps


def pose_at(
    framing: Framing, spec: CameraSpec, t_s: float, duration_s: float, seed: int = 0, span: MoveSpan = FULL_MOVE
) -> CameraPose:
    """The camera at `t_s` seconds into the shot, the move run over `span` (the planned move by default)."""
    s = ease(t_s / duration_s if duration_s > 0 else 0.5) - 0.5  # −½ … +½
    return pose_at_progress(framing, spec, span.progress(s), t_s, seed)


def pose_at_progress(framing: Framing, spec: CameraSpec, s: float, t_s: float = 0.0, seed: int = 0) -> CameraPose:
    """The camera `s` of the way through its move (−½ … +½ for the planned move; 0 is the framed pose)."""
    pose = framing.pose
    k = _sign(spec) * _amount(spec, framing) * s
    mv = spec.movement
    if mv == Movement.PAN:
        pose = _turn(pose, Y, k)  # +yaw turns the view toward screen right
    elif mv == Movement.TILT:
        pose = _turn(pose, pose.right, -k)  # about "right", a negative angle lifts the view
    elif mv in (Movement.DOLLY_IN, Movement.DOLLY_OUT):
        toward = 1.0 if mv == Movement.DOLLY_IN else -1.0  # the movement names its own direction
        pose = _shift(pose, pose.forward * toward * _amount(spec, framing) * s)
    elif mv == Movement.TRUCK:
        pose = _shift(pose, pose.right * k)
    elif mv == Movement.PEDESTAL:
        pose = _shift(pose, Y * k)
    elif mv == Movement.CRANE:
        pose = replace(pose, position=pose.position + Y * k)  # rise while holding the subject: it tilts down
    elif mv == Movement.ARC:
        pose = _orbit(pose, framing.pivot, -k)
    elif mv == Movement.TRACKING:
        pose = _shift(pose, np.array([1.0, 0.0, 0.0]) * k)
    elif mv == Movement.ZOOM:
        pose = replace(pose, lens_mm=pose.lens_mm * _amount(spec, framing) ** (_sign(spec) * s))
    elif mv == Movement.DOLLY_ZOOM:
        # "in": the camera dollies in while zooming out; lens/distance stays fixed, so the subject holds its size.
        f = _amount(spec, framing) ** (_sign(spec) * s)
        d = framing.distance
        aim = unit(pose.target - pose.position)
        pose = replace(pose, position=pose.target - aim * (d / f), lens_mm=pose.lens_mm / f)
    elif mv == Movement.HANDHELD:
        pose = _shake(pose, t_s, seed)
    if pose.position[1] < MIN_CAMERA_Y:
        pose = replace(pose, position=np.array([pose.position[0], MIN_CAMERA_Y, pose.position[2]]))
    return pose


def _orbit(pose: CameraPose, pivot: np.ndarray, deg: float) -> CameraPose:
    centre = np.array([pivot[0], 0.0, pivot[2]])
    return replace(
        pose,
        position=centre + rotate(pose.position - centre, Y, deg),
        target=centre + rotate(pose.target - centre, Y, deg),
        up=rotate(pose.up, Y, deg),
    )


def _shake(pose: CameraPose, t_s: float, seed: int) -> CameraPose:
    x, y, z, yaw, pitch, roll = handheld_offsets(t_s, seed)
    pose = _shift(pose, pose.right * x + Y * y + pose.forward * z)
    pose = _turn(pose, Y, yaw)
    pose = _turn(pose, pose.right, pitch)
    return replace(pose, up=rotate(pose.up, pose.forward, roll))
