"""The Ray executor: a local Ray started on demand (`--executor ray`) or a cluster (`--executor ray://HOST:PORT`).

Ray is an optional extra (`pip install 'filmaster[ray]'`) and imported only here. Functions travel by reference
(the workers import filmaster, installed on every node), their arguments by value (pickled artifacts).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from ..errors import BackendUnavailableError, MissingDependencyError
from .base import ONE_CPU, Resources, ResourceSpecs

T = TypeVar("T")


class RayExecutor:
    NAME = "ray"

    def __init__(self, address: str, num_cpus: int | None = None, resources: ResourceSpecs | None = None) -> None:
        self._resources = {
            name: Resources(num_cpus=spec.get("num_cpus", 1.0), num_gpus=spec.get("num_gpus", 0.0))
            for name, spec in (resources or {}).items()
        }
        try:
            import ray
        except ImportError:
            raise MissingDependencyError("ray", "--executor ray", "pip install 'filmaster[ray]'") from None
        self._ray = ray
        self._started = False
        if not ray.is_initialized():
            try:
                if address == "local":  # a new Ray of this machine's cores, for this run only, not one already running
                    ray.init(
                        address="local",
                        num_cpus=num_cpus,
                        include_dashboard=False,
                        log_to_driver=False,
                        logging_level=logging.ERROR,
                    )
                else:
                    ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
            except (ConnectionError, TimeoutError, RuntimeError, ValueError) as exc:
                where = "start a local Ray" if address == "local" else f"reach the Ray cluster at {address}"
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise BackendUnavailableError(
                    f"cannot {where} ({first}); check that it runs (`ray status`) or use --executor local"
                ) from exc
            self._started = True
        self._remote: dict[Callable[..., Any], Any] = {}

    def resources_of(self, backend: str, default: Resources = ONE_CPU) -> Resources:
        return self._resources.get(backend, default)

    def submit(self, fn: Callable[..., T], *args: Any, resources: Resources = ONE_CPU) -> Future[T]:
        remote = self._remote.get(fn)
        if remote is None:
            remote = self._remote.setdefault(fn, self._ray.remote(fn))
        # max_retries=0: Ray would re-run a task whose worker died, and a task may be a purchase (a vendor's clip)
        # that its first run already ordered; filmaster's own retries decide what is worth another try.
        ref = remote.options(num_cpus=resources.num_cpus, num_gpus=resources.num_gpus, max_retries=0).remote(*args)
        return _unwrapped(ref.future())

    def close(self) -> None:
        """Disconnect; a local Ray this executor started is stopped with it."""
        if self._started:
            self._ray.shutdown()
            self._started = False


def _unwrapped(future: Future[T]) -> Future[T]:
    """The future with a worker's own exception, not Ray's wrapper of it (whose text carries the worker's
    traceback): a shot that fails on Ray reads as one that fails in the local pool, in one line."""
    plain: Future[T] = Future()

    def settle(done: Future[T]) -> None:
        if not plain.set_running_or_notify_cancel():
            return
        error = done.exception()
        if error is None:
            plain.set_result(done.result())
        else:
            cause = getattr(error, "cause", None)  # ray.exceptions.RayTaskError keeps the worker's exception
            plain.set_exception(cause if isinstance(cause, BaseException) else error)

    future.add_done_callback(settle)
    return plain
