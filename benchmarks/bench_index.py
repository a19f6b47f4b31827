"""Retrieval index at scale: build time, memory served, single-query latency p50/p95 and recall@3, synthetic data.

    python benchmarks/bench_index.py                          # 100k and 1M entries
    python benchmarks/bench_index.py --sizes 10000000         # 10M: built in chunks, served memory-mapped
    python benchmarks/bench_index.py --kind ivf --sizes 1000000   # the older float IVF, for comparison

The data imitate sentence embeddings: 384-d unit vectors drawn around one centre per ~500 entries (a "topic"),
topics themselves drawn around a few dozen "genres", so that clusters exist and overlap as they do in real text
embeddings (with the default --noise 1.5 a vector's cosine to its topic centre is about 0.55; --noise 3 makes
topics overlap far more, a harder case); queries are fresh draws from the same topics.

Each size runs in two child processes: one builds the index the way a studio would (trained on a sample, vectors
added in chunks of 100k, so no process ever holds all the float vectors) and finds the exact top 3 of the recall
queries chunk by chunk; a fresh one reads the index as `filmaster` does (memory-mapped from 1 GiB on) and
measures memory and queries, so its memory is the served index's alone. faiss runs on 2 threads.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DIM = 384
QUERIES = 1000
RECALL_QUERIES = 300
K = 3
THREADS = 2
CHUNK = 100_000
TRAIN = 200_000


class Synthetic:
    """Entries generated chunk by chunk from a seed, so any size can be drawn again without being stored."""

    def __init__(self, n: int, noise: float) -> None:
        self.n, self.noise = n, noise
        rng = np.random.default_rng(n)
        topics = max(20, n // 500)
        genres = rng.standard_normal((max(5, topics // 40), DIM), dtype=np.float32)
        centres = genres[rng.integers(0, len(genres), topics)]
        centres += rng.standard_normal((topics, DIM), dtype=np.float32)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True) / np.sqrt(DIM)
        self.centres = centres
        self.queries = self._draw(rng, QUERIES)

    def _draw(self, rng: np.random.Generator, count: int) -> np.ndarray:
        labels = rng.integers(0, len(self.centres), count)
        vectors = self.centres[labels] + self.noise * rng.standard_normal((count, DIM), dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def chunks(self):
        for number, start in enumerate(range(0, self.n, CHUNK)):
            yield start, self._draw(np.random.default_rng((self.n, number)), min(CHUNK, self.n - start))


def rss_mb() -> dict[str, float]:
    """Peak and current resident memory of this process, the current split into anonymous and file-backed."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    kb = {key: float(status[key].split()[0]) for key in ("VmRSS", "RssAnon", "RssFile") if key in status}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"peak": round(peak / 1024), **{k: round(v / 1024) for k, v in kb.items()}}


def build(n: int, noise: float, kind: str, path: Path) -> dict:
    import faiss

    from filmaster.retrieval.index import VectorIndex

    faiss.omp_set_num_threads(THREADS)
    data = Synthetic(n, noise)
    recall_queries = data.queries[:RECALL_QUERIES]
    best = np.full((RECALL_QUERIES, K), -np.inf, dtype=np.float32)
    truth = np.zeros((RECALL_QUERIES, K), dtype=np.int64)
    start = time.perf_counter()
    index = None
    train: list[np.ndarray] = []
    for offset, chunk in data.chunks():
        if index is None:
            train.append(chunk)
            if sum(len(t) for t in train) < min(TRAIN, n):
                continue
            index = VectorIndex.trained(np.concatenate(train), n, kind)
            for earlier_offset, earlier in zip(range(0, n, CHUNK), train, strict=False):
                index.add(earlier)
                best, truth = _merge_exact(best, truth, recall_queries, earlier, earlier_offset)
            train = []
            continue
        index.add(chunk)
        best, truth = _merge_exact(best, truth, recall_queries, chunk, offset)
    build_s = time.perf_counter() - start
    index.write(path)
    return {"build_s": round(build_s, 1), "build_rss": rss_mb(), "truth": truth.tolist(), "kind": index.kind}


