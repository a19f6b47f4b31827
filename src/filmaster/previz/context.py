"""One headless OpenGL context per process, created on first use and reused by every shot that process renders.

EGL gives a context without a display (Mesa's llvmpipe on a CPU-only machine). A context cannot cross a
fork, and Mesa hangs when a process forked from one that holds a context makes a new one; such a process gets
a clear error instead. Pools that render must start workers with "spawn" or "forkserver" (or fork before any
frame is rendered in the parent).
"""

from __future__ import annotations

import os
from typing import Any

from ..errors import RenderError

_context: Any = None
_owner_pid: int | None = None


def get_context() -> Any:
    """The process's moderngl context (OpenGL 3.3 core or newer)."""
    global _context, _owner_pid
    if _context is not None:
        if _owner_pid == os.getpid():
            return _context
        raise RenderError(
            "this process was forked from one holding an OpenGL context, and Mesa cannot make another here; "
            "start render workers with multiprocessing 'spawn' or 'forkserver'"
        )
    import moderngl

    errors = []
    backends: tuple[dict[str, Any], ...] = ({"backend": "egl"}, {})
    for kwargs in backends:
        try:
            ctx = moderngl.create_standalone_context(require=330, **kwargs)
        except Exception as exc:  # each backend fails differently (no libEGL, no display ...)
            errors.append(f"{kwargs.get('backend', 'default')}: {exc}")
            continue
        _context, _owner_pid = ctx, os.getpid()
        return ctx
    raise RenderError(
        "cannot create a headless OpenGL 3.3 context (" + "; ".join(errors) + "); install Mesa's EGL "
        "(e.g. apt-get install libegl1 libgl1-mesa-dri) or run where a GPU driver is present"
    )


def renderer_name() -> str:
    return str(get_context().info.get("GL_RENDERER", "unknown"))
