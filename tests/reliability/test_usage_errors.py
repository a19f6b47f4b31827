"""Usage mistakes print click's short usage message and exit 2, never a traceback, whatever typer/click is installed."""

from __future__ import annotations

import subprocess
import sys

import pytest

MISTAKES = [
    ["exprot", "x"],  # unknown command
    ["make", "--nosuchflag", "x"],  # unknown option
    ["make"],  # missing argument
    ["make", "x.fountain", "-o", "out", "--fps", "abc"],  # malformed option value
    ["explain", "notanumber"],  # malformed argument
    ["corpus", "nope"],  # unknown subcommand
    ["previz"],  # missing argument of another command
]


@pytest.mark.parametrize("argv", MISTAKES, ids=lambda argv: " ".join(argv) or "none")
def test_usage_mistake_prints_usage_and_exits_2(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "filmaster", *argv], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "Usage:" in result.stderr
    assert "Error:" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 6, result.stderr
