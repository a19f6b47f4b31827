"""One shot (or part of one) rendered within the unit's retry budget, wherever it runs: a worker of the local
process pool or of a Ray cluster. Both call `render_take`, so a shot falls back alike on either."""

from __future__ import annotations

from pathlib import Path

from ..backends.faults import FaultyBackend
from ..backends.resilience import Unrecovered, with_retries
from ..backends.video.base import VideoBackend
from ..errors import RenderError
from ..model.shot_request import ShotRequest
from ..verify import clip_ok


def render_take(backend: VideoBackend | FaultyBackend, request: ShotRequest, clip: Path, truth: Path) -> str | None:
    """Render `request` into `clip` (and its ground truth into `truth`), retried; return why it fell back to the
    plain previz renderer (only when faults are injected into the backend), else None. A real failure, every
    attempt, raises its own error: the run reports it."""
    frames = request.part[1] - request.part[0] if request.part else request.frames

    def complete(_: object) -> str | None:  # a clip short of frames (a cut-off download) is a failed attempt
        return None if clip_ok(clip, frames) else f"the clip does not hold its {frames} frames"

    try:
        with_retries(f"shot {request.shot.id}", lambda: backend.shoot(request, clip, truth), complete)
        return None
    except Unrecovered as exc:
        if not isinstance(backend, FaultyBackend):
            raise (exc.last or RenderError(f"shot {request.shot.id}: rendering failed: {exc}")) from None
        backend.inner.shoot(request, clip, truth)  # the previz take, without the injected faults
        return str(exc)
