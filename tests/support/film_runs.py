"""Running `filmaster make` on the tiny example as a subprocess, and what its output folder holds, for the tests
that kill, starve or fault a run and compare it with an uninterrupted one."""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny.fountain"
STATE = ".filmaster"
# The file that marks a unit of each cache namespace done (a shot's ground truth is written before its clip).
UNIT_SUFFIX = {"shots": ".mp4", "music": ".wav"}


def make_command(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "filmaster", "make", str(TINY), "-o", str(out), "--draft", *extra]


def output_digests(out: Path) -> dict[str, str]:
    """Every file the run delivered (not its state folder), by digest; the folder's own path, which timelines
    and edit lists name, is replaced so two folders can be compared."""
    digests = {}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out)
        if path.is_file() and relative.parts[0] != STATE:
            data = path.read_bytes().replace(str(out).encode(), b"<out>")
            digests[str(relative)] = hashlib.sha256(data).hexdigest()
    return digests


def finished_units(out: Path) -> Counter[str]:
    """Units of work whose result is in the cache, by namespace (temporary files excluded)."""
    cache = out / STATE / "cache"
    done: Counter[str] = Counter()
    if not cache.is_dir():
        return done
    for folder in cache.iterdir():
        if folder.is_dir():
            suffix = UNIT_SUFFIX.get(folder.name)
            files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
            done[folder.name] = len([p for p in files if suffix is None or p.suffix == suffix])
    return done


def last_work(out: Path) -> dict[str, dict[str, int]]:
    """The units the last run made (`computed`) and took from the cache (`reused`), by namespace."""
    return json.loads((out / STATE / "manifest.json").read_text())["last_run"]["work"]
