"""Human figures: proportioned from boxes, capsules and ellipsoids, coloured by the cast, with a readable face.

Built in a local frame (feet at the origin, forward = -z) for a 1.75 m adult, scaled to `height_m`, then turned
to the mark's facing. Proportions follow the usual eight-heads canon closely enough for shot scales to read.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..model import CastMember, Mark
from .geometry import Material, box, capsule, cylinder, ellipsoid, merge, sphere, squash, transform, yaw_matrix
from .references import load_image, paint_front

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
    seated: bool = False

    @property
    def eye_height(self) -> float:
        return self.height * (SEATED_EYE_HEIGHT_RATIO if self.seated else EYE_HEIGHT_RATIO)

    # A figure that holds its mark is boxed every frame of a shot from the same points; its mesh repeats each
    # position about six times (triangles share corners), so the distinct ones are projected instead.
    @cached_property
    def body_corners(self) -> np.ndarray:
        return np.unique(self.body_points, axis=0)

    @cached_property
    def head_corners(self) -> np.ndarray:
        return np.unique(self.head_points, axis=0)


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


SEAT_HIP_Y = 0.47  # hip joint height of a seated 1.75 m adult (a 45 cm seat)
_HIP_Y = 0.9
SIT_DROP = _HIP_Y - SEAT_HIP_Y  # how far the pelvis, torso and head come down when sitting
_KNEE_Y = 0.5
THIGH_M = _HIP_Y - _KNEE_Y  # hip to knee: a seated figure's feet are this far in front of its pelvis
SEATED_EYE_HEIGHT_RATIO = (1.655 - SIT_DROP) / REFERENCE_HEIGHT_M
_SEAT_COLOR = (0.36, 0.26, 0.18)


@dataclass(frozen=True)
class Joints:
    """Joint angles in degrees about the figure's left-right axis; positive swings a limb forward."""

    hip: tuple[float, float] = (0.0, 0.0)  # per side (left, right), thigh from the pelvis
    knee: tuple[float, float] = (0.0, 0.0)  # shin relative to the thigh (negative bends the knee)
    shoulder: tuple[float, float] = (0.0, 0.0)
    elbow: tuple[float, float] = (0.0, 0.0)  # forearm relative to the upper arm (positive bends it)
    drop: float = 0.0  # pelvis lowered by this much (metres at 1.75 m)
    bob: float = 0.0  # the whole body raised by this much (the rise and fall of a walk)


STAND = Joints()
SIT = Joints(hip=(90.0, 90.0), knee=(-90.0, -90.0), shoulder=(30.0, 30.0), elbow=(45.0, 45.0), drop=SIT_DROP)
WALK_HIP_DEG, WALK_KNEE_DEG, WALK_ARM_DEG, WALK_ELBOW_DEG, WALK_BOB_M = 24.0, 30.0, 20.0, 12.0, 0.025


def walk_joints(stride: float, swing: float) -> Joints:
    """The gait at `stride` cycles walked: legs swing in opposition, each arm with the opposite leg."""
    a = np.sin(2 * np.pi * stride)
    hips = (WALK_HIP_DEG * swing * a, -WALK_HIP_DEG * swing * a)
    # The knee bends while its leg swings through (the back half of the cycle for that leg).
    knees = tuple(-WALK_KNEE_DEG * swing * max(0.0, -np.cos(2 * np.pi * stride + ph)) for ph in (0.0, np.pi))
    arms = (-WALK_ARM_DEG * swing * a, WALK_ARM_DEG * swing * a)
    elbows = (WALK_ELBOW_DEG * swing, WALK_ELBOW_DEG * swing)
    bob = WALK_BOB_M * swing * abs(np.cos(2 * np.pi * stride))
    return Joints(hip=hips, knee=(knees[0], knees[1]), shoulder=arms, elbow=elbows, bob=float(bob))


def _rot_x(deg: float) -> np.ndarray:
    """Rotation about +x that swings local -y (down) toward local -z (forward) for positive angles."""
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


@dataclass(frozen=True)
class _Chain:
    """Two segments of a limb: the upper turns about `root`, the lower about `mid` (both local, standing)."""

    upper: np.ndarray
    lower: np.ndarray
    root: np.ndarray
    mid: np.ndarray


def _place(mesh: np.ndarray, rot: np.ndarray, pivot: np.ndarray, to: np.ndarray) -> np.ndarray:
    out = mesh.copy()
    out[:, 0:3] = (mesh[:, 0:3] - pivot) @ rot.T + to
    out[:, 3:6] = mesh[:, 3:6] @ rot.T
    return out


