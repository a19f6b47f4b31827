"""Which sounds the screenplay names: measured against a hand-labelled list of the examples' lines and of a
screenplay written for this test (tests/data/sound_labels.json), with the real MiniLM embedder."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.formats.fountain import parse_fountain
from filmaster.sound_design.events import SoundFinder, repeat_count

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _is_heading(text: str) -> bool:
    return text.split(".")[0] in ("INT", "EXT", "I/E", "INT/EXT")


def test_named_sounds_reach_90_percent_recall_and_precision(embedder: MiniLMEmbeddingBackend) -> None:
    finder = SoundFinder(embedder)
    true_pos = false_pos = false_neg = 0
    for text, labels in json.loads((DATA / "sound_labels.json").read_text())["lines"]:
        found = finder.find_in_heading(text) if _is_heading(text) else finder.find(text)
        got, want = Counter(s.category for s in found), Counter(labels)
        true_pos += sum((got & want).values())
        false_pos += sum((got - want).values())
        false_neg += sum((want - got).values())
    recall = true_pos / (true_pos + false_neg)
    precision = true_pos / (true_pos + false_pos)
    print(f"named sounds: recall {recall:.3f}, precision {precision:.3f} ({true_pos} found)")
    assert recall >= 0.9 and precision >= 0.9


def test_the_labels_cover_every_line_of_the_examples_and_the_test_screenplay() -> None:
    labelled = {text for text, _ in json.loads((DATA / "sound_labels.json").read_text())["lines"]}
    examples = ("the_last_ferry.fountain", "paper_birds.fountain", "tiny.fountain")
    for path in [
        *(EXAMPLES / name for name in examples),
        DATA / "sound_effects.fountain",
        DATA / "unseen_sounds.fountain",
    ]:
        for scene in parse_fountain(path.read_text()).scenes:
            assert scene.heading in labelled
            for element in scene.elements:
                if element.kind.value == "action":
                    assert element.text.replace("\n", " ") in labelled, element.text
                elif element.dialogue is not None and element.dialogue.parenthetical:
                    assert element.dialogue.parenthetical in labelled


def test_an_unseen_wording_matches_through_the_embedding_only(embedder: MiniLMEmbeddingBackend) -> None:
    line = "The mutt yaps at her heels."
    assert SoundFinder().find(line) == []
    assert [s.category for s in SoundFinder(embedder).find(line)] == ["dog"]


def test_repeats_and_order_follow_the_text() -> None:
    found = SoundFinder().find("Gulls wheel over the grey water. The ferry's horn sounds twice.")
    assert [(s.category, s.count) for s in found] == [("birds", 1), ("horn", 2)]
    assert found[0].position < 0.5 < found[1].position
    assert repeat_count("The bell rings three times.") == 3
