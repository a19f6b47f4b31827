"""Train the named-sound judge (src/filmaster/sound_design/judge.py) on tests/data/sound_labels.json and write its
weights to src/filmaster/sound_design/data/judge.npz; print leave-one-screenplay-out and in-sample figures.

    PYTHONPATH=src .venv/bin/python scripts/train_sound_judge.py [--l2 1.0] [--dry-run]

Trained on the examples, the unseen screenplay and the development set (never the held-out set). Leave one out: for
each development screenplay, a judge trained without it scores it; the pooled figure predicts unseen prose."""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.sound_design.calibration import RememberingEmbedder, figures
from filmaster.sound_design.events import SoundFinder
from filmaster.sound_design.judge import L2, TRAINED_ON, WEIGHTS, training_digest
from filmaster.sound_design.learning import Play, fit, leave_one_out, prepare, score

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "sound_labels.json"


def _line(name: str, counts: Counter[str]) -> str:
    recall, precision = figures(counts)
    found = f"{counts['tp']} of {counts['tp'] + counts['fn']}, {counts['fp']} false"
    return f"{name}: recall {recall:.3f}, precision {precision:.3f} ({found})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write no weights")
    parser.add_argument("--no-leave-one-out", action="store_true", help="train and write only (the folds take minutes)")
    args = parser.parse_args()
    sets = json.loads(LABELS.read_text())["sets"]
    finder = SoundFinder(RememberingEmbedder(MiniLMEmbeddingBackend()), judge=None)  # type: ignore[arg-type]
    started = time.perf_counter()
    always = [prepare(finder, rows) for name in TRAINED_ON[:2] for rows in sets[name].values()]
    development = {name: prepare(finder, rows) for name, rows in sets["development"].items()}
    lines = sum(len(p.lines) for p in always + list(development.values()))
    print(f"features of {lines} lines in {time.perf_counter() - started:.1f} s")

    if not args.no_leave_one_out:
        _leave_one_out(development, always, args.l2)
    judge = fit(always + list(development.values()), args.l2)
    for set_name, plays in (("examples + unseen", always), ("development", list(development.values()))):
        print(_line(f"== {set_name}, in sample, judged", sum((score(p, judge) for p in plays), Counter())))
    if not args.dry_run:
        judge.save(WEIGHTS, trained_on=training_digest(sets, args.l2))
        print(f"wrote {WEIGHTS.relative_to(ROOT)} ({WEIGHTS.stat().st_size} bytes, judge {judge.identity})")


def _leave_one_out(development: dict[str, Play], always: list[Play], l2: float) -> None:
    started = time.perf_counter()
    held_out = leave_one_out(development, always, l2)
    print(f"leave one screenplay out ({len(development)} folds, {time.perf_counter() - started:.1f} s):")
    for name, counts in held_out.items():
        alone = figures(score(development[name], None))
        print("  " + _line(f"{Path(name).stem} (proposals alone {alone[0]:.3f} / {alone[1]:.3f}), judged", counts))
    print(_line("== development, left out, judged", sum(held_out.values(), Counter())))
    print(_line("== development, proposals alone", sum((score(p, None) for p in development.values()), Counter())))


if __name__ == "__main__":
    main()
