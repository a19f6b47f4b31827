"""Local HTTP servers that speak the image vendors' APIs, for the image backends' and the keyframe step's tests.

Built on fake_video_vendors' machinery (VendorServer: auth per vendor, scripted faults, recorded requests, queued
tasks): OpenAI's Images API (multipart /v1/images/edits and JSON /v1/images/generations, base64 answers), fal's
queue with a FLUX image-to-image model ({images: [{url}], has_nsfw_concepts}) and Replicate's predictions (a list
of picture URLs). The "model" paints for real in a way a test can check: the starting picture with its colours
inverted (a solid colour without one), and every picture it returns is kept in `painted`. Faults: those of the
video servers plus "not_image" (a returned picture that is not one) for the next picture served.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import io
import json
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from fake_video_vendors import (
    Fault,
    VendorHandler,
    VendorServer,
    replicate_prediction,
    replicate_started,
    running,
    settings_for,
)

__all__ = ["IMAGE_VENDORS", "KEY_ENVS", "Fault", "ImageVendorServer", "decode_data_uri", "serve_painter"]

IMAGE_VENDORS = ("openai-images", "fal-flux", "replicate-flux")
KEY_ENVS = {"openai-images": "OPENAI_API_KEY", "fal-flux": "FAL_KEY", "replicate-flux": "REPLICATE_API_TOKEN"}
PROTOCOL = {"openai-images": "openai", "fal-flux": "fal", "replicate-flux": "replicate"}
BLANK_RGB = (90, 120, 200)  # what is painted without a starting picture
NOT_AN_IMAGE = b"<html><body>502 Bad Gateway</body></html>"


def paint(start: bytes | None, size: tuple[int, int] = (64, 64)) -> bytes:
    """The fake model: the starting picture's colours inverted, as PNG (a solid picture without one)."""
    import numpy as np
    from PIL import Image

    if start is None:
        picture = Image.new("RGB", size, BLANK_RGB)
    else:
        with Image.open(io.BytesIO(start)) as image:
            picture = Image.fromarray(255 - np.asarray(image.convert("RGB")))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def decode_data_uri(uri: str) -> bytes:
    return base64.b64decode(uri.split(",", 1)[1])


@dataclass
class ImageVendorServer(VendorServer):
    painted: list[bytes] = field(default_factory=list)  # every picture the model returned, in order
    pictures: dict[str, bytes] = field(default_factory=dict)  # task id -> its picture (fal and Replicate)

    def paint(self, start: bytes | None, size: tuple[int, int] = (64, 64)) -> bytes:
        picture = paint(start, size)
        with self._lock:
            self.painted.append(picture)
        return picture

    def picture_url(self, task_id: str) -> str:
        return f"{self.base_url}/files/{task_id}.png"


def _refusing(server: ImageVendorServer, prompt: str) -> bool:
    return any(word in prompt.lower() for word in server.refuse_words)


