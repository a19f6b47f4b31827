"""Prompt templates kept as versioned files in the package (`<group>/<name>.v<N>.md`), not as strings in code.

A template has a `## system` and a `## user` section; `$name` placeholders are filled with `string.Template`, so the
JSON braces a prompt shows stay literal. The version in the file name goes into every cache key made from the prompt:
editing a prompt means adding `.v<N+1>.md`, and answers cached under the old one are asked again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from string import Template

_FILE = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>\d+)\.md$")
_SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Prompt:
    name: str  # e.g. "develop/synopsis"
    version: int
    system: str
    user: str

    def render(self, **values: object) -> tuple[str, str]:
        """The system and user messages with every `$placeholder` filled (a missing one is a KeyError: a bug)."""
        fill = {key: str(value) for key, value in values.items()}
        return Template(self.system).substitute(fill), Template(self.user).substitute(fill)

    @property
    def identity(self) -> str:
        return f"{self.name}.v{self.version}"


def load_prompt(group: str, name: str) -> Prompt:
    """The newest version of the template `group/name` shipped in the package."""
    versions = {
        int(match["version"]): entry
        for entry in resources.files(__package__).joinpath(group).iterdir()
        if (match := _FILE.match(entry.name)) and match["name"] == name
    }
    if not versions:
        raise LookupError(f"no prompt template {group}/{name}.v<N>.md in the package")
    version = max(versions)
    text = versions[version].read_text(encoding="utf-8")
    parts = _SECTION.split(text)  # [preamble, "system", body, "user", body]
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    return Prompt(f"{group}/{name}", version, sections.get("system", ""), sections.get("user", ""))
