"""The LLM scene re-planner over the real OpenAI-chat backend, against a local server speaking that API."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import fake_openai
from fake_openai import ChatServer, Reply
from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.backends.llm.openai_compatible import OpenAIChatBackend
from filmaster.errors import PlanError
from filmaster.formats.fountain import parse_fountain, read_screenplay
from filmaster.model import Angle, Movement, SceneBlock, ShotScale
from filmaster.model.corpus import CorpusEntry, CorpusShot
from filmaster.retrieval.corpus import load_corpus
from filmaster.retrieval.index import CorpusIndex
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.cinematography import RetrievalScenePlanner, plan_cinematography, speech_floor_s
from filmaster.stages.llm_planner import LLMScenePlanner, SceneAnswer, answer_schema, validate_answer

ROOT = Path(__file__).resolve().parents[2]


MODEL = "test-planner-model"

KITCHEN = (ROOT / "tests" / "data" / "kitchen_dialogue.fountain").read_text()


def entry(entry_id: str, scales: list[str], movements: list[str]) -> CorpusEntry:
    return CorpusEntry(
        id=entry_id,
        situation=f"situation {entry_id}",
        description="a test sequence",
        objective=f"objective {entry_id}",
        characters=2,
        films=["Film A"],
        shots=[
            CorpusShot(scale=s, movement=m, duration_s=2.5, shows=f"{entry_id} shot {i}")
            for i, (s, m) in enumerate(zip(scales, movements, strict=True))
        ],
    )


REFERENCES = [
    (entry("tightening", ["WS", "MS", "CU", "ECU"], ["static", "static", "dolly_in", "static"]), 0.71),
    (entry("pull-back", ["MS", "CU", "WS"], ["static", "static", "dolly_out"]), 0.64),
]
# The model's camera per shot: (scale, angle, movement, direction, duration_s). Several break a rule on purpose.
ASKED: dict[str, tuple[str, str, str, str | None, float]] = {
    "S01-01": ("EWS", "high", "crane", "down", 4.0),
    "S01-02": ("WS", "eye_level", "static", None, 3.0),
    "S01-03": ("ECU", "eye_level", "static", None, 3.0),  # a two-shot cannot be tighter than MS
    "S01-04": ("EWS", "eye_level", "static", None, 2.5),  # an over-the-shoulder cannot be wider than MWS
    "S01-05": ("MCU", "eye_level", "dolly_in", None, 4.0),
    "S01-06": ("CU", "eye_level", "pan", "left", 0.5),  # a pan loses the speaker; 0.5 s cannot hold the line
    "S01-07": ("ECU", "low", "static", None, 3.0),  # a speaker's mouth must stay in frame: at most CU
    "S01-08": ("MCU", "eye_level", "arc", "right", 3.0),
    "S01-09": ("CU", "worms_eye", "static", None, 3.0),  # no worm's-eye on a speaker
    "S01-10": ("MS", "eye_level", "dolly_out", None, 3.5),
}
EXPECTED: dict[str, tuple[ShotScale, Angle, Movement, str | None]] = {
    "S01-01": (ShotScale.EWS, Angle.HIGH, Movement.CRANE, "down"),
    "S01-02": (ShotScale.WS, Angle.EYE_LEVEL, Movement.STATIC, None),
    "S01-03": (ShotScale.MS, Angle.EYE_LEVEL, Movement.STATIC, None),
    "S01-04": (ShotScale.MWS, Angle.EYE_LEVEL, Movement.STATIC, None),
    "S01-05": (ShotScale.MCU, Angle.EYE_LEVEL, Movement.DOLLY_IN, None),
    "S01-06": (ShotScale.CU, Angle.EYE_LEVEL, Movement.STATIC, None),
    "S01-07": (ShotScale.CU, Angle.LOW, Movement.STATIC, None),
    "S01-08": (ShotScale.MCU, Angle.EYE_LEVEL, Movement.ARC, "right"),
    "S01-09": (ShotScale.CU, Angle.EYE_LEVEL, Movement.STATIC, None),
    "S01-10": (ShotScale.MS, Angle.EYE_LEVEL, Movement.DOLLY_OUT, None),
}


def answer(asked: dict[str, tuple], rationale: str = "Tighten like 'tightening', release like 'pull-back'.") -> str:
    shots = [
        {"id": i, "scale": s, "angle": a, "movement": m, "direction": d, "duration_s": t}
        for i, (s, a, m, d, t) in reversed(asked.items())  # any order: shots are matched by id
    ]
    return json.dumps({"shots": shots, "rationale": rationale})


@pytest.fixture(scope="module")
def scene() -> SceneBlock:
    return plan_screenplay(parse_fountain(KITCHEN)).scenes[0]


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with fake_openai.serve(ChatServer(model=MODEL)) as state:
        yield state


def planner(server: ChatServer) -> LLMScenePlanner:
    return LLMScenePlanner(OpenAIChatBackend(base_url=server.base_url, model=MODEL, api_key_env="", max_wait_s=0.1))


def check_coverage_kept(before: SceneBlock, after: SceneBlock) -> None:
    assert [s.id for s in after.shots] == [s.id for s in before.shots]
    for old, new in zip(before.shots, after.shots, strict=True):
        assert (new.kind, new.dialogue, new.action, new.number) == (old.kind, old.dialogue, old.action, old.number)
        assert (new.camera.subjects, new.camera.over_shoulder_of) == (old.camera.subjects, old.camera.over_shoulder_of)
        assert new.camera.line_side == 1
        assert new.duration_s >= speech_floor_s(old) - 1e-9
        assert new.prompt.split("mm lens. ", 1)[1] == old.prompt.split("mm lens. ", 1)[1]


def test_the_prompt_carries_the_scene_and_the_references(server: ChatServer, scene: SceneBlock) -> None:
    server.script = [Reply(content=answer(ASKED))]
    planner(server).replan(scene, REFERENCES)
    (request,) = server.requests
    system, user = (m["content"] for m in request["body"]["messages"])
    assert "exactly once" in system
    for text in ("INT. KITCHEN - NIGHT", scene.objective, "Mood: tense", "ANNA, BEN", "I lost the job"):
        assert text in user
    for shot in scene.shots:
        assert f"- {shot.id}: {shot.kind.value}" in user
        assert f"duration_s ≥ {speech_floor_s(shot):.2f}" in user
    assert "S01-04: over_shoulder; subjects: BEN (over the shoulder of ANNA); scale MWS..CU" in user
    # Both references, closest first, with their shot sequences.
    assert user.index("1. tightening (similarity 0.71)") < user.index("2. pull-back (similarity 0.64)")
    assert "3. CU eye_level dolly_in 2.5 s: tightening shot 2" in user
    assert "3. WS eye_level dolly_out 2.5 s: pull-back shot 2" in user
    schema = request["body"]["response_format"]["json_schema"]["schema"]
    assert schema == answer_schema(scene)
    assert schema["properties"]["shots"]["items"]["properties"]["id"]["enum"] == [s.id for s in scene.shots]


def test_a_valid_answer_is_applied_within_the_coverage_limits(server: ChatServer, scene: SceneBlock) -> None:
    server.script = [Reply(content=answer(ASKED))]
    after = planner(server).replan(scene, REFERENCES)
    assert len(server.requests) == 1
    check_coverage_kept(scene, after)
    got = {s.id: (s.camera.scale, s.camera.angle, s.camera.movement, s.camera.direction) for s in after.shots}
    assert got == EXPECTED
    durations = {s.id: s.duration_s for s in after.shots}
    assert durations["S01-01"] == 4.0 and durations["S01-10"] == 3.5
    assert durations["S01-06"] == round(speech_floor_s(scene.shots[5]), 2) > 0.5  # raised to hold its line
    assert after.shots[0].prompt.startswith("Extreme wide shot, high angle, crane down camera, 18mm lens. ")
    assert [r.entry_id for r in after.references] == ["tightening", "pull-back"]
    assert all(f"planned by the LLM openai-chat:{MODEL}" in r.why for r in after.references)
    assert "release like 'pull-back'" in after.references[0].why
    assert planner(server).cache_identity["llm"]["model_id"] == f"openai-chat:{MODEL}"


def test_an_invalid_answer_gets_one_repair_with_the_error_in_the_prompt(server: ChatServer, scene: SceneBlock) -> None:
    incomplete = {k: v for k, v in ASKED.items() if k != "S01-03"}
    server.script = [Reply(content=answer(incomplete)), Reply(content=answer(ASKED, "repaired"))]
    after = planner(server).replan(scene, REFERENCES)
    assert len(server.requests) == 2
    repair = server.requests[1]["body"]["messages"][1]["content"]
    assert "Your previous answer was invalid" in repair and "missing shot id(s) S01-03" in repair
    assert repair.startswith(server.requests[0]["body"]["messages"][1]["content"])  # the full task again
    assert {s.id: s.camera.scale for s in after.shots}["S01-03"] == ShotScale.MS
    assert "its rationale: repaired" in after.references[0].why


def test_text_that_is_not_json_is_repaired_too(server: ChatServer, scene: SceneBlock) -> None:
    server.script = [Reply(content="I would open wide and push in."), Reply(content=answer(ASKED))]
    after = planner(server).replan(scene, REFERENCES)
    assert "not JSON" in server.requests[1]["body"]["messages"][1]["content"]
    assert {s.id: s.camera.movement for s in after.shots}["S01-05"] == Movement.DOLLY_IN


def test_two_invalid_answers_fall_back_to_the_rule_based_planner(
    server: ChatServer, scene: SceneBlock, caplog: pytest.LogCaptureFixture
) -> None:
    bad = json.loads(answer(ASKED))
    bad["shots"][0]["scale"] = "XXL"
    bad["shots"].append(dict(bad["shots"][1]))  # and one shot twice
    server.script = [Reply(content=json.dumps(bad)), Reply(content=json.dumps(bad))]
    with caplog.at_level(logging.WARNING, logger="filmaster.stages.llm_planner"):
        after = planner(server).replan(scene, REFERENCES)
    assert len(server.requests) == 2
    assert "shots.0.scale" in server.requests[1]["body"]["messages"][1]["content"]
    expected = RetrievalScenePlanner().replan(scene, REFERENCES)
    assert after.shots == expected.shots
    assert all(r.why.startswith("planned by the rule-based planner (the LLM") for r in after.references)
    assert [r.why.split("); ", 1)[1] for r in after.references] == [r.why for r in expected.references]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "using the rule-based planner" in warnings[0].getMessage()


def test_validation_names_missing_unknown_and_repeated_ids(scene: SceneBlock) -> None:
    raw = json.loads(answer(ASKED))
    raw["shots"] = [*raw["shots"][2:], dict(raw["shots"][2], id="S09-01"), raw["shots"][3]]  # answered in reverse
    message = (
        "missing shot id(s) S01-09, S01-10; unknown shot id(s) S09-01; shot id(s) given more than once: S01-07; "
        "answer for exactly these ids: S01-01, S01-02, "
    )
    with pytest.raises(PlanError, match=re.escape(message)):
        validate_answer(raw, scene)
    # Models' spellings of the vocabulary are accepted.
    shot = {
        "id": "S01-01",
        "scale": "ws",
        "angle": "Eye level",
        "movement": "dolly-in",
        "direction": "",
        "duration_s": 2,
    }
    assert SceneAnswer.model_validate({"shots": [shot]}).shots[0].movement == Movement.DOLLY_IN


def test_an_unreachable_service_falls_back_to_the_rules_and_says_why(scene: SceneBlock) -> None:
    # As the README promises: the film is still made, by the rule-based planner, and the plan records why.
    llm = OpenAIChatBackend(base_url="http://127.0.0.1:9/v1", api_key_env="", max_retries=0)
    planner = LLMScenePlanner(llm)
    planned = planner.replan(scene, REFERENCES)
    assert planned == planner.fallback.replan(scene, REFERENCES).model_copy(update={"references": planned.references})
    assert planner.unreachable is not None and "cannot reach" in planner.unreachable
    assert all("was unavailable: cannot reach" in ref.why for ref in planned.references)


def test_no_references_asks_nothing(server: ChatServer, scene: SceneBlock) -> None:
    assert planner(server).replan(scene, []) == scene
    assert server.requests == []


def test_the_stage_uses_the_llm_for_every_scene_with_real_retrieval(server: ChatServer) -> None:
    def medium_static(body: dict[str, Any]) -> str:
        schema = body["response_format"]["json_schema"]["schema"]
        ids = schema["properties"]["shots"]["items"]["properties"]["id"]["enum"]
        shots = [
            {"id": i, "scale": "MS", "angle": "eye_level", "movement": "static", "direction": None, "duration_s": 2.0}
            for i in ids
        ]
        return json.dumps({"shots": shots, "rationale": "hold medium"})

    server.responder = medium_static
    plan = plan_screenplay(read_screenplay(ROOT / "examples" / "tiny.fountain"))
    embedder = MiniLMEmbeddingBackend()
    index = CorpusIndex.build(load_corpus(ROOT / "tests" / "retrieval" / "small_corpus.json"), embedder)
    after = plan_cinematography(plan, index, embedder, k=3, planner=planner(server))
    assert len(server.requests) == len(plan.scenes)
    for before, scene in zip(plan.scenes, after.scenes, strict=True):
        check_coverage_kept(before, scene)
        assert len(scene.references) == 3
        assert all("planned by the LLM" in r.why and "hold medium" in r.why for r in scene.references)
        entries = [r.entry_id for r in scene.references]
        assert all(e in server.requests[scene.index]["body"]["messages"][1]["content"] for e in entries)


# ---------------------------------------------------------------------------------------------------- a real model
@pytest.mark.slow
def test_a_real_local_model_plans_or_falls_back_cleanly(smollm2: str, scene: SceneBlock) -> None:
    llm = OpenAIChatBackend(base_url=smollm2, model="smollm2", api_key_env="", max_tokens=1500, timeout_s=300)
    after = LLMScenePlanner(llm).replan(scene, REFERENCES)
    check_coverage_kept(scene, after)
    why = after.references[0].why
    assert why.startswith("planned by the LLM openai-chat:smollm2") or why.startswith("planned by the rule-based")
