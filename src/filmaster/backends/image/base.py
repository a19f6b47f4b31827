"""Contract of an image backend: a still painted from a prompt, an optional starting picture and references.

The keyframe step (stages/keyframe.py) uses it to paint the first frame of a generated shot from its previz
frame before image-to-video, so the shot keeps the planned framing but starts from a finished-looking picture.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..registry import Backend


@dataclass(frozen=True)
class PaintRequest:
    """What to paint: the picture's words, its size in pixels, the seed, and which shot it is for (messages)."""

    prompt: str
    width: int
    height: int
    seed: int = 0
    label: str = ""  # e.g. "shot S01-02", named in errors


@dataclass(frozen=True)
class PaintResult:
    """What a painting made, for the take's record."""

    model: str
    seed: int
    prompt: str
    cost_usd: float = 0.0


class ImageBackend(Backend):
    KIND: ClassVar[str] = "image"
    REMOTE: ClassVar[bool] = False  # a paid service behind an API key (True), or a model run here
    # The service queues a job that a later run can poll again (fal, Replicate): `paint` then takes a `journal`,
    # where the job is kept while it is painted (backends/submit_journal.py), so a stopped run never buys it twice.
    QUEUED: ClassVar[bool] = False

    def api_key(self) -> str:
        """The service's key, or a one-line BackendUnavailableError naming its variable; "" for a local model."""
        return ""

    def estimate_cost(self, request: PaintRequest) -> float:
        """USD the painting is expected to cost, counted against --max-cost before it starts."""
        return 0.0

    @abstractmethod
    def paint(
        self, request: PaintRequest, init_image: Path | None, references: tuple[Path, ...], out_path: Path
    ) -> PaintResult:
        """Paint the picture (from `init_image` when given, steered by `references` where the model takes them)
        and write it as a PNG to `out_path`. Raise ContentRefusedError, GenerationError or
        BackendUnavailableError (one line each) when it cannot. A `QUEUED` backend also takes `journal`, a path:
        the job it keeps there is polled instead of being ordered again; the caller removes it once the picture
        is stored."""
