"""Film one shot: frame the camera, move it over time, render each frame, stream it to the encoder.

Ground truth is measured, not claimed: each frame's camera and every visible character's box come from
projecting the figure's own vertices with the matrices the frame was drawn with; on the first, middle and last
frame, each character's `visible` is the fraction of its pixels the frame shows, from the renderer's ID pass
(so a wall or another actor in front of it counts).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import write_text_atomic
from ..errors import PlanError
from ..model import Mark, Movement, ShotScale
from ..model.shot_request import ShotRequest
from .action_line import MoveSpan, shot_line, span_on_side
from .blocking import Motion, staged_scene
from .body_events import body_events
from .camera import CameraPose
from .encode import ClipEncoder
from .footfalls import foot_contacts
from .framing import Framing, frame_camera
from .gestures import head_drop
from .moves import pose_at, pose_at_progress
from .renderer import SceneRenderer, World, scene_renderer
from .subjects import check_camera

TILT_WITH_SCALES = (ShotScale.MS, ShotScale.MCU, ShotScale.CU, ShotScale.ECU)  # a sitting head would leave these


@dataclass
class Timings:
    """Seconds spent per part, to report render and encode speed separately: wall clock, and CPU time of the
    whole process (all threads), which is what one dedicated core would need even on a busy machine."""

    render_s: float = 0.0
    encode_s: float = 0.0
    render_cpu_s: float = 0.0
    encode_cpu_s: float = 0.0
    frames: int = 0


class ShotSession:
    """A shot ready to render: its framing, its renderer, and the camera at any time."""

    def __init__(self, request: ShotRequest) -> None:
        self.request = request
        shot, s = request.shot, request.settings
        scene = staged_scene(shot, request.scene)
        subjects, shoulder = check_camera(shot, scene, request.cast)
        self.frames = request.frames
        if self.frames < 1:
            raise PlanError(f"shot {shot.id}: {shot.duration_s} s at {s.fps} fps is no frame; make it longer")
        self.renderer: SceneRenderer = scene_renderer(
            request.scene, request.cast, s.width, s.height, s.draft, scene.marks
        )
        self.framing: Framing = frame_camera(
            shot.camera, subjects, shoulder, self.renderer.world.set.center, s.width / s.height
        )
        # The move, kept on the camera's side of the 180° line for the whole take (slid or shortened if need be).
        line = shot_line(shot, scene, request.cast, subjects, shoulder)
        self.span: MoveSpan = span_on_side(
            line, lambda p: pose_at_progress(self.framing, shot.camera, p, shot.duration_s / 2.0, request.seed)
        )
        # A tracking camera rides alongside the first framed character when that character walks.
        self.followed: Motion | None = None
        lead = subjects[0].name if subjects and not subjects[0].is_prop else None
        if shot.camera.movement == Movement.TRACKING and lead in scene.marks:
            motion = Motion(scene.marks[lead])
            self.followed = motion if motion.moves else None
        # A close shot of someone sitting down or standing up: the camera tilts with the head, as an operator does
        # (a wide shot shows the whole motion as it is).
        self.tilts_with: tuple[Mark, float] | None = None
        if lead is not None and self.followed is None and shot.camera.scale in TILT_WITH_SCALES:
            mark = scene.marks[lead]
            if any(g.kind != "handle" for g in mark.gestures):
                self.tilts_with = (mark, subjects[0].height)
        self.focus_m = self._focus_distance(subjects)

    def _focus_distance(self, subjects: list[Any]) -> float:
        """The spec's focus distance, else the distance from the planned camera to the first subject's eyes."""
        cam = self.request.shot.camera
        if cam.focus_distance_m is not None:
            return cam.focus_distance_m
        if not subjects:
            return self.framing.distance
        eyes = subjects[0].position + np.array([0.0, subjects[0].eye_y, 0.0])
        return float(np.dot(eyes - self.framing.pose.position, self.framing.pose.forward))

    def pose(self, t_s: float) -> CameraPose:
        r = self.request
        if self.followed is not None:
            # Follow: the whole rig shifts with the walker, so it holds its place in frame and the set flows by.
            mid = self.followed.at(r.shot.duration_s / 2.0)
            now = self.followed.at(t_s)
            offset = np.array([now.x - mid.x, 0.0, now.z - mid.z])
            p = self.framing.pose
            return CameraPose(position=p.position + offset, target=p.target + offset, up=p.up, lens_mm=p.lens_mm)
        pose = pose_at(self.framing, r.shot.camera, t_s, r.shot.duration_s, r.seed, self.span)
        if self.tilts_with is not None:
            mark, height = self.tilts_with
            lower = head_drop(mark, t_s, height) - head_drop(mark, r.shot.duration_s / 2.0, height)
            pose = replace(pose, target=pose.target - np.array([0.0, lower, 0.0]))
        return pose

    def render(self, index: int, pose: CameraPose) -> np.ndarray:
        """Frame `index` drawn from `pose`, with the spec's depth of field (skipped in draft)."""
        cam, s = self.request.shot.camera, self.request.settings
        aperture = None if s.draft else cam.aperture
        return self.renderer.render(pose, self.time_of(index), self.focus_m, aperture)

    def time_of(self, index: int) -> float:
        return index / self.request.settings.fps

    def ground_truth(self, index: int, pose: CameraPose) -> dict[str, Any]:
        s = self.request.settings
        t = self.time_of(index)
        characters = character_boxes(self.renderer.world, pose, s.width, s.height, t)
        if index in self.visibility_frames:
            # Occlusion-aware: the share of each character's pixels the frame shows (the ID pass), not the box.
            shown = self.renderer.visibility(pose, t)
            for name, entry in characters.items():
                entry["visible"] = shown.get(name, 0.0)
        return {"index": index, "t": round(t, 5), "camera": pose.to_json(), "characters": characters}

    @property
    def visibility_frames(self) -> set[int]:
        """The frames whose ground truth measures visibility: first, middle and last (the pass is not free)."""
        return {0, self.frames // 2, self.frames - 1}


def _box(
    points: np.ndarray, pose: CameraPose, width: int, height: int, view_projection: np.ndarray
) -> tuple[list[float], list[float]] | None:
    px = pose.project(points, width, height, view_projection)
    if len(px) == 0:
        return None
    x0, y0 = px.min(axis=0)
    x1, y1 = px.max(axis=0)
    full = [round(float(v), 2) for v in (x0, y0, x1, y1)]
    vis = [max(x0, 0.0), max(y0, 0.0), min(x1, float(width)), min(y1, float(height))]
    if vis[0] >= vis[2] or vis[1] >= vis[3]:
        return None
    return full, [round(float(v), 2) for v in vis]


def character_boxes(
    world: World, pose: CameraPose, width: int, height: int, t_s: float = 0.0
) -> dict[str, dict[str, Any]]:
    """Pixel boxes [x0, y0, x1, y1] (y down) of each character in view `t_s` seconds into the shot: whole
    figure and head, unclipped and clipped; and `look_x`, how far the character faces toward screen right
    (1) or left (-1) — its facing on the camera's right axis, the axis pixel x grows along."""
    out: dict[str, dict[str, Any]] = {}
    view_projection = pose.view_projection(width / height)
    right = pose.right
    for name, fig in world.figures_at(t_s).items():
        # A walker is a new mesh every frame: finding its distinct corners would cost more than projecting it all.
        walks = name in world.walkers
        body = _box(fig.body_points if walks else fig.body_corners, pose, width, height, view_projection)
        if body is None:
            continue
        head = _box(fig.head_points if walks else fig.head_corners, pose, width, height, view_projection)
        out[name] = {
            "box": body[0],
            "box_visible": body[1],
            "head": head[0] if head else None,
            "head_visible": head[1] if head else None,
            "look_x": round(float(np.dot(fig.facing, right)), 3),
        }
    return out


def shoot_shot(
    request: ShotRequest, clip_path: Path, ground_truth_path: Path | None = None, *, background_encode: bool = False
) -> Timings:
    """Render and encode the shot (or its `request.part`) frame by frame; write ground truth JSON when a path is
    given. `background_encode` encodes on a second thread while the next frame renders (see `ClipEncoder`)."""
    session = ShotSession(request)
    s = request.settings
    first, end = request.part or (0, session.frames)
    if not 0 <= first < end <= session.frames:
        raise PlanError(f"shot {request.shot.id}: frames [{first}, {end}) are not a part of its {session.frames}")
    timings = Timings()
    truth: list[dict[str, Any]] = []
    with ClipEncoder(clip_path, s.width, s.height, s.fps, background=background_encode) as encoder:
        cpu_start = time.process_time()
        for i in range(first, end):
            t0 = time.perf_counter()
            pose = session.pose(session.time_of(i))
            frame = session.render(i, pose)
            timings.render_s += time.perf_counter() - t0
            encoder.write(frame)
            if ground_truth_path is not None:
                truth.append(session.ground_truth(i, pose))
    timings.frames = encoder.frames
    timings.encode_s, timings.encode_cpu_s = encoder.encode_s, encoder.encode_cpu_s
    # Process CPU time covers every thread (the GL driver's too); the encoder's own share is known.
    timings.render_cpu_s = time.process_time() - cpu_start - encoder.encode_cpu_s
    if ground_truth_path is not None:
        doc = {
            "shot_id": request.shot.id,
            "fps": s.fps,
            "width": s.width,
            "height": s.height,
            "frame_count": session.frames,
            "scale": str(request.shot.camera.scale),
            "subjects": list(request.shot.camera.subjects),
            "foot_contacts": [c.to_json() for c in foot_contacts(request.shot, request.scene, request.cast)],
            "body_events": [e.to_json() for e in body_events(request.shot, request.scene, request.cast)],
            "frames": truth,
        }
        write_text_atomic(ground_truth_path, json.dumps(doc))  # a stopped run leaves the old file or the new one
    return timings


def render_still(request: ShotRequest, t: float) -> np.ndarray:
    """One frame of the shot at `t` seconds (clamped to the shot), H×W×3 uint8, top row first."""
    session = ShotSession(request)
    t = min(max(t, 0.0), request.shot.duration_s)
    cam = request.shot.camera
    aperture = None if request.settings.draft else cam.aperture
    return session.renderer.render(session.pose(t), t, session.focus_m, aperture).copy()
