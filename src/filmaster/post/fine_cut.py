"""Fine cut: the rough cut re-cut from content, scene intensity and the screening's proposals.

Shot lengths come from what each shot holds — the reading time of its lines, the length of its action, the beat
a walk starts on — scaled by the scene's intensity: calm scenes hold their masters, intense ones cut faster,
accelerate movement and cut away to reactions inside long lines (an L cut: the line runs on under the reaction).
Every change only chooses frames of takes already shot (trims, speed, another shot's take as a cutaway), so no
edit needs a re-render; `export.conform` re-encodes just the clips that changed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..config import EditConfig
from ..model import (
    ActionKind,
    Critique,
    Cut,
    CutClip,
    EditAction,
    EditDecisions,
    Movement,
    Plan,
    Shot,
    ShotKind,
    Take,
)
from ..previz.gesture_timing import motion_start
from ..stages.setups import jumps
from .ending import END_HOLD_S, closing_end_s

MIN_SHOT_S = 0.6  # shorter than this a cut reads as a flash frame
LINE_LEAD_S = (0.1, 0.3)  # picture before a line starts: (most intense, calmest)
LINE_TRAIL_S = (0.1, 0.8)  # picture held after a line ends
SPLIT_MIN_LINE_S = 1.6  # a line this long may cut away to a reaction inside it
J_CUT_MAX_S = 0.4  # a line may start this far before its picture (most intense scene)
KIND_WEIGHT = {  # how long each kind of shot holds relative to the scene's pace
    ShotKind.ESTABLISHING: 2.0,
    ShotKind.WIDE: 1.2,
    ShotKind.TWO_SHOT: 1.0,
    ShotKind.SINGLE: 0.8,
    ShotKind.OVER_SHOULDER: 0.8,
    ShotKind.INSERT: 0.4,
    ShotKind.CUTAWAY: 0.4,
}


@dataclass(frozen=True)
class _Context:
    plan: Plan
    shots: dict[str, Shot]
    takes: Mapping[str, Take]
    intensity: Mapping[int, float]
    config: EditConfig
    fps: float  # a FrameRate: 23.976 and 29.97 are not whole


def scene_pace_s(intensity: float, config: EditConfig) -> float:
    """Average shot length the scene aims at: target pace x e^(1.6 (0.5 - I)), so the calmest scene's shots hold
    ~5 times as long as the most intense one's (as far as their takes allow)."""
    return config.target_pace_s * math.exp(1.6 * config.depth * (0.5 - intensity))


def decide_edit(
    plan: Plan,
    rough: Cut,
    takes: Mapping[str, Take],
    intensity: Mapping[int, float],
    config: EditConfig,
    critique: Critique | None = None,
) -> EditDecisions:
    """The editor's actions on the rough cut, each with its reason; proposals that would break the film skipped."""
    ctx = _Context(plan, {s.id: s for s in plan.shots}, takes, intensity, config, rough.fps)
    applied: list[EditAction] = []
    skipped: list[str] = []
    order = [clip.shot_id for clip in rough.clips]
    adds_nothing = {
        shot_id
        for index, shot_id in enumerate(order)
        if shot_id in ctx.shots
        and shot_id in takes
        and config.depth >= 0.5
        and _adds_nothing(ctx.shots[shot_id], ctx.shots.get(order[index - 1]) if index else None)
    }
    proposed = [
        action
        for finding in (critique.findings if critique is not None else [])
        for action in finding.actions
        if action.kind in (ActionKind.REMOVE, ActionKind.REARRANGE) and config.depth >= 0.5
    ]
    # The film's last shot holds a beat after its content (post/ending.py): the last one left once the shots that
    # add nothing and the critics' valid removals are gone, not the rough cut's last.
    removed = adds_nothing | {
        a.shot_id for a in proposed if a.kind == ActionKind.REMOVE and not validate_action(a, plan, order)
    }
    closing = next((shot_id for shot_id in reversed(order) if shot_id not in removed), None)
    for index, shot_id in enumerate(order):
        shot = ctx.shots.get(shot_id)
        if shot is None or shot_id not in takes:
            skipped.append(f"{shot_id}: in the rough cut but not in the plan or the takes; left as it is")
            continue
        previous = ctx.shots.get(order[index - 1]) if index else None
        if shot_id in adds_nothing:
            applied.append(
                EditAction(
                    kind=ActionKind.REMOVE,
                    shot_id=shot_id,
                    reason=f"same set-up as {previous.id if previous else '?'} and no line: it adds nothing",
                )
            )
            continue
        neighbours = {order[i] for i in (index - 1, index + 1) if 0 <= i < len(order)}
        applied.extend(_shape(shot, ctx, neighbours, previous, closing=shot_id == closing))
    if critique is not None:
        for finding in critique.findings:
            for action in finding.actions:
                problem = validate_action(action, plan, order)
                if problem:
                    skipped.append(f"{action.shot_id} {action.kind.value}: {problem}")
                elif (
                    action.kind in (ActionKind.REMOVE, ActionKind.REARRANGE)
                    and config.depth >= 0.5
                    and not any(a.shot_id == action.shot_id and a.kind == ActionKind.REMOVE for a in applied)
                ):
                    applied.append(action)
    return EditDecisions(title=plan.title, applied=applied, skipped=skipped, rough_duration_s=rough.duration_s)