@dataclass(frozen=True)
class FigureRig:
    """A figure's parts in its local frame, posed per frame: a rigid core and four two-segment limbs."""

    name: str
    height: float
    core: np.ndarray  # torso and hair falls (moves with the pelvis)
    head: np.ndarray
    legs: tuple[_Chain, _Chain]
    arms: tuple[_Chain, _Chain]
    seat: np.ndarray  # drawn under a seated figure; not part of the figure's ground truth

    def local(self, joints: Joints) -> tuple[np.ndarray, np.ndarray]:
        """(body without head, head) meshes in the local frame for these joint angles."""
        lift = np.array([0.0, joints.bob - joints.drop, 0.0], dtype=np.float32)
        parts = [self.core.copy()]
        parts[0][:, 1] += lift[1]
        chains = [(c, joints.hip[i], joints.knee[i]) for i, c in enumerate(self.legs)]
        chains += [(c, joints.shoulder[i], joints.elbow[i]) for i, c in enumerate(self.arms)]
        for chain, upper_deg, lower_deg in chains:
            ru = _rot_x(upper_deg)
            root = chain.root + lift
            parts.append(_place(chain.upper, ru, chain.root, root))
            mid = root + ru @ (chain.mid - chain.root)
            parts.append(_place(chain.lower, ru @ _rot_x(lower_deg), chain.mid, mid))
        head = self.head.copy()
        head[:, 1] += lift[1]
        return merge(parts), head

    def figure(self, x: float, z: float, facing_deg: float, joints: Joints, seated: bool = False) -> Figure:
        body, head = self.local(joints)
        scale = self.height / REFERENCE_HEIGHT_M
        rot = yaw_matrix(facing_deg)
        offset = (x, 0.0, z)
        head_mesh = transform(head, rot, offset, scale)
        body_mesh = transform(body, rot, offset, scale)
        mesh = merge([body_mesh, head_mesh])
        points = mesh[:, 0:3].astype(np.float64)
        if seated:
            mesh = merge([mesh, transform(self.seat, rot, offset, scale)])
        return Figure(
            name=self.name,
            mesh=mesh,
            body_points=points,
            head_points=head_mesh[:, 0:3].astype(np.float64),
            position=np.array(offset),
            facing=facing_vector(facing_deg),
            height=self.height,
            seated=seated,
        )


def build_rig(cast: CastMember, draft: bool = False) -> FigureRig:
    # Triangle counts matter more than pixels on a CPU rasteriser: ~1.8k triangles per figure (1.1k in draft).
    seg = 8 if draft else 11
    limb = 6 if draft else 8
    style = zlib.crc32(cast.name.encode()) % 3
    build = 1.0 + ((zlib.crc32(cast.name.encode()) >> 4) % 5 - 2) * 0.04  # torso width varies per person
    shirt, trousers, skin = cast.shirt, cast.trousers, cast.skin
    shoes = tuple(0.35 * c for c in trousers)
    w = 0.19 * build
    legs, arms = [], []
    for side in (-1.0, 1.0):
        hip, knee, ankle = (side * 0.1, _HIP_Y, 0.0), (side * 0.1, _KNEE_Y, -0.01), (side * 0.1, 0.09, 0.0)
        thigh = capsule(hip, knee, 0.072, trousers, segments=limb)
        shin = merge(
            [
                capsule(knee, ankle, 0.058, trousers, segments=limb),
                box((side * 0.1, 0.04, -0.04), (0.1, 0.08, 0.27), shoes, Material.GLOSSY),
            ]
        )
        legs.append(_Chain(thigh, shin, np.array(hip, dtype=np.float32), np.array(knee, dtype=np.float32)))
        shoulder = (side * (w + 0.02), 1.42, 0.0)
        elbow, wrist = (side * (w + 0.05), 1.13, 0.02), (side * (w + 0.06), 0.86, -0.02)
        upper = capsule(shoulder, elbow, 0.052, shirt, segments=limb)
        fore = merge(
            [
                capsule(elbow, wrist, 0.045, shirt, segments=limb),
                ellipsoid((side * (w + 0.065), 0.8, -0.02), (0.03, 0.06, 0.045), skin, Material.SKIN, limb),
            ]
        )
        arms.append(_Chain(upper, fore, np.array(shoulder, dtype=np.float32), np.array(elbow, dtype=np.float32)))
    body: list[np.ndarray] = [box((0.0, 0.93, 0.0), (2 * w - 0.02, 0.16, 0.2), trousers)]
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
    core, head_mesh = merge(body), merge(head)
    if cast.reference_image:  # the character's picture on the front of its torso and face
        picture = load_image(cast.reference_image)
        core = paint_front(core, picture, (Material.MATTE,))
        head_mesh = paint_front(head_mesh, picture, (Material.SKIN,))
    seat_top = SEAT_HIP_Y - 0.075
    seat = merge(
        [
            box((0.0, seat_top / 2, 0.02), (0.46, seat_top, 0.44), _SEAT_COLOR),
            box((0.0, seat_top + 0.25, 0.22), (0.46, 0.5, 0.05), _SEAT_COLOR),
        ]
    )
    return FigureRig(
        name=cast.name,
        height=cast.height_m,
        core=core,
        head=head_mesh,
        legs=(legs[0], legs[1]),
        arms=(arms[0], arms[1]),
        seat=seat,
    )


def build_figure(cast: CastMember, mark: Mark, draft: bool = False) -> Figure:
    """The figure holding its mark: standing, or seated on a seat placed under it."""
    seated = mark.pose == "sit"
    return build_rig(cast, draft).figure(mark.x, mark.z, mark.facing_deg, SIT if seated else STAND, seated)
