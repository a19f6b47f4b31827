"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import FilmasterError
from .os_errors import cannot_write

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target` (same suffix, so writers that choose a format by suffix work);
    on success it replaces `target` in one step, on failure it is removed."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=target.parent)
    except OSError as exc:
        raise FilmasterError(cannot_write(target, exc)) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; deliverables get the usual permissions
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(target: Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(target)


def write_bytes_atomic(target: Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_npz_atomic(target: Path, **arrays: Any) -> Path:
    """Named arrays in one compressed .npz file (numpy imported here: only the writers of weights need it)."""
    import numpy as np

    with atomic_path(target) as tmp, tmp.open("wb") as out:
        np.savez_compressed(out, **arrays)
    return Path(target)


@contextlib.contextmanager
def set_aside(paths: Iterable[Path]) -> Iterator[None]:
    """Move `paths` aside while the block rebuilds them: on success the old files are deleted, on failure (or if
    the block made none) they are put back, so a failed rebuild keeps what was there."""
    aside: list[tuple[Path, Path]] = []
    for path in paths:
        if path.exists():
            backup = path.with_name(f".{path.name}.{os.getpid()}.old")
            os.replace(path, backup)
            aside.append((path, backup))
    try:
        yield
    except BaseException:
        for path, backup in aside:
            os.replace(backup, path)
        raise
    for _, backup in aside:
        backup.unlink(missing_ok=True)