def _openai(server: ImageVendorServer, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    if method != "POST" or path not in ("/v1/images/edits", "/v1/images/generations"):
        return 404, {"error": {"message": f"Invalid URL (POST {path})", "type": "invalid_request_error"}}
    if not body.get("prompt") or not body.get("model"):
        return 400, {"error": {"message": "Missing required parameter: 'prompt'.", "type": "invalid_request_error",
                               "param": "prompt", "code": "missing_required_parameter"}}  # fmt: skip
    images = body.get("image[]") or body.get("image") or []
    if path.endswith("/edits") and not images:
        return 400, {"error": {"message": "image is required", "type": "invalid_request_error", "param": "image"}}
    if _refusing(server, str(body["prompt"])):
        return 400, {"error": {"message": "Your request was rejected by the safety system.",
                               "type": "image_generation_user_error", "param": None,
                               "code": "moderation_blocked"}}  # fmt: skip
    picture = server.paint(images[0] if images else None)
    return 200, {"created": 1764806400, "data": [{"b64_json": base64.b64encode(picture).decode("ascii")}],
                 "usage": {"input_tokens": 50, "output_tokens": 1056, "total_tokens": 1106}}  # fmt: skip


def _fal(server: ImageVendorServer, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    status = re.fullmatch(r"/(.+)/requests/(\w+)/status", path)
    result = re.fullmatch(r"/(.+)/requests/(\w+)", path)
    if method == "GET" and status and status.group(2) in server.tasks:
        task = server.tasks[status.group(2)]
        return 200, {"status": "COMPLETED" if server.ready(task) else "IN_PROGRESS", "request_id": task.id}
    if method == "GET" and result and result.group(2) in server.tasks:
        task = server.tasks[result.group(2)]
        return 200, {"images": [{"url": server.picture_url(task.id), "width": 64, "height": 64,
                                 "content_type": "image/png"}],
                     "seed": task.body.get("seed"), "has_nsfw_concepts": [task.refused],
                     "prompt": task.body.get("prompt")}  # fmt: skip
    if method == "POST":
        if not body.get("prompt") or ("image_url" in body and not str(body["image_url"]).startswith("data:image/")):
            return 422, {"detail": [{"loc": ["body", "image_url"], "msg": "bad input", "type": "value_error"}]}
        task = server.new_task(0.0, body, str(body["prompt"]))
        start = decode_data_uri(body["image_url"]) if "image_url" in body else None
        server.pictures[task.id] = server.paint(start) if not task.refused else paint(None)
        base = f"{server.base_url}/{path.strip('/')}/requests/{task.id}"
        return 200, {"request_id": task.id, "response_url": base, "status_url": f"{base}/status",
                     "cancel_url": f"{base}/cancel"}  # fmt: skip
    return 404, {"detail": "Not Found"}


def _replicate(server: ImageVendorServer, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    if method == "POST" and re.fullmatch(r"/v1/models/[\w.-]+/[\w.-]+/predictions", path):
        inputs = body.get("input")
        if not isinstance(inputs, dict) or not inputs.get("prompt"):
            return 422, {"title": "Input validation failed", "status": 422, "detail": "prompt is required"}
        task = server.new_task(0.0, body, inputs["prompt"])
        if not task.refused:
            server.pictures[task.id] = server.paint(decode_data_uri(inputs["image"]) if "image" in inputs else None)
        return replicate_started(server, task, inputs)
    return replicate_prediction(server, method, path, lambda task: [server.picture_url(task.id)])


UNAUTHORISED = {
    "openai": {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                         "code": "invalid_api_key"}},
    "fal": {"detail": "Authentication is required to access this application."},
    "replicate": {"title": "Unauthenticated", "status": 401, "detail": "You did not pass a valid token"},
}  # fmt: skip


def _parse(headers: dict[str, str], raw: bytes) -> dict[str, Any]:
    """A JSON body, or a multipart/form-data one as {field: text} with file fields as lists of their bytes."""
    kind = headers.get("content-type", "")
    if not raw:
        return {}
    if not kind.startswith("multipart/form-data"):
        return dict(json.loads(raw))
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {kind}\r\n\r\n".encode() + raw
    )
    form: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if part.get_filename():
            form.setdefault(name, []).append(data)
        else:
            form[name] = data.decode()
    return form


FAULT_BODIES = {
    "429": b'{"error": {"message": "Rate limit reached"}}',
    "500": b'{"error": {"message": "The server had an error"}}',
    "malformed": b'{"data": [{"b64_json": ',
}


class _ImageHandler(VendorHandler):
    vendor: ClassVar[ImageVendorServer]
    FAULT_BODIES: ClassVar[dict[str, bytes]] = FAULT_BODIES

    def parse(self, headers: dict[str, str], raw: bytes) -> Any:
        return _parse(headers, raw)

    def download(self, path: str, fault: Fault | None) -> None:
        picture = self.vendor.pictures.get(path.removeprefix("/files/").removesuffix(".png"))
        if picture is None:
            return self.send(404, b"not found", "text/plain")
        not_image = fault is not None and fault.kind == "not_image"
        return self.send(200, NOT_AN_IMAGE if not_image else picture, "image/png")

    def authorised(self, headers: dict[str, str]) -> bool:
        scheme = "Key" if PROTOCOL[self.vendor.vendor] == "fal" else "Bearer"
        return headers.get("authorization", "") == f"{scheme} {self.vendor.key}"

    def unauthorised(self) -> None:
        self.send_json(401, UNAUTHORISED[PROTOCOL[self.vendor.vendor]])

    def answer(self, method: str, path: str, headers: dict[str, str], body: Any, fault: Fault | None) -> None:
        protocol = PROTOCOL[self.vendor.vendor]
        route = {"openai": _openai, "fal": _fal, "replicate": _replicate}[protocol]
        status, reply = route(self.vendor, method, path, body)
        if fault is not None and fault.kind == "not_image" and protocol == "openai" and status == 200:
            reply["data"][0]["b64_json"] = base64.b64encode(NOT_AN_IMAGE).decode("ascii")
        self.send_json(status, reply)


def serve_painter(vendor: str, key: str, **options: Any) -> AbstractContextManager[ImageVendorServer]:
    """Run an image vendor's API (`vendor`: an image backend's name) on 127.0.0.1 for the block."""
    return running(ImageVendorServer(vendor, key, **options), _ImageHandler)


def painter_settings(server: ImageVendorServer, **extra: Any) -> dict[str, Any]:
    """Backend settings pointing an image backend at the local server, with short waits."""
    base = server.base_url + ("/v1" if PROTOCOL[server.vendor] == "openai" else "")
    return settings_for(server, **{"base_url": base, **extra})
