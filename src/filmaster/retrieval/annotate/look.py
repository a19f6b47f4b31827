"""The look of a shot: brightness, contrast, colour temperature, and a colour histogram for scene grouping."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

# Rec. 709 luma weights on the (gamma-encoded) R, G, B values.
LUMA_BGR = np.array([0.0722, 0.7152, 0.2126], dtype=np.float32)
# Linear sRGB (D65) to CIE XYZ, rows X, Y, Z; columns R, G, B.
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]], dtype=np.float64)
LOOK_WIDTH = 160
HIST_BINS = (12, 4, 4)  # hue, saturation, value: coarse enough that framing changes within a place barely move it
CCT_RANGE_K = (1500.0, 20000.0)  # McCamy's cubic is fitted near 2000-12500 K; clamp its extrapolation
DARK_LINEAR = 1e-4  # mean linear light below this has no meaningful chromaticity

# sRGB decoding table: 8-bit code value to linear light.
_codes = np.arange(256, dtype=np.float64) / 255.0
_SRGB_LINEAR = np.where(_codes <= 0.04045, _codes / 12.92, ((_codes + 0.055) / 1.055) ** 2.4).astype(np.float32)


def mccamy_cct(linear_rgb: np.ndarray) -> float | None:
    """Correlated colour temperature (K) of a mean linear-sRGB colour by McCamy's formula via CIE 1931 xy."""
    x_, y_, z_ = SRGB_TO_XYZ @ np.asarray(linear_rgb, dtype=np.float64)
    total = x_ + y_ + z_
    if total < DARK_LINEAR:
        return None
    x, y = x_ / total, y_ / total
    n = (x - 0.3320) / (0.1858 - y)
    cct = 449.0 * n**3 + 3525.0 * n**2 + 6823.3 * n + 5520.33
    return float(np.clip(cct, *CCT_RANGE_K))


@dataclass(frozen=True)
class FrameLook:
    luma: float  # mean luma 0..1
    luma_std: float
    linear_rgb: np.ndarray  # mean linear-light R, G, B
    histogram: np.ndarray  # HSV histogram, sums to 1


def frame_look(bgr: np.ndarray) -> FrameLook:
    if bgr.shape[1] > LOOK_WIDTH:  # averages and a coarse histogram do not need detail; 4x fewer pixels
        h = max(1, round(bgr.shape[0] * LOOK_WIDTH / bgr.shape[1]))
        bgr = cv2.resize(bgr, (LOOK_WIDTH, h), interpolation=cv2.INTER_AREA)
    luma = bgr.astype(np.float32) @ LUMA_BGR / 255.0
    # Colour temperature needs the mean *light*, so average after decoding the sRGB curve.
    linear_bgr = _SRGB_LINEAR[bgr].reshape(-1, 3).mean(axis=0)
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    hist = cv2.calcHist([hsv], [0, 1, 2], None, list(HIST_BINS), [0, 180, 0, 256, 0, 256]).ravel()
    return FrameLook(
        luma=float(luma.mean()),
        luma_std=float(luma.std()),
        linear_rgb=linear_bgr[::-1].astype(np.float64),
        histogram=hist / max(float(hist.sum()), 1.0),
    )


@dataclass
class LookAccumulator:
    """Running sums over the frames of one shot: constant memory however long the shot."""

    frames: int = 0
    luma_sum: float = 0.0
    luma_std_sum: float = 0.0
    linear_rgb_sum: np.ndarray = field(default_factory=lambda: np.zeros(3))
    hist_sum: np.ndarray = field(default_factory=lambda: np.zeros(int(np.prod(HIST_BINS)), dtype=np.float32))

    def add(self, look: FrameLook) -> None:
        self.luma_sum += look.luma
        self.luma_std_sum += look.luma_std
        self.linear_rgb_sum += look.linear_rgb
        self.hist_sum += look.histogram
        self.frames += 1


@dataclass(frozen=True)
class ShotLook:
    brightness: float  # mean luma 0..1
    contrast: float  # mean over frames of the luma standard deviation, 0..1
    colour_temperature_k: float | None  # None for a black shot
    histogram: np.ndarray  # normalised HSV histogram, sums to 1


def summarise(acc: LookAccumulator) -> ShotLook:
    n = max(acc.frames, 1)
    hist = acc.hist_sum / max(float(acc.hist_sum.sum()), 1e-9)
    return ShotLook(
        brightness=acc.luma_sum / n,
        contrast=acc.luma_std_sum / n,
        colour_temperature_k=mccamy_cct(acc.linear_rgb_sum / n),
        histogram=hist,
    )


def look_distance(a: ShotLook, b: ShotLook) -> float:
    """Bhattacharyya distance between two shots' colour histograms: 0 same palette, 1 disjoint."""
    return float(cv2.compareHist(a.histogram, b.histogram, cv2.HISTCMP_BHATTACHARYYA))
