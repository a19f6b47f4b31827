"""Which thing a sound word is heard from: the source it links to in its sentence.

A sound word links to the nearest source in its clause, the subject before the place it is in ("the bell over the
door jingles"); a call to its own kind of thing wherever that is named ("a dog in the back of the van barks"); a
participle or a verb after "and" to the sentence's subject; "it"/"its" to the last thing named, in this sentence or
the one before; a voice to the many people named before it. The thing it links to decides its category (reading.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import OTHER, PEOPLE, PERSON
from .marks import Mark
from .meaning import is_a_thing
from .syntax import (
    ARTICLES,
    CLAUSE_BREAKS,
    FUNCTION_WORDS,
    PREPOSITIONS,
    PRONOUNS,
    clause_start,
    in_a_phrase,
    in_a_verb_phrase_after_and,
    preposition_leads,
    shares_the_subject,
    words_before,
)

WINDOW_BEFORE = 5  # words a sound word looks back for its source ("a narrowboat chugs")
WINDOW_AFTER = 4  # and forward ("the lift pings and its doors slide")


@dataclass
class Subjects:
    """One sentence's things that may sound, and which of them each sound word is heard from."""

    words: list[str]
    marks: list[Mark]
    sources: list[Mark]  # things the lexicon files in a category, or in none
    meant: list[Mark]  # things only WordNet places: a subject when no source is found
    many: list[Mark]  # crowds and groups of people
    voices: list[Mark]  # voices of the many named before them
    previous: Mark | None  # the last source of the sentence before, for an "it"
    silenced: set[int]  # ids of marks read as silent: no sound word links to them

    @classmethod
    def of(cls, words: list[str], marks: list[Mark], previous: Mark | None, silenced: set[int]) -> Subjects:
        sources = [m for m in marks if m.source or m.has("opening")]  # an opening sounds only as one (reading.py)
        meant = [m for m in marks if m.has("meant") and m.senses["meant"] != PERSON]
        many = [m for m in marks if m.source == "crowd" or m.senses.get("meant") == PEOPLE]
        # a voice of many people is theirs ("the team piles in, laughing", "the squad piles into the bus, singing"),
        # unless another thing is named between them ("the fans watch as the bus roars")
        voices = [
            m
            for m in marks
            if m.has("vocal")
            and any(c.first < m.first and not any(c.last < s.first < m.first for s in sources) for c in many)
        ]
        return cls(words, marks, sources, meant, many, voices, previous, silenced)

    def source_of(self, mark: Mark) -> tuple[Mark | None, bool]:
        """The source a sound word is heard from (None: none named), and whether it is heard at all (not when a
        person at a place whistles, nor when "it" names again what the sentence before already sounded)."""
        words, marks, sources = self.words, self.marks, self.sources
        if mark in self.voices:  # the nearest many before it
            return [m if m.source else _as_source(m) for m in self.many if m.first < mark.first][-1], True
        if mark.source and (mark.calls or "heard" in mark.senses) and not self._verb_of(mark):
            return mark, True  # a call that names its thing ("a knock", "a crow")
        near = [
            m
            for m in sources
            if m is not mark
            and id(m) not in self.silenced
            and (-WINDOW_AFTER <= mark.first - m.last <= WINDOW_BEFORE or self._its_caller_in_its_clause(mark, m))
            and (m.first < mark.first or _follows_in_its_clause(words, mark, m) or _its_own_part_after(words, mark, m))
            and not (_a_measure(words, m) and not mark.calls and m.source not in mark.manners)
        ]
        # The thing that sounds is the subject, not the place it is in or on ("the bell over the door jingles");
        # a call is its own category's wherever that is named ("a dog in the back of the van barks", "the wind
        # slams the gate").
        near.sort(
            key=lambda m: (
                not (mark.calls and m.source in mark.calls),
                in_a_phrase(words, m) and m.first < mark.first,
                abs(mark.first - m.first),
                m.first > mark.first,
            )
        )
        linked = near[0] if near else None
        if linked is not None and mark.has("vocal") and not mark.calls and self._a_place_of_a_person(linked):
            return None, False  # "leans on his gate and whistles it back": the man whistles
        under = words[mark.last + 1 : mark.last + 2]
        if under and under[0] in ("under", "beneath", "underneath"):  # "gravel crunching under her boots"
            feet = [m for m in sources if m.source == "footsteps" and 0 < m.first - mark.last <= 4]
            linked = feet[0] if feet else linked
        if linked is not None and linked.has("heard") and linked.first < mark.first and mark.has("voiced"):
            # "a gust rattles the front door": the thing it acts on sounds; the gust is heard by itself
            acted_on = [m for m in near if m.first > mark.first and not m.has("heard")]
            linked = acted_on[0] if acted_on else linked
        if linked is None and (shares_the_subject(words, mark) or in_a_verb_phrase_after_and(words, marks, mark)):
            # "…, beeping", "slips, hits the table and breaks": the sentence's subject sounds
            linked = next((m for m in sources if m.last < mark.first and not in_a_phrase(words, m)), None)
        if linked is None and any(w in PRONOUNS for w in words_before(words, mark.first, 2)):
            # "it": the last thing named, in this sentence ("a gust lifts the wall and it cracks") or the last
            earlier = [m for m in sources if m.last < mark.first and id(m) not in self.silenced]
            linked = earlier[-1] if earlier else self.previous
            # "lifts the lid off a crate and it thumps down": the crate, no source; a gust's doing is the gust's
            after = earlier[-1].last if earlier else -1
            if linked is not None and not linked.has("heard") and self._an_object_after(after, mark.first):
                linked = None
            if linked is self.previous and linked is not None and linked.sounded:
                return None, False  # the same sound, named again: not heard by itself either
        if linked is None:  # "the kettle on the camp stove starts to whistle": the clause's subject
            start = clause_start(words, mark)
            linked = next((m for m in sources if start <= m.first < mark.first and self._may_sound(m)), None)
        if linked is None:  # "a pile driver thumps", "a nuthatch trills": the thing WordNet places
            start = clause_start(words, mark)
            if shares_the_subject(words, mark):
                start = 0  # "a spanner slips … and rings": the sentence's subject
            subject = [m for m in self.meant if start <= m.first < mark.first and not in_a_phrase(words, m)]
            linked = _as_source(subject[-1] if start else subject[0]) if subject else None
        if linked is None and mark.source:
            linked = mark  # "the spray", "a crash": the word names its own thing
        return linked, True

    def maker(self, mark: Mark, continuous: dict[str, bool]) -> Mark | None:
        """The thing whose sound "with a clang" is: a source earlier in its clause, in a category ("swings the gate
        shut with a clank", "the photocopier jams with a clunk": a machine's own knock is the machine), when "with"
        leads the sound."""
        words = self.words
        if mark.first < 2 or words[mark.first - 2] != "with":
            return None
        start = clause_start(words, mark)
        made = [
            m
            for m in self.sources
            if start <= m.first < mark.first and id(m) not in self.silenced and not in_a_phrase(words, m) and m.source
        ]
        if not made or made[-1].source == OTHER:
            return None
        # a running thing's knock is something it hits ("the rotavator hits a slab with a bang") or its stopping
        hits = any(m.has("motion", "stop") and made[-1].last < m.first < mark.first for m in self.marks)  # "shuts off"
        return None if continuous.get(made[-1].source or "") and hits else made[-1]

    def referent(self) -> Mark | None:
        """What an "it" in the next sentence means: the last thing named that sounds, unless a thing the lexicon does
        not know is named after it as an object ("heaves a lever over"), or before it when it is only a place ("rolls
        a log onto the carriage"): then nothing known."""
        words, sources = self.words, self.sources
        placed = [m for m in sources if not in_a_phrase(words, m) or "of" in words_before(words, m.first, 2)]
        if placed:
            return None if self._an_object_after(placed[-1].last, len(words)) else placed[-1]
        last = sources[-1] if sources else self.previous
        return None if self._an_object_after(-1, len(words)) else last

    def _verb_of(self, mark: Mark) -> Mark | None:
        """The source right before a sound that is also a verb, inflected as one ("the dishwasher thunders", "the
        river roars"): that source is the subject that sounds, and the word says how, not what ("thunder")."""
        word = self.words[mark.last]
        if mark.first == 0 or not word.endswith(("s", "ed", "ing")) or word in ("s", "ed", "ing"):
            return None
        return next(
            (m for m in self.sources if m.last == mark.first - 1 and m is not mark and not m.has("heard")), None
        )

    def _may_sound(self, source: Mark) -> bool:
        """Whether a source can be the subject that sounds: not read as silent, not a place ("over the door")."""
        return id(source) not in self.silenced and not in_a_phrase(self.words, source)

    def _its_caller_in_its_clause(self, mark: Mark, source: Mark) -> bool:
        """Whether a call's own kind of thing is its clause's subject, however far back ("a dog in the back of the
        van barks", and the same call again: "barks and barks"): what only that kind makes is made by it, not by the
        place it is in."""
        if source.source not in mark.calls or not 0 < mark.first - source.last <= 2 * WINDOW_BEFORE + 2:
            return False
        first_call = min(m.first for m in self.marks if m.first > source.last and source.source in m.calls)
        return not any(w in CLAUSE_BREAKS for w in self.words[source.last + 1 : first_call])

    def _a_place_of_a_person(self, source: Mark) -> bool:
        """Whether a source is where a person is ("leans on his gate"), the person named before it: the voice is
        theirs."""
        if not in_a_phrase(self.words, source):
            return False
        return any(m.is_person and m.last < source.first for m in self.marks)

    def _an_object_after(self, after: int, before: int) -> bool:
        """Whether a thing the lexicon does not know is named as a verb's object between word `after` and `before`
        ("heaves a lever over"): the last thing named, which an "it" then means. A place ("on the shelf") is not
        one."""
        words = self.words
        known = {i for m in self.marks for i in range(m.first, m.last + 1)}
        for at in range(max(after + 1, 1), before):
            if words[at - 1] not in ARTICLES or at in known or words[at] in FUNCTION_WORDS or not words[at].isalpha():
                continue
            if is_a_thing(words[at]) and not preposition_leads(words, at, 3):  # not in a phrase: no place
                return True
        return False


