"""The user's own sound effects, ambiences and music: indexed by `filmaster sounds add`, found by description.

Sound design calls `find_sound(description, kind)` and `read_sound(sound, sample_rate)`; the names load lazily
so the CLI starts fast.
"""

from __future__ import annotations

from typing import Any

__all__ = ["add_folder", "default_library_path", "find_sound", "load_library", "read_sound", "search"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import store

        return getattr(store, name)
    raise AttributeError(name)
