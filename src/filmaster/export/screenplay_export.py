"""The film's screenplay converted between Fountain and Final Draft: `filmaster export OUT --format fountain|fdx`.

The screenplay is the file `make` read (the manifest keeps its path). It is converted only while it is still the
one the film was made from, so the file written is the film's screenplay and not a later draft of it.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..formats.fdx import fdx_text
from ..formats.fountain_writer import fountain_text
from ..model.screenplay import Screenplay
from ..project import file_digest
from ..stages.develop import develop

# format name -> (the file's suffix, the writer)
CONVERSIONS = {"fountain": (".fountain", fountain_text), "fdx": (".fdx", fdx_text)}


def screenplay_source(manifest: dict[str, object], out: Path) -> Path:
    """The screenplay the film in `out` was made from; InputError when it moved or changed since."""
    recorded = manifest.get("source_path")
    source = Path(str(recorded)) if recorded else None
    if source is None or not source.is_file():
        raise InputError(
            f"the screenplay of {out} ({recorded or 'unknown'}) is no longer where the film was made from; "
            f"run `filmaster make SCREENPLAY -o {out}` on it again"
        )
    if manifest.get("screenplay_digest") not in (None, file_digest(source)):
        raise InputError(
            f"{source} changed since the film in {out} was made; run `filmaster make {source} -o {out}` first, "
            "so the converted screenplay is the film's"
        )
    return source


def screenplay_texts(source: Path, name: str, dest: Path) -> dict[Path, str]:
    """The screenplay at `source` in format `name` (fountain or fdx), by its path in `dest`."""
    suffix, write = CONVERSIONS[name]
    target = dest / f"{source.stem}{suffix}"
    if target.resolve() == source.resolve():
        raise InputError(f"converting {source} to {name} would replace it; pass another folder with --dest")
    screenplay: Screenplay = develop(source)
    return {target: write(screenplay)}
