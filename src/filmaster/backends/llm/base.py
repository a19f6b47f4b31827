"""Contract of a language-model backend: answer a prompt with one JSON object that should follow a schema."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from ..registry import Backend


class LLMBackend(Backend):
    KIND: ClassVar[str] = "llm"

    @property
    @abstractmethod
    def model_id(self) -> str:
        """Names the model behind the backend (e.g. "openai-chat:gpt-4o-mini"); recorded in plans and caches."""

    @abstractmethod
    def complete_json(self, system: str, user: str, schema: dict[str, Any]) -> dict[str, Any]:
        """Ask the model and return its answer as a JSON object.

        `schema` (JSON Schema) is passed to the model to constrain its answer where the service supports it,
        but the caller must still validate the result: a backend only guarantees a JSON object. Raises
        BackendUnavailableError when the service cannot be used, PlanError when its answer is not a JSON object.
        """

    @property
    def cache_identity(self) -> dict[str, Any]:
        return {**super().cache_identity, "model_id": self.model_id}
