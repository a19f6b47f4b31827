"""Which sounds the screenplay names: measured with the real MiniLM embedder against a hand-labelled list
(tests/data/sound_labels.json) of four sets of screenplays: the examples, an unseen screenplay and the development
screenplays the finder was improved on, and held-out screenplays written and labelled after the finder's last
change (issue 13) and never tuned on (none between a measure and the next fresh pair)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.formats.fountain import parse_fountain
from filmaster.sound_design.calibration import figures, tally
from filmaster.sound_design.events import SoundFinder, repeat_count

DATA = Path(__file__).resolve().parents[1] / "data"


ROOT = Path(__file__).resolve().parents[2]
LABELS = json.loads((DATA / "sound_labels.json").read_text())["sets"]
FLOOR = 0.9  # recall and precision, on each set of screenplays (issue 13)


def _labelled_lines(path: Path) -> list[str]:
    """The texts the finder reads in a screenplay: headings, action lines and parentheticals."""
    texts = []
    for scene in parse_fountain(path.read_text()).scenes:
        texts.append(scene.heading)
        for element in scene.elements:
            if element.kind.value == "action":
                texts.append(element.text.replace("\n", " "))
            elif element.dialogue is not None and element.dialogue.parenthetical:
                texts.append(element.dialogue.parenthetical)
    return texts


@pytest.fixture(scope="module")
def finder(embedder: MiniLMEmbeddingBackend) -> SoundFinder:
    return SoundFinder(embedder)


# Held-out screenplays are written and labelled after the finder's last change and measured once; every pair so far
# missed the floor there (docs/benchmarks.md "Named sounds"): a strict xfail, so reaching it removes the mark. The
# set is empty between a measure (the measured pair moves to development) and the next fresh pair.
HELD_OUT_BELOW = pytest.mark.xfail(strict=True, reason="every blind set so far missed 0.90 (docs/benchmarks.md)")


@pytest.mark.parametrize(
    "set_name", [pytest.param(name, marks=HELD_OUT_BELOW) if name == "held-out" else name for name in LABELS]
)
def test_named_sounds_reach_90_percent_recall_and_precision(finder: SoundFinder, set_name: str) -> None:
    if not LABELS[set_name]:
        pytest.skip(f"no {set_name} screenplay labelled yet")
    whole: Counter[str] = Counter()
    for name, rows in LABELS[set_name].items():
        counts = tally(finder, rows)
        whole += counts
        recall, precision = figures(counts)
        print(
            f"{name}: recall {recall:.3f}, precision {precision:.3f} ({counts['tp']} of {counts['tp'] + counts['fn']})"
        )
    recall, precision = figures(whole)
    print(f"== {set_name}: recall {recall:.3f}, precision {precision:.3f} ({whole['tp']} found)")
    assert recall >= FLOOR and precision >= FLOOR


def test_the_labels_cover_every_line_of_each_screenplay_in_order() -> None:
    for screenplays in LABELS.values():
        for name, rows in screenplays.items():
            assert [text for text, _ in rows] == _labelled_lines(ROOT / name), name


def test_an_unseen_wording_matches_through_the_embedding_only(embedder: MiniLMEmbeddingBackend) -> None:
    line = "A doorbell, twice."  # a source and no sound word the lexicon or WordNet knows
    assert SoundFinder().find(line) == []
    assert [s.category for s in SoundFinder(embedder).find(line)] == ["phone"]


def _read(line: str) -> list[tuple[str, str]]:
    return [(s.category, s.words) for s in SoundFinder().find(line)]


def test_the_source_decides_the_category_and_the_sound_word_that_it_is_heard() -> None:
    assert _read("A removal lorry backs up, beeping.") == [("vehicle", "lorry backs up, beeping")]
    assert _read("His clogs clatter on the flagstones.") == [("footsteps", "clogs clatter")]
    assert _read("The outboard thumps behind them.") == [("engine", "outboard thumps")]
    assert _read("A crate clatters onto the floor.") == [
        ("impact", "clatters onto the floor")
    ]  # no known source: the word's own
    assert _read("The lorry is parked by the gate.") == []  # a source alone is silent
    assert _read("The gate slides open.") == [("door", "gate slides open")]
    assert _read("She slides the letter across the table.") == []  # a door's manner, but no door


def test_a_call_names_its_category_and_a_vehicle_named_by_its_horn_is_a_horn() -> None:
    assert _read("Somewhere a spaniel yelps.") == [("dog", "spaniel yelps")]
    assert _read("A jar shatters.") == [("glass", "jar shatters")]
    assert [c for c, _ in _read("A cab sounds its horn at the junction.")] == ["horn"]
    assert [c for c, _ in _read("The pickup idles at the kerb.")] == ["engine"]


def test_negations_stops_and_figures_of_speech_name_no_sound() -> None:
    for line in (
        "There is no sound of the engine.",
        "The engine dies.",
        "Without a knock, he walks straight in.",
        "The idea strikes her.",
        "Her heart pounds.",
        "His voice breaks.",
        "A deafening silence falls over the hall.",
        "She whistles to herself.",
        "The sleet stops.",
        "barking over the racket",  # a parenthetical: how the line is said
        "He growls at the waiter.",
        "The town hums with gossip.",
    ):
        assert _read(line) == [], line


def test_a_continuous_sound_is_one_per_paragraph_and_a_pronoun_names_no_second() -> None:
    assert [c for c, _ in _read("A storm breaks over the moor. The downpour soaks the sheep.")] == ["rain"]
    assert [c for c, _ in _read("She shuts the gate; it clangs.")] == ["door"]
    two_dogs = _read("A dog barks by the gate. Another yaps from the lane.")
    assert [c for c, _ in two_dogs] == ["dog", "dog"]  # discrete sounds each count


def test_a_person_knocking_something_is_heard_and_a_pronoun_finds_what_breaks() -> None:
    assert [c for c, _ in _read("He bangs a spoon on the counter.")] == ["impact"]
    assert [c for c, _ in _read("The dog nudges a jar off the shelf; it shatters.")] == ["glass"]
    assert [c for c, _ in _read("A loose slate skitters down and cracks against the gutter.")] == ["impact"]


def test_a_sound_named_as_a_noun_is_that_sound_and_a_state_is_no_sound() -> None:
    assert [c for c, _ in _read("The fridge shuts off with a clunk.")] == ["impact"]  # not the machine
    assert _read("The shed door was left open all night.") == []
    assert [c for c, _ in _read("A cup rolls off the table and smashes.")] == ["glass"]  # one thing, one sound
    assert [c for c, _ in _read("A plank hits the scaffold and clatters down.")] == ["impact"]


def test_a_source_after_the_sound_word_is_its_subject_only_within_its_clause() -> None:
    assert [c for c, _ in _read("A hammer bangs against the garage door.")] == ["impact"]  # where it lands
    assert [c for c, _ in _read("A bucket topples and a jar smashes.")] == ["impact", "glass"]
    assert [c for c, _ in _read("Guests murmur in the marquee.")] == ["crowd"]


def test_things_in_no_category_people_moving_and_soft_landings() -> None:
    assert _read("A fox barks behind the barn.") == []  # a sound, but no dog
    assert _read("The radio crackles on the shelf.") == []
    assert [c for c, _ in _read("The children clatter up the stairs.")] == ["footsteps"]
    assert _read("He collapses onto the bed.") == []
    assert [c for c, _ in _read("Her keys tap on the floorboards.")] == ["impact"]
    assert [c for c, _ in _read("He drops a bottle.")] == ["glass"]
    assert _read("The printer drops a page into the tray.") == []
    assert [c for c, _ in _read("A sheep slips and tumbles into the ditch.")] == ["impact"]  # no category, still a fall
    assert [c for c, _ in _read("She taps a spoon on her glass.")] == ["glass"]  # the glass rings
    assert [c for c, _ in _read("A coin pings off the railing.")] == ["impact"]
    assert _read("She slips the ring onto her finger.") == []
    assert [c for c, _ in _read("He slams a ledger on the desk.")] == ["impact"]
    assert _read("She leans on the crash barrier.") == []  # a compound, not a crash
    assert _read("Ben storms out of the room.") == []
    assert _read("The fan heater clicks off.") == []  # a stop
    assert [c for c, _ in _read("A siren rises and falls.")] == ["horn"]  # a sound's pitch, not a fall
    assert [c for c, _ in _read("The winch whines.")] == ["machine"]


def test_a_source_heard_over_speech_is_heard() -> None:
    assert _read("shouting over the traffic") == [("vehicle", "traffic")]
    assert _read("over the engine") == [("engine", "engine")]  # a parenthetical: the line is spoken over it
    assert _read("She looks over the engine.") == []
    assert _read("shouting over the music") == []  # heard, in no category: no effect (it used to raise KeyError)
    assert _read("Gulls wheel over the grey water.") == [("birds", "Gulls")]


def test_repeats_and_order_follow_the_text() -> None:
    found = SoundFinder().find("Gulls wheel over the grey water. The ferry's horn sounds twice.")
    assert [(s.category, s.count) for s in found] == [("birds", 1), ("horn", 2)]
    assert found[0].position < 0.5 < found[1].position
    assert repeat_count("The bell rings three times.") == 3
    assert [(s.category, s.count) for s in SoundFinder().find("A terrier barks repeatedly.")] == [("dog", 3)]
