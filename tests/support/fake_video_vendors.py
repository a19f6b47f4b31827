"""Local HTTP servers that speak the generative video vendors' APIs, for the remote video backends' tests.

One threaded server on 127.0.0.1 per test speaks one vendor's documented protocol — Kling, Runway, Luma, Google
Veo (Gemini API), fal's queue and Replicate: the same paths, auth headers, request fields, task states and reply
shapes — and serves a real MP4 (made with PyAV: a solid, known colour) as the task's result. Tests script faults
for the next matching requests (429 with Retry-After, 500, a reply slower than the client's timeout, malformed
JSON, a truncated download) and name words that the "content policy" refuses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from fake_http import QuietHandler, answered_fault, serving

VENDORS = ("kling", "runway", "luma", "veo", "fal", "replicate")
KEY_ENVS = {
    "kling": "KLING_ACCESS_KEY",
    "runway": "RUNWAYML_API_SECRET",
    "luma": "LUMAAI_API_KEY",
    "veo": "GEMINI_API_KEY",
    "fal": "FAL_KEY",
    "replicate": "REPLICATE_API_TOKEN",
}
KLING_SECRET = "kling-secret-for-tests"
CLIP_RGB = (230, 40, 200)  # the served clips' colour: no previz set or figure is this magenta
CLIP_SIZE = (96, 64)
CLIP_FPS = 12


def make_clip(seconds: float, rgb: tuple[int, int, int] = CLIP_RGB) -> bytes:
    """A real H.264 MP4 of one solid colour, `seconds` long."""
    import av
    import numpy as np

    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=CLIP_FPS)
        stream.width, stream.height, stream.pix_fmt = CLIP_SIZE[0], CLIP_SIZE[1], "yuv420p"
        frame = np.zeros((CLIP_SIZE[1], CLIP_SIZE[0], 3), np.uint8)
        frame[:] = rgb
        for _ in range(round(seconds * CLIP_FPS)):
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, "rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


@dataclass
class Fault:
    """What the next request of `on` ("submit", "poll", "download" or "any") gets instead of a good answer."""

    kind: str  # "429", "500", "504", "slow", "malformed", "truncated"
    on: str = "any"
    retry_after: str = "0.05"
    slow_s: float = 2.0


@dataclass
class Task:
    id: str
    seconds: float
    created: float
    refused: bool = False
    body: dict[str, Any] = field(default_factory=dict)
    polls: int = 0
    kind: str = "video"  # or "image" (Runway's text_to_image)


@dataclass
class VendorServer:
    vendor: str
    key: str
    base_url: str = ""
    refuse_words: tuple[str, ...] = ()
    rgb: tuple[int, int, int] = CLIP_RGB  # the colour of the clips it serves
    delay_s: float = 0.0  # a task is done this long after it was submitted (and polled at least once)
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)  # method, path, headers, body
    tasks: dict[str, Task] = field(default_factory=dict)
    _clips: dict[float, bytes] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- bookkeeping used by tests ---------------------------------------------------------------------------
    def submits(self) -> list[dict[str, Any]]:
        return [body for method, path, _, body in self.requests if method == "POST" and "cancel" not in path]

    def take_fault(self, stage: str) -> Fault | None:
        with self._lock:
            for i, fault in enumerate(self.faults):
                if fault.on in (stage, "any"):
                    return self.faults.pop(i)
        return None

    def clip(self, seconds: float) -> bytes:
        with self._lock:
            if seconds not in self._clips:
                self._clips[seconds] = make_clip(seconds, self.rgb)
            return self._clips[seconds]

    def new_task(self, seconds: float, body: dict[str, Any], prompt: str, kind: str = "video") -> Task:
        with self._lock:
            task_id = f"task{next(self._ids)}"
            refused = any(word in prompt.lower() for word in self.refuse_words)
            task = self.tasks[task_id] = Task(task_id, seconds, time.monotonic(), refused, body, kind=kind)
            return task

    def ready(self, task: Task) -> bool:
        task.polls += 1
        return task.polls >= 2 and time.monotonic() - task.created >= self.delay_s

    def file_url(self, task: Task) -> str:
        return f"{self.base_url}/files/{task.id}.{'png' if task.kind == 'image' else 'mp4'}"

    def image(self) -> bytes:
        """The PNG an image task serves: the clips' colour."""
        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", CLIP_SIZE, self.rgb).save(out, format="PNG")
        return out.getvalue()

    # -- auth ----------------------------------------------------------------------------------------------------
    def authorised(self, headers: dict[str, str]) -> bool:
        auth = headers.get("authorization", "")
        if self.vendor == "kling":
            return auth.startswith("Bearer ") and _valid_jwt(auth[7:], self.key, KLING_SECRET)
        if self.vendor == "veo":
            return headers.get("x-goog-api-key") == self.key
        if self.vendor == "fal":
            return auth == f"Key {self.key}"
        return auth == f"Bearer {self.key}"


