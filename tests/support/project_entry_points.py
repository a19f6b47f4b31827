"""The backends this checkout's pyproject.toml registers, made discoverable even where the installed metadata is
older (an editable install made before a backend was added): a throwaway dist-info on sys.path carries them."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project_backends(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from filmaster.backends import registry

    tmp_path = tmp_path_factory.mktemp("entry-points")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["entry-points"][registry.ENTRY_POINT_GROUP]
    info = tmp_path / "filmaster_checkout_backends-0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: filmaster-checkout-backends\nVersion: 0\n")
    lines = [f"[{registry.ENTRY_POINT_GROUP}]", *(f"{name} = {target}" for name, target in declared.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry._discovered.cache_clear()
    yield
    monkeypatch.undo()
    registry._discovered.cache_clear()  # the next test discovers what is installed again
