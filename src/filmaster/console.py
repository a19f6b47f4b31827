"""The terminal face of the pipeline's Reporter: rich progress bars, stage lines, warnings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .progress import Advance


class ConsoleReporter:
    def __init__(self, console: Console, *, quiet: bool = False, verbose: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.verbose = verbose

    def stage(self, name: str, detail: str = "") -> None:
        if not self.quiet:
            self.console.print(f"[bold cyan]{name:>10}[/] {escape(detail)}", highlight=False)

    @contextmanager
    def task(self, description: str, total: int) -> Iterator[Advance]:
        if self.quiet or total <= 0:
            yield lambda n=1: None
            return
        columns = (
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=self.console, transient=not self.verbose) as progress:
            task_id = progress.add_task(description, total=total)
            yield lambda n=1: progress.advance(task_id, n)

    def info(self, message: str) -> None:
        if not self.quiet:
            self.console.print(f"{'':>10} {escape(message)}", highlight=False)

    def warn(self, message: str) -> None:
        self.console.print(f"[yellow]warning:[/] {escape(message)}", highlight=False)
