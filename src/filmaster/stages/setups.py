"""Distinct set-ups across every cut of a scene: no two consecutive shots filmed the same way, nor a jump.

Two consecutive shots with the same subjects, the same scale and the same angle cut between near-identical frames:
the cut is invisible, or reads as a jump. So does a cut between two shots of the same person at the same scale
from another kind of coverage: a single sits 30° off its subject's eyeline and an over-the-shoulder about 20°, a
wide and a two-shot of the same people differ by their framing only — on screen the same figure, the same size,
nearly the same place (the offline critic measures these as jump cuts). An editor needs the next set-up to differ:
a new subject, a scale at least one step away, or a new angle. When a planner leaves two such shots side by side,
the later one moves one scale step within what its coverage allows (tighter first, and not onto the next shot's
set-up), and failing that takes a high angle (a low one if it already looks down).
"""

from __future__ import annotations

import itertools

from ..model import Angle, CameraSpec, SceneBlock, Shot
from .coverage import RANK, SCALES, scale_range


def same_setup(a: Shot, b: Shot) -> bool:
    """Would a cut from `a` to `b` join two frames filmed the same way (same subjects, scale and angle)?"""
    ca, cb = a.camera, b.camera
    return set(ca.subjects) == set(cb.subjects) and ca.scale == cb.scale and ca.angle == cb.angle


def jumps(a: Shot, b: Shot) -> bool:
    """Would a cut from `a` to `b` show the same person at the same size (a jump, whatever the coverage)?"""
    ca, cb = a.camera, b.camera
    return ca.scale == cb.scale and bool(set(ca.subjects) & set(cb.subjects))


def too_alike(a: Shot, b: Shot) -> bool:
    """Would the cut from `a` to `b` be invisible or a jump?"""
    return same_setup(a, b) or jumps(a, b)


def repeated_setups(shots: list[Shot]) -> list[tuple[str, str]]:
    """The ids of every pair of consecutive shots filmed too alike (the same set-up, or a jump)."""
    return [(a.id, b.id) for a, b in itertools.pairwise(shots) if too_alike(a, b)]


def distinct_setups(scene: SceneBlock) -> SceneBlock:
    """The scene with every repeated set-up changed (see the module's docstring); the same scene if none is."""
    shots = list(scene.shots)
    for i in range(1, len(shots)):
        if too_alike(shots[i - 1], shots[i]):
            following = shots[i + 1] if i + 1 < len(shots) else None
            camera = _another_setup(shots[i], scene, following)
            shots[i] = shots[i].model_copy(update={"camera": camera, "prompt": retitle_prompt(shots[i].prompt, camera)})
    return scene if shots == scene.shots else scene.model_copy(update={"shots": shots})


def _another_setup(shot: Shot, scene: SceneBlock, following: Shot | None) -> CameraSpec:
    cam = shot.camera
    low, high = scale_range(shot, scene)
    rank = RANK[cam.scale]
    steps = [r for r in (rank + 1, rank - 1) if RANK[low] <= r <= RANK[high]]
    steps.sort(key=lambda r: following is not None and RANK[following.camera.scale] == r)  # stable: tighter first
    if steps:
        return cam.reframed(SCALES[steps[0]], cam.movement, cam.direction, cam.angle)
    angle = Angle.HIGH if cam.angle != Angle.HIGH else Angle.LOW
    # Only the angle changes: the shot keeps its lens.
    return cam.reframed(cam.scale, cam.movement, cam.direction, angle).model_copy(update={"lens_mm": cam.lens_mm})


def retitle_prompt(prompt: str, camera: CameraSpec) -> str:
    """The prompt with its leading camera sentence (as the breakdown writes it) replaced by the new spec."""
    head, sep, rest = prompt.partition("mm lens. ")
    if sep and "camera" in head and "." not in head:
        return f"{camera.sentence()} {rest}"
    return f"{camera.sentence()} {prompt}"
