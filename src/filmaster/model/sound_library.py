"""The user's sound library: their own effects, ambiences and music, indexed for search by description."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from .base import Artifact


class SoundKind(StrEnum):
    SFX = "sfx"
    AMBIENCE = "ambience"
    MUSIC = "music"


class LibrarySound(Artifact):
    path: str  # absolute path of the file, as added
    kind: SoundKind
    tags: list[str] = Field(default_factory=list)  # words of the file name, its folders and its metadata
    title: str | None = None  # the file's title tag, when it has one
    duration_s: float
    loudness_lufs: float | None = None  # integrated loudness (None: too short or silent to gate)
    peak_dbfs: float
    sample_rate: int
    channels: int
    size: int  # bytes and modification time: a changed file is measured again
    mtime_ns: int
    embedding: list[float] = Field(default_factory=list, repr=False)  # of `description`, unit length

    @property
    def description(self) -> str:
        """The text embedded for search (the kind is a filter, not part of the meaning)."""
        words = " ".join(self.tags)
        return f"{self.title}; {words}" if self.title else words


class SoundLibrary(Artifact):
    SCHEMA: ClassVar[str] = "SoundLibrary.1"

    embed_model: str | None = None  # model id of the embeddings: another model re-embeds everything
    sounds: list[LibrarySound] = Field(default_factory=list)
