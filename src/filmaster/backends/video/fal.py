"""fal.ai's queue API, the gateway to Wan, LTX-Video, HunyuanVideo, Kling and other video models.

POST https://queue.fal.run/{model_id} with `Authorization: Key $FAL_KEY` and the model's input ({prompt,
image_url, seed, ...}) answers {request_id, status_url, response_url}; GET status_url answers {status: IN_QUEUE |
IN_PROGRESS | COMPLETED}; GET response_url then answers the model's output, {video: {url}} for the video models.
A 422 whose detail is a content_policy_violation is a refusal. image_url takes a data URI: the previz frame
goes inline. The models take no camera parameters: the camera goes into the prompt.

Reference pictures depend on the model: fal's reference-to-video endpoints take a list of picture URLs (data URIs
too) — `reference_image_urls` on Vidu's, `input_image_urls` on Kling 1.6 "elements" — and no start image, so the
shot's character and location pictures go there and the previz framing stays in the prompt's words. Another
model's list field is named with the `reference_field` (and `max_references`) settings; a model without one (the
default Wan image-to-video) gets the previz frame as image_url and the cast's looks in the prompt.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ...errors import GenerationError
from .base import ShotRequest
from .references import data_uri, gateway_slot
from .remote import COMMON_SETTINGS, Control, JobClient, Poll, RemoteVideoBackend, aspect_ratio

# fal models whose input takes reference pictures: the field and how many it takes.
REFERENCE_FIELDS: dict[str, tuple[str, int]] = {
    "fal-ai/vidu/reference-to-video": ("reference_image_urls", 3),
    "fal-ai/kling-video/v1.6/standard/elements": ("input_image_urls", 4),
    "fal-ai/kling-video/v1.6/pro/elements": ("input_image_urls", 4),
}


class FalVideoBackend(RemoteVideoBackend):
    NAME: ClassVar[str] = "fal"
    KEY_ENV: ClassVar[str] = "FAL_KEY"
    DEFAULT_BASE_URL: ClassVar[str] = "https://queue.fal.run"
    DEFAULT_MODEL: ClassVar[str] = "fal-ai/wan-i2v"
    PRICE_PER_SECOND: ClassVar[float] = 0.08  # Wan 2.1 image-to-video at 480p: 0.40 USD per 5 s clip
    SETTINGS: ClassVar[frozenset[str] | None] = COMMON_SETTINGS | {"reference_field", "max_references"}
    REFERENCES_REPLACE_FRAME: ClassVar[bool] = True  # a reference model's field, not image_url

    def api_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Key {key}"}

    def refused(self, status: int, body: Any) -> str | None:
        if status != 422 or not isinstance(body, dict):
            return None
        detail = body.get("detail")
        details = detail if isinstance(detail, list) else []
        for item in details:
            if isinstance(item, dict) and item.get("type") == "content_policy_violation":
                return str(item.get("msg") or "content policy violation")
        return None

    def sends_references(self, request: ShotRequest) -> bool:
        return gateway_slot(self.model, self.settings, REFERENCE_FIELDS, request) is not None

    def submit(self, client: JobClient, request: ShotRequest, control: Control, prompt: str, seconds: int) -> Any:
        body: dict[str, Any] = {
            "prompt": prompt,
            "seed": request.seed,
            "aspect_ratio": aspect_ratio(request),
            "num_frames": 81 if seconds <= 5 else 161,
        }
        slot = gateway_slot(self.model, self.settings, REFERENCE_FIELDS, request)
        if slot is not None and control.references:
            field, most = slot
            body[field] = [data_uri(path) for path in control.references[:most]]
        elif control.first_frame_png is not None:
            body["image_url"] = Control.data_uri(control.first_frame_png)
        reply = client.submit(f"{self.base_url}/{self.model}", body)
        if not isinstance(reply, dict) or not reply.get("status_url") or not reply.get("response_url"):
            raise GenerationError(f"fal: no status_url/response_url in the reply ({str(reply)[:100]})")
        return str(reply["status_url"]), str(reply["response_url"])

    def poll(self, client: JobClient, handle: Any) -> Poll:
        status_url, response_url = handle
        status = client.json("GET", status_url)
        if not isinstance(status, dict) or status.get("status") != "COMPLETED":
            return Poll(done=False)
        output = client.json("GET", response_url)
        video = output.get("video") if isinstance(output, dict) else None
        if not isinstance(video, dict) or not video.get("url"):
            raise GenerationError(f"fal: the result holds no video.url ({str(output)[:100]})")
        return Poll(done=True, url=str(video["url"]))
