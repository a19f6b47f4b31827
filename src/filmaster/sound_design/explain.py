"""Why each sound of a scene exists: its effects and foley, shot by shot, with the screenplay's words or the
renderer's ground-truth event that put it there (the `reason` every cue records)."""

from __future__ import annotations

from ..model import CueKind, SceneBlock, SoundPlan

EXPLAINED = (CueKind.SFX, CueKind.FOLEY)


def explain_sounds(scene: SceneBlock, sound: SoundPlan) -> str:
    """The scene's effects and foley under each shot, in time order: when, what, and why."""
    lines = ["  sound events:"]
    for shot in scene.shots:
        cues = sorted((c for c in sound.cues if c.kind in EXPLAINED and c.shot_id == shot.id), key=lambda c: c.start_s)
        if not cues:
            continue
        lines.append(f"    {shot.id}")
        for cue in cues:
            what = cue.description or cue.category or cue.kind.value
            lines.append(
                f"      {cue.start_s:7.3f} s  {cue.kind.value:<5} {what} — {cue.reason or 'no reason recorded'}"
            )
    if len(lines) == 1:
        lines.append("    none (the scene names no sound and nobody walks)")
    return "\n".join(lines)
