"""Place the camera for a CameraSpec: distance from the lens and the scale, angle, side of the line, lead room.

The distance makes the frame height at the subject equal SCALE_FRAME_FIGURE_RATIO[scale] × the figure's height,
for the lens's vertical field of view (36 mm wide full-frame sensor, vertical from the picture's aspect).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import SCALE_FRAME_FIGURE_RATIO, Angle, CameraSpec, Movement, ShotScale
from .camera import CameraPose, rotate, tan_half_vfov, unit
from .figures import REFERENCE_HEIGHT_M, SHOULDER_HALF_WIDTH_RATIO, SHOULDER_HEIGHT_RATIO
from .subjects import Subject

Y = np.array([0.0, 1.0, 0.0])
SINGLE_OFF_EYELINE_DEG = 30.0  # a single sits this far off the subject's eyeline, on the camera's side
ELEVATION_DEG = {Angle.HIGH: 25.0, Angle.LOW: -20.0, Angle.WORMS_EYE: -55.0, Angle.OVERHEAD: 89.0}
INSERT_ELEVATION_DEG = 40.0
DEFAULT_DUTCH_DEG = 15.0
MIN_CAMERA_Y = 0.12


@dataclass(frozen=True)
class Framing:
    pose: CameraPose
    pivot: np.ndarray  # the framed point: moves orbit it, dolly zooms keep it the same size
    distance: float
    frame_height_m: float


def _toward_side(candidates: list[np.ndarray], side_dir: np.ndarray) -> np.ndarray:
    return max(candidates, key=lambda v: float(np.dot(v, side_dir)))


def _centre_y(scale: ShotScale, eye_y: float, frame_h: float) -> float:
    if scale == ShotScale.ECU:
        return eye_y  # the eyes across the middle of the frame
    third = eye_y - frame_h / 6.0  # eyes on the upper third line
    if scale in (ShotScale.WS, ShotScale.EWS):
        return min(third, frame_h / 2.0 - 0.08)  # keep the feet in
    return third


def frame_camera(
    spec: CameraSpec,
    subjects: list[Subject],
    shoulder: Subject | None,
    set_center: tuple[float, float],
    aspect: float,
) -> Framing:
    """The planned camera (middle of any move) for `subjects`, past `shoulder` for an over-the-shoulder."""
    tan_v = tan_half_vfov(spec.lens_mm, aspect)
    tan_h = tan_v * aspect
    ratio = SCALE_FRAME_FIGURE_RATIO[spec.scale]
    side_dir = np.array([0.0, 0.0, -float(spec.line_side)])  # from the action toward the camera side
    ots = shoulder
    framed = [s for s in subjects if ots is None or s.name != ots.name]
    elevation: float | None = ELEVATION_DEG.get(spec.angle)
    lead = 0.0

    if framed and framed[0].is_prop:
        prop = framed[0]
        frame_h = max(prop.height * 2.5 * ratio / SCALE_FRAME_FIGURE_RATIO[ShotScale.CU], prop.height * 1.3)
        pivot = prop.position + Y * prop.eye_y
        direction = side_dir
        if spec.angle in (Angle.EYE_LEVEL, Angle.DUTCH):
            elevation = INSERT_ELEVATION_DEG
        eye_y = pivot[1]
    else:
        people = framed or []
        height = max((s.height for s in people), default=REFERENCE_HEIGHT_M)
        frame_h = ratio * height
        eye_y = max((s.eye_y for s in people), default=REFERENCE_HEIGHT_M * 0.946)
        if not people:
            ground = np.array([set_center[0], 0.0, set_center[1]])
            direction = side_dir
        elif len(people) == 1 and ots is None:
            s = people[0]
            ground = s.position
            assert s.facing is not None
            lead = 1.0
            if s.travel is not None:  # a walker is seen from the side of its path, never from in its way
                direction = _toward_side([np.cross(Y, s.travel), -np.cross(Y, s.travel)], side_dir)
                # Lead room only for a camera that travels with it; a still frame centres the walk it watches.
                lead = 1.0 if spec.movement == Movement.TRACKING else 0.0
            else:
                direction = _toward_side(
                    [rotate(s.facing, Y, a) for a in (SINGLE_OFF_EYELINE_DEG, -SINGLE_OFF_EYELINE_DEG)], side_dir
                )
        else:
            pts = np.array([s.position for s in people])
            ground = pts.mean(axis=0)
            if len(people) > 1:
                span_dir = pts[-1] - pts[0]
                span_dir = unit(span_dir) if np.linalg.norm(span_dir) > 1e-6 else np.array([1.0, 0.0, 0.0])
                direction = _toward_side([np.cross(Y, span_dir), -np.cross(Y, span_dir)], side_dir)
            else:
                direction = side_dir
        pivot = ground + Y * _centre_y(spec.scale, eye_y, frame_h)

    distance = frame_h / (2.0 * tan_v)
    if len(framed) > 1:  # a two-shot (or more) must also fit everyone across the frame
        right = np.cross(Y, -direction)
        xs = [float(np.dot(s.position, right)) for s in framed]
        # Shoulders and arms of the outer figures, plus a little air beyond them.
        width_needed = max(xs) - min(xs) + 2 * (SHOULDER_HALF_WIDTH_RATIO + 0.22) * max(s.height for s in framed)
        distance = max(distance, width_needed / (2.0 * tan_h))
    if ots is not None:
        direction, distance, eye_y = _over_shoulder(framed[0], ots, pivot, side_dir, distance, tan_h)

    target = pivot.copy()
    if elevation is None:  # eye level: camera at the subject's eye height, aimed at the framed point
        horiz = distance * direction
        position = target + horiz
        position[1] = eye_y
    else:
        e = np.radians(elevation)
        position = target + distance * (direction * np.cos(e) + Y * np.sin(e))
    position[1] = max(position[1], MIN_CAMERA_Y)

    forward = unit(target - position)
    up = -direction if abs(np.dot(forward, Y)) > 0.98 else Y  # overhead: the far side of the action at the top
    right = unit(np.cross(up, forward))
    if lead and framed and framed[0].facing is not None:
        # Lead room: shift the rig toward where the subject looks, so they sit off-centre facing into the space.
        look = float(np.dot(framed[0].facing, right))
        shift = right * look * (frame_h * aspect) / 4.0
        position, target = position + shift, target + shift
    roll = spec.dutch_deg
    if spec.angle == Angle.DUTCH and roll == 0.0:
        roll = DEFAULT_DUTCH_DEG
    if roll:
        up = rotate(up, forward, roll)
    pose = CameraPose(position=position, target=target, up=up, lens_mm=spec.lens_mm)
    return Framing(pose=pose, pivot=pivot, distance=float(np.linalg.norm(target - position)), frame_height_m=frame_h)


def _over_shoulder(
    subject: Subject, fg: Subject, target: np.ndarray, side_dir: np.ndarray, distance: float, tan_h: float
) -> tuple[np.ndarray, float, float]:
    """Direction from the subject, distance and camera height that put the foreground character's shoulder
    line at the frame's edge (about 70 % out from the centre) on the camera's side of the line."""
    to_fg = fg.position - subject.position
    gap = float(np.linalg.norm(to_fg))
    base = unit(to_fg) if gap > 1e-6 else side_dir
    distance = max(distance, gap + 0.75)
    cam_y = fg.eye_y - 0.08  # between shoulder and eyes: the shoulder and the back of the head read
    if subject.seated:  # past a standing shoulder onto a seated face: rise to look down past the head
        cam_y += 0.5 * max(0.0, fg.eye_y - subject.eye_y)
    neck = fg.position + Y * (fg.height * SHOULDER_HEIGHT_RATIO)
    sign = 1.0 if np.dot(rotate(base, Y, 10.0), side_dir) >= np.dot(rotate(base, Y, -10.0), side_dir) else -1.0
    best, best_err = rotate(base, Y, sign * 20.0), np.inf
    for deg in np.arange(0.0, 60.0, 1.0):
        direction = rotate(base, Y, sign * deg)
        cam = subject.position + direction * distance
        cam[1] = cam_y
        fwd = unit(target - cam)
        rel = neck - cam
        depth = float(np.dot(rel, fwd))
        if depth <= 0.15:
            continue
        x_ndc = abs(float(np.dot(rel, np.cross(Y, fwd)))) / (depth * tan_h)
        if abs(x_ndc - 0.72) < best_err:
            best, best_err = direction, abs(x_ndc - 0.72)
    return best, distance, cam_y
