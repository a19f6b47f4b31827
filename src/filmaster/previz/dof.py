"""Depth of field as a post pass: each pixel blurred by its circle of confusion, computed from the depth buffer.

A full gather blur per pixel is far too slow on a CPU, so the frame is blurred a few times at growing radii
(the large ones at reduced size) and every pixel blends between the two levels that bracket its own radius.
"""

from __future__ import annotations

import cv2
import numpy as np

from .camera import FAR_M, NEAR_M, SENSOR_HALF_WIDTH_MM

LEVEL_RADII_PX = (0.0, 1.5, 3.0, 6.0, 12.0)  # at 960 px wide; scaled with the frame width


def linear_depth(depth: np.ndarray) -> np.ndarray:
    """Metres along the view axis from the depth buffer's [0, 1] values (OpenGL perspective projection)."""
    ndc = depth.astype(np.float32) * 2.0 - 1.0
    return 2.0 * FAR_M * NEAR_M / (FAR_M + NEAR_M - ndc * (FAR_M - NEAR_M))


def coc_radius_px(distance_m: np.ndarray, lens_mm: float, focus_m: float, f_number: float, width: int) -> np.ndarray:
    """Radius in pixels of the blur disc of points at `distance_m` (thin lens, full-frame 36 mm sensor)."""
    f = lens_mm / 1000.0
    focus = max(focus_m, f * 1.01)
    aperture = f / f_number
    coc_m = aperture * np.abs(distance_m - focus) / distance_m * f / (focus - f)
    return coc_m / (2 * SENSOR_HALF_WIDTH_MM / 1000.0) * width / 2.0


class DepthOfField:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.radii = np.array(LEVEL_RADII_PX) * width / 960.0

    def _blurred(self, image: np.ndarray, radius: float) -> np.ndarray:
        """A Gaussian blur of about `radius`/2 sigma, done at a reduced size for large radii (same look on a
        blurred image, a fraction of the work)."""
        shrink = max(1, int(radius // 3))
        if shrink == 1:
            return cv2.GaussianBlur(image, (0, 0), sigmaX=radius / 2.0)
        small = cv2.resize(image, (self.width // shrink, self.height // shrink), interpolation=cv2.INTER_AREA)
        small = cv2.GaussianBlur(small, (0, 0), sigmaX=radius / 2.0 / shrink)
        return cv2.resize(small, (self.width, self.height), interpolation=cv2.INTER_LINEAR)

    def apply(
        self, image: np.ndarray, depth: np.ndarray, lens_mm: float, focus_m: float, f_number: float
    ) -> np.ndarray:
        # The blur radius varies smoothly except at silhouettes: a half-resolution map of it is plenty.
        radius = coc_radius_px(linear_depth(depth[::2, ::2]), lens_mm, focus_m, f_number, self.width)
        level_of = np.interp(radius, self.radii, np.arange(len(self.radii))).astype(np.float32)
        level_of = cv2.resize(level_of, (self.width, self.height), interpolation=cv2.INTER_LINEAR)
        out = np.ascontiguousarray(image)
        # Lerp up the stack: after level i, a pixel whose level is in [i-1, i] holds its blend of the two.
        for i in range(1, int(np.ceil(level_of.max())) + 1):
            t = np.clip(level_of - (i - 1), 0.0, 1.0)
            out = cv2.blendLinear(out, self._blurred(image, float(self.radii[i])), 1.0 - t, t)
        return out
