"""The fine cut's second pass, once the takes exist: screen the locked cut's pixels and ground truth, and act.

The fine cut is decided from the takes' timing before they finish rendering (the sound is designed against it
meanwhile). What only the pictures tell — two set-ups that look the same across a cut, a crossed 180° line, an
eyeline that misses, a subject a wall hides — is screened here; a finding the film can repair (another set-up of
the moment cut in under a line, a look-alike moved apart, a neutral shot between two sides of the line, see
`repairs`; else a shot with no line that adds nothing or breaks the geography removed) becomes an edit action with
the finding as its reason, in the same run; one nothing repairs is left flagged. The screening is cached by the
cut and its media, so a film with nothing to fix pays for it once: the delivered `fine_critique.json` is the
same screening.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..model import ActionKind, Critique, Cut, EditAction, FindingKind, Plan, Take
from ..project import Project, content_key
from .critics.offline import offline_critique
from .fine_cut import apply_edit, validate_action
from .intensity import intensity_curve
from .repairs import repairs
from .screening import PostResult

PIXEL_REASON = "screened on the pixels"
PIXEL_ACTIONS = {ActionKind.REMOVE, ActionKind.REARRANGE, ActionKind.SPLIT}
SCREENING_VERSION = 2  # bump when the critic's measures change, so stored screenings are not reused


def screen_pixels(plan: Plan, cut: Cut, takes: Mapping[str, Take], project: Project) -> Critique:
    """The offline critic on `cut` with its pixels and the takes' ground truth (cached by all three and the plan)."""
    media = sorted({c.media for c in cut.clips})
    ids = {c.shot_id for c in cut.clips}
    truths = sorted({t.ground_truth for t in takes.values() if t.ground_truth and t.shot_id in ids})
    # The plan too: what the critic proposes depends on it (a shot with a line is never removed).
    key = content_key(
        "fine-critique", SCREENING_VERSION, plan, cut, project.media_digest(media), project.media_digest(truths)
    )

    def make(tmp: Path) -> None:
        critique = offline_critique(plan, cut, intensity_curve(plan), project.out, takes)
        tmp.write_text(critique.to_json(), encoding="utf-8")

    return Critique.load(project.cache.fetch_or_make("screening", key, ".json", make))


def act_on_pixels(
    plan: Plan, post: PostResult, locked: Cut, takes: Mapping[str, Take], project: Project
) -> PostResult | None:
    """`post` with the screening of `locked` (its cut, picture-locked) acted on, or None when there is nothing to
    do: the fine cut is off, the edit is the user's own edit.json, or no finding proposes an action the film can
    take. Each finding gets the first of its repairs (`repairs`: another set-up, a rearrange, a neutral shot) or
    of the critic's own proposals (a removal) that the film allows. The new cut is not screened again here;
    `fine_critique.json` reports what is left."""
    if post.decisions is None or post.hand_edited or post.rough is None:
        return None
    screened = screen_pixels(plan, locked, takes, project)
    state = _State(
        order=[clip.shot_id for clip in post.rough.clips if not clip.cutaway],
        shown={clip.shot_id for clip in post.cut.clips if not clip.cutaway},
        removed={a.shot_id for a in post.decisions.applied if a.kind == ActionKind.REMOVE},
        split={a.shot_id for a in post.decisions.applied if a.kind == ActionKind.SPLIT},
        moved={a.shot_id for a in post.decisions.applied if a.kind == ActionKind.REARRANGE},
        cut_to={a.cutaway_shot for a in post.decisions.applied if a.kind == ActionKind.SPLIT and a.cutaway_shot},
        accelerated={a.shot_id for a in post.decisions.applied if a.kind == ActionKind.ACCELERATE},
    )
    unseen = {sid for f in screened.findings if f.kind == FindingKind.SUBJECT_NOT_SEEN for sid in f.shot_ids}
    added: list[EditAction] = []
    skipped: list[str] = []
    for finding in screened.findings:
        # Timing (trims, speed) was decided on the takes' lengths already: the pixels decide only what they show.
        own = [a for a in finding.actions if a.kind in PIXEL_ACTIONS]
        proposals = [*repairs(finding, plan, locked, takes, project.out, unseen), *own]
        problems = []
        for action in proposals:
            problem = _problem(action, plan, post.cut, takes, state)
            if problem:
                problems.append(f"{action.shot_id} {action.kind.value}: {problem}")
                continue
            state.take(action)
            how = f" → {action.reason}" if action.reason else ""
            reason = f"{PIXEL_REASON}: {finding.kind.value}: {finding.message}{how}"
            added.append(action.model_copy(update={"reason": reason}))
            break
        else:
            if problems:  # flagged: every proposal refused, each with why
                skipped.append(f"{'; '.join(problems)} ({PIXEL_REASON})")
    if not added and not skipped:
        return None
    decisions = post.decisions.model_copy(
        update={"applied": [*post.decisions.applied, *added], "skipped": [*post.decisions.skipped, *skipped]}
    )
    if not added:
        return replace(post, decisions=decisions)
    cut = apply_edit(post.rough, plan, takes, decisions)
    decisions = decisions.model_copy(update={"fine_duration_s": cut.duration_s})
    return replace(post, decisions=decisions, cut=cut)