def _merge_exact(best, truth, queries, chunk, offset):
    """The exact top K so far, updated with one chunk (inner products of unit vectors = cosine)."""
    scores = queries @ chunk.T
    top = np.argpartition(-scores, K, axis=1)[:, :K]
    all_scores = np.concatenate([best, np.take_along_axis(scores, top, axis=1)], axis=1)
    all_ids = np.concatenate([truth, top + offset], axis=1)
    order = np.argsort(-all_scores, axis=1)[:, :K]
    return np.take_along_axis(all_scores, order, axis=1), np.take_along_axis(all_ids, order, axis=1)


def serve(n: int, noise: float, path: Path, truth: list[list[int]]) -> dict:
    import faiss

    from filmaster.retrieval.index import VectorIndex

    faiss.omp_set_num_threads(THREADS)
    queries = Synthetic(n, noise).queries
    before = rss_mb()
    start = time.perf_counter()
    index = VectorIndex.read(path)
    row: dict = {"load_s": round(time.perf_counter() - start, 2), "rss_before_load": before}
    row["rss_loaded"] = rss_mb()
    row["file_mb"] = round(path.stat().st_size / 2**20)
    row["mmap"] = path.stat().st_size >= (1 << 30)
    row["nlist"] = int(getattr(index._index, "nlist", 0))
    default = int(getattr(index._index, "nprobe", 0))
    for nprobe in (8, 16, 32, 64) if row["nlist"] else (None,):
        if nprobe is not None:
            index._index.nprobe = nprobe
        latencies = np.empty(len(queries))
        for i, query in enumerate(queries):
            begin = time.perf_counter()
            index.search(query[None, :], K)
            latencies[i] = (time.perf_counter() - begin) * 1000
        _, found = index.search(queries[:RECALL_QUERIES], K)
        recall = float(np.mean([len(set(t) & set(f)) / K for t, f in zip(truth, found.tolist(), strict=True)]))
        label = f"nprobe={nprobe}" + (" (default)" if nprobe == default else "") if nprobe else "exact"
        row[label] = {
            "p50_ms": round(float(np.percentile(latencies, 50)), 3),
            "p95_ms": round(float(np.percentile(latencies, 95)), 3),
            "recall@3": round(recall, 4),
        }
    row["rss_served"] = rss_mb()
    return row


def child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--kind", default="ivf-sq8", choices=["ivf-sq8", "ivf", "flat"])
    parser.add_argument("--noise", type=float, default=1.5, help="1.5 → cosine 0.55 to a topic, 3 → 0.32 (harder)")
    parser.add_argument("--dir", type=Path, help="where index files go (default: a temporary folder)")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build(args.sizes[0], args.noise, args.kind, args.build)))
        return
    if args.serve:
        truth = json.loads(args.serve.with_suffix(".truth.json").read_text())
        print(json.dumps(serve(args.sizes[0], args.noise, args.serve, truth)))
        return
    print(f"cpu cores visible: {os.cpu_count()}, faiss threads: {THREADS}, dim {DIM}, k {K}, noise {args.noise}")
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        for n in args.sizes:
            path = Path(folder) / f"{n}.faiss"
            common = ["--sizes", str(n), "--noise", str(args.noise), "--kind", args.kind]
            built = child([*common, "--build", str(path)])
            path.with_suffix(".truth.json").write_text(json.dumps(built.pop("truth")))
            served = child([*common, "--serve", str(path)])
            print(f"\n{n:>11,} entries  {built['kind']}, {served['nlist']} lists, file {served['file_mb']} MB")
            print(f"  build {built['build_s']} s (peak RSS {built['build_rss']['peak']} MB, never all the vectors)")
            loaded, after = served["rss_loaded"], served["rss_served"]
            how = "memory-mapped" if served["mmap"] else "read into memory"
            print(f"  served {how}: load {served['load_s']} s; RSS after load {loaded['VmRSS']} MB, after the queries")
            print(f"    {after['VmRSS']} MB (anonymous {after['RssAnon']} MB, file-backed {after['RssFile']} MB)")
            for label, figures in served.items():
                if isinstance(figures, dict) and "p95_ms" in figures:
                    print(
                        f"  {label:<20} p50 {figures['p50_ms']:7.3f} ms  p95 {figures['p95_ms']:7.3f} ms  "
                        f"recall@3 {figures['recall@3']:.3f}"
                    )


if __name__ == "__main__":
    main()
