"""Human figures: proportioned from boxes, capsules and ellipsoids, coloured by the cast, with a readable face.

Built in a local frame (feet at the origin, forward = -z) for a 1.75 m adult, scaled to `height_m`, then turned
to the mark's facing. Proportions follow the usual eight-heads canon closely enough for shot scales to read.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from ..model import CastMember, Mark
from .geometry import Material, box, capsule, cylinder, ellipsoid, merge, sphere, squash, transform, yaw_matrix

REFERENCE_HEIGHT_M = 1.75
EYE_HEIGHT_RATIO = 1.655 / REFERENCE_HEIGHT_M
SHOULDER_HALF_WIDTH_RATIO = 0.21 / REFERENCE_HEIGHT_M
SHOULDER_HEIGHT_RATIO = 1.42 / REFERENCE_HEIGHT_M

_HEAD_C = np.array([0.0, 1.635, -0.005])
_HEAD_R = np.array([0.082, 0.112, 0.1])


@dataclass(frozen=True)
class Figure:
    name: str
    mesh: np.ndarray  # world-space vertices (see geometry.FLOATS_PER_VERTEX)
    body_points: np.ndarray  # (N, 3) world positions of the whole figure, for projected boxes
    head_points: np.ndarray  # (M, 3) world positions of head and hair
    position: np.ndarray  # feet, world
    facing: np.ndarray  # unit vector the figure looks along
    height: float

    @property
    def eye_height(self) -> float:
        return self.height * EYE_HEIGHT_RATIO


def facing_vector(facing_deg: float) -> np.ndarray:
    a = np.radians(facing_deg)
    return np.array([np.sin(a), 0.0, -np.cos(a)])


def _on_head(dx: float, dy: float, lift: float = 0.0) -> tuple[float, float, float]:
    """A point on the front of the head ellipsoid at offsets (dx, dy) from its centre, `lift` metres proud."""
    q = 1.0 - (dx / _HEAD_R[0]) ** 2 - (dy / _HEAD_R[1]) ** 2
    z = -_HEAD_R[2] * np.sqrt(max(q, 0.0))
    return (_HEAD_C[0] + dx, _HEAD_C[1] + dy, _HEAD_C[2] + z - lift)


def _face(cast: CastMember, seg: int) -> list[np.ndarray]:
    skin = np.asarray(cast.skin)
    hair = cast.hair
    small = max(5, seg // 2)
    parts = []
    for side in (-1.0, 1.0):
        eye = _on_head(side * 0.031, 0.02, -0.004)
        parts.append(sphere(eye, 0.0135, (0.95, 0.95, 0.93), Material.GLOSSY, small))
        pupil = _on_head(side * 0.031, 0.02, 0.007)
        parts.append(sphere(pupil, 0.0075, (0.06, 0.04, 0.03), Material.GLOSSY, small))
        brow = _on_head(side * 0.033, 0.045, 0.002)
        parts.append(box(brow, (0.036, 0.008, 0.01), hair, yaw_deg=-side * 12.0))
        ear = (_HEAD_C[0] + side * 0.08, _HEAD_C[1] + 0.005, _HEAD_C[2] + 0.005)
        parts.append(ellipsoid(ear, (0.014, 0.028, 0.018), skin * 0.92, Material.SKIN, small))
    nose_root, nose_tip = _on_head(0.0, 0.012, -0.01), _on_head(0.0, -0.018, 0.02)
    parts.append(cylinder(nose_root, nose_tip, 0.011, skin * 0.9, Material.SKIN, small, radius1=0.015))
    parts.append(box(_on_head(0.0, -0.05, 0.0), (0.042, 0.009, 0.012), (0.55, 0.18, 0.18)))
    return parts


def _hair(cast: CastMember, style: int, seg: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The cap on the skull (part of the head), and any hair that falls below it (long hair, a bun)."""
    r = _HEAD_R + 0.012
    centre = _HEAD_C + np.array([0.0, 0.008, 0.004])

    # Cap the top and back of the skull, leaving the face (front, -z) clear below the hairline.
    def keep(p: np.ndarray) -> np.ndarray:
        return (p[:, 1] > 0.42) | ((p[:, 2] > -0.1) & (p[:, 1] > -0.55 if style == 1 else p[:, 1] > -0.1))

    cap = ellipsoid(centre, r, cast.hair, Material.MATTE, seg, keep=keep)
    parts = []
    if style == 1:  # long hair falling behind the shoulders
        parts.append(ellipsoid((0.0, 1.53, 0.06), (0.1, 0.16, 0.06), cast.hair, Material.MATTE, seg))
    elif style == 2:  # a short bun
        parts.append(sphere((0.0, 1.7, 0.1), 0.045, cast.hair, Material.MATTE, seg))
    return cap, parts


