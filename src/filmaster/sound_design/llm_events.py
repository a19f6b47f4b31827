"""Sounds a language model proposes for a line of the screenplay, beside the lexicon and the embedding.

The model sees the line and the categories the synthesiser knows, and answers {"sounds": [{"category", "words",
"count"}]}. Its answer is validated like every other model answer: the schema, a known category, `words` copied
from the line itself (so each proposal keeps a reason a person can check), a sane count. An invalid answer gets one
repair round with the error in the prompt; a second invalid one is ignored with a warning, and the lexicon's and
embedding's sounds stand alone.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..atomic import write_text_atomic
from ..backends.llm.base import LLMBackend
from ..errors import FilmasterError
from ..project import Cache, content_key
from .events import BY_NAME, SOURCE_THRESHOLD, NamedSound, SoundFinder

log = logging.getLogger(__name__)
NAMESPACE = "llm-sounds"
VERSION = "1"  # bump when the prompt or the validation changes what is kept

SYSTEM = (
    "You are a film sound designer. From one line of a screenplay, list the sounds it names or clearly implies "
    "that an audience should hear. Answer with JSON only."
)


class _Proposal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str
    words: str = Field(min_length=1)  # the words of the line that name the sound, copied exactly
    count: int = Field(default=1, ge=1, le=5)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sounds: list[_Proposal] = Field(default_factory=list, max_length=12)


def proposal_prompt(text: str) -> str:
    return (
        f"Line: {text}\n"
        f"Categories: {', '.join(sorted(BY_NAME))}.\n"
        'Answer {"sounds": [{"category": one of the categories, "words": the exact words of the line that name '
        'it, "count": how many times it sounds}]}; {"sounds": []} when the line names no sound.'
    )


def _validate(raw: object, text: str) -> list[NamedSound]:
    answer = _Answer.model_validate(raw)
    sounds = []
    for proposal in answer.sounds:
        if proposal.category not in BY_NAME:
            raise ValueError(f"unknown category {proposal.category!r}; use one of {', '.join(sorted(BY_NAME))}")
        at = text.lower().find(proposal.words.strip().lower())
        if at < 0:
            raise ValueError(f"the words {proposal.words!r} are not in the line")
        position = (at + len(proposal.words) / 2) / max(len(text), 1)
        sounds.append(NamedSound(proposal.category, proposal.words.strip(), min(position, 1.0), proposal.count))
    return sounds


def propose_sounds(llm: LLMBackend, text: str) -> list[NamedSound]:
    """The model's sounds for `text`, validated; [] (with a warning) when it answered invalidly twice."""
    return _ask(llm, text) or []


def _ask(llm: LLMBackend, text: str) -> list[NamedSound] | None:
    """The validated proposals, or None when there are none to trust (invalid twice, or the service failed)."""
    prompt = proposal_prompt(text)
    user, error = prompt, ""
    for _attempt in range(2):  # the answer, then one repair
        try:
            return _validate(llm.complete_json(SYSTEM, user, _Answer.model_json_schema()), text)
        except (FilmasterError, ValidationError, ValueError) as exc:
            error = " ".join(str(exc).split())[:300]
            user = f"{prompt}\n\nYour previous answer was invalid: {error}. Answer again with valid JSON only."
    log.warning("the LLM's sound proposals for %r were invalid twice (%s); they are ignored", text[:60], error)
    return None


class LLMSoundFinder(SoundFinder):
    """The lexicon and the embedding first; then the model's proposals of categories they did not find."""

    def __init__(self, llm: LLMBackend, finder: SoundFinder, cache: Cache | None = None) -> None:
        source_threshold = finder.sources.threshold if finder.sources is not None else SOURCE_THRESHOLD
        super().__init__(finder.embedder, finder.threshold, source_threshold)
        self.llm = llm
        self.cache = cache  # with it, each line is asked once per model (a valid answer is kept; a failure is not)

    def _proposals(self, text: str) -> list[NamedSound]:
        if self.cache is None:
            return propose_sounds(self.llm, text)
        stored = self.cache.path(NAMESPACE, content_key(NAMESPACE, VERSION, self.llm.cache_identity, text), ".json")
        if stored.is_file():
            self.cache.record(NAMESPACE, computed=False)
            return [NamedSound(**fields) for fields in json.loads(stored.read_text(encoding="utf-8"))]
        sounds = _ask(self.llm, text)
        if sounds is None:
            return []
        write_text_atomic(stored, json.dumps([dataclasses.asdict(s) for s in sounds]))
        self.cache.record(NAMESPACE, computed=True)
        return sounds

    def find_all(self, texts: Sequence[str]) -> list[list[NamedSound]]:
        return [found + self._extra(text, found) for text, found in zip(texts, super().find_all(texts), strict=True)]

    def _extra(self, text: str, found: list[NamedSound]) -> list[NamedSound]:
        """The model's proposals of `text` that the lexicon and the embedding did not find."""
        known = Counter(s.category for s in found)
        extra = []
        for sound in self._proposals(text):
            if known[sound.category] > 0:
                known[sound.category] -= 1  # already found by the lexicon or the embedding
            else:
                extra.append(sound)
        return extra
