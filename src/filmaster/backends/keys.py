"""API keys of hosted services: read from the environment only, never from files, never written anywhere."""

from __future__ import annotations

import os

from ..errors import BackendUnavailableError


def env_api_key(kind: str, name: str, env: str) -> str:
    """The key in `env`, or a one-line error saying which variable the `kind` backend `name` needs."""
    key = os.environ.get(env, "")
    if not key:
        raise BackendUnavailableError(
            f"{kind} backend '{name}' needs an API key in the environment variable {env}; "
            f"export {env}=... (keys are never read from files)"
        )
    return key
