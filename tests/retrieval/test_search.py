"""Scene queries and top-K retrieval on a small hand-made corpus, with real MiniLM embeddings."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend, default_model_path
from filmaster.errors import InputError
from filmaster.formats.fountain import parse_fountain
from filmaster.model import SceneBlock
from filmaster.retrieval.index import CorpusIndex
from filmaster.retrieval.search import retrieve, retrieve_many, scene_query
from filmaster.stages.breakdown import plan_screenplay

SMALL_CORPUS = Path(__file__).with_name("small_corpus.json")

# Four scenes whose situations match one corpus entry each, worded differently from the entries.
SCREENPLAY = """Title: Retrieval test

EXT. ROOFTOPS - NIGHT

JACK sprints across the wet roofs after the thief. The thief jumps the gap between two buildings. Jack runs after him.

JACK
Stop! Police!

INT. INTERROGATION ROOM - NIGHT

A bare room, one lamp. DETECTIVE ROSS slams a file on the metal table in front of the SUSPECT.

ROSS
Where were you on Friday night?

SUSPECT
I want a lawyer.

ROSS
You'll get one after you tell me where the money is.

EXT. CEMETERY - DAY

Rain. The family stands around the grave under black umbrellas as the coffin is lowered. MARTHA weeps.

MARTHA
He would have hated all this fuss.

EXT. END OF THE PIER - DUSK

The sun sets over the water. LENA and OWEN lean on the railing.

OWEN
I've wanted to tell you for years. I love you.

LENA
(softly)
I know. I love you too.
"""

EXPECTED = ["chase-rooftops-01", "interrogation-01", "funeral-graveyard-01", "confession-dusk-01"]


@pytest.fixture(scope="module")
def scenes() -> list[SceneBlock]:
    return plan_screenplay(parse_fountain(SCREENPLAY)).scenes


def test_query_holds_objective_context_and_every_shot_but_no_first_pass_camera(scenes: list[SceneBlock]) -> None:
    scene = scenes[1]
    query = scene_query(scene)
    assert query.startswith(scene.objective.rstrip("."))
    assert "interior interrogation room night" in query
    assert "2 characters (Ross, Suspect)" in query
    for line in ("Where were you on Friday night?", "I want a lawyer.", "tell me where the money is"):
        assert line in query
    assert "slams a file on the metal table" in query
    assert "lens" not in query and "shirt" not in query  # the breakdown's camera spec and costume colours


def test_each_scene_retrieves_the_entry_of_its_situation(
    scenes: list[SceneBlock], index: CorpusIndex, embedder: MiniLMEmbeddingBackend
) -> None:
    found = retrieve_many(scenes, index, embedder, k=3)
    assert [refs[0][0].id for refs in found] == EXPECTED
    for refs in found:
        scores = [score for _, score in refs]
        assert len(refs) == 3 and scores == sorted(scores, reverse=True)
        assert -1.0 <= scores[-1] <= scores[0] <= 1.0
        assert scores[0] - scores[1] > 0.03  # the right entry wins clearly, not by a rounding error


def test_retrieve_matches_the_batched_form_and_respects_k(
    scenes: list[SceneBlock], index: CorpusIndex, embedder: MiniLMEmbeddingBackend
) -> None:
    one = retrieve(scenes[0], index, embedder, k=5)
    batched = retrieve_many(scenes, index, embedder, k=5)[0]
    assert [(e.id, round(s, 5)) for e, s in one] == [(e.id, round(s, 5)) for e, s in batched]
    assert len(retrieve(scenes[0], index, embedder, k=50)) == 8  # never more than the corpus holds


def test_retrieval_refuses_an_index_made_by_another_model(
    tmp_path: Path, scenes: list[SceneBlock], index: CorpusIndex
) -> None:
    copy = tmp_path / "other.onnx"
    copy.write_bytes(default_model_path().read_bytes())
    with pytest.raises(InputError, match="filmaster corpus reindex"):
        retrieve(scenes[0], index, MiniLMEmbeddingBackend(model_path=str(copy)))
