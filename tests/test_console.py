"""The terminal reporter: progress bars of tasks that run at once share one live display."""

from __future__ import annotations

import io
import threading

from rich.console import Console

from filmaster.console import ConsoleReporter


def _console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=100, color_system=None), buffer


def test_tasks_running_at_once_each_get_a_bar_and_the_display_closes_after_the_last() -> None:
    console, buffer = _console()
    reporter = ConsoleReporter(console, verbose=True)
    first_open, second_done = threading.Event(), threading.Event()

    def render() -> None:
        with reporter.task("Rendering 3 shots", 3) as advance:
            first_open.set()
            second_done.wait(5)
            advance(3)

    thread = threading.Thread(target=render)
    thread.start()
    first_open.wait(5)
    with reporter.task("Rendering 2 sound cues", 2) as advance:  # a second live display would raise here
        advance(2)
    second_done.set()
    thread.join(5)
    assert reporter._progress is None  # the shared display stopped with the last task
    text = buffer.getvalue()
    assert "Rendering 3 shots" in text and "3/3" in text
    assert "Rendering 2 sound cues" in text and "2/2" in text
    with reporter.task("Encoding film.mp4", 1) as advance:  # and a new one opens afterwards
        advance()
    assert "1/1" in buffer.getvalue()


def test_quiet_shows_no_bars() -> None:
    console, buffer = _console()
    with ConsoleReporter(console, quiet=True).task("Rendering 3 shots", 3) as advance:
        advance(3)
    assert buffer.getvalue() == ""
