"""`develop --refs DIR`: pictures of characters and locations, named after them (mara.png, ferry_deck.jpg)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}


def reference_pictures(folder: Path | None) -> dict[str, Path]:
    """Pictures by the name they show (upper case, `_` and `-` as spaces); InputError for a file that is no image."""
    if folder is None:
        return {}
    if not folder.is_dir():
        raise InputError(f"--refs {folder}: no such folder; give a folder of PNG or JPEG pictures")
    from PIL import Image, UnidentifiedImageError

    pictures: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        try:
            with Image.open(path) as image:
                image.verify()
        except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
            raise InputError(f"--refs: {path} is not a readable image; replace it with a PNG or JPEG") from None
        pictures[reference_name(path.stem)] = path.resolve()
    if not pictures:
        raise InputError(f"--refs {folder}: no .png/.jpg/.webp pictures in it; name them after characters or places")
    return pictures


def reference_name(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").upper().split())
