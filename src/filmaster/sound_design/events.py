"""Sounds the screenplay names: which category of effect a clause of an action line, a parenthetical or a
heading calls for, and how many times it sounds.

A lexicon of word stems finds the usual wordings; the embedding model (when given) catches wordings the
lexicon does not know ("the hull groans", "a mutt yaps") by comparing the clause with a short description of each
category, at a threshold strict enough that clauses naming no sound stay silent.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..backends.resilience import Unrecovered

if TYPE_CHECKING:
    from ..backends.embed.base import EmbeddingBackend

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Category:
    name: str
    patterns: tuple[str, ...]  # regular expressions, matched from a word's start, that name the sound
    descriptions: tuple[str, ...]  # short wordings the embedding model compares a clause with
    duration_s: float  # length of one occurrence


CATEGORIES: tuple[Category, ...] = (
    Category(
        "horn",
        (r"horns?\b", r"foghorn", r"siren", r"honks?"),
        ("a ship's horn blasts", "a car honks its horn", "a siren wails"),
        1.4,
    ),
    Category(
        "engine",
        (r"engines?\b", r"motors?\b", r"idling", r"revs\b", r"outboard", r"propeller"),
        ("an engine rumbles", "a motor idles", "the engine roars"),
        3.0,
    ),
    Category(
        "vehicle",
        (r"cars?\b", r"trucks?\b", r"trains?\b", r"bus\b", r"tyres", r"tires", r"brakes", r"motorbike"),
        ("a car drives past", "a train passes", "a motorbike roars by", "tyres screech"),
        2.5,
    ),
    Category(
        "door",
        (r"doors? (opens|slams|closes|creaks|bangs|swings|shuts|slide)", r"knocks?\b", r"slams\b", r"latch"),
        ("a door slams shut", "someone knocks on a door", "a door creaks open"),
        0.8,
    ),
    Category(
        "impact",
        (r"lands hard", r"bumps\b", r"crash", r"thud", r"falls to", r"and falls\b", r"hits the", r"bangs\b", r"thump"),
        ("a body lands with a thud", "something crashes into a wall", "a heavy bump"),
        0.7,
    ),
    Category(
        "glass",
        (r"glass\b", r"shatter", r"smash"),
        ("glass shatters", "a window smashes", "a bottle breaks"),
        1.0,
    ),
    Category(
        "water",
        (r"splash", r"waves? (lap|slap|crash|break)", r"surf\b", r"pours\b"),
        ("water splashes", "waves lap against a hull", "water pours"),
        2.0,
    ),
    Category(
        "rain",
        (r"rain", r"drizzle", r"downpour", r"storm"),
        ("rain pours down", "rain patters on the roof", "a storm lashes the windows"),
        4.0,
    ),
    Category(
        "wind",
        (r"wind\b", r"gusts?\b", r"gale"),
        ("the wind gusts", "the wind howls", "a gale blows"),
        3.0,
    ),
    Category(
        "thunder",
        (r"thunder(?!s past)", r"lightning"),
        ("thunder rolls", "thunder cracks overhead"),
        2.5,
    ),
    Category(
        "birds",
        (r"gulls?\b", r"seagull", r"crows?\b", r"owls?\b", r"birdsong", r"birds? (sing|call|cry|chirp)", r"chirp"),
        ("seagulls cry", "birdsong at dawn", "an owl hoots"),
        2.0,
    ),
    Category(
        "dog",
        (r"dogs?\b", r"barks?\b", r"growls?\b", r"puppy", r"hound"),
        ("a dog barks", "a small dog yaps and yelps", "a mutt barks"),
        1.2,
    ),
    Category(
        "phone",
        (r"phones?\b", r"rings\b", r"ringing", r"buzzes", r"doorbell"),
        ("a telephone rings", "a mobile phone buzzes", "a doorbell rings"),
        2.0,
    ),
    Category(
        "footsteps",
        (r"footsteps?", r"stomps", r"tiptoes", r"heels click"),
        ("footsteps echo", "someone stomps on the floor"),
        2.0,
    ),
    Category(
        "crowd",
        (r"crowd", r"chatter", r"cheers?\b", r"applause", r"murmur"),
        ("a crowd murmurs", "people cheer", "a crowd shouts"),
        3.0,
    ),
    Category(
        "machine",
        (r"machine", r"hums?\b", r"whirr", r"generator", r"printer"),
        ("a machine hums", "a generator drones", "a motor whirrs"),
        3.0,
    ),
)
BY_NAME = {c.name: c for c in CATEGORIES}

# Phrases that mention a sound-word without the sound being heard (a "car park" is silent).
_NOT_A_SOUND = ("horn-rimmed", "glasses", "car park", "dog-eared", "windowsill", "paper bird")
_REPEATS = {"twice": 2, "two times": 2, "three times": 3, "thrice": 3, "four times": 4, "again and again": 3}
EMBED_THRESHOLD = 0.5  # cosine of MiniLM embeddings; measured on tests/data/sound_labels.json


@dataclass(frozen=True)
class NamedSound:
    category: str
    words: str  # the clause that names it
    position: float  # where the clause sits in its text, 0 (start) … 1 (end): when in the shot it happens
    count: int = 1


def clauses(text: str) -> list[tuple[str, float]]:
    """Sentences of `text` with the relative position of each one's middle."""
    pieces = [m for m in re.finditer(r"[^.!?;]+[.!?;]*", text) if m.group().strip()]
    n = max(len(text), 1)
    return [(m.group().strip(), (m.start() + m.end()) / 2 / n) for m in pieces]


