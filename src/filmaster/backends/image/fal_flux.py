"""FLUX through fal.ai's queue API (the same queue as backends/video/fal.py).

POST https://queue.fal.run/fal-ai/flux/dev/image-to-image with `Authorization: Key $FAL_KEY` and {prompt,
image_url, strength, seed, num_inference_steps, num_images, enable_safety_checker} answers {request_id,
status_url, response_url}; GET status_url answers {status: IN_QUEUE | IN_PROGRESS | COMPLETED}; GET response_url
then answers {images: [{url, width, height, content_type}], seed, has_nsfw_concepts, prompt}. image_url takes a
data URI, so the previz frame goes inline. A picture flagged by the safety checker (has_nsfw_concepts) comes back
blacked out: a refusal, like a 422 content_policy_violation. The FLUX [dev] image-to-image endpoint takes no
reference pictures; without a starting picture the text-to-image endpoint (`text_model`) paints at the film's
aspect.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, ClassVar

from ...errors import ContentRefusedError, GenerationError
from ..video.fal import FalVideoBackend
from ..video.remote import Control, JobClient, Poll
from .base import PaintRequest, PaintResult
from .remote import COMMON_SETTINGS, RemoteImageBackend, png_bytes

PRICE_PER_MEGAPIXEL = 0.03  # FLUX.1 [dev] image-to-image, billed per megapixel of output (rounded up here)


class FalFluxImageBackend(RemoteImageBackend):
    """Settings: `model` (an image-to-image endpoint), `text_model`, `strength` (how far from the previz frame
    it may go: 0.01-1), `steps`, and the common ones."""

    NAME: ClassVar[str] = "fal-flux"
    KEY_ENV: ClassVar[str] = "FAL_KEY"
    DEFAULT_BASE_URL: ClassVar[str] = "https://queue.fal.run"
    DEFAULT_MODEL: ClassVar[str] = "fal-ai/flux/dev/image-to-image"
    PRICE_PER_IMAGE: ClassVar[float] = PRICE_PER_MEGAPIXEL
    QUEUED: ClassVar[bool] = True
    SETTINGS: ClassVar[frozenset[str] | None] = COMMON_SETTINGS | {"text_model", "strength", "steps"}

    # fal's own rules, shared with its video backend: the `Key` scheme and the 422 content-policy refusal.
    api_headers = FalVideoBackend.api_headers
    refused = FalVideoBackend.refused

    def estimate_cost(self, request: PaintRequest) -> float:
        if "price_per_image" in self.settings:
            return round(float(self.settings["price_per_image"]), 4)
        megapixels = max(1, math.ceil(request.width * request.height / 1_000_000))
        return round(megapixels * PRICE_PER_MEGAPIXEL, 4)

    def paint(
        self,
        request: PaintRequest,
        init_image: Path | None,
        references: tuple[Path, ...],
        out_path: Path,
        journal: Path | None = None,
    ) -> PaintResult:
        client = self.client()
        body: dict[str, Any] = {
            "prompt": request.prompt,
            "seed": request.seed,
            "num_images": 1,
            "enable_safety_checker": True,
        }
        if "steps" in self.settings:
            body["num_inference_steps"] = int(self.settings["steps"])
        model = self.model
        if init_image is not None:
            body["image_url"] = Control.data_uri(png_bytes(init_image))
            body["strength"] = float(self.settings.get("strength", 0.85))
        else:
            model = str(self.settings.get("text_model", "fal-ai/flux/dev"))
            body["image_size"] = {"width": request.width, "height": request.height}

        def order() -> list[str]:
            reply = client.submit(f"{self.base_url}/{model}", body)
            if not isinstance(reply, dict) or not reply.get("status_url") or not reply.get("response_url"):
                raise GenerationError(f"{self.NAME}: no status_url/response_url in the reply ({str(reply)[:100]})")
            return [str(reply["status_url"]), str(reply["response_url"])]  # the job's handle, kept as JSON

        def look(c: JobClient, handle: Any) -> Poll:
            status_url, response_url = handle
            status = c.json("GET", status_url)
            if not isinstance(status, dict) or status.get("status") != "COMPLETED":
                return Poll(done=False)
            output = c.json("GET", response_url)
            images = output.get("images") if isinstance(output, dict) else None
            if not isinstance(images, list) or not images or not isinstance(images[0], dict):
                raise GenerationError(f"{self.NAME}: the result holds no images ({str(output)[:100]})")
            flagged = output.get("has_nsfw_concepts") or []
            if isinstance(flagged, list) and flagged and flagged[0] is True:
                raise ContentRefusedError(f"{self.NAME} refused the picture: its safety checker flagged it")
            return Poll(done=True, url=str(images[0].get("url") or ""))

        self.queued(client, request, model, order, look, out_path, journal)
        return PaintResult(model, request.seed, request.prompt, self.estimate_cost(request))
