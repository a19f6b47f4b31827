"""What WordNet says a word the lexicon lacks means for the sound finder: the category of a thing by its hypernym
chain ("a hatchback" → car → motor vehicle → vehicle; "the dishwasher" → home appliance → machine; any dog breed →
dog), and whether a verb names a sound (its senses reach "sound, go: make a certain noise", or their gloss says the
action is heard: "hit with a pinging noise").

The anchors are written in data/lexicon.toml, per category (`wordnet = ["car.n.01", …]`), for things that sound in
no category (`[others] wordnet`) and for people (`[figurative] wordnet_people`): the nearest anchor up the chain of
the word's first concrete sense names its category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from .lexicon import PERSON, load_lexicon
from .wordnet import Synset, WordNet, wordnet

# Senses of a thing that can be heard: not an abstraction ("foghorn": a signal), a feeling or a body part.
CONCRETE = ("noun.artifact", "noun.animal", "noun.object", "noun.phenomenon", "noun.person", "noun.group",
            "noun.event", "noun.substance", "noun.food", "noun.plant")  # fmt: skip
SOUND_VERBS = ("sound.v.02", "make_noise.v.01")  # "make a certain noise or sound", "emit a noise"
SOUND_GLOSS = re.compile(r"\b(sound|sounds|noise|noises|noisily|noisy)\b")
VERB_SENSES = 3  # a verb names a sound when one of its most frequent senses does ("rings", not "rings the block")


@dataclass(frozen=True)
class Meanings:
    """Anchors resolved to synset offsets: offset → category (a lexicon category, OTHER or PERSON)."""

    wordnet: WordNet
    anchors: dict[int, str]
    sound_verbs: frozenset[int]

    def noun_category(self, phrase: str) -> str | None:
        """The category of the thing a noun phrase names: the whole phrase as one WordNet lemma ("pile driver"),
        else its last two words, else its head (last word); None when WordNet does not place it."""
        words = phrase.lower().split()
        for n in range(len(words), 0, -1):
            lemma = "_".join(words[-n:])
            if self.wordnet.knows(lemma, "n"):
                return self._category(lemma)
        return None

    def _category(self, lemma: str) -> str | None:
        for sense in self.wordnet.senses(lemma, "n"):
            if sense.lexname not in CONCRETE:
                continue
            for ancestor in self.wordnet.ancestors(sense):
                if ancestor.offset in self.anchors:
                    return self.anchors[ancestor.offset]
            return None  # the first concrete sense decides; a rarer one is not guessed at
        return None

    def is_sound_verb(self, word: str) -> bool:
        """Whether `word` (any inflection) is a verb one of whose frequent senses is making a sound."""
        return any(_names_a_sound(self, s) for s in self.wordnet.senses(word, "v")[:VERB_SENSES])


def _names_a_sound(meanings: Meanings, sense: Synset) -> bool:
    if SOUND_GLOSS.search(sense.gloss.split(";")[0]):
        return True
    return any(a.offset in meanings.sound_verbs for a in meanings.wordnet.ancestors(sense))


@cache
def meanings() -> Meanings:
    """The lexicon's WordNet anchors, resolved once per process."""
    lexicon = load_lexicon()
    net = wordnet()
    anchors: dict[int, str] = {}
    for category, names in lexicon.wordnet_anchors.items():
        for name in names:
            anchors[net.named(name).offset] = category
    verbs = frozenset(net.named(name).offset for name in SOUND_VERBS)
    return Meanings(net, anchors, verbs)


@lru_cache(maxsize=8192)
def noun_category(phrase: str) -> str | None:
    """The category (or OTHER, PERSON) of the thing `phrase` names, by WordNet; None when WordNet cannot say."""
    return meanings().noun_category(phrase)


@lru_cache(maxsize=8192)
def is_sound_verb(word: str) -> bool:
    return meanings().is_sound_verb(word)
