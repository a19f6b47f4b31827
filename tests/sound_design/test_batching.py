"""The finder's batch (SoundFinder.find_all), with the real MiniLM embedder: a screenplay's lines cost one call of
the embedding model, each distinct text asked once, and every decision is the one the finder takes line by line."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from filmaster.backends.embed.base import EmbeddingBackend, WrappedEmbeddings
from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.backends.resilience import Unrecovered
from filmaster.sound_design.calibration import is_heading
from filmaster.sound_design.events import SoundFinder

LABELS = json.loads((Path(__file__).resolve().parents[1] / "data" / "sound_labels.json").read_text())["sets"]
# The examples, the unseen screenplay and two development ones where the judge re-files and hears sounds and WordNet
# proposes some: 130-odd lines, in a few seconds.
PLAYS = [*LABELS["examples"].values(), *LABELS["unseen"].values()] + [
    LABELS["development"][f"tests/data/{name}.fountain"] for name in ("heldout7_bowling_alley", "last_building_site")
]
LINES = [text for rows in PLAYS for text, _ in rows]
LINES = [text for text in LINES if not is_heading(text)] + ["A doorbell, twice."]  # one only the embedding hears


class CountingEmbeddings(WrappedEmbeddings):
    """The inner model's vectors; remembers what each call asked for."""

    def __init__(self, inner: EmbeddingBackend) -> None:
        super().__init__(inner)
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.embed(texts)


class FailingEmbeddings(CountingEmbeddings):
    def embed(self, texts: list[str]) -> np.ndarray:
        raise Unrecovered("embedding failed 4 attempts")


def test_a_batch_decides_as_line_by_line_in_one_call(embedder: MiniLMEmbeddingBackend) -> None:
    one_by_one = SoundFinder(embedder)
    expected = [one_by_one.find(text) for text in LINES]
    counting = CountingEmbeddings(embedder)
    finder = SoundFinder(counting)
    finder.find("A concrete mixer churns. The hull groans.")  # embeds the categories' descriptions and things once
    counting.calls.clear()
    assert finder.find_all(LINES) == expected
    assert len(counting.calls) == 1  # the whole screenplay set in one call
    asked = counting.calls[0]
    assert len(asked) == len(set(asked))  # no text embedded twice
    hows = {sound.how for found in expected for sound in found}
    assert {"judge", "embedding", "wordnet"} <= hows and any(s.why for found in expected for s in found)


def test_a_failed_model_leaves_the_lexicon_s_sounds(
    embedder: MiniLMEmbeddingBackend, caplog: pytest.LogCaptureFixture
) -> None:
    lines = ["The dog barks twice.", "The hull groans.", "She folds the letter."]
    with caplog.at_level(logging.WARNING):
        finder = SoundFinder(FailingEmbeddings(embedder))
        found = finder.find_all(lines)
    assert found == SoundFinder().find_all(lines)  # as without the model: the lexicon's proposals, unjudged
    assert [s.category for s in found[0]] == ["dog"] and found[0][0].count == 2
    assert finder.unembedded > 0 and "lexicon alone" in caplog.text
