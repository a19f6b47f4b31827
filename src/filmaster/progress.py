"""Progress reporting, decoupled from the terminal: the pipeline talks to a Reporter, the CLI draws it with rich."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

Advance = Callable[[int], None]


class Reporter(Protocol):
    def stage(self, name: str, detail: str = "") -> None:
        """A stage starts (one line in verbose/normal output)."""

    def task(self, description: str, total: int) -> AbstractContextManager[Advance]:
        """A long piece of work with `total` steps; the context yields a function that advances it."""

    def info(self, message: str) -> None:
        """A fact worth showing in normal output."""

    def warn(self, message: str) -> None:
        """Something the user should know but that does not stop the film."""


class SilentReporter:
    """Reports nothing (library use and tests); warnings still go to the log."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def stage(self, name: str, detail: str = "") -> None:
        pass

    def task(self, description: str, total: int) -> AbstractContextManager[Advance]:
        return nullcontext(lambda n=1: None)

    def info(self, message: str) -> None:
        pass

    def warn(self, message: str) -> None:
        self.warnings.append(message)
