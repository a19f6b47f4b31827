"""The keyframe step: a generated shot's first frame painted by an image backend before image-to-video.

With `[generate] keyframe = "<image backend>"`, every shot that a video service films from a start image is sent,
instead of its raw previz frame, that frame painted by the image backend (OpenAI images, FLUX on fal or Replicate,
local diffusers): the previz frame as the starting picture (so the planned framing and blocking stay), the shot's
words and the scene's place and time as the prompt, the character and location pictures as references where the
service takes them. The painted frame is cached by the content of all of that and the painter's identity, so a
re-run pays nothing. When painting fails (a missing key, a refused prompt, --max-cost reached, a reply that is not
a picture) the shot goes on from its previz frame, and the take's record says why (`Take.keyframe.note`).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_bytes_atomic, write_text_atomic
from ..backends.image.base import ImageBackend, PaintRequest
from ..backends.registry import create_backend
from ..backends.video.references import picture_digest
from ..backends.video.remote import camera_prompt, check_image
from ..budget import CostBudget
from ..errors import FilmasterError
from ..model import Keyframe, ShotRequest
from ..progress import Reporter
from ..project import Project, content_key

log = logging.getLogger(__name__)
NAMESPACE = "keyframes"


@dataclass
class KeyframeReport:
    """What the keyframe step painted in one run, what it reused, what it spent and which shots kept their
    previz frame (and why)."""

    backend: str
    painted: int = 0
    reused: int = 0
    spent_usd: float = 0.0
    kept: int = 0  # shots sent their previz frame
    notes: dict[str, str] = field(default_factory=dict)  # shot id -> why its previz frame was sent
    unavailable: str = ""  # why the painter could not run at all (said once, not per shot)

    def summary(self) -> str:
        text = f"{self.painted} keyframe(s) painted by {self.backend}, {self.reused} reused"
        return text + (f", {self.kept} kept the previz frame" if self.kept else "")


class Keyframer:
    """Paints start frames with one image backend for one run; safe to call from the generate stage's threads."""

    def __init__(
        self,
        name: str,
        backend: ImageBackend | FilmasterError,
        project: Project,
        budget: CostBudget,
        reporter: Reporter,
    ) -> None:
        self.name, self.backend, self.project, self.budget, self.reporter = name, backend, project, budget, reporter
        self.report = KeyframeReport(name, unavailable=str(backend) if isinstance(backend, FilmasterError) else "")
        self._lock = threading.Lock()
        if self.report.unavailable:  # said once; every shot's record repeats it
            reporter.warn(f"keyframe: {backend}; shots start from their previz frame")

    @property
    def identity(self) -> dict[str, Any] | None:
        """What a generated clip's cache key must add when its start frame is painted (None when painting cannot
        run at all, so that fixing the key later regenerates the shots from painted frames)."""
        return None if isinstance(self.backend, FilmasterError) else self.backend.cache_identity

    def start_frame(
        self, request: ShotRequest, previz_png: bytes, references: tuple[Path, ...]
    ) -> tuple[bytes, Keyframe]:
        """The start image for a shot — its previz frame painted, or the previz frame itself with a note."""
        shot_id = request.shot.id
        if isinstance(self.backend, FilmasterError):
            return previz_png, self._kept(shot_id, str(self.backend))
        backend = self.backend
        paint = PaintRequest(
            keyframe_prompt(request), request.settings.width, request.settings.height, request.seed, f"shot {shot_id}"
        )
        key = content_key(
            NAMESPACE, backend.cache_identity, paint.prompt, paint.width, paint.height, paint.seed,
            _digest(previz_png), [picture_digest(path) for path in references if path.is_file()],
        )  # fmt: skip
        png = self.project.cache.path(NAMESPACE, key, ".png")
        record = self.project.cache.path(NAMESPACE, key, ".json")
        journal = self.project.cache.path(NAMESPACE, key, ".job.json")  # a queued painting's job, while painted
        if png.is_file() and record.is_file():
            self.project.cache.record(NAMESPACE, computed=False)
            with self._lock:
                self.report.reused += 1
            return png.read_bytes(), Keyframe.model_validate(json.loads(record.read_text(encoding="utf-8")))
        for reference in references:
            check_image(reference)  # a reference that is not a picture fails the shot before anything is paid
        estimate = backend.estimate_cost(paint)
        try:
            self.budget.reserve(estimate, "shots")  # a start frame is part of its shot's cost
            start = png.with_name(f".{key}.{threading.get_ident()}.previz.png")
            painted = png.with_name(f".{key}.{threading.get_ident()}.painted.png")
            write_bytes_atomic(start, previz_png)
            try:
                # A queued service is given the journal (by position: a fault injector names a call's unit by its
                # arguments less its paths), so a run stopped while it paints polls the same job next time.
                queued = (journal,) if getattr(backend, "QUEUED", False) else ()
                result = backend.paint(paint, start, references, painted, *queued)
                frame = _conform(painted.read_bytes(), previz_png, self.name)
            finally:
                start.unlink(missing_ok=True)
                painted.unlink(missing_ok=True)
        except FilmasterError as exc:
            return previz_png, self._kept(shot_id, str(exc))
        except Exception as exc:  # a painter's surprise must not cost the shot: it goes on from its previz frame
            log.debug("painting the keyframe of %s failed", shot_id, exc_info=True)
            return previz_png, self._kept(shot_id, f"{type(exc).__name__}: {exc}")
        made = Keyframe(
            backend=self.name, model=result.model, seed=result.seed, prompt=result.prompt, cost_usd=result.cost_usd
        )
        write_text_atomic(record, made.model_dump_json())
        write_bytes_atomic(png, frame)  # the picture's presence marks the keyframe done
        journal.unlink(missing_ok=True)  # last: until the picture is stored, a rerun fetches the same job
        self.project.cache.record(NAMESPACE, computed=True)
        with self._lock:
            self.report.painted += 1
            self.report.spent_usd = round(self.report.spent_usd + result.cost_usd, 4)
        return frame, made

    def reused_with(self, record: dict[str, Any] | None) -> None:
        """Count the keyframe of a generated clip this shot did not paint: the clip was taken from the cache, or
        from an identical shot's purchase this run."""
        with self._lock:
            if record and not record.get("note"):
                self.report.reused += 1
            elif record:
                self.report.kept += 1

    def _kept(self, shot_id: str, reason: str) -> Keyframe:
        note = f"'{self.name}' could not paint the first frame ({reason}); the previz frame was sent"
        with self._lock:
            self.report.kept += 1
            if not self.report.unavailable:
                self.report.notes[shot_id] = note
        if not self.report.unavailable:
            self.reporter.warn(f"shot {shot_id}: {note}")
        return Keyframe(backend=self.name, note=note)


