"""Splitting long lines at the pauses of the voice, and simultaneous lines sharing one cue, measured on WAVs."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from filmaster.export.subtitles import (
    MAX_CHARS,
    ROW_CHARS,
    SpokenLine,
    Subtitle,
    split_line,
    srt_text,
    voiced_spans,
    vtt_text,
    without_overlaps,
)

RATE = 48000


def _speech(path: Path, bursts: list[tuple[float, float]], seconds: float) -> None:
    """A mono WAV: noise bursts (the words) at the given seconds, silence elsewhere."""
    rng = np.random.default_rng(0)
    audio = np.zeros(round(seconds * RATE))
    for a, b in bursts:
        audio[round(a * RATE) : round(b * RATE)] = 0.3 * rng.standard_normal(round(b * RATE) - round(a * RATE))
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes((audio * 32767).astype("<i2").tobytes())


def test_voiced_spans_are_the_words_with_their_pauses(tmp_path: Path) -> None:
    _speech(tmp_path / "line.wav", [(0.2, 1.0), (1.05, 2.0), (2.5, 3.1)], 3.5)
    spans = voiced_spans(tmp_path / "line.wav")
    # The 50 ms gap is inside a phrase; the 500 ms one is a pause.
    assert len(spans) == 2
    assert abs(spans[0][0] - 0.2) <= 0.01 and abs(spans[0][1] - 2.0) <= 0.01
    assert abs(spans[1][0] - 2.5) <= 0.01 and abs(spans[1][1] - 3.1) <= 0.01


def test_a_long_line_splits_at_a_sentence_moved_to_the_pause(tmp_path: Path) -> None:
    first = "I kept the light burning for thirty years on this rock."
    second = "Nobody ever came up these stairs at night, not once, until tonight."
    _speech(tmp_path / "line.wav", [(0.3, 3.4), (3.9, 7.6)], 8.0)
    voiced = [(10 + a, 10 + b) for a, b in voiced_spans(tmp_path / "line.wav")]
    cues = split_line(SpokenLine(text=f"{first} {second}", speaker="NELL (V.O.)", voiced=voiced))
    assert [c.text.replace("\n", " ") for c in cues] == [f"NELL (V.O.): {first}", second]
    assert abs(cues[0].start_s - 10.3) <= 0.01 and abs(cues[0].end_s - 13.4) <= 0.01  # ends where the voice does
    assert abs(cues[1].start_s - 13.9) <= 0.01 and abs(cues[1].end_s - 17.6) <= 0.01
    assert all(len(row) <= ROW_CHARS for c in cues for row in c.text.split("\n"))
    assert all(len(c.text) <= MAX_CHARS + 1 for c in cues)


def test_simultaneous_lines_share_a_cue_and_cues_never_overlap() -> None:
    cues = without_overlaps(
        [Subtitle(1.0, 2.0, "Come down."), Subtitle(1.5, 2.2, "Not yet."), Subtitle(3.0, 4.0, "Now.")]
    )
    assert cues == [Subtitle(1.0, 2.2, "- Come down.\n- Not yet."), Subtitle(3.0, 4.0, "Now.")]
    srt = srt_text(cues)
    assert srt.startswith("1\n00:00:01,000 --> 00:00:02,200\n- Come down.\n- Not yet.\n\n2\n")
    assert vtt_text(cues).startswith("WEBVTT\n\n00:00:01.000 --> 00:00:02.200\n")
