"""Time-of-day looks: key/fill/ambient light, sky, fog and practicals for interiors and exteriors.

Colours are linear RGB; intensities are relative to an exposure of 1. Night keeps a dim, cool moonlight and
warm practicals (lamps, street lights) so a night scene reads as night and still shows the actors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..model import Mood, TimeOfDay

RGB = tuple[float, float, float]


@dataclass(frozen=True)
class Look:
    sky_zenith: RGB
    sky_horizon: RGB
    key_dir: RGB  # direction *toward* the key light (sun, moon, window)
    key_color: RGB
    fill_dir: RGB
    fill_color: RGB
    ambient_sky: RGB  # hemispheric ambient from above
    ambient_ground: RGB  # and bounce from below
    practical: RGB  # colour × gain of lamps and their light
    window: RGB  # emission of windows seen from inside
    fog_density: float
    exposure: float = 1.0
    grade: RGB = (1.0, 1.0, 1.0)  # per-scene colour grade: a gain per channel after tone mapping
    saturation: float = 1.0

    def key_unit(self) -> np.ndarray:
        v = np.asarray(self.key_dir, dtype=np.float64)
        return v / np.linalg.norm(v)

    def fill_unit(self) -> np.ndarray:
        v = np.asarray(self.fill_dir, dtype=np.float64)
        return v / np.linalg.norm(v)


# The key comes from the camera side (-z) and from screen left-above, so faces turned to the lens are lit.
_EXTERIOR: dict[TimeOfDay, Look] = {
    TimeOfDay.DAY: Look(
        sky_zenith=(0.18, 0.36, 0.78),
        sky_horizon=(0.66, 0.78, 0.92),
        key_dir=(-0.45, 0.75, -0.5),
        key_color=(2.3, 2.15, 1.95),
        fill_dir=(0.6, 0.3, -0.4),
        fill_color=(0.25, 0.3, 0.4),
        ambient_sky=(0.4, 0.48, 0.62),
        ambient_ground=(0.22, 0.2, 0.16),
        practical=(0.0, 0.0, 0.0),
        window=(0.7, 0.75, 0.8),
        fog_density=0.004,
    ),
    TimeOfDay.NIGHT: Look(
        sky_zenith=(0.003, 0.006, 0.025),
        sky_horizon=(0.02, 0.035, 0.09),
        key_dir=(0.4, 0.6, -0.55),
        key_color=(0.16, 0.22, 0.4),
        fill_dir=(-0.5, 0.2, -0.5),
        fill_color=(0.02, 0.025, 0.05),
        ambient_sky=(0.025, 0.035, 0.07),
        ambient_ground=(0.01, 0.01, 0.015),
        practical=(1.6, 1.0, 0.45),
        window=(1.3, 0.85, 0.4),
        fog_density=0.01,
        exposure=1.2,
    ),
    TimeOfDay.DAWN: Look(
        sky_zenith=(0.25, 0.32, 0.58),
        sky_horizon=(1.0, 0.62, 0.4),
        key_dir=(-0.8, 0.2, -0.55),
        key_color=(1.9, 1.2, 0.7),
        fill_dir=(0.6, 0.4, -0.3),
        fill_color=(0.18, 0.2, 0.35),
        ambient_sky=(0.3, 0.3, 0.42),
        ambient_ground=(0.16, 0.12, 0.1),
        practical=(0.5, 0.32, 0.15),
        window=(0.9, 0.7, 0.55),
        fog_density=0.008,
    ),
    TimeOfDay.DUSK: Look(
        sky_zenith=(0.12, 0.13, 0.35),
        sky_horizon=(0.95, 0.42, 0.25),
        key_dir=(0.8, 0.15, -0.55),
        key_color=(1.7, 0.85, 0.4),
        fill_dir=(-0.6, 0.4, -0.3),
        fill_color=(0.12, 0.12, 0.28),
        ambient_sky=(0.2, 0.18, 0.32),
        ambient_ground=(0.12, 0.08, 0.07),
        practical=(1.0, 0.62, 0.28),
        window=(0.95, 0.6, 0.4),
        fog_density=0.008,
    ),
}

# Interiors: the key is window light by day and the lamps by night; the sky only shows through windows.
_INTERIOR: dict[TimeOfDay, Look] = {
    TimeOfDay.DAY: Look(
        sky_zenith=(0.2, 0.2, 0.2),
        sky_horizon=(0.3, 0.3, 0.3),
        key_dir=(-0.55, 0.55, -0.6),
        key_color=(1.5, 1.45, 1.4),
        fill_dir=(0.6, 0.3, -0.5),
        fill_color=(0.3, 0.3, 0.34),
        ambient_sky=(0.42, 0.42, 0.45),
        ambient_ground=(0.22, 0.2, 0.18),
        practical=(0.3, 0.25, 0.18),
        window=(1.9, 2.0, 2.15),
        fog_density=0.0,
    ),
    TimeOfDay.NIGHT: Look(
        sky_zenith=(0.01, 0.01, 0.015),
        sky_horizon=(0.02, 0.02, 0.03),
        key_dir=(-0.3, 0.8, -0.5),
        key_color=(0.55, 0.38, 0.2),
        fill_dir=(0.6, 0.3, -0.5),
        fill_color=(0.03, 0.04, 0.08),
        ambient_sky=(0.06, 0.05, 0.05),
        ambient_ground=(0.03, 0.025, 0.02),
        practical=(1.8, 1.15, 0.55),
        window=(0.03, 0.05, 0.14),
        fog_density=0.0,
    ),
    TimeOfDay.DAWN: Look(
        sky_zenith=(0.1, 0.1, 0.12),
        sky_horizon=(0.15, 0.13, 0.12),
        key_dir=(-0.8, 0.3, -0.5),
        key_color=(1.4, 0.95, 0.6),
        fill_dir=(0.6, 0.3, -0.5),
        fill_color=(0.12, 0.14, 0.24),
        ambient_sky=(0.24, 0.22, 0.26),
        ambient_ground=(0.12, 0.1, 0.08),
        practical=(0.7, 0.45, 0.22),
        window=(1.6, 1.05, 0.7),
        fog_density=0.0,
    ),
    TimeOfDay.DUSK: Look(
        sky_zenith=(0.08, 0.07, 0.1),
        sky_horizon=(0.12, 0.1, 0.1),
        key_dir=(0.8, 0.3, -0.5),
        key_color=(1.3, 0.7, 0.35),
        fill_dir=(-0.6, 0.3, -0.5),
        fill_color=(0.1, 0.1, 0.22),
        ambient_sky=(0.2, 0.17, 0.2),
        ambient_ground=(0.1, 0.08, 0.07),
        practical=(1.2, 0.78, 0.38),
        window=(1.4, 0.7, 0.45),
        fog_density=0.0,
    ),
}


# Per-scene grade by mood, as a colourist would set it: cooler and drained for tension, warm for warmth, muted
# for grief, teal for mystery, bright and saturated for joy.
GRADES: dict[Mood, tuple[RGB, float]] = {
    Mood.CALM: ((1.0, 1.0, 1.0), 1.0),
    Mood.WARM: ((1.07, 1.0, 0.88), 1.08),
    Mood.TENSE: ((0.93, 0.99, 1.07), 0.78),
    Mood.SAD: ((0.96, 0.98, 1.04), 0.62),
    Mood.MYSTERIOUS: ((0.9, 1.01, 1.06), 0.82),
    Mood.JOYFUL: ((1.05, 1.03, 0.94), 1.2),
}


def look_for(time_of_day: TimeOfDay, interior: bool, mood: Mood = Mood.CALM) -> Look:
    grade, saturation = GRADES[mood]
    return replace((_INTERIOR if interior else _EXTERIOR)[time_of_day], grade=grade, saturation=saturation)
