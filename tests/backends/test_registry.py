"""The backend factory hands back an instance of its kind's contract, or refuses the plugin in one line."""

from __future__ import annotations

from typing import ClassVar

import pytest

from filmaster.backends import registry
from filmaster.backends.registry import Backend, create_backend
from filmaster.backends.video.base import VideoBackend
from filmaster.errors import BackendUnavailableError


class _RogueVideo(Backend):
    """Says it is a video backend but implements no part of VideoBackend."""

    KIND: ClassVar[str] = "video"
    NAME: ClassVar[str] = "rogue"


def test_a_plugin_that_does_not_implement_its_kind_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    found = {**registry._discovered(), ("video", "rogue"): _RogueVideo}
    monkeypatch.setattr(registry, "_discovered", lambda: found)
    with pytest.raises(BackendUnavailableError, match=r"video backend 'rogue' .*does not implement .*VideoBackend"):
        create_backend("video", "rogue")
    made = create_backend("video", "previz")  # the built-in one, found the same way, passes the check
    assert isinstance(made, VideoBackend) and type(made).__name__ == "PrevizVideoBackend"


def test_every_kind_named_in_the_contracts_resolves_to_a_backend_base() -> None:
    for kind in registry.CONTRACTS:
        base = registry.contract(kind)
        assert issubclass(base, Backend) and kind == base.KIND


def test_finding_the_backends_and_making_the_sound_ones_leaves_scipy_signal_unimported():
    """A run finds every backend and makes its voice and music before the render workers start; scipy.signal
    (about a second to import) waits until a sound is filtered, by when they are rendering."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "import filmaster.cli, filmaster.pipeline\n"
        "from filmaster.backends.registry import available_backends, create_backend\n"
        "available_backends('video')\n"
        "create_backend('music', 'midi-score'), create_backend('speech', 'piper')\n"
        "print('scipy.signal' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False", done.stderr
