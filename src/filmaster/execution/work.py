"""What a worker runs for the executor: one shot, or one sound cue, made in a scratch folder of the worker and
sent back as bytes (the worker shares no disk with the driver).

`[faults]` travels with each task: the local pool's workers inherit it from the driver's environment, a cluster's
cannot, so each task sets it in its worker's environment while it runs (a Ray worker runs one task at a time).
There the backends are wrapped and retried exactly as in the local pool: the same units fail, the same fall back.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..backends.faults import FaultsConfig, FaultyBackend, injecting, with_faults
from ..backends.video.base import VideoBackend
from ..backends.video.remote import Control, Generated, RemoteVideoBackend
from ..model.shot_request import ShotRequest
from ..stages.render_take import render_take

B = TypeVar("B")

# One backend per worker process and settings: a renderer's GL context or a model's weights load once, not per shot.
_backends: dict[tuple[type, str], Any] = {}


def _backend(cls: type[B], settings: dict[str, Any]) -> B:
    key = (cls, json.dumps(settings, sort_keys=True, default=str))
    if key not in _backends:
        os.environ.setdefault("OMP_NUM_THREADS", "1")  # one render thread per worker, as in the local pool
        os.environ.setdefault("LP_NUM_THREADS", "1")
        _backends[key] = cls(**settings)
    return _backends[key]


class Shipped:
    """A backend that travels as its class and settings, and is rebuilt (once per worker process) where it is first
    used; here it stands for the backend itself. A backend holds what cannot travel: locks, model sessions. It is
    rebuilt lazily because a Ray Client server unpickles a task's arguments and pickles them again on their way.
    A backend wrapped by `[faults]` travels as the backend it wraps; the task's faults wrap it again there, afresh
    for each task (a unit's attempts are counted from its first, as in the local pool)."""

    def __init__(self, backend: Any = None, *, recipe: tuple[type, dict[str, Any]] | None = None) -> None:
        self._made = backend
        inner = backend.inner if isinstance(backend, FaultyBackend) else backend
        self._recipe = recipe if recipe is not None else (type(inner), dict(inner.settings))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # pickling and copying look for these: they are the proxy's, not the backend's
            raise AttributeError(name)
        if self._made is None:
            self._made = with_faults(_backend(*self._recipe))
        return getattr(self._made, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, self._recipe


def _rebuilt(cls: type, settings: dict[str, Any]) -> Shipped:
    return Shipped(recipe=(cls, settings))


def render_shot(
    cls: type[VideoBackend], settings: dict[str, Any], request: ShotRequest, faults: FaultsConfig | None = None
) -> tuple[dict[str, bytes], str | None]:
    """A shot's take ("clip", the MP4) and, when its backend writes one, its ground truth ("truth", JSON), made
    within the unit's retry budget as in the local pool (render_take), with why it fell back (else None)."""
    with injecting(faults or FaultsConfig()), tempfile.TemporaryDirectory(prefix="filmaster-shot-") as scratch:
        clip, truth = Path(scratch) / "take.mp4", Path(scratch) / "truth.json"
        fell_back = render_take(with_faults(_backend(cls, settings)), request, clip, truth)
        files = {"clip": clip.read_bytes()}
        if truth.is_file():
            files["truth"] = truth.read_bytes()
        return files, fell_back


def generate_shot(
    backend: RemoteVideoBackend,
    request: ShotRequest,
    control: Control,
    journal: str | None = None,
    faults: FaultsConfig | None = None,
) -> tuple[bytes, Generated]:
    """A generated shot from a vendor, made on a worker: its clip's bytes and what made it. `journal` is the
    shot's submit journal as the driver holds it (a job already submitted is resumed, not paid for again)."""
    with injecting(faults or FaultsConfig()), tempfile.TemporaryDirectory(prefix="filmaster-generate-") as scratch:
        clip, entry = Path(scratch) / "take.mp4", Path(scratch) / "job.json"
        if journal is not None:
            entry.write_text(journal, encoding="utf-8")
        result = backend.generate(request, clip, control, journal=entry)
        return clip.read_bytes(), result


def make_files(make: Callable[[Path], None], suffix: str, faults: FaultsConfig | None = None) -> dict[str, bytes]:
    """What `make(path)` writes, by suffix: a sound cue's recipe (its backend, shipped, with the text, voice or
    score request) made here, retried as on the driver; the cue's file is under `suffix`, anything written beside
    it (a MIDI) under its own."""
    with injecting(faults or FaultsConfig()), tempfile.TemporaryDirectory(prefix="filmaster-cue-") as scratch:
        make(Path(scratch) / f"cue{suffix}")
        return {path.suffix: path.read_bytes() for path in Path(scratch).iterdir() if path.is_file()}
