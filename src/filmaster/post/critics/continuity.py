"""Screen direction across a cut, measured on the takes' ground truth: crossed 180° lines and eyeline mismatches.

The renderer records, for every frame it drew, where each character's figure lands on screen and which way it
faces along the screen's x axis (`look_x`, see `previz.shoot.character_boxes`). Across a cut inside a scene an
audience keeps its map of the room: two characters seen on both sides of the cut must keep their left/right
order (else the camera crossed the 180° line), and a character seen alone must look toward the side of frame
where the person they face was just seen (or will be), opposite to the way that person looks in their own single
(else the eyelines do not meet). Only frames that play are compared: the last one shown before the cut, the
first one after it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ...model import ActionKind, Cut, EditAction, Finding, FindingKind, Plan, Shot, Take

NAME = "offline"
MIN_SEPARATION = 0.05  # screen widths between two characters' centres under which their order is a coin toss
MIN_LOOK = 0.3  # |look_x| under which a character faces the lens (or away): no side to look toward
MIN_VISIBLE = 0.15  # a character the frame shows less of than this (occlusion included) is not seen


@dataclass(frozen=True)
class _Seen:
    """A character as one frame shows them: centre x as a share of the width, and the way they face."""

    x: float
    look: float | None


def continuity_findings(plan: Plan, cut: Cut, takes: Mapping[str, Take], out_dir: Path) -> list[Finding]:
    """Crossed-line and eyeline findings at every cut inside a scene whose takes carry ground truth."""
    truths = _ground_truths(cut, takes, out_dir)
    if not truths:
        return []
    shots = {s.id: s for s in plan.shots}
    frames = [
        (_seen(truths.get(c.shot_id), c.source_start_frame), _seen(truths.get(c.shot_id), c.last_source_frame))
        for c in cut.clips
    ]
    spans, position = [], 0
    for clip in cut.clips:
        spans.append((position / cut.fps, (position + clip.frames) / cut.fps))
        position += clip.frames
    findings = _unseen_subjects(plan, cut, truths, spans)
    for i in range(len(cut.clips) - 1):
        a, b = cut.clips[i], cut.clips[i + 1]
        if a.scene_index != b.scene_index or a.shot_id == b.shot_id:
            continue
        before, after = frames[i][1], frames[i + 1][0]
        if before is None or after is None:
            continue
        where = {
            "start_s": round(spans[i][0], 3),
            "end_s": round(spans[i + 1][1], 3),
            "shot_ids": [a.shot_id, b.shot_id],
        }
        at = spans[i][1]
        crossed = _crossed(before, after)
        if crossed is not None:
            left, right = crossed
            findings.append(
                Finding(
                    kind=FindingKind.CROSSED_LINE,
                    critic=NAME,
                    message=f"cut {a.shot_id} → {b.shot_id} at {at:.1f} s crosses the 180° line: {left} is left of "
                    f"{right} before the cut and right of them after it",
                    evidence={
                        f"{left}_x_before": round(before[left].x, 3),
                        f"{right}_x_before": round(before[right].x, 3),
                        f"{left}_x_after": round(after[left].x, 3),
                        f"{right}_x_after": round(after[right].x, 3),
                    },
                    actions=_fix(b.shot_id, shots, cut, "crosses the 180° line"),
                    **where,
                )
            )
            continue
        mismatch = _eyeline(before, after)
        if mismatch is not None:
            looker, other, expected, look = mismatch
            side = "right" if expected > 0 else "left"
            single = b.shot_id if len(after) == 1 else a.shot_id
            findings.append(
                Finding(
                    kind=FindingKind.EYELINE_MISMATCH,
                    critic=NAME,
                    message=f"cut {a.shot_id} → {b.shot_id} at {at:.1f} s: {looker} looks "
                    f"{'right' if look > 0 else 'left'} while {other} is on the {side} of frame: the eyelines miss",
                    evidence={"look_x": round(look, 3), "expected_side": float(expected)},
                    actions=_fix(single, shots, cut, "its eyeline misses the other character"),
                    **where,
                )
            )
    return findings


def _unseen_subjects(
    plan: Plan, cut: Cut, truths: Mapping[str, dict[int, dict]], spans: list[tuple[float, float]]
) -> list[Finding]:
    """Shots of a character whom none of the take's frames that play and whose visibility the ID pass measured
    (first, middle, last: `previz.shoot.ShotSession.visibility_frames`) shows — a set wall, or another actor,
    in front of them."""
    findings = []
    shots = {s.id: s for s in plan.shots}
    characters = {name for scene in plan.scenes for name in scene.characters}
    for clip, (start, end) in zip(cut.clips, spans, strict=True):
        shot, truth = shots.get(clip.shot_id), truths.get(clip.shot_id)
        if shot is None or not truth or clip.cutaway:
            continue
        first, last = clip.source_start_frame, clip.last_source_frame  # ground truth counts the shot's frames
        count = next(iter(truth.values()))["_count"]
        measured = [f for i, f in truth.items() if first <= i <= last and i in {0, count // 2, count - 1}]
        if not measured:
            continue  # a clip trimmed to frames the ID pass did not measure
        shown = {
            name: max(f["characters"].get(name, {}).get("visible", 0.0) for f in measured)
            for name in shot.camera.subjects
            if name in characters  # a prop has no figure in the ID pass
        }
        unseen = sorted(name for name, share in shown.items() if share < MIN_VISIBLE)
        if not unseen:
            continue
        findings.append(
            Finding(
                kind=FindingKind.SUBJECT_NOT_SEEN,
                critic=NAME,
                message=f"{clip.shot_id} is a shot of {', '.join(unseen)}, whom its frames do not show "
                f"(at most {max(shown[n] for n in unseen):.0%} of them)",
                start_s=round(start, 3),
                end_s=round(end, 3),
                shot_ids=[clip.shot_id],
                evidence={f"{name}_visible": round(shown[name], 3) for name in unseen},
                actions=_fix(clip.shot_id, shots, cut, f"does not show {', '.join(unseen)}"),
            )
        )
    return findings


def shows_no_side(take: Take, out_dir: Path, played: tuple[int, int]) -> bool:
    """Do the frames [first, end) of its shot that a cutaway plays of `take` show, by its ground truth, no character
    who faces across the frame (none at all, or each one on the lens axis)? Cut in between two sides of the line,
    such frames have no left or right to contradict. False where the ground truth does not hold every one of them:
    nothing measured, nothing claimed."""
    truth = _ground_truths_of({take.shot_id: take}, out_dir).get(take.shot_id)
    frames = range(*played)
    if not truth or not frames or any(index not in truth for index in frames):
        return False
    for index in frames:
        seen = _seen(truth, index) or {}
        if any(s.look is None or abs(s.look) >= MIN_LOOK for s in seen.values()):
            return False
    return True


def _crossed(before: dict[str, _Seen], after: dict[str, _Seen]) -> tuple[str, str] | None:
    """The pair (left, right) before the cut whose order the cut reverses, if any."""
    both = sorted(set(before) & set(after))
    for i, p in enumerate(both):
        for q in both[i + 1 :]:
            gap_before, gap_after = before[q].x - before[p].x, after[q].x - after[p].x
            if min(abs(gap_before), abs(gap_after)) < MIN_SEPARATION or (gap_before > 0) == (gap_after > 0):
                continue
            return (p, q) if gap_before > 0 else (q, p)
    return None


def _eyeline(before: dict[str, _Seen], after: dict[str, _Seen]) -> tuple[str, str, int, float] | None:
    """(who looks the wrong way, whom they should face, the side they should look to, their look_x) or None.

    A single beside a shot that shows both characters must look toward where the other one stands in it; two
    singles of different characters must look toward opposite sides."""
    for single, other_frame in ((after, before), (before, after)):
        if len(single) != 1:
            continue
        ((looker, seen),) = single.items()
        if seen.look is None or abs(seen.look) < MIN_LOOK:
            continue
        if looker in other_frame:
            for other, there in other_frame.items():
                gap = there.x - other_frame[looker].x
                if other == looker or abs(gap) < MIN_SEPARATION:
                    continue
                expected = 1 if gap > 0 else -1
                if (seen.look > 0) != (expected > 0):
                    return looker, other, expected, seen.look
                return None
        elif len(other_frame) == 1:
            ((other, there),) = other_frame.items()
            if there.look is None or abs(there.look) < MIN_LOOK:
                return None
            expected = -1 if there.look > 0 else 1  # facing each other: opposite directions on screen
            if (seen.look > 0) != (expected > 0):
                return looker, other, expected, seen.look
            return None
    return None


def _fix(shot_id: str, shots: Mapping[str, Shot], cut: Cut, why: str) -> list[EditAction]:
    """Remove the offending shot when nothing is lost (no line, the scene keeps other coverage); else only flag."""
    shot = shots.get(shot_id)
    if shot is None or shot.dialogue:
        return []
    scene = next(c.scene_index for c in cut.clips if c.shot_id == shot_id)
    if sum(1 for c in cut.clips if c.scene_index == scene and c.shot_id != shot_id and not c.cutaway) == 0:
        return []
    return [EditAction(kind=ActionKind.REMOVE, shot_id=shot_id, reason=f"{why} (measured on its ground truth)")]


def _ground_truths(cut: Cut, takes: Mapping[str, Take], out_dir: Path) -> dict[str, dict[int, dict]]:
    """Each clip's take's ground truth, frame index → frame record; takes without one are left out."""
    ids = {c.shot_id for c in cut.clips}
    return _ground_truths_of({k: t for k, t in takes.items() if k in ids}, out_dir)


def _ground_truths_of(takes: Mapping[str, Take], out_dir: Path) -> dict[str, dict[int, dict]]:
    truths: dict[str, dict[int, dict]] = {}
    for shot_id, take in takes.items():
        if take.ground_truth is None:
            continue
        path = out_dir / take.ground_truth
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # an unreadable record measures nothing; the pixel critics still screen the cut
        width = float(doc.get("width") or take.width)
        count = int(doc.get("frame_count") or take.frames)
        truths[shot_id] = {int(f["index"]): {**f, "_width": width, "_count": count} for f in doc.get("frames", [])}
    return truths


def _seen(truth: dict[int, dict] | None, index: int) -> dict[str, _Seen] | None:
    """The characters frame `index` of a take shows (nearest recorded frame), or None without ground truth."""
    if not truth:
        return None
    frame = truth.get(index) or truth[min(truth, key=lambda k: abs(k - index))]
    width = frame["_width"]
    seen = {}
    for name, entry in frame.get("characters", {}).items():
        box = entry.get("box_visible")
        if not box or entry.get("visible", 1.0) < MIN_VISIBLE:
            continue
        if (box[2] - box[0]) * (box[3] - box[1]) <= 0:
            continue
        look = entry.get("look_x")
        seen[name] = _Seen(x=(box[0] + box[2]) / 2 / width, look=None if look is None else float(look))
    return seen
