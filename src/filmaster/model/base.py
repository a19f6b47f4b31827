"""Common base for artifacts: frozen, strict, JSON round-trip, schema-versioned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import InputError


class Artifact(BaseModel):
    """A typed, versioned, JSON-serialisable value exchanged between stages."""

    # NaN and infinity are refused everywhere: no duration, position or level may be one.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    SCHEMA: ClassVar[str] = "Artifact.1"

    def to_json(self) -> str:
        data = self.model_dump(mode="json")
        return json.dumps({"schema": self.SCHEMA, **data}, indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, source: str = "<string>") -> Self:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}: not valid JSON (line {exc.lineno}: {exc.msg}); fix or delete it") from exc
        if not isinstance(data, dict):
            raise InputError(f"{source}: expected a JSON object holding a {cls.SCHEMA}")
        schema = data.pop("schema", cls.SCHEMA)
        if schema != cls.SCHEMA:
            kind = cls.SCHEMA.split(".")[0]
            if str(schema).split(".")[0] != kind:
                raise InputError(f"{source}: holds a '{schema}', not a '{cls.SCHEMA}'; give the {kind} file here")
            raise InputError(
                f"{source}: holds a '{schema}', expected '{cls.SCHEMA}' (another version of filmaster wrote it); "
                "delete it and make it again (for a film's files: run `filmaster make`)"
            )
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            at = f" at '{where}'" if where else ""
            message = str(first["msg"]).removeprefix("Value error, ")
            raise InputError(f"{source}: invalid {cls.SCHEMA}{at}: {message}") from exc

    @classmethod
    def load(cls, path: Path) -> Self:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from exc
        return cls.from_json(text, source=str(path))