@dataclass
class _State:
    """What the fine cut has done to which shots, as the pass adds actions."""

    order: list[str]
    shown: set[str]
    removed: set[str]
    split: set[str]
    moved: set[str]
    cut_to: set[str]  # shots another shot cuts away to: removing them would leave them playing inside it
    accelerated: set[str]  # a split plays its pieces at normal speed, which would undo the acceleration

    def take(self, action: EditAction) -> None:
        if action.kind == ActionKind.REMOVE:
            self.removed.add(action.shot_id)
            self.shown.discard(action.shot_id)
        elif action.kind == ActionKind.SPLIT:
            self.split.add(action.shot_id)
            if action.cutaway_shot:
                self.cut_to.add(action.cutaway_shot)
        elif action.kind == ActionKind.REARRANGE:
            self.moved.add(action.shot_id)


def _problem(action: EditAction, plan: Plan, cut: Cut, takes: Mapping[str, Take], state: _State) -> str:
    """Why the pass cannot take `action` on this cut, or "" when it can."""
    if action.shot_id in state.removed or action.shot_id not in state.shown:
        return "not in the cut (or seen only as a cutaway)"
    problem = validate_action(action, plan, state.order)
    if problem:
        return problem
    if action.kind == ActionKind.REMOVE:
        take = takes.get(action.shot_id)
        if take is not None and take.backend != "previz":
            # A generated take was paid for and its pixels are a model's, not the renderer's: the editor
            # decides (a removal in edit.json), the pass only reports it.
            return f"a take generated by {take.backend} is not removed on the pixels alone"
        if not _scene_keeps_a_shot(cut, state.shown, action.shot_id):
            return "would leave its scene with no shot"
        if action.shot_id in state.cut_to:
            return "another shot cuts away to it"
    if action.kind == ActionKind.SPLIT:
        if action.shot_id in state.split:
            return "already cuts away once"
        if action.shot_id in state.accelerated:
            return "it is sped up, and a split plays its pieces at normal speed"
        if action.cutaway_shot not in takes or action.cutaway_shot in state.removed:
            return f"{action.cutaway_shot} has no take to cut to"
    if action.kind == ActionKind.REARRANGE and action.shot_id in state.moved:
        return "already moved once"
    return ""


def _scene_keeps_a_shot(cut: Cut, shown: set[str], shot_id: str) -> bool:
    scene = next(c.scene_index for c in cut.clips if c.shot_id == shot_id)
    return any(c.shot_id in shown and c.shot_id != shot_id for c in cut.clips if c.scene_index == scene)
