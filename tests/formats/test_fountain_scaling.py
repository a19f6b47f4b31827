"""Parsing is linear: hostile shapes of text that used to be quadratic parse in about the time of plain text."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import pytest

from filmaster.errors import InputError
from filmaster.formats.fountain import parse_fountain, read_screenplay

SCENE = (
    "INT. KITCHEN - NIGHT\n\nAnna pours the tea.\nShe looks out.\n\nANNA\n(quietly)\nIs it late?\n\nBEN\nNot yet.\n\n"
)


def _seconds(text: str) -> float:
    """The parse's CPU time, best of three: other processes on a loaded machine do not count, and neither does the
    cyclic collector, whose full passes scan every object the rest of the suite left alive (on CI that made a linear
    parse look 4x slower per byte at the larger size)."""
    gc.collect()
    gc.disable()
    try:
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            parse_fountain(text)
            best = min(best, time.process_time() - start)
        return best
    finally:
        gc.enable()


def _per_byte(shape: str, size: int) -> float:
    text = "INT. ROOM - DAY\n\n" + shape * (size // len(shape))
    return _seconds(text) / len(text)


@pytest.mark.parametrize(
    "shape",
    [
        "[[ an unterminated note\n",  # every "[[" used to rescan to the end: 200 KB took 40 s
        "/* an unterminated boneyard\n",
        "An action paragraph that goes on and on.\n",  # each line was joined to the whole paragraph so far
        SCENE,  # each speaker's scene list was searched for every line
    ],
    ids=["notes", "boneyards", "paragraph", "scenes"],
)
def test_time_per_byte_does_not_grow_with_the_size(shape: str) -> None:
    small, large = _per_byte(shape, 100_000), _per_byte(shape, 800_000)
    # Linear: the same cost per byte (x3 for noise); quadratic would be x8.
    assert large < 3 * small + 2e-7, (small, large)


def test_an_unterminated_parenthetical_parses(tmp_path: Path) -> None:
    text = "INT. ROOM - DAY\n\nANNA\n(" + "still wrapping\n" * 100_000
    assert _seconds(text) < 10


def test_a_screenplay_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.fountain"
    with path.open("wb") as handle:
        handle.truncate(20_000_000)  # sparse: 20 MB without writing them
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"huge\.fountain: 20\.0 MB is more than the 5 MB .*\[limits\] screenplay_mb"):
        read_screenplay(path)
    assert time.perf_counter() - start < 1
    path.write_text(SCENE)
    assert len(read_screenplay(path, max_bytes=1_000).scenes) == 1