def keyframer(
    name: str | None, settings: dict[str, dict[str, Any]], project: Project, budget: CostBudget, reporter: Reporter
) -> Keyframer | None:
    """The run's keyframe painter from `[generate] keyframe`, or None when the step is off. A backend that cannot
    be made (unknown name, missing key, missing extra) still gives a Keyframer, whose every shot keeps its previz
    frame with that one-line reason."""
    if not name:
        return None
    backend: ImageBackend | FilmasterError
    try:
        backend = create_backend("image", name, **settings.get(name, {}))
        backend.api_key()  # a missing key is said once, before any shot
    except FilmasterError as exc:
        backend = exc
    return Keyframer(name, backend, project, budget, reporter)


def takes_first_frame(video_backend: object, request: ShotRequest | None = None) -> bool:
    """Whether a video backend films `request` from a start image (a backend that sends none sets
    TAKES_FIRST_FRAME; a hosted one says per shot, `uses_first_frame`: its references may go instead)."""
    per_shot = getattr(video_backend, "uses_first_frame", None)
    if request is not None and per_shot is not None:
        return bool(per_shot(request))
    return bool(getattr(video_backend, "TAKES_FIRST_FRAME", True))


def keyframe_prompt(request: ShotRequest) -> str:
    """The painting's words: the shot as a still (its framing and who is in it, no movement), the place and
    time of the scene."""
    scene = request.scene
    place = scene.heading.strip() or scene.location
    time = scene.time_of_day_text or scene.time_of_day.value
    still = camera_prompt(request.shot, with_movement=False)
    return f"{still} Setting: {place}, {time.lower()}. A cinematic film still, the first frame of the shot."


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _conform(painted: bytes, previz_png: bytes, vendor: str) -> bytes:
    """The painted frame at the previz frame's size (services paint at their own sizes), as PNG."""
    from PIL import Image

    from ..errors import GenerationError

    try:
        with Image.open(io.BytesIO(painted)) as image:
            picture = image.convert("RGB")
        with Image.open(io.BytesIO(previz_png)) as previz:
            size = previz.size
    except OSError:
        raise GenerationError(f"{vendor}: the painted frame is not a readable picture") from None
    if picture.size == size:
        return painted
    out = io.BytesIO()
    picture.resize(size, Image.Resampling.LANCZOS).save(out, format="PNG")
    return out.getvalue()
