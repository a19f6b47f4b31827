"""Text embedding backends: sentences in, L2-normalised float32 vectors out (for scene-level retrieval)."""

from .base import EmbeddingBackend, normalise_rows

__all__ = ["EmbeddingBackend", "normalise_rows"]
