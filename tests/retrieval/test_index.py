"""The corpus vector index: build, persist, load, incremental update, model mismatch, corruption."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend, default_model_path
from filmaster.errors import InputError
from filmaster.model.corpus import Corpus
from filmaster.retrieval.corpus import load_corpus
from filmaster.retrieval.index import CorpusIndex, VectorIndex, index_paths, open_index

SMALL_CORPUS = Path(__file__).with_name("small_corpus.json")


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus(SMALL_CORPUS)


def nearest(index: CorpusIndex, embedder: MiniLMEmbeddingBackend, text: str) -> str:
    return index.search(embedder.embed([text])[0], 1)[0][0].id


def test_paths_sit_beside_the_corpus(tmp_path: Path) -> None:
    assert index_paths(tmp_path / "films.json") == (tmp_path / "films.faiss", tmp_path / "films.index.json")


def test_build_save_load_gives_the_same_answers(
    tmp_path: Path, corpus: Corpus, embedder: MiniLMEmbeddingBackend
) -> None:
    built = CorpusIndex.build(corpus, embedder)
    base = tmp_path / "corpus.json"
    built.save(base)
    sidecar = json.loads((tmp_path / "corpus.index.json").read_text())
    assert sidecar["model_id"] == embedder.model_id and sidecar["dimension"] == 384
    assert sidecar["ids"] == [e.id for e in corpus.entries]
    assert len(sidecar["digests"]) == len(corpus.entries) and len(set(sidecar["digests"])) == len(corpus.entries)
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []  # atomic writes leave no temp files

    loaded = CorpusIndex.load(corpus, embedder, base)
    query = embedder.embed(["two people argue across a table"])[0]
    assert [(e.id, round(s, 5)) for e, s in loaded.search(query, 3)] == [
        (e.id, round(s, 5)) for e, s in built.search(query, 3)
    ]
    np.testing.assert_allclose(loaded.vectors.vectors(), built.vectors.vectors())


def test_open_index_embeds_only_new_or_changed_texts(
    tmp_path: Path, corpus: Corpus, embedder: MiniLMEmbeddingBackend
) -> None:
    base = tmp_path / "corpus.json"
    first = corpus.model_copy(update={"entries": corpus.entries[:6]})
    _, embedded = open_index(first, embedder, base)
    assert embedded == 6
    faiss_file, sidecar = index_paths(base)
    stamp = (faiss_file.stat().st_mtime_ns, sidecar.stat().st_mtime_ns)

    index, embedded = open_index(first, embedder, base)
    assert embedded == 0 and len(index.entries) == 6
    assert (faiss_file.stat().st_mtime_ns, sidecar.stat().st_mtime_ns) == stamp  # nothing to rewrite

    index, embedded = open_index(corpus, embedder, base)  # two entries appended
    assert embedded == 2 and [e.id for e in index.entries] == [e.id for e in corpus.entries]
    assert nearest(index, embedder, "creeping down a dark hallway toward a sound") == "horror-corridor-01"

    # Editing one entry's situation re-embeds that entry alone, and search sees the new text.
    edited_entry = corpus.entries[6].model_copy(
        update={"situation": "astronauts repairing a satellite in orbit", "objective": "calm under pressure"}
    )
    edited = corpus.model_copy(update={"entries": [*corpus.entries[:6], edited_entry, corpus.entries[7]]})
    index, embedded = open_index(edited, embedder, base)
    assert embedded == 1
    assert nearest(index, embedder, "astronauts fix a satellite in space") == edited_entry.id

    # Removing entries embeds nothing and drops them from the saved index too.
    shrunk = corpus.model_copy(update={"entries": edited.entries[2:]})
    index, embedded = open_index(shrunk, embedder, base)
    assert embedded == 0 and index.vectors.size == 6
    reloaded = CorpusIndex.load(shrunk, embedder, base)
    assert [e.id for e in reloaded.entries] == [e.id for e in shrunk.entries]
    assert nearest(reloaded, embedder, "a foot chase over roofs") != "chase-rooftops-01"  # it was removed


def test_an_index_from_another_model_is_refused(
    tmp_path: Path, corpus: Corpus, embedder: MiniLMEmbeddingBackend
) -> None:
    base = tmp_path / "corpus.json"
    CorpusIndex.build(corpus, embedder).save(base)
    copy = tmp_path / "other-model.onnx"
    copy.write_bytes(default_model_path().read_bytes())
    other = MiniLMEmbeddingBackend(model_path=str(copy))
    with pytest.raises(InputError, match="filmaster corpus reindex") as err:
        open_index(corpus, other, base)
    message = str(err.value)
    assert embedder.model_id in message and other.model_id in message and "\n" not in message


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda faiss, side: faiss.write_bytes(b"\x00garbage" * 10), "corrupt or unreadable"),
        (lambda faiss, side: faiss.unlink(), "is missing"),
        (lambda faiss, side: side.write_text("{not json"), "corrupt or unreadable"),
        (lambda faiss, side: side.write_text('{"schema": "Other.1"}'), "invalid"),
        (
            lambda faiss, side: side.write_text(
                json.dumps({**json.loads(side.read_text()), "ids": ["a"], "digests": ["b"]})
            ),
            "holds 8×384 vectors but its sidecar lists 1×384",
        ),
    ],
)
def test_a_damaged_index_is_a_clear_input_error(
    tmp_path: Path, corpus: Corpus, embedder: MiniLMEmbeddingBackend, damage, expected: str
) -> None:
    base = tmp_path / "corpus.json"
    CorpusIndex.build(corpus, embedder).save(base)
    damage(*index_paths(base))
    with pytest.raises(InputError, match="rebuild with `filmaster corpus reindex`") as err:
        CorpusIndex.load(corpus, embedder, base)
    assert expected in str(err.value)


def test_ivf_index_finds_nearly_what_exact_search_finds(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(200, 64)).astype(np.float32)
    vectors = centres[rng.integers(0, 200, 20_000)] + 0.35 * rng.normal(size=(20_000, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[rng.integers(0, 20_000, 200)] + 0.1 * rng.normal(size=(200, 64)).astype(np.float32)
    exact = VectorIndex.build(vectors, "flat")
    approx = VectorIndex.build(vectors, "ivf")
    assert approx.kind == "ivf" and exact.kind == "flat"
    _, truth = exact.search(queries, 3)
    _, found = approx.search(queries, 3)
    recall = np.mean([len(set(t) & set(f)) / 3 for t, f in zip(truth, found, strict=True)])
    assert recall >= 0.95, recall

    path = tmp_path / "v.faiss"
    approx.write(path)
    back = VectorIndex.read(path)
    assert back.kind == "ivf" and back.size == 20_000
    np.testing.assert_array_equal(back.search(queries, 3)[1], found)
    np.testing.assert_allclose(back.vectors()[:5], vectors[:5], atol=1e-6)


@pytest.mark.parametrize("mmap", [False, True])
def test_quantised_index_built_in_chunks_is_a_quarter_the_size_and_finds_what_exact_search_finds(
    tmp_path: Path, mmap: bool
) -> None:
    rng = np.random.default_rng(11)
    centres = rng.normal(size=(200, 64)).astype(np.float32)
    vectors = centres[rng.integers(0, 200, 20_000)] + 0.35 * rng.normal(size=(20_000, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[rng.integers(0, 20_000, 200)] + 0.1 * rng.normal(size=(200, 64)).astype(np.float32)
    _, truth = VectorIndex.build(vectors, "flat").search(queries, 3)

    quantised = VectorIndex.trained(vectors[:8_000], len(vectors), "ivf-sq8")  # trained on a sample...
    for start in range(0, len(vectors), 5_000):  # ...and filled in chunks, as an archive is
        quantised.add(vectors[start : start + 5_000])
    assert quantised.kind == "ivf-sq8" and quantised.size == 20_000
    _, found = quantised.search(queries, 3)
    recall = np.mean([len(set(t) & set(f)) / 3 for t, f in zip(truth, found, strict=True)])
    assert recall >= 0.95, recall

    path, flat_path = tmp_path / "q.faiss", tmp_path / "f.faiss"
    quantised.write(path)
    VectorIndex.build(vectors, "ivf").write(flat_path)
    assert path.stat().st_size < 0.3 * flat_path.stat().st_size  # one byte a dimension instead of four
    back = VectorIndex.read(path, mmap=mmap)
    assert back.kind == "ivf-sq8" and back.size == 20_000
    np.testing.assert_array_equal(back.search(queries, 3)[1], found)
    np.testing.assert_allclose(back.vectors()[:50], vectors[:50], atol=0.02)  # decoded codes: within a step
    back.add(vectors[:10])  # a mapped index grows too (read into memory first)
    assert back.size == 20_010 and back.search(vectors[:1], 1)[1][0][0] in (0, 20_000)
