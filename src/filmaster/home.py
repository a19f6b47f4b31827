"""filmaster's per-user folder: the user's corpus, indexes, and caches that outlive one film."""

from __future__ import annotations

import os
from pathlib import Path


def filmaster_home() -> Path:
    """$FILMASTER_HOME, else $XDG_DATA_HOME/filmaster, else ~/.local/share/filmaster."""
    env = os.environ.get("FILMASTER_HOME")
    if env:
        return Path(env)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "filmaster"
