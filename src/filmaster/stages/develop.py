"""Develop: the screenplay file becomes a Screenplay artifact."""

from __future__ import annotations

from pathlib import Path

from ..formats.fountain import MAX_SCREENPLAY_BYTES, read_screenplay
from ..model import Screenplay


def develop(source: Path, max_bytes: int = MAX_SCREENPLAY_BYTES) -> Screenplay:
    """Parse a Fountain screenplay (.fountain, .spmd or .txt) of at most `max_bytes`."""
    return read_screenplay(source, max_bytes)
