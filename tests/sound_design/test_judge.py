"""The judge learned from labels (sound_design/judge.py, learning.py), with the real MiniLM embedder: it learns to
re-file a category confusion and to hear a sound the lexicon has no word for, from labelled lines alone, and says
why; the shipped weights were trained on the labels and lexicon as they are now."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import pytest

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.sound_design.calibration import RememberingEmbedder
from filmaster.sound_design.events import CATEGORIES, SoundFinder
from filmaster.sound_design.hearing import WEIGHTS as HEARING_WEIGHTS
from filmaster.sound_design.judge import WEIGHTS, Judge, load_judge, training_digest
from filmaster.sound_design.learning import CLASSES, fit, prepare

LABELS = Path(__file__).resolve().parents[1] / "data" / "sound_labels.json"

TRAINING = [
    ["The pump motor winds down.", ["machine"]],
    ["The fan motor winds down slowly.", ["machine"]],
    ["A winch motor winds down with a sigh.", ["machine"]],
    ["The wind howls across the moor.", ["wind"]],
    ["Wind rattles the loose shutters.", ["wind"]],
    ["A cold wind gusts along the quay.", ["wind"]],
    ["Whoops and stamping from the stands.", ["crowd"]],  # the lexicon hears none of these four
    ["Stamping, whistling, handclaps from the terraces.", ["crowd"]],
    ["Whistles and handclaps ripple round the hall.", ["crowd"]],
    ["Slow handclaps from the gallery.", ["crowd"]],
    ["She folds the letter in half.", []],
    ["He looks out of the window.", []],
    ["Mara sits by the stove, thinking.", []],
    ["The terrier yaps.", ["dog"]],
    ["Gulls wheel over the water.", ["birds"]],
]


@pytest.fixture(scope="module")
def taught(embedder: MiniLMEmbeddingBackend) -> SoundFinder:
    proposer = SoundFinder(RememberingEmbedder(embedder), judge=None)  # type: ignore[arg-type]
    judge = fit([prepare(proposer, TRAINING)])
    return SoundFinder(embedder, judge=judge)


def test_without_the_judge_the_lexicon_confuses_and_misses(embedder: MiniLMEmbeddingBackend) -> None:
    line = "The compressor motor winds down."
    assert [s.category for s in SoundFinder(embedder, judge=None).find(line)] == ["wind"]  # the lexicon's reading
    assert SoundFinder(embedder, judge=None).find("Handclaps, whistles and boos.") == []  # no word it knows


def test_the_judge_refiles_hears_and_explains(taught: SoundFinder) -> None:
    refiled = taught.find("The compressor motor winds down.")
    assert [s.category for s in refiled] == ["machine"]
    assert "proposed wind by the lexicon" in refiled[0].why  # filmaster explain shows it (placement's reason)
    heard = taught.find("Handclaps, whistles and boos.")
    assert [(s.category, s.how) for s in heard] == [("crowd", "judge")]
    assert [s.category for s in taught.find("The wind howls over the ridge.")] == ["wind"]
    assert taught.find("He looks out of the door.") == []


def test_the_shipped_judge_was_trained_on_the_labels_and_lexicon_as_they_are() -> None:
    judge = load_judge([c.name for c in CATEGORIES])
    assert judge is not None and judge.classes == CLASSES and judge.hears  # it decides with the hearing model
    digest = training_digest(json.loads(LABELS.read_text())["sets"], hears=True)
    with np.load(WEIGHTS) as stored, np.load(HEARING_WEIGHTS) as heard:
        assert str(stored["trained_on"]) == digest == str(heard["trained_on"]), (
            "judge.npz or hearing.npz is stale: run scripts/train_sound_judge.py"
        )


def test_weights_for_other_categories_are_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    stale = tmp_path / "judge.npz"
    Judge(np.zeros((3, 2), np.float32), ("none", "horn")).save(stale, trained_on="x")
    with caplog.at_level(logging.WARNING):
        assert load_judge([c.name for c in CATEGORIES], stale) is None
    assert "other categories" in caplog.text
    assert load_judge([c.name for c in CATEGORIES], tmp_path / "absent.npz") is None
    assert hashlib.sha256(stale.read_bytes()).hexdigest()  # written whole (atomic)


@pytest.mark.parametrize("line", ["", "...", "!?;", "(beat)", "The " * 400 + "dog barks."])
def test_the_shipped_judge_reads_odd_lines(embedder: MiniLMEmbeddingBackend, line: str) -> None:
    for sound in SoundFinder(embedder).find(line):
        assert sound.category in CLASSES[1:] and sound.words and 0 <= sound.position <= 1 and sound.count >= 1
