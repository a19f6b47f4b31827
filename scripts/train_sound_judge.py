"""Train the named-sound judge (src/filmaster/sound_design/judge.py) on tests/data/sound_labels.json and write its
weights to src/filmaster/sound_design/data/judge.npz, with the clause hearing model it decides with (hearing.py,
data/hearing.npz; --without-hearing: the judge alone); print cross-validated and in-sample figures.

    PYTHONPATH=src .venv/bin/python scripts/train_sound_judge.py [--l2 1.0] [--dry-run] [--folds 8] [--without-hearing]

Trained on the examples, the unseen screenplay and the development set (never the held-out set). Leave one out: for
each development screenplay, a judge trained without it scores it (without the hearing model). --folds 8: the
development screenplays sorted by name, screenplay i in fold i mod 8; for each fold, main's judge alone and the
hearing model with its judge, everything trained without the fold, score it; the pooled figures predict unseen
prose. A judge that hears learns from hearing probabilities cross-fitted in 4 parts (hearing_learning.py). The
shipped judge hears: on prose written after the rules' last change the hearing model found more sounds at about the
same precision (docs/benchmarks.md); --without-hearing trains the judge alone."""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.sound_design.calibration import RememberingEmbedder, figures
from filmaster.sound_design.events import SoundFinder
from filmaster.sound_design.hearing import PROPOSE_AT
from filmaster.sound_design.hearing import WEIGHTS as HEARING_WEIGHTS
from filmaster.sound_design.hearing_learning import (
    by_folds,
    fit_hearing_judge,
    hearing_finder,
    hearing_scorer,
    main_scorer,
)
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
    parser.add_argument("--folds", type=int, default=0, help="also cross-validate main and the hearing model by folds")
    parser.add_argument(
        "--folds-within",
        default="",
        metavar="TEXT",
        help="fold only the development screenplays whose path holds TEXT (e.g. dev12: those written after the rules' "
        "last change); the others are always trained on",
    )
    parser.add_argument("--without-hearing", action="store_true", help="train the judge alone (it will not hear)")
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
    if args.folds:
        _by_folds(finder, sets, args.folds, args.folds_within)
    if not args.without_hearing:
        _train_hearing(finder, sets, args)
        return
    judge = fit(always + list(development.values()), args.l2)
    for set_name, plays in (("examples + unseen", always), ("development", list(development.values()))):
        print(_line(f"== {set_name}, in sample, judged", sum((score(p, judge) for p in plays), Counter())))
    if not args.dry_run:
        judge.save(WEIGHTS, trained_on=training_digest(sets, args.l2))
        print(f"wrote {WEIGHTS.relative_to(ROOT)} ({WEIGHTS.stat().st_size} bytes, judge {judge.identity})")


def _train_hearing(finder: SoundFinder, sets: dict, args: argparse.Namespace) -> None:
    """The hearing model on every labelled screenplay, and a judge that hears (the hearing model's own weight decay,
    hearing.L2, is its own)."""
    screenplays = [rows for name in TRAINED_ON for rows in sets[name].values()]
    started = time.perf_counter()
    hearing, judge = fit_hearing_judge(finder, screenplays, PROPOSE_AT)
    print(f"hearing model and judge trained in {time.perf_counter() - started:.1f} s")
    proposer = hearing_finder(finder, hearing, PROPOSE_AT)
    for set_name, names in (("examples + unseen", TRAINED_ON[:2]), ("development", TRAINED_ON[2:])):
        plays = [prepare(proposer, rows) for name in names for rows in sets[name].values()]
        print(_line(f"== {set_name}, in sample, judged", sum((score(p, judge) for p in plays), Counter())))
    if not args.dry_run:
        digest = training_digest(sets, args.l2, hears=True)
        hearing.save(HEARING_WEIGHTS, trained_on=digest)
        judge.save(WEIGHTS, trained_on=digest)
        for path, identity in ((HEARING_WEIGHTS, hearing.identity), (WEIGHTS, judge.identity)):
            print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes, {identity})")


def _by_folds(finder: SoundFinder, sets: dict, folds: int, within: str = "") -> None:
    """Main's judge alone and the hearing model with its judge, on the same folds; per fold and pooled. With `within`,
    only the development screenplays whose path holds it are folded (the rest always trained on)."""
    always = [rows for name in TRAINED_ON[:2] for rows in sets[name].values()]
    folded = {name: rows for name, rows in sets["development"].items() if within in name}
    always += [rows for name, rows in sets["development"].items() if name not in folded]
    started = time.perf_counter()
    main = by_folds(always, folded, folds, main_scorer(finder, {}))
    heard = by_folds(always, folded, folds, hearing_scorer(finder, PROPOSE_AT))
    print(f"{folds} folds by screenplay ({time.perf_counter() - started:.1f} s), recall / precision:")
    print("| fold | screenplays | main (judge alone) | hearing + judge |")
    print("|---|---|---|---|")
    for k, (ours, theirs) in enumerate(zip(main, heard, strict=True)):
        cells = [_cell(sum(tallies, Counter())) for tallies in (ours, theirs)]
        print(f"| {k} | {len(ours)} | {cells[0]} | {cells[1]} |")
    pooled = [_cell(sum((c for fold in run for c in fold), Counter())) for run in (main, heard)]
    print(f"| pooled | {sum(len(f) for f in main)} | **{pooled[0]}** | **{pooled[1]}** |")


def _cell(counts: Counter[str]) -> str:
    recall, precision = figures(counts)
    return f"{recall:.3f} / {precision:.3f} ({counts['tp']} tp, {counts['fn']} fn, {counts['fp']} fp)"


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
