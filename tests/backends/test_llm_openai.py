"""The OpenAI-compatible chat backend against a local server that speaks the Chat Completions API."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

import fake_openai
from fake_openai import ChatServer, Reply
from filmaster.backends.http import HTTPStatusError
from filmaster.backends.llm.openai_compatible import OpenAIChatBackend
from filmaster.errors import BackendUnavailableError, ConfigError, PlanError

KEY_ENV = "FILMASTER_TEST_LLM_KEY"
KEY = "sk-test-llm-0123456789"
MODEL = "test-chat-model"
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["answer"],
    "properties": {"answer": {"type": "string"}},
}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChatServer]:
    monkeypatch.setenv(KEY_ENV, KEY)
    with fake_openai.serve(ChatServer(model=MODEL, key=KEY)) as state:
        yield state


def backend(server: ChatServer, **settings: Any) -> OpenAIChatBackend:
    options: dict[str, Any] = {"base_url": server.base_url, "model": MODEL, "api_key_env": KEY_ENV, "max_wait_s": 0.2}
    return OpenAIChatBackend(**{**options, **settings})


def test_asks_for_structured_output_and_returns_the_parsed_object(server: ChatServer) -> None:
    server.script = [Reply(content='{"answer": "a slow push-in"}')]
    answer = backend(server, max_tokens=300, seed=7).complete_json("You are terse.", "Which move?", SCHEMA)
    assert answer == {"answer": "a slow push-in"}
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == f"Bearer {KEY}"
    assert request["body"] == {
        "model": MODEL,
        "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Which move?"}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "filmaster_answer", "strict": True, "schema": SCHEMA},
        },
        "temperature": 0.0,
        "max_tokens": 300,
        "seed": 7,
    }


def test_a_local_server_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with fake_openai.serve(ChatServer(model=MODEL)) as server:
        llm = OpenAIChatBackend(base_url=server.base_url, model=MODEL, api_key_env="")
        assert llm.complete_json("s", "u", SCHEMA) == {"ok": True}
    assert server.requests[0]["auth"] is None
    assert llm.model_id == f"openai-chat:{MODEL}"


def test_missing_key_is_a_one_line_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(BackendUnavailableError, match=KEY_ENV) as err:
        OpenAIChatBackend(api_key_env=KEY_ENV)
    assert "\n" not in str(err.value) and 'api_key_env = ""' in str(err.value)


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"unknown setting.*temprature"):
        OpenAIChatBackend(api_key_env="", temprature=0.2)


def test_refused_key_is_not_retried_and_never_shown(server: ChatServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-wrong-key")
    llm = backend(server)
    with pytest.raises(BackendUnavailableError, match="refused the API key in " + KEY_ENV) as err:
        llm.complete_json("s", "u", SCHEMA)
    assert "sk-wrong-key" not in str(err.value) and "Incorrect API key provided" in str(err.value)
    assert len(server.requests) == 1
    assert "sk-wrong-key" not in json.dumps(llm.cache_identity)


@pytest.mark.parametrize("status", [400, 422, 500])  # 500: llama-cpp-python's server
def test_json_schema_rejected_falls_back_to_json_mode_and_remembers(server: ChatServer, status: int) -> None:
    server.reject_json_schema = status
    server.script = [Reply(content='{"answer": "first"}'), Reply(content='{"answer": "second"}')]
    llm = backend(server)
    assert llm.complete_json("Plan the camera.", "u", SCHEMA) == {"answer": "first"}
    assert llm.complete_json("Plan the camera.", "u", SCHEMA) == {"answer": "second"}
    formats = [r["body"]["response_format"] for r in server.requests]
    assert [f["type"] for f in formats] == ["json_schema", "json_object", "json_object"]  # refused once, remembered
    assert formats[1] == {"type": "json_object", "schema": SCHEMA}  # llama-cpp-python's way to pass a schema
    system = server.requests[1]["body"]["messages"][0]["content"]
    assert system.startswith("Plan the camera.") and json.dumps(SCHEMA) in system


def test_a_server_refusing_the_schema_key_gets_plain_json_mode(server: ChatServer) -> None:
    server.reject_json_schema, server.reject_extra_keys = 400, True
    server.script = [Reply(content='{"answer": "plain"}')]
    assert backend(server).complete_json("Plan the camera.", "u", SCHEMA) == {"answer": "plain"}
    formats = [r["body"]["response_format"] for r in server.requests]
    assert formats == [formats[0], {"type": "json_object", "schema": SCHEMA}, {"type": "json_object"}]


@pytest.mark.parametrize(
    ("structured", "first"),
    [("json_schema", "json_schema"), ("json_object", "json_object"), ("none", None)],
)
def test_the_structured_setting_picks_how_the_schema_is_sent(server: ChatServer, structured: str, first) -> None:
    assert backend(server, structured=structured).complete_json("Plan the camera.", "u", SCHEMA) == {"ok": True}
    (request,) = server.requests
    sent = request["body"].get("response_format")
    assert (sent or {}).get("type") == first
    if structured == "json_object":
        assert sent["schema"] == SCHEMA  # the grammar llama.cpp's server samples under
    if structured != "json_schema":
        assert json.dumps(SCHEMA) in request["body"]["messages"][0]["content"]


def test_a_server_refusing_response_format_is_asked_once_more_without_it(server: ChatServer) -> None:
    server.reject_response_format = True
    server.script = [Reply(content='{"answer": "bare"}'), Reply(content='{"answer": "again"}')]
    llm = backend(server, structured="json_object")
    assert llm.complete_json("Plan the camera.", "u", SCHEMA) == {"answer": "bare"}
    assert llm.complete_json("Plan the camera.", "u", SCHEMA) == {"answer": "again"}
    sent = [r["body"].get("response_format") for r in server.requests]
    assert sent == [{"type": "json_object", "schema": SCHEMA}, {"type": "json_object"}, None, None]


def test_an_unknown_structured_setting_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="structured = 'grammar' is not one of json_schema, json_object, none"):
        OpenAIChatBackend(api_key_env="", structured="grammar")


def test_a_400_in_json_mode_is_reported_not_retried(server: ChatServer) -> None:
    with pytest.raises(HTTPStatusError, match=r"HTTP 404 \(The model `other-model` does not exist") as err:
        backend(server, model="other-model").complete_json("s", "u", SCHEMA)
    assert err.value.status == 404 and len(server.requests) == 1


def test_rate_limit_waits_for_retry_after_then_succeeds(server: ChatServer) -> None:
    server.script = [Reply(status=429, headers={"Retry-After": "2"}, error="Rate limit reached")]
    start = time.perf_counter()
    assert backend(server, max_wait_s=5.0).complete_json("s", "u", SCHEMA) == {"ok": True}
    assert 2.0 <= time.perf_counter() - start < 3.5  # as told, not the 1 s default back-off of a first retry
    assert len(server.requests) == 2


def test_server_errors_are_retried_a_bounded_number_of_times(server: ChatServer) -> None:
    server.script = [Reply(status=500, error="internal"), Reply(status=503)]
    assert backend(server).complete_json("s", "u", SCHEMA) == {"ok": True}
    assert len(server.requests) == 3
    server.requests.clear()
    server.script = [Reply(status=500, error="The server had an error")] * 5
    with pytest.raises(BackendUnavailableError, match=r"HTTP 500 \(The server had an error\) after 3 attempt") as err:
        backend(server, max_retries=2).complete_json("s", "u", SCHEMA)
    assert len(server.requests) == 3 and "\n" not in str(err.value)


def test_answers_that_are_not_json_objects_are_plan_errors(server: ChatServer) -> None:
    server.script = [
        Reply(content='```json\n{"answer": "fenced"}\n```'),
        Reply(content="Sure! Here is the plan: a wide shot."),
        Reply(content='["a", "list"]'),
        Reply(content='{"answer": "cut of', finish_reason="length"),
    ]
    llm = backend(server)
    assert llm.complete_json("s", "u", SCHEMA) == {"answer": "fenced"}
    with pytest.raises(PlanError, match=r"not JSON.*Sure! Here is the plan"):
        llm.complete_json("s", "u", SCHEMA)
    with pytest.raises(PlanError, match="JSON list, not an object"):
        llm.complete_json("s", "u", SCHEMA)
    with pytest.raises(PlanError, match=r"token limit.*raise max_tokens"):
        llm.complete_json("s", "u", SCHEMA)


def test_a_reply_that_is_not_a_chat_completion_is_reported(server: ChatServer) -> None:
    server.script = [Reply(body={"object": "list", "data": []})]
    with pytest.raises(BackendUnavailableError, match="not an OpenAI chat completion"):
        backend(server).complete_json("s", "u", SCHEMA)


def test_a_slow_server_times_out(server: ChatServer) -> None:
    server.script = [Reply(delay_s=1.0)]
    with pytest.raises(BackendUnavailableError, match=r"cannot reach .*/chat/completions .*timed out"):
        backend(server, timeout_s=0.2, max_retries=0).complete_json("s", "u", SCHEMA)


def test_an_unreachable_server_is_reported_after_retries(server: ChatServer) -> None:
    llm = OpenAIChatBackend(base_url="http://127.0.0.1:9/v1", api_key_env="", max_retries=1, max_wait_s=0.05)
    with pytest.raises(BackendUnavailableError, match=re.escape("cannot reach http://127.0.0.1:9/v1/chat/completions")):
        llm.complete_json("s", "u", SCHEMA)