def _valid_jwt(token: str, access_key: str, secret: str) -> bool:
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
        given = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return False
    now = time.time()
    return (
        hmac.compare_digest(expected, given)
        and claims.get("iss") == access_key
        and claims["nbf"] <= now < claims["exp"]
    )


# -- the vendors' protocols ----------------------------------------------------------------------------------------
def _kling(server: VendorServer, method: str, path: str, body: Any) -> tuple[int, Any]:
    submit = re.fullmatch(r"/v1/videos/(text2video|image2video|multi-image2video)", path)
    if method == "POST" and submit:
        mode = submit.group(1)
        if mode == "image2video" and (not body.get("image") or str(body["image"]).startswith("data:")):
            return 400, {"code": 1201, "message": "image must be a URL or raw Base64", "request_id": "r"}
        if mode == "multi-image2video":
            images = body.get("image_list")
            if not isinstance(images, list) or not 1 <= len(images) <= 4:
                return 400, {"code": 1201, "message": "image_list takes 1 to 4 images", "request_id": "r"}
            for item in images:
                image = item.get("image") if isinstance(item, dict) else None
                if not isinstance(image, str) or image.startswith("data:") or _not_base64_image(image):
                    return 400, {"code": 1201, "message": "image_list[].image must be raw Base64", "request_id": "r"}
        if str(body.get("duration")) not in ("5", "10"):
            return 400, {"code": 1201, "message": "duration must be 5 or 10", "request_id": "r"}
        task = server.new_task(float(body["duration"]), body, body.get("prompt", ""))
        if task.refused:
            return 400, {"code": 1301, "message": "Trigger the content security policy", "request_id": "r"}
        return 200, {"code": 0, "message": "SUCCEED", "request_id": "r", "data": {"task_id": task.id,
                     "task_status": "submitted", "created_at": 0, "updated_at": 0}}  # fmt: skip
    query = re.fullmatch(r"/v1/videos/(text2video|image2video|multi-image2video)/([\w.-]+)", path)
    # A task is looked up by Kling's task_id or by the external_task_id its creator chose.
    found = query and next(
        (t for t in server.tasks.values() if query.group(2) in (t.id, t.body.get("external_task_id"))), None
    )
    if method == "GET" and found:
        task = found
        data: dict[str, Any] = {"task_id": task.id, "task_status": "processing", "created_at": 0, "updated_at": 0}
        if server.ready(task):
            data["task_status"] = "succeed"
            data["task_result"] = {"videos": [{"id": task.id, "url": server.file_url(task), "duration": "5"}]}
        return 200, {"code": 0, "message": "SUCCEED", "request_id": "r", "data": data}
    return 404, {"code": 1203, "message": "resource not found", "request_id": "r"}


