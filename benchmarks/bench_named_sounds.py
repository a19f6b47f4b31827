"""Named sounds: how long the sound finder takes per line, with the lexicon alone and with the MiniLM embeddings,
over every labelled line of tests/data/sound_labels.json (headings, action lines, parentheticals): line by line
(`find`), and a screenplay per batch (`find_all`, as the sound stage and `calibration.tally` call it).

    PYTHONPATH=src python benchmarks/bench_named_sounds.py [--repeats 5]

The finder keeps no sentence's embedding, so each repeat embeds its sentences again; the model and the category
prototypes are loaded once, before the clock starts. Prints ms per line, median of the repeats.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.sound_design.calibration import is_heading
from filmaster.sound_design.events import SoundFinder

LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "sound_labels.json"


def _per_line_ms(make_finder, lines: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        finder = make_finder()
        start = time.perf_counter()
        for text in lines:
            finder.find_in_heading(text) if is_heading(text) else finder.find(text)
        times.append((time.perf_counter() - start) * 1000 / len(lines))
    return statistics.median(times)


def _per_line_ms_batched(finder: SoundFinder, plays: list[list[str]], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for texts in plays:
            for heading in filter(is_heading, texts):
                finder.find_in_heading(heading)
            finder.find_all([text for text in texts if not is_heading(text)])
        times.append((time.perf_counter() - start) * 1000 / sum(len(texts) for texts in plays))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    sets = json.loads(LABELS.read_text())["sets"]
    plays = [[text for text, _ in rows] for screenplays in sets.values() for rows in screenplays.values()]
    lines = [text for texts in plays for text in texts]
    embedder = MiniLMEmbeddingBackend()
    embedding = SoundFinder(embedder)
    embedding.find("A concrete mixer churns. The hull groans.")  # loads the model and embeds the prototypes
    unjudged = SoundFinder(embedder, judge=None)
    unjudged.find("A concrete mixer churns. The hull groans.")
    print(f"{len(lines)} lines, median of {args.repeats} repeats")
    print(f"lexicon only:    {_per_line_ms(SoundFinder, lines, args.repeats):.3f} ms per line")
    print(f"with embeddings, no judge: {_per_line_ms(lambda: unjudged, lines, args.repeats):.3f} ms per line")
    print(f"with embeddings and the judge: {_per_line_ms(lambda: embedding, lines, args.repeats):.3f} ms per line")
    batched = _per_line_ms_batched(embedding, plays, args.repeats)
    print(f"with embeddings and the judge, a screenplay per batch: {batched:.3f} ms per line")


if __name__ == "__main__":
    main()
