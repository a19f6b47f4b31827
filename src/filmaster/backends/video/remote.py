"""What every generative video service has in common: an async job that is submitted, polled and downloaded.

`JobClient` speaks JSON over HTTP with the failure rules of issue 15: 429, 5xx, timeouts and unreadable replies
are retried within a budget (exponential back-off with full jitter, Retry-After honoured); an authentication
error (401/403) or a content-policy refusal is raised at once. `RemoteVideoBackend` is the base of the vendor
modules: it reads the API key from the environment only, estimates the cost, polls the vendor's task until it
is done, downloads the clip, checks that it decodes and lasts what was asked, and conforms it to the shot
(exact frame count, frame size and rate) as H.264.

A vendor module says how to submit (`submit`), how to read a task (`poll`), and how its API bills (`billed_s`).

A submit is a purchase, so it is never re-sent blindly: `JobClient.submit` repeats it only when the vendor said
no (429, 5xx) or the request never left (connection refused, unknown host). When the answer is lost after the
request may have reached the vendor (a timeout, a reset connection, a cut or unreadable reply) the vendor's
own way to find the job again is asked (Kling's `external_task_id`); where a vendor documents none the shot
fails with `SubmitUncertainError` rather than order the clip twice. The handle of an accepted job is written to
the shot's submit journal (`SubmittedJob`) at once, so a run stopped while polling resumes the same job.
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import logging
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from abc import abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from ...errors import (
    ConfigError,
    ContentRefusedError,
    GenerationError,
    InputError,
    NotResentError,
)
from ...model import Movement, Shot
from ..http import BILLED_NOTE, retry_after
from ..keys import env_api_key
from ..resilience import TRANSIENT_STATUSES
from ..submit_journal import journalled, resumed
from .base import ShotRequest, ShotResult, VideoBackend
from .references import looks_sentence, shot_references

log = logging.getLogger(__name__)

# A gateway's 502/504 to a purchase came after the request reached the vendor: the answer was lost, not refused.
GATEWAY_LOST = frozenset({502, 504})
COMMON_SETTINGS = frozenset(
    {"base_url", "model", "timeout_s", "max_retries", "max_wait_s", "poll_interval_s", "max_poll_s",
     "price_per_second", "concurrency", "duration_tolerance_s"}
)  # fmt: skip


@dataclass(frozen=True)
class Control:
    """What steers a generation besides the prompt: the previz first frame and the reference pictures."""

    first_frame_png: bytes | None = None  # the previz take's first frame, so the shot keeps its planned framing
    previz_clip: Path | None = None
    references: tuple[Path, ...] = ()  # character and location pictures (plan cast / scene reference_image)
    journal: Path | None = None  # the shot's submit journal (set by `generate`): where a paid first step is kept
    painted: bool = False  # the start image is a keyframe painted from the previz frame ([generate] keyframe)

    @staticmethod
    def data_uri(png: bytes) -> str:
        return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@dataclass(frozen=True)
class Poll:
    """One look at a vendor task: finished with a media URL, or still running."""

    done: bool
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # what the download needs (Veo's files need the key)


@dataclass(frozen=True)
class Generated:
    """What a generation made, for the take's record."""

    frames: int
    cost_usd: float
    model: str
    seed: int
    prompt: str


