"""Runway's developer API: image-to-video from the previz take's first frame.

POST /v1/image_to_video with `Authorization: Bearer $RUNWAYML_API_SECRET` and `X-Runway-Version: 2024-11-06`
({model, promptImage, promptText, ratio, duration, seed}) answers {id}; GET /v1/tasks/{id} answers
{status: PENDING | THROTTLED | RUNNING | SUCCEEDED | FAILED | CANCELLED, output: [url], failure, failureCode}.
A failureCode starting SAFETY is a content-moderation refusal. Runway has no camera parameters for this
endpoint: the camera goes into the prompt. promptImage takes a data URI, so the previz frame is sent inline.

Reference pictures: image_to_video takes one promptImage (first and optionally last frame) and no character
references; Runway documents `referenceImages` only on its text_to_image endpoint (gen4_image). This backend sends
the previz frame and puts the cast's looks into the prompt; painting a first frame from the references is the
keyframe step's work (an image backend), whose picture then goes in as promptImage.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ...errors import ContentRefusedError, GenerationError
from .base import ShotRequest
from .remote import Control, JobClient, Poll, RemoteVideoBackend

API_VERSION = "2024-11-06"
RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")


class RunwayVideoBackend(RemoteVideoBackend):
    NAME: ClassVar[str] = "runway"
    KEY_ENV: ClassVar[str] = "RUNWAYML_API_SECRET"
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.dev.runwayml.com"
    DEFAULT_MODEL: ClassVar[str] = "gen4_turbo"
    PRICE_PER_SECOND: ClassVar[float] = 0.05  # gen4_turbo: 5 credits a second at 0.01 USD

    def api_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", "X-Runway-Version": API_VERSION}

    def refused(self, status: int, body: Any) -> str | None:
        text = str(body.get("error", "")) if isinstance(body, dict) else str(body)
        return text if status == 400 and "moderation" in text.lower() else None

    def submit(self, client: JobClient, request: ShotRequest, control: Control, prompt: str, seconds: int) -> Any:
        if control.first_frame_png is None:
            raise GenerationError("runway: image_to_video needs a first frame; the shot's previz take is missing")
        ratio = request.settings.width / request.settings.height
        body = {
            "model": self.model,
            "promptImage": Control.data_uri(control.first_frame_png),
            "promptText": prompt[:1000],
            "ratio": min(RATIOS, key=lambda r: abs(int(r.split(":")[0]) / int(r.split(":")[1]) - ratio)),
            "duration": seconds,
            "seed": request.seed % 4294967296,
        }
        reply = client.submit(f"{self.base_url}/v1/image_to_video", body)
        if not isinstance(reply, dict) or "id" not in reply:
            raise GenerationError(f"runway: no task id in the reply ({str(reply)[:100]})")
        return str(reply["id"])

    def poll(self, client: JobClient, handle: Any) -> Poll:
        task = client.json("GET", f"{self.base_url}/v1/tasks/{handle}")
        status = task.get("status") if isinstance(task, dict) else None
        if status == "SUCCEEDED":
            output = task.get("output") or [""]
            return Poll(done=True, url=str(output[0]))
        if status in ("FAILED", "CANCELLED"):
            reason = f"{task.get('failure') or status} ({task.get('failureCode') or 'no code'})"
            if str(task.get("failureCode", "")).startswith("SAFETY"):
                raise ContentRefusedError(f"runway refused the shot: {reason}")
            raise GenerationError(f"runway task {handle} failed: {reason}")
        return Poll(done=False)
