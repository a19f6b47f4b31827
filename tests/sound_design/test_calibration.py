"""The finder's two embedding thresholds are the ones leave-one-screenplay-out cross-validation chooses on the
development screenplays (real MiniLM), so that they were not set by eye; `-s` prints the cross-validated figures of
the proposals (the learned judge on top is measured by scripts/train_sound_judge.py)."""

from __future__ import annotations

import json
from pathlib import Path

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.sound_design.calibration import calibrate, figures
from filmaster.sound_design.events import EMBED_THRESHOLD, SOURCE_THRESHOLD

LABELS = json.loads((Path(__file__).resolve().parents[1] / "data" / "sound_labels.json").read_text())["sets"]


def test_the_thresholds_are_those_chosen_by_leave_one_screenplay_out_on_the_development_set(
    embedder: MiniLMEmbeddingBackend,
) -> None:
    calibration = calibrate(LABELS["development"], embedder)
    recall, precision = figures(calibration.held_out)
    print(f"left-out screenplays, thresholds chosen without each: recall {recall:.3f}, precision {precision:.3f}")
    for name, pair in calibration.chosen.items():
        print(f"  without {name}: sentence {pair[0]:.2f}, source {pair[1]:.2f}")
    assert (calibration.sentence_threshold, calibration.source_threshold) == (EMBED_THRESHOLD, SOURCE_THRESHOLD)
    # Development holds the blind sets heldout5-8, deva and devb since round 5 (44 screenplays: 0.895 / 0.892 with
    # round 5's lexicon; 0.854 / 0.868 at 954cb45 on the 32 before heldout8). Blind heldout9 joined in round 6 (48
    # screenplays): main's reading reads 0.887 / 0.885 on them, round 6's 0.888 / 0.887: no regression below main.
    # Blind heldout10 joined in round 7 (52 screenplays): round 6's reading reads 0.883 / 0.884 (choosing 0.65 / 0.6),
    # round 7's 0.905 / 0.911 (choosing 0.70 / 0.95). Blind dev12c/d/f joined after round 8 (76 screenplays): 0.882 /
    # 0.904, choosing 0.60 / 0.85; with dev12e (80) 0.874 / 0.898, the same (the judge on top: train_sound_judge.py).
    # Blind heldout12 and dev13 joined in the ninth session (96): 0.851 / 0.888, choosing 0.70 / 0.85. dev13 was
    # written to a harder brief (unusual verbs, sounds implied by what happens, decoys) and read 0.761 / 0.779 blind.
    assert recall >= 0.845 and precision >= 0.88
