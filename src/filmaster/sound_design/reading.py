"""Reading the sounds a sentence names with the lexicon: the thing that sounds (the source: "the van", "her
boots") decides the category, the sound word ("reverses, beeping", "clattering") says that it is heard.

marks.py finds the sentence's phrases, syntax.py reads its structure, negation.py what it silences and subjects.py
which thing each sound word is heard from; this module decides what each sound word then means as a sound. A call
("barks", "shatters", "idles") names its category by itself; a movement ("topples", "falls") is an impact unless
what moves is itself a sound ("rain falls") or no thing at all ("the idea strikes her"); a manner ("reverses",
"slides open") is heard only from a source of its own category.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import OTHER, PEOPLE, Lexicon
from .marks import SOUND_WORD_KINDS, Mark, find_marks
from .meaning import noun_category
from .negation import Silencing
from .subjects import Subjects
from .syntax import (
    ARTICLES,
    after_an_article,
    clause_start,
    goes_on,
    named_as_a_noun,
    of_a_feeling,
    used_as_a_verb,
    word_after,
    words_before,
)

MERGE_GAP = 3  # words between two namings of one category that still tell one action


@dataclass(frozen=True)
class Reading:
    """One sound a sentence names: its category, where the words that name it are, and how many times it sounds."""

    category: str
    start: int  # character span of the words that name it
    end: int
    count: int


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
    if "stride" in mark.senses and (s in ("crowd", PEOPLE) or (s is None and any(m.is_person for m in before))):
        return "footsteps"  # "the guests clatter down the stairs"
    if s == PEOPLE:  # "the fielders yell": many voices are a crowd; "the wipers squeak" is no voice
        return "crowd" if "vocal" in mark.senses or "crowd" in mark.calls else None
    if set(mark.senses) == {"start"}:  # "the compressor kicks in": heard only from a continuous sound's source
        return s if s and continuous.get(s) else None
    if "vocal" in mark.senses and s == "crowd":
        return s  # "the fans shout", "photographers jostle, shouting questions": many voices are a crowd
    no_other_source = source is None or source is mark
    if no_other_source and "vocal" in mark.senses and (spoken or any(m.is_person for m in before)):
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
        if subject_is_no_thing or ("vocal" in mark.senses and any(m.is_person for m in before)):
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
    words, marks = find_marks(lexicon, text)
    marks = [m for m in marks if not m.has("not_a_sound")]  # "the car park", "her glasses"
    _drop_senses_the_sentence_denies(words, marks)
    count = max((int(m.senses["repeat"]) for m in marks if m.has("repeat")), default=1)
    silenced: set[int] = set()  # ids of marks read and found silent: not heard by themselves either
    subjects = Subjects.of(words, marks, previous, silenced)
    sources = subjects.sources
    sounding = [m for m in marks if m.has(*SOUND_WORD_KINDS) and not m.has("stop")]
    sounding = sorted({id(m): m for m in sounding + subjects.voices}.values(), key=lambda m: m.first)
    silencing = Silencing(marks)
    _heard_by_themselves(marks)

    events = _Events()
    for mark in sounding:
        if silencing.negated(mark):
            continue
        if silencing.ends(mark):
            silenced.add(id(mark))  # "stops ringing", "ceases barking": the end of a sound, not one heard anew
            continue
        if mark.has("manner") and not mark.has("call", "voiced", "motion") and after_an_article(words, mark):
            continue  # "the open window", "a closed door": a state, not a movement
        if mark.has("vocal") and of_a_feeling(words, marks, mark):
            silenced.add(id(mark))  # "a great bark of relief", "a howl of pain": a voice, not an animal
            continue
        if named_as_a_noun(words, mark) and not mark.calls and mark.senses.get("voiced"):
            made_by = subjects.maker(mark, continuous)
            if made_by is None:
                events.add(mark.senses["voiced"], [mark])  # "with a thunk", "the clang": the sound itself
            elif events.category_of(made_by) is None:  # "pulls the shutter down with a clatter": the shutter's sound
                events.add(made_by.source or "", [mark, made_by], made_by)
            else:
                events.join(made_by, mark)
            continue
        linked, heard = subjects.source_of(mark)
        if not heard:
            silenced.add(id(mark))
            continue
        if linked is not None and silencing.negated(linked):
            continue
        before = [m for m in marks if clause_start(words, mark) <= m.first < mark.first]
        then = word_after(words, mark)
        spoken = mark.first == 0 and words[0].endswith("ing")  # a parenthetical: how the line is said
        soft = any(m.has("soft") and 0 < m.first - mark.last <= 4 for m in marks)  # "collapses on the sofa"
        # "taps on the floor": heard landing on something; "taps a fork on his glass": the glass rings
        landing = words[mark.last + 1 : mark.last + 4]  # "taps on the floor", "slaps a printout on her desk"
        surface = any(w in ("on", "onto") for w in landing) and any(
            m.has("surface") and 0 < m.first - mark.last <= 6 for m in marks
        )
        if linked is None:
            linked = _struck(sources, mark, landing, struck_sound)
        travelling = _travelling(lexicon, words, mark, linked)
        category = _resolve(mark, linked, before, continuous, refines, then, spoken, soft, surface, travelling)
        if category == "crowd" and _one_person_claps(words, mark, linked, before):
            category = None
        if category is None:
            silenced.add(id(mark))  # read, and not an effect: not heard by itself either
            continue
        thing = linked if linked is not None else mark
        made = events.category_of(thing)
        if made is not None and _another_effect(made, category, linked):
            events.add(category, [mark], thing)  # "pulls away, hooting", "putters in and bumps the cill": two effects
        elif made is not None:  # one thing, one sound: its own category over a knock ("slips, hits … and breaks")
            events.join(thing, mark, category if linked is not None and category == linked.source else None)
        else:
            events.add(category, [mark] + ([linked] if linked is not None and linked is not mark else []), thing)
    used = silenced | {id(m) for _, ms in events.found for m in ms}
    for mark in marks:
        if mark.has("heard") and id(mark) not in used and not silencing.negated(mark) and not silencing.stopped(mark):
            events.add(mark.senses["heard"], [mark])
    readings = []
    found = _named_more_precisely(events.found, sources, refines)
    for category, ms in _one_per_action(found, {id(m) for m in marks if goes_on(words, m)}):
        for m in ms:
            m.sounded = True
        start, end = min(m.start for m in ms), max(m.end for m in ms)
        readings.append(Reading(category, offset + start, offset + end, 1 if continuous[category] else count))
    readings.sort(key=lambda r: r.start)
    return readings, subjects.referent()


Event = tuple[str, list[Mark]]  # a category, and the marks that name its sound


class _Events:
    """The sounds a sentence names, in the order read, and which thing (a mark) makes each: one thing makes one
    sound, whatever words name it ("the glass slips, hits the table and breaks"), save a vehicle's effects."""

    def __init__(self) -> None:
        self.found: list[Event] = []
        self._made_by: dict[int, int] = {}  # id of the mark of a thing → the index of its sound in `found`

    def category_of(self, thing: Mark) -> str | None:
        """The category of the sound `thing` makes; None when it makes none yet."""
        index = self._made_by.get(id(thing))
        return None if index is None else self.found[index][0]

    def add(self, category: str, marks: list[Mark], thing: Mark | None = None) -> None:
        """A new sound; made by `thing`, whose later words then join it."""
        if thing is not None:
            self._made_by[id(thing)] = len(self.found)
        self.found.append((category, marks))

    def join(self, thing: Mark, mark: Mark, category: str | None = None) -> None:
        """Another word for the sound `thing` makes, re-filed under `category` when given."""
        index = self._made_by[id(thing)]
        own, marks = self.found[index]
        self.found[index] = (own if category is None else category, [*marks, mark])


