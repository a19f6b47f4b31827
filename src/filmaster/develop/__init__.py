"""`filmaster develop`: a Fountain screenplay from an idea (or a synopsis), written through a language model.

story.fountain            the screenplay, to edit before `make`
story.develop/            every step: synopsis.json, cast.json, outline.json, scenes/NN.json,
                          logs/llm.jsonl (each question, answer, token use, cost) and cache/ (answers by key)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..backends.llm.base import LLMBackend
from ..backends.registry import create_backend
from ..budget import CostBudget
from ..config import Config
from ..errors import ConfigError
from ..model import Screenplay
from ..model.story import SceneDraft, StoryCast
from .asking import LLMSession
from .looks import CAST_FILE, develop_folder
from .story import (
    DevelopOptions,
    cast_step,
    keep,
    outline_step,
    scene_step,
    synopsis_from_text,
    synopsis_step,
)
from .writing import write_screenplay

NO_LLM = (
    "no language model is configured to develop an idea: add [backends.settings.llm] to filmaster.toml with "
    'base_url (e.g. "http://127.0.0.1:8080/v1" for a local llama.cpp or Ollama server), model and api_key_env '
    '("" for a local server), or export OPENAI_API_KEY to use OpenAI'
)


@dataclass(frozen=True)
class Developed:
    screenplay_path: Path
    screenplay: Screenplay
    folder: Path
    requests: int  # questions sent to the model (0 when every answer came from the cache)
    spent_usd: float
    notes: list[str]  # what was filled in from the outline instead of the model


def develop_llm(config: Config) -> LLMBackend:
    """The configured chat model; ConfigError (one line, saying how) when there is none."""
    settings = config.backends.settings.get("llm", {})
    if not settings and config.backends.llm == "openai-chat" and not os.environ.get("OPENAI_API_KEY"):
        raise ConfigError(NO_LLM)
    return create_backend("llm", config.backends.llm, **settings)


def develop_idea(
    idea: str,
    out: Path,
    llm: LLMBackend,
    options: DevelopOptions,
    budget: CostBudget | None = None,
    prices: dict[str, tuple[float, float]] | None = None,
    synopsis_file: Path | None = None,
) -> Developed:
    """Develop `idea` (or the synopsis in `synopsis_file`) into the Fountain screenplay `out`."""
    folder = develop_folder(out)
    session = LLMSession(llm, folder, budget, prices)
    if synopsis_file is not None:
        synopsis = synopsis_from_text(idea, synopsis_file.name)
    else:
        synopsis = synopsis_step(session, idea, options)
    keep(synopsis, folder / "synopsis.json")
    cast: StoryCast = cast_step(session, synopsis, options)
    keep(cast, folder / CAST_FILE)
    outline = outline_step(session, synopsis, cast, options)
    keep(outline, folder / "outline.json")
    drafts: list[SceneDraft] = []
    for number in range(1, len(outline.scenes) + 1):
        draft = scene_step(session, synopsis, outline, number, drafts[-1] if drafts else None, options)
        keep(draft, folder / "scenes" / f"{number:02d}.json")
        drafts.append(draft)
    screenplay = write_screenplay(synopsis, drafts, out)
    notes = [f"scene {d.number}: {note}" for d in drafts for note in d.notes]
    return Developed(out, screenplay, folder, session.requests, session.budget.spent_usd, notes)


__all__ = ["NO_LLM", "DevelopOptions", "Developed", "develop_idea", "develop_llm"]
