"""Language-model backends: a system and a user message in, one JSON object matching a schema out."""

from .base import LLMBackend

__all__ = ["LLMBackend"]
