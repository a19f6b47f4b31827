"""Camera language: the vocabulary of DESIGN.md as types, and one shot's camera spec."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from .base import Artifact


class ShotScale(StrEnum):
    EWS = "EWS"  # extreme wide
    WS = "WS"  # wide: the whole body with the set around it
    MWS = "MWS"  # medium wide: knees up
    MS = "MS"  # medium: waist up
    MCU = "MCU"  # medium close-up: chest up
    CU = "CU"  # close-up: head and shoulders
    ECU = "ECU"  # extreme close-up: the eyes


class Angle(StrEnum):
    EYE_LEVEL = "eye_level"
    HIGH = "high"
    LOW = "low"
    OVERHEAD = "overhead"
    WORMS_EYE = "worms_eye"
    DUTCH = "dutch"


class Movement(StrEnum):
    STATIC = "static"
    PAN = "pan"
    TILT = "tilt"
    DOLLY_IN = "dolly_in"
    DOLLY_OUT = "dolly_out"
    TRUCK = "truck"
    PEDESTAL = "pedestal"
    CRANE = "crane"
    ARC = "arc"
    TRACKING = "tracking"
    HANDHELD = "handheld"
    ZOOM = "zoom"
    DOLLY_ZOOM = "dolly_zoom"


# Full-frame-equivalent focal lengths a cinematographer would reach for first at each scale.
DEFAULT_LENS_MM: dict[ShotScale, float] = {
    ShotScale.EWS: 18.0,
    ShotScale.WS: 24.0,
    ShotScale.MWS: 32.0,
    ShotScale.MS: 40.0,
    ShotScale.MCU: 50.0,
    ShotScale.CU: 75.0,
    ShotScale.ECU: 100.0,
}

# How much of a standing figure's height the frame height shows, per scale (frame height / figure height).
# Bands used by the previz framing and by tests that measure the subject's projected height.
SCALE_FRAME_FIGURE_RATIO: dict[ShotScale, float] = {
    ShotScale.EWS: 6.0,
    ShotScale.WS: 1.35,
    ShotScale.MWS: 0.82,
    ShotScale.MS: 0.55,
    ShotScale.MCU: 0.38,
    ShotScale.CU: 0.24,
    ShotScale.ECU: 0.085,
}

SCALE_WORDS: dict[ShotScale, str] = {
    ShotScale.EWS: "Extreme wide shot",
    ShotScale.WS: "Wide shot",
    ShotScale.MWS: "Medium wide shot",
    ShotScale.MS: "Medium shot",
    ShotScale.MCU: "Medium close-up",
    ShotScale.CU: "Close-up",
    ShotScale.ECU: "Extreme close-up",
}

Direction = Literal["left", "right", "up", "down", "in", "out"]


class CameraSpec(Artifact):
    """How one shot is filmed. Subjects are character names of the scene, or a prop name for an insert."""

    scale: ShotScale
    angle: Angle = Angle.EYE_LEVEL
    movement: Movement = Movement.STATIC
    lens_mm: float = Field(
        default=0.0, ge=0.0, description="focal length, full-frame equivalent; 0 = default for scale"
    )
    subjects: list[str] = Field(default_factory=list)
    over_shoulder_of: str | None = Field(default=None, description="foreground character of an over-the-shoulder")
    line_side: Literal[1, -1] = Field(default=1, description="side of the 180° line the camera stands on")
    direction: Direction | None = Field(default=None, description="direction of pan/tilt/truck/pedestal/crane/arc")
    amount: float = Field(
        default=0.0, ge=0.0, description="degrees for pan/tilt/arc, metres for truck/dolly; 0 = default"
    )
    dutch_deg: float = 0.0
    # Depth of field: focus distance (None = on the first subject) and f-number (None = everything sharp).
    focus_distance_m: float | None = Field(default=None, gt=0.0)
    aperture: float | None = Field(default=None, gt=0.0)

    @model_validator(mode="after")
    def _fill_lens(self) -> CameraSpec:
        if self.lens_mm == 0.0:
            object.__setattr__(self, "lens_mm", DEFAULT_LENS_MM[self.scale])
        return self

    def reframed(self, scale: ShotScale, movement: Movement, direction: Direction | None, angle: Angle) -> CameraSpec:
        """This camera re-planned: the new scale, move and angle, with the lens back to the new scale's default and
        the move's amount and the dutch tilt at their defaults. Subjects, over-the-shoulder, focus and aperture are
        kept; `line_side` is reset to 1, the side of the 180° line every planned camera of a scene stands on."""
        return CameraSpec.model_validate(
            self.model_dump()
            | {
                "scale": scale,
                "movement": movement,
                "direction": direction,
                "angle": angle,
                "lens_mm": 0.0,  # refilled for the new scale by the validator
                "amount": 0.0,
                "dutch_deg": 0.0,
                "line_side": 1,
            }
        )

    def sentence(self) -> str:
        """The spec in words, as a shot prompt opens: "Close-up, low angle, dolly in camera, 75mm lens." """
        move = self.movement.value.replace("_", " ")
        if self.direction and self.movement not in (Movement.DOLLY_IN, Movement.DOLLY_OUT):
            move = f"{move} {self.direction}"
        angle = self.angle.value.replace("_", " ")
        return f"{SCALE_WORDS[self.scale]}, {angle} angle, {move} camera, {self.lens_mm:g}mm lens."
