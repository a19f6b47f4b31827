"""Google Veo through the Gemini API (generativelanguage.googleapis.com).

POST /v1beta/models/{model}:predictLongRunning with `x-goog-api-key: $GEMINI_API_KEY`, body
{instances: [{prompt, image: {bytesBase64Encoded, mimeType}}], parameters: {aspectRatio, durationSeconds,
negativePrompt, seed}} answers a long-running operation {name}; GET /v1beta/{name} answers it again until
`done`, then `response.generateVideoResponse.generatedSamples[0].video.uri` is the clip (downloaded with the
same key header), or `error` {code, message}. Filtered output is reported in raiMediaFilteredCount/Reasons:
a content refusal. Veo has no camera parameters: the camera goes into the prompt; the previz frame is the
starting image.

Reference pictures: the Veo 3.1 preview model takes up to three `referenceImages` ({image: {bytesBase64Encoded,
mimeType}, referenceType: "asset"}) that keep a character's or a place's look; the API refuses them together with
a starting `image` and makes such clips 8 s long. So a shot with character or location pictures on that model
sends them (subjects first, then the location) instead of the previz frame, whose framing stays in the prompt's
camera words; on the other models the cast's looks go into the prompt.
"""

from __future__ import annotations

import base64
from typing import Any, ClassVar

from ...errors import ContentRefusedError, GenerationError
from .base import ShotRequest
from .references import mime_type, shot_references
from .remote import Control, JobClient, Poll, RemoteVideoBackend, aspect_ratio, image_base64

# The Gemini API's Veo models documented to take referenceImages, and how many.
REFERENCE_MODELS = frozenset({"veo-3.1-generate-preview"})
MAX_REFERENCES = 3


class VeoVideoBackend(RemoteVideoBackend):
    NAME: ClassVar[str] = "veo"
    KEY_ENV: ClassVar[str] = "GEMINI_API_KEY"
    DEFAULT_BASE_URL: ClassVar[str] = "https://generativelanguage.googleapis.com"
    DEFAULT_MODEL: ClassVar[str] = "veo-3.0-fast-generate-001"
    PRICE_PER_SECOND: ClassVar[float] = 0.15  # Veo 3 Fast, list price per second of video
    CLIP_SECONDS: ClassVar[tuple[int, ...]] = (4, 6, 8)

    def api_headers(self, key: str) -> dict[str, str]:
        self._key = key
        return {"x-goog-api-key": key}

    REFERENCES_REPLACE_FRAME: ClassVar[bool] = True  # the API refuses referenceImages with a start image

    def sends_references(self, request: ShotRequest) -> bool:
        return self.model in REFERENCE_MODELS and bool(shot_references(request))

    def clip_seconds(self, request: ShotRequest) -> int:
        return 8 if self.sends_references(request) else super().clip_seconds(request)  # Veo's rule for references

    def submit(self, client: JobClient, request: ShotRequest, control: Control, prompt: str, seconds: int) -> Any:
        instance: dict[str, Any] = {"prompt": prompt}
        if self.sends_references(request) and control.references:
            instance["referenceImages"] = [
                {"image": {"bytesBase64Encoded": image_base64(path), "mimeType": mime_type(path)},
                 "referenceType": "asset"}
                for path in control.references[:MAX_REFERENCES]
            ]  # fmt: skip
        elif control.first_frame_png is not None:
            data = base64.b64encode(control.first_frame_png).decode("ascii")
            instance["image"] = {"bytesBase64Encoded": data, "mimeType": "image/png"}
        ratio = aspect_ratio(request)
        body = {
            "instances": [instance],
            "parameters": {
                "aspectRatio": ratio if ratio in ("16:9", "9:16") else "16:9",
                "durationSeconds": seconds,
                "seed": request.seed % 4294967296,
                "negativePrompt": "text, captions, watermark",
            },
        }
        reply = client.submit(f"{self.base_url}/v1beta/models/{self.model}:predictLongRunning", body)
        if not isinstance(reply, dict) or "name" not in reply:
            raise GenerationError(f"veo: no operation name in the reply ({str(reply)[:100]})")
        return str(reply["name"])

    def poll(self, client: JobClient, handle: Any) -> Poll:
        operation = client.json("GET", f"{self.base_url}/v1beta/{handle}")
        if not isinstance(operation, dict) or not operation.get("done"):
            return Poll(done=False)
        if "error" in operation:
            error = operation["error"] or {}
            raise GenerationError(f"veo operation failed: {error.get('message', 'no message')} ({error.get('code')})")
        response = (operation.get("response") or {}).get("generateVideoResponse") or {}
        if response.get("raiMediaFilteredCount"):
            reasons = "; ".join(response.get("raiMediaFilteredReasons") or ["filtered"])
            raise ContentRefusedError(f"veo refused the shot: {reasons}")
        samples = response.get("generatedSamples") or [{}]
        uri = str((samples[0].get("video") or {}).get("uri", ""))
        return Poll(done=True, url=uri, headers={"x-goog-api-key": self._key})
