"""Backends behind small contracts, discovered through the `filmaster.backends` entry-point group.

The offline defaults are registered in filmaster's own pyproject.toml exactly like a third-party plugin would be:

    [project.entry-points."filmaster.backends"]
    my-video = "my_package.video:MyVideoBackend"

A backend class sets KIND (its contract: "video", "speech", "music") and NAME. Entry points load lazily; a broken
plugin is logged and skipped rather than breaking every command.
"""

from __future__ import annotations

import logging
from abc import ABC
from functools import cache
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, ClassVar, Literal, overload

from ..errors import BackendUnavailableError, ConfigError

if TYPE_CHECKING:
    from .embed.base import EmbeddingBackend
    from .image.base import ImageBackend
    from .llm.base import LLMBackend
    from .music.base import MusicBackend
    from .speech.base import SpeechBackend
    from .video.base import VideoBackend

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "filmaster.backends"


class Backend(ABC):
    """Base of every backend. Settings come from filmaster.toml `[backends.<kind>]` or the CLI."""

    KIND: ClassVar[str]
    NAME: ClassVar[str]
    # Bump when a change alters the output, so cached results made by the older code are redone. (The source of
    # the backend's module and of the packages in CODE is also part of every key: see code_digest.py.)
    VERSION: ClassVar[str] = "1"
    # Modules or packages, besides the backend's own module, whose code decides its output (e.g. a renderer).
    CODE: ClassVar[tuple[str, ...]] = ()
    # The settings this backend understands; None accepts any. A misspelt setting is an error, not ignored.
    SETTINGS: ClassVar[frozenset[str] | None] = None

    def __init__(self, **settings: Any) -> None:
        unknown = set(settings) - self.SETTINGS if self.SETTINGS is not None else set()
        if unknown:
            raise ConfigError(
                f"unknown setting(s) {', '.join(sorted(unknown))} for {self.KIND} backend '{self.NAME}'; "
                f"use {', '.join(sorted(self.SETTINGS or ()))}"
            )
        self.settings = settings

    @property
    def cache_identity(self) -> dict[str, Any]:
        """What, besides the inputs, decides this backend's output (part of every cache key)."""
        from ..code_digest import code_digest

        code = code_digest(type(self).__module__, *self.CODE)
        return {"backend": self.NAME, "version": self.VERSION, "settings": self.settings, "code": code}


@cache
def _discovered() -> dict[tuple[str, str], type[Backend]]:
    found: dict[tuple[str, str], type[Backend]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = ep.load()
            key = (cls.KIND, cls.NAME)
        except Exception as exc:  # a plugin's bug must not break filmaster
            log.warning("skipping backend plugin %r (%s): %s", ep.name, ep.value, exc)
            continue
        found[key] = cls
    return found


def available_backends(kind: str) -> dict[str, type[Backend]]:
    """Registered backends of one kind, by name."""
    return {name: cls for (k, name), cls in sorted(_discovered().items()) if k == kind}


# Each kind's contract, "module:class" (imported on use: the contracts import this module).
CONTRACTS: dict[str, str] = {
    "video": "filmaster.backends.video.base:VideoBackend",
    "speech": "filmaster.backends.speech.base:SpeechBackend",
    "music": "filmaster.backends.music.base:MusicBackend",
    "embed": "filmaster.backends.embed.base:EmbeddingBackend",
    "llm": "filmaster.backends.llm.base:LLMBackend",
    "image": "filmaster.backends.image.base:ImageBackend",
}


def contract(kind: str) -> type[Backend]:
    """The base class every backend of `kind` implements."""
    module, _, cls = CONTRACTS[kind].partition(":")
    found: type[Backend] = getattr(import_module(module), cls)
    return found


@overload
def create_backend(kind: Literal["video"], name: str, **settings: Any) -> VideoBackend: ...
@overload
def create_backend(kind: Literal["speech"], name: str, **settings: Any) -> SpeechBackend: ...
@overload
def create_backend(kind: Literal["music"], name: str, **settings: Any) -> MusicBackend: ...
@overload
def create_backend(kind: Literal["embed"], name: str, **settings: Any) -> EmbeddingBackend: ...
@overload
def create_backend(kind: Literal["llm"], name: str, **settings: Any) -> LLMBackend: ...
@overload
def create_backend(kind: Literal["image"], name: str, **settings: Any) -> ImageBackend: ...
def create_backend(kind: str, name: str, **settings: Any) -> Backend:
    """The backend `name` of `kind`, built with `settings`; typed as its kind's contract, which it is checked to
    implement (a plugin whose class does not is refused here, not at its first call)."""
    backends = available_backends(kind)
    if name not in backends:
        valid = ", ".join(backends) or "none registered (is filmaster installed with pip?)"
        raise BackendUnavailableError(f"unknown {kind} backend '{name}'; available: {valid}")
    cls = backends[name]
    if kind in CONTRACTS and not issubclass(cls, contract(kind)):
        raise BackendUnavailableError(
            f"{kind} backend '{name}' ({cls.__module__}.{cls.__qualname__}) does not implement "
            f"{CONTRACTS[kind].replace(':', '.')}; fix or uninstall the plugin"
        )
    from .faults import with_faults  # a testing aid: `[faults]` in filmaster.toml wraps every backend made here

    return with_faults(cls(**settings))
