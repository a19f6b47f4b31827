"""The user's sound library on disk ($FILMASTER_HOME/sounds.json, one atomic file), adding folders to it and
searching it by description with the text embeddings of the configured embed backend."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..atomic import write_text_atomic
from ..backends.embed.base import EmbeddingBackend
from ..errors import FilmasterError, InputError
from ..home import filmaster_home
from ..model.sound_library import LibrarySound, SoundKind, SoundLibrary
from .scan import AUDIO_SUFFIXES, decode, scan

MIN_SCORE = 0.4  # cosine similarity under which a library sound is not taken for a description


def default_library_path() -> Path:
    return filmaster_home() / "sounds.json"


def load_library(path: Path | None = None) -> SoundLibrary:
    path = path or default_library_path()
    if not path.is_file():
        return SoundLibrary()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read sound library {path}: {exc.strerror}") from exc
    return SoundLibrary.from_json(text, str(path))


def save_library(library: SoundLibrary, path: Path | None = None) -> Path:
    return write_text_atomic(path or default_library_path(), library.to_json())


@dataclass
class AddReport:
    added: list[LibrarySound] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (file, why)


def _files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder or a file; give the folder of your sound effects and music")
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def add_folder(folder: Path, embedder: EmbeddingBackend, path: Path | None = None) -> tuple[SoundLibrary, AddReport]:
    """Index every audio file under `folder` (new or changed ones only); skip and report what cannot be read."""
    library = load_library(path)
    if library.embed_model not in (None, embedder.model_id):  # another vector space: embed everything again
        library = SoundLibrary(sounds=[s.model_copy(update={"embedding": []}) for s in library.sounds])
    known = {s.path: s for s in library.sounds}
    report = AddReport()
    root = folder if folder.is_dir() else folder.parent
    for file in _files(folder):
        if file.suffix.lower() not in AUDIO_SUFFIXES:
            report.skipped.append((file, f"unsupported file type '{file.suffix or file.name}'"))
            continue
        old = known.get(str(file.resolve()))
        stat = file.stat()
        if old is not None and (old.size, old.mtime_ns) == (stat.st_size, stat.st_mtime_ns) and old.embedding:
            report.unchanged += 1
            continue
        try:
            sound = scan(file, root)
        except FilmasterError as exc:
            report.skipped.append((file, str(exc)))
            continue
        known[sound.path] = sound
        report.added.append(sound)
    missing = [s for s in known.values() if not s.embedding]
    if missing:
        vectors = embedder.embed([s.description for s in missing])
        for sound, vector in zip(missing, vectors, strict=True):
            known[sound.path] = sound.model_copy(update={"embedding": [round(float(v), 6) for v in vector]})
    updated = SoundLibrary(embed_model=embedder.model_id, sounds=sorted(known.values(), key=lambda s: s.path))
    save_library(updated, path)
    report.added = [known[s.path] for s in report.added]
    return updated, report


def search(
    library: SoundLibrary,
    description: str,
    embedder: EmbeddingBackend,
    kind: SoundKind | str | None = None,
    top_k: int = 5,
) -> list[tuple[LibrarySound, float]]:
    """Sounds of `kind` (any kind: None) closest to `description`, best first, with their cosine similarity."""
    pool = [s for s in library.sounds if s.embedding and (kind is None or s.kind == SoundKind(kind))]
    if not pool:
        return []
    if library.embed_model not in (None, embedder.model_id):
        raise InputError(
            f"the sound library was embedded with '{library.embed_model}', not '{embedder.model_id}'; "
            "run `filmaster sounds add` on its folders again"
        )
    query = embedder.embed([description])[0]
    scores = np.asarray([s.embedding for s in pool], dtype=np.float32) @ query
    order = np.argsort(-scores)[:top_k]
    return [(pool[i], float(scores[i])) for i in order]


_default_embedder: EmbeddingBackend | None = None
_embedder_lock = threading.Lock()


def _embedder() -> EmbeddingBackend:
    """The configured embed backend, made once (loading the model takes a second)."""
    global _default_embedder
    with _embedder_lock:
        if _default_embedder is None:
            from ..backends.registry import create_backend
            from ..config import find_config_file, load_config

            cfg = load_config(find_config_file(Path.cwd()))
            backend = create_backend("embed", cfg.backends.embed, **cfg.backends.settings.get("embed", {}))
            _default_embedder = backend
        return _default_embedder


def find_sound(
    description: str,
    kind: str,
    *,
    library: SoundLibrary | None = None,
    embedder: EmbeddingBackend | None = None,
    min_score: float = MIN_SCORE,
) -> LibrarySound | None:
    """The user's sound of `kind` ("sfx", "ambience" or "music") that best fits `description`, or None when the
    library holds none close enough (then sound design synthesises one). For sound design to call."""
    library = library if library is not None else load_library()
    if not any(s.kind == SoundKind(kind) for s in library.sounds):
        return None  # no model to load when there is nothing to find
    found = search(library, description, embedder or _embedder(), kind, top_k=1)
    return found[0][0] if found and found[0][1] >= min_score else None


def read_sound(sound: LibrarySound, sample_rate: int) -> np.ndarray:
    """A library sound's samples ((n, channels) float32) at `sample_rate`, ready to lay on a stem."""
    from ..audio.dsp import resample

    path = Path(sound.path)
    if not path.is_file():
        raise InputError(f"{path} is no longer there; run `filmaster sounds add` on its folder again")
    audio, rate, _ = decode(path)
    if rate != sample_rate:
        audio = np.stack([resample(audio[:, c], rate, sample_rate) for c in range(audio.shape[1])], axis=1)
    return np.ascontiguousarray(audio, dtype=np.float32)


def effects_lookup(path: Path | None = None) -> Callable[[str], Path | None] | None:
    """Sound design's hook: an effect's description -> the user's WAV effect that fits it, or None (the
    synthesiser plays it). None when the library holds no WAV effect at all, so no model is loaded."""
    library = load_library(path)
    if not any(s.kind == SoundKind.SFX and Path(s.path).suffix.lower() == ".wav" for s in library.sounds):
        return None

    def lookup(description: str) -> Path | None:
        found = find_sound(description, SoundKind.SFX.value, library=library)
        if found is None or Path(found.path).suffix.lower() != ".wav" or not Path(found.path).is_file():
            return None
        return Path(found.path)

    return lookup
