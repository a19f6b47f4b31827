"""The MiniLM embedding backend: real int8 ONNX model, real tokenizer, measured similarities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from filmaster.backends.embed import EmbeddingBackend
from filmaster.backends.embed.minilm import (
    DEFAULT_MODEL_ID,
    MiniLMEmbeddingBackend,
    _package_dir,
    default_model_path,
)
from filmaster.backends.registry import available_backends
from filmaster.errors import BackendUnavailableError, ConfigError, MissingDependencyError

PARAPHRASES = [
    ("A man chases a thief across the rooftops at night.", "At night a robber is pursued over the roofs."),
    ("She tells him she loves him as the sun sets.", "At sunset she confesses her love to him."),
    ("The detective questions the suspect in a bare room.", "A cop interrogates the accused in an empty cell."),
    ("The family buries their father in the rain.", "Mourners stand at a grave while it rains."),
]


def test_registered_under_its_name_as_an_embedding_backend() -> None:
    """The entry point `minilm` resolves to this class, and the class honours the embedding contract."""
    registered = available_backends("embed")["minilm"]
    assert registered is MiniLMEmbeddingBackend and issubclass(registered, EmbeddingBackend)


def test_rows_are_unit_float32_of_the_model_dimension(embedder: MiniLMEmbeddingBackend) -> None:
    vectors = embedder.embed(["a quiet kitchen at night", "", "rooftop chase"])
    assert vectors.dtype == np.float32 and vectors.shape == (3, embedder.dimension) == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.model_id == DEFAULT_MODEL_ID
    assert embedder.embed([]).shape == (0, 384)


def test_paraphrases_score_higher_than_unrelated_sentences(embedder: MiniLMEmbeddingBackend) -> None:
    left = embedder.embed([a for a, _ in PARAPHRASES])
    right = embedder.embed([b for _, b in PARAPHRASES])
    similarity = left @ right.T
    paired = np.diag(similarity)
    unrelated = similarity[~np.eye(len(PARAPHRASES), dtype=bool)]
    # all-MiniLM-L6-v2 puts paraphrases around 0.45-0.75 and unrelated sentences near 0.
    assert paired.min() > 0.4, paired
    assert unrelated.max() < 0.35, unrelated  # two crime sentences share some meaning (0.31)
    # Every sentence's nearest neighbour on the other side is its own paraphrase.
    assert (similarity.argmax(axis=1) == np.arange(len(PARAPHRASES))).all()


def test_batching_and_order_do_not_change_a_vector(embedder: MiniLMEmbeddingBackend) -> None:
    texts = [a for a, _ in PARAPHRASES] + ["short", "a much longer sentence " * 12]
    batched = embedder.embed(texts)
    one_by_one = np.vstack([embedder.embed([t]) for t in texts])
    reversed_batch = embedder.embed(texts[::-1])[::-1]
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    np.testing.assert_allclose(batched, reversed_batch, atol=1e-5)
    small_batches = MiniLMEmbeddingBackend(batch_size=2).embed(texts)
    np.testing.assert_allclose(batched, small_batches, atol=1e-5)


def test_long_text_is_truncated_not_rejected(embedder: MiniLMEmbeddingBackend) -> None:
    vector = embedder.embed(["word " * 2000])
    assert vector.shape == (1, 384) and np.isfinite(vector).all()


def test_bad_settings_and_missing_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        MiniLMEmbeddingBackend(modle_path="x")
    with pytest.raises(BackendUnavailableError, match="does not exist") as err:
        MiniLMEmbeddingBackend(model_path=str(tmp_path / "missing.onnx"))
    assert "\n" not in str(err.value)
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not an onnx model")
    with pytest.raises(BackendUnavailableError, match="cannot load"):
        MiniLMEmbeddingBackend(model_path=str(broken))


def test_a_missing_data_package_names_the_install_command() -> None:
    with pytest.raises(MissingDependencyError, match="pip install some-model-package"):
        _package_dir("filmaster_no_such_module", "some-model-package")


def test_another_model_file_has_another_model_id(tmp_path: Path) -> None:
    copy = tmp_path / "minilm-copy.onnx"
    copy.write_bytes(default_model_path().read_bytes())
    other = MiniLMEmbeddingBackend(model_path=str(copy))
    assert other.model_id.startswith("onnx:minilm-copy:") and other.model_id != DEFAULT_MODEL_ID
