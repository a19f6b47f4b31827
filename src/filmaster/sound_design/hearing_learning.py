"""Training the clause hearing model (hearing.py) from line labels, the judge that decides with it, and measuring
both by cross-validation by screenplay: everything learned is trained without the fold it scores.

The judge learns from the hearing model's proposals and probabilities; to learn what they are worth on prose the
hearing model has not read, its judge is trained on probabilities cross-fitted over the training screenplays (each
part's from a hearing model trained without that part), as the shipped judge is (scripts/train_sound_judge.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .calibration import Rows, is_heading
from .events import CATEGORIES, SoundFinder, sentences
from .hearing import L2, Hearing, clause_features, split_clauses, train
from .judge import Judge
from .learning import Play, fit, prepare, score

NAMES = tuple(c.name for c in CATEGORIES)


def bags(finder: SoundFinder, screenplays: list[Rows]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every labelled action line and parenthetical as a bag of clauses: clause features, each clause's bag, and
    bags × categories (1 where the line is labelled with the category)."""
    clause_texts: list[str] = []
    sentence_texts: list[str] = []
    bag_of: list[int] = []
    labelled: list[list[int]] = []
    for rows in screenplays:
        for text, labels in rows:
            if is_heading(text):
                continue
            for sentence, _ in sentences(text):
                for clause in split_clauses(sentence.strip()):
                    clause_texts.append(clause)
                    sentence_texts.append(sentence.strip())
                    bag_of.append(len(labelled))
            labelled.append([NAMES.index(name) for name in labels])
    y = np.zeros((len(labelled), len(NAMES)), dtype=np.float32)
    for i, indices in enumerate(labelled):
        y[i, indices] = 1.0
    clause_vectors = finder.embedder.embed(clause_texts)  # type: ignore[union-attr]
    sentence_vectors = finder.embedder.embed(sentence_texts)  # type: ignore[union-attr]
    x = clause_features(clause_vectors, sentence_vectors, finder.category_scores(clause_texts))
    return x, np.array(bag_of), y


def fit_hearing(finder: SoundFinder, screenplays: list[Rows], l2: float = L2) -> Hearing:
    x, bag_of, y = bags(finder, screenplays)
    return Hearing(train(x, bag_of, y, l2), NAMES)


def hearing_finder(finder: SoundFinder, hearing: Hearing, threshold: float) -> SoundFinder:
    """A proposer (no judge) with `finder`'s embedder and the given hearing model."""
    return SoundFinder(finder.embedder, judge=None, hearing=hearing, hearing_threshold=threshold)


def cross_fitted(
    finder: SoundFinder, screenplays: list[Rows], threshold: float, parts: int, l2: float = L2
) -> list[Play]:
    """Each screenplay prepared for the judge by a hearing model trained without its part (i mod `parts`)."""
    plays: list[Play | None] = [None] * len(screenplays)
    for k in range(parts):
        inside = [i for i in range(len(screenplays)) if i % parts == k]
        hearing = fit_hearing(finder, [rows for i, rows in enumerate(screenplays) if i % parts != k], l2)
        proposer = hearing_finder(finder, hearing, threshold)
        for i in inside:
            plays[i] = prepare(proposer, screenplays[i])
    return [p for p in plays if p is not None]


def fit_hearing_judge(
    finder: SoundFinder, screenplays: list[Rows], threshold: float, parts: int = 4, l2: float = L2
) -> tuple[Hearing, Judge]:
    """The hearing model on every screenplay given, and a judge trained on cross-fitted proposals and features."""
    judge = replace(fit(cross_fitted(finder, screenplays, threshold, parts, l2)), hears=True)
    return fit_hearing(finder, screenplays, l2), judge


Scorer = Callable[[list[Rows], list[Rows]], list[Counter[str]]]  # training screenplays, scored ones → tallies


def by_folds(always: list[Rows], development: dict[str, Rows], folds: int, scorer: Scorer) -> list[list[Counter]]:
    """Each fold's tallies (one per screenplay in it): development sorted by name, screenplay i in fold i mod
    `folds`, trained on the other folds and on `always` (examples, unseen)."""
    names = sorted(development)
    out = []
    for k in range(folds):
        trained = always + [development[n] for i, n in enumerate(names) if i % folds != k]
        out.append(scorer(trained, [development[n] for i, n in enumerate(names) if i % folds == k]))
    return out


def main_scorer(finder: SoundFinder, prepared: dict[int, Play]) -> Scorer:
    """The finder as on main: the judge alone (no hearing), retrained on the training folds."""

    def play(rows: Rows) -> Play:
        if id(rows) not in prepared:
            prepared[id(rows)] = prepare(finder, rows)
        return prepared[id(rows)]

    def scorer(trained: list[Rows], scored: list[Rows]) -> list[Counter[str]]:
        judge = fit([play(rows) for rows in trained])
        return [score(play(rows), judge) for rows in scored]

    return scorer


def hearing_scorer(finder: SoundFinder, threshold: float, parts: int = 4, l2: float = L2) -> Scorer:
    """The finder with the hearing model and its judge, both trained on the training folds only."""

    def scorer(trained: list[Rows], scored: list[Rows]) -> list[Counter[str]]:
        hearing, judge = fit_hearing_judge(finder, trained, threshold, parts, l2)
        proposer = hearing_finder(finder, hearing, threshold)
        return [score(prepare(proposer, rows), judge) for rows in scored]

    return scorer
