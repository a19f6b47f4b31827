"""Round 6 of the named-sound finder: mechanisms, each a class of reading that recurs in any prose. Lines written for
this test, none copied from a labelled screenplay; the lexicon and the real WordNet 3.0 only (no embedding model, no
judge), so each case says what the reading itself does."""

from __future__ import annotations

import pytest

from filmaster.sound_design.events import SoundFinder


@pytest.fixture(scope="module")
def finder() -> SoundFinder:
    return SoundFinder(None)


def categories(finder: SoundFinder, text: str) -> list[str]:
    return [s.category for s in finder.find(text)]


@pytest.mark.parametrize(
    ("line", "heard"),
    [
        # a machine's own knock "with a clunk" is the machine; a knock it strikes is an impact
        ("The photocopier jams with a clunk.", ["machine"]),
        ("The rotavator hits a slab with a bang.", ["impact"]),
        # a compound's head names the thing: a water glass is glass, a car door a door
        ("The water glass slips from her fingers and shatters.", ["glass"]),
        ("Her wine glass tips over and smashes.", ["glass"]),
        ("The car door slams.", ["door"]),
        # a sound that goes on is one sound, not two
        ("The doorbell rings, and keeps on ringing.", ["phone"]),
        ("The pager bleeps and continues to bleep.", ["phone"]),
        # a vehicle's fast movement is heard with no sound word (Levin's run verbs with a direction)
        ("A scooter tears past on the high street.", ["vehicle"]),
        ("A lorry hurtles off down the lane.", ["vehicle"]),
        # an audience claps; one person clapping is no crowd
        ("The audience claps.", ["crowd"]),
        ("Clapping breaks out at the back of the hall.", ["crowd"]),
    ],
)
def test_a_mechanism_reads_its_class(finder: SoundFinder, line: str, heard: list[str]) -> None:
    assert categories(finder, line) == heard


@pytest.mark.parametrize(
    "line",
    [
        "clapping once",  # a parenthetical: how one person says the line
        "She claps once.",
        "Lewis tears past the stall.",  # a runner, not a vehicle: the travel verbs are a vehicle's manner
        "The alarm is off.",  # a thing in a state of no sound (a copula and an off state): a stop
        "Its siren stays silent.",
    ],
)
def test_a_person_doing_it_names_no_effect(finder: SoundFinder, line: str) -> None:
    assert categories(finder, line) == []


def test_a_sound_that_goes_on_counts_once() -> None:
    (ring,) = SoundFinder(None).find("The alarm clock rings and keeps ringing.")
    assert ring.count == 1
