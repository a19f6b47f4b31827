"""The sound lexicon (data/lexicon.toml) loaded into a phrase table: each surface wording (with its plurals and
verb endings) maps to what it says about a sound: a source, a sound verb, a call of one category, a negation…"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import product

MAX_PHRASE = 4  # words in the longest lexicon phrase
OTHER = "-"  # the category of a thing that sounds in none of the categories (a fox, the radio)
PERSON = "person"  # a human being: a sound word on one is their doing (meaning.py)
PEOPLE = "people"  # many human beings ("the fielders"): their voices are a crowd, their feet footsteps (reading.py)


@dataclass(frozen=True)
class Category:
    name: str
    duration_s: float  # length of one occurrence
    continuous: bool  # one per paragraph however often named (rain, wind, an engine)
    refines: tuple[str, ...]  # categories this one names more precisely ("its horn" on a taxi)
    struck: bool  # its things ring when struck: "taps a fork on his glass" is heard as the glass
    descriptions: tuple[str, ...]  # short wordings the embedding model compares an unknown wording with
    things: tuple[str, ...] = ()  # its sources and heard words: what an unknown source is compared with by meaning
    absorbs: tuple[str, ...] = ()  # categories heard as this one when both are in one paragraph (a boat and its engine)


@dataclass(frozen=True)
class Sense:
    """One thing a phrase can say. `kind` is one of: source, heard, call, manner, opening, voiced, vocal, stride, soft,
    surface, motion, stop, start, negator, silence, figurative, person, speech, heard_after, not_a_sound, repeat; and
    meant, a thing only WordNet places (sound_design/meaning.py). `value` is a category name, a repeat count, or ""."""

    kind: str
    value: str = ""


@dataclass(frozen=True)
class Lexicon:
    categories: tuple[Category, ...]
    phrases: dict[tuple[str, ...], tuple[Sense, ...]]
    other_things: tuple[str, ...] = ()  # things that sound in no category (a fox, the radio)
    # WordNet synsets ("car.n.01") whose hyponyms are heard as a category, OTHER, or a person (meaning.py)
    wordnet_anchors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    directions: frozenset[str] = frozenset()  # one-word ways of travelling ("past", "into"): a vehicle moving

    def senses_at(self, words: list[str], at: int) -> tuple[int, tuple[Sense, ...]]:
        """The longest lexicon phrase starting at word `at`: its length in words and its senses (0, () if none)."""
        for n in range(min(MAX_PHRASE, len(words) - at), 0, -1):
            senses = self.phrases.get(tuple(words[at : at + n]))
            if senses:
                return n, senses
        return 0, ()


def word_forms(word: str) -> set[str]:
    """The word with the plural and verb endings a screenplay writes it with (over-generating is harmless)."""
    forms = {word, word + "s", word + "ed", word + "ing"}
    if word.endswith(("s", "x", "z", "ch", "sh", "o")):  # "-es" only where English writes it: not "tap" → "tapes"
        forms.add(word + "es")
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if re.search(r"[^aeiou]y$", word):
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if re.search(r"(^|[^aeiou])[aeiou][^aeiouwxy]$", word):  # drop → dropped, thud → thudding
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return forms


def _surfaces(phrase: str) -> set[tuple[str, ...]]:
    """Every wording of a phrase: its first and its last word take their endings ("lands hard", "dawn choruses")."""
    words = phrase.lower().split()
    if len(words) == 1:
        return {(form,) for form in word_forms(words[0])}
    return set(product(word_forms(words[0]), *([w] for w in words[1:-1]), word_forms(words[-1])))


def _split(entry: str) -> tuple[str, str]:
    """ "word:value" → (word, value); "word" → (word, "")."""
    word, _, value = entry.partition(":")
    return word, value


# The lists of lexicon.toml whose every entry has one sense: (section, key, the sense, whether endings are added).
_WORD_LISTS = (
    ("sound_words", "vocal", Sense("vocal"), True),
    ("sound_words", "strides", Sense("stride", "footsteps"), True),
    ("sound_words", "soft", Sense("soft"), True),
    ("sound_words", "surfaces", Sense("surface"), True),
    ("others", "sources", Sense("source", OTHER), True),
    ("negation", "before", Sense("negator"), False),
    ("negation", "stops", Sense("stop"), True),
    ("negation", "states", Sense("stop"), False),  # "its siren is off", "the fans stay silent": a state of no sound
    ("sound_words", "starts", Sense("start"), True),
    ("negation", "silence", Sense("silence"), True),
    ("figurative", "subjects", Sense("figurative"), True),
    ("figurative", "people", Sense("person"), False),
    ("figurative", "groups", Sense("meant", PEOPLE), True),  # players: many people ("the band whoop and cheer")
    ("heard_after", "speech", Sense("speech"), True),
    ("heard_after", "words", Sense("heard_after"), False),
    ("heard_after", "phrases", Sense("heard_after"), False),
    ("not_a_sound", "phrases", Sense("not_a_sound"), True),
)
_OPTIONAL = {("sound_words", "starts")}  # lists a lexicon may leave out


def _phrases(raw: dict, section: str, key: str) -> list[str]:
    """The phrases of one of _WORD_LISTS; negation's "states" are each copula with each off state ("is off")."""
    if (section, key) == ("negation", "states"):
        return [f"{copula} {state}" for copula in raw[section]["copulas"] for state in raw[section]["off_states"]]
    return raw[section].get(key, []) if (section, key) in _OPTIONAL else raw[section][key]


