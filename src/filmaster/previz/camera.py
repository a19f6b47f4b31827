"""A camera pose and its matrices, shared by the rasteriser and the ground-truth projection.

The world is the planner's: x to screen right from the default camera side, y up, z away from that camera
(a left-handed frame). The view matrix maps it to OpenGL's right-handed eye space, so "right" is up × forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

SENSOR_HALF_WIDTH_MM = 18.0  # full frame 36 mm wide; the vertical field follows from the frame's aspect
NEAR_M, FAR_M = 0.05, 600.0


def tan_half_vfov(lens_mm: float, aspect: float) -> float:
    return SENSOR_HALF_WIDTH_MM / lens_mm / aspect


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _frozen(v: np.ndarray) -> np.ndarray:
    v.setflags(write=False)  # a kept vector: changing it in place would change the pose
    return v


def rotate(v: np.ndarray, axis: np.ndarray, deg: float) -> np.ndarray:
    """Rodrigues rotation of `v` about the unit `axis` (right-hand rule in the math frame)."""
    a = np.radians(deg)
    k = unit(axis)
    return v * np.cos(a) + np.cross(k, v) * np.sin(a) + k * np.dot(k, v) * (1 - np.cos(a))


@dataclass(frozen=True)
class CameraPose:
    position: np.ndarray
    target: np.ndarray
    up: np.ndarray  # already rolled for a dutch angle
    lens_mm: float

    # Kept once worked out: every frame's matrices and ground truth read them several times (the pose is frozen).
    @cached_property
    def forward(self) -> np.ndarray:
        return _frozen(unit(self.target - self.position))

    @cached_property
    def right(self) -> np.ndarray:
        return _frozen(unit(np.cross(self.up, self.forward)))

    @property
    def true_up(self) -> np.ndarray:
        return np.cross(self.forward, self.right)

    def view_matrix(self) -> np.ndarray:
        f, r = self.forward, self.right
        u = np.cross(f, r)
        m = np.eye(4)
        m[0, :3], m[1, :3], m[2, :3] = r, u, -f
        m[:3, 3] = -m[:3, :3] @ self.position
        return m

    def projection_matrix(self, aspect: float) -> np.ndarray:
        t = tan_half_vfov(self.lens_mm, aspect)
        n, f = NEAR_M, FAR_M
        return np.array(
            [
                [1.0 / (t * aspect), 0.0, 0.0, 0.0],
                [0.0, 1.0 / t, 0.0, 0.0],
                [0.0, 0.0, (f + n) / (n - f), 2 * f * n / (n - f)],
                [0.0, 0.0, -1.0, 0.0],
            ]
        )

    def view_projection(self, aspect: float) -> np.ndarray:
        return self.projection_matrix(aspect) @ self.view_matrix()

    def project(
        self, points: np.ndarray, width: int, height: int, view_projection: np.ndarray | None = None
    ) -> np.ndarray:
        """Pixel coordinates (x right, y down from the top-left) of world points in front of the camera.
        Pass `view_projection` (for this frame's aspect) when projecting many point sets from one pose."""
        vp = self.view_projection(width / height) if view_projection is None else view_projection
        clip = points @ vp[:, :3].T + vp[:, 3]
        front = clip[:, 3] > NEAR_M
        clip = clip[front]
        ndc = clip[:, :3] / clip[:, 3:4]
        return np.column_stack(((ndc[:, 0] + 1) * 0.5 * width, (1 - ndc[:, 1]) * 0.5 * height))

    def to_json(self) -> dict[str, object]:
        return {
            "position": [round(float(v), 4) for v in self.position],
            "target": [round(float(v), 4) for v in self.target],
            "up": [round(float(v), 4) for v in self.true_up],
            "lens_mm": round(float(self.lens_mm), 3),
        }
