"""Runway's developer API: image-to-video from the previz take's first frame.

POST /v1/image_to_video with `Authorization: Bearer $RUNWAYML_API_SECRET` and `X-Runway-Version: 2024-11-06`
({model, promptImage, promptText, ratio, duration, seed}) answers {id}; GET /v1/tasks/{id} answers
{status: PENDING | THROTTLED | RUNNING | SUCCEEDED | FAILED | CANCELLED, output: [url], failure, failureCode}.
A failureCode starting SAFETY is a content-moderation refusal. Runway has no camera parameters for this
endpoint: the camera goes into the prompt. promptImage takes a data URI, so the previz frame is sent inline.

Reference pictures: image_to_video takes one promptImage and no character references; Runway documents
`referenceImages` ([{uri, tag}], 1 to 3, a tag named in the prompt as @tag) on its text_to_image endpoint
(gen4_image). So a shot with character or location pictures is made in two jobs: first a keyframe painted by
gen4_image from the previz frame (@previz: the planned framing and blocking) and the two leading pictures
(@BEN, @kitchen), then image_to_video from that keyframe (its task output URL as promptImage). The keyframe costs
`keyframe_price` more; `reference_keyframe = false` sends the previz frame instead and the cast's looks in words.
The keyframe's job is journalled beside the shot's (`step_journal`): a run stopped while it paints polls the same
job next time instead of ordering it again; the entry goes once the video job is accepted, or when the keyframe job
failed for good.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from ...errors import ContentRefusedError, GenerationError
from .base import ShotRequest
from .references import data_uri, named_references, shot_references
from .remote import COMMON_SETTINGS, Control, JobClient, Poll, RemoteVideoBackend, job_is_over, step_journal

API_VERSION = "2024-11-06"
RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
IMAGE_RATIOS = ("1280:720", "720:1280", "1024:1024", "1360:768", "1080:1080", "1168:880")  # gen4_image at 720p
KEYFRAME_PRICE = 0.05  # gen4_image at 720p: 5 credits


class RunwayVideoBackend(RemoteVideoBackend):
    NAME: ClassVar[str] = "runway"
    KEY_ENV: ClassVar[str] = "RUNWAYML_API_SECRET"
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.dev.runwayml.com"
    DEFAULT_MODEL: ClassVar[str] = "gen4_turbo"
    PRICE_PER_SECOND: ClassVar[float] = 0.05  # gen4_turbo: 5 credits a second at 0.01 USD
    SETTINGS: ClassVar[frozenset[str] | None] = COMMON_SETTINGS | {
        "reference_keyframe",
        "image_model",
        "keyframe_price",
    }

    def api_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", "X-Runway-Version": API_VERSION}

    def refused(self, status: int, body: Any) -> str | None:
        text = str(body.get("error", "")) if isinstance(body, dict) else str(body)
        return text if status == 400 and "moderation" in text.lower() else None

    def sends_references(self, request: ShotRequest) -> bool:
        return bool(self.settings.get("reference_keyframe", True)) and bool(shot_references(request))

    def estimate_cost(self, request: ShotRequest) -> float:
        keyframe = float(self.settings.get("keyframe_price", KEYFRAME_PRICE)) if self.sends_references(request) else 0
        return round(super().estimate_cost(request) + keyframe, 4)

    def submit(self, client: JobClient, request: ShotRequest, control: Control, prompt: str, seconds: int) -> Any:
        if control.first_frame_png is None:
            raise GenerationError("runway: image_to_video needs a first frame; the shot's previz take is missing")
        image = Control.data_uri(control.first_frame_png)
        # A start frame painted already (the keyframe step) is not painted again: the second would undo the first.
        if self.sends_references(request) and control.references and not control.painted:
            image = self._keyframe(client, request, control, prompt)
        body = {
            "model": self.model,
            "promptImage": image,
            "promptText": prompt[:1000],
            "ratio": _nearest(RATIOS, request),
            "duration": seconds,
            "seed": request.seed % 4294967296,
        }
        reply = client.submit(f"{self.base_url}/v1/image_to_video", body)
        if not isinstance(reply, dict) or "id" not in reply:
            raise GenerationError(f"runway: no task id in the reply ({str(reply)[:100]})")
        return str(reply["id"])

    def _keyframe(self, client: JobClient, request: ShotRequest, control: Control, prompt: str) -> str:
        """The shot's first frame painted by gen4_image from the previz frame and the leading reference pictures;
        the URL of the task's output image."""
        assert control.first_frame_png is not None
        sent = [(name, path) for name, path in named_references(request) if path in control.references][:2]
        tags = [_tag(name, i) for i, (name, _) in enumerate(sent)]
        who = " and ".join(f"@{tag}" for tag in tags)
        text = f"{who}, framed and placed exactly as in @previz. {prompt}"
        body = {
            "model": self.settings.get("image_model", "gen4_image"),
            "promptText": text[:1000],
            "ratio": _nearest(IMAGE_RATIOS, request),
            "referenceImages": [
                {"uri": Control.data_uri(control.first_frame_png), "tag": "previz"},
                *({"uri": data_uri(path), "tag": tag} for (_, path), tag in zip(sent, tags, strict=True)),
            ],
            "seed": request.seed % 4294967296,
        }
        model = str(body["model"])
        journal = step_journal(control.journal, "keyframe") if control.journal is not None else None

        def order() -> str:
            reply = client.submit(f"{self.base_url}/v1/text_to_image", body)
            if not isinstance(reply, dict) or "id" not in reply:
                raise GenerationError(f"runway: no task id in the keyframe reply ({str(reply)[:100]})")
            return str(reply["id"])

        task = self.journalled(journal, request, model, order)
        try:
            return self._wait(client, task, request).url
        except GenerationError as exc:  # ContentRefusedError is one
            if journal is not None and job_is_over(exc):
                journal.unlink(missing_ok=True)
            raise

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


def _nearest(ratios: tuple[str, ...], request: ShotRequest) -> str:
    aspect = request.settings.width / request.settings.height
    return min(ratios, key=lambda r: abs(int(r.split(":")[0]) / int(r.split(":")[1]) - aspect))


def _tag(name: str, index: int) -> str:
    """A Runway reference tag for a name: 3 to 16 letters, digits or underscores, starting with a letter."""
    tag = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")[:16]
    if not tag or not tag[0].isalpha():
        tag = f"ref{index}_{tag}"[:16]
    return tag.ljust(3, "_")
