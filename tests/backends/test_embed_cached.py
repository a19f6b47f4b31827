"""Embeddings kept in the project cache by text: the same vectors, and the model loaded only for new texts."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from filmaster.backends.embed.cached import NAMESPACE, CachedEmbeddings
from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.project import Cache

TEXTS = ["A ferry pulls away from a foggy pier at dawn.", "Two sisters argue in a kitchen at night."]


def test_cached_vectors_equal_the_model_and_only_new_texts_are_embedded(tmp_path: Path) -> None:
    direct = MiniLMEmbeddingBackend().embed(TEXTS)
    cache = Cache(tmp_path)
    first = CachedEmbeddings(MiniLMEmbeddingBackend(), cache).embed(TEXTS)
    np.testing.assert_array_equal(first, direct)
    assert cache.work.computed[NAMESPACE] == 2

    fresh = MiniLMEmbeddingBackend()
    again = CachedEmbeddings(fresh, Cache(tmp_path)).embed(TEXTS)
    np.testing.assert_array_equal(again, direct)
    assert fresh._session is None  # every vector came from the cache: the model was never loaded

    other = Cache(tmp_path)
    mixed = CachedEmbeddings(MiniLMEmbeddingBackend(), other).embed([TEXTS[1], "A storm breaks over the harbour."])
    np.testing.assert_array_equal(mixed[0], direct[1])
    assert (other.work.computed[NAMESPACE], other.work.reused[NAMESPACE]) == (1, 1)
    assert abs(float(np.linalg.norm(mixed[1])) - 1.0) < 1e-5


def test_another_model_does_not_share_vectors(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    CachedEmbeddings(MiniLMEmbeddingBackend(), cache).embed(TEXTS[:1])
    CachedEmbeddings(MiniLMEmbeddingBackend(max_tokens=16), cache).embed(TEXTS[:1])
    assert cache.work.computed[NAMESPACE] == 2
