"""`filmaster cache info|prune`: what a project's cache holds, and removing what recent runs did not use.

Each `make` records the cache entries it looked up in `.filmaster/runs.json` (the last RUNS_KEPT runs); pruning
keeps the union of the last N runs' entries, so the current film never loses a finished unit.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from . import lock
from .atomic import write_text_atomic
from .errors import InputError
from .project import STATE_DIR, Project

RUNS_FILE = "runs.json"
RUNS_KEPT = 20


def record_run(project: Project) -> None:
    """Remember which cache entries this run used (called at the end of a successful make)."""
    runs = _runs(project.state)
    runs.append({"time": time.time(), "entries": sorted(project.cache.used)})
    write_text_atomic(project.state / RUNS_FILE, json.dumps(runs[-RUNS_KEPT:]))


def _runs(state: Path) -> list[dict[str, Any]]:
    try:
        runs = json.loads((state / RUNS_FILE).read_text(encoding="utf-8"))
        return runs if isinstance(runs, list) else []
    except (OSError, ValueError):
        return []


def _cache_root(out: Path) -> Path:
    state = out / STATE_DIR
    if not state.is_dir():
        raise InputError(f"{out} is not a filmaster output folder (no {STATE_DIR}/); give the folder make wrote (-o)")
    return state / "cache"


def _entries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")] if root.is_dir() else []


def cache_info(out: Path) -> str:
    """Size and entries per namespace, and how much of it the last run used."""
    root = _cache_root(out)
    entries = _entries(root)
    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for path in entries:
        namespace = path.relative_to(root).parts[0]
        sizes[namespace] += path.stat().st_size
        counts[namespace] += 1
    lines = [f"{root}: {len(entries)} entries, {sum(sizes.values()) / 1e6:.1f} MB"]
    lines += [f"  {ns:<16} {counts[ns]:>6} entries {sizes[ns] / 1e6:>9.1f} MB" for ns in sorted(counts)]
    runs = _runs(out / STATE_DIR)
    if runs:
        used = [root / rel for rel in runs[-1]["entries"]]
        present = [p for p in used if p.is_file()]
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(runs[-1]["time"]))
        lines.append(
            f"last run ({when}) used {len(present)} entries, {sum(p.stat().st_size for p in present) / 1e6:.1f} MB; "
            f"{len(runs)} run(s) recorded"
        )
    else:
        lines.append("no run recorded yet: `cache prune` would keep everything")
    return "\n".join(lines)


def prune(out: Path, keep_last: int = 1) -> tuple[int, int]:
    """Delete cache entries none of the last `keep_last` runs used; returns (entries removed, bytes freed)."""
    if keep_last < 1:
        raise InputError(f"--keep-last {keep_last}: keep at least the last run (1)")
    root = _cache_root(out)
    state = out / STATE_DIR
    lock.acquire(state, out)  # a make running now would need entries its run has not recorded yet
    try:
        runs = _runs(state)
        if not runs:
            return 0, 0  # nothing known to be unused
        keep = {rel for run in runs[-keep_last:] for rel in run.get("entries", [])}
        removed = freed = 0
        for path in _entries(root):
            if path.relative_to(root).as_posix() not in keep:
                freed += path.stat().st_size
                path.unlink()
                removed += 1
        return removed, freed
    finally:
        lock.release(state)
