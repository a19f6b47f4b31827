"""Retrieval index at scale: build time, single-query latency p50/p95, memory and recall@3 on synthetic data.

    python benchmarks/bench_index.py                 # 10k, 100k, 1M entries, each in a fresh process
    python benchmarks/bench_index.py --sizes 10000   # one size

The data imitate sentence embeddings: 384-d unit vectors drawn around one centre per ~500 entries (a "topic"),
topics themselves drawn around a few dozen "genres", so that clusters exist and overlap as they do in real text
embeddings (with the default --noise 1.5 a vector's cosine to its topic centre is about 0.55; --noise 3 makes
topics overlap far more, a harder case for the IVF index); queries are fresh draws from the same topics.
Each size runs in a child process so that its peak RSS is its own. faiss runs on 2 threads (the target machine).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

DIM = 384
QUERIES = 1000
RECALL_QUERIES = 300
K = 3
THREADS = 2


def synthetic(n: int, rng: np.random.Generator, noise: float) -> tuple[np.ndarray, np.ndarray]:
    topics = max(20, n // 500)
    genres = rng.standard_normal((max(5, topics // 40), DIM), dtype=np.float32)
    centres = genres[rng.integers(0, len(genres), topics)] + rng.standard_normal((topics, DIM), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True) / np.sqrt(DIM)
    vectors = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):  # in chunks: a 1M x 384 float64 temporary would need 3 GB
        stop = min(start + 100_000, n)
        labels = rng.integers(0, topics, stop - start)
        vectors[start:stop] = centres[labels] + noise * rng.standard_normal((stop - start, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = rng.integers(0, topics, QUERIES)
    queries = centres[labels] + noise * rng.standard_normal((QUERIES, DIM), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return vectors, queries


def latencies_ms(index, queries: np.ndarray) -> np.ndarray:
    out = np.empty(len(queries))
    for i, query in enumerate(queries):
        start = time.perf_counter()
        index.search(query[None, :], K)
        out[i] = (time.perf_counter() - start) * 1000
    return out


def run_one(n: int, noise: float) -> dict:
    import faiss

    from filmaster.retrieval.index import VectorIndex

    faiss.omp_set_num_threads(THREADS)
    rng = np.random.default_rng(n)
    vectors, queries = synthetic(n, rng, noise)
    rss_data_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    start = time.perf_counter()
    index = VectorIndex.build(vectors, "auto")
    build_s = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    row: dict = {"entries": n, "kind": index.kind, "build_s": round(build_s, 2), "peak_rss_mb": round(rss_mb)}
    row["data_rss_mb"] = round(rss_data_mb)
    exact = faiss.IndexFlatIP(DIM)
    exact.add(vectors)
    _, truth = exact.search(queries[:RECALL_QUERIES], K)
    settings = [None] if index.kind == "flat" else [8, 16, 32, 64]
    for nprobe in settings:
        if nprobe is not None:
            index._index.nprobe = nprobe
        lat = latencies_ms(index, queries)
        _, found = index.search(queries[:RECALL_QUERIES], K)
        recall = float(np.mean([len(set(t) & set(f)) / K for t, f in zip(truth, found, strict=True)]))
        label = "default" if nprobe is None else f"nprobe={nprobe}"
        row[label] = {
            "p50_ms": round(float(np.percentile(lat, 50)), 3),
            "p95_ms": round(float(np.percentile(lat, 95)), 3),
            "recall@3": round(recall, 4),
        }
    exact_lat = latencies_ms(VectorIndex(exact, "flat"), queries[:200])  # same one-thread path
    row["exact_flat_p95_ms"] = round(float(np.percentile(exact_lat, 95)), 3)
    if index.kind == "ivf":
        row["nlist"] = int(index._index.nlist)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--noise", type=float, default=1.5, help="spread around a topic centre: 1.5 → cosine 0.55, 3 → 0.32 (harder)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.sizes[0], args.noise)))
        return
    print(f"cpu cores visible: {os.cpu_count()}, faiss threads: {THREADS}, dim {DIM}, k {K}, noise {args.noise}")
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--sizes", str(n), "--noise", str(args.noise)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"\n{n:>9,} entries  index {row['kind']}" + (f" (nlist {row['nlist']})" if "nlist" in row else ""))
        print(f"  build {row['build_s']} s   peak RSS {row['peak_rss_mb']} MB (vectors alone {row['data_rss_mb']} MB)")
        print(f"  exact IndexFlatIP single-query p95: {row['exact_flat_p95_ms']} ms")
        for label, figures in row.items():
            if isinstance(figures, dict):
                print(
                    f"  {label:<10} p50 {figures['p50_ms']:7.3f} ms  p95 {figures['p95_ms']:7.3f} ms  "
                    f"recall@3 {figures['recall@3']:.3f}"
                )


if __name__ == "__main__":
    main()
