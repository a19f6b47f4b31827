"""Retries within a budget for one unit of a backend's work, and the record of what fell back.

A unit (a shot, a line, a cue) whose backend call fails — raises, or answers with something its `check` refuses,
such as a clip short of frames — is tried again after a back-off, up to the budget of `http.RetryPolicy`; what
still fails raises `Unrecovered`, and the stage falls back for that unit alone (a previz take, a silent line, a
silent cue) and says so in `FallbackLog`. Configuration mistakes are not retried: they fail the same every time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

import numpy as np

from ..errors import (
    BackendUnavailableError,
    ConfigError,
    ContentRefusedError,
    CostLimitError,
    FilmasterError,
    InputError,
    NotResentError,
)
from .embed.base import WrappedEmbeddings
from .faults import InjectedFault, current
from .http import RetryPolicy

log = logging.getLogger(__name__)

T = TypeVar("T")
# A unit's budget: attempts after the first, and back-offs short enough for local backends.
UNIT_RETRIES = RetryPolicy(max_retries=3, max_wait_s=0.5)
FIRST_WAIT_S = 0.05


class Unrecovered(FilmasterError):
    """A unit of work that failed every attempt of its budget; `last` is the last attempt's error, if it raised."""

    def __init__(self, message: str, last: BaseException | None = None) -> None:
        super().__init__(message)
        self.last = last


def _unit_policy() -> RetryPolicy:
    faults = current()
    if faults is None or faults.retries is None:
        return UNIT_RETRIES
    return RetryPolicy(max_retries=faults.retries, max_wait_s=UNIT_RETRIES.max_wait_s)


# What a service answers again and again (a refused key, a bad request), as opposed to a busy or failing server.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def _fatal(exc: BaseException) -> bool:
    """Mistakes in configuration or input, a refused key or prompt, a spent budget: every attempt fails alike, so
    they are not retried (a refused key or prompt is never sent twice, nor paid for twice). Nor is a purchase whose
    answer was lost: it may have been billed."""
    if isinstance(exc, InjectedFault):
        return False
    fatal = (ConfigError, InputError, BackendUnavailableError, ContentRefusedError, CostLimitError, NotResentError)
    if isinstance(exc, fatal):
        return True
    status = getattr(exc, "status", 0)
    return isinstance(status, int) and status > 0 and status not in TRANSIENT_STATUSES


def with_retries(
    what: str,
    call: Callable[[], T],
    check: Callable[[T], str | None] = lambda _: None,
    policy: RetryPolicy | None = None,
) -> T:
    """`call()`, tried again while it raises or `check(result)` names a defect, up to `policy.max_retries` times
    (default: UNIT_RETRIES, or `[faults] retries` while faults are injected, to measure what retries save)."""
    policy = policy or _unit_policy()
    reason, last = "", None
    for attempt in range(policy.max_retries + 1):
        try:
            result = call()
            defect = check(result)
            if defect is None:
                return result
            reason, last = defect, None
        except Exception as exc:
            if _fatal(exc):
                raise
            reason, last = _one_line(exc), exc
        if attempt < policy.max_retries:
            wait = min(FIRST_WAIT_S * 2.0**attempt, policy.max_wait_s)
            log.info("%s failed (%s); retrying in %.2f s", what, reason, wait)
            time.sleep(wait)
    raise Unrecovered(f"{what}: {reason} (after {policy.max_retries + 1} attempts)", last)


def _one_line(exc: BaseException) -> str:
    """The error's kind and first line (a pydantic error runs to many), short enough for a summary."""
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:160]


class RetriedEmbeddings(WrappedEmbeddings):
    """An embedding backend whose every batch is retried within the unit budget (for callers that embed without
    the cache, such as building the corpus index); the same model, dimension and vectors as the wrapped one."""

    NAME: ClassVar[str] = "retried"

    def embed(self, texts: list[str]) -> np.ndarray:
        def whole(rows: np.ndarray) -> str | None:  # an answer short of rows (cut off) is a failure
            return None if len(rows) == len(texts) else f"{len(rows)} of {len(texts)} rows"

        return with_retries("embedding", lambda: self.inner.embed(texts), whole)


@dataclass
class FallbackLog:
    """What fell back during a run, for the summary at its end (thread-safe: the sound lanes add to it at once)."""

    entries: list[dict[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, kind: str, unit: str, fallback: str, reason: str) -> None:
        with self._lock:
            self.entries.append({"kind": kind, "unit": unit, "fallback": fallback, "reason": reason})
        log.warning("%s %s fell back to %s: %s", kind, unit, fallback, reason)

    def sorted(self) -> list[dict[str, str]]:
        with self._lock:
            return sorted(self.entries, key=lambda e: (e["kind"], e["unit"]))
