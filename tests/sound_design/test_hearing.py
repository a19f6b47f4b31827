"""The clause hearing model (sound_design/hearing.py, hearing_learning.py), with the real MiniLM embedder: learned from
line labels alone, it finds which clause of a line names a sound, proposes a sound the rules miss for the judge to
decide, and the finder says where it heard it. The finder ships without it (see docs/benchmarks.md)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.sound_design.calibration import RememberingEmbedder
from filmaster.sound_design.events import CATEGORIES, SoundFinder
from filmaster.sound_design.hearing import Hearing, _bag_loss, load_hearing, split_clauses
from filmaster.sound_design.hearing_learning import NAMES, fit_hearing, fit_hearing_judge
from filmaster.sound_design.judge import Judge, load_judge
from filmaster.sound_design.learning import CLASSES

# Laughter and giggles the lexicon has no reading for, each in one clause of a line whose other clause is silent.
TRAINING = [
    ["Maya folds her coat, and giggles spread along the pews.", ["crowd"]],
    ["Laughter runs round the hall, while Tom stares at his shoes.", ["crowd"]],
    ["He counts the chairs, then titters ripple through the audience.", ["crowd"]],
    ["Chuckles travel along the benches as the vicar blushes.", ["crowd"]],
    ["The pupils snigger behind their hands, and Ana looks away.", ["crowd"]],
    ["Ruth opens the ledger, and the terrier yaps.", ["dog"]],
    ["A collie barks at the gate, as the farmer waves.", ["dog"]],
    ["She folds the letter in half, and puts it away.", []],
    ["He looks out of the window, thinking of home.", []],
    ["Mara sits by the stove, reading.", []],
    ["Jon ties his laces, then stands.", []],
    ["The wind howls across the moor.", ["wind"]],
    ["Gulls wheel over the water, and cry.", ["birds"]],
]


def test_clauses_are_cut_at_punctuation_and_new_parts() -> None:
    assert split_clauses("A calf bawls in the pens outside, and a dog answers it.") == [
        "A calf bawls in the pens outside",
        "and a dog answers it.",
    ]
    assert split_clauses("He waits - then runs.") == ["He waits", "then runs."]
    assert split_clauses("Then, silence.") == ["Then silence."]  # a one-word piece joins its neighbour
    assert split_clauses("Rain.") == ["Rain."]


def test_the_pooled_gradient_is_the_loss_s_slope() -> None:
    rng = np.random.default_rng(7)
    x = np.hstack([rng.normal(size=(9, 4)), np.ones((9, 1))])
    bags = np.array([0, 0, 1, 1, 1, 2, 3, 3, 3])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    w = rng.normal(size=5) * 0.3
    _, grad = _bag_loss(w, x, bags, y, 0.5)
    for i in range(len(w)):
        step = np.zeros_like(w)
        step[i] = 1e-6
        slope = (_bag_loss(w + step, x, bags, y, 0.5)[0] - _bag_loss(w - step, x, bags, y, 0.5)[0]) / 2e-6
        assert grad[i] == pytest.approx(slope, abs=1e-6)


@pytest.fixture(scope="module")
def remembering(embedder: MiniLMEmbeddingBackend) -> SoundFinder:
    return SoundFinder(RememberingEmbedder(embedder), judge=None, hearing=None)  # type: ignore[arg-type]


def test_it_learns_which_clause_names_the_sound_from_line_labels(remembering: SoundFinder) -> None:
    hearing = fit_hearing(remembering, [TRAINING], l2=0.1)  # few lines: a light weight decay
    line = "Nell shuts the register, and sniggers spread round the benches."
    sentences = [line, "Wes pockets his keys.", "Laughter ripples round the benches."]
    texts = [*sentences, *split_clauses(line)]
    vectors = dict(zip(texts, remembering.embedder.embed(texts), strict=True))  # type: ignore[union-attr]
    heard = SoundFinder(remembering.embedder, judge=None, hearing=hearing).heard_in(sentences, vectors)
    crowd = NAMES.index("crowd")
    clauses, p = heard[line]
    assert clauses == split_clauses(line) and p[1, crowd] > p[0, crowd]  # the sniggers, not the register
    assert heard["Laughter ripples round the benches."][1][0, crowd] > 0.5 > heard["Wes pockets his keys."][1][0, crowd]


def test_a_taught_finder_hears_what_the_rules_miss_and_says_where(
    remembering: SoundFinder, embedder: MiniLMEmbeddingBackend
) -> None:
    line = "Wes pockets his keys. Laughter ripples round the benches."
    assert SoundFinder(embedder, judge=None, hearing=None).find(line) == []  # no rule reads it
    hearing, judge = fit_hearing_judge(remembering, [TRAINING] * 2, threshold=0.5, parts=2, l2=0.1)
    taught = SoundFinder(embedder, judge=judge, hearing=hearing)
    found = taught.find(line)
    assert [(s.category, s.how) for s in found] == [("crowd", "heard")]
    assert found[0].why.startswith("heard in 'Laughter ripples round the benches.' (p ")
    assert taught.find("She folds the map, and puts it away.") == []


def test_the_shipped_finder_hears_and_a_hearing_judge_needs_its_model(
    tmp_path: Path, embedder: MiniLMEmbeddingBackend, caplog: pytest.LogCaptureFixture
) -> None:
    shipped = SoundFinder(embedder)  # the hearing model ships with the judge trained with it
    assert shipped.hearing is not None and shipped.judge is not None and shipped.judge.hears
    assert SoundFinder().hearing is None  # without the embedding model there is nothing to hear with
    saved = tmp_path / "judge.npz"
    Judge(np.zeros((3, len(CLASSES)), np.float32), CLASSES, hears=True).save(saved, trained_on="x")
    judge = load_judge([c.name for c in CATEGORIES], saved)
    assert judge is not None and judge.hears
    with caplog.at_level(logging.WARNING):
        finder = SoundFinder(embedder, judge=judge, hearing=None)  # its hearing model is missing
    assert finder.judge is None and "clause hearing model, which is missing" in caplog.text


def test_a_model_for_other_categories_is_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    stale = tmp_path / "hearing.npz"
    Hearing(np.zeros((3, 1), np.float32), ("horn",)).save(stale, trained_on="x")
    with caplog.at_level(logging.WARNING):
        assert load_hearing([c.name for c in CATEGORIES], stale) is None
    assert "other categories" in caplog.text
    assert load_hearing([c.name for c in CATEGORIES], tmp_path / "absent.npz") is None
