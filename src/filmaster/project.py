"""The output folder of one film: deliverables, `media/`, and a content-addressed cache of finished work.

Layout::

    out/story/
      film.mp4  film.otio  plan.json  shotlist.md  shotlist.csv  storyboard.png
      media/shots/S01-02.mp4      media/audio/dlg-S01-02-1.wav ...
      .filmaster/manifest.json    # which screenplay this folder belongs to, hashes of what was written
      .filmaster/cache/<namespace>/<key>.<ext>

Every unit of work (one shot's render, one spoken line, one music cue...) is stored under the hash of its inputs,
its configuration and its code version. Re-running redoes only units whose key changed; a crash loses nothing
that was finished, because each object is written atomically before it is used.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, lock
from .atomic import atomic_path, write_text_atomic
from .backends.resilience import FallbackLog
from .errors import FilmasterError, OutputExistsError
from .verify import load_array

STATE_DIR = ".filmaster"
MANIFEST = "manifest.json"


def content_key(*parts: Any) -> str:
    """A stable hash of JSON-able parts (pydantic models are dumped in JSON mode)."""

    def default(obj: Any) -> Any:
        if hasattr(obj, "model_dump"):
            return obj.model_dump(mode="json")
        if isinstance(obj, Path):
            return str(obj)
        raise TypeError(f"cannot hash {type(obj).__name__}")

    blob = json.dumps(parts, sort_keys=True, default=default, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:32]


@dataclass
class WorkCounter:
    """How many units each namespace computed or found in the cache during this run (tests read this)."""

    computed: Counter[str] = field(default_factory=Counter)
    reused: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"computed": dict(self.computed), "reused": dict(self.reused)}


class Cache:
    """Content-addressed store of finished work under `.filmaster/cache`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = WorkCounter()
        self._lock = threading.Lock()
        self.used: set[str] = set()  # entries this run looked up (relative paths): what `cache prune` keeps
        self.fallbacks = FallbackLog()  # units that failed every retry and fell back (reported at the run's end)

    def path(self, namespace: str, key: str, suffix: str) -> Path:
        self.used.add(f"{namespace}/{key}{suffix}")
        return self.root / namespace / f"{key}{suffix}"

    def has(self, namespace: str, key: str, suffix: str) -> bool:
        return self.path(namespace, key, suffix).is_file()

    def fetch_or_make(
        self,
        namespace: str,
        key: str,
        suffix: str,
        make: Callable[[Path], None],
        intact: Callable[[Path], bool] | None = None,
    ) -> Path:
        """Return the stored object, calling `make(tmp_path)` to produce it first if it is missing, or if
        `intact(stored)` says it is damaged."""
        target = self.path(namespace, key, suffix)
        if target.is_file() and (intact is None or intact(target)):
            self.record(namespace, computed=False)
            return target
        with atomic_path(target) as tmp:
            make(tmp)
        self.record(namespace, computed=True)
        return target

    def fetch_or_make_array(self, namespace: str, key: str, suffix: str, make: Callable[[Path], None]) -> Any:
        """`fetch_or_make` of an .npy/.npz object, loaded; a damaged stored one is made again, not a traceback."""
        stored = load_array(self.fetch_or_make(namespace, key, suffix, make))
        if stored is None:  # load_array removed the damaged file
            stored = load_array(self.fetch_or_make(namespace, key, suffix, make))
        if stored is None:
            raise FilmasterError(f"cannot read back {self.path(namespace, key, suffix)} just written; check the disk")
        return stored

    def record(self, namespace: str, *, computed: bool) -> None:
        """Count work done outside `fetch_or_make` (e.g. by a process pool)."""
        with self._lock:  # stages may deliver from two threads
            (self.work.computed if computed else self.work.reused)[namespace] += 1


def publish(source: Path, target: Path) -> None:
    """Place a cached object at its deliverable path (hard link when possible, else copy), atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and os.path.samefile(source, target):
        return
    with atomic_path(target) as tmp:
        tmp.unlink()
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)


class Project:
    """One output folder. Creating it checks that it is ours to write."""

    def __init__(self, out_dir: Path, source: Path, *, force: bool = False) -> None:
        # Absolute, so that a path made from it means one file whatever it is joined to (`-o out` is relative).
        self.out = Path(os.path.abspath(out_dir))
        self.state = self.out / STATE_DIR
        self._manifest_lock = threading.Lock()  # read-modify-write of the manifest, from any thread
        self._digests: dict[tuple[str, int, int, int], str] = {}  # a file's digest, while it stays the same file
        self._claim(source.resolve(), force)
        self.cache = Cache(self.state / "cache")

    def _claim(self, source: Path, force: bool) -> None:
        out = self.out
        if out.exists() and not out.is_dir():
            raise OutputExistsError(f"output path {out} is a file; choose a folder name (-o)")
        manifest_path = self.state / MANIFEST
        if out.is_dir() and any(out.iterdir()) and not force:
            if not manifest_path.is_file():
                raise OutputExistsError(
                    f"output folder {out} already holds other files; choose an empty folder or pass --force"
                )
            owner = self.manifest().get("source")
            if owner and owner != source.name:
                raise OutputExistsError(
                    f"output folder {out} holds the film of '{owner}', not '{source.name}'; "
                    "choose another folder or pass --force to replace it"
                )
        try:
            self.state.mkdir(parents=True, exist_ok=True)
            probe = self.state / ".write-test"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise FilmasterError(
                f"cannot write to output folder {out}: {exc.strerror}; choose a writable folder with -o"
            ) from exc
        # From here on this run owns the folder: a second `make` on it stops with one line instead of both failing.
        if lock.acquire(self.state, out):
            lock.remove_stale_parts(out)
        self._unlock = weakref.finalize(self, lock.release, self.state)
        if force and manifest_path.exists():
            # --force replaces the previous film; its cache stays useful and is kept.
            for name in ("film.mp4", "film.otio", "plan.json"):
                (out / name).unlink(missing_ok=True)
        self.update_manifest(source=source.name)

    def close(self) -> None:
        """Release the folder for other runs (also done when the project is garbage-collected or the process ends)."""
        self._unlock()

    def manifest(self) -> dict[str, Any]:
        path = self.state / MANIFEST
        if not path.is_file():
            return {}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return {}

    def update_manifest(self, **fields: Any) -> None:
        with self._manifest_lock:
            data = self.manifest()
            data.update(fields, filmaster=__version__)
            write_text_atomic(self.state / MANIFEST, json.dumps(data, indent=2))

    def digest(self, path: Path | str) -> str:
        """`file_digest` of a file (a path relative to the output folder, or absolute), hashed once per run.

        Several stages key their results by the same takes and stems; a file replaced since (a new cache object
        published under the same name) has another inode or mtime, so it is hashed again.
        """
        target = self.out / path
        stat = target.stat()
        identity = (str(target), stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if identity not in self._digests:
            self._digests[identity] = file_digest(target)
        return self._digests[identity]

    def media_digest(self, media: list[str]) -> str:
        """One digest of the content of the media files a result is made from (paths relative to the folder).

        Keys of whole-film results (the mix, the film, the storyboard) must cover the bytes they consume, not the
        paths: a re-rendered shot or line keeps its file name.
        """
        return content_key([(name, self.digest(name)) for name in media])

    def rel(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()