def _lexicon(clause: str) -> list[str]:
    low = " " + clause.lower().replace("’", "'") + " "
    for phrase in _NOT_A_SOUND:
        low = low.replace(phrase, " ")
    found = []
    for cat in CATEGORIES:
        if any(re.search(r"(?<![a-z])" + pattern, low) for pattern in cat.patterns):
            found.append(cat.name)
    return found


def repeat_count(clause: str) -> int:
    low = clause.lower()
    return max((n for phrase, n in _REPEATS.items() if phrase in low), default=1)


class SoundFinder:
    """Finds named sounds; the embedding model, when given, matches wordings the lexicon lacks."""

    def __init__(self, embedder: EmbeddingBackend | None = None, threshold: float = EMBED_THRESHOLD) -> None:
        self.embedder = embedder
        self.unembedded = 0  # clauses left to the lexicon because the embedding model failed
        self.threshold = threshold
        self._prototypes: np.ndarray | None = None
        self._owners = np.zeros(0, dtype=np.int64)  # the category of each prototype wording

    def find_in_heading(self, heading: str) -> list[NamedSound]:
        """A heading names a place, not an action: only the lexicon reads it ("EXT. TRAIN STATION")."""
        place = re.sub(r"^\s*(INT\.?/EXT\.?|I/E\.?|INT\.?|EXT\.?|EST\.?)\s*", "", heading, flags=re.IGNORECASE)
        return [NamedSound(name, heading, 0.0) for name in _lexicon(place.split(" - ")[0])]

    def find(self, text: str) -> list[NamedSound]:
        """Every sound `text` (an action line or a parenthetical) names, clause by clause."""
        found: list[NamedSound] = []
        unmatched: list[tuple[str, float]] = []
        for clause, position in clauses(text):
            names = _lexicon(clause)
            if not names:
                unmatched.append((clause, position))
            count = repeat_count(clause)
            found += [NamedSound(name, clause, position, count) for name in names]
        if self.embedder is not None and unmatched:
            try:
                nearest = self._nearest([c for c, _ in unmatched])
            except Unrecovered as exc:  # the embedding model failed every retry: the lexicon's matches stand alone
                log.warning("%d clause(s) matched by the lexicon alone: %s", len(unmatched), exc)
                self.unembedded += len(unmatched)
                return found
            for (clause, position), name in zip(unmatched, nearest, strict=True):
                if name is not None:
                    found.append(NamedSound(name, clause, position, repeat_count(clause)))
        return found

    def _nearest(self, texts: list[str]) -> list[str | None]:
        assert self.embedder is not None
        if self._prototypes is None:
            self._owners = np.array([i for i, c in enumerate(CATEGORIES) for _ in c.descriptions])
            self._prototypes = self.embedder.embed([d for c in CATEGORIES for d in c.descriptions])
        per_wording = self.embedder.embed(texts) @ self._prototypes.T
        scores = np.full((len(texts), len(CATEGORIES)), -1.0, dtype=np.float32)
        np.maximum.at(scores.T, self._owners, per_wording.T)
        best = scores.argmax(axis=1)
        return [
            CATEGORIES[int(b)].name if float(row[b]) >= self.threshold else None
            for row, b in zip(scores, best, strict=True)
        ]
