"""Develop: the screenplay file becomes a Screenplay artifact."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..formats.fdx import read_fdx
from ..formats.fountain import MAX_SCREENPLAY_BYTES, read_screenplay
from ..model import Screenplay


def develop(source: Path, max_bytes: int = MAX_SCREENPLAY_BYTES) -> Screenplay:
    """Parse a Final Draft screenplay (.fdx) or a Fountain one (.fountain, .spmd, .txt, anything else) of at most
    `max_bytes`."""
    if Path(source).suffix.lower() == ".fdx":
        size = Path(source).stat().st_size if Path(source).is_file() else 0
        if size > max_bytes:
            raise InputError(
                f"{source}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit for a screenplay; "
                "raise [limits] screenplay_mb if it is really one"
            )
        return read_fdx(source)
    return read_screenplay(source, max_bytes)
