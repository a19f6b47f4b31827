"""`--executor`: which executor a run uses, checked before any work starts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import ConfigError
from .base import Executor, ResourceSpecs

LOCAL = "local"


def parse_executor(spec: str) -> str | None:
    """The Ray address of an executor spec ("local" for a Ray started for the run), or None for the local pool."""
    text = spec.strip()
    if text in ("", LOCAL):
        return None
    if text == "ray":
        return "local"
    if text.startswith("ray://") and ":" in text.removeprefix("ray://").strip("/"):
        return text
    raise ConfigError(f"unknown executor '{spec}': use 'local', 'ray' (a local Ray) or 'ray://HOST:PORT' (a cluster)")


def open_executor(spec: str, workers: int = 0, resources: ResourceSpecs | None = None) -> Executor | None:
    """The executor of `spec`, connected, with each backend's `resources` per unit of work (`[render.resources]`);
    None for the local pool (stages keep their own process pools)."""
    address = parse_executor(spec)
    if address is None:
        return None
    from .ray_cluster import RayExecutor

    return RayExecutor(address, num_cpus=workers or None, resources=resources)


@contextmanager
def closing_executor(executor: Executor | None) -> Iterator[Executor | None]:
    """Close the executor (stopping a local Ray this run started) when the block ends, however it ends."""
    try:
        yield executor
    finally:
        if executor is not None:
            executor.close()
