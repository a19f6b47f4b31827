"""Fault injection, a testing aid: every backend the registry creates can be wrapped so that a share of its calls
fail the way a flaky service fails — an exception, a timeout, malformed or wrong-schema JSON, truncated media, a
slow answer. Switched on by `[faults]` in filmaster.toml:

    [faults]
    rate = 0.3                                   # share of calls that fail, every backend
    kinds = ["exception", "timeout", "truncated_media"]
    seed = 7
    backends = { speech = 0.6 }                  # a rate of its own for one kind of backend

Whether a call fails is decided by a hash of (seed, backend kind, the call's arguments, attempt number), so a run
is reproducible whatever the order in which units are made, and a retry of the same unit may succeed. The settings
travel to the render worker processes in an environment variable, so their backends are wrapped too.

Faults are injected at the contract's boundary (`shoot`, `synthesize`, `compose`, `paint`, `embed`,
`complete_json`), as the error the decoding of a service's bad answer raises; `backends.resilience` retries and
falls back.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..errors import FilmasterError

ENV = "FILMASTER_FAULTS"
FaultKind = Literal["exception", "timeout", "malformed_json", "wrong_schema", "truncated_media", "slow"]
ALL_KINDS: tuple[FaultKind, ...] = ("exception", "timeout", "malformed_json", "wrong_schema", "truncated_media", "slow")
BackendKind = Literal["video", "speech", "music", "image", "embed", "llm", "effects"]
# The call that each kind of backend's contract makes for one unit of work.
CONTRACT_METHOD = {
    "video": "shoot",
    "speech": "synthesize",
    "music": "compose",
    "image": "paint",
    "embed": "embed",
    "llm": "complete_json",
}


class FaultsConfig(BaseModel):
    """`[faults]`: off unless a rate is set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rate: float = Field(default=0.0, ge=0.0, le=1.0, description="share of backend calls that fail")
    kinds: tuple[FaultKind, ...] = Field(default=ALL_KINDS, min_length=1)
    seed: int = 0
    backends: dict[BackendKind, float] = Field(default_factory=dict, description="a rate per kind of backend")
    slow_s: float = Field(default=0.2, ge=0.0, le=60.0, description="how long a 'slow' answer waits")
    retries: int | None = Field(default=None, ge=0, le=10, description="each unit's retries (default: the budget)")

    def rate_for(self, kind: str) -> float:
        return self.backends.get(kind, self.rate)  # type: ignore[call-overload]

    @property
    def active(self) -> bool:
        return self.rate > 0 or any(rate > 0 for rate in self.backends.values())


class InjectedFault(FilmasterError):
    """A failure made on purpose by `[faults]`."""


class InjectedTimeout(InjectedFault, TimeoutError):
    """A service that did not answer in time (made on purpose)."""


class _Reply(BaseModel):
    """The shape a service's JSON reply should have (for the wrong-schema fault)."""

    model_config = ConfigDict(extra="forbid")
    output: str


def decide(config: FaultsConfig, kind: str, unit: str, attempt: int) -> FaultKind | None:
    """The fault, if any, that this attempt at this unit of this kind of backend meets."""
    rate = config.rate_for(kind)
    if rate <= 0:
        return None
    digest = hashlib.sha256(f"{config.seed}|{kind}|{unit}|{attempt}".encode()).digest()
    if int.from_bytes(digest[:8], "big") / 2.0**64 >= rate:
        return None
    return config.kinds[int.from_bytes(digest[8:16], "big") % len(config.kinds)]


def unit_of(*args: Any) -> str:
    """A stable name for the unit of work a call makes: its arguments, less the (per-process) file paths and the
    cache, present or not (an executor's worker has none), so a unit meets the same faults wherever it runs."""
    shown = [repr(a) for a in args if not isinstance(a, Path) and a is not None and type(a).__name__ != "Cache"]
    return hashlib.sha256("|".join(shown).encode()).hexdigest()[:16]


def current() -> FaultsConfig | None:
    """The faults this process injects (set by `injecting`, inherited by worker processes), or None."""
    raw = os.environ.get(ENV)
    if not raw:
        return None
    config = FaultsConfig.model_validate_json(raw)
    return config if config.active else None


@contextmanager
def injecting(config: FaultsConfig) -> Iterator[None]:
    """Inject `config`'s faults into every backend created (here and in child processes) inside the block."""
    before = os.environ.get(ENV)
    if config.active:
        os.environ[ENV] = config.model_dump_json()
    else:
        os.environ.pop(ENV, None)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = before


class FaultyBackend:
    """A backend whose contract call fails as `config` decides; everything else is the wrapped backend's own
    (its cache identity included: faults never change what a successful call makes)."""

    def __init__(self, inner: Any, config: FaultsConfig) -> None:
        self.inner = inner
        self.config = config
        self.attempts: dict[str, int] = {}  # unit -> calls so far, so a retry draws afresh
        method = CONTRACT_METHOD.get(getattr(inner, "KIND", ""))
        self._method = method

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.inner, name)
        if name != self._method:
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._call(value, args, kwargs)

        return call

    def _call(self, method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        kind = self.inner.KIND
        unit = unit_of(*args, *sorted(kwargs.items()))
        attempt = self.attempts.get(unit, 0)
        self.attempts[unit] = attempt + 1
        fault = decide(self.config, kind, unit, attempt)
        what = f"{kind} backend '{self.inner.NAME}'"
        if fault == "exception":
            raise InjectedFault(f"{what} failed (injected fault)")
        if fault == "timeout":
            raise InjectedTimeout(f"{what} did not answer in time (injected fault)")
        if fault == "malformed_json":
            json.loads('{"output": [0.25, ')  # raises JSONDecodeError, as a client parsing a cut-off reply does
        if fault == "wrong_schema":
            _Reply.model_validate({"result": 1})  # raises ValidationError, as a reply of another API version does
        if fault == "slow":
            time.sleep(self.config.slow_s)
        result = method(*args, **kwargs)
        return _truncated(result, args) if fault == "truncated_media" else result


def _truncated(result: Any, args: tuple[Any, ...]) -> Any:
    """The answer with its media cut short, as a dropped download leaves it."""
    if isinstance(result, np.ndarray):
        return result[: len(result) // 4]
    audio = getattr(result, "audio", None)
    if isinstance(audio, np.ndarray):
        return type(result)(**{**result.__dict__, "audio": audio[: len(audio) // 2]})
    # The media the call wrote: a shot's clip (its first .mp4), or a painter's picture (its last .png: the first
    # is the picture it starts from).
    clips = [a for a in args if isinstance(a, Path) and a.suffix == ".mp4"]
    pictures = [a for a in args if isinstance(a, Path) and a.suffix == ".png"]
    clip = clips[0] if clips else pictures[-1] if pictures else None
    if clip is not None and clip.is_file():
        size = clip.stat().st_size
        with clip.open("r+b") as handle:
            handle.truncate(size // 2)
    return result


def with_faults(backend: Any) -> Any:
    """`backend`, wrapped when this process injects faults into its kind of backend."""
    config = current()
    if config is None or config.rate_for(getattr(backend, "KIND", "")) <= 0:
        return backend
    return FaultyBackend(backend, config)
