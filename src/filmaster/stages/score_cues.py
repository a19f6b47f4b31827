"""What the score marks in each scene: its cue points (the cuts inside the scene, where the music accents), the
story beat where the scene turns (the music grows louder and fuller from there) and the leitmotif it states (the
lead character's theme in every scene the lead is in, else the theme of a place that recurs)."""

from __future__ import annotations

from collections import Counter

from ..backends.music.themes import leitmotif
from ..model import Cut, Plan, SceneBlock
from ..post.intensity import scene_intensity

MIN_ACCENT_GAP_S = 1.5  # accents closer than this to the cue's ends or to each other would crowd the score


def lead_character(plan: Plan) -> str | None:
    """The character with the most lines in the film (ties: the first to speak)."""
    lines = Counter(d.character for shot in plan.shots for d in shot.dialogue)
    return max(lines, key=lambda name: lines[name]) if lines else None


def scene_theme(plan: Plan, scene: SceneBlock) -> tuple[str, tuple[int, ...]] | None:
    """(whose, motif) for the scene: the lead's theme where the lead appears, else its location's if it recurs."""
    lead = lead_character(plan)
    speakers = {d.character for shot in scene.shots for d in shot.dialogue}
    if lead is not None and (lead in speakers or lead in scene.characters):
        return lead, leitmotif(lead)
    places = Counter(s.location for s in plan.scenes)
    if places[scene.location] > 1:
        return scene.location, leitmotif(scene.location)
    return None


def cue_points(scene: SceneBlock, cut: Cut, duration_s: float) -> tuple[float, ...]:
    """The scene's internal cuts in the locked cut (s from the scene's first frame), spaced enough to accent."""
    starts = cut.record_start_frames()
    shots = [s for s in scene.shots if s.id in starts]
    if len(shots) < 2:
        return ()
    origin = starts[shots[0].id]
    points: list[float] = []
    for shot in shots[1:]:
        at = round((starts[shot.id] - origin) / cut.fps, 4)
        if MIN_ACCENT_GAP_S <= at <= duration_s - MIN_ACCENT_GAP_S and (
            not points or at - points[-1] >= MIN_ACCENT_GAP_S
        ):
            points.append(at)
    return tuple(points)


BEAT_RISE = 0.15  # how much more intense than the scene so far a shot must be to turn it (intensity 0..1)


def story_beat(scene: SceneBlock, cut: Cut, duration_s: float) -> float | None:
    """Where the scene turns (s from its first frame in the cut): the start of the shot whose own intensity (its
    words and action, as post/intensity.py reads a scene) rises most above the most intense shot before it, when
    it rises by BEAT_RISE or more; None for a scene that holds its level."""
    starts = cut.record_start_frames()
    shots = [s for s in scene.shots if s.id in starts]
    if len(shots) < 2:
        return None
    levels = [scene_intensity(scene.model_copy(update={"shots": [shot]})) for shot in shots]
    rises = [(levels[i] - max(levels[:i]), i) for i in range(1, len(shots))]
    rise, turn = max(rises)
    at = round((starts[shots[turn].id] - starts[shots[0].id]) / cut.fps, 4)
    return at if rise >= BEAT_RISE and MIN_ACCENT_GAP_S <= at <= duration_s - MIN_ACCENT_GAP_S else None
