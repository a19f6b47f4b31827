"""Finding the phrases of a sentence that may bear on a sound (marks): the lexicon's words and phrases, the sound
verbs and things WordNet knows that the lexicon lacks, and characters' names, each with every sense it may have.

A mark says what a phrase may mean ("hoot": a horn's call or a bird's); which of those it means in its sentence is
reading.py's question. A word that only modifies the noun after it ("the crash barrier") is no mark: the head noun,
last, names the thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexicon import PEOPLE, PERSON, Lexicon, Sense
from .meaning import (
    is_a_compound,
    is_plural_noun,
    is_sound_verb,
    is_voice,
    may_be_a_noun,
    may_be_a_verb,
    may_be_an_adjective,
    noun_category,
)
from .syntax import (
    ARTICLES,
    CLAUSE_BREAKS,
    FUNCTION_WORDS,
    NOT_NOUNS,
    PREPOSITIONS,
    VERB_BEFORE,
    after_an_article,
    preposition_leads,
    used_as_a_noun,
)

# The senses that make a word a sound word: it calls, sounds in a manner, is voiced, moves, strides or starts.
SOUND_WORD_KINDS = ("call", "manner", "voiced", "motion", "stride", "start")
SOUNDING = (*SOUND_WORD_KINDS, "heard")  # and a sound heard by itself ("thunder")


@dataclass
class Mark:
    """A phrase found in the text: a lexicon wording, a sound verb or a thing WordNet knows, or a character's name."""

    first: int  # word index
    last: int
    start: int  # character span in the text
    end: int
    senses: dict[str, str] = field(default_factory=dict)  # kind → value (a category, a count, or "")
    calls: tuple[str, ...] = ()  # every category this phrase is a call of ("hoot": horn, birds)
    manners: tuple[str, ...] = ()  # every category this phrase is a manner of ("runs": an engine, a tap)
    sounded: bool = False  # an event was read from this source ("the gate shuts; it clangs" is one sound)

    def has(self, *kinds: str) -> bool:
        return any(k in self.senses for k in kinds)

    @property
    def source(self) -> str | None:
        """The category of the thing this phrase names, when it names one."""
        return self.senses.get("heard") or self.senses.get("source")

    @property
    def is_person(self) -> bool:
        """A pronoun of a person ("she") or a noun WordNet files under people ("the bowler", "a vet")."""
        return self.has("person") or self.senses.get("meant") == PERSON


_WORD = re.compile(r"[a-z]+(?:[-'][a-z]+)*|[,:]")
# Words in quotation marks are said or written ("taps out 'train out of section'"), not things in the scene.
_QUOTED = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d')


def find_marks(lexicon: Lexicon, text: str) -> tuple[list[str], list[Mark]]:
    """The words of `text` (lower case, a possessive "'s" dropped) and the marks found in them, in order."""
    low = _QUOTED.sub(lambda m: " " * len(m.group()), text.lower().replace("\u2019", "'"))  # offsets kept
    tokens = list(_WORD.finditer(low))
    words = [re.sub(r"'s$", "", t.group()) for t in tokens]
    marks: list[Mark] = []
    at = 0
    while at < len(words):
        n, senses = lexicon.senses_at(words, at)
        if n == 0 and _a_sound_verb_by_meaning(words, at):  # "the radiator glugs": WordNet says the verb sounds
            n, senses = 1, (Sense("voiced"), Sense("vocal")) if is_voice(words[at]) else (Sense("voiced"),)
        if n == 0:
            n, senses = _a_thing_by_meaning(lexicon, words, at)  # "a hatchback", "a pile driver", "the beagle"
        if n == 0:
            at += 1
            continue
        mark = Mark(at, at + n - 1, tokens[at].start(), tokens[at + n - 1].end())
        for sense in senses:
            mark.senses.setdefault(sense.kind, sense.value)
        mark.calls = tuple(sorted(s.value for s in senses if s.kind == "call"))
        mark.manners = tuple(sorted(s.value for s in senses if s.kind == "manner"))
        marks.append(mark)
        at += n
    named = {i for m in marks for i in range(m.first, m.last + 1)}
    for at, token in enumerate(tokens):  # "Ricky thunders down the stairs": a character's name is a person
        if at not in named and _is_a_name(text[token.start() : token.end()], words[at]):
            marks.append(Mark(at, at, token.start(), token.end(), {"meant": PERSON}))
    marks.sort(key=lambda m: m.first)
    return words, [m for m in marks if not _modifies_a_noun(words, marks, m)]  # "the crash barrier", "a spray gun"


def _is_a_name(written: str, word: str) -> bool:
    """A character's name: written in capitals where they are introduced ("TOMASZ, the bass player"), or capitalised
    and no word WordNet knows ("Ricky", "Kieran"; not "The", "Outside" or "Dot")."""
    if not written or not word.isalpha() or len(word) < 2 or word in FUNCTION_WORDS or word.endswith("ly"):
        return False
    if written.isupper():
        return True
    return written[0].isupper() and not (may_be_a_noun(word) or may_be_a_verb(word) or may_be_an_adjective(word))


