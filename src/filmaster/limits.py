"""Bounds a plan must keep before any shot is rendered or line spoken: `[limits]` in filmaster.toml.

A hand-edited plan.json with a 10⁹-second shot or a 10¹² m dolly would otherwise start an unbounded render;
these checks refuse it in one line naming the shot, the value and the key that allows it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .errors import PlanError
from .model import Plan
from .model.camera import Movement

_METRES = {Movement.DOLLY_IN, Movement.DOLLY_OUT, Movement.TRUCK, Movement.PEDESTAL, Movement.CRANE,
           Movement.TRACKING, Movement.DOLLY_ZOOM}  # fmt: skip
_DEGREES = {Movement.PAN, Movement.TILT, Movement.ARC}


class LimitsConfig(BaseModel):
    """`[limits]`: raise one when a film really needs more."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    screenplay_mb: float = Field(default=5.0, gt=0, description="largest screenplay file read")
    scenes: int = Field(default=500, ge=1, description="most scenes in one film")
    shot_s: float = Field(default=600.0, gt=0, description="longest shot, seconds")
    film_s: float = Field(default=4 * 3600.0, gt=0, description="longest film, seconds")
    move_m: float = Field(default=100.0, gt=0, description="longest dolly, truck, crane or tracking move, metres")
    turn_deg: float = Field(default=720.0, gt=0, description="widest pan, tilt or arc, degrees")
    zoom: float = Field(default=20.0, gt=1, description="largest zoom ratio")
    lens_mm: float = Field(default=1200.0, gt=0, description="longest focal length, mm")


def check_plan(plan: Plan, limits: LimitsConfig) -> None:
    """PlanError (one line) for the first value of the plan outside `limits`."""
    if not plan.scenes:
        raise PlanError("the plan has no scenes: the screenplay needs a scene heading such as 'INT. KITCHEN - DAY'")
    if len(plan.scenes) > limits.scenes:
        raise PlanError(f"{len(plan.scenes)} scenes is more than [limits] scenes = {limits.scenes}; raise it to allow")
    for shot in plan.shots:
        camera, where = shot.camera, f"shot {shot.id}"
        if shot.duration_s > limits.shot_s:
            raise PlanError(
                f"{where}: duration_s {shot.duration_s:g} is more than [limits] shot_s = {limits.shot_s:g}; "
                "shorten the shot in plan.json or raise the limit"
            )
        if camera.lens_mm > limits.lens_mm:
            raise PlanError(f"{where}: lens_mm {camera.lens_mm:g} is more than [limits] lens_mm = {limits.lens_mm:g}")
        bound, unit, key = (
            (limits.move_m, "m", "move_m")
            if camera.movement in _METRES
            else (limits.turn_deg, "°", "turn_deg")
            if camera.movement in _DEGREES
            else (limits.zoom, "x", "zoom")
            if camera.movement is Movement.ZOOM
            else (None, "", "")
        )
        if bound is not None and camera.amount > bound:
            raise PlanError(
                f"{where}: a {camera.movement.value} of {camera.amount:g}{unit} is more than [limits] {key} = "
                f"{bound:g}; use a smaller amount in plan.json"
            )
        for line in shot.dialogue:
            if line.start_s > shot.duration_s:
                raise PlanError(
                    f"{where}: {line.character}'s line starts at {line.start_s:g} s, after the shot ends "
                    f"({shot.duration_s:g} s); fix start_s in plan.json"
                )
    if plan.duration_s > limits.film_s:
        raise PlanError(
            f"the film would last {plan.duration_s:.0f} s, more than [limits] film_s = {limits.film_s:g}; "
            "raise it to allow"
        )
