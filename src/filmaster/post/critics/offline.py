"""The offline critic: editing practice, measured on the cut's timing and pixels.

Findings: dead air at a shot's head or tail, a scene paced no faster than a calmer one, shot lengths that never
change, cuts between identical set-ups (the frames on both sides nearly the same: the cut is invisible), jump
cuts (the same subject at a similar scale, a small change of picture), an ending that drags; and from the takes'
ground truth, crossed 180° lines and eyeline mismatches (`continuity`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ...model import ActionKind, Critique, Cut, EditAction, Finding, FindingKind, Plan, Take
from ..ending import closing_hold_s, weighed_ending
from ..measure import cut_differences, scene_asl_s, shot_lengths_s, sigma_ln
from .continuity import continuity_findings

NAME = "offline"
DEAD_AIR_S = 0.6  # picture with no line and no action for longer than this is dead
MONOTONE_SIGMA = 0.35  # σ ln(shot length) under this reads as a metronome
INTENSE_ASL_RATIO = 0.7  # the most intense scene should cut at least this much faster than the calmest
IDENTICAL_DIFF = 0.02  # mean |Δ| across a cut (0..1) under which the two frames look the same
JUMP_DIFF = 0.08  # same subject, same scale and a change under this: a jump cut
DRAG_RATIO = 1.5  # the last shots holding this much longer than the film's ASL drag


def offline_critique(
    plan: Plan,
    cut: Cut,
    intensity: Mapping[int, float],
    out_dir: Path | None = None,
    takes: Mapping[str, Take] | None = None,
) -> Critique:
    """Screen `cut`; with `out_dir` (where its media are) the pixels are measured too, and with `takes` the
    screen direction across each cut from their ground truth."""
    findings = [*_dead_air(plan, cut), *_pace(cut, intensity), *_ending(plan, cut)]
    if out_dir is not None:
        findings += _setups(plan, cut, out_dir)
        if takes is not None:
            findings += continuity_findings(plan, cut, takes, out_dir)
    return Critique(title=cut.title, cut_duration_s=cut.duration_s, findings=findings, critics=[NAME])


def _times(cut: Cut) -> list[tuple[float, float]]:
    spans, position = [], 0
    for clip in cut.clips:
        spans.append((position / cut.fps, (position + clip.frames) / cut.fps))
        position += clip.frames
    return spans


def _dead_air(plan: Plan, cut: Cut) -> list[Finding]:
    shots = {s.id: s for s in plan.shots}
    findings = []
    for clip, (start, end) in zip(cut.clips, _times(cut), strict=True):
        shot = shots.get(clip.shot_id)
        if shot is None or clip.cutaway or not shot.dialogue:
            continue
        shown_from = clip.source_start_frame / cut.fps
        shown_to = shown_from + clip.frames * clip.speed / cut.fps
        first = min(line.start_s for line in shot.dialogue)
        last = max(line.start_s + line.duration_s for line in shot.dialogue)
        head, tail = first - shown_from, shown_to - last
        if max(head, tail) <= DEAD_AIR_S:
            continue
        trim = EditAction(
            kind=ActionKind.TRIM,
            shot_id=shot.id,
            head_frames=max(0, round((head - 0.25) * cut.fps)),
            tail_frames=max(0, round((tail - 0.3) * cut.fps)),
            reason="dead air around the line",
        )
        findings.append(
            Finding(
                kind=FindingKind.DEAD_AIR,
                critic=NAME,
                message=f"{shot.id} holds {head:.1f} s before and {tail:.1f} s after its line with nothing said",
                start_s=round(start, 3),
                end_s=round(end, 3),
                shot_ids=[shot.id],
                evidence={"head_s": round(head, 3), "tail_s": round(tail, 3)},
                actions=[trim],
            )
        )
    return findings


def _pace(cut: Cut, intensity: Mapping[int, float]) -> list[Finding]:
    findings = []
    lengths = shot_lengths_s(cut)
    sigma = sigma_ln(lengths)
    end = cut.duration_s
    if len(lengths) > 2 and sigma < MONOTONE_SIGMA:
        findings.append(
            Finding(
                kind=FindingKind.MONOTONE_PACE,
                critic=NAME,
                message=f"shot lengths barely change (σ ln = {sigma:.2f}; edited films 0.7-0.9): a metronome pace",
                start_s=0.0,
                end_s=round(end, 3),
                evidence={"sigma_ln": round(sigma, 3), "shots": len(lengths)},
            )
        )
    asl = scene_asl_s(cut)
    scored = [s for s in asl if s in intensity]
    if len(scored) > 1:
        calm = min(scored, key=lambda s: intensity[s])
        hot = max(scored, key=lambda s: intensity[s])
        ratio = asl[hot] / asl[calm]
        if intensity[hot] > intensity[calm] and ratio > INTENSE_ASL_RATIO:
            spans = [span for clip, span in zip(cut.clips, _times(cut), strict=True) if clip.scene_index == hot]
            findings.append(
                Finding(
                    kind=FindingKind.PACE_VS_INTENSITY,
                    critic=NAME,
                    message=f"scene {hot + 1} (intensity {intensity[hot]:.2f}) cuts at {asl[hot]:.1f} s a shot, "
                    f"{ratio:.2f}x the calm scene {calm + 1}'s {asl[calm]:.1f} s",
                    start_s=round(spans[0][0], 3),
                    end_s=round(spans[-1][1], 3),
                    shot_ids=[c.shot_id for c in cut.clips if c.scene_index == hot],
                    evidence={
                        "asl_ratio": round(ratio, 3),
                        "intense_asl_s": round(asl[hot], 3),
                        "calm_asl_s": round(asl[calm], 3),
                    },
                )
            )
    return findings


def _ending(plan: Plan, cut: Cut) -> list[Finding]:
    lengths = shot_lengths_s(cut)
    if len(lengths) < 4:
        return []
    asl = sum(lengths) / len(lengths)
    tail = weighed_ending(lengths, closing_hold_s(plan, cut))
    if sum(tail) / 2 <= DRAG_RATIO * asl:
        return []
    return [
        Finding(
            kind=FindingKind.ENDING_DRAGS,
            critic=NAME,
            message=f"the last two shots hold {sum(tail) / 2:.1f} s each against the film's {asl:.1f} s",
            start_s=round(cut.duration_s - sum(lengths[-2:]), 3),
            end_s=round(cut.duration_s, 3),
            shot_ids=[c.shot_id for c in cut.clips[-2:]],
            evidence={"ending_asl_s": round(sum(tail) / 2, 3), "film_asl_s": round(asl, 3)},
        )
    ]


def _setups(plan: Plan, cut: Cut, out_dir: Path) -> list[Finding]:
    shots = {s.id: s for s in plan.shots}
    findings = []
    spans = _times(cut)
    for i, diff in enumerate(cut_differences(out_dir, cut)):
        a, b = cut.clips[i], cut.clips[i + 1]
        at = spans[i][1]
        where = {
            "start_s": round(spans[i][0], 3),
            "end_s": round(spans[i + 1][1], 3),
            "shot_ids": [a.shot_id, b.shot_id],
        }
        if diff < IDENTICAL_DIFF:
            removable = [c.shot_id for c in (b, a) if not (shots.get(c.shot_id) and shots[c.shot_id].dialogue)]
            actions = (
                [EditAction(kind=ActionKind.REMOVE, shot_id=removable[0], reason="repeats the set-up before it")]
                if removable
                else []
            )
            findings.append(
                Finding(
                    kind=FindingKind.IDENTICAL_SETUP,
                    critic=NAME,
                    message=f"cut {a.shot_id} → {b.shot_id} at {at:.1f} s is invisible: frames differ by {diff:.3f}",
                    evidence={"frame_difference": round(diff, 4)},
                    actions=actions,
                    **where,
                )
            )
            continue
        sa, sb = shots.get(a.shot_id), shots.get(b.shot_id)
        if (
            sa
            and sb
            and diff < JUMP_DIFF
            and sa.camera.scale == sb.camera.scale
            and set(sa.camera.subjects) & set(sb.camera.subjects)
        ):
            findings.append(
                Finding(
                    kind=FindingKind.JUMP_CUT,
                    critic=NAME,
                    message=f"jump cut {a.shot_id} → {b.shot_id} at {at:.1f} s: same subject, same scale, "
                    f"the picture changes by {diff:.3f}",
                    evidence={"frame_difference": round(diff, 4)},
                    **where,
                )
            )
    return findings