def validate_action(action: EditAction, plan: Plan, order: list[str]) -> str:
    """Why a proposed action cannot be applied, or "" when it can."""
    shots = {s.id: s for s in plan.shots}
    shot = shots.get(action.shot_id)
    if shot is None or action.shot_id not in order:
        return "names a shot that is not in the cut"
    if action.kind == ActionKind.REMOVE and shot.dialogue:
        return "would cut dialogue"
    if action.kind == ActionKind.TRIM and (action.head_frames < 0 or action.tail_frames < 0):
        return "negative trim"
    if action.kind == ActionKind.ACCELERATE and not 1.0 <= action.speed <= 2.0:
        return f"speed {action.speed} outside 1..2"
    if action.kind == ActionKind.REARRANGE:
        scene = next(s for s in plan.scenes if s.index == shot.scene_index)
        ids = [s.id for s in scene.shots]
        if action.position is None or not 0 <= action.position < len(ids):
            return "position outside its scene"
        here = ids.index(shot.id)
        lo, hi = sorted((here, action.position))
        if any(scene.shots[i].dialogue for i in range(lo, hi + 1)):
            return "would move a shot across a line of dialogue (breaks the scene's order)"
    return ""


def vet_edit(decisions: EditDecisions, plan: Plan, rough: Cut, takes: Mapping[str, Take]) -> EditDecisions:
    """A hand-edited `edit.json`: its actions that still fit the film, the others moved to `skipped` with why."""
    order = [clip.shot_id for clip in rough.clips if not clip.cutaway]
    shots = {s.id: s for s in plan.shots}
    kept: list[EditAction] = []
    skipped = list(decisions.skipped)
    for action in decisions.applied:
        problem = validate_action(action, plan, order)
        if not problem and action.kind == ActionKind.TRIM and action.shot_id in takes:
            j_cut = any(a.kind == ActionKind.J_CUT and a.shot_id == action.shot_id for a in decisions.applied)
            problem = _trim_problem(action, shots[action.shot_id], takes[action.shot_id], j_cut)
        if not problem and action.kind == ActionKind.SPLIT and action.cutaway_shot not in takes:
            problem = f"cuts away to {action.cutaway_shot}, which has no take"
        if problem:
            skipped.append(f"{action.shot_id} {action.kind.value}: {problem} (from your edit.json)")
        else:
            kept.append(action)
    return decisions.model_copy(update={"applied": kept, "skipped": skipped, "rough_duration_s": rough.duration_s})


