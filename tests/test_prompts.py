"""Prompt templates ship as versioned package files, each with a system part; the loader takes the newest."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from filmaster.prompts import load_prompt

ROOT = Path(__file__).resolve().parents[1]


def _templates() -> list[tuple[str, str]]:
    found = []
    for group in resources.files("filmaster.prompts").iterdir():
        if group.is_dir() and not group.name.startswith("__"):
            found += [(group.name, entry.name) for entry in group.iterdir() if entry.name.endswith(".md")]
    return found


def test_every_template_is_versioned_has_a_system_part_and_is_package_data() -> None:
    templates = _templates()
    assert ("develop", "scene.v1.md") in templates and ("camera", "replan.v1.md") in templates
    for group, name in templates:
        match = re.fullmatch(r"([a-z0-9_]+)\.v(\d+)\.md", name)
        assert match, f"{group}/{name} is not named <name>.v<N>.md"
        prompt = load_prompt(group, match[1])
        assert prompt.system and prompt.identity.startswith(f"{group}/{match[1]}.v")
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["filmaster"]
    assert "prompts/*/*.md" in data


def test_placeholders_are_filled_and_a_missing_one_is_a_bug() -> None:
    prompt = load_prompt("develop", "synopsis")
    system, user = prompt.render(idea="A storm.", minutes=2, scenes=3, references="")
    assert "A storm." in user and "$" not in user + system
    with pytest.raises(KeyError):
        prompt.render(idea="A storm.")
    with pytest.raises(LookupError):
        load_prompt("develop", "nothing")
