"""`develop` with a real local model: SmolLM2 (135M) behind llama.cpp's OpenAI-compatible server.

A model this small writes poor scenes; what is checked is that whatever it answers, the result is a screenplay
that parses with at least two scenes and that `filmaster plan` accepts, and that every call was logged.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from filmaster.cli import main
from filmaster.formats.fountain import read_screenplay
from filmaster.model import Plan


@pytest.mark.slow
def test_a_real_local_model_develops_a_screenplay_that_plan_accepts(tmp_path: Path) -> None:
    from local_llm import llama_server

    out, config = tmp_path / "story.fountain", tmp_path / "filmaster.toml"
    with llama_server() as base_url:
        config.write_text(
            f'[backends.settings.llm]\nbase_url = "{base_url}"\nmodel = "smollm2"\napi_key_env = ""\n'
            "max_tokens = 1000\ntimeout_s = 300\nseed = 7\n",
            encoding="utf-8",
        )
        started = time.monotonic()
        code = main(["develop", "A lighthouse keeper finds a message in a bottle.", "-o", str(out), "-c", str(config)])
        print(f"SmolLM2 developed the screenplay in {time.monotonic() - started:.1f} s")
    assert code == 0
    screenplay = read_screenplay(out)
    assert len(screenplay.scenes) >= 2 and all(scene.elements for scene in screenplay.scenes)
    log = [json.loads(line) for line in (tmp_path / "story.develop/logs/llm.jsonl").read_text().splitlines()]
    assert len(log) >= 6 and all(r["model"] == "openai-chat:smollm2" for r in log)
    plan_file = tmp_path / "plan.json"
    assert main(["plan", str(out), "-o", str(plan_file), "--no-retrieval", "-c", str(config)]) == 0
    assert len(Plan.load(plan_file).scenes) == len(screenplay.scenes)