def _trim_problem(action: EditAction, shot: Shot, take: Take, j_cut: bool) -> str:
    head_s, end_s = action.head_frames / take.fps, (take.frames - action.tail_frames) / take.fps
    head_s -= J_CUT_MAX_S if j_cut else 0.0  # a J cut's line may start that far before its picture
    if end_s - head_s < MIN_SHOT_S:
        return f"leaves {max(end_s - head_s, 0):.2f} s of a {take.frames / take.fps:.2f} s take"
    for line in shot.dialogue:
        if head_s > line.start_s + 0.05 or end_s < line.start_s + line.duration_s - 0.05:
            return f'would cut {line.character}\'s line "{line.text[:40]}" out of the picture'
    return ""


def _adds_nothing(shot: Shot, previous: Shot | None) -> bool:
    """A shot with no line that repeats the previous shot's set-up shows nothing new."""
    if previous is None or shot.dialogue or previous.scene_index != shot.scene_index:
        return False
    a, b = shot.camera, previous.camera
    same_setup = (a.scale, a.angle, a.movement, sorted(a.subjects)) == (
        b.scale,
        b.angle,
        b.movement,
        sorted(b.subjects),
    )
    return same_setup and not any(m.path or m.gestures for m in shot.blocking.values())


def _shape(
    shot: Shot, ctx: _Context, neighbours: set[str], previous: Shot | None, closing: bool = False
) -> list[EditAction]:
    """Trim (and accelerate, or split) one shot to its content at its scene's pace; a line after a silent shot
    may lead its picture (a J cut). The film's `closing` shot holds a beat after its content (`post.ending`)."""
    take = ctx.takes[shot.id]
    total_s = take.frames / ctx.fps
    level = ctx.intensity.get(shot.scene_index, 0.5)
    depth = ctx.config.depth
    actions: list[EditAction] = []
    if shot.dialogue:
        first = min(line.start_s for line in shot.dialogue)
        last = max(line.start_s + line.duration_s for line in shot.dialogue)
        lead = _between(LINE_LEAD_S, level)
        trail = _between(LINE_TRAIL_S, level)
        start = max(0.0, first - lead * depth - first * (1 - depth))
        end = min(total_s, last + trail * depth + (total_s - last) * (1 - depth))
        why = f"to the line's beats ({lead:.2f} s before, {trail:.2f} s after; scene intensity {level:.2f})"
        lead_in = _j_cut_s(shot, previous, level, depth)
        if lead_in > 0 and previous is not None:  # (a J cut needs a silent shot before: _j_cut_s)
            start = first + lead_in
            why = f"the line starts {lead_in:.2f} s before its picture (J cut); {trail:.2f} s after it"
            actions.append(
                EditAction(
                    kind=ActionKind.J_CUT,
                    shot_id=shot.id,
                    reason=f"{shot.dialogue[0].character}'s line starts under the silent {previous.id}",
                )
            )
    else:
        beat = _action_beat(shot)
        wanted = scene_pace_s(level, ctx.config) * KIND_WEIGHT.get(shot.kind, 1.0)
        floor = total_s - beat if beat > 0 else MIN_SHOT_S  # a walk is kept whole from its first step
        wanted = min(total_s, max(floor, wanted))
        keep = total_s - depth * (total_s - wanted)
        start = beat if beat > 0 else (total_s - keep) * 0.4
        start = min(start, max(0.0, total_s - keep))
        end = min(total_s, start + keep)
        why = f"to {keep:.1f} s at the scene's pace (intensity {level:.2f})"
    if closing:
        content_end = max((line.start_s + line.duration_s for line in shot.dialogue), default=start)
        held = closing_end_s(start, end, content_end, total_s)
        if held > end + 1e-6:
            end = held
            why += f"; the film's last shot holds {END_HOLD_S:.1f} s after its last line or action"
    head, tail = round(start * ctx.fps), round((total_s - end) * ctx.fps)
    if head or tail:
        actions.append(
            EditAction(kind=ActionKind.TRIM, shot_id=shot.id, head_frames=head, tail_frames=tail, reason=why)
        )
    moving = shot.camera.movement != Movement.STATIC or any(m.path for m in shot.blocking.values())
    if not shot.dialogue and moving and level >= 0.5 and depth > 0 and not closing:  # the closing hold holds
        speed = round(1.0 + (ctx.config.max_speed - 1.0) * level * depth, 2)
        if speed > 1.01:
            actions.append(
                EditAction(
                    kind=ActionKind.ACCELERATE,
                    shot_id=shot.id,
                    speed=speed,
                    reason=f"slow movement in an intense scene ({level:.2f}) sped up x{speed}",
                )
            )
    split = _split(shot, ctx, level, start, end, neighbours)
    if split is not None:
        actions.extend(split)
    return actions