def build_figure(cast: CastMember, mark: Mark, draft: bool = False) -> Figure:
    # Triangle counts matter more than pixels on a CPU rasteriser: ~1.8k triangles per figure (1.1k in draft).
    seg = 8 if draft else 11
    limb = 6 if draft else 8
    style = zlib.crc32(cast.name.encode()) % 3
    build = 1.0 + ((zlib.crc32(cast.name.encode()) >> 4) % 5 - 2) * 0.04  # torso width varies per person
    shirt, trousers, skin = cast.shirt, cast.trousers, cast.skin
    shoes = tuple(0.35 * c for c in trousers)
    w = 0.19 * build
    body: list[np.ndarray] = []
    for side in (-1.0, 1.0):
        hip, knee, ankle = (side * 0.1, 0.9, 0.0), (side * 0.1, 0.5, -0.01), (side * 0.1, 0.09, 0.0)
        body.append(capsule(hip, knee, 0.072, trousers, segments=limb))
        body.append(capsule(knee, ankle, 0.058, trousers, segments=limb))
        body.append(box((side * 0.1, 0.04, -0.04), (0.1, 0.08, 0.27), shoes, Material.GLOSSY))
        shoulder = (side * (w + 0.02), 1.42, 0.0)
        elbow, wrist = (side * (w + 0.05), 1.13, 0.02), (side * (w + 0.06), 0.86, -0.02)
        body.append(capsule(shoulder, elbow, 0.052, shirt, segments=limb))
        body.append(capsule(elbow, wrist, 0.045, shirt, segments=limb))
        body.append(ellipsoid((side * (w + 0.065), 0.8, -0.02), (0.03, 0.06, 0.045), skin, Material.SKIN, limb))
    body.append(box((0.0, 0.93, 0.0), (2 * w - 0.02, 0.16, 0.2), trousers))
    # Torso: a tapered cylinder (waist to chest) flattened front to back, with a rounded chest and belly.
    torso = cylinder((0.0, 0.92, 0.0), (0.0, 1.42, 0.0), w - 0.02, shirt, Material.MATTE, seg, radius1=w + 0.02)
    body.append(squash(torso, (0.0, 0.0, 0.0), (1.0, 1.0, 0.58)))
    body.append(ellipsoid((0.0, 1.3, 0.0), (w + 0.015, 0.13, 0.125), shirt, Material.MATTE, seg))
    body.append(capsule((-w, 1.4, 0.0), (w, 1.4, 0.0), 0.07, shirt, segments=limb))
    body.append(cylinder((0.0, 1.4, 0.0), (0.0, 1.56, 0.0), 0.048, skin, Material.SKIN, limb))
    head = [ellipsoid(_HEAD_C, _HEAD_R, skin, Material.SKIN, seg + 4)]
    head += _face(cast, seg)
    cap, falls = _hair(cast, style, seg + 4)
    head.append(cap)
    body += falls

    scale = cast.height_m / REFERENCE_HEIGHT_M
    rot = yaw_matrix(mark.facing_deg)
    offset = (mark.x, 0.0, mark.z)
    head_mesh = transform(merge(head), rot, offset, scale)
    body_mesh = transform(merge(body), rot, offset, scale)
    mesh = merge([body_mesh, head_mesh])
    return Figure(
        name=cast.name,
        mesh=mesh,
        body_points=mesh[:, 0:3].astype(np.float64),
        head_points=head_mesh[:, 0:3].astype(np.float64),
        position=np.array(offset),
        facing=facing_vector(mark.facing_deg),
        height=cast.height_m,
    )
