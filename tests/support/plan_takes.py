"""Every shot of a plan as a take of its whole planned length, before anything is rendered: the takes the edit is
decided on (as `stages.shoot.planned_takes` makes them), built without a project or a backend."""

from __future__ import annotations

from filmaster.model import Plan, RenderSettings, Take


def takes_of(plan: Plan, settings: RenderSettings) -> dict[str, Take]:
    """Shot id -> its previz take at `settings`' size and frame rate, media under `media/shots/`."""
    return {
        shot.id: Take(
            shot_id=shot.id,
            media=f"media/shots/{shot.id}.mp4",
            frames=round(shot.duration_s * settings.fps),
            fps=settings.fps,
            width=settings.width,
            height=settings.height,
            backend="previz",
        )
        for shot in plan.shots
    }
