"""The fine cut's second pass, once the takes exist: screen the locked cut's pixels and ground truth, and act.

The fine cut is decided from the takes' timing before they finish rendering (the sound is designed against it
meanwhile). What only the pictures tell — two set-ups that look the same across a cut, a crossed 180° line, an
eyeline that misses, a subject a wall hides — is screened here; a finding whose proposed action the film can
take (a shot with no line that adds nothing or breaks the geography) becomes an edit action with the finding as
its reason, in the same run. The screening is cached by the cut and its media, so a film with nothing to fix
pays for it once: the delivered `fine_critique.json` is the same screening.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ..model import ActionKind, Critique, Cut, EditAction, Plan, Take
from ..project import Project, content_key
from .critics.offline import offline_critique
from .fine_cut import apply_edit, validate_action
from .intensity import intensity_curve
from .screening import PostResult

PIXEL_REASON = "screened on the pixels"
SCREENING_VERSION = 2  # bump when the critic's measures change, so stored screenings are not reused


def screen_pixels(plan: Plan, cut: Cut, takes: Mapping[str, Take], project: Project) -> Critique:
    """The offline critic on `cut` with its pixels and the takes' ground truth (cached by both)."""
    media = sorted({c.media for c in cut.clips})
    ids = {c.shot_id for c in cut.clips}
    truths = sorted({t.ground_truth for t in takes.values() if t.ground_truth and t.shot_id in ids})
    key = content_key(
        "fine-critique", SCREENING_VERSION, cut, project.media_digest(media), project.media_digest(truths)
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
    take. The new cut is not screened again here; `fine_critique.json` reports what is left."""
    if post.decisions is None or post.hand_edited or post.rough is None:
        return None
    screened = screen_pixels(plan, locked, takes, project)
    order = [clip.shot_id for clip in post.rough.clips if not clip.cutaway]
    shown = {clip.shot_id for clip in post.cut.clips if not clip.cutaway}
    removed = {a.shot_id for a in post.decisions.applied if a.kind == ActionKind.REMOVE}
    added: list[EditAction] = []
    skipped: list[str] = []
    for finding in screened.findings:
        for action in finding.actions:
            if action.kind != ActionKind.REMOVE or action.shot_id in removed or action.shot_id not in shown:
                continue  # only removals are decided on pixels; a shot seen only as a cutaway keeps its place
            problem = validate_action(action, plan, order)
            if not problem and not _scene_keeps_a_shot(post.cut, shown, action.shot_id):
                problem = "would leave its scene with no shot"
            if problem:
                skipped.append(f"{action.shot_id} {action.kind.value}: {problem} ({PIXEL_REASON})")
                continue
            removed.add(action.shot_id)
            shown.discard(action.shot_id)
            reason = f"{PIXEL_REASON}: {finding.kind.value}: {finding.message}"
            added.append(action.model_copy(update={"reason": reason}))
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


def _scene_keeps_a_shot(cut: Cut, shown: set[str], shot_id: str) -> bool:
    scene = next(c.scene_index for c in cut.clips if c.shot_id == shot_id)
    return any(c.shot_id in shown and c.shot_id != shot_id for c in cut.clips if c.scene_index == scene)