def _a_sound_verb_by_meaning(words: list[str], at: int) -> bool:
    """A word the lexicon lacks, used as a verb (no article before it), that WordNet says makes a sound."""
    word = words[at]
    if len(word) < 3 or not word.isalpha() or (at > 0 and words[at - 1] in ARTICLES):
        return False
    return is_sound_verb(word, at > 0 and is_plural_noun(words[at - 1]))


def _a_thing_by_meaning(lexicon: Lexicon, words: list[str], at: int) -> tuple[int, tuple[Sense, ...]]:
    """A noun (or a two-word compound) the lexicon lacks that WordNet places in a category or in none: a source,
    like the lexicon's own ("the hatchback rattles past" is a vehicle). Not after a word that makes it a verb."""
    if at > 0 and words[at - 1] in VERB_BEFORE:
        return 0, ()
    for n in (2, 1):
        phrase = words[at : at + n]
        if len(phrase) < n or not all(w.isalpha() and len(w) > 2 for w in phrase):
            continue
        if n == 2 and lexicon.senses_at(words, at + 1)[0]:
            continue  # "pile driver" is one thing; "tumble dryer" is the lexicon's
        if n == 1 and (_a_noun_follows(lexicon, words, at + 1) or not used_as_a_noun(words, at)):
            return 0, ()  # "fish boxes slap down": the first noun of a compound; "Dev watches": a verb
        category = noun_category(" ".join(phrase), whole=True)
        if category is None and n == 2 and is_a_compound(" ".join(phrase)):
            return n, ()  # "a tea trolley": one thing in no category, not a tea and a trolley (a tram)
        if category == PERSON and n == 1 and is_plural_noun(phrase[0]):
            return n, (Sense("meant", PEOPLE),)  # "the fielders leap up, yelling": many voices are a crowd
        if category is not None:  # a person's sounds are their doing ("the bowler pounds in": his feet)
            return n, (Sense("meant", category),)
    return 0, ()


def _a_noun_follows(lexicon: Lexicon, words: list[str], at: int) -> bool:
    """Whether word `at` is a noun the lexicon does not read otherwise (the head of a compound): "fish boxes slap",
    not "a spanner slips from": a word that may be a verb is a noun only when a verb follows it."""
    if at >= len(words) or not words[at].isalpha() or lexicon.senses_at(words, at)[0]:
        return False
    if noun_category(words[at], whole=True) is None and not is_plural_noun(words[at]):
        return False
    if not may_be_a_verb(words[at]):
        return True
    return at + 1 < len(words) and (lexicon.senses_at(words, at + 1)[0] > 0 or is_sound_verb(words[at + 1], True))


def _modifies_a_noun(words: list[str], marks: list[Mark], mark: Mark) -> bool:
    """Whether a lexicon word is the first noun of a compound, the head noun last, which names the thing: the next
    word is no word the lexicon knows and looks like a noun, and either the phrase is a preposition's and ends there
    ("on the crash barrier", "into a storm drain") or it is a subject after a determiner whose verb is a sound word
    ("the spray gun hisses", "a heating pipe clanks"). Without a tagger a plural noun and a verb look alike, so
    nothing else is read as a compound ("gulls wheel over the water")."""
    after = mark.last + 1
    if after >= len(words):
        return False
    head = next((m for m in marks if m.first == after), None)
    if head is not None and not (head.source and head.last == head.first and not head.has(*SOUNDING)):
        return False  # a sound word follows; a thing alone may be the head ("the storm drain", "the car door slams")
    if mark.source and mark.first == mark.last and not may_be_a_noun(words[mark.first]):
        return False  # an adjective keeps its meaning: "the hydraulic lift whines" is a machine
    noun = words[after]
    if noun in NOT_NOUNS or noun in PREPOSITIONS or noun in CLAUSE_BREAKS or not noun.isalpha():
        return False
    if noun.endswith(("ly", "ing", "ed")):
        return False  # "a thud overhead", "the engine idling", "the door slammed"
    if head is None and is_a_compound(f"{words[mark.last]} {noun}"):
        return True  # "the window cleaner's ladder": one thing WordNet knows, the lexicon's word its first noun
    follows = words[after + 1] if after + 1 < len(words) else ""
    if preposition_leads(words, mark.first, 2):  # "far off, thunder": a clause break ends the lead
        return follows == "" or follows in PREPOSITIONS or follows in CLAUSE_BREAKS
    verb = next((m for m in marks if m.first == after + 1), None)
    subject = after_an_article(words, mark)
    if subject and head is not None and mark.source and mark.source != head.source:
        return True  # "the water glass", "her car keys": two things, the last one names it
    return subject and verb is not None and verb.has("call", "voiced", "motion", "manner")
