"""Sounds proposed by a language model, through the OpenAI-compatible backend against a local server speaking the
Chat Completions protocol: validated, repaired once, else ignored with a warning; placed on the cut with a reason."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

import fake_openai
from fake_openai import ChatServer, Reply
from filmaster.backends.llm.openai_compatible import OpenAIChatBackend
from filmaster.formats.fountain import parse_fountain
from filmaster.sound_design.events import SoundFinder
from filmaster.sound_design.llm_events import LLMSoundFinder, propose_sounds
from filmaster.sound_design.placement import place_effects
from filmaster.stages.breakdown import plan_screenplay

from .test_placement import _cut

MODEL = "local-sound-designer"
LINE = "A delivery van reverses, beeping. Ruth's boots clatter on the cobbles."
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with fake_openai.serve(ChatServer(model=MODEL)) as state:
        yield state


def _llm(server: ChatServer) -> OpenAIChatBackend:
    return OpenAIChatBackend(base_url=server.base_url, model=MODEL, api_key_env="", max_wait_s=0.1)


def _answer(*sounds: tuple[str, str, int]) -> Reply:
    return Reply(content=json.dumps({"sounds": [{"category": c, "words": w, "count": n} for c, w, n in sounds]}))


def test_the_models_sounds_are_kept_with_their_words_and_place_in_the_line(server: ChatServer) -> None:
    server.script = [_answer(("vehicle", "A delivery van reverses, beeping", 1), ("footsteps", "boots clatter", 1))]
    sounds = propose_sounds(_llm(server), LINE)
    assert [(s.category, s.words) for s in sounds] == [
        ("vehicle", "A delivery van reverses, beeping"),
        ("footsteps", "boots clatter"),
    ]
    assert sounds[0].position < 0.5 < sounds[1].position  # in the order the line names them
    prompt = server.requests[0]["body"]["messages"][-1]["content"]
    assert LINE in prompt and "horn" in prompt  # the line and the categories the synthesiser knows


def test_an_invalid_answer_is_repaired_once(server: ChatServer) -> None:
    server.script = [
        _answer(("lorry", "van", 1)),  # not a category
        _answer(("vehicle", "A delivery van", 1)),
    ]
    assert [s.category for s in propose_sounds(_llm(server), LINE)] == ["vehicle"]
    repair = server.requests[1]["body"]["messages"][-1]["content"]
    assert "unknown category 'lorry'" in repair


def test_words_not_in_the_line_or_invalid_twice_are_ignored_with_a_warning(
    server: ChatServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.script = [_answer(("dog", "a dog barks", 1)), Reply(content="Vans beep, I think.")]
    with caplog.at_level(logging.WARNING):
        assert propose_sounds(_llm(server), LINE) == []
    assert "ignored" in caplog.text and len(server.requests) == 2
    assert "not in the line" in server.requests[1]["body"]["messages"][-1]["content"]


def test_proposals_add_only_what_the_lexicon_missed_and_are_placed_with_their_reason(server: ChatServer) -> None:
    plan = plan_screenplay(parse_fountain((DATA / "quay_effects.fountain").read_text()))

    def respond(body: dict) -> str:
        line = body["messages"][-1]["content"].split("\n")[0]
        # The model names the gulls again (the lexicon has them) and a bell the lexicon does not know.
        if "Gulls" in line:
            return json.dumps(
                {"sounds": [{"category": "birds", "words": "Gulls cry"}, {"category": "phone", "words": "overhead"}]}
            )
        return json.dumps({"sounds": []})

    server.responder = respond
    finder = LLMSoundFinder(_llm(server), SoundFinder())
    cues = [c for c in place_effects(plan, _cut(plan), finder, -10.0, -16.0) if c.kind.value == "sfx"]
    assert sorted(c.category for c in cues).count("birds") == 1  # not doubled
    phone = [c for c in cues if c.category == "phone"]
    assert len(phone) == 1 and phone[0].reason == 'action: "overhead"'


def test_configured_the_sound_stage_asks_once_per_line_and_keeps_valid_answers(
    server: ChatServer, tmp_path: Path
) -> None:
    from filmaster.config import load_config
    from filmaster.project import Cache
    from filmaster.stages.sound import sound_finder

    settings = {"base_url": server.base_url, "model": MODEL, "api_key_env": "", "max_wait_s": 0.1}
    config = load_config(overrides={"sound": {"llm_events": True}, "backends": {"settings": {"llm": settings}}})
    cache = Cache(tmp_path / "cache")
    server.script = [_answer(("vehicle", "A delivery van reverses, beeping", 1)), Reply(status=503, error="busy")]
    first = sound_finder(config, cache)
    assert isinstance(first, LLMSoundFinder)
    assert "vehicle" in [s.category for s in first.find(LINE)]
    again = sound_finder(config, cache).find(LINE)  # a re-run: the stored answer, no request
    assert "vehicle" in [s.category for s in again] and len(server.requests) == 1
    # Off (the default), no model is asked.
    assert not isinstance(sound_finder(load_config(), cache), LLMSoundFinder)
