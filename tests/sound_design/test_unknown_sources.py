"""Sources the lexicon does not list, and compounds whose first noun is a sound word: read by the real MiniLM
embedder and the compound rule, not by listing the wordings."""

from __future__ import annotations

import pytest

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.sound_design.events import LEXICON, SOURCE_THRESHOLD, SoundFinder
from filmaster.sound_design.unknown_sources import SourceMatcher, unknown_subject


@pytest.fixture(scope="module")
def finder(embedder: MiniLMEmbeddingBackend) -> SoundFinder:
    return SoundFinder(embedder)


def test_the_subject_of_a_sound_word_is_read_as_a_noun_phrase_with_its_head_last() -> None:
    assert unknown_subject(LEXICON, "A concrete mixer churns by the gate.") == "concrete mixer"
    assert unknown_subject(LEXICON, "Its wheels squeal.") is None  # a part of a thing already named
    assert unknown_subject(LEXICON, "A spanner slips from his fingers and rings.") is None  # a holder, no subject
    assert unknown_subject(LEXICON, "The van rattles past.") is None  # the lexicon knows the van
    assert unknown_subject(LEXICON, "The idea strikes her.") is None  # a figure of speech


def test_an_unknown_source_takes_the_category_of_the_nearest_thing_by_meaning(
    finder: SoundFinder, embedder: MiniLMEmbeddingBackend
) -> None:
    assert finder.sources is not None
    # What WordNet cannot place is compared by meaning with what the lexicon lists (MiniLM).
    nearest = SourceMatcher(LEXICON, embedder, 0.0).nearest(["dishwashing machine", "roadster"])
    assert nearest[0][0] == "machine" and nearest[0][1] >= 0.85
    assert nearest[1][1] < 0.85  # a roadster (a car to WordNet) is far from every thing listed: not to be trusted
    # the threshold is the one leave-one-screenplay-out chooses (test_calibration.py): 0.95 until heldout9 joined the
    # development set, 0.6 with it, 0.95 from round 7, 0.85 once dev12c/d/f joined
    assert finder.sources.threshold == SOURCE_THRESHOLD


def test_a_source_far_from_everything_the_lexicon_knows_stays_silent(finder: SoundFinder) -> None:
    assert finder.find("A patient coughs and mutters in his sleep.") == []
    assert finder.find("The headteacher's whistle shrills for the race.") == []


def test_a_sound_word_as_the_first_noun_of_a_compound_names_no_sound() -> None:
    read = SoundFinder().find
    assert read("She waits at the bus stop, shivering.") == []
    assert read("He steps over the storm drain.") == []
    assert read("She leans on the crash barrier and waits.") == []
    assert [s.category for s in read("Rain drums on her rain jacket.")] == ["rain"]
    assert [s.category for s in read("Gulls wheel over the water.")] == ["birds"]  # a verb, not a compound
    assert [s.category for s in read("A thud overhead.")] == ["impact"]


def test_a_compound_subject_of_a_sound_word_is_its_last_noun() -> None:
    read = SoundFinder().find
    assert [s.category for s in read("The engine block clanks onto the bench.")] == ["impact"]  # a block, no engine
    assert [s.category for s in read("The dog bowl clatters across the floor.")] == ["impact"]  # a bowl, no dog
    assert read("The rain gauge rattles on its post.") == []  # a gauge: no rain
    assert [s.category for s in read("The rain drums on the roof.")] == ["rain"]  # a verb follows: no compound
    assert [s.category for s in read("The ferry horn sounds.")] == ["horn"]  # both nouns known: the nearer sounds
