"""The OpenAI-compatible embedding backend against a local server that speaks the OpenAI embeddings API."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from fake_openai import serve_json
from filmaster.backends.embed.openai_compatible import OpenAIEmbeddingBackend
from filmaster.errors import BackendUnavailableError

KEY_ENV = "FILMASTER_TEST_EMBED_KEY"
KEY = "sk-test-0123456789"
DIM = 8


def vector_for(text: str) -> list[float]:
    """The server's embedding: a fixed pseudo-random vector per text, not normalised (the client must)."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
    return (np.random.default_rng(seed).normal(size=DIM) * 3.0).round(6).tolist()


@dataclass
class Server:
    """Answers like api.openai.com/v1/embeddings; `script` holds (status, headers, body) replies to send first."""

    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[tuple[int, dict[str, str], dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()

    def handle(path: str, auth: str | None, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        state.requests.append({"path": path, "auth": auth, "body": body})
        if state.script:
            return state.script.pop(0)
        if path != "/v1/embeddings":
            return 404, {}, {"error": {"message": "not found"}}
        inputs = body["input"]
        data = [{"object": "embedding", "index": i, "embedding": vector_for(text)} for i, text in enumerate(inputs)]
        return (
            200,
            {},
            {
                "object": "list",
                "data": data[::-1],  # the API does not promise order; the client sorts by index
                "model": body["model"],
                "usage": {"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
            },
        )

    with serve_json(handle) as base_url:
        state.base_url = base_url
        yield state


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(KEY_ENV, KEY)
    return KEY


def backend(server: Server, **settings: Any) -> OpenAIEmbeddingBackend:
    return OpenAIEmbeddingBackend(
        base_url=server.base_url, model="test-embed", api_key_env=KEY_ENV, max_wait_s=0.2, **settings
    )


def test_embeds_in_input_order_with_unit_rows_and_a_correct_request(server: Server, key: str) -> None:
    texts = ["a chase on the rooftops", "a quiet confession", ""]
    vectors = backend(server).embed(texts)
    expected = np.array([vector_for(t) for t in ["a chase on the rooftops", "a quiet confession", " "]])
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(vectors, expected, atol=1e-6)
    assert vectors.dtype == np.float32
    (request,) = server.requests
    assert request["path"] == "/v1/embeddings"
    assert request["auth"] == f"Bearer {key}"
    assert request["body"] == {
        "model": "test-embed",
        "input": ["a chase on the rooftops", "a quiet confession", " "],
        "encoding_format": "float",
    }


def test_batches_requests_and_sends_dimensions(server: Server, key: str) -> None:
    embedder = backend(server, batch_size=2, dimensions=DIM)
    vectors = embedder.embed([f"text {i}" for i in range(5)])
    assert vectors.shape == (5, DIM)
    assert [len(r["body"]["input"]) for r in server.requests] == [2, 2, 1]
    assert all(r["body"]["dimensions"] == DIM for r in server.requests)
    assert embedder.model_id == f"openai:test-embed@{DIM}"


def test_dimension_of_an_unfamiliar_model_is_asked_once(server: Server, key: str) -> None:
    embedder = backend(server)
    assert embedder.dimension == DIM and embedder.dimension == DIM
    assert len(server.requests) == 1


def test_missing_key_is_a_one_line_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(BackendUnavailableError, match=KEY_ENV) as err:
        OpenAIEmbeddingBackend(api_key_env=KEY_ENV)
    assert "\n" not in str(err.value)


def test_refused_key_is_not_retried_and_never_shown(server: Server, key: str) -> None:
    server.script = [(401, {}, {"error": {"message": "Incorrect API key provided"}})]
    with pytest.raises(BackendUnavailableError, match="refused the API key in " + KEY_ENV) as err:
        backend(server).embed(["x"])
    assert KEY not in str(err.value) and "Incorrect API key provided" in str(err.value)
    assert len(server.requests) == 1
    assert KEY not in json.dumps(backend(server).cache_identity)


def test_rate_limit_waits_for_retry_after_then_succeeds(server: Server, key: str) -> None:
    server.script = [(429, {"retry-after-ms": "150"}, {"error": {"message": "Rate limit reached"}})]
    start = time.perf_counter()
    vectors = backend(server).embed(["x"])
    elapsed = time.perf_counter() - start
    assert vectors.shape == (1, DIM)
    assert len(server.requests) == 2
    assert elapsed >= 0.15


def test_persistent_rate_limit_gives_up_after_bounded_retries(server: Server, key: str) -> None:
    server.script = [(429, {"retry-after": "0"}, {"error": {"message": "quota exceeded"}})] * 10
    with pytest.raises(BackendUnavailableError, match=r"HTTP 429 \(quota exceeded\) after 3 attempt"):
        backend(server, max_retries=2).embed(["x"])
    assert len(server.requests) == 3


def test_server_error_is_retried_and_a_bad_request_is_not(server: Server, key: str) -> None:
    server.script = [(500, {}, {"error": {"message": "internal"}}), (503, {}, {})]
    assert backend(server).embed(["x"]).shape == (1, DIM)
    assert len(server.requests) == 3
    server.requests.clear()
    server.script = [(400, {}, {"error": {"message": "model 'test-embed' does not exist"}})]
    with pytest.raises(BackendUnavailableError, match="does not exist"):
        backend(server).embed(["x"])
    assert len(server.requests) == 1


def test_a_reply_that_is_not_an_embeddings_list_is_reported(server: Server, key: str) -> None:
    server.script = [(200, {}, {"object": "list", "data": [{"index": 0}]})]
    with pytest.raises(BackendUnavailableError, match="not an OpenAI embeddings list"):
        backend(server).embed(["x"])


def test_an_unreachable_server_is_reported_after_retries(key: str) -> None:
    embedder = OpenAIEmbeddingBackend(
        base_url="http://127.0.0.1:9/v1", api_key_env=KEY_ENV, max_retries=1, max_wait_s=0.05, timeout_s=1
    )
    with pytest.raises(BackendUnavailableError, match=re.escape("cannot reach http://127.0.0.1:9/v1/embeddings")):
        embedder.embed(["x"])
