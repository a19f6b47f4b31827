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

from .lexicon import load_lexicon
from .wordnet import Synset, WordNet, wordnet

# Senses of a thing that can be heard: not an abstraction ("foghorn": a signal), a feeling or a body part.
CONCRETE = ("noun.artifact", "noun.animal", "noun.object", "noun.phenomenon", "noun.person", "noun.group",
            "noun.event", "noun.substance", "noun.food", "noun.plant")  # fmt: skip
SOUND_VERBS = ("sound.v.02", "make_noise.v.01")  # "make a certain noise or sound", "emit a noise"
# A gloss that says the action is heard: "make a dull sound", "strike with a dull sound", "move noisily"; not
# "deaden (a sound)".
SOUND_GLOSS = re.compile(r"\b(make|emit|produce|give off|with)\b[^;,]*\b(sound|noise)s?\b|\bnoisily\b")
# Senses of a feeling or a thought are not heard; a sense of a voice ("croak", "heave a sigh") is, and is read like
# the lexicon's `vocal` words: a person's doing, an effect from anything else (a raven, a hinge).
NOT_HEARD = ("verb.emotion", "verb.cognition", "verb.social", "verb.body")
VOICE = "verb.communication"
VERB_SENSES = 3  # a verb names a sound when one of its most frequent senses does ("rings", not "rings the block")


@dataclass(frozen=True)
class Meanings:
    """Anchors resolved to synset offsets: offset → category (a lexicon category, OTHER or PERSON)."""

    wordnet: WordNet
    anchors: dict[int, str]
    sound_verbs: frozenset[int]

    def noun_category(self, phrase: str, whole: bool = False) -> str | None:
        """The category of the thing a noun phrase names: the longest ending of the phrase that is one WordNet lemma
        ("pile driver" in "a rusty pile driver"), down to its head (last word) unless `whole`; None when WordNet does
        not place it."""
        words = phrase.lower().split()
        for n in range(len(words), 0 if not whole else len(words) - 1, -1):
            lemma = "_".join(words[-n:])
            if self.wordnet.knows(lemma, "n"):
                return self._category(lemma)
        return None

    def is_plural_noun(self, word: str) -> bool:
        """ "halyards", "geese": a noun that is not its own base form (a name or a verb's bare form is not)."""
        return any(base != word for base in self.wordnet.base_forms(word, "n"))

    def _category(self, lemma: str) -> str | None:
        for sense in self.wordnet.senses(lemma, "n"):
            if sense.lexname not in CONCRETE:
                continue
            for ancestor in self.wordnet.ancestors(sense):
                if ancestor.offset in self.anchors:
                    return self.anchors[ancestor.offset]
            return None  # the first concrete sense decides; a rarer one is not guessed at
        return None

    def is_sound_verb(self, word: str, after_a_plural: bool = False) -> bool:
        """Whether `word` is a verb one of whose frequent senses is making a sound. A bare word that may also be a
        noun or an adjective ("bay", "low") is read as a verb only after a plural subject ("herons croak"): a
        screenplay's other verbs are inflected ("clanks", "clanking")."""
        return bool(self.sound_senses(word, after_a_plural))

    def sound_senses(self, word: str, after_a_plural: bool = False) -> list[Synset]:
        """The frequent senses of verb `word` that make a sound."""
        bare = word in self.wordnet.base_forms(word, "v")
        if bare and not after_a_plural and (self.wordnet.knows(word, "n") or self.wordnet.knows(word, "a")):
            return []
        return [s for s in self.wordnet.senses(word, "v")[:VERB_SENSES] if _names_a_sound(self, s)]

    def is_voice(self, word: str) -> bool:
        """Whether every sounding sense of verb `word` is a voice's ("croaks", "bawls")."""
        senses = self.sound_senses(word, True)
        return bool(senses) and all(s.lexname == VOICE for s in senses)


def _names_a_sound(meanings: Meanings, sense: Synset) -> bool:
    if sense.lexname in NOT_HEARD:
        return False
    if SOUND_GLOSS.search(re.sub(r"\(.*?\)", "", sense.gloss.split(";")[0])):  # not "make (sound) softer"
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
def noun_category(phrase: str, whole: bool = False) -> str | None:
    """The category (or OTHER, PERSON) of the thing `phrase` names, by WordNet; None when WordNet cannot say."""
    return meanings().noun_category(phrase, whole)


@lru_cache(maxsize=8192)
def is_sound_verb(word: str, after_a_plural: bool = False) -> bool:
    return meanings().is_sound_verb(word, after_a_plural)


@lru_cache(maxsize=8192)
def is_plural_noun(word: str) -> bool:
    return meanings().is_plural_noun(word)


@lru_cache(maxsize=8192)
def is_voice(word: str) -> bool:
    return meanings().is_voice(word)


@lru_cache(maxsize=8192)
def is_a_thing(word: str) -> bool:
    """Whether the first sense of noun `word` is a thing one can handle or hear ("a lever", "a log"; not "her
    weight", "a moment")."""
    senses = meanings().wordnet.senses(word, "n")
    return bool(senses) and senses[0].lexname in ("noun.artifact", "noun.object", "noun.substance", "noun.food")


@lru_cache(maxsize=8192)
def is_a_compound(phrase: str) -> bool:
    """Whether WordNet knows a phrase of several words as one noun ("tea trolley", "fire exit")."""
    return " " in phrase and meanings().wordnet.knows(phrase.replace(" ", "_"), "n")


@lru_cache(maxsize=8192)
def may_be_a_verb(word: str) -> bool:
    """Whether WordNet knows `word` (any inflection) as a verb."""
    return meanings().wordnet.knows(word, "v")


@lru_cache(maxsize=8192)
def may_be_an_adjective(word: str) -> bool:
    """Whether WordNet knows `word` as an adjective ("calm", "main", "automatic")."""
    return meanings().wordnet.knows(word, "a")


@lru_cache(maxsize=8192)
def may_be_a_noun(word: str) -> bool:
    """Whether WordNet knows `word` (any inflection) as a noun."""
    return meanings().wordnet.knows(word, "n")
