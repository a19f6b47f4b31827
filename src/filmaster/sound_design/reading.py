"""Reading the sounds a sentence names with the lexicon: the thing that sounds (the source: "the van", "her
boots") decides the category, the sound word ("reverses, beeping", "clattering") says that it is heard.

A sound word links to the nearest source in its sentence (or, after "it"/"its", to the last source before);
a call ("barks", "shatters", "idles") names its category by itself; a movement ("topples", "falls") is an
impact unless what moves is itself a sound ("rain falls") or no thing at all ("the idea strikes her"). A
negation ("no sound of the engine") or a stop ("the rain stops") silences what it governs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexicon import OTHER, PEOPLE, PERSON, Lexicon, Sense
from .meaning import (
    is_a_compound,
    is_a_thing,
    is_plural_noun,
    is_sound_verb,
    is_voice,
    may_be_a_noun,
    may_be_a_verb,
    may_be_an_adjective,
    noun_category,
)

WINDOW_BEFORE = 5  # words a sound word looks back for its source ("a narrowboat chugs")
WINDOW_AFTER = 4  # and forward ("the lift pings and its doors slide")
PREPOSITIONS = (
    "over", "on", "onto", "in", "into", "from", "at", "of", "under", "behind", "against", "across", "by", "with",
    "through", "to", "toward", "towards", "beside", "above", "below", "beyond", "along", "off", "near", "inside",
    "among", "amongst", "amid", "amidst", "between", "beneath", "underneath", "upon", "within", "around",
)  # fmt: skip
NEGATION_REACH = 4  # words after "no"/"not" it still governs ("not a breath of wind")
MERGE_GAP = 3  # words between two namings of one category that still tell one action
PRONOUNS = ("it", "its", "they", "their", "them")
CLAUSE_BREAKS = (
    ",",
    ":",
    "and",
    "but",
    "then",
    "while",
    "as",
    "who",
    "which",
    "that",
    "until",
)  # a new subject may follow


@dataclass
class Mark:
    """A lexicon phrase found in the text."""

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


@dataclass(frozen=True)
class Reading:
    category: str
    start: int  # character span of the words that name it
    end: int
    count: int


_WORD = re.compile(r"[a-z]+(?:[-'][a-z]+)*|[,:]")
# Words in quotation marks are said or written ("taps out 'train out of section'"), not things in the scene.
_QUOTED = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d')


def _marks(lexicon: Lexicon, text: str) -> tuple[list[str], list[Mark]]:
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


VERB_BEFORE = ("to", "he", "she", "they", "it", "we", "i", "you", "who", "which", "that")  # "it hisses", "to hum"
ARTICLES = ("a", "an", "the", "his", "her", "its", "their", "my", "our", "your", "this", "that")


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
        if n == 1 and (_a_noun_follows(lexicon, words, at + 1) or not _used_as_a_noun(words, at)):
            return 0, ()  # "fish boxes slap down": the first noun of a compound; "Dev watches": a verb
        category = noun_category(" ".join(phrase), whole=True)
        if category is None and n == 2 and is_a_compound(" ".join(phrase)):
            return n, ()  # "a tea trolley": one thing in no category, not a tea and a trolley (a tram)
        if category == PERSON and n == 1 and is_plural_noun(phrase[0]):
            return n, (Sense("meant", PEOPLE),)  # "the fielders leap up, yelling": many voices are a crowd
        if category is not None:  # a person's sounds are their doing ("the bowler pounds in": his feet)
            return n, (Sense("meant", category),)
    return 0, ()


QUANTIFIERS = ("some", "several", "many", "few", "two", "three", "four", "both", "all", "these", "those", "no")


def _used_as_a_noun(words: list[str], at: int) -> bool:
    """Whether a word WordNet knows as a noun is used as one here, by the word's form and the word before it:
    not a participle ("scattering"), an adjective ("calm", "main") or a verb with its subject before it ("the
    sea billows", "Dev watches"); "-s" after an article, a quantifier or at the start is a plural noun ("two
    tugs", "Tugs nudge the tanker")."""
    word = words[at]
    if word.endswith("ing") or may_be_an_adjective(word):
        return False
    if not (word.endswith("s") and may_be_a_verb(word)):
        return True
    return at == 0 or words[at - 1] in ARTICLES or words[at - 1] in QUANTIFIERS


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


def _is_person(mark: Mark) -> bool:
    """A pronoun of a person ("she") or a noun WordNet files under people ("the bowler", "a vet")."""
    return mark.has("person") or mark.senses.get("meant") == PERSON


def _as_source(mark: Mark) -> Mark:
    mark.senses["source"] = mark.senses["meant"]
    return mark


def _shares_the_subject(words: list[str], mark: Mark) -> bool:
    """A participle after a comma (", beeping") or a verb straight after "and" or a comma ("slips, hits the table
    and breaks") has the sentence's subject."""
    before = words[mark.first - 1] if mark.first > 0 else ""
    return before in (",", "and") and (words[mark.first].endswith("ing") or mark.first > 1)


def _in_a_verb_phrase_after_and(words: list[str], marks: list[Mark], mark: Mark) -> bool:
    """A sound in a clause after "and" that opens with its verb ("coughs and settles into a chug"): no subject of its
    own, so the sentence's."""
    start = _clause_start(words, mark)
    if start < 2 or words[start - 1] != "and" or start == mark.first or words[start] in FUNCTION_WORDS:
        return False
    if any(start <= m.first < mark.first for m in marks):
        return False
    return not is_plural_noun(words[start]) or words[start + 1] in PREPOSITIONS  # "and gulls wheel": a subject


def _resolve(
    mark: Mark,
    source: Mark | None,
    before: list[Mark],
    continuous: dict[str, bool],
    refines: dict[str, tuple[str, ...]],
    then: str,
    spoken: bool,
    soft_landing: bool,
    on_a_surface: bool,
    travelling: bool = False,
) -> str | None:
    """The category a sound word names, given the source it links to and the phrases before it in its clause."""
    s = source.source if source else None
    source_senses = source.senses if source else {}
    opening = source_senses.get("opening")
    if opening and (opening in mark.calls or opening in mark.manners):
        return opening  # "eases the boot shut": a car's boot opens and shuts like a door
    if opening and "door" in mark.calls:
        return "impact"  # "raps on the window": a knock on what is no door
    if travelling and (mark.calls or mark.has("voiced", "manner")):
        return "vehicle"  # "putters into the lock", "a tractor chugs along the lane": heard going somewhere
    if s == OTHER:  # "a fox barks", "the radio crackles": a sound, in no category here; but a cow falls like anything
        if "motion" not in mark.senses or "voiced" in mark.senses or mark.calls or soft_landing:
            return None
        s = None
    if "stride" in mark.senses and (s in ("crowd", PEOPLE) or (s is None and any(_is_person(m) for m in before))):
        return "footsteps"  # "the guests clatter down the stairs"
    if s == PEOPLE:  # "the fielders yell": many voices are a crowd; "the wipers squeak" is no voice
        return "crowd" if "vocal" in mark.senses or "crowd" in mark.calls else None
    if set(mark.senses) == {"start"}:  # "the compressor kicks in": heard only from a continuous sound's source
        return s if s and continuous.get(s) else None
    if "vocal" in mark.senses and s == "crowd":
        return s  # "the fans shout", "photographers jostle, shouting questions": many voices are a crowd
    no_other_source = source is None or source is mark
    if no_other_source and "vocal" in mark.senses and (spoken or any(_is_person(m) for m in before)):
        return None  # "barking over the din": the speaker's delivery; "he growls": the man, not a dog
    if mark.calls:  # a call names its category, but what sounds decides ("geese honk"), save a knock or a fall
        # the call its source is a kind of ("a taxi hoots": a horn, not an owl), else the first
        call = next((c for c in mark.calls if s in refines.get(c, ())), mark.calls[0])
        if s is None and on_a_surface and "manner" not in mark.senses:
            return "impact"  # "slams a ledger on the desk": no door, something landing
        if s is None or s in mark.calls:
            return s or call
        if call == "door" and "manner" not in mark.senses and "source" in source_senses:
            return "impact"  # "rapping on the glass", "hammers on the van's roof": a knock on what is no door
        return call if call == "impact" or s in refines.get(call, ()) else s
    if "manner" in mark.senses:  # "reverses", "slides open": heard only from a source of its own category
        if s in mark.manners:
            return s
        if not mark.has("voiced", "motion"):
            return None
    subject_is_no_thing = any(m.has("figurative") for m in before)
    if "voiced" in mark.senses:
        if s and continuous.get(s) and "heard" not in source_senses and then == "onto":
            return "impact"  # "the radiators clatter onto the pile": the things land; no machine runs
        if s:
            return s
        if subject_is_no_thing or ("vocal" in mark.senses and any(_is_person(m) for m in before)):
            return None
        if not mark.senses["voiced"] and (then in ("against", "off") or on_a_surface):  # "cracks against a rock"
            return "impact"
        return mark.senses["voiced"] or None
    if "motion" in mark.senses:
        if (s and (continuous.get(s) or "heard" in source_senses)) or (not s and subject_is_no_thing) or soft_landing:
            return None  # rain falls, a bird tumbles on the wind, a siren rises and falls, a silence falls
        return "impact"
    return None


def read_sentence(lexicon: Lexicon, text: str, offset: int, previous: Mark | None) -> tuple[list[Reading], Mark | None]:
    """The sounds one sentence names, and the last source it mentions (for an "it" in the next one)."""
    continuous = {c.name: c.continuous for c in lexicon.categories}
    refines = {c.name: c.refines for c in lexicon.categories}
    struck_sound = {c.name for c in lexicon.categories if c.struck}
    words, marks = _marks(lexicon, text)
    marks = [m for m in marks if not m.has("not_a_sound")]  # "the car park", "her glasses"
    for mark in marks:
        if mark.has("heard") and _used_as_a_verb(words, marks, mark):
            del mark.senses["heard"]  # "winds the paddle down", "thunders down the stairs": not the weather
        if mark.has("stride") and (
            "with" in words[max(0, mark.first - 3) : mark.first] or _after_an_article(words, mark)
        ):
            del mark.senses["stride"]  # "with a heavy thump": the sound named, not a person's stride
    count = max((int(m.senses["repeat"]) for m in marks if m.has("repeat")), default=1)
    sources = [m for m in marks if m.source or m.has("opening")]  # an opening sounds only as one (_resolve)
    meant = [
        m for m in marks if m.has("meant") and m.senses["meant"] != PERSON
    ]  # things only WordNet places: a subject when no source is found
    kinds = ("call", "manner", "voiced", "motion", "start", "stride")
    sounding = [m for m in marks if m.has(*kinds) and not m.has("stop")]
    many = [m for m in marks if m.source == "crowd" or m.senses.get("meant") == PEOPLE]
    # a voice of many people is theirs ("the team piles in, laughing", "the squad piles into the bus, singing"),
    # unless another thing is named between them ("the fans watch as the bus roars")
    voices = [
        m
        for m in marks
        if m.has("vocal")
        and any(c.first < m.first and not any(c.last < s.first < m.first for s in sources) for c in many)
    ]
    sounding = sorted({id(m): m for m in sounding + voices}.values(), key=lambda m: m.first)

    # "will not stop buzzing", "won't stop ringing": a stop denied is a sound going on, neither stopped nor denied
    denied_stops = [
        m for m in marks if m.has("stop") and any(n.has("negator") and 0 < m.first - n.last <= 2 for n in marks)
    ]

    def negated(mark: Mark) -> bool:
        return any(
            m.has("negator")
            and 0 < mark.first - m.last <= NEGATION_REACH
            and not any(0 < d.first - m.last <= 2 and d.last < mark.first for d in denied_stops)
            for m in marks
        )

    def stopped(mark: Mark) -> bool:  # "the rain stops", "stops ringing"
        return any(
            m.has("stop") and m not in denied_stops and (0 < m.first - mark.last <= 3 or m.last == mark.first - 1)
            for m in marks
        )

    # A source is heard by itself after "shouting over the …", "(over the engine)" or "the sound of …".
    for i, mark in enumerate(marks):
        # A thing in no category ("over the music") is heard, and is no effect: it never becomes one.
        if mark.has("source") and mark.senses["source"] != OTHER and not mark.has("heard"):
            lead = [m for m in marks[:i] if m.has("heard_after") and mark.first - m.last <= 3]
            spoken_over = any(m.first == 0 or any(s.has("speech") for s in marks[:i]) for m in lead)
            if spoken_over or any(m.last > m.first for m in lead):
                mark.senses["heard"] = mark.senses["source"]

    events: list[tuple[str, list[Mark]]] = []
    by_source: dict[int, int] = {}  # id of a source mark → its event
    silenced: set[int] = set()
    for mark in sounding:
        if negated(mark):
            continue
        if any(m.has("stop") and m not in denied_stops and m.last == mark.first - 1 for m in marks):
            silenced.add(id(mark))  # "stops ringing", "ceases barking": the end of a sound, not one heard anew
            continue
        if mark.has("manner") and not mark.has("call", "voiced", "motion") and _after_an_article(words, mark):
            continue  # "the open window", "a closed door": a state, not a movement
        if mark.has("vocal") and _of_a_feeling(words, marks, mark):
            silenced.add(id(mark))  # "a great bark of relief", "a howl of pain": a voice, not an animal
            continue
        if _named_as_a_noun(words, mark) and not mark.calls and mark.senses.get("voiced"):
            made_by = _maker(words, marks, sources, silenced, mark, continuous)
            if made_by is not None:  # "pulls the shutter down with a clatter": the shutter's sound
                key = id(made_by)
                if key in by_source:
                    events[by_source[key]][1].append(mark)
                else:
                    by_source[key] = len(events)
                    events.append((made_by.source or "", [mark, made_by]))
                continue
            events.append((mark.senses["voiced"], [mark]))  # "with a thunk", "the clang": the sound itself
            continue
        linked: Mark | None
        if mark in voices:  # the nearest many before it
            linked = [m if m.source else _as_source(m) for m in many if m.first < mark.first][-1]
        elif mark.source and (mark.calls or "heard" in mark.senses) and not _verb_of(sources, words, mark):
            linked = mark  # a call that names its thing ("a knock", "a crow")
        else:
            near = [
                m
                for m in sources
                if m is not mark
                and id(m) not in silenced
                and (
                    -WINDOW_AFTER <= mark.first - m.last <= WINDOW_BEFORE
                    or _its_caller_in_its_clause(words, marks, mark, m)
                )
                and (
                    m.first < mark.first
                    or _follows_in_its_clause(words, mark, m)
                    or _its_own_part_after(words, mark, m)
                )
                and not (_a_measure(words, m) and not mark.calls and m.source not in mark.manners)
            ]
            # The thing that sounds is the subject, not the place it is in or on ("the bell over the door jingles");
            # a call is its own category's wherever that is named ("a dog in the back of the van barks", "the wind
            # slams the gate").
            near.sort(
                key=lambda m: (
                    not (mark.calls and m.source in mark.calls),
                    _in_a_phrase(words, m) and m.first < mark.first,
                    abs(mark.first - m.first),
                    m.first > mark.first,
                )
            )
            linked = near[0] if near else None
            if (
                linked is not None
                and mark.has("vocal")
                and not mark.calls
                and _a_place_of_a_person(words, marks, linked)
            ):
                silenced.add(id(mark))  # "leans on his gate and whistles it back": the man whistles
                continue
            under = words[mark.last + 1 : mark.last + 2]
            if under and under[0] in ("under", "beneath", "underneath"):  # "gravel crunching under her boots"
                feet = [m for m in sources if m.source == "footsteps" and 0 < m.first - mark.last <= 4]
                linked = feet[0] if feet else linked
            if linked is not None and linked.has("heard") and linked.first < mark.first and mark.has("voiced"):
                # "a gust rattles the front door": the thing it acts on sounds; the gust is heard by itself
                acted_on = [m for m in near if m.first > mark.first and not m.has("heard")]
                linked = acted_on[0] if acted_on else linked
            if linked is None and (_shares_the_subject(words, mark) or _in_a_verb_phrase_after_and(words, marks, mark)):
                # "…, beeping", "slips, hits the table and breaks": the sentence's subject sounds
                linked = next((m for m in sources if m.last < mark.first and not _in_a_phrase(words, m)), None)
            if linked is None and any(w in PRONOUNS for w in words[max(0, mark.first - 2) : mark.first]):
                # "it": the last thing named, in this sentence ("a gust lifts the wall and it cracks") or the last
                earlier = [m for m in sources if m.last < mark.first and id(m) not in silenced]
                linked = earlier[-1] if earlier else previous
                # "lifts the lid off a crate and it thumps down": the crate, no source; a gust's doing is the gust's
                after = earlier[-1].last if earlier else -1
                if linked is not None and not linked.has("heard") and _an_object_after(words, marks, after, mark.first):
                    linked = None
                if linked is previous and linked is not None and linked.sounded:
                    silenced.add(id(mark))  # the same sound, named again: not heard by itself either
                    continue
            if linked is None:  # "the kettle on the camp stove starts to whistle": the clause's subject
                start = _clause_start(words, mark)
                linked = next(
                    (m for m in sources if start <= m.first < mark.first and _may_sound(m, silenced, words)), None
                )
            if linked is None:  # "a pile driver thumps", "a nuthatch trills": the thing WordNet places
                start = _clause_start(words, mark)
                if _shares_the_subject(words, mark):
                    start = 0  # "a spanner slips … and rings": the sentence's subject
                subject = [m for m in meant if start <= m.first < mark.first and not _in_a_phrase(words, m)]
                linked = _as_source(subject[-1] if start else subject[0]) if subject else None
            if linked is None and mark.source:
                linked = mark  # "the spray", "a crash": the word names its own thing
        if linked is not None and negated(linked):
            continue
        before = [m for m in marks if _clause_start(words, mark) <= m.first < mark.first]
        then = words[mark.last + 1] if mark.last + 1 < len(words) else ""
        spoken = mark.first == 0 and words[0].endswith("ing")  # a parenthetical: how the line is said
        soft = any(m.has("soft") and 0 < m.first - mark.last <= 4 for m in marks)  # "collapses on the sofa"
        # "taps on the floor": heard landing on something; "taps a fork on his glass": the glass rings
        landing = words[mark.last + 1 : mark.last + 4]  # "taps on the floor", "slaps a printout on her desk"
        surface = any(w in ("on", "onto") for w in landing) and any(
            m.has("surface") and 0 < m.first - mark.last <= 6 for m in marks
        )
        # a light tap rings what it strikes ("taps a fork on his glass"); a knock is a knock ("clatters against
        # the glass", "raps on the window": nothing rings or breaks)
        light = mark.has("voiced") and mark.senses["voiced"] != "impact"
        struck = [
            m.source
            for m in sources
            if 0 < m.first - mark.last <= 5 and m.source in struck_sound and light and linked is None
        ]
        if struck and any(w in ("on", "against") for w in words[mark.last + 1 : mark.last + 4]):
            linked = next(m for m in sources if m.source == struck[0] and m.first > mark.last)
        travelling = _travelling(lexicon, words, mark, linked)
        category = _resolve(mark, linked, before, continuous, refines, then, spoken, soft, surface, travelling)
        if category == "crowd" and _one_person_claps(words, mark, linked, before):
            category = None
        if category is None:
            silenced.add(id(mark))  # read, and not an effect: not heard by itself either
            continue
        key = id(linked) if linked is not None else id(mark)
        if key in by_source and _another_effect(events[by_source[key]][0], category, linked):
            by_source[key] = len(events)  # "pulls away, hooting", "putters in and bumps the cill": two effects
            events.append((category, [mark]))
        elif key in by_source:  # one thing, one sound: its own category over a knock ("slips, hits … and breaks")
            index = by_source[key]
            own = category if linked is not None and category == linked.source else events[index][0]
            events[index] = (own, [*events[index][1], mark])
        else:
            by_source[key] = len(events)
            events.append((category, [mark] + ([linked] if linked is not None and linked is not mark else [])))
    used = silenced | {id(m) for _, ms in events for m in ms}
    for mark in marks:
        if mark.has("heard") and id(mark) not in used and not negated(mark) and not stopped(mark):
            events.append((mark.senses["heard"], [mark]))
    # "A taxi blares its horn": the vehicle's sound is its horn, named more precisely.
    for i, (category, ms) in enumerate(events):
        for other in sources:
            if any(other is m for m in ms):
                continue  # "a moped buzzes across the square": the thing itself heard travelling, not its engine
            if category in refines.get(other.source or "", ()) and any(abs(other.first - m.first) <= 4 for m in ms):
                events[i] = (other.source or category, [*ms, other])
                break
    readings = []
    for category, ms in _one_per_action(events, {id(m) for m in marks if _goes_on(words, m)}):
        for m in ms:
            m.sounded = True
        start, end = min(m.start for m in ms), max(m.end for m in ms)
        readings.append(Reading(category, offset + start, offset + end, 1 if continuous[category] else count))
    readings.sort(key=lambda r: r.start)
    return readings, _referent(words, marks, sources, previous)


NOT_NOUNS = (
    "a", "an", "the", "his", "her", "its", "their", "my", "our", "your", "this", "that", "it", "he", "she", "they",
    "again", "once", "twice", "somewhere", "overhead", "outside", "inside", "below", "above", "nearby", "behind",
    "downstairs", "upstairs", "away", "past", "down", "up", "out", "back", "around", "too", "now", "still", "open",
    "shut", "closed", "loud", "hard", "close", "far", "home", "here", "there", "everywhere", "ahead", "forward",
    "off", "in", "aside", "apart", "together", "alone", "on", "then", "so", "softly", "distant", "nearer", "closer",
    "shrill", "low", "high", "deep", "sharp", "dull", "faint",
)  # fmt: skip


SOUNDING = ("call", "manner", "voiced", "motion", "stride", "start", "heard")


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
    lead = words[max(0, mark.first - 2) : mark.first]
    lead = lead[max((i + 1 for i, w in enumerate(lead) if w in CLAUSE_BREAKS), default=0) :]  # "far off, thunder"
    follows = words[after + 1] if after + 1 < len(words) else ""
    if any(w in PREPOSITIONS for w in lead):
        return follows == "" or follows in PREPOSITIONS or follows in CLAUSE_BREAKS
    verb = next((m for m in marks if m.first == after + 1), None)
    subject = mark.first > 0 and words[mark.first - 1] in ARTICLES
    if subject and head is not None and mark.source and mark.source != head.source:
        return True  # "the water glass", "her car keys": two things, the last one names it
    return subject and verb is not None and verb.has("call", "voiced", "motion", "manner")


def _verb_of(sources: list[Mark], words: list[str], mark: Mark) -> Mark | None:
    """The source right before a sound that is also a verb, inflected as one ("the dishwasher thunders", "the
    river roars"): that source is the subject that sounds, and the word says how, not what ("thunder")."""
    word = words[mark.last]
    if mark.first == 0 or not word.endswith(("s", "ed", "ing")) or word in ("s", "ed", "ing"):
        return None
    return next((m for m in sources if m.last == mark.first - 1 and m is not mark and not m.has("heard")), None)


def _may_sound(source: Mark, silenced: set[int], words: list[str]) -> bool:
    """Whether a source can be the subject that sounds: not read as silent, not a place ("over the door")."""
    return id(source) not in silenced and not _in_a_phrase(words, source)


def _follows_in_its_clause(words: list[str], mark: Mark, source: Mark) -> bool:
    """Whether a source after a sound word is its subject ("the lift pings and its doors slide" has two), not
    where it lands ("thumps against the door") nor the subject of the next clause."""
    between = words[mark.last + 1 : source.first]
    return not any(w in CLAUSE_BREAKS or w in PREPOSITIONS for w in between)


def _its_caller_in_its_clause(words: list[str], marks: list[Mark], mark: Mark, source: Mark) -> bool:
    """Whether a call's own kind of thing is its clause's subject, however far back ("a dog in the back of the van
    barks", and the same call again: "barks and barks"): what only that kind makes is made by it, not by the place
    it is in."""
    if source.source not in mark.calls or not 0 < mark.first - source.last <= 2 * WINDOW_BEFORE + 2:
        return False
    first_call = min(m.first for m in marks if m.first > source.last and source.source in m.calls)
    return not any(w in CLAUSE_BREAKS for w in words[source.last + 1 : first_call])


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


def _after_an_article(words: list[str], mark: Mark) -> bool:
    return mark.first > 0 and words[mark.first - 1] in ARTICLES


def _maker(
    words: list[str],
    marks: list[Mark],
    sources: list[Mark],
    silenced: set[int],
    mark: Mark,
    continuous: dict[str, bool],
) -> Mark | None:
    """The thing whose sound "with a clang" is: a source earlier in its clause, in a category ("swings the gate shut
    with a clank", "the photocopier jams with a clunk": a machine's own knock is the machine), when "with" leads
    the sound."""
    if mark.first < 2 or words[mark.first - 2] != "with":
        return None
    start = _clause_start(words, mark)
    made = [
        m
        for m in sources
        if start <= m.first < mark.first and id(m) not in silenced and not _in_a_phrase(words, m) and m.source
    ]
    if not made or made[-1].source == OTHER:
        return None
    # a running thing's knock is something it hits ("the rotavator hits a slab with a bang") or its stopping
    hits = any(m.has("motion", "stop") and made[-1].last < m.first < mark.first for m in marks)  # "shuts off"
    return None if continuous.get(made[-1].source or "") and hits else made[-1]


OTHER_FUNCTION_WORDS = (
    "when", "where", "once", "meanwhile", "somewhere", "nowhere", "later", "before", "after", "if", "because",
    "though", "although", "yet", "just", "only", "even", "also", "what", "nothing", "everything", "something",
    "anything", "ok",
)  # fmt: skip
FUNCTION_WORDS = frozenset(
    (*ARTICLES, *PREPOSITIONS, *CLAUSE_BREAKS, *PRONOUNS, *NOT_NOUNS, *VERB_BEFORE, *QUANTIFIERS, *OTHER_FUNCTION_WORDS)
)
OBJECT_PRONOUNS = ("it", "them", "him", "her", "me", "us")


def _used_as_a_verb(words: list[str], marks: list[Mark], mark: Mark) -> bool:
    """A word that is a sound as a noun ("the wind", "thunder") inflected as a verb with a person's subject or an
    object: its other, silent sense ("Dot fits the windlass and winds", "winds the paddle down", "hails a cab"); with
    a person going somewhere it may still be their feet ("thunders down the stairs", a stride)."""
    word = words[mark.last]
    if not word.endswith(("s", "ed", "ing")) or not may_be_a_verb(word) or _after_an_article(words, mark):
        return False
    before = words[mark.first - 1] if mark.first > 0 else ""
    after = words[mark.last + 1] if mark.last + 1 < len(words) else ""
    by_a_person = any(_is_person(m) and m.last == mark.first - 1 for m in marks)
    return by_a_person or before in ("and", "then") or after in ARTICLES or after in OBJECT_PRONOUNS


def _a_measure(words: list[str], mark: Mark) -> bool:
    """ "a glass of water", "a bottle of prosecco": a container named for what is in it; pouring it is the liquid's
    sound, popping it no glass's (a glass still smashes and drops)."""
    return (
        mark.source == "glass"
        and mark.last + 2 < len(words)
        and words[mark.last + 1] == "of"
        and words[mark.last + 2] not in ARTICLES
    )


def _a_place_of_a_person(words: list[str], marks: list[Mark], source: Mark) -> bool:
    """Whether a source is where a person is ("leans on his gate"), the person named before it: the voice is theirs."""
    if not _in_a_phrase(words, source):
        return False
    return any(_is_person(m) and m.last < source.first for m in marks)


def _an_object_after(words: list[str], marks: list[Mark], after: int, before: int) -> bool:
    """Whether a thing the lexicon does not know is named as a verb's object between word `after` and `before`
    ("heaves a lever over"): the last thing named, which an "it" then means. A place ("on the shelf") is not one."""
    known = {i for m in marks for i in range(m.first, m.last + 1)}
    for at in range(max(after + 1, 1), before):
        if words[at - 1] not in ARTICLES or at in known or words[at] in FUNCTION_WORDS or not words[at].isalpha():
            continue
        if is_a_thing(words[at]) and not _in_a_phrase(words, Mark(at, at, 0, 0)):
            return True
    return False


def _referent(words: list[str], marks: list[Mark], sources: list[Mark], previous: Mark | None) -> Mark | None:
    """What an "it" in the next sentence means: the last thing named that sounds, unless a thing the lexicon does not
    know is named after it as an object ("heaves a lever over"), or before it when it is only a place ("rolls a log
    onto the carriage"): then nothing known."""
    placed = [m for m in sources if not _in_a_phrase(words, m) or "of" in words[max(0, m.first - 2) : m.first]]
    if placed:
        return None if _an_object_after(words, marks, placed[-1].last, len(words)) else placed[-1]
    last = sources[-1] if sources else previous
    return None if _an_object_after(words, marks, -1, len(words)) else last


def _travelling(lexicon: Lexicon, words: list[str], mark: Mark, source: Mark | None) -> bool:
    """Whether a sound word says its source goes somewhere ("putters into the lock", "chugs along the lane"; not
    "idles by the bins", where "by" is a place)."""
    then = words[mark.last + 1 : mark.last + 3]
    if not then or then[0] not in lexicon.directions or source is None or not _travels(words, source):
        return False
    return not (then[0] == "by" and len(then) > 1 and then[1] in ARTICLES)


def _travels(words: list[str], source: Mark) -> bool:
    """Whether a source goes places: a vehicle, or a thing the lexicon files by its engine that WordNet calls a
    vehicle ("a tractor", "a moped"; not "the engine", "its diesel")."""
    if source.source == "vehicle":
        return True
    return source.source == "engine" and noun_category(" ".join(words[source.first : source.last + 1])) == "vehicle"


def _another_effect(first: str, then: str, source: Mark | None) -> bool:
    """A vehicle's passing, its horn and its knocks are separate effects ("the minibus pulls away, hooting"); any
    other thing makes one sound, its own ("the glass slips, hits the table and breaks")."""
    return source is not None and source.source == "vehicle" and first != then and "engine" not in (first, then)


def _named_as_a_noun(words: list[str], mark: Mark) -> bool:
    """ "a thud", "with a crash", "the clang": the sound word names the sound, not what something does."""
    return mark.first > 0 and words[mark.first - 1] in ("a", "an", "the") and mark.last == mark.first


def _clause_start(words: list[str], mark: Mark) -> int:
    """The first word of the clause `mark` is in (after the last comma or conjunction before it)."""
    return max((i + 1 for i in range(mark.first) if words[i] in CLAUSE_BREAKS), default=0)


def _in_a_phrase(words: list[str], mark: Mark) -> bool:
    """Whether a source is the object of a preposition ("over the door", "from her hood"), in its own clause
    ("carries the dog in, his wellies squeaking": "in" ends the clause before)."""
    lead = words[max(0, mark.first - 3) : mark.first]
    cut = max((i + 1 for i, w in enumerate(lead) if w in CLAUSE_BREAKS), default=0)
    return any(w in PREPOSITIONS for w in lead[cut:])


def _one_person_claps(words: list[str], mark: Mark, source: Mark | None, before: list[Mark]) -> bool:
    """ "(clapping once)", "she claps": an audience's sound made by one person's hands, no crowd named."""
    if "crowd" not in mark.calls or not (source is None or source is mark):
        return False
    return (mark.first == 0 and len(words) <= 4) or any(_is_person(m) for m in before)


def _of_a_feeling(words: list[str], marks: list[Mark], mark: Mark) -> bool:
    """ "a bark of relief", "a yelp of pain": a voice's sound of a feeling is a person's, not an effect."""
    if mark.last + 1 >= len(words) or words[mark.last + 1] != "of":
        return False
    return any(m.has("figurative") and 0 < m.first - mark.last - 1 <= 2 for m in marks)


KEEPS = ("keep", "keeps", "kept", "keeping", "continue", "continues", "continued", "continuing")
GOES_ON = ("go", "goes", "went", "going", "carry", "carries", "carried", "carrying", *KEEPS)


def _goes_on(words: list[str], mark: Mark) -> bool:
    """ "keeps on ringing", "keeps ringing", "goes on chiming", "continues to buzz": the sound before it lasts; it is
    not heard anew."""
    lead = words[max(0, mark.first - 2) : mark.first]
    if not lead:
        return False
    if lead[-1] in KEEPS:
        return True
    return len(lead) == 2 and ((lead[1] == "on" and lead[0] in GOES_ON) or (lead[1] == "to" and lead[0] in KEEPS))


def _one_per_action(events: list[tuple[str, list[Mark]]], going_on: set[int]) -> list[tuple[str, list[Mark]]]:
    """Two words of one category a few words apart tell one action ("clatters onto the floor"), and so do two verbs
    of one unnamed thing ("an egg hits the track and splats") and a sound that goes on ("rings and keeps ringing")."""
    merged: list[tuple[str, list[Mark]]] = []
    for category, ms in sorted(events, key=lambda e: min(m.first for m in e[1])):
        if merged and merged[-1][0] == category:
            gap = min(m.first for m in ms) - max(m.last for m in merged[-1][1])
            unnamed = not any(m.source for m in (*merged[-1][1], *ms))
            if gap <= MERGE_GAP or unnamed or any(id(m) in going_on for m in ms):
                merged[-1][1].extend(ms)
                continue
        merged.append((category, list(ms)))
    return merged


def has_sound_word(lexicon: Lexicon, text: str) -> bool:
    """Whether the lexicon knows a sound word in `text`: if it found no sound there, none was named (a negation,
    a figure of speech, a person's doing), and no other reader should find one."""
    _, marks = _marks(lexicon, text)
    kinds = ("call", "manner", "voiced", "motion", "heard", "stop", "start", "negator", "silence", "not_a_sound")
    return any(m.has(*kinds) for m in marks)
