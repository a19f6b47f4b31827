"""The executor interface that shots, voices and music are sent through."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..atomic import write_bytes_atomic

T = TypeVar("T")


@dataclass(frozen=True)
class Resources:
    """What one unit of a backend's work holds while it runs (Ray schedules by these; the local pool by count)."""

    num_cpus: float = 1.0
    num_gpus: float = 0.0


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


def land(made: Future[dict[str, bytes]], targets: Mapping[str, Path]) -> Future[None]:
    """A future that resolves once the files a worker sent back (name -> bytes) are written, each atomically, to
    `targets` (name -> path) on this machine; a name the worker did not send is not written."""
    landed: Future[None] = Future()

    def write(done: Future[dict[str, bytes]]) -> None:
        if not landed.set_running_or_notify_cancel():  # the run stopped: nothing is written for it
            return
        try:
            files = done.result()
            for name, path in targets.items():
                if name in files:
                    write_bytes_atomic(path, files[name])
        except BaseException as exc:  # handed to whoever waits on the future
            landed.set_exception(exc)
        else:
            landed.set_result(None)

    made.add_done_callback(write)
    return landed
