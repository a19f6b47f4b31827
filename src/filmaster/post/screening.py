"""Screening: the critics watch a cut, their findings merge into one `Critique`; then the fine cut is decided.

The rough cut is screened from its timing as soon as the takes' lengths are known (before they finish
rendering), so the fine cut — and the sound designed against it — need not wait for the shoot; the fine cut's
pixels and the takes' ground truth are screened once they exist (identical set-ups, jump cuts, crossed lines,
eyelines, unseen subjects), acted on in the same run (`pixel_edit`) and reported in `fine_critique.json`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..model import Critique, Cut, EditDecisions, Plan, Take
from .critics.offline import offline_critique
from .fine_cut import apply_edit, decide_edit, vet_edit
from .intensity import intensity_curve

log = logging.getLogger(__name__)

CRITIQUE_FILE = "critique.json"
FINE_CRITIQUE_FILE = "fine_critique.json"


@dataclass(frozen=True)
class PostResult:
    critique: Critique  # of the rough cut
    decisions: EditDecisions | None  # None: the fine cut was turned off
    cut: Cut  # the cut to lock: the fine cut, or the rough cut
    hand_edited: bool = False  # the decisions came from the user's edit.json
    rough: Cut | None = None  # the rough cut the decisions apply to


def merge(title: str, duration_s: float, critiques: list[Critique]) -> Critique:
    findings = sorted((f for c in critiques for f in c.findings), key=lambda f: (f.start_s, f.kind.value))
    return Critique(
        title=title, cut_duration_s=duration_s, findings=findings, critics=[n for c in critiques for n in c.critics]
    )


def screen(plan: Plan, cut: Cut, config: Config, out_dir: Path | None = None) -> Critique:
    """Every configured critic's findings on `cut` (pixels too when `out_dir` holds its media)."""
    critiques = [offline_critique(plan, cut, intensity_curve(plan), out_dir)]
    if config.edit.persona:
        from ..backends.registry import create_backend
        from .critics.persona import persona_critique

        llm = create_backend("llm", config.backends.llm, **config.backends.settings.get("llm", {}))
        heard = persona_critique(llm, plan, cut, config.edit.persona, config.edit.preferences)
        if heard is not None:
            critiques.append(heard)
    return merge(cut.title, cut.duration_s, critiques)


def edit_decisions(
    plan: Plan,
    rough: Cut,
    takes: Mapping[str, Take],
    config: Config,
    edited: EditDecisions | None,
    critique: Critique | None,
) -> EditDecisions:
    """The fine cut's decisions: `edited` (a hand-edited edit.json) vetted, else the editor's own, taking up the
    `critique`'s proposals (None: without them)."""
    if edited is not None:
        return vet_edit(edited, plan, rough, takes)
    return decide_edit(plan, rough, takes, intensity_curve(plan), config.edit, critique)


def post_produce(
    plan: Plan,
    rough: Cut,
    takes: Mapping[str, Take],
    config: Config,
    fine_cut: bool = True,
    edited: EditDecisions | None = None,
) -> PostResult:
    """Screen the rough cut and, unless turned off, cut it finer — as `edited` (a hand-edited edit.json, vetted)
    says when given, else as the editor decides."""
    critique = screen(plan, rough, config)
    if not (fine_cut and config.edit.fine_cut):
        return PostResult(critique, None, rough, rough=rough)
    decisions = edit_decisions(plan, rough, takes, config, edited, critique)
    if edited is not None:
        for reason in decisions.skipped[len(edited.skipped) :]:
            log.warning("edit.json: %s; skipped", reason)
    cut = apply_edit(rough, plan, takes, decisions)
    decisions = decisions.model_copy(update={"fine_duration_s": cut.duration_s})
    return PostResult(critique, decisions, cut, hand_edited=edited is not None, rough=rough)
