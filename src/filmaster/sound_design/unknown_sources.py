"""A sound word whose subject the lexicon does not know ("a pile driver pounds", "the tannoy crackles"): the
subject's noun phrase is compared by meaning with every thing the lexicon lists, and takes the category of the
nearest one, or none when that is a thing in no category or nothing is near enough.

The noun phrase is read without a tagger: the words between a determiner and the sound word, the head noun last
("a concrete mixer" is a mixer), embedded whole so that the modifier still shades the meaning."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .lexicon import OTHER, Lexicon
from .marks import SOUND_WORD_KINDS, find_marks
from .meaning import is_plural_noun
from .syntax import CLAUSE_BREAKS, PREPOSITIONS, PRONOUNS

if TYPE_CHECKING:
    from ..backends.embed.base import EmbeddingBackend

# Not "its" or "their": a part of a thing already named ("its wheels squeal") is that thing's sound.
DETERMINERS = ("a", "an", "the", "his", "her", "our", "my", "your", "some", "another", "every")
MAX_PHRASE_WORDS = 3  # a longer run of unknown words before a verb is a clause, not a thing
# A sentence with any of these says why it names no sound (a negation, a figure of speech, a person's doing).
SILENT_REASONS = ("negator", "stop", "silence", "figurative", "person", "speech", "not_a_sound")


def unknown_subject(lexicon: Lexicon, sentence: str) -> str | None:
    """The noun phrase of unknown words right before the sentence's first sound word, after a determiner."""
    words, marks = find_marks(lexicon, sentence)
    if any(m.has(*SILENT_REASONS) for m in marks):
        return None
    sounding = next((m for m in marks if m.has(*SOUND_WORD_KINDS)), None)
    if sounding is None or any(m.source and m.first < sounding.first for m in marks):
        return None  # a known subject was read, and found silent
    start = next((i for i in range(sounding.first - 1, -1, -1) if words[i] in DETERMINERS), None)
    opening = words[: sounding.first]
    if (
        start is None
        and 0 < len(opening) <= MAX_PHRASE_WORDS
        and not any(w in PRONOUNS for w in opening)  # "its wheels squeal": a part of a thing already named
        and is_plural_noun(opening[-1])
    ):
        start = -1  # "Halyards clank against the masts": a plural subject opens the sentence without a determiner
    if start is None:
        return None
    phrase = words[start + 1 : sounding.first]
    if not 1 <= len(phrase) <= MAX_PHRASE_WORDS or any(w in CLAUSE_BREAKS or not w[0].isalpha() for w in phrase):
        return None
    if start > 0 and words[start - 1] in PREPOSITIONS:
        return None  # "slips from his fingers and rings": a place or a holder, not the subject
    # Only a material may modify it ("a concrete mixer"); any other lexicon word makes it no unknown thing.
    if any(m.first < sounding.first and m.last > start and not m.has("surface", "meant") for m in marks):
        return None
    return " ".join(phrase)


def only_manners(lexicon: Lexicon, sentence: str) -> tuple[str, ...]:
    """The categories whose manner the sentence's first sound word is, when that is all it is ("comes through":
    heard only from a vehicle, so "a saw going through" is silent); () when it is a sound of any thing."""
    _, marks = find_marks(lexicon, sentence)
    sounding = next((m for m in marks if m.has(*SOUND_WORD_KINDS)), None)
    if sounding is None or sounding.has(*(k for k in SOUND_WORD_KINDS if k != "manner")):
        return ()
    return sounding.manners


class SourceMatcher:
    """Nearest lexicon thing, by MiniLM cosine, for noun phrases the lexicon does not list."""

    def __init__(self, lexicon: Lexicon, embedder: EmbeddingBackend, threshold: float) -> None:
        self.threshold = threshold
        self.embedder = embedder
        names = [c.name for c in lexicon.categories for _ in c.things] + [OTHER] * len(lexicon.other_things)
        self._owners = names
        self._things = [t for c in lexicon.categories for t in c.things] + list(lexicon.other_things)
        self._vectors: np.ndarray | None = None

    def nearest(self, phrases: list[str]) -> list[tuple[str, float]]:
        """The category of the nearest thing for each phrase ("-" for none) and its cosine."""
        return self.nearest_of(self.embedder.embed(phrases))

    def nearest_of(self, vectors: np.ndarray) -> list[tuple[str, float]]:
        """nearest() of phrases already embedded (one row each)."""
        if self._vectors is None:
            self._vectors = self.embedder.embed(self._things)
        scores = vectors @ self._vectors.T
        best = scores.argmax(axis=1)
        return [(self._owners[int(b)], float(row[b])) for row, b in zip(scores, best, strict=True)]
