"""Replicate's HTTP API, the gateway to Wan, LTX-Video, HunyuanVideo and other open video models.

POST /v1/models/{owner}/{name}/predictions with `Authorization: Bearer $REPLICATE_API_TOKEN` and {input:
{prompt, image, seed, ...}} answers a prediction {id, status, urls: {get}}; GET urls.get answers it again:
status starting | processing | succeeded | failed | canceled, `output` the clip's URL (or a list of them),
`error` why not. Replicate's safety checker fails a prediction with an error naming NSFW or sensitive content:
a refusal. File inputs take data URIs, so the previz frame goes inline; the camera goes into the prompt.

Reference pictures depend on the model's input schema: Kling 1.6 (kwaivgi/kling-v1.6-standard) and Veo 3.1
(google/veo-3.1) take a `reference_images` list of files (data URIs), which then replaces the start image; another
model's field is named with the `reference_field` (and `max_references`) settings. A model without one (the
default Wan image-to-video) gets the previz frame and the cast's looks in the prompt.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ...errors import ContentRefusedError, GenerationError
from .base import ShotRequest
from .references import data_uri, gateway_slot
from .remote import COMMON_SETTINGS, Control, JobClient, Poll, RemoteVideoBackend, aspect_ratio

REFUSAL_WORDS = ("nsfw", "sensitive", "flagged", "safety")
# Replicate models whose input takes reference pictures: the field and how many it takes.
REFERENCE_FIELDS: dict[str, tuple[str, int]] = {
    "kwaivgi/kling-v1.6-standard": ("reference_images", 4),
    "google/veo-3.1": ("reference_images", 3),
}


class ReplicateVideoBackend(RemoteVideoBackend):
    NAME: ClassVar[str] = "replicate"
    KEY_ENV: ClassVar[str] = "REPLICATE_API_TOKEN"
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.replicate.com"
    DEFAULT_MODEL: ClassVar[str] = "wan-video/wan-2.1-i2v-480p"
    PRICE_PER_SECOND: ClassVar[float] = 0.09  # Wan 2.1 i2v 480p, billed per second of output
    SETTINGS: ClassVar[frozenset[str] | None] = COMMON_SETTINGS | {"reference_field", "max_references"}
    REFERENCES_REPLACE_FRAME: ClassVar[bool] = True  # a reference model's field, not image_url

    def sends_references(self, request: ShotRequest) -> bool:
        return gateway_slot(self.model, self.settings, REFERENCE_FIELDS, request) is not None

    def submit(self, client: JobClient, request: ShotRequest, control: Control, prompt: str, seconds: int) -> Any:
        inputs: dict[str, Any] = {"prompt": prompt, "seed": request.seed, "aspect_ratio": aspect_ratio(request)}
        slot = gateway_slot(self.model, self.settings, REFERENCE_FIELDS, request)
        if slot is not None and control.references:
            field, most = slot
            inputs[field] = [data_uri(path) for path in control.references[:most]]
        elif control.first_frame_png is not None:
            inputs["image"] = Control.data_uri(control.first_frame_png)
        reply = client.submit(f"{self.base_url}/v1/models/{self.model}/predictions", {"input": inputs})
        return self._url(reply)

    def poll(self, client: JobClient, handle: Any) -> Poll:
        prediction = client.json("GET", handle)
        status = prediction.get("status") if isinstance(prediction, dict) else None
        if status == "succeeded":
            output = prediction.get("output")
            url = output[0] if isinstance(output, list) and output else output
            return Poll(done=True, url=str(url or ""))
        if status in ("failed", "canceled"):
            error = str(prediction.get("error") or status)
            if any(word in error.lower() for word in REFUSAL_WORDS):
                raise ContentRefusedError(f"replicate refused the shot: {error}")
            raise GenerationError(f"replicate prediction failed: {error}")
        return Poll(done=False)

    def _url(self, reply: Any) -> str:
        url = (reply.get("urls") or {}).get("get") if isinstance(reply, dict) else None
        if not url:
            raise GenerationError(f"replicate: no urls.get in the reply ({str(reply)[:100]})")
        return str(url)
