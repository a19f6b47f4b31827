"""What one `make` produced: the shots rendered, generated or reused, every unit that fell back and why, and what
the paid services were estimated to cost against --max-cost. Kept in the manifest's `last_run`, printed at the end."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .base import Artifact

# The kinds of work a run's cost is counted under (budget.CostBudget.spent_by), in the order they are shown.
COST_KINDS = ("voices", "music", "shots")


class Fallback(Artifact):
    """One unit that did not get what was asked: what stood in for it, and why."""

    SCHEMA: ClassVar[str] = "Fallback.1"

    kind: str  # "shots" (a render failed), "generated" (a vendor's shot), "keyframes", "dialogue", "music", "plan"
    unit: str  # the shot or cue id
    fallback: str  # what stands in: "previz take", "silence", "Piper's voice", ...
    reason: str


class RunSummary(Artifact):
    SCHEMA: ClassVar[str] = "RunSummary.1"

    shots: int = Field(ge=0)  # in the film
    rendered: int = Field(ge=0)  # previz takes rendered this run
    reused: int = Field(ge=0)  # previz takes found in the cache
    generated: int = Field(ge=0)  # shots a generative backend made this run
    generated_reused: int = Field(ge=0)  # generated shots found in the cache
    generators: tuple[str, ...] = ()
    keyframes: str = ""  # what the keyframe painter did ([generate] keyframe), when it is on
    lines: int = Field(ge=0)  # dialogue lines in the film
    cues: int = Field(ge=0)  # music cues in the film
    fell_back: tuple[Fallback, ...] = ()
    cost_usd: dict[str, float] = Field(default_factory=dict)  # estimated, by kind (COST_KINDS)
    max_cost_usd: float | None = None

    def of_kind(self, *kinds: str) -> list[Fallback]:
        return [f for f in self.fell_back if f.kind in kinds]

    @property
    def total_cost_usd(self) -> float:
        return round(sum(self.cost_usd.values()), 4)
