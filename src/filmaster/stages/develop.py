"""Develop: the screenplay file becomes a Screenplay artifact."""

from __future__ import annotations

from pathlib import Path

from ..formats.fdx import read_fdx
from ..formats.fountain import read_screenplay
from ..model import Screenplay


def develop(source: Path) -> Screenplay:
    """Parse a Final Draft screenplay (.fdx) or a Fountain one (.fountain, .spmd, .txt, anything else)."""
    if Path(source).suffix.lower() == ".fdx":
        return read_fdx(source)
    return read_screenplay(source)
