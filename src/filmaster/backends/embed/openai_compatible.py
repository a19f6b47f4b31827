"""Embeddings from any server speaking the OpenAI embeddings API (`POST {base_url}/embeddings`).

Works with OpenAI itself and with local servers that copy its protocol (vLLM, llama.cpp, Ollama, LiteLLM).
The API key is read from the environment variable named by `api_key_env`, sent only in the Authorization
header, and never stored in settings, artifacts, logs or error messages.
"""

from __future__ import annotations

import json
import os
from typing import Any, ClassVar

import numpy as np

from ...errors import BackendUnavailableError, ConfigError
from ..http import RetryPolicy, post_json
from .base import EmbeddingBackend, normalise_rows

# Published output sizes, so that `dimension` needs no request for the common models.
KNOWN_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}


class OpenAIEmbeddingBackend(EmbeddingBackend):
    """Settings: base_url (https://api.openai.com/v1), model (text-embedding-3-small), api_key_env
    (OPENAI_API_KEY), dimensions (optional shortening), batch_size (256), timeout_s (30), max_retries (4),
    max_wait_s (longest single back-off, 30)."""

    NAME: ClassVar[str] = "openai"
    VERSION: ClassVar[str] = "1"
    SETTINGS: ClassVar[frozenset[str]] = frozenset(
        {"base_url", "model", "api_key_env", "dimensions", "batch_size", "timeout_s", "max_retries", "max_wait_s"}
    )

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
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
        policy = RetryPolicy(self.timeout_s, self.max_retries, self.max_wait_s)
        reply = post_json(f"{self.base_url}/embeddings", body, api_key=self._key, key_env=self.key_env, policy=policy)
        return self._parse(reply, len(batch))

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
