"""What the hosted image services share: the key from the environment, the HTTP client of the video services
(JobClient: retries on 429/5xx/timeouts/unreadable replies, no retry on a refusal or a bad key), a wait for
queued tasks, and the check that what came back is a picture before it is written. An order (a queue submit, a
picture answered at once) is a purchase: sent again only while it surely was not accepted (`JobClient.submit`,
`JobClient.purchase`), so a picture is never paid for twice."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from ...atomic import write_bytes_atomic
from ...errors import ContentRefusedError, GenerationError
from ..keys import env_api_key
from ..submit_journal import journalled
from ..video.remote import JobClient, Poll, StillRunningError, job_is_over, poll_until_done, vendor_client
from .base import ImageBackend, PaintRequest

# How a service is reached, waited for and paid: not part of what it paints (left out of the cache key).
COMMON_SETTINGS = frozenset(
    {"base_url", "model", "timeout_s", "max_retries", "poll_interval_s", "max_poll_s", "price_per_image"}
)


class RemoteImageBackend(ImageBackend):
    """An image backend behind a vendor's HTTP API; a vendor module says how to ask and how it bills."""

    KEY_ENV: ClassVar[str]
    DEFAULT_BASE_URL: ClassVar[str]
    DEFAULT_MODEL: ClassVar[str]
    PRICE_PER_IMAGE: ClassVar[float]  # USD per picture at the default model and size (the vendor's list price)
    SETTINGS: ClassVar[frozenset[str] | None] = COMMON_SETTINGS
    REMOTE: ClassVar[bool] = True

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.base_url = str(settings.get("base_url", self.DEFAULT_BASE_URL)).rstrip("/")
        self.model = str(settings.get("model", self.DEFAULT_MODEL))

    @property
    def cache_identity(self) -> dict[str, Any]:
        settings = {k: v for k, v in self.settings.items() if k not in COMMON_SETTINGS}
        return {"backend": self.NAME, "version": self.VERSION, "model": self.model, "settings": settings}

    def api_key(self) -> str:
        return env_api_key("image", self.NAME, self.KEY_ENV)

    def api_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def refused(self, status: int, body: Any) -> str | None:
        """The reason, when an HTTP error is the vendor's content-policy refusal (not worth retrying)."""
        return None

    def estimate_cost(self, request: PaintRequest) -> float:
        return round(float(self.settings.get("price_per_image", self.PRICE_PER_IMAGE)), 4)

    def client(self) -> JobClient:
        return vendor_client(self.NAME, self.api_headers(self.api_key()), self.settings, self.refused, 120.0)

    def wait(self, client: JobClient, look: Callable[[JobClient], Poll], label: str) -> Poll:
        """Look at a queued task until it is done (less and less often), within max_poll_s."""
        late = StillRunningError(f"{self.NAME}: {label} was not painted in time; raise max_poll_s or retry")
        no_url = GenerationError(f"{self.NAME}: the task for {label} finished without an image URL")
        return poll_until_done(lambda: look(client), self.settings, (1.0, 300.0, 10.0), late, no_url)

    def queued(
        self,
        client: JobClient,
        request: PaintRequest,
        model: str,
        order: Callable[[], Any],
        look: Callable[[JobClient, Any], Poll],
        out_path: Path,
        journal: Path | None,
    ) -> None:
        """The picture of a queued job, written to `out_path`: the job `journal` keeps from an earlier run, else
        the one `order` submits now (journalled at once); `look` reads the job by its handle. A job the vendor
        ended (failed, refused, forgot) or whose picture is unreadable leaves no entry, so the next run orders
        anew; a lost connection, a deadline or a failed download keeps it, so the next run polls the same job."""
        handle = journalled(journal, self.NAME, model, request.label, order)
        try:
            done = self.wait(client, lambda c: look(c, handle), request.label or "the picture")
        except (ContentRefusedError, GenerationError) as exc:
            if journal is not None and job_is_over(exc):
                journal.unlink(missing_ok=True)
            raise
        picture = client.download(done.url)  # a failed download keeps the entry: fetched again
        try:
            write_picture(picture, out_path, self.NAME)
        except GenerationError:
            if journal is not None:  # the job delivered no picture: order anew next time
                journal.unlink(missing_ok=True)
            raise


def write_picture(data: bytes, out_path: Path, vendor: str) -> tuple[int, int]:
    """Check that `data` decodes as a picture and write it to `out_path` as an RGB PNG; its size."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            picture = image.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        raise GenerationError(
            f"{vendor}: the returned image is not a readable picture ({len(data)} bytes); try again"
        ) from None
    out = io.BytesIO()
    picture.save(out, format="PNG")
    write_bytes_atomic(out_path, out.getvalue())
    return picture.size


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body of text fields and (field, filename, PNG bytes) files; the body and its type."""
    boundary = f"filmaster-{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def png_bytes(path: Path) -> bytes:
    """A picture file as PNG bytes (references may be JPEG; the services are sent PNG)."""
    from PIL import Image

    with Image.open(path) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG")
        return out.getvalue()
