"""Repairs for what the pixels show, beyond removing a shot: the edits an editor tries first.

- A shot whose frames do not show the character it is of, and that carries a line: after a moment of it, the
  picture cuts to another set-up of the same scene that shows that character, else to a listener, while the line
  runs on under it (a split and an L cut). No set-up films the same moment (a scene's shots follow one another in
  its story, see `fine_cut.split_frames`): the cutaway shows the character at another moment of the scene.
- Two set-ups that look the same across a cut: the one without a line moves to a place in its scene where its new
  neighbours are filmed differently (a rearrange), before it is removed.
- A crossed 180° line between two shots that both carry a line: a neutral shot of the scene (one whose frames the
  cutaway would play show, by its ground truth, no character facing across the frame: a prop, an empty place, an
  on-axis look) is cut in at the end of the first shot, under its line.

Each repair is a proposal in the order it is preferred; the pixel pass (`pixel_edit`) takes the first one the film
allows, and the critic's own proposal (a removal) after them. None for a finding nothing can repair: it is flagged.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path

from ..model import ActionKind, Cut, CutClip, EditAction, Finding, FindingKind, Plan, SceneBlock, Shot, Take
from ..stages.setups import too_alike
from .critics.continuity import shows_no_side
from .fine_cut import MIN_SHOT_S, split_frames

NEUTRAL_S = 1.0  # the longest a neutral shot holds between two sides of the line
VISIBLE_SUFFIX = "_visible"  # evidence key of an unseen character's measured share (see critics.continuity)


def repairs(
    finding: Finding, plan: Plan, cut: Cut, takes: Mapping[str, Take], out_dir: Path, unseen: set[str]
) -> list[EditAction]:
    """The repairs for `finding` on `cut` (its media and the takes' ground truth under `out_dir`), preferred
    first; `unseen` holds the shots that do not show their subject (never used to show someone)."""
    shots = {s.id: s for s in plan.shots}
    if not finding.shot_ids or any(sid not in shots for sid in finding.shot_ids):
        return []
    scene = next(s for s in plan.scenes if s.index == shots[finding.shot_ids[0]].scene_index)
    usable = [s for s in scene.shots if s.id in takes and s.id not in unseen]
    if finding.kind == FindingKind.SUBJECT_NOT_SEEN:
        return _show_the_subject(finding, shots[finding.shot_ids[0]], usable, cut, takes)
    if finding.kind == FindingKind.IDENTICAL_SETUP and len(finding.shot_ids) == 2:
        return _move_apart(finding, scene, cut, shots)
    if finding.kind == FindingKind.CROSSED_LINE and len(finding.shot_ids) == 2:
        a, b = (shots[sid] for sid in finding.shot_ids)
        if a.dialogue and b.dialogue:
            others = [o for o in usable if o.id not in (a.id, b.id)]
            return _neutral_between(a, b, others, cut, takes, out_dir)
    return []


def _show_the_subject(
    finding: Finding, shot: Shot, usable: list[Shot], cut: Cut, takes: Mapping[str, Take]
) -> list[EditAction]:
    if not shot.dialogue:
        return []  # nothing is lost by removing it: the critic's own proposal
    clip = _clip_of(cut, shot.id)
    if clip is None:
        return []
    missing = {key.removesuffix(VISIBLE_SUFFIX) for key in finding.evidence if key.endswith(VISIBLE_SUFFIX)}
    speakers = {line.character for line in shot.dialogue}
    fps = cut.fps
    head = clip.source_start_frame + round(MIN_SHOT_S * fps)  # a moment of the shot, then the other picture
    rest_s = (clip.source_end_frame - head) / fps
    if rest_s < MIN_SHOT_S:
        return []
    showing = [o for o in usable if o.id != shot.id and missing <= set(o.camera.subjects)]
    showing.sort(key=lambda o: len(o.camera.subjects))  # the one who is missing alone, first
    listeners = [
        o for o in usable if o.id != shot.id and o.camera.subjects and not set(o.camera.subjects) & (missing | speakers)
    ]
    actions = []
    for other, what in [
        *((o, "another set-up of the scene") for o in showing),
        *((o, "a listener") for o in listeners),
    ]:
        if _take_s(takes[other.id]) < MIN_SHOT_S:
            continue
        why = f"cut to {other.id} ({what}: {', '.join(other.camera.subjects)}) under the line"
        actions.append(_cut_away(shot.id, other.id, head / fps, rest_s, why))
    return actions


def _move_apart(finding: Finding, scene: SceneBlock, cut: Cut, shots: Mapping[str, Shot]) -> list[EditAction]:
    """Rearranges of the silent shot of the pair to every place in its scene where it joins no look-alike,
    nearest first."""
    order = [c.shot_id for c in cut.clips if not c.cutaway and c.scene_index == scene.index]
    actions = []
    for mover in reversed(finding.shot_ids):  # the later shot first, as the critic's removal
        if shots[mover].dialogue or mover not in order:
            continue
        rest = [sid for sid in order if sid != mover]
        here = order.index(mover)
        places = sorted(range(len(rest) + 1), key=lambda p: abs(p - here))
        for place in places:
            moved = [*rest[:place], mover, *rest[place:]]
            if moved == order:
                continue
            around = [shots[sid] for sid in moved[max(0, place - 1) : place + 2]]
            if any(too_alike(x, y) for x, y in itertools.pairwise(around)):
                continue
            actions.append(
                EditAction(
                    kind=ActionKind.REARRANGE,
                    shot_id=mover,
                    position=place,
                    reason=f"moved to place {place + 1} of its scene, between set-ups filmed differently",
                )
            )
    return actions


def _neutral_between(
    a: Shot, b: Shot, others: list[Shot], cut: Cut, takes: Mapping[str, Take], out_dir: Path
) -> list[EditAction]:
    """A cutaway at the end of `a` to each of `others` whose frames it would play are neutral (their ground
    truth shows no one facing across the frame)."""
    index = next(
        (i for i in range(len(cut.clips) - 1) if (cut.clips[i].shot_id, cut.clips[i + 1].shot_id) == (a.id, b.id)),
        None,
    )
    if index is None or cut.clips[index].cutaway:
        return []
    clip = cut.clips[index]
    fps = cut.fps
    end = clip.source_end_frame
    actions = []
    for other in others:
        # As long as the first shot leaves a shot's worth of itself before it, at most NEUTRAL_S.
        room_s = (end - clip.source_start_frame) / fps - MIN_SHOT_S
        hold_s = min(NEUTRAL_S, _take_s(takes[other.id]), room_s)
        if hold_s < MIN_SHOT_S:
            continue
        why = f"a neutral shot ({other.id}, {other.kind.value}) between the two sides of the line"
        action = _cut_away(a.id, other.id, (end - hold_s * fps) / fps, hold_s, why)
        # Neutral where it plays: the frames the fine cut will take of it, not the take's first and last.
        source = round(end - clip.source_start_frame)  # the shot's frames the clip covers
        played = split_frames(action, clip.source_start_frame, source, takes[other.id].frames, fps)
        if shows_no_side(takes[other.id], out_dir, played.away_span):
            actions.append(action)
    return actions


def _cut_away(shot_id: str, other_id: str, at_s: float, hold_s: float, reason: str) -> EditAction:
    """A SPLIT of `shot_id` at `at_s` seconds into it, to `other_id` for `hold_s` (a SPLIT's `speed` holds the
    cutaway's seconds)."""
    return EditAction(
        kind=ActionKind.SPLIT,
        shot_id=shot_id,
        cutaway_shot=other_id,
        split_s=round(at_s, 3),
        speed=round(hold_s, 3),
        reason=reason,
    )


def _take_s(take: Take) -> float:
    """The shot's length in seconds (its take holds all of it)."""
    return take.frames / take.fps


def _clip_of(cut: Cut, shot_id: str) -> CutClip | None:
    clips = [c for c in cut.clips if c.shot_id == shot_id and not c.cutaway]
    return clips[0] if len(clips) == 1 else None  # a shot already split in two is not split again
