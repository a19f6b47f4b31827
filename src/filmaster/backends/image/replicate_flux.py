"""FLUX through Replicate's predictions API (the same API as backends/video/replicate.py).

POST /v1/models/black-forest-labs/flux-dev/predictions with `Authorization: Bearer $REPLICATE_API_TOKEN` and
{input: {prompt, image, prompt_strength, seed, num_outputs, output_format, aspect_ratio}} answers a prediction
{id, status, urls: {get}}; GET urls.get answers it again until status is succeeded (`output`: a list of picture
URLs) or failed/canceled (`error`; an NSFW error is a refusal). `image` takes a data URI: the previz frame goes
inline, and with it flux-dev paints at the picture's own aspect. flux-dev takes no reference pictures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from ..video.remote import Control, JobClient, Poll
from ..video.replicate import ReplicateVideoBackend
from .base import PaintRequest, PaintResult
from .remote import COMMON_SETTINGS, RemoteImageBackend, png_bytes

ASPECTS = {"16:9": 16 / 9, "3:2": 1.5, "4:3": 4 / 3, "1:1": 1.0, "3:4": 0.75, "2:3": 2 / 3, "9:16": 9 / 16}


class ReplicateFluxImageBackend(RemoteImageBackend):
    """Settings: `model` (owner/name), `prompt_strength` (how far from the previz frame it may go: 0-1),
    `steps`, and the common ones."""

    NAME: ClassVar[str] = "replicate-flux"
    KEY_ENV: ClassVar[str] = "REPLICATE_API_TOKEN"
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.replicate.com"
    DEFAULT_MODEL: ClassVar[str] = "black-forest-labs/flux-dev"
    PRICE_PER_IMAGE: ClassVar[float] = 0.025  # flux-dev, per output picture
    QUEUED: ClassVar[bool] = True
    SETTINGS: ClassVar[frozenset[str] | None] = COMMON_SETTINGS | {"prompt_strength", "steps"}

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        # Replicate's prediction states and its NSFW refusal are the video backend's: read by it.
        self._predictions = ReplicateVideoBackend()

    def paint(
        self,
        request: PaintRequest,
        init_image: Path | None,
        references: tuple[Path, ...],
        out_path: Path,
        journal: Path | None = None,
    ) -> PaintResult:
        client = self.client()
        ratio = request.width / request.height
        inputs: dict[str, Any] = {
            "prompt": request.prompt,
            "seed": request.seed,
            "num_outputs": 1,
            "output_format": "png",
            "aspect_ratio": min(ASPECTS, key=lambda a: abs(ASPECTS[a] - ratio)),
        }
        if "steps" in self.settings:
            inputs["num_inference_steps"] = int(self.settings["steps"])
        if init_image is not None:
            inputs["image"] = Control.data_uri(png_bytes(init_image))
            inputs["prompt_strength"] = float(self.settings.get("prompt_strength", 0.8))

        def order() -> str:  # the prediction's URL: its handle
            reply = client.submit(f"{self.base_url}/v1/models/{self.model}/predictions", {"input": inputs})
            return str(self._predictions._url(reply))

        def look(c: JobClient, get_url: Any) -> Poll:
            return self._predictions.poll(c, get_url)

        self.queued(client, request, self.model, order, look, out_path, journal)
        return PaintResult(self.model, request.seed, request.prompt, self.estimate_cost(request))
