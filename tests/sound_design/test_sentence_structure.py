"""A sentence's structure as the sound reader sees it, on the shipped lexicon and WordNet: where a clause starts and
what a preposition governs (syntax.py), what a negation or a stop silences (negation.py), and which thing a sound word
is heard from, in its sentence or the one before (subjects.py). reading.py's sounds are measured in test_breadth.py
and test_events.py; these pin the pieces it reads with."""

from __future__ import annotations

from filmaster.sound_design.lexicon import load_lexicon
from filmaster.sound_design.marks import Mark, find_marks
from filmaster.sound_design.negation import Silencing
from filmaster.sound_design.subjects import Subjects
from filmaster.sound_design.syntax import clause_start, in_a_phrase, words_before

LEXICON = load_lexicon()


def _read(sentence: str) -> tuple[list[str], list[Mark]]:
    return find_marks(LEXICON, sentence)


def _mark(words: list[str], marks: list[Mark], word: str) -> Mark:
    """The mark that covers `word`."""
    at = words.index(word)
    return next(m for m in marks if m.first <= at <= m.last)


def test_a_clause_starts_after_its_last_comma_or_conjunction() -> None:
    words, marks = _read("The rain stops, and a dog barks")
    assert clause_start(words, _mark(words, marks, "barks")) == words.index("a")
    assert clause_start(words, _mark(words, marks, "rain")) == 0
    assert words_before(words, 1, 3) == ["the"] and words_before(words, 5, 2) == [",", "and"]


def test_a_preposition_governs_its_object_only_within_its_clause() -> None:
    words, marks = _read("The bell over the door jingles")
    assert in_a_phrase(words, _mark(words, marks, "door"))
    assert not in_a_phrase(words, _mark(words, marks, "bell"))
    words, marks = _read("He carries the dog in, his boots squeaking")  # "in" ends the clause before
    assert not in_a_phrase(words, _mark(words, marks, "boots"))


def test_a_negation_silences_what_it_governs_and_a_denied_stop_is_a_sound_going_on() -> None:
    words, marks = _read("No sound of the engine")
    assert Silencing(marks).negated(_mark(words, marks, "engine"))
    words, marks = _read("The phone stops ringing")
    assert Silencing(marks).ends(_mark(words, marks, "ringing"))
    words, marks = _read("The phone will not stop ringing")
    silencing, ringing = Silencing(marks), _mark(words, marks, "ringing")
    assert not silencing.negated(ringing) and not silencing.ends(ringing) and not silencing.stopped(ringing)


def test_a_sound_word_is_heard_from_its_subject_not_from_the_place_it_is_in() -> None:
    words, marks = _read("The bell over the door jingles")
    source, heard = Subjects.of(words, marks, None, set()).source_of(_mark(words, marks, "jingles"))
    assert heard and source is _mark(words, marks, "bell")


def test_it_means_the_last_thing_named_unless_an_unknown_thing_was_named_after() -> None:
    words, marks = _read("The gate swings in the wind")
    gate = Subjects.of(words, marks, None, set()).referent()
    assert gate is _mark(words, marks, "gate")
    words, marks = _read("It clangs")
    source, heard = Subjects.of(words, marks, gate, set()).source_of(_mark(words, marks, "clangs"))
    assert heard and source is gate
    words, marks = _read("She heaves a lever over")  # "it" then means the lever, which the lexicon does not know
    assert Subjects.of(words, marks, gate, set()).referent() is None
