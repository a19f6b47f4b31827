"""One `make` at a time per output folder.

The lock is an advisory `flock` on `.filmaster/lock`: the kernel drops it when its process ends, however it ends
(SIGKILL, out of memory), so a crashed run never leaves a folder locked; the file itself stays and only says who
held it last. Within one process the lock is re-entrant (a test or a library user may open a project twice).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import threading
import time
from pathlib import Path

from .errors import ProjectBusyError

LOCK_FILE = "lock"
# Temporary files a writer leaves behind when it is killed: atomic.py's `.<stem>.<random>.part<suffix>` and the
# renderer's `.<stem>.<pid>.part<k>.mp4`. Only a run holding the lock may remove them.
_PART_NAME = re.compile(r"^\..+\.part\d*(\.[A-Za-z0-9]+)?$")

_held: dict[str, list[int]] = {}  # lock path -> [fd, holders in this process]
_held_guard = threading.Lock()


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        started = time.strftime("%H:%M:%S", time.localtime(float(info["started"])))
        return f"pid {int(info['pid'])}, started {started}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


def acquire(state_dir: Path, out: Path) -> bool:
    """Lock the project whose state folder is `state_dir`; True if this process did not hold it already.

    Raises ProjectBusyError, one line, when another process holds it."""
    path = state_dir / LOCK_FILE
    key = str(path)
    with _held_guard:
        if key in _held:
            _held[key][1] += 1
            return False
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ProjectBusyError(
                f"output folder {out} is in use by another filmaster run ({_holder(path)}); "
                "wait for it to finish or choose another folder with -o"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "started": time.time()}).encode())
        _held[key] = [fd, 1]
        return True


def release(state_dir: Path) -> None:
    """Give back one hold of the lock; the last one unlocks it."""
    key = str(state_dir / LOCK_FILE)
    with _held_guard:
        entry = _held.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            del _held[key]
            with contextlib.suppress(OSError):
                os.close(entry[0])  # closing the descriptor drops the flock


def remove_stale_parts(*folders: Path) -> int:
    """Delete temporary files left by killed runs under `folders`; call only while holding the lock."""
    removed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob(".*.part*"):
            if _PART_NAME.match(path.name) and path.is_file():
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
    return removed
