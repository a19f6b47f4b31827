"""JSON over HTTP for the remote backends: bounded retries on 429/5xx honouring Retry-After, one-line errors.

Standard library only (urllib), so remote backends add no dependency. The API key is sent only in the
Authorization header; errors name the environment variable that holds it, never the key.
"""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import BackendUnavailableError

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
# Said of a purchase whose answer was lost after it may have reached the vendor (and of it in the run's summary).
BILLED_NOTE = "may have been billed; not re-sent"


class HTTPStatusError(BackendUnavailableError):
    """The server answered with an error status that retrying did not (or could not) cure."""

    def __init__(self, message: str, status: int, detail: str) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class RetryPolicy:
    timeout_s: float = 30.0  # per attempt
    max_retries: int = 4  # attempts after the first
    max_wait_s: float = 30.0  # longest single back-off, whatever Retry-After asks


def post_json(
    url: str,
    body: dict[str, Any],
    *,
    api_key: str = "",
    key_env: str = "",
    policy: RetryPolicy = RetryPolicy(),
    permanent: Callable[[int, str], bool] | None = None,
) -> bytes:
    """POST `body` as JSON and return the raw reply; retry transient failures, raise the rest one-line.

    `permanent(status, detail)` marks an error status as not worth retrying even if it is usually transient
    (some servers answer a request they cannot parse with 500)."""
    data = json.dumps(body).encode("utf-8")
    shown = redact_url(url)  # what errors and logs may print
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    for attempt in range(policy.max_retries + 1):
        request = urllib.request.Request(url, data=data, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=policy.timeout_s) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            detail = scrub(error_detail(exc), api_key)  # a server may echo the request's Authorization header
            if exc.code in (401, 403):
                raise HTTPStatusError(
                    f"{shown} refused the API key in {key_env or '(no key configured)'} "
                    f"(HTTP {exc.code}: {detail}); check the key",
                    exc.code,
                    detail,
                ) from None
            transient = exc.code in RETRY_STATUSES and not (permanent and permanent(exc.code, detail))
            if not transient or attempt == policy.max_retries:
                raise HTTPStatusError(
                    f"{shown} answered HTTP {exc.code} ({detail}) after {attempt + 1} attempt(s); "
                    "check the server, model name and quota",
                    exc.code,
                    detail,
                ) from None
            wait = retry_after(exc.headers, default=min(2.0**attempt, policy.max_wait_s))
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            if attempt == policy.max_retries:
                reason = scrub(str(getattr(exc, "reason", exc)), api_key)
                raise BackendUnavailableError(
                    f"cannot reach {shown} ({reason}) after {attempt + 1} attempt(s); check base_url"
                ) from None
            wait = min(2.0**attempt, policy.max_wait_s)
        wait = min(max(wait, 0.0), policy.max_wait_s)
        log.info("request to %s failed; retrying in %.2f s", shown, wait)
        time.sleep(wait)
    raise AssertionError("unreachable")  # the loop returns or raises


_BEARER = re.compile(r"(?i)(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}")
_SECRET_PARAMS = {"key", "api_key", "apikey", "token", "access_token", "secret", "password", "sig", "signature"}


def scrub(text: str, *secrets: str) -> str:
    """`text` with every secret, and anything shaped like a bearer credential, replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _BEARER.sub(lambda m: f"{m.group(1)} ***", text)


def redact_url(url: str) -> str:
    """`url` without a password in it (`https://user:pw@host`) or the values of key-like query parameters."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2] if "@" in parts.netloc else parts.netloc
    query = urllib.parse.urlencode(
        [(k, "***" if k.lower() in _SECRET_PARAMS else v) for k, v in urllib.parse.parse_qsl(parts.query, True)],
        safe="*",
    )
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def error_detail(exc: urllib.error.HTTPError) -> str:
    """The server's own one-line reason (OpenAI puts it in error.message), without the request."""
    try:
        message = json.loads(exc.read() or b"{}").get("error", {}).get("message", "")
    except (ValueError, AttributeError):
        message = ""
    return " ".join(str(message or exc.reason).split())[:200]


def retry_after(headers: Any, default: float) -> float:
    """Seconds to wait, from OpenAI's retry-after-ms or the standard Retry-After (seconds) header."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name) if headers is not None else None
        if value is not None:
            try:
                return float(value) * scale
            except ValueError:
                continue  # an HTTP date: fall back to the exponential back-off
    return default