class RemoteError(GenerationError):
    """An HTTP exchange failed for good."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class StillRunningError(GenerationError):
    """The job was not done by max_poll_s; it may still finish, so its journal entry is kept."""


class SubmitUncertainError(NotResentError):
    """A submit whose answer was lost after the request may have reached the vendor: not re-sent."""

    def __init__(self, vendor: str, what: str) -> None:
        super().__init__(
            f"{vendor}: the job was sent but its answer was lost ({what}); it may have been submitted; "
            "not re-sent so it is not billed twice (check the vendor's dashboard before making the film again)"
        )
        self.what = what


class PurchaseUncertainError(SubmitUncertainError):
    """A purchase answered at once (a line of speech, a music cue, a picture) whose answer was lost after the
    request may have reached the vendor: not re-sent, the unit falls back."""

    def __init__(self, vendor: str, what: str) -> None:
        GenerationError.__init__(
            self, f"{vendor}: the request was sent but its answer was lost ({what}); it {BILLED_NOTE}"
        )
        self.what = what


class JobClient:
    """JSON over HTTP to one vendor, retrying what is transient within a budget."""

    def __init__(
        self,
        vendor: str,
        headers: dict[str, str],
        *,
        timeout_s: float = 30.0,
        max_retries: int = 5,
        max_wait_s: float = 30.0,
        refused: Callable[[int, Any], str | None] | None = None,
    ) -> None:
        self.vendor, self.headers = vendor, headers
        self.timeout_s, self.max_retries, self.max_wait_s = timeout_s, max_retries, max_wait_s
        self.refused = refused  # vendor rule: (status, body) -> the refusal's reason, or None

    def json(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        return self._call(method, url, body, parse=True)

    def submit(self, url: str, body: dict[str, Any], *, find: Callable[[], Any] | None = None) -> Any:
        """POST a paid job: re-sent only while it surely was not accepted (see the module doc). When its answer
        is lost, `find` (the vendor's look-up of the job by a key the client chose) may still return the job's
        reply; else SubmitUncertainError."""
        try:
            return self._call("POST", url, body, parse=True, once=True)
        except SubmitUncertainError:
            found = find() if find is not None else None
            if found is None:
                raise
            log.info("%s: the submit's answer was lost; the job was found by its own key", self.vendor)
            return found

    def purchase(self, url: str, body: Any, *, parse: bool = False, content_type: str = "application/json") -> Any:
        """POST something the vendor bills and answers at once (audio, a picture; `body` a JSON object or encoded
        bytes): re-sent only while it surely was not accepted, like `submit`; a lost answer raises
        PurchaseUncertainError. The reply's bytes, or its JSON with `parse`."""
        try:
            return self._call("POST", url, body, parse=parse, content_type=content_type, once=True)
        except PurchaseUncertainError:
            raise
        except SubmitUncertainError as exc:
            raise PurchaseUncertainError(self.vendor, exc.what) from None

    def download(self, url: str, headers: dict[str, str] | None = None) -> bytes:
        return self._call("GET", url, None, parse=False, headers=headers)

    def raw(self, method: str, url: str, body: dict[str, Any] | None = None) -> bytes:
        """The reply's bytes (audio a service renders at once), checked complete against its Content-Length."""
        return self._call(method, url, body, parse=False)

    def _call(
        self,
        method: str,
        url: str,
        body: Any,
        *,
        parse: bool,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
        once: bool = False,  # a purchase: never repeated once it may have reached the vendor
    ) -> Any:
        data = body if isinstance(body, bytes) else None if body is None else json.dumps(body).encode("utf-8")
        sent = {**self.headers, **(headers or {})}
        if data is not None:
            sent["Content-Type"] = content_type
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            wait = _backoff(attempt, self.max_wait_s)
            request = urllib.request.Request(url, data=data, method=method, headers=sent)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    raw = response.read()
                    expected = response.headers.get("Content-Length")
                if expected is not None and len(raw) != int(expected):
                    raise http.client.IncompleteRead(raw, int(expected) - len(raw))
                if not parse:
                    return raw
                return json.loads(raw)
            except urllib.error.HTTPError as exc:
                detail = _read_body(exc)
                reason = self.refused(exc.code, detail) if self.refused else None
                if reason:
                    raise ContentRefusedError(f"{self.vendor} refused the shot: {reason}") from None
                if exc.code in (401, 403):
                    raise RemoteError(
                        f"{self.vendor} rejected the API key (HTTP {exc.code}: {_short(detail)}); check the key",
                        exc.code,
                    ) from None
                if once and exc.code in GATEWAY_LOST:
                    raise SubmitUncertainError(self.vendor, f"HTTP {exc.code} from a gateway") from None
                if exc.code not in TRANSIENT_STATUSES or last:
                    raise RemoteError(
                        f"{self.vendor} answered HTTP {exc.code} ({_short(detail)}) to {method} {_path(url)} "
                        f"after {attempt + 1} attempt(s)",
                        exc.code,
                    ) from None
                wait = min(retry_after(exc.headers, default=wait), self.max_wait_s)
            except (ValueError, http.client.HTTPException, OSError) as exc:  # URLError, timeouts: OSError
                # ValueError: a 200 whose JSON does not parse (a proxy's error page): worth another try.
                what = _failure(exc)
                if once and not _never_sent(exc):
                    raise SubmitUncertainError(self.vendor, what) from None
                if last:
                    raise RemoteError(
                        f"{self.vendor}: {method} {_path(url)} failed ({what}) after {attempt + 1} attempt(s); "
                        "check base_url and the network"
                    ) from None
            log.info("%s: %s %s failed; retrying in %.2f s", self.vendor, method, _path(url), wait)
            time.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises


def _failure(exc: Exception) -> str:
    if isinstance(exc, ValueError):
        return "an unreadable reply"
    if isinstance(exc, http.client.IncompleteRead):
        return "the reply was cut short"
    if isinstance(exc, TimeoutError):
        return "no answer within timeout_s"
    return str(getattr(exc, "reason", exc))


def _never_sent(exc: Exception) -> bool:
    """Whether the request surely did not reach the server: the connection was refused or the host unknown."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return isinstance(reason, (ConnectionRefusedError, socket.gaierror))


def _backoff(attempt: int, cap: float) -> float:
    """Exponential back-off with full jitter (0.5 s, 1 s, 2 s ... scaled by a random factor), so that eight
    workers turned away together do not come back together."""
    return random.uniform(0.5, 1.0) * min(cap, 0.5 * 2.0**attempt)


def _read_body(exc: urllib.error.HTTPError) -> Any:
    try:
        raw = exc.read() or b""
    except OSError:
        return ""
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _short(detail: Any) -> str:
    text = json.dumps(detail) if not isinstance(detail, str) else detail
    return " ".join(text.split())[:200] or "no detail"


def _path(url: str) -> str:
    return urllib.parse.urlparse(url).path


CAMERA_PHRASES: dict[Movement, str] = {
    Movement.STATIC: "static camera, locked off",
    Movement.PAN: "the camera pans",
    Movement.TILT: "the camera tilts",
    Movement.DOLLY_IN: "the camera pushes in slowly",
    Movement.DOLLY_OUT: "the camera pulls out slowly",
    Movement.TRUCK: "the camera trucks sideways",
    Movement.PEDESTAL: "the camera rises on a pedestal",
    Movement.CRANE: "crane shot, the camera rises",
    Movement.ARC: "the camera orbits around the subject",
    Movement.TRACKING: "tracking shot following the subject",
    Movement.HANDHELD: "handheld camera, slight shake",
    Movement.ZOOM: "slow zoom in",
    Movement.DOLLY_ZOOM: "dolly zoom, vertigo effect",
}


def camera_prompt(shot: Shot, *, with_movement: bool = True) -> str:
    """The shot's prompt with its camera language spelled out, for services without camera parameters."""
    camera = shot.camera
    sentence = camera.sentence()
    parts = [sentence]
    if with_movement:
        phrase = CAMERA_PHRASES.get(camera.movement, "")
        if camera.direction is not None and camera.movement not in (Movement.DOLLY_IN, Movement.DOLLY_OUT):
            phrase += f" {camera.direction}"
        parts.append(phrase.strip().capitalize() + ".")
    body = shot.prompt.strip()
    parts.append(
        body[len(sentence) :].strip() if body.startswith(sentence) else body
    )  # the plan's prompt opens with it
    return " ".join(p for p in parts if p)


class RemoteVideoBackend(VideoBackend):
    """A video backend behind a vendor's asynchronous HTTP API. See the module docstring."""

    REFERENCES_REPLACE_FRAME: ClassVar[bool] = False  # the shot's pictures are sent instead of its start image
    KEY_ENV: ClassVar[str]  # the environment variable that holds the API key
    DEFAULT_BASE_URL: ClassVar[str]
    DEFAULT_MODEL: ClassVar[str]
    PRICE_PER_SECOND: ClassVar[float]  # USD per generated second at the default model (the vendor's list price)
    CLIP_SECONDS: ClassVar[tuple[int, ...]] = (5, 10)  # the lengths the service makes; the shortest that fits
    SETTINGS: ClassVar[frozenset[str] | None] = COMMON_SETTINGS
    REMOTE: ClassVar[bool] = True

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.base_url = str(settings.get("base_url", self.DEFAULT_BASE_URL)).rstrip("/")
        self.model = str(settings.get("model", self.DEFAULT_MODEL))
        self.price_per_second = float(settings.get("price_per_second", self.PRICE_PER_SECOND))
        self.concurrency = int(settings.get("concurrency", 8))
        if self.concurrency < 1:
            raise ConfigError(f"[backends.settings.{self.NAME}] concurrency must be at least 1")

    @property
    def cache_identity(self) -> dict[str, Any]:
        # How the service is reached, waited for and paid does not change a pixel; the model and its options do.
        settings = {k: v for k, v in self.settings.items() if k not in COMMON_SETTINGS}
        return {"backend": self.NAME, "version": self.VERSION, "model": self.model, "settings": settings}

    # -- what a vendor module provides --------------------------------------------------------------------------
    def api_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def refused(self, status: int, body: Any) -> str | None:
        """The reason, when an HTTP error is the vendor's content-policy refusal (not worth retrying)."""
        return None

    @abstractmethod
    def submit(self, client: JobClient, request: ShotRequest, control: Control, prompt: str, seconds: int) -> Any:
        """Start the task; return whatever `poll` needs to find it again."""

    @abstractmethod
    def poll(self, client: JobClient, handle: Any) -> Poll:
        """Look at the task once; raise ContentRefusedError or GenerationError when it failed."""

    # -- shared machinery ---------------------------------------------------------------------------------------
    def api_key(self) -> str:
        return env_api_key("video", self.NAME, self.KEY_ENV)

    def client(self) -> JobClient:
        return vendor_client(self.NAME, self.api_headers(self.api_key()), self.settings, self.refused, 60.0)

    def clip_seconds(self, request: ShotRequest) -> int:
        """The clip length to ask for: the shortest the service makes that covers the shot (else its longest)."""
        need = request.shot.duration_s
        return next((s for s in self.CLIP_SECONDS if s >= need - 1e-6), self.CLIP_SECONDS[-1])

    def estimate_cost(self, request: ShotRequest) -> float:
        return round(self.clip_seconds(request) * self.price_per_second, 4)

    def prompt(self, request: ShotRequest) -> str:
        return self.with_looks(request, camera_prompt(request.shot))

    def uses_first_frame(self, request: ShotRequest) -> bool:
        """Whether this shot's request carries its start image: not on a service that takes none
        (`TAKES_FIRST_FRAME`), nor where the shot's reference pictures go instead of it (`REFERENCES_REPLACE_FRAME`).
        A painted keyframe is paid for only when it is sent."""
        frame = bool(getattr(self, "TAKES_FIRST_FRAME", True))
        return frame and not (self.REFERENCES_REPLACE_FRAME and self.sends_references(request))

    def sends_references(self, request: ShotRequest) -> bool:
        """Whether this service's request carries the shot's character and location pictures."""
        return False

    def with_looks(self, request: ShotRequest, prompt: str) -> str:
        """The prompt, with the cast's looks in words when the shot has pictures this service cannot be sent."""
        if shot_references(request) and not self.sends_references(request):
            return f"{prompt} {looks_sentence(request)}"
        return prompt

    def check_shot(self, request: ShotRequest) -> None:
        from .previz import PrevizVideoBackend

        PrevizVideoBackend().check_shot(request)  # the same size and length rules; the previz take is its control

    def shoot(self, request: ShotRequest, clip_path: Path, ground_truth_path: Path | None = None) -> ShotResult:
        result = self.generate(request, clip_path, Control())
        return ShotResult(frames=result.frames, cost_usd=result.cost_usd)

    def generate(
        self, request: ShotRequest, clip_path: Path, control: Control, journal: Path | None = None
    ) -> Generated:
        """Make the shot with the service and write it, conformed, to `clip_path`. With a `journal` path the
        accepted job's handle is kept there, and a job found there is polled (and downloaded) instead of being
        submitted again; the caller removes the journal once the clip is safely stored."""
        for ref in control.references:
            check_image(ref)
        client = self.client()
        seconds = self.clip_seconds(request)
        prompt = self.prompt(request)
        control = replace(control, journal=journal)
        handle = self.journalled(
            journal, request, self.model, lambda: self.submit(client, request, control, prompt, seconds)
        )
        if journal is not None:  # the shot's job is kept: a step that led to it is spent
            step_journal(journal, "keyframe").unlink(missing_ok=True)
        try:
            result = self._wait(client, handle, request)
        except (ContentRefusedError, GenerationError) as exc:
            # The vendor ended the job (failed, refused, forgot it): the next run may order a new one. A lost
            # connection or a deadline leaves the entry, so the next run looks at the same job again.
            if journal is not None and job_is_over(exc):
                journal.unlink(missing_ok=True)
            raise
        media = client.download(result.url, result.headers)  # a failed download keeps the entry: fetched again
        try:
            frames = conform_clip(media, request, clip_path, seconds, self._tolerance(), self.NAME)
        except GenerationError:
            if journal is not None:  # the job delivered a clip that is not the shot: order anew next time
                journal.unlink(missing_ok=True)
            raise
        return Generated(frames, self.estimate_cost(request), self.model, request.seed, prompt)

    def journalled(self, journal: Path | None, request: ShotRequest, model: str, submit: Callable[[], Any]) -> Any:
        """The handle of the job `journal` keeps for this shot and model, else of the one `submit` orders now,
        written to `journal` the moment the vendor accepts it (backends/submit_journal.py)."""
        return journalled(journal, self.NAME, model, request.shot.id, submit)

    def resume(self, journal: Path | None, request: ShotRequest, model: str | None = None) -> Any:
        """The handle of this shot's job that an earlier run submitted, if the journal holds one of ours."""
        return resumed(journal, self.NAME, model or self.model, request.shot.id)

    def _tolerance(self) -> float:
        return float(self.settings.get("duration_tolerance_s", 0.5))

    def _wait(self, client: JobClient, handle: Any, request: ShotRequest) -> Poll:
        late = StillRunningError(
            f"{self.NAME}: shot {request.shot.id} was not ready after {self.settings.get('max_poll_s', 900)} s"
            "; raise max_poll_s or try again later"
        )
        no_url = GenerationError(f"{self.NAME}: the task finished without a video URL")
        return poll_until_done(lambda: self.poll(client, handle), self.settings, (5.0, 900.0, 30.0), late, no_url)


def vendor_client(
    vendor: str,
    headers: dict[str, str],
    settings: Mapping[str, Any],
    refused: Callable[[int, Any], str | None] | None,
    timeout_s: float,
) -> JobClient:
    """The HTTP client of a vendor's backend, its timeout and retries from the backend's settings."""
    return JobClient(
        vendor,
        headers,
        timeout_s=float(settings.get("timeout_s", timeout_s)),
        max_retries=int(settings.get("max_retries", 5)),
        max_wait_s=float(settings.get("max_wait_s", 30.0)),  # the longest back-off between two tries
        refused=refused,
    )


def poll_until_done(
    look: Callable[[], Poll],
    settings: Mapping[str, Any],
    defaults: tuple[float, float, float],
    late: Exception,
    no_url: Exception,
) -> Poll:
    """Look at a queued task until it is done, less and less often (from `poll_interval_s` up to a cap), within
    `max_poll_s`; `defaults` are (interval, max_poll_s, cap) where the settings say nothing. Raises `late` when the
    time is up, `no_url` when the task finished without its media."""
    interval, limit, cap = defaults
    interval = float(settings.get("poll_interval_s", interval))
    deadline = time.monotonic() + float(settings.get("max_poll_s", limit))
    while True:
        state = look()
        if state.done:
            if not state.url:
                raise no_url
            return state
        if time.monotonic() > deadline:
            raise late
        time.sleep(interval * random.uniform(0.8, 1.2))
        interval = min(interval * 1.5, cap)  # long generations are polled less and less often


def step_journal(journal: Path, step: str) -> Path:
    """Where the job of a paid step before the shot's own (Runway's reference keyframe) is journalled."""
    return journal.with_suffix(f".{step}.json")


def job_is_over(exc: Exception) -> bool:
    """Whether a failure while waiting means the vendor's job is finished for good (its journal entry is spent)."""
    if isinstance(exc, StillRunningError):
        return False
    if isinstance(exc, RemoteError):
        return exc.status in (400, 404, 410, 422)  # the vendor does not know or will not serve the job
    return True  # ContentRefusedError, or a GenerationError from `poll`: the task failed or was refused


def check_image(path: Path) -> None:
    """A reference picture must be a readable image, or the service would be sent garbage."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, UnidentifiedImageError):
        raise InputError(
            f"reference image {path} is not a readable image; give a PNG or JPEG (plan.json reference_image)"
        ) from None


def image_base64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def conform_clip(
    media: bytes, request: ShotRequest, clip_path: Path, seconds: float, tolerance_s: float, vendor: str
) -> int:
    """Check the downloaded clip (it decodes, it lasts about `seconds`) and write it as the shot's take
    (`write_conformed`)."""
    import av

    try:
        with av.open(io.BytesIO(media), mode="r") as container:
            stream = container.streams.video[0]
            decoded = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
            rate = float(stream.average_rate or 0) or 24.0
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        raise GenerationError(f"{vendor}: the downloaded video does not decode ({exc}); it may be cut short") from None
    if not decoded:
        raise GenerationError(f"{vendor}: the downloaded video holds no frames")
    length = len(decoded) / rate
    if abs(length - seconds) > tolerance_s:
        raise GenerationError(
            f"{vendor}: the video lasts {length:.2f} s, {seconds:g} s were asked (tolerance {tolerance_s:g} s); "
            "the download may be cut short"
        )
    return write_conformed(decoded, rate, request, clip_path)


def write_conformed(decoded: list[Any], rate: float, request: ShotRequest, clip_path: Path) -> int:
    """Frames made at `rate` written as the shot's take: exactly `request.frames` frames at the film's size and
    rate, H.264; a longer source is trimmed from its start, a shorter one slowed evenly to fill the shot."""
    import numpy as np
    from PIL import Image

    from ...previz.encode import ClipEncoder

    s = request.settings
    wanted = request.frames
    length = len(decoded) / rate
    span = min(length, request.shot.duration_s)  # seconds of the source the shot shows
    with ClipEncoder(clip_path, s.width, s.height, s.fps) as encoder:
        for i in range(wanted):
            t = (i / wanted) * span
            frame = decoded[min(len(decoded) - 1, int(t * rate + 1e-6))]
            if frame.shape[:2] != (s.height, s.width):
                frame = np.asarray(Image.fromarray(frame).resize((s.width, s.height), Image.Resampling.BILINEAR))
            encoder.write(frame)
    return wanted


def first_frame_png(clip: Path) -> bytes:
    """The first frame of a clip (the previz take) as PNG bytes."""
    import av
    from PIL import Image

    with av.open(str(clip)) as container:
        frame = next(container.decode(video=0)).to_ndarray(format="rgb24")
    out = io.BytesIO()
    Image.fromarray(frame).save(out, format="PNG")
    return out.getvalue()


def aspect_ratio(request: ShotRequest) -> str:
    """The service's nearest aspect ratio to the film's frame."""
    ratio = request.settings.width / request.settings.height
    return min(("16:9", "1:1", "9:16"), key=lambda r: abs(_value(r) - ratio))


def _value(ratio: str) -> float:
    w, h = ratio.split(":")
    return float(w) / float(h)
