"""The terminal face of the pipeline's Reporter: rich progress bars, stage lines, warnings."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .progress import Advance


def _columns() -> tuple[ProgressColumn, ...]:
    return (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )


def _no_progress(n: int = 1) -> None:
    """The progress callback of a quiet console: nothing to show."""


class ConsoleReporter:
    """Stage lines and progress bars on `console`. Tasks may run at once (shots render while the sound is made):
    they share one live display, a bar each, which closes when the last of them ends."""

    def __init__(self, console: Console, *, quiet: bool = False, verbose: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.verbose = verbose
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._open = 0

    def stage(self, name: str, detail: str = "") -> None:
        if not self.quiet:
            self.console.print(f"[bold cyan]{name:>10}[/] {escape(detail)}", highlight=False)

    @contextmanager
    def task(self, description: str, total: int) -> Iterator[Advance]:
        if self.quiet or total <= 0:
            yield _no_progress
            return
        with self._lock:
            if self._progress is None:
                self._progress = Progress(*_columns(), console=self.console, transient=not self.verbose)
                self._progress.start()
            progress = self._progress
            task_id = progress.add_task(description, total=total)
            self._open += 1
        try:

            def advance(n: int = 1) -> None:
                progress.advance(task_id, n)

            yield advance
        finally:
            with self._lock:
                self._open -= 1
                if not self.verbose:  # a finished bar stays on screen only when asked for detail
                    progress.remove_task(task_id)
                if self._open == 0:
                    progress.stop()
                    self._progress = None

    def info(self, message: str) -> None:
        if not self.quiet:
            self.console.print(f"{'':>10} {escape(message)}", highlight=False)

    def warn(self, message: str) -> None:
        self.console.print(f"[yellow]warning:[/] {escape(message)}", highlight=False)
