"""Strings from artifacts that become parts of file names or paths, validated where they are read.

A shot id becomes `media/shots/<id>.mp4` and a cue id `media/audio/<id>.wav`: a hand-edited plan.json with
`../x` or `/etc/x` as an id must be refused before anything is written, not followed outside the project.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Annotated

from pydantic import AfterValidator

# A letter or digit first (no hidden files, no `..`), then letters, digits, `.`, `_`, `-`; short enough for any
# file system once a suffix is added.
SAFE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"

_SAFE_NAME = re.compile(SAFE_NAME_PATTERN)


def _safe_name(value: str) -> str:
    if not _SAFE_NAME.match(value):
        raise ValueError(
            f"'{value[:60]}' cannot name a file: use letters, digits, '.', '_' and '-' (no '/', '..' or leading '.')"
        )
    return value


SafeName = Annotated[str, AfterValidator(_safe_name)]
"""An id that becomes a file name in the project."""


def _inside(value: str) -> str:
    path = PurePosixPath(value)
    if not value or path.is_absolute() or "\\" in value or ".." in path.parts or ":" in path.parts[0]:
        raise ValueError(f"'{value}' must be a relative path inside the project folder (no '..', not absolute)")
    return value


RelativePath = Annotated[str, AfterValidator(_inside)]
"""A path relative to the output folder that cannot leave it."""