def _drop_senses_the_sentence_denies(words: list[str], marks: list[Mark]) -> None:
    """A weather word used as a verb and a stride named as a noun are no such sounds."""
    for mark in marks:
        if mark.has("heard") and used_as_a_verb(words, marks, mark):
            del mark.senses["heard"]  # "winds the paddle down", "thunders down the stairs": not the weather
        if mark.has("stride") and ("with" in words_before(words, mark.first, 3) or after_an_article(words, mark)):
            del mark.senses["stride"]  # "with a heavy thump": the sound named, not a person's stride


def _struck(sources: list[Mark], mark: Mark, landing: list[str], struck_sound: set[str]) -> Mark | None:
    """A light tap rings what it strikes ("taps a fork on his glass"); a knock is a knock ("clatters against the
    glass", "raps on the window": nothing rings or breaks)."""
    light = mark.has("voiced") and mark.senses["voiced"] != "impact"
    struck = [m.source for m in sources if 0 < m.first - mark.last <= 5 and m.source in struck_sound and light]
    if struck and any(w in ("on", "against") for w in landing):
        return next(m for m in sources if m.source == struck[0] and m.first > mark.last)
    return None


def _named_more_precisely(found: list[Event], sources: list[Mark], refines: dict[str, tuple[str, ...]]) -> list[Event]:
    """ "A taxi blares its horn": the vehicle's sound is its horn, named more precisely."""
    refined = []
    for category, ms in found:
        for other in sources:
            if any(other is m for m in ms):
                continue  # "a moped buzzes across the square": the thing itself heard travelling, not its engine
            if category in refines.get(other.source or "", ()) and any(abs(other.first - m.first) <= 4 for m in ms):
                category, ms = other.source or category, [*ms, other]
                break
        refined.append((category, ms))
    return refined


def _heard_by_themselves(marks: list[Mark]) -> None:
    """A source is heard by itself after "shouting over the …", "(over the engine)" or "the sound of …"."""
    for i, mark in enumerate(marks):
        # A thing in no category ("over the music") is heard, and is no effect: it never becomes one.
        if mark.has("source") and mark.senses["source"] != OTHER and not mark.has("heard"):
            lead = [m for m in marks[:i] if m.has("heard_after") and mark.first - m.last <= 3]
            spoken_over = any(m.first == 0 or any(s.has("speech") for s in marks[:i]) for m in lead)
            if spoken_over or any(m.last > m.first for m in lead):
                mark.senses["heard"] = mark.senses["source"]


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


def _one_person_claps(words: list[str], mark: Mark, source: Mark | None, before: list[Mark]) -> bool:
    """ "(clapping once)", "she claps": an audience's sound made by one person's hands, no crowd named."""
    if "crowd" not in mark.calls or not (source is None or source is mark):
        return False
    return (mark.first == 0 and len(words) <= 4) or any(m.is_person for m in before)


def _one_per_action(events: list[Event], going_on: set[int]) -> list[Event]:
    """Two words of one category a few words apart tell one action ("clatters onto the floor"), and so do two verbs
    of one unnamed thing ("an egg hits the track and splats") and a sound that goes on ("rings and keeps ringing")."""
    merged: list[Event] = []
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
    _, marks = find_marks(lexicon, text)
    kinds = ("call", "manner", "voiced", "motion", "heard", "stop", "start", "negator", "silence", "not_a_sound")
    return any(m.has(*kinds) for m in marks)
