"""Contract of an embedding backend: texts in, one L2-normalised float32 row per text out."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

import numpy as np

from ..registry import Backend


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as C-contiguous float32: inner product = cosine."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


class EmbeddingBackend(Backend):
    KIND: ClassVar[str] = "embed"

    @property
    @abstractmethod
    def model_id(self) -> str:
        """Names the vector space: an index built with one model id cannot be searched with another."""

    @property
    @abstractmethod
    def dimension(self) -> int:
        """Length of each embedding vector."""

    @abstractmethod
    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts`; return a (len(texts), dimension) float32 array with L2-normalised rows."""

    @property
    def cache_identity(self) -> dict[str, Any]:
        return {**super().cache_identity, "model_id": self.model_id}


class WrappedEmbeddings(EmbeddingBackend):
    """An embedding backend around another (`inner`): the same model id, dimension and cache identity, so its
    vectors are the inner one's; subclasses change only how `embed` gets them (cached, retried)."""

    KIND: ClassVar[str] = "embed"

    def __init__(self, inner: EmbeddingBackend) -> None:
        super().__init__()
        self.inner = inner

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def cache_identity(self) -> dict[str, Any]:
        return self.inner.cache_identity
