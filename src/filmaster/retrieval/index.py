"""A vector index over the corpus, embedded in the process (faiss; no server), persisted beside the corpus.

Vectors are L2-normalised, so inner product is cosine similarity. Small corpora use exact search (IndexFlatIP);
from `IVF_THRESHOLD` entries on, an inverted-file index scans only the `nprobe` nearest of ~2·√n clusters, and
stores each vector as 8-bit scalar codes (IndexIVFScalarQuantizer: 384 bytes for a MiniLM vector instead of
1,536), so a studio's archive of a million clips is served in a few hundred MB and within a few milliseconds a
query on two cores (benchmarks/bench_index.py). An index file larger than `MMAP_BYTES` is memory-mapped rather
than read: ten million entries are served from disk, the operating system keeping the lists in use in memory.
A large index is built without holding its float vectors: `trained()` on a sample, then `add()` in chunks.

On disk, `<stem>.faiss` holds the vectors and `<stem>.index.json` the sidecar: the embedding model id, the
dimension, the entry ids in order and a digest of each entry's `embedding_text`. The sidecar lets an update
embed only the entries that are new or whose text changed, and refuses an index made by another model.
Indexes of the older kinds (flat IVF) are still read and searched as they are.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..atomic import atomic_path, write_text_atomic
from ..backends.embed.base import EmbeddingBackend
from ..errors import InputError
from ..model.corpus import Corpus, CorpusEntry

SIDECAR_SCHEMA = "CorpusIndex.1"
IVF_THRESHOLD = 50_000
SMALL_BATCH = 16  # fewer queries than this are searched on one thread
REINDEX_HINT = "rebuild with `filmaster corpus reindex`"
IndexKind = Literal["auto", "flat", "ivf", "ivf-sq8"]
MMAP_BYTES = 1 << 30  # index files from 1 GiB on are memory-mapped, not read into memory


def _faiss() -> Any:
    import faiss  # imported on first use: it takes a while to load

    return faiss


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def index_paths(base: Path) -> tuple[Path, Path]:
    """(`<base>.faiss`, `<base>.index.json`) for a corpus file `<base>.json` or a bare stem."""
    stem = base.with_suffix("") if base.suffix == ".json" else base
    return stem.with_name(stem.name + ".faiss"), stem.with_name(stem.name + ".index.json")


class VectorIndex:
    """Top-k inner-product search over unit vectors, exact or IVF, that can grow and be read back."""

    def __init__(self, index: Any, kind: str, mapped_from: Path | None = None) -> None:
        self._index = index
        self.kind = kind
        self._mapped_from = mapped_from  # the file a memory-mapped index reads its lists from (read-only)

    @classmethod
    def build(cls, vectors: np.ndarray, kind: IndexKind = "auto", nprobe: int = 32) -> VectorIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n = len(vectors)
        if kind == "auto":
            kind = "ivf-sq8" if n >= IVF_THRESHOLD else "flat"
        index = cls.trained(vectors, n, kind, nprobe)
        index.add(vectors)
        return index

    @classmethod
    def trained(cls, sample: np.ndarray, expected: int, kind: IndexKind = "ivf-sq8", nprobe: int = 32) -> VectorIndex:
        """An empty index ready for `add()`, its clusters (and code ranges) learnt from `sample`, sized for
        `expected` entries: builds an index of any size in chunks, without all its vectors in memory."""
        faiss = _faiss()
        sample = np.ascontiguousarray(sample, dtype=np.float32)
        dim = sample.shape[1]
        if kind in ("auto", "flat"):
            return cls(faiss.IndexFlatIP(dim), "flat")
        nlist = max(1, min(len(sample) // 39, int(2 * math.sqrt(expected))))  # faiss wants ≥ 39 points a list
        quantizer = faiss.IndexFlatIP(dim)
        if kind == "ivf":
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexIVFScalarQuantizer(
                quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
        index.cp.max_points_per_centroid = 64  # train on a sample: k-means on all 1M points adds minutes
        index.cp.seed = 1234
        index.train(sample)
        index.nprobe = min(nprobe, nlist)
        return cls(index, kind)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def add(self, vectors: np.ndarray) -> None:
        if self._mapped_from is not None:  # mapped lists cannot grow: read the index into memory first
            self._index = _faiss().read_index(str(self._mapped_from))
            self._mapped_from = None
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def vectors(self) -> np.ndarray:
        """Every stored vector, in insertion order."""
        if self.size == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.kind != "flat":  # (8-bit codes give back their decoded values, within one step of 1/255)
            self._index.make_direct_map()
        return self._index.reconstruct_n(0, self.size)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, positions), each (len(queries), k); a missing neighbour has position -1."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = min(k, max(self.size, 1))
        if len(queries) >= SMALL_BATCH:
            return self._index.search(queries, k)
        # A few queries run on one thread: OpenMP's fork/join costs more than the scan itself, and on a busy
        # 2-core machine its spinning threads stall (10k entries, one query: p50 0.7 ms on 1 thread, 17 ms on 2).
        faiss = _faiss()
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            return self._index.search(queries, k)
        finally:
            faiss.omp_set_num_threads(threads)

    def write(self, path: Path) -> None:
        with atomic_path(path) as tmp:
            _faiss().write_index(self._index, str(tmp))

    @classmethod
    def read(cls, path: Path, *, mmap: bool | None = None) -> VectorIndex:
        """The index in `path`; memory-mapped when `mmap`, or by default when the file is `MMAP_BYTES` or more."""
        faiss = _faiss()
        if mmap is None:
            mmap = path.stat().st_size >= MMAP_BYTES if path.exists() else False
        try:
            index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0)
        except RuntimeError as exc:  # faiss reports every unreadable file this way
            raise InputError(f"index file {path} is corrupt or unreadable; {REINDEX_HINT}") from exc
        if isinstance(index, faiss.IndexIVFScalarQuantizer):
            kind = "ivf-sq8"
        elif isinstance(index, faiss.IndexIVF):
            kind = "ivf"
        else:
            kind = "flat"
        return cls(index, kind, path if mmap else None)


@dataclass
class CorpusIndex:
    """The corpus entries, their vectors and the model that made them."""

    entries: list[CorpusEntry]
    vectors: VectorIndex
    model_id: str
    digests: list[str]

    @classmethod
    def build(cls, corpus: Corpus, embedder: EmbeddingBackend, kind: IndexKind = "auto") -> CorpusIndex:
        texts = [entry.embedding_text for entry in corpus.entries]
        vectors = embedder.embed(texts) if texts else np.zeros((0, embedder.dimension), dtype=np.float32)
        return cls(
            entries=list(corpus.entries),
            vectors=VectorIndex.build(vectors, kind),
            model_id=embedder.model_id,
            digests=[text_digest(t) for t in texts],
        )

    def updated(self, corpus: Corpus, embedder: EmbeddingBackend) -> tuple[CorpusIndex, int]:
        """This index brought in line with `corpus`, and how many texts had to be embedded for it.

        Entries whose id and text are unchanged keep their stored vectors; appended entries are added to the
        existing faiss index; any other change (an edit, a removal, a reordering, or an exact index growing past
        IVF_THRESHOLD) rebuilds the faiss index from the kept and the new vectors, which costs no embedding.
        An append grows this index's faiss store in place: use only the returned index afterwards."""
        self.check_model(embedder, "<in memory>")
        texts = [entry.embedding_text for entry in corpus.entries]
        digests = [text_digest(t) for t in texts]
        old_keys = [(e.id, d) for e, d in zip(self.entries, self.digests, strict=True)]
        new_keys = [(e.id, d) for e, d in zip(corpus.entries, digests, strict=True)]
        known = {key: i for i, key in enumerate(old_keys)}
        missing = [i for i, key in enumerate(new_keys) if key not in known]
        fresh = embedder.embed([texts[i] for i in missing]) if missing else None
        outgrew_flat = self.vectors.kind == "flat" and len(new_keys) >= IVF_THRESHOLD
        if new_keys[: len(old_keys)] == old_keys and not outgrew_flat:
            if fresh is not None:
                self.vectors.add(fresh)
            vectors = self.vectors
        else:
            stored = self.vectors.vectors()
            rows = np.zeros((len(texts), self.vectors.dimension), dtype=np.float32)
            for i, key in enumerate(new_keys):
                if key in known:
                    rows[i] = stored[known[key]]
            if fresh is not None:
                rows[missing] = fresh
            vectors = VectorIndex.build(rows, "auto")
        index = CorpusIndex(list(corpus.entries), vectors, embedder.model_id, digests)
        return index, len(missing)

    def check_model(self, embedder: EmbeddingBackend, where: str) -> None:
        if embedder.model_id != self.model_id:
            raise InputError(
                f"index {where} was built with embedding model '{self.model_id}' but '{embedder.model_id}' "
                f"is configured; {REINDEX_HINT}"
            )

    def search(self, query: np.ndarray, k: int) -> list[tuple[CorpusEntry, float]]:
        """The k entries nearest to one query vector, best first, with their cosine similarity."""
        scores, positions = self.vectors.search(query, k)
        return [(self.entries[p], float(s)) for s, p in zip(scores[0], positions[0], strict=True) if p >= 0]

    # ------------------------------------------------------------------------------------------ persistence
    def save(self, base: Path) -> None:
        """Write `<base>.faiss`, then the sidecar; a reader sees a complete pair (the sidecar is checked)."""
        faiss_path, sidecar_path = index_paths(base)
        self.vectors.write(faiss_path)
        sidecar = {
            "schema": SIDECAR_SCHEMA,
            "model_id": self.model_id,
            "dimension": self.vectors.dimension,
            "index_kind": self.vectors.kind,
            "faiss_file": faiss_path.name,
            "ids": [e.id for e in self.entries],
            "digests": self.digests,
        }
        write_text_atomic(sidecar_path, json.dumps(sidecar, indent=1) + "\n")

    @classmethod
    def load(cls, corpus: Corpus, embedder: EmbeddingBackend, base: Path) -> CorpusIndex:
        """The saved index for `corpus`, as saved (call `updated` to catch up with edits of the corpus).

        Raises InputError if the files are missing, corrupt, disagree with each other, or were made by
        another embedding model than `embedder`."""
        faiss_path, sidecar_path = index_paths(base)
        try:
            sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise InputError(f"no index at {sidecar_path}; build one with `filmaster corpus reindex`") from exc
        except (OSError, ValueError) as exc:
            raise InputError(f"index sidecar {sidecar_path} is corrupt or unreadable; {REINDEX_HINT}") from exc
        problem = _sidecar_problem(sidecar)
        if problem:
            raise InputError(f"index sidecar {sidecar_path} is invalid ({problem}); {REINDEX_HINT}")
        if sidecar["model_id"] != embedder.model_id:
            raise InputError(
                f"index {sidecar_path} was built with embedding model '{sidecar['model_id']}' but "
                f"'{embedder.model_id}' is configured; {REINDEX_HINT}"
            )
        if not faiss_path.is_file():
            raise InputError(f"index file {faiss_path} is missing beside {sidecar_path.name}; {REINDEX_HINT}")
        vectors = VectorIndex.read(faiss_path)
        if vectors.size != len(sidecar["ids"]) or vectors.dimension != sidecar["dimension"]:
            raise InputError(
                f"index file {faiss_path} holds {vectors.size}×{vectors.dimension} vectors but its sidecar "
                f"lists {len(sidecar['ids'])}×{sidecar['dimension']}; {REINDEX_HINT}"
            )
        by_id = {entry.id: entry for entry in corpus.entries}
        ids, digests = sidecar["ids"], sidecar["digests"]
        keep = [i for i, eid in enumerate(ids) if eid in by_id]
        if len(keep) < len(ids):  # entries the corpus has lost since: drop their vectors, embed nothing
            vectors = VectorIndex.build(vectors.vectors()[keep], "auto")
        return cls([by_id[ids[i]] for i in keep], vectors, sidecar["model_id"], [digests[i] for i in keep])


