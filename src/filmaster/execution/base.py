"""The executor interface that shots, voices and music are sent through."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from ..atomic import write_bytes_atomic

T = TypeVar("T")


@dataclass(frozen=True)
class Resources:
    """What one unit of a backend's work holds while it runs (Ray schedules by these; the local pool by count)."""

    num_cpus: float = 1.0
    num_gpus: float = 0.0


# `[render.resources]`: per backend, what one unit of its work holds, e.g. {"diffusers": {"num_gpus": 1}}.
ResourceSpecs = Mapping[str, Mapping[Literal["num_cpus", "num_gpus"], float]]

ONE_CPU = Resources()
# A vendor's request mostly waits for the vendor: a quarter of a core each, so a backend's concurrency (8) is not
# capped by the cluster's core count; the download's conform still gets its share.
A_REQUEST = Resources(num_cpus=0.25)


class Executor(Protocol):
    """Runs a picklable function on a worker; the future's result is the function's return value."""

    NAME: str

    def submit(self, fn: Callable[..., T], *args: Any, resources: Resources = ONE_CPU) -> Future[T]: ...

    def resources_of(self, backend: str, default: Resources = ONE_CPU) -> Resources:
        """What one unit of `backend`'s work holds (`[render.resources.<backend>]`), else `default`."""
        ...

    def close(self) -> None: ...


def land(made: Future[tuple[dict[str, bytes], T]], targets: Mapping[str, Path]) -> Future[T]:
    """A future that resolves, to what the worker said beside its files, once the files it sent back (name ->
    bytes) are written, each atomically, to `targets` (name -> path) on this machine; a name the worker did not
    send is not written."""
    landed: Future[T] = Future()

    def write(done: Future[tuple[dict[str, bytes], T]]) -> None:
        if not landed.set_running_or_notify_cancel():  # the run stopped: nothing is written for it
            return
        try:
            files, said = done.result()
            for name, path in targets.items():
                if name in files:
                    write_bytes_atomic(path, files[name])
        except BaseException as exc:  # handed to whoever waits on the future
            landed.set_exception(exc)
        else:
            landed.set_result(said)

    made.add_done_callback(write)
    return landed