def _runway(server: VendorServer, method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
    if headers.get("x-runway-version") != "2024-11-06":
        return 400, {"error": "X-Runway-Version header is required"}
    if method == "POST" and path == "/v1/text_to_image":
        if problem := _runway_references(body):
            return 400, {"error": "Validation of body failed", "issues": [{"message": problem}]}
        task = server.new_task(0.0, body, body.get("promptText", ""), kind="image")
        return 200, {"id": task.id}
    if method == "POST" and path == "/v1/image_to_video":
        image = str(body.get("promptImage", ""))
        own_output = image.startswith(f"{server.base_url}/files/")  # a Runway task's output URL
        if not (image.startswith(("data:image/", "https://")) or own_output) or body.get("duration") not in (5, 10):
            return 400, {"error": "Validation of body failed", "issues": []}
        task = server.new_task(float(body["duration"]), body, body.get("promptText", ""))
        return 200, {"id": task.id}
    match = re.fullmatch(r"/v1/tasks/(\w+)", path)
    if method == "GET" and match and match.group(1) in server.tasks:
        task = server.tasks[match.group(1)]
        if task.refused:
            return 200, {"id": task.id, "status": "FAILED", "failure": "Content moderated",
                         "failureCode": "SAFETY.INPUT.TEXT", "createdAt": "2026-01-01T00:00:00Z"}  # fmt: skip
        if server.ready(task):
            return 200, {"id": task.id, "status": "SUCCEEDED", "output": [server.file_url(task)]}
        return 200, {"id": task.id, "status": "RUNNING", "progress": 0.5}
    return 404, {"error": "Not found"}


def _runway_references(body: dict[str, Any]) -> str:
    """Runway's validation of a text_to_image body ("" when it is as documented)."""
    if body.get("model") != "gen4_image" or not body.get("promptText"):
        return "model must be gen4_image and promptText is required"
    references = body.get("referenceImages")
    if not isinstance(references, list) or not 1 <= len(references) <= 3:
        return "referenceImages takes 1 to 3 images"
    for ref in references:
        uri, tag = (ref.get("uri"), ref.get("tag")) if isinstance(ref, dict) else (None, None)
        if not isinstance(uri, str) or _image_list_problem([uri], 1):
            return "referenceImages[].uri must be an https URL or a data URI of an image"
        if not isinstance(tag, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{2,15}", tag):
            return "referenceImages[].tag must be 3 to 16 letters, digits or underscores, starting with a letter"
        if f"@{tag}" not in body["promptText"]:
            return f"the tag {tag} is not used in promptText"
    return ""


def _luma(server: VendorServer, method: str, path: str, body: Any) -> tuple[int, Any]:
    if method == "POST" and path == "/dream-machine/v1/generations":
        if body.get("duration") not in ("5s", "9s") or not body.get("prompt"):
            return 400, {"detail": "Invalid request"}
        task = server.new_task(float(body["duration"][:-1]), body, body["prompt"])
        return 201, {"id": task.id, "state": "queued", "failure_reason": None, "assets": None, "request": body}
    match = re.fullmatch(r"/dream-machine/v1/generations/(\w+)", path)
    if method == "GET" and match and match.group(1) in server.tasks:
        task = server.tasks[match.group(1)]
        if task.refused:
            return 200, {"id": task.id, "state": "failed", "failure_reason": "400: prompt failed moderation"}
        if server.ready(task):
            return 200, {"id": task.id, "state": "completed", "assets": {"video": server.file_url(task)}}
        return 200, {"id": task.id, "state": "dreaming", "assets": None}
    return 404, {"detail": "Not Found"}


def _veo(server: VendorServer, method: str, path: str, body: Any) -> tuple[int, Any]:
    submit = re.fullmatch(r"/v1beta/models/([\w.-]+):predictLongRunning", path)
    if method == "POST" and submit:
        instances = body.get("instances") or [{}]
        seconds = (body.get("parameters") or {}).get("durationSeconds", 8)
        image = instances[0].get("image")
        if image is not None and not (image.get("bytesBase64Encoded") and image.get("mimeType")):
            return 400, {"error": {"code": 400, "message": "image needs bytesBase64Encoded and mimeType",
                                   "status": "INVALID_ARGUMENT"}}  # fmt: skip
        problem = _veo_references(submit.group(1), instances[0], seconds)
        if problem:
            return 400, {"error": {"code": 400, "message": problem, "status": "INVALID_ARGUMENT"}}
        task = server.new_task(float(seconds), body, instances[0].get("prompt", ""))
        return 200, {"name": f"models/{submit.group(1)}/operations/{task.id}"}
    match = re.fullmatch(r"/v1beta/models/[\w.-]+/operations/(\w+)", path)
    if method == "GET" and match and match.group(1) in server.tasks:
        task = server.tasks[match.group(1)]
        name = path.removeprefix("/v1beta/")
        if not server.ready(task):
            return 200, {"name": name}
        kind = "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"
        if task.refused:
            video = {"raiMediaFilteredCount": 1, "raiMediaFilteredReasons": ["The prompt violates our policies."]}
        else:
            video = {"generatedSamples": [{"video": {"uri": server.file_url(task)}}]}
        return 200, {"name": name, "done": True, "response": {"@type": kind, "generateVideoResponse": video}}
    return 404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}}


