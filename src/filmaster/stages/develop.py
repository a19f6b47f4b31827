"""Develop: the screenplay file becomes a Screenplay artifact."""

from __future__ import annotations

from pathlib import Path

from ..formats.fountain import read_screenplay
from ..model import Screenplay


def develop(source: Path) -> Screenplay:
    """Parse a Fountain screenplay (.fountain, .spmd or .txt)."""
    return read_screenplay(source)
