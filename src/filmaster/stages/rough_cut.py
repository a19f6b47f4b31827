"""Rough cut: the takes assembled in script order, each with a placeholder description of its sound."""

from __future__ import annotations

from ..model import Cut, CutClip, Plan, RenderSettings, SceneBlock, Shot, Take


def audio_description(scene: SceneBlock, shot: Shot) -> str:
    """What the sound designer will put under this shot — written before any sound exists, as in the paper."""
    parts = [f"ambience: {scene.set_kind.value}, {scene.time_of_day.value}", f"music: {scene.mood.value}"]
    for line in shot.dialogue:
        parts.append(f'dialogue: {line.character} "{line.text}"')
    return "; ".join(parts)


def rough_cut(plan: Plan, takes: dict[str, Take], settings: RenderSettings) -> Cut:
    clips = []
    for scene in plan.scenes:
        for shot in scene.shots:
            take = takes[shot.id]
            clips.append(
                CutClip(
                    shot_id=shot.id,
                    scene_index=scene.index,
                    media=take.media,
                    frames=take.frames,  # the shot as planned: the fine cut decides what plays
                    audio_description=audio_description(scene, shot),
                )
            )
    return Cut(title=plan.title, fps=settings.fps, width=settings.width, height=settings.height, clips=clips)


def lock_picture(cut: Cut) -> Cut:
    """Picture lock: from here on, sound is designed against these exact frames."""
    return cut.model_copy(update={"locked": True})
