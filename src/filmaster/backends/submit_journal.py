"""The submit journal: a paid job's handle, kept beside its cache slot from the moment the vendor accepts it.

A video shot (backends/video/remote.py) and a painted keyframe (backends/image/remote.py) are both bought as a
queued job that is submitted, then polled. A run stopped while it polls finds the entry next time and polls the
same job again, instead of ordering — and paying for — a second one. Whoever stores the result removes the entry.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..atomic import write_text_atomic
from ..errors import InputError
from ..model.submitted_job import SubmittedJob

log = logging.getLogger(__name__)


def journalled(journal: Path | None, backend: str, model: str, unit: str, submit: Callable[[], Any]) -> Any:
    """The handle of the job `journal` keeps for this backend and model (whatever unit ordered it), else of the one
    `submit` orders now, written to `journal` the moment the vendor accepts it. The handle must be JSON."""
    handle = resumed(journal, backend, model, unit)
    if handle is None:
        handle = submit()
        if journal is not None:
            entry = SubmittedJob(backend=backend, model=model, shot_id=unit, handle=handle, submitted_at=time.time())
            write_text_atomic(journal, entry.to_json())
    return handle


def resumed(journal: Path | None, backend: str, model: str, unit: str) -> Any:
    """The handle of the job an earlier run submitted, if `journal` holds one of this backend and model (`unit`
    names the shot or picture in the log)."""
    if journal is None or not journal.is_file():
        return None
    try:
        entry = SubmittedJob.load(journal)
    except InputError:
        log.warning("%s: ignoring an unreadable submit journal %s", backend, journal)
        return None
    # The journal sits in the request's content-keyed slot, so the same request under another unit (a shot
    # renumbered by an inserted one, or the first of two identical shots) is the same job: resume it, never re-buy.
    if (entry.backend, entry.model) != (backend, model):
        return None
    log.info("%s: %s resumes the job submitted before (%s)", backend, unit, entry.handle)
    return entry.handle
