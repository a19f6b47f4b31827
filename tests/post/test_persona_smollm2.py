"""The audience persona through `filmaster make` with a real local model (SmolLM2 behind llama.cpp's server).

A 135M model answers poorly, but sampled under the answer's schema (llama.cpp's grammar) it answers validly: the
film is made and the persona is heard (its findings name shots of the cut), never half-used.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from filmaster.cli import main
from filmaster.model import Critique, Plan

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.mark.slow
def test_a_real_local_model_screens_the_film_made_by_make(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, smollm2: str
) -> None:
    out, config = tmp_path / "film", tmp_path / "filmaster.toml"
    with caplog.at_level(logging.WARNING):
        config.write_text(
            f'[backends.settings.llm]\nbase_url = "{smollm2}"\nmodel = "smollm2"\napi_key_env = ""\n'
            'max_tokens = 800\ntimeout_s = 300\n[edit]\npersona = "a teenager who hates slow films"\n'
            'preferences = ["fast pace"]\n',
            encoding="utf-8",
        )
        args = ["make", str(EXAMPLES / "tiny.fountain"), "-o", str(out), "-c", str(config), "--draft"]
        assert main([*args, "--resolution", "192x108", "--no-retrieval"]) == 0
    assert (out / "film.mp4").stat().st_size > 0
    critique = Critique.load(out / "critique.json")
    heard = [name for name in critique.critics if name.startswith("persona:")]
    ignored = [r for r in caplog.records if "audience persona's answer was invalid" in r.getMessage()]
    # Sampled under the answer's schema, the model's critique is valid: it is heard, never ignored.
    assert len(heard) == 1 and not ignored, (heard, [r.getMessage() for r in ignored])
    shots = {shot.id for shot in Plan.load(out / "plan.json").shots}
    for finding in critique.findings:
        if finding.critic.startswith("persona:"):
            assert finding.shot_ids and set(finding.shot_ids) <= shots
    assert main(["critique", str(out)]) == 0
