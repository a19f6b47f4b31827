"""`cinematography.planner = "llm"`: make's planning goes through an OpenAI-compatible chat endpoint.

The endpoint is a local HTTP server on 127.0.0.1 that speaks the Chat Completions protocol (tests/support/
fake_openai.py); it answers each scene with a close-up-heavy plan for exactly the shot ids it was asked about.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import fake_openai
from filmaster.config import load_config
from filmaster.formats import read_screenplay
from filmaster.pipeline import make_plan, planning_key
from filmaster.progress import SilentReporter

from .conftest import EXAMPLES


def _answer(body: dict[str, Any]) -> str:
    user = body["messages"][-1]["content"]
    ids = re.findall(r"^- (S\d\d-\d\d): ", user, flags=re.MULTILINE)
    shots = [
        {"id": i, "scale": "CU", "angle": "eye_level", "movement": "static", "direction": None, "duration_s": 3.0}
        for i in ids
    ]
    return json.dumps({"shots": shots, "rationale": "hold on faces"})


def test_make_plans_scenes_with_the_configured_llm(tmp_path: Path) -> None:
    with fake_openai.serve(fake_openai.ChatServer(model="local-test", responder=_answer)) as server:
        config = load_config(
            overrides={
                "cinematography": {"planner": "llm"},
                "backends": {
                    "settings": {"llm": {"base_url": server.base_url, "model": "local-test", "api_key_env": ""}}
                },
            }
        )
        plan = make_plan(read_screenplay(EXAMPLES / "tiny.fountain"), config, SilentReporter())
        assert len(server.requests) == len(plan.scenes)
    for scene in plan.scenes:
        assert scene.references and scene.references[0].why.startswith("planned by the LLM")
    # Coverage limits still apply: the establishing shot cannot become a close-up.
    assert plan.scenes[0].shots[0].camera.scale.value != "CU"
    assert planning_key(config) != planning_key(load_config())  # switching planners re-plans
