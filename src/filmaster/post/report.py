"""Post-production's files (`critique.json`, `edit.json`, `fine_critique.json`) and their readable report."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..atomic import write_text_atomic
from ..errors import InputError
from ..model import Critique, Cut, EditDecisions, Plan, Take
from ..project import Project
from .edit_file import EDIT_FILE, write_decisions
from .measure import shot_lengths_s, sigma_ln
from .pixel_edit import screen_pixels
from .screening import CRITIQUE_FILE, FINE_CRITIQUE_FILE, PostResult


def describe_post(post: PostResult) -> str:
    lengths = shot_lengths_s(post.cut)
    head = f"{len(post.critique.findings)} findings on the rough cut"
    if post.decisions is None:
        return f"{head}; fine cut off, rough cut locked"
    return (
        f"{head}; {len(post.decisions.applied)} edit actions → {len(post.cut.clips)} clips, "
        f"{post.cut.duration_s:.1f} s, σ ln(shot length) {sigma_ln(lengths):.2f}, picture locked"
    )


def write_post(plan: Plan, cut: Cut, post: PostResult, project: Project, takes: Mapping[str, Take]) -> list[Path]:
    """Write the screening and the edit; screen the locked cut's pixels (cached by the cut and its media)."""
    out = project.out
    written = [write_text_atomic(out / CRITIQUE_FILE, post.critique.to_json())]
    edit = write_decisions(project, post.decisions, hand_edited=post.hand_edited)
    written += [edit] if edit is not None else []
    screened = screen_pixels(plan, cut, takes, project)
    written.append(write_text_atomic(out / FINE_CRITIQUE_FILE, screened.to_json()))
    return written


def critique_report(out: Path) -> str:
    """`filmaster critique OUT`: the screening of the rough cut, what the editor did, what still shows."""
    path = out / CRITIQUE_FILE
    if not path.is_file():
        raise InputError(f"{out} holds no {CRITIQUE_FILE}; run `filmaster make SCREENPLAY -o {out}` first")
    lines = [_critique_text("Screening of the rough cut", Critique.load(path))]
    edit = out / EDIT_FILE
    if edit.is_file():
        decisions = EditDecisions.load(edit)
        lines.append(
            f"Fine cut: {len(decisions.applied)} actions, {decisions.rough_duration_s:.1f} s → "
            f"{decisions.fine_duration_s:.1f} s"
        )
        lines += [f"  {a.shot_id:<8} {a.kind.value:<10} {a.reason}" for a in decisions.applied]
        lines += [f"  skipped: {reason}" for reason in decisions.skipped]
    else:
        lines.append("Fine cut: off (the rough cut was delivered)")
    fine = out / FINE_CRITIQUE_FILE
    if fine.is_file():
        lines.append(_critique_text("Screening of the delivered cut", Critique.load(fine)))
    return "\n".join(lines)


def _critique_text(title: str, critique: Critique) -> str:
    lines = [f"{title} ({critique.cut_duration_s:.1f} s; critics: {', '.join(critique.critics)}):"]
    if not critique.findings:
        lines.append("  no findings")
    for f in critique.findings:
        figures = ", ".join(f"{k} {v:g}" for k, v in f.evidence.items())
        lines.append(f"  {f.start_s:6.1f}-{f.end_s:6.1f} s  {f.kind.value:<18} {f.message}  [{figures}]")
        lines += [f"      → {a.kind.value} {a.shot_id}: {a.reason}" for a in f.actions]
    return "\n".join(lines)


__all__ = ["critique_report", "describe_post", "write_post"]