def _split(
    shot: Shot, ctx: _Context, level: float, start: float, end: float, neighbours: set[str]
) -> list[EditAction] | None:
    """Cut away to a listener inside a long line, the line running on under the reaction (an L cut)."""
    if ctx.config.depth < 0.5 or len(shot.dialogue) != 1:
        return None
    line = shot.dialogue[0]
    if line.duration_s < SPLIT_MIN_LINE_S or level < 0.2:
        return None
    split_s = line.start_s + line.duration_s * (0.3 + 0.2 * (1 - level))
    reaction_s = 1.3 - 0.6 * level  # a glance at the listener: shorter the tenser the scene
    needed_s = reaction_s
    scene = next(s for s in ctx.plan.scenes if s.index == shot.scene_index)
    for other in scene.shots:
        subjects = set(other.camera.subjects)
        if (
            other.id == shot.id
            or other.id in neighbours
            or line.character in subjects
            or not subjects
            or other.id not in ctx.takes
            or ctx.takes[other.id].frames / ctx.fps < needed_s
            or any(jumps(other, n) for n in scene.shots if n.id in neighbours | {shot.id})
        ):
            continue  # (a listener at the size of the shot it cuts from or to would read as a jump cut)
        reason = (
            f"{line.duration_s:.1f} s line: cut to {', '.join(sorted(subjects))} listening for {reaction_s:.1f} s, "
            "the line runs on under the reaction"
        )
        return [
            EditAction(
                kind=ActionKind.SPLIT,
                shot_id=shot.id,
                cutaway_shot=other.id,
                split_s=round(split_s, 3),
                speed=round(reaction_s, 2),
                reason=reason,
            ),
            EditAction(
                kind=ActionKind.L_CUT, shot_id=shot.id, reason=f"{line.character}'s line trails under {other.id}"
            ),
        ]
    return None


def _j_cut_s(shot: Shot, previous: Shot | None, level: float, depth: float) -> float:
    """How far the first line leads its picture: in a tense enough scene, after a silent shot of the same scene
    (so no two lines overlap), never more than J_CUT_MAX_S nor a third of the line."""
    if depth < 0.5 or level < 0.3 or previous is None or previous.dialogue:
        return 0.0
    if previous.scene_index != shot.scene_index:
        return 0.0
    line = min(shot.dialogue, key=lambda d: d.start_s)
    return round(min(J_CUT_MAX_S * level, line.duration_s / 3), 2)


def _between(bounds: tuple[float, float], level: float) -> float:
    intense, calm = bounds
    return calm + (intense - calm) * level


def _action_beat(shot: Shot) -> float:
    """Seconds into the take where its action starts: a walk's or a gesture's start, else the top of the take."""
    starts = [max(0.0, mark.start_s - 0.3) for mark in shot.blocking.values() if mark.path]
    starts += [max(0.0, motion_start(mark.gestures[0]) - 0.3) for mark in shot.blocking.values() if mark.gestures]
    return min(starts, default=0.0)


