"""The audience persona through the OpenAI-compatible backend, against a local server speaking the protocol."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

import fake_openai
from fake_openai import ChatServer, Reply
from filmaster.backends.llm.openai_compatible import OpenAIChatBackend
from filmaster.config import EditConfig
from filmaster.model import (
    ActionKind,
    Critique,
    Cut,
    EditAction,
    Finding,
    FindingKind,
    Plan,
    RenderSettings,
    Take,
)
from filmaster.post.critics.persona import answer_schema, persona_critique
from filmaster.post.fine_cut import decide_edit
from filmaster.post.intensity import intensity_curve
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.rough_cut import rough_cut
from plan_takes import takes_of

EXAMPLES = Path(__file__).parents[2] / "examples"

MODEL = "local-viewer"
PERSONA = "a teenager who checks her phone when a shot holds"


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with fake_openai.serve(ChatServer(model=MODEL)) as state:
        yield state


@pytest.fixture(scope="module")
def film() -> tuple[Plan, Cut, dict[str, Take]]:
    plan = plan_screenplay(develop(EXAMPLES / "tiny.fountain"))
    settings = RenderSettings(width=192, height=108, fps=24)
    takes = takes_of(plan, settings)
    return plan, rough_cut(plan, takes, settings), takes


def _llm(server: ChatServer) -> OpenAIChatBackend:
    return OpenAIChatBackend(base_url=server.base_url, model=MODEL, api_key_env="", max_wait_s=0.1)


def test_the_persona_sees_every_shot_and_its_remarks_become_findings(server: ChatServer, film) -> None:
    plan, cut, _ = film
    silent = next(s.id for s in plan.shots if not s.dialogue)
    server.script = [
        Reply(
            content=json.dumps(
                {
                    "findings": [
                        {
                            "message": "this wide shot goes on forever",
                            "shot_ids": [silent],
                            "action": "remove",
                            "position": None,
                        }
                    ]
                }
            )
        )
    ]
    critique = persona_critique(_llm(server), plan, cut, PERSONA, ["fast pace"])
    assert critique is not None and critique.critics == [f"persona: {PERSONA}"]
    (finding,) = critique.of_kind(FindingKind.AUDIENCE)
    assert finding.shot_ids == [silent] and finding.actions[0].kind == ActionKind.REMOVE
    assert finding.end_s > finding.start_s
    prompt = server.requests[0]["body"]["messages"][-1]["content"]
    assert PERSONA in prompt and all(clip.shot_id in prompt for clip in cut.clips)
    assert "ambience:" in prompt  # the placeholder audio descriptions are shown


def test_an_answer_naming_unknown_shots_is_repaired_once(server: ChatServer, film) -> None:
    plan, cut, _ = film
    bad = {"findings": [{"message": "boring", "shot_ids": ["S09-09"], "action": "none"}]}
    good = {"findings": [{"message": "boring", "shot_ids": [cut.clips[0].shot_id], "action": "none"}]}
    server.script = [Reply(content=json.dumps(bad)), Reply(content=json.dumps(good))]
    critique = persona_critique(_llm(server), plan, cut, PERSONA, [])
    assert critique is not None and len(critique.findings) == 1
    assert "S09-09" in server.requests[1]["body"]["messages"][-1]["content"]  # the repair names the error


def test_an_answer_invalid_twice_is_ignored_with_a_warning(
    server: ChatServer, film, caplog: pytest.LogCaptureFixture
) -> None:
    plan, cut, _ = film
    server.script = [Reply(content="I liked it!"), Reply(content='{"verdict": "fine"}')]
    with caplog.at_level(logging.WARNING):
        assert persona_critique(_llm(server), plan, cut, PERSONA, []) is None
    assert "ignored" in caplog.text and len(server.requests) == 2


def test_the_fine_cut_refuses_persona_actions_that_break_the_film(server: ChatServer, film) -> None:
    plan, cut, takes = film
    talker = next(s for s in plan.shots if s.dialogue)
    server.script = [
        Reply(
            content=json.dumps(
                {
                    "findings": [
                        {"message": "cut the talking", "shot_ids": [talker.id], "action": "remove"},
                        {
                            "message": "open on the talk",
                            "shot_ids": [plan.scenes[0].shots[-1].id],
                            "action": "rearrange",
                            "position": 0,
                        },
                    ]
                }
            )
        )
    ]
    critique = persona_critique(_llm(server), plan, cut, PERSONA, [])
    assert critique is not None
    decisions = decide_edit(plan, cut, takes, intensity_curve(plan), EditConfig(), critique)
    assert any("would cut dialogue" in s for s in decisions.skipped)
    assert any("across a line of dialogue" in s for s in decisions.skipped)
    assert not any(a.kind == ActionKind.REMOVE and a.shot_id == talker.id for a in decisions.applied)


def test_a_critique_naming_shots_no_longer_in_the_cut_is_skipped(film) -> None:
    plan, cut, takes = film
    stale = Critique(
        title=plan.title,
        cut_duration_s=cut.duration_s,
        findings=[
            Finding(
                kind=FindingKind.AUDIENCE,
                critic="old screening",
                message="drop it",
                start_s=0.0,
                end_s=1.0,
                shot_ids=["S09-01"],
                actions=[EditAction(kind=ActionKind.REMOVE, shot_id="S09-01", reason="old")],
            )
        ],
    )
    decisions = decide_edit(plan, cut, takes, intensity_curve(plan), EditConfig(), stale)
    assert decisions.skipped == ["S09-01 remove: names a shot that is not in the cut"]


@pytest.mark.slow
def test_a_real_local_model_screens_the_cut_in_valid_json(film, smollm2: str) -> None:
    plan, cut, _ = film
    llm = OpenAIChatBackend(base_url=smollm2, model="smollm2", api_key_env="", max_tokens=800, timeout_s=300)
    critique = persona_critique(llm, plan, cut, PERSONA, ["fast pace"])
    # Sampled under the answer's schema (llama.cpp's grammar), even a 135M model's answer is a valid critique: it
    # closes its JSON within the bounded token budget and names only shots of the cut (its findings may be poor).
    assert critique is not None
    known = {clip.shot_id for clip in cut.clips}
    assert all(set(f.shot_ids) <= known for f in critique.findings)
    assert critique.critics == [f"persona: {PERSONA}"]


def test_the_answer_schema_names_only_the_cuts_shots_and_is_bounded(film) -> None:
    _, cut, _ = film
    schema = answer_schema(cut)
    findings = schema["properties"]["findings"]
    remark = findings["items"]
    assert remark["properties"]["shot_ids"]["items"]["enum"] == list(dict.fromkeys(c.shot_id for c in cut.clips))
    assert findings["maxItems"] <= 5 and remark["properties"]["message"]["maxLength"] <= 200
    assert set(remark["required"]) == set(remark["properties"]) and not remark["additionalProperties"]  # strict


def test_screening_merges_the_persona_with_the_offline_critic_when_configured(server: ChatServer, film) -> None:
    from filmaster.config import load_config
    from filmaster.post.screening import screen

    plan, cut, _ = film
    server.script = [
        Reply(content=json.dumps({"findings": [{"message": "too slow", "shot_ids": [cut.clips[-1].shot_id]}]}))
    ]
    settings = {"llm": {"base_url": server.base_url, "model": MODEL, "api_key_env": ""}}
    config = load_config(overrides={"edit": {"persona": PERSONA}, "backends": {"settings": settings}})
    critique = screen(plan, cut, config)
    assert critique.critics == ["offline", f"persona: {PERSONA}"]
    assert critique.of_kind(FindingKind.AUDIENCE) and critique.of_kind(FindingKind.MONOTONE_PACE)
    assert len(server.requests) == 1
    assert screen(plan, cut, load_config()).critics == ["offline"]  # no persona configured: no request
