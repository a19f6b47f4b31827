"""A digest of the source code that produces a unit of work, for its cache key.

A hand-bumped VERSION is forgotten (a colour-grade change once left old takes beside new ones); the bytes of the
modules that made a result are not. Any edit to them, a comment included, redoes what they made — and nothing else.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


@functools.cache
def code_digest(*modules: str) -> str:
    """Digest of the source of `modules` (dotted names; a package counts with every .py file under it).

    Found without importing them. A module with no readable source (a frozen or compiled-only install) counts by
    the version of the installed filmaster distribution instead."""
    digest = hashlib.sha256()
    for name in modules:
        digest.update(name.encode())
        for path in _source_files(name):
            digest.update(path.name.encode())
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(_distribution_version().encode())
    return digest.hexdigest()[:16]


def _source_files(name: str) -> list[Path]:
    spec = importlib.util.find_spec(name)
    if spec is None:
        return []
    if spec.submodule_search_locations:  # a package: all of it, in a fixed order
        return sorted(p for folder in spec.submodule_search_locations for p in Path(folder).rglob("*.py"))
    if spec.origin and spec.origin.endswith(".py"):
        return [Path(spec.origin)]
    return [Path(f"<{name}: no source>")]  # unreadable: counts by version


def _distribution_version() -> str:
    try:
        return version("filmaster")
    except PackageNotFoundError:
        return "unknown"
