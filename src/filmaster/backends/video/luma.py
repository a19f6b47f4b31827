"""Luma Dream Machine API (Ray models).

POST /dream-machine/v1/generations with `Authorization: Bearer $LUMAAI_API_KEY` ({prompt, model, aspect_ratio,
duration "5s"|"9s", resolution, keyframes, concepts}) answers a Generation {id, state}; GET
/dream-machine/v1/generations/{id} answers it again: state queued | dreaming | completed | failed, `assets.video`
the clip, `failure_reason` why not. Luma's keyframes take a hosted image URL only (no inline data), so the
previz frame is sent when `keyframe_url_base` names where the previz frames are served; the camera goes into
the prompt in Luma's own camera words and, for the moves it has, as a camera concept.

Reference pictures: Luma's video generations (Ray) take keyframes, not character references; Luma documents image
and character references (`image_ref`, `character_ref`) for its Photon image model only, and as hosted URLs. This
backend puts the cast's looks into the prompt instead.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ...errors import ContentRefusedError, GenerationError
from ...model import Movement
from .base import ShotRequest
from .remote import COMMON_SETTINGS, Control, JobClient, Poll, RemoteVideoBackend, aspect_ratio

# Luma's documented camera concepts (the `concepts` parameter of Ray 2).
CONCEPTS: dict[Movement, str] = {
    Movement.DOLLY_ZOOM: "dolly_zoom",
    Movement.DOLLY_IN: "push_in",
    Movement.DOLLY_OUT: "pull_out",
    Movement.ARC: "orbit_left",
    Movement.CRANE: "crane_up",
    Movement.HANDHELD: "handheld",
    Movement.STATIC: "static",
}


class LumaVideoBackend(RemoteVideoBackend):
    NAME: ClassVar[str] = "luma"
    KEY_ENV: ClassVar[str] = "LUMAAI_API_KEY"
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.lumalabs.ai"
    DEFAULT_MODEL: ClassVar[str] = "ray-2"
    PRICE_PER_SECOND: ClassVar[float] = 0.064  # ray-2 at 540p: 0.32 USD per 5 s
    CLIP_SECONDS: ClassVar[tuple[int, ...]] = (5, 9)
    SETTINGS: ClassVar[frozenset[str] | None] = COMMON_SETTINGS | {"resolution", "keyframe_url_base"}
    TAKES_FIRST_FRAME: ClassVar[bool] = False  # its keyframe is a hosted URL, not the start image's bytes

    def submit(self, client: JobClient, request: ShotRequest, control: Control, prompt: str, seconds: int) -> Any:
        body: dict[str, Any] = {
            "prompt": prompt[:5000],
            "model": self.model,
            "aspect_ratio": aspect_ratio(request),
            "duration": f"{seconds}s",
            "resolution": self.settings.get("resolution", "540p"),
        }
        concept = CONCEPTS.get(request.shot.camera.movement)
        if concept:
            body["concepts"] = [{"key": concept}]
        base = self.settings.get("keyframe_url_base")
        if base and control.first_frame_png is not None:
            body["keyframes"] = {"frame0": {"type": "image", "url": f"{base.rstrip('/')}/{request.shot.id}.png"}}
        reply = client.submit(f"{self.base_url}/dream-machine/v1/generations", body)
        if not isinstance(reply, dict) or "id" not in reply:
            raise GenerationError(f"luma: no generation id in the reply ({str(reply)[:100]})")
        return str(reply["id"])

    def poll(self, client: JobClient, handle: Any) -> Poll:
        generation = client.json("GET", f"{self.base_url}/dream-machine/v1/generations/{handle}")
        state = generation.get("state") if isinstance(generation, dict) else None
        if state == "completed":
            return Poll(done=True, url=str((generation.get("assets") or {}).get("video", "")))
        if state == "failed":
            reason = str(generation.get("failure_reason") or "no reason given")
            if any(word in reason.lower() for word in ("moderation", "policy", "inappropriate")):
                raise ContentRefusedError(f"luma refused the shot: {reason}")
            raise GenerationError(f"luma generation {handle} failed: {reason}")
        return Poll(done=False)
