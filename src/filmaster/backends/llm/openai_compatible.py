"""Chat completions from any server speaking the OpenAI Chat Completions API (`POST {base_url}/chat/completions`).

Works with OpenAI itself and with local servers that copy its protocol (llama.cpp's server, vLLM, Ollama,
LiteLLM). Answers are requested as structured output, constrained by the caller's JSON Schema, as the setting
`structured` says: "json_schema" (OpenAI's `response_format` json_schema, the default), "json_object" (JSON mode
with the schema beside it: llama-cpp-python's server turns that into a grammar its sampling obeys) or "none" (no
`response_format`: the schema only in the prompt). A server that rejects the field (HTTP 400/422, or an error
naming response_format) is asked again the next, looser way — down to no `response_format` at all — and the
backend remembers the downgrade. The schema always travels in the system message too, except to a server that
takes it as json_schema.
The API key is read from the environment variable named by `api_key_env` (empty for a local server that needs
none), sent only in the Authorization header, and never stored in settings, artifacts, logs or error messages.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, ClassVar

from ...errors import BackendUnavailableError, ConfigError, PlanError
from ..http import HTTPStatusError, RetryPolicy, post_json
from .base import LLMBackend

log = logging.getLogger(__name__)

SCHEMA_NAME = "filmaster_answer"
# Ways to ask for JSON, most constrained first: OpenAI structured output; JSON mode with the schema beside it
# (llama-cpp-python's server and Anyscale turn that into a grammar); plain JSON mode; no response_format.
MODES = ("json_schema", "json_object+schema", "json_object", "none")
# The `structured` setting names the mode a backend starts from.
STRUCTURED = {"json_schema": 0, "json_object": 1, "none": 3}


class OpenAIChatBackend(LLMBackend):
    """Settings: base_url (https://api.openai.com/v1), model (gpt-4o-mini), api_key_env (OPENAI_API_KEY; "" for
    none), temperature (0), max_tokens (unset: the server's limit), seed (unset), timeout_s (120), max_retries (4),
    max_wait_s (longest single back-off, 30), structured ("json_schema" | "json_object" | "none", see above)."""

    NAME: ClassVar[str] = "openai-chat"
    VERSION: ClassVar[str] = "1"
    SETTINGS: ClassVar[frozenset[str]] = frozenset(
        {
            "base_url",
            "model",
            "api_key_env",
            "temperature",
            "max_tokens",
            "seed",
            "timeout_s",
            "max_retries",
            "max_wait_s",
            "structured",
        }
    )

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.base_url = str(settings.get("base_url", "https://api.openai.com/v1")).rstrip("/")
        self.model = str(settings.get("model", "gpt-4o-mini"))
        self.key_env = str(settings.get("api_key_env", "OPENAI_API_KEY"))
        self.temperature = float(settings.get("temperature", 0.0))
        self.max_tokens = int(settings["max_tokens"]) if settings.get("max_tokens") else None
        self.seed = int(settings["seed"]) if settings.get("seed") is not None else None
        self.policy = RetryPolicy(
            timeout_s=float(settings.get("timeout_s", 120.0)),
            max_retries=int(settings.get("max_retries", 4)),
            max_wait_s=float(settings.get("max_wait_s", 30.0)),
        )
        if self.policy.max_retries < 0 or self.policy.timeout_s <= 0 or not 0.0 <= self.temperature <= 2.0:
            raise ConfigError("llm backend 'openai-chat': max_retries must be ≥ 0, timeout_s > 0, temperature 0..2")
        self._key = os.environ.get(self.key_env, "").strip() if self.key_env else ""
        if self.key_env and not self._key:
            raise BackendUnavailableError(
                f"llm backend 'openai-chat' needs an API key in the environment variable {self.key_env}; "
                f'export {self.key_env}=..., or set api_key_env = "" for a local server that needs none'
            )
        structured = str(settings.get("structured", "json_schema"))
        if structured not in STRUCTURED:
            raise ConfigError(
                f"llm backend 'openai-chat': structured = {structured!r} is not one of {', '.join(STRUCTURED)}; "
                'use "json_schema" (OpenAI), "json_object" (llama.cpp\'s server) or "none"'
            )
        self._mode = STRUCTURED[structured]  # index into MODES; moves on, and stays, when the server refuses a mode
        # Token counts of the last answer, from the reply's `usage` (empty when the server sends none): callers that
        # account for cost read it after complete_json; the interface itself stays a JSON object in, one out.
        self.last_usage: dict[str, int] = {}

    @property
    def model_id(self) -> str:
        return f"openai-chat:{self.model}"

    def complete_json(self, system: str, user: str, schema: dict[str, Any]) -> dict[str, Any]:
        while True:
            try:
                return self._complete(system, user, schema, MODES[self._mode])
            except HTTPStatusError as exc:
                if not _refuses_format(exc.status, exc.detail) or self._mode == len(MODES) - 1:
                    raise
                log.info("%s refused response_format %s (%s)", self.base_url, MODES[self._mode], exc.detail)
                self._mode += 1

    def _complete(self, system: str, user: str, schema: dict[str, Any], mode: str) -> dict[str, Any]:
        response_format: dict[str, Any] | None
        if mode == "json_schema":
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": schema},
            }
        else:
            # JSON mode constrains the syntax only, so the schema also travels in the prompt (OpenAI requires the
            # word "JSON" in the messages for this mode anyway).
            system = f"{system}\n\nAnswer with one JSON object that follows this JSON Schema:\n{json.dumps(schema)}"
            response_format = None if mode == "none" else {"type": "json_object"}
            if mode == "json_object+schema":
                response_format = {"type": "json_object", "schema": schema}
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "temperature": self.temperature,
        }
        if response_format is not None:
            body["response_format"] = response_format
        if self.max_tokens:
            body["max_tokens"] = self.max_tokens
        if self.seed is not None:
            body["seed"] = self.seed
        url = f"{self.base_url}/chat/completions"
        reply = post_json(
            url, body, api_key=self._key, key_env=self.key_env, policy=self.policy, permanent=_refuses_format
        )
        return self._parse(url, reply)

    def _parse(self, url: str, payload: bytes) -> dict[str, Any]:
        try:
            reply = json.loads(payload)
            choice = reply["choices"][0]
            message = choice["message"]
            content = message.get("content")
            finish = choice.get("finish_reason")
            usage = reply.get("usage") or {}
            self.last_usage = {k: int(v) for k, v in usage.items() if k.endswith("_tokens") and isinstance(v, int)}
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise BackendUnavailableError(
                f"{url} sent a reply that is not an OpenAI chat completion ({type(exc).__name__}: {exc}); "
                "is base_url an OpenAI-compatible API?"
            ) from None
        if message.get("refusal"):
            raise PlanError(f"model {self.model} refused to answer: {_one_line(message['refusal'])}")
        if finish == "length":
            raise PlanError(
                f"model {self.model} stopped at its token limit before finishing the JSON answer; raise max_tokens"
            )
        try:
            answer = json.loads(_strip_fences(content or ""))
        except ValueError as exc:
            raise PlanError(
                f"model {self.model} answered with text that is not JSON ({exc}): {_one_line(content)}"
            ) from None
        if not isinstance(answer, dict):
            raise PlanError(f"model {self.model} answered with a JSON {type(answer).__name__}, not an object")
        return answer


def _refuses_format(status: int, detail: str) -> bool:
    """Did the server refuse the way the answer was asked for? 400 as OpenAI does, 422 as FastAPI servers do,
    or any status whose message names response_format (llama-cpp-python's server answers a schema it cannot
    validate with 500)."""
    return status in (400, 422) or (400 <= status < 600 and "response_format" in detail)


def _strip_fences(text: str) -> str:
    """The JSON inside a ```json fence, which chat models add out of habit when not constrained."""
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


def _one_line(text: Any, limit: int = 160) -> str:
    return " ".join(str(text).split())[:limit]
