"""Embeddings from any server speaking the OpenAI embeddings API (`POST {base_url}/embeddings`).

Works with OpenAI itself and with local servers that copy its protocol (vLLM, llama.cpp, Ollama, LiteLLM).
The API key is read from the environment variable named by `api_key_env`, sent only in the Authorization
header, and never stored in settings, artifacts, logs or error messages.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.error
import urllib.request
from typing import Any, ClassVar

import numpy as np

from ...errors import BackendUnavailableError, ConfigError
from .base import EmbeddingBackend, normalise_rows

log = logging.getLogger(__name__)

# Published output sizes, so that `dimension` needs no request for the common models.
KNOWN_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
_SETTINGS = {"base_url", "model", "api_key_env", "dimensions", "batch_size", "timeout_s", "max_retries", "max_wait_s"}


class OpenAIEmbeddingBackend(EmbeddingBackend):
    """Settings: base_url (https://api.openai.com/v1), model (text-embedding-3-small), api_key_env
    (OPENAI_API_KEY), dimensions (optional shortening), batch_size (256), timeout_s (30), max_retries (4),
    max_wait_s (longest single back-off, 30)."""

    NAME: ClassVar[str] = "openai"
    VERSION: ClassVar[str] = "1"

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        unknown = set(settings) - _SETTINGS
        if unknown:
            raise ConfigError(
                f"unknown setting(s) {', '.join(sorted(unknown))} for embed backend 'openai'; "
                f"use {', '.join(sorted(_SETTINGS))}"
            )
        self.base_url = str(settings.get("base_url", "https://api.openai.com/v1")).rstrip("/")
        self.model = str(settings.get("model", "text-embedding-3-small"))
        self.key_env = str(settings.get("api_key_env", "OPENAI_API_KEY"))
        self.dimensions = int(settings["dimensions"]) if settings.get("dimensions") else None
        self.batch_size = int(settings.get("batch_size", 256))
        self.timeout_s = float(settings.get("timeout_s", 30.0))
        self.max_retries = int(settings.get("max_retries", 4))
        self.max_wait_s = float(settings.get("max_wait_s", 30.0))
        if not 1 <= self.batch_size <= 2048 or self.max_retries < 0:
            raise ConfigError("embed backend 'openai': batch_size must be 1..2048 and max_retries ≥ 0")
        self._key = os.environ.get(self.key_env, "").strip()
        if not self._key:
            raise BackendUnavailableError(
                f"embed backend 'openai' needs an API key in the environment variable {self.key_env}; "
                f"export {self.key_env}=... or choose the 'minilm' backend"
            )
        self._dimension = self.dimensions or KNOWN_DIMENSIONS.get(self.model)

    @property
    def model_id(self) -> str:
        suffix = f"@{self.dimensions}" if self.dimensions else ""
        return f"openai:{self.model}{suffix}"

    @property
    def dimension(self) -> int:
        if self._dimension is None:  # an unfamiliar model on a compatible server: ask it once
            self._dimension = int(self.embed(["dimension probe"]).shape[1])
        return self._dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension or 0), dtype=np.float32)
        rows: list[np.ndarray] = []
        for start in range(0, len(texts), self.batch_size):
            # The API rejects empty strings; a lone space embeds as "nothing in particular".
            batch = [t if t.strip() else " " for t in texts[start : start + self.batch_size]]
            rows.append(self._request(batch))
        vectors = normalise_rows(np.vstack(rows))
        self._dimension = vectors.shape[1]
        return vectors

    def _request(self, batch: list[str]) -> np.ndarray:
        body: dict[str, Any] = {"model": self.model, "input": batch, "encoding_format": "float"}
        if self.dimensions:
            body["dimensions"] = self.dimensions
        data = json.dumps(body).encode("utf-8")
        url = f"{self.base_url}/embeddings"
        for attempt in range(self.max_retries + 1):
            request = urllib.request.Request(
                url,
                data=data,
                method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {self._key}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    return self._parse(response.read(), len(batch))
            except urllib.error.HTTPError as exc:
                detail = _error_detail(exc)
                if exc.code in (401, 403):
                    raise BackendUnavailableError(
                        f"{url} refused the API key in {self.key_env} (HTTP {exc.code}: {detail}); check the key"
                    ) from None
                if exc.code not in RETRY_STATUSES or attempt == self.max_retries:
                    raise BackendUnavailableError(
                        f"{url} answered HTTP {exc.code} ({detail}) after {attempt + 1} attempt(s); "
                        "check the server, model name and quota"
                    ) from None
                wait = _retry_after(exc.headers, default=min(2.0**attempt, self.max_wait_s))
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                if attempt == self.max_retries:
                    reason = getattr(exc, "reason", exc)
                    raise BackendUnavailableError(
                        f"cannot reach {url} ({reason}) after {attempt + 1} attempt(s); check base_url"
                    ) from None
                wait = min(2.0**attempt, self.max_wait_s)
            wait = min(max(wait, 0.0), self.max_wait_s)
            log.info("embedding request to %s failed; retrying in %.2f s", url, wait)
            time.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _parse(self, payload: bytes, expected: int) -> np.ndarray:
        try:
            reply = json.loads(payload)
            items = sorted(reply["data"], key=lambda item: item["index"])
            vectors = np.asarray([item["embedding"] for item in items], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise BackendUnavailableError(
                f"{self.base_url}/embeddings sent a reply that is not an OpenAI embeddings list ({exc}); "
                "is base_url an OpenAI-compatible API?"
            ) from None
        if vectors.ndim != 2 or len(vectors) != expected:
            raise BackendUnavailableError(
                f"{self.base_url}/embeddings returned {len(vectors)} embeddings for {expected} texts; "
                "the server is not OpenAI-compatible"
            )
        return vectors


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """The server's own one-line reason (OpenAI puts it in error.message), without the request."""
    try:
        message = json.loads(exc.read() or b"{}").get("error", {}).get("message", "")
    except (ValueError, AttributeError):
        message = ""
    return " ".join(str(message or exc.reason).split())[:200]


def _retry_after(headers: Any, default: float) -> float:
    """Seconds to wait, from OpenAI's retry-after-ms or the standard Retry-After (seconds) header."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name) if headers is not None else None
        if value is not None:
            try:
                return float(value) * scale
            except ValueError:
                continue  # an HTTP date: fall back to the exponential back-off
    return default
