"""Local HTTP servers that speak OpenAI's APIs, for tests of the remote backends (a real socket, the real protocol).

`serve_json` runs any JSON-over-POST endpoint; `serve` is the Chat Completions API on top of it. The chat server
checks each request as api.openai.com would (path, model, messages, response_format, the bearer key when one
is configured) and answers in the API's own shapes: a `chat.completion` object, or `{"error": {...}}` with an
HTTP status. Tests script what the "model" says (`Reply.content`) or which failure comes back (status, headers).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fake_http import QuietHandler, serving


@dataclass
class Reply:
    content: str | None = None  # what the model says; None with status 200 means "echo a fixed JSON object"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""  # error.message for a non-200 status
    finish_reason: str = "stop"
    body: dict[str, Any] | None = None  # a raw body instead of a chat completion (a server that is not the API)
    delay_s: float = 0.0


@dataclass
class ChatServer:
    model: str
    key: str = ""  # the bearer key the server expects; "" accepts requests without one
    reject_json_schema: int = 0  # HTTP status refusing response_format json_schema (400, 422 or 500), 0 accepts
    reject_extra_keys: bool = False  # refuse json_object with a "schema" beside it, as strict servers do
    reject_response_format: bool = False  # refuse the field itself, as servers that predate it do
    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[Reply] = field(default_factory=list)
    # What the "model" says when nothing is scripted, from the request body (default: a fixed JSON object).
    responder: Callable[[dict[str, Any]], str] | None = None

    def problem(self, path: str, auth: str | None, body: dict[str, Any]) -> tuple[int, str] | None:
        """What the real API would refuse in this request, as (status, message)."""
        if path != "/v1/chat/completions":
            return 404, f"Invalid URL (POST {path})"
        if self.key and auth != f"Bearer {self.key}":
            return 401, "Incorrect API key provided"
        if body.get("model") != self.model:
            return 404, f"The model `{body.get('model')}` does not exist or you do not have access to it."
        messages = body.get("messages")
        if not (
            isinstance(messages, list)
            and messages
            and all(m.get("role") in ("system", "user", "assistant") for m in messages)
            and all(isinstance(m.get("content"), str) and m["content"] for m in messages)
        ):
            return 400, "Invalid 'messages': expected a non-empty list of {role, content} objects."
        if self.reject_response_format and "response_format" in body:
            return 400, "Unrecognized request argument supplied: response_format"
        fmt = body.get("response_format", {"type": "text"})
        kind = fmt.get("type")
        if kind == "json_schema":
            spec = fmt.get("json_schema", {})
            if self.reject_json_schema:
                return (
                    self.reject_json_schema,
                    "Invalid parameter: 'response_format' of type 'json_schema' is not supported.",
                )
            if not spec.get("name") or not isinstance(spec.get("schema"), dict):
                return 400, "Missing required parameter: 'response_format.json_schema.name' or 'schema'."
        elif kind == "json_object":
            if self.reject_extra_keys and set(fmt) != {"type"}:
                return 400, f"Unrecognized request argument supplied: response_format.{sorted(set(fmt) - {'type'})[0]}"
            if not any("json" in m["content"].lower() for m in messages):
                return (
                    400,
                    "'messages' must contain the word 'json' in some form, to use 'response_format' json_object.",
                )
        elif kind != "text":
            return 400, f"Invalid value for 'response_format.type': {kind!r}."
        return None


def completion(model: str, content: str, finish_reason: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": 100,
            "completion_tokens": len(content) // 4,
            "total_tokens": 100 + len(content) // 4,
        },
    }


# What a test's endpoint does with one POST: (path, Authorization header, JSON body) -> (status, headers, JSON reply).
Handle = Callable[[str, str | None, dict[str, Any]], tuple[int, dict[str, str], dict[str, Any]]]


@contextmanager
def serve_json(handle: Handle) -> Iterator[str]:
    """Serve `handle` on a free port of 127.0.0.1 for the duration; yields the base URL (`http://.../v1`)."""

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = json.loads(self.raw_body())
            status, headers, reply = handle(self.path, self.headers.get("Authorization"), body)
            self.send_json(status, reply, headers)

    with serving(Handler, poll_interval=0.02) as root:
        yield f"{root}/v1"


@contextmanager
def serve(state: ChatServer) -> Iterator[ChatServer]:
    """The Chat Completions API answering from `state` (its script, its responder, its refusals)."""

    def handle(path: str, auth: str | None, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        state.requests.append({"path": path, "auth": auth, "body": body})
        refused = state.problem(path, auth, body)
        reply = Reply() if refused or not state.script else state.script.pop(0)  # a refusal uses no script
        time.sleep(reply.delay_s)
        if refused:
            return refused[0], {}, {"error": {"message": refused[1], "type": "invalid_request_error"}}
        if reply.status != 200:
            return reply.status, reply.headers, {"error": {"message": reply.error or "error", "type": "server_error"}}
        content = reply.content
        if content is None:
            content = state.responder(body) if state.responder else '{"ok": true}'
        return 200, reply.headers, reply.body or completion(body["model"], content, reply.finish_reason)

    with serve_json(handle) as base_url:
        state.base_url = base_url
        yield state
