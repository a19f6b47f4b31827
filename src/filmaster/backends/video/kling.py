"""Kling (Kuaishou) through its official HTTP API: text2video, image2video and multi-image2video.

Auth: a JWT (HS256) signed with the secret key, issuer the access key (KLING_ACCESS_KEY, KLING_SECRET_KEY),
sent as `Authorization: Bearer`. A task is POSTed to /v1/videos/<mode> and read back at
/v1/videos/<mode>/<task_id>: `data.task_status` is submitted | processing | succeed | failed, and
`data.task_result.videos[0].url` the clip. The shot's movement maps onto `camera_control` (type "simple", one
non-zero axis of horizontal, vertical, pan, tilt, roll, zoom in -10..10); what it cannot express goes into the
prompt. With character or location pictures the multi-image reference mode keeps faces and places consistent;
otherwise the previz take's first frame is the start image, so the shot keeps its planned framing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from typing import Any, ClassVar

from ...errors import BackendUnavailableError, ContentRefusedError, GenerationError
from ...model import Movement
from .base import ShotRequest
from .remote import (
    COMMON_SETTINGS,
    Control,
    JobClient,
    Poll,
    RemoteError,
    RemoteVideoBackend,
    aspect_ratio,
    camera_prompt,
    image_base64,
)

# Kling's documented error codes: 1300/1301 are its content-security (policy) refusals.
REFUSAL_CODES = frozenset({1300, 1301})
CAMERA_AXES: dict[Movement, tuple[str, dict[str | None, float]]] = {
    Movement.PAN: ("pan", {"left": -5.0, "right": 5.0, None: 5.0}),
    Movement.TILT: ("tilt", {"up": 5.0, "down": -5.0, None: 5.0}),
    Movement.TRUCK: ("horizontal", {"left": -5.0, "right": 5.0, None: 5.0}),
    Movement.PEDESTAL: ("vertical", {"up": 5.0, "down": -5.0, None: 5.0}),
    Movement.CRANE: ("vertical", {"up": 8.0, "down": -8.0, None: 8.0}),
    # Kling's zoom: negative narrows the view (moves in), positive widens it.
    Movement.DOLLY_IN: ("zoom", {None: -5.0}),
    Movement.DOLLY_OUT: ("zoom", {None: 5.0}),
    Movement.ZOOM: ("zoom", {"out": 5.0, None: -5.0}),
}


def jwt_token(access_key: str, secret_key: str, now: float | None = None) -> str:
    """The HS256 JWT Kling asks for: valid from 5 s ago for 30 minutes."""
    now = time.time() if now is None else now

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64(json.dumps({"iss": access_key, "exp": int(now) + 1800, "nbf": int(now) - 5}).encode())
    signature = hmac.new(secret_key.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


class KlingVideoBackend(RemoteVideoBackend):
    NAME: ClassVar[str] = "kling"
    KEY_ENV: ClassVar[str] = "KLING_ACCESS_KEY"
    SECRET_ENV: ClassVar[str] = "KLING_SECRET_KEY"
    DEFAULT_BASE_URL: ClassVar[str] = "https://api-singapore.klingai.com"
    DEFAULT_MODEL: ClassVar[str] = "kling-v1-6"
    PRICE_PER_SECOND: ClassVar[float] = 0.056  # std mode, kling-v1-6 (0.28 USD per 5 s clip)
    SETTINGS: ClassVar[frozenset[str] | None] = COMMON_SETTINGS | {"mode", "reference_mode"}

    def api_key(self) -> str:
        access = super().api_key()
        secret = os.environ.get(self.SECRET_ENV, "")
        if not secret:
            raise BackendUnavailableError(
                f"video backend 'kling' needs {self.SECRET_ENV} beside {self.KEY_ENV} in the environment"
            )
        return jwt_token(access, secret)

    def refused(self, status: int, body: Any) -> str | None:
        if isinstance(body, dict) and body.get("code") in REFUSAL_CODES:
            return str(body.get("message") or "content security policy")
        return None

    def camera_control(self, request: ShotRequest) -> dict[str, Any] | None:
        camera = request.shot.camera
        axis = CAMERA_AXES.get(camera.movement)
        if axis is None:
            return None
        name, amounts = axis
        value = amounts.get(camera.direction, amounts[None])
        config: dict[str, float] = {key: 0 for key in ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")}
        config[name] = value
        return {"type": "simple", "config": config}

    def prompt(self, request: ShotRequest) -> str:
        # Movement Kling can take as camera_control is left out of the words, so the two never disagree.
        text = camera_prompt(request.shot, with_movement=self.camera_control(request) is None)
        return self.with_looks(request, text)

    def sends_references(self, request: ShotRequest) -> bool:
        return self.settings.get("reference_mode", "multi-image") == "multi-image"

    def submit(self, client: JobClient, request: ShotRequest, control: Control, prompt: str, seconds: int) -> Any:
        body: dict[str, Any] = {
            "model_name": self.model,
            "prompt": prompt[:2500],
            "mode": self.settings.get("mode", "std"),
            "duration": str(seconds),
            "aspect_ratio": aspect_ratio(request),
        }
        use_refs = control.references and self.settings.get("reference_mode", "multi-image") == "multi-image"
        if use_refs:
            # Up to four pictures: the characters' and the location's; the previz frame leads when there is room.
            images = [image_base64(path) for path in control.references]
            if control.first_frame_png is not None:
                images.insert(0, base64.b64encode(control.first_frame_png).decode("ascii"))
            body["image_list"] = [{"image": image} for image in images[:4]]
            mode = "multi-image2video"
        elif control.first_frame_png is not None:
            body["image"] = base64.b64encode(control.first_frame_png).decode("ascii")  # raw base64, no data: prefix
            mode = "image2video"
        else:
            mode = "text2video"
        camera = self.camera_control(request)
        if camera is not None and mode != "multi-image2video":
            body["camera_control"] = camera
        # Kling's own idempotency: a task carries an id we choose, by which it can be looked up when the submit's
        # answer is lost, so the shot is found instead of ordered twice.
        body["external_task_id"] = external = f"filmaster-{request.shot.id}-{uuid.uuid4().hex[:16]}"
        url = f"{self.base_url}/v1/videos/{mode}"
        reply = client.submit(url, body, find=lambda: self._find(client, f"{url}/{external}"))
        data = self._data(reply)
        return mode, str(data["task_id"])

    def _find(self, client: JobClient, url: str) -> Any:
        """The task submitted under our external_task_id, or None when Kling never received it. Asked a few
        times, a timeout apart: a submit that timed out may still be on its way through Kling's front door."""
        for attempt in range(3):
            if attempt:
                time.sleep(client.timeout_s)
            try:
                reply = client.json("GET", url)
            except RemoteError as exc:
                if exc.status == 404:
                    continue
                raise
            if isinstance(reply, dict) and reply.get("code") == 0:
                return reply
        return None

    def poll(self, client: JobClient, handle: Any) -> Poll:
        mode, task_id = handle
        data = self._data(client.json("GET", f"{self.base_url}/v1/videos/{mode}/{task_id}"))
        status = data.get("task_status")
        if status == "succeed":
            videos = (data.get("task_result") or {}).get("videos") or [{}]
            return Poll(done=True, url=str(videos[0].get("url", "")))
        if status == "failed":
            message = str(data.get("task_status_msg") or "no reason given")
            if "security" in message.lower() or "policy" in message.lower():
                raise ContentRefusedError(f"kling refused the shot: {message}")
            raise GenerationError(f"kling task {task_id} failed: {message}")
        return Poll(done=False)

    def _data(self, reply: Any) -> dict[str, Any]:
        if not isinstance(reply, dict) or reply.get("code") != 0 or not isinstance(reply.get("data"), dict):
            code = reply.get("code") if isinstance(reply, dict) else None
            message = reply.get("message") if isinstance(reply, dict) else str(reply)[:100]
            if code in REFUSAL_CODES:
                raise ContentRefusedError(f"kling refused the shot: {message}")
            raise GenerationError(f"kling answered code {code}: {message}")
        return reply["data"]