@cache
def load_lexicon() -> Lexicon:
    raw = tomllib.loads(resources.files("filmaster.sound_design").joinpath("data/lexicon.toml").read_text("utf-8"))
    table: dict[tuple[str, ...], dict[Sense, None]] = {}  # senses in the order the lexicon lists them

    def add(phrase: str, sense: Sense, inflect: bool = True, unlisted_only: bool = False) -> None:
        wordings = _surfaces(phrase) if inflect else {tuple(phrase.lower().split())}
        for wording in wordings:
            if unlisted_only and wording in table:
                continue  # a generated pair never overrides a listed wording ("goes off" is an alarm's)
            senses = table.setdefault(wording, {})
            if wording == tuple(phrase.lower().split()):  # a listed wording over another's generated form of that kind
                for other in [s for s in senses if s.kind == sense.kind and s.kind == "source"]:
                    del senses[other]  # "bells" (church bells, music) listed, not the plural of a "bell" (a signal)
            senses[sense] = None

    categories = []
    directions: set[str] = set()
    for name, spec in raw["categories"].items():
        categories.append(
            Category(
                name,
                float(spec["duration_s"]),
                bool(spec.get("continuous", False)),
                tuple(spec.get("refines", ())),
                bool(spec.get("struck", False)),
                tuple(spec["descriptions"]),
                tuple(spec.get("kinds", ())) + tuple(spec.get("sources", ())) + tuple(spec.get("heard", ())),
                tuple(spec.get("absorbs", ())),
            )
        )
        for kind in ("sources", "heard", "calls", "manners", "openings"):
            for phrase in spec.get(kind, ()):
                add(phrase, Sense(kind.rstrip("s") if kind != "heard" else "heard", name))
        for verb in spec.get("travel_verbs", ()):  # "tears past", "hurtles off": each verb with each direction
            for particle in spec.get("travel_particles", ()):
                add(f"{verb} {particle}", Sense("manner", name), unlisted_only=True)
        directions |= {p for p in spec.get("travel_particles", ()) if " " not in p}
    for kind in ("voiced", "motion"):
        for entry in raw["sound_words"][kind]:
            word, default = _split(entry)
            add(word, Sense(kind, default or ("impact" if kind == "motion" else "")))
    for section, key, sense, inflect in _WORD_LISTS:
        for phrase in _phrases(raw, section, key):
            add(phrase, sense, inflect=inflect)
    for entry in raw["repeats"]["counts"]:
        phrase, count = _split(entry)
        add(phrase, Sense("repeat", count), inflect=False)
    too_long = [w for w in table if len(w) > MAX_PHRASE]
    if too_long:
        raise ValueError(f"lexicon phrases longer than {MAX_PHRASE} words: {too_long[:3]}")
    anchors = {name: tuple(spec.get("wordnet", ())) for name, spec in raw["categories"].items()}
    anchors[OTHER] = tuple(raw["others"].get("wordnet", ()))
    anchors[PERSON] = tuple(raw["figurative"].get("wordnet_people", ()))
    return Lexicon(
        tuple(categories),
        {wording: tuple(senses) for wording, senses in table.items()},
        tuple(raw["others"]["sources"]),
        anchors,
        frozenset(directions),
    )
