"""Sounds the screenplay names: which category of effect an action line, a parenthetical or a heading calls
for, the words that name it, and how many times it sounds.

The lexicon (data/lexicon.toml, read by reading.py) finds a sound from its source and its sound word; the
embedding model (when given) catches sentences whose wording the lexicon does not know at all ("the hull groans")
by comparing them with a short description of each category, at a threshold strict enough that sentences naming no
sound stay silent. A continuous sound (rain, wind, an engine) is one event per paragraph however often it is named.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..backends.resilience import Unrecovered
from .lexicon import OTHER, load_lexicon
from .meaning import noun_category
from .reading import has_sound_word, read_sentence
from .unknown_sources import SourceMatcher, unknown_subject

if TYPE_CHECKING:
    from ..backends.embed.base import EmbeddingBackend

log = logging.getLogger(__name__)


LEXICON = load_lexicon()
CATEGORIES = LEXICON.categories
BY_NAME = {c.name: c for c in CATEGORIES}
EMBED_THRESHOLD = 0.5  # cosine of MiniLM embeddings; measured on tests/data/sound_labels.json
# Cosine of an unknown source's noun phrase to its nearest lexicon thing; chosen by leave-one-screenplay-out
# cross-validation on the development set (calibration.py; tests/sound_design/test_calibration.py).
SOURCE_THRESHOLD = 0.95


@dataclass(frozen=True)
class NamedSound:
    category: str
    words: str  # the words that name it
    position: float  # where those words sit in their text, 0 (start) … 1 (end): when in the shot it happens
    count: int = 1


_SENTENCE = re.compile(r"[^.!?;]+[.!?;]*")


def sentences(text: str) -> list[tuple[str, int]]:
    """Sentences of `text` with the character offset of each."""
    return [(m.group(), m.start()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def clauses(text: str) -> list[tuple[str, float]]:
    """Sentences of `text` with the relative position of each one's middle (stages/gestures.py reads them too)."""
    n = max(len(text), 1)
    return [(sentence.strip(), (offset + len(sentence) / 2) / n) for sentence, offset in sentences(text)]


def repeat_count(clause: str) -> int:
    """How many times a discrete sound in `clause` is heard ("twice", "three times")."""
    readings, _ = read_sentence(LEXICON, clause + " bang", 0, None)
    return max((r.count for r in readings), default=1)


def _one_per_paragraph(found: list[NamedSound]) -> list[NamedSound]:
    """A continuous sound named twice in a paragraph ("a storm … the downpour") is one sound, heard from the first."""
    seen: set[str] = set()
    kept = []
    for sound in found:
        if BY_NAME[sound.category].continuous:
            if sound.category in seen:
                continue
            seen.add(sound.category)
        kept.append(sound)
    return kept


class SoundFinder:
    """Finds named sounds; the embedding model, when given, matches sentences the lexicon has no word for."""

    def __init__(
        self,
        embedder: EmbeddingBackend | None = None,
        threshold: float = EMBED_THRESHOLD,
        source_threshold: float = SOURCE_THRESHOLD,
    ) -> None:
        self.embedder = embedder
        self.sources = SourceMatcher(LEXICON, embedder, source_threshold) if embedder is not None else None
        self.unembedded = 0  # sentences left to the lexicon because the embedding model failed
        self.threshold = threshold
        self._prototypes: np.ndarray | None = None
        self._owners = np.zeros(0, dtype=np.int64)  # the category of each prototype wording

    def find_in_heading(self, heading: str) -> list[NamedSound]:
        """A heading names a place, not an action: only words that are a sound by themselves count ("EXT. STORM")."""
        place = re.sub(r"^\s*(INT\.?/EXT\.?|I/E\.?|INT\.?|EXT\.?|EST\.?)\s*", "", heading, flags=re.IGNORECASE)
        place = place.split(" - ")[0]
        readings, _ = read_sentence(LEXICON, place, 0, None)
        heard = {c.name for c in CATEGORIES if c.continuous}
        return [NamedSound(r.category, heading, 0.0) for r in readings if r.category in heard]

    def find(self, text: str) -> list[NamedSound]:
        """Every sound `text` (an action line or a parenthetical) names, in the order it names them."""
        found: list[NamedSound] = []
        unknown: list[tuple[str, float]] = []
        subjects: list[tuple[str, str, float]] = []  # a sound word's unknown subject, its sentence, where
        previous = None
        n = max(len(text), 1)
        for sentence, offset in sentences(text):
            readings, previous = read_sentence(LEXICON, sentence, offset, previous)
            position = (offset + len(sentence) / 2) / n  # as clauses() places it
            heard = [
                NamedSound(r.category, text[r.start : r.end], (r.start + r.end) / 2 / n, r.count) for r in readings
            ]
            subject = None if readings else unknown_subject(LEXICON, sentence)
            known = noun_category(subject) if subject else None
            if known is not None:  # "a hatchback rattles past": WordNet places the thing the lexicon lacks
                if known in BY_NAME:
                    count = 1 if BY_NAME[known].continuous else repeat_count(sentence)
                    found.append(NamedSound(known, sentence.strip(), position, count))
            elif subject:  # "a concrete mixer churns": the sound word is heard, from a thing the lexicon lacks
                subjects.append((subject, sentence.strip(), position))
            elif not readings and not has_sound_word(LEXICON, sentence):
                unknown.append((sentence.strip(), position))
            found += heard
        if self.embedder is not None and (unknown or subjects):
            try:
                nearest = self._nearest([c for c, _ in unknown]) if unknown else []
                assert self.sources is not None
                by_source = self.sources.nearest([s[0] for s in subjects]) if subjects else []
            except Unrecovered as exc:  # the embedding model failed every retry: the lexicon's matches stand alone
                log.warning("%d sentence(s) matched by the lexicon alone: %s", len(unknown) + len(subjects), exc)
                self.unembedded += len(unknown) + len(subjects)
                return _one_per_paragraph(found)
            for (sentence, position), name in zip(unknown, nearest, strict=True):
                if name is not None:
                    found.append(NamedSound(name, sentence, position, repeat_count(sentence)))
            for (_, sentence, position), (name, score) in zip(subjects, by_source, strict=True):
                if name != OTHER and score >= self.sources.threshold:
                    count = 1 if BY_NAME[name].continuous else repeat_count(sentence)
                    found.append(NamedSound(name, sentence, position, count))
            found.sort(key=lambda s: s.position)
        return _one_per_paragraph(found)

    def _scores(self, texts: list[str]) -> np.ndarray:
        """Each text's cosine to the nearest description of each category (texts × categories)."""
        assert self.embedder is not None
        if self._prototypes is None:
            self._owners = np.array([i for i, c in enumerate(CATEGORIES) for _ in c.descriptions])
            self._prototypes = self.embedder.embed([d for c in CATEGORIES for d in c.descriptions])
        per_wording = self.embedder.embed(texts) @ self._prototypes.T
        scores = np.full((len(texts), len(CATEGORIES)), -1.0, dtype=np.float32)
        np.maximum.at(scores.T, self._owners, per_wording.T)
        return scores

    def _nearest(self, texts: list[str]) -> list[str | None]:
        scores = self._scores(texts)
        best = scores.argmax(axis=1)
        return [
            CATEGORIES[int(b)].name if float(row[b]) >= self.threshold else None
            for row, b in zip(scores, best, strict=True)
        ]
