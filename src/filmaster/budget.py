"""Spending on paid services within one run: what was spent, and whether a next call still fits `--max-cost`.

Shared by the generative video stage and by `develop`'s language-model calls, so one limit covers both.
"""

from __future__ import annotations

import threading

from .errors import CostLimitError


class CostBudget:
    def __init__(self, max_usd: float | None, spent_usd: float = 0.0) -> None:
        self.max_usd = max_usd
        self.spent_usd = spent_usd
        self.spent_by: dict[str, float] = {}  # what each kind of work ("voices", "music", "shots") was counted
        self._lock = threading.Lock()

    def allows(self, estimate_usd: float) -> bool:
        return self.max_usd is None or self.spent_usd + estimate_usd <= self.max_usd + 1e-9

    def refusal(self, estimate_usd: float) -> CostLimitError:
        return CostLimitError(
            f"~{estimate_usd:.2f} USD would pass --max-cost {self.max_usd or 0.0:.2f} (already {self.spent_usd:.2f})"
        )

    def reserve(self, estimate_usd: float, what: str = "") -> None:
        """Count `estimate_usd` as spent on `what`, or raise CostLimitError when it would pass the limit."""
        with self._lock:
            if not self.allows(estimate_usd):
                raise self.refusal(estimate_usd)
            self._count(estimate_usd, what)

    def charge(self, usd: float, what: str = "") -> None:
        """Count what a call really cost (after it, from the service's token counts)."""
        with self._lock:
            self._count(usd, what)

    def _count(self, usd: float, what: str) -> None:
        self.spent_usd += usd
        self.spent_by[what] = self.spent_by.get(what, 0.0) + usd

    @property
    def left_usd(self) -> float | None:
        return None if self.max_usd is None else max(self.max_usd - self.spent_usd, 0.0)
