"""The end-of-run summary: one block saying what was generated, what fell back (and why) and what it cost.

`summarize` gathers it from what the run recorded (the cache's work counts and fallback log, the generation
report, the shared cost budget); `summary_lines` words it for the console.
"""

from __future__ import annotations

from .budget import CostBudget
from .model import CueKind, SoundPlan
from .model.run_summary import COST_KINDS, Fallback, RunSummary
from .project import Cache
from .stages.generate import NAMESPACE as GENERATED
from .stages.generate import GenerationReport
from .stages.shoot import NAMESPACE as SHOTS


def summarize(
    shots: int, sound: SoundPlan, cache: Cache, generation: GenerationReport | None, budget: CostBudget
) -> RunSummary:
    fell_back = [Fallback(**entry) for entry in cache.fallbacks.sorted()]
    outcomes = generation.outcomes if generation is not None else []
    fell_back += [
        Fallback(kind="generated", unit=o.shot_id, fallback="previz take", reason=o.note) for o in outcomes if o.note
    ]
    painter = generation.keyframes if generation is not None else None
    if painter is not None:
        fell_back += [
            Fallback(kind="keyframes", unit=shot, fallback="previz frame", reason=note)
            for shot, note in painter.notes.items()
        ]
        if painter.unavailable:
            fell_back.append(
                Fallback(kind="keyframes", unit="every shot", fallback="previz frames", reason=painter.unavailable)
            )
    return RunSummary(
        shots=shots,
        rendered=cache.work.computed[SHOTS],
        reused=cache.work.reused[SHOTS],
        generated=cache.work.computed[GENERATED],
        generated_reused=cache.work.reused[GENERATED],
        generators=tuple(sorted({o.backend for o in outcomes if not o.note})),
        keyframes=painter.summary() if painter is not None else "",
        lines=len(sound.of_kind(CueKind.DIALOGUE)),
        cues=len(sound.of_kind(CueKind.MUSIC)),
        fell_back=tuple(fell_back),
        cost_usd={kind: round(budget.spent_by.get(kind, 0.0), 4) for kind in COST_KINDS},
        max_cost_usd=budget.max_usd,
    )


def summary_lines(summary: RunSummary, quiet: bool = False) -> list[str]:
    """The summary as console lines, a section per kind of work; `quiet` keeps only the sections where something
    fell back."""
    sections = (
        ("shots", _shots(summary), summary.of_kind("shots", "generated")),
        ("frames", summary.keyframes, summary.of_kind("keyframes")),  # the painted start frames, when on
        ("voices", _count(summary.lines, "line"), summary.of_kind("dialogue")),
        ("music", _count(summary.cues, "cue"), summary.of_kind("music")),
        ("plan", "", summary.of_kind("plan")),  # said only when retrieval failed
    )
    lines: list[str] = []
    for label, made, failed in sections:
        if not failed and (quiet or not made):
            continue
        said = [made] if made and not quiet else []
        lines.append(f"{label:<7} {', '.join([*said, _fell(failed)])}")
        lines += [f"        {f.unit} → {f.fallback}: {f.reason}" for f in failed]
    if not quiet:
        lines.append(f"{'cost':<7} {_cost(summary)}")
    return lines


def _shots(summary: RunSummary) -> str:
    made = f"{summary.shots} in the film: {summary.rendered} rendered, {summary.reused} reused"
    if not (summary.generated or summary.generated_reused or summary.of_kind("generated")):
        return made
    by = f" ({', '.join(summary.generators)})" if summary.generators else ""
    return f"{made}, {summary.generated} generated{by}, {summary.generated_reused} generated reused"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _fell(failed: list[Fallback]) -> str:
    return f"{len(failed)} fell back" if failed else "none fell back"


def _cost(summary: RunSummary) -> str:
    kinds = ", ".join(f"{kind} {summary.cost_usd.get(kind, 0.0):.2f}" for kind in COST_KINDS)
    limit = "no --max-cost" if summary.max_cost_usd is None else f"of --max-cost {summary.max_cost_usd:.2f}"
    # Every request sent is counted, a refused or failed one too: a vendor may bill it.
    return f"~{summary.total_cost_usd:.2f} USD estimated for the requests sent ({kinds}) {limit}"