def _sidecar_problem(sidecar: Any) -> str:
    if not isinstance(sidecar, dict) or sidecar.get("schema") != SIDECAR_SCHEMA:
        return f"expected schema '{SIDECAR_SCHEMA}'"
    for key, kind in (("model_id", str), ("dimension", int), ("ids", list), ("digests", list)):
        if not isinstance(sidecar.get(key), kind):
            return f"'{key}' missing or not a {kind.__name__}"
    if len(sidecar["ids"]) != len(sidecar["digests"]):
        return "ids and digests differ in length"
    return ""


def open_index(corpus: Corpus, embedder: EmbeddingBackend, base: Path) -> tuple[CorpusIndex, int]:
    """The index for `corpus` at `base`, loaded, brought up to date and saved if anything changed.

    Returns the index and how many entry texts were embedded (0 when the saved index was current). A missing
    index is built; an index made by another embedding model raises InputError rather than silently
    re-embedding the corpus (which can cost money with a paid embedding API)."""
    _, sidecar_path = index_paths(base)
    if not sidecar_path.exists():
        index = CorpusIndex.build(corpus, embedder)
        index.save(base)
        return index, len(corpus.entries)
    index, embedded = CorpusIndex.load(corpus, embedder, base).updated(corpus, embedder)
    stored = json.loads(sidecar_path.read_text(encoding="utf-8"))
    if embedded or stored["ids"] != [e.id for e in index.entries] or stored["digests"] != index.digests:
        index.save(base)
    return index, embedded
