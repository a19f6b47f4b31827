"""Resolve a camera spec's subject names against the scene, and reject specs no camera can satisfy."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from ..errors import PlanError
from ..model import CastMember, SceneBlock, Shot, ShotScale
from .blocking import Motion, staged_scene
from .figures import EYE_HEIGHT_RATIO, SEATED_EYE_HEIGHT_RATIO, facing_vector
from .gesture_timing import seat_weight
from .sets import prop_top

MAX_LENS_MM = 1200.0


@dataclass(frozen=True)
class Subject:
    name: str
    position: np.ndarray  # x, 0, z on the ground
    height: float  # figure height, or a prop's size
    facing: np.ndarray | None  # None for props
    is_prop: bool = False
    seated: bool = False
    travel: np.ndarray | None = None  # unit ground direction of a walking character, at the framed moment

    @property
    def eye_y(self) -> float:
        if self.is_prop:
            return prop_top(self.height)
        return self.height * (SEATED_EYE_HEIGHT_RATIO if self.seated else EYE_HEIGHT_RATIO)


def cast_member(name: str, cast: dict[str, CastMember]) -> CastMember:
    """The cast's look for `name`, or a plain stand-in (distinct per name) when the plan has none."""
    if name in cast:
        return cast[name]
    h = zlib.crc32(name.encode())
    hue = np.array([(h >> s) & 0xFF for s in (0, 8, 16)]) / 255.0
    return CastMember(
        name=name,
        shirt=tuple(float(v) for v in 0.25 + 0.5 * hue),
        trousers=(0.2, 0.22, 0.3),
        skin=(0.85, 0.66, 0.52),
        hair=(0.2, 0.14, 0.1),
    )


def resolve(name: str, scene: SceneBlock, cast: dict[str, CastMember], shot_id: str, t_s: float = 0.0) -> Subject:
    """The subject `name` as it is `t_s` seconds into the shot (a walking character is where its path has got)."""
    if name in scene.marks:
        m = scene.marks[name]
        height = cast_member(name, cast).height_m
        motion = Motion(m, height / 1.75)
        st = motion.at(t_s)
        return Subject(
            name,
            np.array([st.x, 0.0, st.z]),
            height,
            facing_vector(st.facing_deg),
            seated=seat_weight(m, t_s) > 0.5,
            travel=motion.travel_direction(t_s),
        )
    for prop in scene.props:
        if prop.name == name:
            return Subject(name, np.array([prop.x, 0.0, prop.z]), prop.size, None, is_prop=True)
    known = ", ".join([*scene.marks, *(p.name for p in scene.props)]) or "none"
    raise PlanError(
        f"shot {shot_id}: subject '{name}' is neither a character with a mark nor a prop of scene {scene.index} "
        f"(known: {known}); fix the camera spec's subjects"
    )


def check_camera(shot: Shot, scene: SceneBlock, cast: dict[str, CastMember]) -> tuple[list[Subject], Subject | None]:
    """Raise a one-line PlanError for a spec no camera can satisfy; else the framed subjects and the
    foreground character of an over-the-shoulder (or None), where they are in the middle of the shot (the
    planned composition) under the shot's own blocking."""
    scene = staged_scene(shot, scene)
    mid = shot.duration_s / 2.0
    cam = shot.camera
    if not 0.0 < cam.lens_mm <= MAX_LENS_MM:
        raise PlanError(
            f"shot {shot.id}: lens {cam.lens_mm} mm is outside (0, {MAX_LENS_MM:g}] mm; set a real focal length"
        )
    if cam.scale == ShotScale.ECU and len(cam.subjects) > 1:
        raise PlanError(
            f"shot {shot.id}: an extreme close-up frames one subject's eyes, not {len(cam.subjects)} "
            f"({', '.join(cam.subjects)}); use one subject or a wider scale"
        )
    if shot.duration_s <= 0:
        raise PlanError(f"shot {shot.id}: duration {shot.duration_s} s must be positive")
    subjects = [resolve(n, scene, cast, shot.id, mid) for n in cam.subjects]
    if len([s for s in subjects if s.is_prop]) > 1 or (any(s.is_prop for s in subjects) and len(subjects) > 1):
        raise PlanError(f"shot {shot.id}: an insert frames exactly one prop, got {', '.join(cam.subjects)}")
    if cam.over_shoulder_of is None:
        return subjects, None
    if cam.over_shoulder_of not in scene.marks:
        raise PlanError(
            f"shot {shot.id}: over-the-shoulder character '{cam.over_shoulder_of}' has no mark in scene "
            f"{scene.index}; name a character of the scene or drop over_shoulder_of"
        )
    framed = [s for s in subjects if s.name != cam.over_shoulder_of]
    if not framed or framed[0].is_prop:
        raise PlanError(
            f"shot {shot.id}: over the shoulder of '{cam.over_shoulder_of}' needs another character to frame"
        )
    return framed, resolve(cam.over_shoulder_of, scene, cast, shot.id, mid)
