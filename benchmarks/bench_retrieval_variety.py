"""Camera-language variety with and without scene-level retrieval, against the corpus's own ranges.

    python benchmarks/bench_retrieval_variety.py [--corpus FILE] [--k 3]

Each example screenplay is planned by the rule-based breakdown, then re-planned from the top-k corpus sequences
retrieved for each scene (MiniLM embeddings, faiss index). Per scene it prints the shot-scale entropy (bits:
0 = every shot at one scale) and the number of distinct camera movements, before → after, and compares them
with the same measures over the corpus entries (min / median / max). It also times the MiniLM embedding of the
corpus (sentences per second on this CPU).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.formats.fountain import read_screenplay
from filmaster.model import Corpus, SceneBlock
from filmaster.retrieval.corpus import load_builtin_corpus, load_corpus
from filmaster.retrieval.index import CorpusIndex
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.cinematography import plan_cinematography

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def entropy_bits(values: Iterable[object]) -> float:
    counts = Counter(values)
    total = sum(counts.values())
    return -sum(n / total * math.log2(n / total) for n in counts.values()) + 0.0


def scene_measures(scene: SceneBlock) -> tuple[float, int]:
    return entropy_bits(s.camera.scale for s in scene.shots), len({s.camera.movement for s in scene.shots})


def spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="a Corpus.1 JSON file (default: the built-in corpus)")
    parser.add_argument("--k", type=int, default=3)
    args = parser.parse_args()
    corpus: Corpus = load_corpus(args.corpus) if args.corpus else load_builtin_corpus()

    embedder = MiniLMEmbeddingBackend()
    start = time.perf_counter()
    index = CorpusIndex.build(corpus, embedder)
    build_s = time.perf_counter() - start
    print(f"corpus: {len(corpus.entries)} entries; MiniLM index built in {build_s:.2f} s")
    print(f"  ({len(corpus.entries) / build_s:.0f} entry texts/s embedded on this CPU)")

    corpus_entropy = [entropy_bits(s.scale for s in e.shots) for e in corpus.entries]
    corpus_moves = [len({s.movement for s in e.shots}) for e in corpus.entries]
    print(f"corpus per entry  scale entropy min/median/max {spread(corpus_entropy)} bits")
    print(f"                  distinct movements min/median/max {spread([float(m) for m in corpus_moves])}")

    before_all: list[tuple[float, int]] = []
    after_all: list[tuple[float, int]] = []
    for path in sorted(EXAMPLES.glob("*.fountain")):
        plan = plan_screenplay(read_screenplay(path))
        start = time.perf_counter()
        replanned = plan_cinematography(plan, index, embedder, k=args.k)
        took = time.perf_counter() - start
        print(f"\n{path.name}: {len(plan.scenes)} scenes, retrieval + re-planning {took * 1000:.0f} ms")
        print(f"  {'scene':<28} {'shots':>5}  {'scale entropy':>15}  {'movements':>9}  top reference")
        for old, new in zip(plan.scenes, replanned.scenes, strict=True):
            b, a = scene_measures(old), scene_measures(new)
            before_all.append(b)
            after_all.append(a)
            top = new.references[0] if new.references else None
            ref = f"{top.entry_id} ({top.score:.2f})" if top else "-"
            print(
                f"  {old.heading[:28]:<28} {len(old.shots):>5}  {b[0]:6.2f} → {a[0]:5.2f}  {b[1]:>3} → {a[1]:<3}  {ref}"
            )
    mean_b = [statistics.mean(x[i] for x in before_all) for i in (0, 1)]
    mean_a = [statistics.mean(x[i] for x in after_all) for i in (0, 1)]

    def within(rows: list[tuple[float, int]]) -> str:
        scale_ok = sum(min(corpus_entropy) <= r[0] <= max(corpus_entropy) for r in rows)
        moves_ok = sum(min(corpus_moves) <= r[1] <= max(corpus_moves) for r in rows)
        return f"scale entropy {scale_ok}/{len(rows)}, movements {moves_ok}/{len(rows)}"

    print(f"\nall {len(after_all)} scenes  mean scale entropy {mean_b[0]:.2f} → {mean_a[0]:.2f} bits")
    print(f"                  mean distinct movements {mean_b[1]:.2f} → {mean_a[1]:.2f}")
    print(f"  scenes within the corpus's per-entry ranges, before: {within(before_all)}")
    print(f"                                                after: {within(after_all)}")


if __name__ == "__main__":
    main()