def _as_source(mark: Mark) -> Mark:
    """A thing only WordNet places, taken as the source it is heard from."""
    mark.senses["source"] = mark.senses["meant"]
    return mark


def _follows_in_its_clause(words: list[str], mark: Mark, source: Mark) -> bool:
    """Whether a source after a sound word is its subject ("the lift pings and its doors slide" has two), not
    where it lands ("thumps against the door") nor the subject of the next clause."""
    between = words[mark.last + 1 : source.first]
    return not any(w in CLAUSE_BREAKS or w in PREPOSITIONS for w in between)


def _its_own_part_after(words: list[str], mark: Mark, source: Mark) -> bool:
    """Whether a manner is heard in a source of its own category named just after "in" ("the key grates in the
    lock", "the bolt rattles in its hasp"), not something it lands against ("thumps against the door")."""
    between = words[mark.last + 1 : source.first]
    return (
        source.source in mark.manners
        and bool(between)
        and between[0] in ("in", "into")
        and not any(w in CLAUSE_BREAKS for w in between)
    )


def _a_measure(words: list[str], mark: Mark) -> bool:
    """ "a glass of water", "a bottle of prosecco": a container named for what is in it; pouring it is the liquid's
    sound, popping it no glass's (a glass still smashes and drops)."""
    return (
        mark.source == "glass"
        and mark.last + 2 < len(words)
        and words[mark.last + 1] == "of"
        and words[mark.last + 2] not in ARTICLES
    )
