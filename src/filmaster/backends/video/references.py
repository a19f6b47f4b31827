"""The character and location pictures of a shot, as the video services take them.

A shot's references are the pictures of the characters it shows (its camera subjects first, then the rest of
its scene's cast) and of its location (plan.json `reference_image` of the cast member and of the scene). Each
vendor takes them differently — raw base64 (Kling), base64 with a MIME type (Veo), data URIs (fal, Replicate),
or not at all on its video endpoint (Runway image_to_video, Luma Ray) — so this module gives the pictures in each
form, and for a service that cannot take them, the cast's looks in words for the prompt.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...model import CastMember
from ...model.shot_request import ShotRequest


def named_references(request: ShotRequest) -> list[tuple[str, Path]]:
    """The shot's reference pictures with whom or what they show: its subjects', the rest of its scene's
    characters', then its location's."""
    subjects = [name for name in request.shot.camera.subjects if name in request.cast]
    others = [name for name in request.cast if name not in subjects]
    named = [(name, request.cast[name].reference_image) for name in [*subjects, *others]]
    named.append((request.scene.location, request.scene.reference_image))
    seen: dict[str, str] = {}
    for name, picture in named:
        if picture:
            seen.setdefault(picture, name)  # one picture shared by two roles is sent once
    return [(name, Path(picture)) for picture, name in seen.items()]


def picture_digest(picture: str | Path) -> str:
    """A reference picture for a cache key: its bytes' digest, so that a picture painted over regenerates what
    shows it and the same picture moved does not; a file that is not there keys by its path (it fails later)."""
    path = Path(picture)
    if not path.is_file():
        return str(picture)
    stat = path.stat()
    return _digest_of(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _digest_of(path: Path, mtime_ns: int, size: int) -> str:
    # Every shot's key reads its pictures: each file is hashed once while it stays the same file.
    return hashlib.sha256(path.read_bytes()).hexdigest()


def by_content(doc: dict[str, Any]) -> dict[str, Any]:
    """A cast member's or scene's JSON for a cache key, its `reference_image` given by content, not by path."""
    picture = doc.get("reference_image")
    return {**doc, "reference_image": picture_digest(picture)} if picture else doc


def shot_references(request: ShotRequest) -> tuple[Path, ...]:
    """The shot's reference pictures, in the order of `named_references`."""
    return tuple(path for _, path in named_references(request))


def mime_type(path: Path) -> str:
    """The picture's MIME type from its content (a .png that is a JPEG is sent as what it is)."""
    head = path.read_bytes()[:8]
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if head.startswith(b"RIFF"):
        return "image/webp"
    return "image/png"


def data_uri(path: Path) -> str:
    return f"data:{mime_type(path)};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def reference_field(model: str, settings: dict[str, Any], known: dict[str, tuple[str, int]]) -> tuple[str, int] | None:
    """For a gateway serving many models (fal, Replicate): the input field of `model` that takes a list of
    reference pictures and how many it takes — from the backend's `reference_field` / `max_references` settings,
    else from the models whose schema we know; None when the model takes none."""
    field = settings.get("reference_field")
    if field:
        return str(field), int(settings.get("max_references", 3))
    return known.get(model)


def gateway_slot(
    model: str, settings: dict[str, Any], known: dict[str, tuple[str, int]], request: ShotRequest
) -> tuple[str, int] | None:
    """`reference_field` when the shot has pictures to send in it, else None."""
    slot = reference_field(model, settings, known)
    return slot if slot is not None and shot_references(request) else None


def looks_sentence(request: ShotRequest) -> str:
    """The shot's characters' looks in words, for a service that cannot be sent their pictures."""
    subjects = [name for name in request.shot.camera.subjects if name in request.cast] or list(request.cast)
    return " ".join(_look(name, request.cast[name]) for name in subjects)


def _look(name: str, member: CastMember) -> str:
    from ...develop.looks import HAIR, SHIRTS

    shirt, trousers, hair = (
        _nearest(member.shirt, SHIRTS),
        _nearest(member.trousers, SHIRTS | HAIR),
        _nearest(member.hair, HAIR),
    )
    return f"{name.title()} always wears a {shirt} shirt and {trousers} trousers and has {hair} hair."


def _nearest(rgb: tuple[float, float, float], palette: dict[str, tuple[float, float, float]]) -> str:
    return min(palette, key=lambda name: sum((a - b) ** 2 for a, b in zip(rgb, palette[name], strict=True)))
