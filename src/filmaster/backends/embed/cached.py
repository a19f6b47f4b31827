"""Any embedding backend, with its vectors kept in the project cache by text.

Planning embeds one query per scene. After an edit most scenes read as before, so their vectors come from the
cache and only the changed scenes are embedded; when none changed the model is not even loaded.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import ClassVar

import numpy as np

from ...project import Cache, content_key
from ...verify import load_array
from ..resilience import with_retries
from .base import EmbeddingBackend, WrappedEmbeddings

NAMESPACE = "embeddings"


class CachedEmbeddings(WrappedEmbeddings):
    """Wraps `inner`; same model id, dimension and vectors (stored as float32, exactly as `inner` returned them)."""

    NAME: ClassVar[str] = "cached"

    def __init__(self, inner: EmbeddingBackend, cache: Cache) -> None:
        super().__init__(inner)
        self.cache = cache

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [content_key(NAMESPACE, self.inner.cache_identity, text) for text in texts]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        missing = []
        for i, key in enumerate(keys):
            stored = load_array(self.cache.path(NAMESPACE, key, ".npy"))  # None: missing or damaged
            if stored is not None and stored.shape == (self.dimension,):
                out[i] = stored
                self.cache.record(NAMESPACE, computed=False)
            else:
                missing.append(i)
        if missing:
            wanted = [texts[i] for i in missing]

            def whole(rows: np.ndarray) -> str | None:  # an answer short of rows (cut off) is a failure
                return None if rows.shape == (len(wanted), self.dimension) else f"{rows.shape[0]} of {len(wanted)} rows"

            out[missing] = with_retries("embedding", lambda: self.inner.embed(wanted), whole)
            for i in missing:
                self.cache.fetch_or_make(NAMESPACE, keys[i], ".npy", functools.partial(_save, row=out[i]))
        return out


def _save(path: Path, row: np.ndarray) -> None:
    with path.open("wb") as handle:
        np.save(handle, row)