def apply_edit(rough: Cut, plan: Plan, takes: Mapping[str, Take], decisions: EditDecisions) -> Cut:
    """The fine cut: the rough cut with `decisions` applied (order, trims, speed, cutaways)."""
    by_shot: dict[str, list[EditAction]] = {}
    for action in decisions.applied:
        by_shot.setdefault(action.shot_id, []).append(action)
    order = _order(rough, plan, decisions.applied)
    clips: list[CutClip] = []
    fps = rough.fps
    rough_clips = {clip.shot_id: clip for clip in rough.clips if not clip.cutaway}
    for shot_id in order:
        clip = rough_clips[shot_id]
        actions = by_shot.get(shot_id, [])
        if any(a.kind == ActionKind.REMOVE for a in actions):
            continue
        take_frames = takes[shot_id].frames if shot_id in takes else clip.frames
        trim = next((a for a in reversed(actions) if a.kind == ActionKind.TRIM), None)  # the last one holds
        head, tail = (trim.head_frames, trim.tail_frames) if trim else (0, 0)
        speed = max((a.speed for a in actions if a.kind == ActionKind.ACCELERATE), default=1.0)
        source = max(1, take_frames - head - tail)
        split = next((a for a in actions if a.kind == ActionKind.SPLIT and a.cutaway_shot in takes), None)
        if split is None or split.cutaway_shot is None:
            clips.append(_clip(clip, head, source, speed))
            continue
        away = takes[split.cutaway_shot]
        played = split_frames(split, head, source, away.frames, fps)
        clips.append(_clip(clip, head, played.at - head, 1.0))
        clips.append(
            CutClip(
                shot_id=split.cutaway_shot or "",
                scene_index=clip.scene_index,
                media=away.media,
                frames=played.away_frames,
                source_start_frame=played.away_first,
                audio_description=f"reaction under {shot_id}'s line",
                cutaway=True,
            )
        )
        if played.back > 0:
            clips.append(_clip(clip, played.at + played.away_frames, played.back, 1.0))
    return rough.model_copy(update={"clips": clips})


@dataclass(frozen=True)
class SplitFrames:
    """Where a SPLIT leaves its shot and which frames of the other shot it plays, in the shots' own frames."""

    at: int  # the shot's frame the picture cuts away at
    away_first: int  # the other shot's first frame the cutaway plays
    away_frames: int  # how long the cutaway holds
    back: int  # frames of the shot played after it (0: the cutaway holds to the shot's end)

    @property
    def away_span(self) -> tuple[int, int]:
        """The other shot's frames [first, end) the cutaway plays."""
        return self.away_first, self.away_first + self.away_frames


def split_frames(split: EditAction, head: int, source: int, away_whole: int, fps: float) -> SplitFrames:
    """The frames `split` plays, cutting away inside the `source` frames of its shot that start at frame `head`
    to a shot `away_whole` frames long."""
    at = min(max(round(split.split_s * fps), head + 1), head + source - 1)
    end = head + source
    reaction = min(end - at, away_whole, round(split.speed * fps))  # `speed` holds the reaction's seconds
    back = end - at - reaction
    if back < round(MIN_SHOT_S * fps):  # too little left to cut back: the reaction holds to the end
        reaction, back = min(end - at, away_whole), 0
    # The other shot's middle, not the frames of the moment the cutaway stands in for: no other set-up holds that
    # moment. A scene's shots are consecutive stretches of its story (one after another in the plan, each take
    # rendered from its own second 0, a pose carried from one shot into the next), so any frames of another shot
    # show another moment; its middle is where its framing was planned (`previz.framing`: a move's middle).
    return SplitFrames(at=at, away_first=max(0, (away_whole - reaction) // 2), away_frames=reaction, back=back)


def _clip(clip: CutClip, head: int, source_frames: int, speed: float) -> CutClip:
    """The clip `head` frames into its shot's take, playing `source_frames` of it at `speed`."""
    frames = max(1, int(source_frames / speed))
    return clip.model_copy(update={"source_start_frame": head, "frames": frames, "speed": speed})


def _order(rough: Cut, plan: Plan, actions: Iterable[EditAction]) -> list[str]:
    order = [clip.shot_id for clip in rough.clips if not clip.cutaway]
    for action in actions:
        if action.kind != ActionKind.REARRANGE or action.position is None:
            continue
        scene = next(s for s in plan.scenes for shot in s.shots if shot.id == action.shot_id)
        members = [i for i, sid in enumerate(order) if sid in {s.id for s in scene.shots}]
        ids = [order[i] for i in members]
        ids.remove(action.shot_id)
        ids.insert(min(action.position, len(ids)), action.shot_id)
        for i, sid in zip(members, ids, strict=True):
            order[i] = sid
    return order
