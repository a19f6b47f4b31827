"""A submit journal entry: the vendor's handle of a paid generation job, written the moment the vendor accepts it.

A run stopped while the job renders (killed, crashed, network gone) finds the entry beside the shot's cache slot
and polls the same job again instead of ordering — and paying for — a second one.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .base import Artifact


class SubmittedJob(Artifact):
    SCHEMA: ClassVar[str] = "SubmittedJob.1"

    backend: str  # the video backend that submitted it
    model: str
    shot_id: str
    handle: Any  # what the backend's `poll` needs (a task id, an operation name, status URLs), as JSON
    submitted_at: float  # Unix time
