"""An unreachable LLM re-planner does not stop the film: the rule-based planner plans every scene, with a warning."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from filmaster.config import load_config
from filmaster.formats import read_screenplay
from filmaster.pipeline import make_plan
from filmaster.progress import SilentReporter

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny.fountain"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def test_an_unreachable_llm_falls_back_to_the_rules(caplog: pytest.LogCaptureFixture) -> None:
    base_url = f"http://127.0.0.1:{_closed_port()}/v1"
    config = load_config(
        overrides={
            "cinematography": {"planner": "llm"},
            "backends": {
                "settings": {"llm": {"base_url": base_url, "model": "m", "api_key_env": "", "max_retries": 1}}
            },
        }
    )
    with caplog.at_level(logging.WARNING):
        plan = make_plan(read_screenplay(TINY), config, SilentReporter())
    rules = make_plan(read_screenplay(TINY), load_config(), SilentReporter())
    assert [s.camera for s in plan.shots] == [s.camera for s in rules.shots]
    warnings = [r for r in caplog.records if "re-planner is unavailable" in r.getMessage()]
    assert len(warnings) == 1  # said once, not once per scene
    for scene in plan.scenes:
        assert scene.references[0].why.startswith(
            "planned by the rule-based planner (the LLM openai-chat:m was unavailable"
        )
