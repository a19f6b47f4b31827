"""Scoring the sound finder against hand-labelled screenplays, and choosing its two embedding thresholds by
leave-one-screenplay-out cross-validation on the development set (not by eye).

A labelled screenplay is a list of [text, [category, ...]] rows: each heading, action line and parenthetical with
the categories it names (tests/data/sound_labels.json). For each screenplay left out, the thresholds that score best
on the others are chosen and it is scored with them; the pooled scores of the left-out screenplays are the
estimate of how the finder does on a screenplay it was not calibrated on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING, cast

import numpy as np

from .events import SoundFinder

if TYPE_CHECKING:
    from ..backends.embed.base import EmbeddingBackend

Rows = list[list]  # [[text, [category, ...]], ...]
SENTENCE_GRID = tuple(round(0.40 + 0.05 * i, 2) for i in range(7))  # 0.40 … 0.70
SOURCE_GRID = tuple(round(0.50 + 0.05 * i, 2) for i in range(10))  # 0.50 … 0.95


def is_heading(text: str) -> bool:
    return text.split(".")[0] in ("INT", "EXT", "I/E", "INT/EXT")


def tally(finder: SoundFinder, rows: Rows) -> Counter[str]:
    """True positives, false positives and false negatives of the finder's categories against the labels."""
    counts: Counter[str] = Counter()
    lines = list(dict.fromkeys(text for text, _ in rows if not is_heading(text)))
    in_lines = dict(zip(lines, finder.find_all(lines), strict=True))  # one batch for the screenplay
    for text, labels in rows:
        found = finder.find_in_heading(text) if is_heading(text) else in_lines[text]
        got, want = Counter(s.category for s in found), Counter(labels)
        counts["tp"] += sum((got & want).values())
        counts["fp"] += sum((got - want).values())
        counts["fn"] += sum((want - got).values())
    return counts


def figures(counts: Counter[str]) -> tuple[float, float]:
    """Recall and precision; a screenplay that names no sound and gets none scores 1 on both."""
    named, found = counts["tp"] + counts["fn"], counts["tp"] + counts["fp"]
    return (counts["tp"] / named if named else 1.0), (counts["tp"] / found if found else 1.0)


def f1(counts: Counter[str]) -> float:
    return 2 * counts["tp"] / max(2 * counts["tp"] + counts["fp"] + counts["fn"], 1)


class RememberingEmbedder:
    """Embeds each distinct text once: the grid search re-reads the same sentences many times."""

    def __init__(self, embedder: EmbeddingBackend) -> None:
        self.embedder = embedder
        self._seen: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if new:
            self._seen.update(zip(new, self.embedder.embed(new), strict=True))
        return np.stack([self._seen[t] for t in texts]) if texts else self.embedder.embed([])


@dataclass(frozen=True)
class Calibration:
    sentence_threshold: float  # chosen on every screenplay given
    source_threshold: float
    held_out: Counter[str]  # pooled tally of each screenplay scored with the thresholds chosen without it
    chosen: dict[str, tuple[float, float]]  # the thresholds chosen without each screenplay


def _best(per_play: dict[tuple[float, float], dict[str, Counter[str]]], plays: Iterable[str]) -> tuple[float, float]:
    """The thresholds with the best pooled F1 on `plays`; on a tie the stricter pair (fewer false alarms)."""
    names = list(plays)

    def pooled(pair: tuple[float, float]) -> float:
        return f1(sum((per_play[pair][n] for n in names), Counter()))

    return max(sorted(per_play, reverse=True), key=pooled)


def calibrate(screenplays: dict[str, Rows], embedder: EmbeddingBackend) -> Calibration:
    remembering = cast("EmbeddingBackend", RememberingEmbedder(embedder))
    per_play: dict[tuple[float, float], dict[str, Counter[str]]] = {}
    for pair in product(SENTENCE_GRID, SOURCE_GRID):
        finder = SoundFinder(remembering, threshold=pair[0], source_threshold=pair[1], judge=None)  # the proposals
        per_play[pair] = {name: tally(finder, rows) for name, rows in screenplays.items()}
    chosen = {name: _best(per_play, (n for n in screenplays if n != name)) for name in screenplays}
    held_out = sum((per_play[chosen[name]][name] for name in screenplays), Counter())
    overall = _best(per_play, screenplays)
    return Calibration(overall[0], overall[1], held_out, chosen)
