"""One line for an operating-system error met while writing: what happened, where, and what to do. A run stopped
by a full disk or a folder made read-only keeps the work it finished (cache entries are written whole or not at
all), so the advice is to fix the disk and run the same command again."""

from __future__ import annotations

import errno

_RESUME = "then run the same command again: finished work is kept"
_ADVICE = {
    errno.ENOSPC: ("no space left on the device", f"free some space (or choose another -o folder), {_RESUME}"),
    errno.EDQUOT: ("disk quota exceeded", f"free some space (or choose another -o folder), {_RESUME}"),
    errno.EROFS: ("the file system is read-only", f"make it writable (or choose another -o folder), {_RESUME}"),
}


def describe_os_error(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in _ADVICE:
        what, advice = _ADVICE[exc.errno]
        return f"{what}{where}; {advice}"
    return f"{exc.strerror or exc}{where}"


def cannot_write(target: object, exc: OSError) -> str:
    """One line for a write to `target` that failed: a full or read-only disk says so and how to resume (whichever
    write it happened to hit), anything else asks for a folder that exists and is writable."""
    if exc.errno in _ADVICE:
        what, advice = _ADVICE[exc.errno]
        return f"cannot write {target}: {what}; {advice}"
    return f"cannot write {target}: {exc.strerror or exc}; check the folder exists and is writable"
