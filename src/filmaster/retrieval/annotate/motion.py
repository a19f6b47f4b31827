"""Camera movement of a shot from the global motion between consecutive frames.

Per frame pair: corners are tracked with pyramidal Lucas-Kanade and a 4-parameter similarity (shift, scale,
roll) is fitted with RANSAC, so people and cars moving through the frame are outliers and only the background's
motion, i.e. the camera's, remains. Per shot: the median per-frame motion (robust to the odd bad pair) gives
the sustained move; the wobble around it gives handheld.

Convention: values describe how the *image content* moves. A pan left makes the content move right (dx > 0),
a tilt up makes it move down (dy > 0), a zoom or dolly in makes it grow (scale > 0).

Without parallax analysis a truck looks like a pan, a pedestal like a tilt, and a dolly like a zoom; we report
pan, tilt and zoom (with direction), the optical description of what the frame does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import uniform_filter1d

from ...model.camera import Direction, Movement

MAX_CORNERS = 200
MIN_INLIERS = 12  # fewer tracked background points: the pair tells nothing (flat frame, blur, a cut)
RANSAC_PX = 1.0  # reprojection tolerance at analysis size

# Motion is measured between frames this far apart: a 5x longer baseline than consecutive frames lifts slow
# moves well above the tracker's noise, and costs a fifth of the tracking.
BASELINE_S = 0.2

# Thresholds, all per second so they hold at any frame rate; shifts in frame widths, zoom in log-scale.
# Measured on real clips: an actor leaning into a locked-off close-up biases the fit by up to ~0.03/s of
# zoom and ~0.02 of jitter, so the thresholds sit above that.
PAN_SPEED = 0.04  # sustained content speed: 4 % of the frame width per second (a slow, deliberate pan)
ZOOM_SPEED = 0.04  # sustained growth of 4 % per second
MIN_TRAVEL = 0.04  # and the whole shot must travel/grow at least this much, so a short nudge is not a move
HANDHELD_JITTER = 0.03  # robust std of the velocity, frame widths per second
HANDHELD_WANDER = 0.003  # RMS of the camera path around its ~1 s trend, frame widths: the hand's sway
SWAY_WINDOW_S = 1.2


@dataclass(frozen=True)
class PairMotion:
    """Global motion between two frames `frames` apart, in frame widths (dx, dy) and log-scale (ds)."""

    dx: float
    dy: float
    ds: float
    frames: int = 1


def ignore_mask(shape: tuple[int, int], regions: Sequence[tuple[int, int, int, int]]) -> np.ndarray | None:
    """A feature mask (255 = usable) that blanks the given (x, y, w, h) regions, e.g. where the actors are."""
    if not regions:
        return None
    mask = np.full(shape, 255, dtype=np.uint8)
    for x, y, w, h in regions:
        mask[max(0, y) : max(0, y + h), max(0, x) : max(0, x + w)] = 0
    return mask


def estimate_motion(
    prev: np.ndarray, cur: np.ndarray, mask: np.ndarray | None = None, span: int = 1
) -> PairMotion | None:
    """Global motion from `prev` to `cur` (grey, same size, `span` frames apart), from corners outside `mask`."""
    h, w = prev.shape
    corners = cv2.goodFeaturesToTrack(prev, MAX_CORNERS, qualityLevel=0.01, minDistance=max(4, w // 40), mask=mask)
    if corners is None or len(corners) < MIN_INLIERS:
        return None
    moved, status, _err = cv2.calcOpticalFlowPyrLK(prev, cur, corners, None, winSize=(21, 21), maxLevel=3)
    ok = status.ravel() == 1
    if ok.sum() < MIN_INLIERS:
        return None
    src, dst = corners[ok].reshape(-1, 2), moved[ok].reshape(-1, 2)
    model, inliers = cv2.estimateAffinePartial2D(
        src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX, maxIters=500, confidence=0.99
    )
    if model is None or inliers is None or int(inliers.sum()) < MIN_INLIERS:
        return None
    scale = float(np.hypot(model[0, 0], model[1, 0]))
    # Motion of the frame centre: a zoom about the centre leaves it in place, so this is the pan/tilt part.
    centre = np.array([w / 2.0, h / 2.0, 1.0])
    shift = model @ centre - centre[:2]
    return PairMotion(dx=float(shift[0]) / w, dy=float(shift[1]) / w, ds=float(np.log(max(scale, 1e-6))), frames=span)


@dataclass(frozen=True)
class ShotMotion:
    movement: Movement
    direction: Direction | None
    speed_x: float  # median content speed, frame widths per second (+ right)
    speed_y: float  # (+ down)
    zoom_rate: float  # median log-scale change per second (+ growing)
    jitter: float  # robust std of the velocity, frame widths per second
    wander: float  # RMS of the camera path around its slow trend, frame widths
    measured_pairs: int


def classify_motion(pairs: list[PairMotion], fps: float) -> ShotMotion:
    """Label a shot from the motions of its frame pairs (those that could be measured), in shot order."""
    if len(pairs) < 2:
        return ShotMotion(Movement.STATIC, None, 0.0, 0.0, 0.0, 0.0, 0.0, len(pairs))
    m = np.array([(p.dx, p.dy, p.ds) for p in pairs])
    spans = np.array([p.frames for p in pairs], dtype=float)[:, None]
    rates = m / spans * fps  # per second
    vx, vy, vz = (float(v) for v in np.median(rates, axis=0))
    travel = np.abs(m.sum(axis=0))
    mad = np.median(np.abs(rates[:, :2] - np.median(rates[:, :2], axis=0)), axis=0) * 1.4826
    jitter = float(np.hypot(*mad))
    wander = _sway(np.cumsum(m[:, :2], axis=0), window=max(3, round(SWAY_WINDOW_S * fps / float(spans.mean()))))

    # Each candidate move scored as a multiple of its threshold; the strongest one above 1 wins.
    candidates: list[tuple[float, Movement, Direction | None]] = [(1.0, Movement.STATIC, None)]
    if travel[0] >= MIN_TRAVEL:
        candidates.append((abs(vx) / PAN_SPEED, Movement.PAN, "left" if vx > 0 else "right"))
    if travel[1] >= MIN_TRAVEL:
        candidates.append((abs(vy) / PAN_SPEED, Movement.TILT, "up" if vy > 0 else "down"))
    if travel[2] >= MIN_TRAVEL:
        candidates.append((abs(vz) / ZOOM_SPEED, Movement.ZOOM, "in" if vz > 0 else "out"))
    _strength, movement, direction = max(candidates, key=lambda c: c[0])
    if movement is Movement.STATIC and jitter >= HANDHELD_JITTER and wander >= HANDHELD_WANDER:
        movement = Movement.HANDHELD
    return ShotMotion(movement, direction, vx, vy, vz, jitter, wander, len(pairs))


def _sway(path: np.ndarray, window: int) -> float:
    """RMS of the camera path around its slow trend: what is left is the back-and-forth of a hand."""
    if len(path) > window:
        trend = uniform_filter1d(path, window, axis=0, mode="nearest")
    else:  # too short for a moving average: remove a straight line
        t = np.arange(len(path), dtype=float)
        trend = np.stack([np.polyval(np.polyfit(t, path[:, k], 1), t) for k in range(2)], axis=1)
    return float(np.sqrt(np.mean(np.sum((path - trend) ** 2, axis=1))))
