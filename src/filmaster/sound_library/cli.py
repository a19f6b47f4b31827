"""`filmaster sounds add | list | search`: the user's sound library from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

sounds_app = typer.Typer(help="Your own sound effects, ambiences and music, searched by description.")
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)
LibraryOption = Annotated[
    Path | None, typer.Option("--library", help="Your sound library file (default: $FILMASTER_HOME/sounds.json).")
]


def _embedder():
    from ..backends.registry import create_backend
    from ..config import find_config_file, load_config

    cfg = load_config(find_config_file(Path.cwd()))
    return create_backend("embed", cfg.backends.embed, **cfg.backends.settings.get("embed", {}))


@sounds_app.command("add")
def sounds_add(
    folder: Annotated[Path, typer.Argument(help="A folder of sound files (or one file).", show_default=False)],
    library: LibraryOption = None,
) -> None:
    """Index the audio files under FOLDER: tags from names and metadata, duration and loudness, text embeddings."""
    from .store import add_folder, default_library_path

    updated, report = add_folder(folder, _embedder(), library)
    for sound in report.added:
        loud = f"{sound.loudness_lufs:.1f} LUFS" if sound.loudness_lufs is not None else "too short to gate"
        _out.print(f"added {sound.kind.value:8} {sound.duration_s:6.2f} s {loud:>17}  {escape(sound.path)}")
    for path, why in report.skipped:
        _err.print(f"[yellow]skipped:[/] {escape(str(path))}: {escape(why)}")
    _out.print(
        f"{library or default_library_path()}: {len(updated.sounds)} sounds "
        f"({len(report.added)} added or updated, {report.unchanged} unchanged, {len(report.skipped)} skipped)"
    )


@sounds_app.command("list")
def sounds_list(
    kind: Annotated[str | None, typer.Option(help="Only sfx, ambience or music.")] = None,
    library: LibraryOption = None,
) -> None:
    """Every sound of the library: kind, duration, loudness, tags."""
    from .store import load_library

    for sound in load_library(library).sounds:
        if kind is None or sound.kind.value == kind:
            loud = f"{sound.loudness_lufs:6.1f}" if sound.loudness_lufs is not None else "     -"
            _out.print(f"{sound.kind.value:8} {sound.duration_s:7.2f} s {loud} LUFS  {escape(sound.path)}")
            _out.print(f"         {escape(', '.join(sound.tags))}")


@sounds_app.command("search")
def sounds_search(
    description: Annotated[str, typer.Argument(help="What the sound is, in words.", show_default=False)],
    kind: Annotated[str | None, typer.Option(help="Only sfx, ambience or music.")] = None,
    top: Annotated[int, typer.Option(help="How many to show.")] = 5,
    library: LibraryOption = None,
) -> None:
    """The library's sounds closest to DESCRIPTION, best first, with their similarity."""
    from ..errors import ConfigError
    from ..model.sound_library import SoundKind
    from .store import load_library, search

    if kind is not None and kind not in {k.value for k in SoundKind}:
        raise ConfigError(f"--kind {kind!r}: use one of {', '.join(k.value for k in SoundKind)}")
    found = search(load_library(library), description, _embedder(), kind, top_k=top)
    if not found:
        _err.print("no sounds in the library yet; add a folder with `filmaster sounds add FOLDER`")
    for sound, score in found:
        _out.print(f"{score:5.2f}  {sound.kind.value:8} {sound.duration_s:6.2f} s  {escape(sound.path)}")