VEO_REFERENCE_MODELS = ("veo-3.1-generate-preview",)


def _veo_references(model: str, instance: dict[str, Any], seconds: Any) -> str:
    """What Veo says about an instance's referenceImages ("" when they are as documented, or absent)."""
    references = instance.get("referenceImages")
    if references is None:
        return ""
    if model not in VEO_REFERENCE_MODELS:
        return "Your use case is currently not supported. Please refer to Gemini API documentation."
    if not isinstance(references, list) or not 1 <= len(references) <= 3:
        return "referenceImages takes 1 to 3 images"
    for ref in references:
        image = ref.get("image") if isinstance(ref, dict) else None
        if not (isinstance(image, dict) and image.get("bytesBase64Encoded") and image.get("mimeType")):
            return "referenceImages[].image needs bytesBase64Encoded and mimeType"
        if _not_base64_image(image["bytesBase64Encoded"]):
            return "referenceImages[].image is not a valid image"
        if ref.get("referenceType") not in ("asset", "style"):
            return "referenceImages[].referenceType must be asset or style"
    if "image" in instance:
        return "image and referenceImages cannot be used together"
    if seconds != 8:
        return "durationSeconds must be 8 when referenceImages are given"
    return ""


def _not_base64_image(data: str) -> bool:
    try:
        head = base64.b64decode(data, validate=True)[:4]
    except ValueError:
        return True
    return not (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8"))


def _image_list_problem(value: Any, most: int) -> str:
    """The gateways' validation of a list of picture URLs (data URIs or https URLs) ("" when it is good)."""
    if not isinstance(value, list) or not 1 <= len(value) <= most:
        return f"ensure this value has 1 to {most} items"
    for item in value:
        if not isinstance(item, str) or not item.startswith(("data:image/", "https://")):
            return "each item must be an image URL or a data URI"
        if item.startswith("data:") and _not_base64_image(item.split(",", 1)[-1]):
            return "each item must be an image URL or a data URI"
    return ""


# The gateway models the servers know to take reference pictures: the input field and how many.
FAL_REFERENCE_MODELS = {
    "fal-ai/vidu/reference-to-video": ("reference_image_urls", 3),
    "fal-ai/kling-video/v1.6/standard/elements": ("input_image_urls", 4),
}
REPLICATE_REFERENCE_MODELS = {
    "kwaivgi/kling-v1.6-standard": ("reference_images", 4),
    "google/veo-3.1": ("reference_images", 3),
}


def _fal(server: VendorServer, method: str, path: str, body: Any) -> tuple[int, Any]:
    status = re.fullmatch(r"/(.+)/requests/(\w+)/status", path)
    result = re.fullmatch(r"/(.+)/requests/(\w+)", path)
    if method == "GET" and status and status.group(2) in server.tasks:
        task = server.tasks[status.group(2)]
        done = server.ready(task)
        return 200, {"status": "COMPLETED" if done else "IN_PROGRESS", "request_id": task.id,
                     "response_url": f"{server.base_url}/{status.group(1)}/requests/{task.id}"}  # fmt: skip
    if method == "GET" and result and result.group(2) in server.tasks:
        task = server.tasks[result.group(2)]
        return 200, {
            "video": {"url": server.file_url(task), "content_type": "video/mp4"},
            "seed": task.body.get("seed"),
        }
    if method == "POST":
        model = path.strip("/")
        if "image_url" in body and not str(body["image_url"]).startswith(("data:", "https://")):
            return 422, {"detail": [{"loc": ["body", "image_url"], "msg": "bad image", "type": "value_error"}]}
        if model in FAL_REFERENCE_MODELS:
            field, most = FAL_REFERENCE_MODELS[model]
            if problem := _image_list_problem(body.get(field), most):
                return 422, {"detail": [{"loc": ["body", field], "msg": problem, "type": "value_error"}]}
        seconds = 5.0 if body.get("num_frames", 81) <= 81 else 10.0
        task = server.new_task(seconds, body, body.get("prompt", ""))
        if task.refused:
            return 422, {"detail": [{"loc": ["body", "prompt"], "msg": "The content could not be processed",
                                     "type": "content_policy_violation"}]}  # fmt: skip
        base = f"{server.base_url}/{model}/requests/{task.id}"
        return 200, {"request_id": task.id, "response_url": base, "status_url": f"{base}/status",
                     "cancel_url": f"{base}/cancel"}  # fmt: skip
    return 404, {"detail": "Not Found"}


def _replicate(server: VendorServer, method: str, path: str, body: Any) -> tuple[int, Any]:
    submit = re.fullmatch(r"/v1/models/([\w.-]+/[\w.-]+)/predictions", path)
    if method == "POST" and submit:
        inputs = body.get("input")
        if not isinstance(inputs, dict) or not inputs.get("prompt"):
            return 422, {"title": "Input validation failed", "status": 422, "detail": "prompt is required"}
        field, most = REPLICATE_REFERENCE_MODELS.get(submit.group(1), ("", 0))
        if field in inputs and (problem := _image_list_problem(inputs[field], most)):
            return 422, {"title": "Input validation failed", "status": 422, "detail": f"{field}: {problem}"}
        return replicate_started(server, server.new_task(5.0, body, inputs["prompt"]), inputs)
    return replicate_prediction(server, method, path, server.file_url)


def replicate_started(server: VendorServer, task: Task, inputs: dict[str, Any]) -> tuple[int, Any]:
    """Replicate's answer to a new prediction: 201, starting, with the URLs to read and cancel it."""
    get = f"{server.base_url}/v1/predictions/{task.id}"
    return 201, {"id": task.id, "status": "starting", "input": inputs, "output": None, "error": None,
                 "urls": {"get": get, "cancel": f"{get}/cancel"}}  # fmt: skip


def replicate_prediction(
    server: VendorServer, method: str, path: str, output: Callable[[Task], Any]
) -> tuple[int, Any]:
    """Replicate's GET /v1/predictions/{id}: failed (NSFW), succeeded with `output(task)`, or processing."""
    match = re.fullmatch(r"/v1/predictions/(\w+)", path)
    if method == "GET" and match and match.group(1) in server.tasks:
        task = server.tasks[match.group(1)]
        if task.refused:
            return 200, {"id": task.id, "status": "failed", "output": None, "error": "NSFW content detected."}
        if server.ready(task):
            return 200, {"id": task.id, "status": "succeeded", "output": output(task), "error": None}
        return 200, {"id": task.id, "status": "processing", "output": None, "error": None}
    return 404, {"title": "Not found", "status": 404, "detail": "Not found"}


def _unauthorised(vendor: str) -> Any:
    return {
        "kling": {"code": 1004, "message": "Authorization is not valid", "request_id": "r"},
        "veo": {"error": {"code": 403, "message": "API key not valid.", "status": "PERMISSION_DENIED"}},
        "fal": {"detail": "Authentication is required to access this application."},
        "replicate": {"title": "Unauthenticated", "status": 401, "detail": "You did not pass a valid token"},
    }.get(vendor, {"error": "Unauthorized"})


FAULT_BODIES = {
    "429": b'{"error": "Too many requests"}',
    "500": b'{"error": "Internal server error"}',
    "504": b'{"error": "Gateway Timeout"}',  # a gateway that stopped waiting for the vendor, which may have the job
    "malformed": b'{"id": "task1", "status": ',
}


class VendorHandler(QuietHandler):
    """One request to a vendor's job API, the same for the video and the image fakes: read and recorded, its
    scripted fault played, then either a file download (`download`) or, once the key is checked (`authorised`),
    the vendor's own answer (`answer`). A subclass per server sets `vendor`."""

    vendor: ClassVar[VendorServer]
    FAULT_BODIES: ClassVar[dict[str, bytes]] = FAULT_BODIES

    def parse(self, headers: dict[str, str], raw: bytes) -> Any:
        return json.loads(raw) if raw else {}

    def _handle(self, method: str) -> None:
        path = self.path.split("?")[0]
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = self.parse(headers, self.raw_body())
        self.vendor.requests.append((method, path, headers, body))
        stage = "download" if path.startswith("/files/") else "submit" if method == "POST" else "poll"
        fault = self.vendor.take_fault(stage)
        if answered_fault(self, fault, self.FAULT_BODIES):
            return None
        if stage == "download":
            return self.download(path, fault)
        if not self.authorised(headers):
            return self.unauthorised()
        return self.answer(method, path, headers, body, fault)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def download(self, path: str, fault: Fault | None) -> None:
        raise NotImplementedError

    def authorised(self, headers: dict[str, str]) -> bool:
        return self.vendor.authorised(headers)

    def unauthorised(self) -> None:
        raise NotImplementedError

    def answer(self, method: str, path: str, headers: dict[str, str], body: Any, fault: Fault | None) -> None:
        raise NotImplementedError


class _VideoHandler(VendorHandler):
    def download(self, path: str, fault: Fault | None) -> None:
        task = self.vendor.tasks.get(path.removeprefix("/files/").rsplit(".", 1)[0])
        if task is None:
            return self.send(404, b"not found", "text/plain")
        if task.kind == "image":
            return self.send(200, self.vendor.image(), "image/png")
        clip = self.vendor.clip(task.seconds)
        if fault is not None and fault.kind == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(len(clip)))
            self.end_headers()
            self.wfile.write(clip[: len(clip) // 2])
            self.close_connection = True
            return None
        return self.send(200, clip, "video/mp4")

    def unauthorised(self) -> None:
        vendor = self.vendor.vendor
        self.send_json(403 if vendor == "veo" else 401, _unauthorised(vendor))

    def answer(self, method: str, path: str, headers: dict[str, str], body: Any, fault: Fault | None) -> None:
        if self.vendor.vendor == "runway":
            status, reply = _runway(self.vendor, method, path, body, headers)
        else:
            route = {"kling": _kling, "luma": _luma, "veo": _veo, "fal": _fal, "replicate": _replicate}
            status, reply = route[self.vendor.vendor](self.vendor, method, path, body)
        self.send_json(status, reply)


def vendor_handler(base: type[VendorHandler], server: VendorServer) -> type[VendorHandler]:
    """`base` bound to `server` (its state, faults and recorded requests)."""
    return type(f"{base.__name__}For{server.vendor.title()}", (base,), {"vendor": server})


S = TypeVar("S", bound=VendorServer)


@contextmanager
def running(server: S, handler: type[VendorHandler]) -> Iterator[S]:
    """`server`'s API on 127.0.0.1 for the block, each request answered by `handler`."""
    with serving(vendor_handler(handler, server)) as base_url:
        server.base_url = base_url
        yield server


def serve_vendor(vendor: str, key: str, **options: Any) -> AbstractContextManager[VendorServer]:
    """Run `vendor`'s API on 127.0.0.1 for the duration of the block."""
    return running(VendorServer(vendor, key, **options), _VideoHandler)


def settings_for(server: VendorServer, **extra: Any) -> dict[str, Any]:
    """Backend settings that point a vendor backend at the local server and keep its waits short."""
    base = server.base_url
    return {"base_url": base, "poll_interval_s": 0.02, "timeout_s": 1.0, "max_retries": 3, **extra}


def register_worktree_backends() -> None:
    """Make the `filmaster.backends` entry points of this checkout's pyproject visible when the installed
    package's metadata predates them (an editable install made before they were added): a dist-info holding
    them is put on sys.path. Once filmaster is re-installed this does nothing."""
    import sys
    import tempfile
    import tomllib
    from pathlib import Path

    from filmaster.backends import registry

    if all(name in registry.available_backends("video") for name in VENDORS):
        return
    root = Path(__file__).resolve().parents[2]
    points = tomllib.loads((root / "pyproject.toml").read_text())["project"]["entry-points"]["filmaster.backends"]
    site = Path(tempfile.mkdtemp(prefix="filmaster-entry-points-"))
    info = site / "filmaster_worktree_backends-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: filmaster-worktree-backends\nVersion: 0\n")
    lines = [f"{name} = {target}" for name, target in points.items() if name in VENDORS]
    (info / "entry_points.txt").write_text("[filmaster.backends]\n" + "\n".join(lines) + "\n")
    sys.path.append(str(site))
    registry._discovered.cache_clear()
