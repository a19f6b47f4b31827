"""Corpus statistics: exact numbers on a hand-made corpus, the text table, and the chart measured on its pixels."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from filmaster.model.camera import Angle, Movement, ShotScale
from filmaster.model.corpus import Corpus, CorpusEntry, CorpusShot
from filmaster.retrieval.corpus import load_builtin_corpus
from filmaster.retrieval.stats import (
    ASL_COLOUR,
    MOVEMENT_COLOUR,
    PLOT_SIZE,
    SCALE_COLOUR,
    asl_histogram,
    corpus_stats,
    format_stats,
    panel_boxes,
    plot_stats,
    scale_entropy_bits,
)


def _shot(scale: ShotScale, seconds: float, movement: Movement = Movement.STATIC, angle=Angle.EYE_LEVEL):
    return CorpusShot(scale=scale, duration_s=seconds, movement=movement, angle=angle)


def _entry(eid: str, genres: list[str], shots: list[CorpusShot], situation: str) -> CorpusEntry:
    return CorpusEntry(
        id=eid, situation=situation, description="d", objective="o", genres=genres, characters=2, shots=shots
    )


@pytest.fixture
def small() -> Corpus:
    # A: 4 shots, 2 WS + 2 CU, 12 s in all (ASL 3 s); B: 2 MS shots, 30 s (ASL 15 s); C: 3 ECU, 1.5 s (ASL 0.5 s).
    a = _entry(
        "a",
        ["drama", "thriller"],
        [
            _shot(ShotScale.WS, 6.0),
            _shot(ShotScale.CU, 2.0, Movement.DOLLY_IN),
            _shot(ShotScale.WS, 2.0, Movement.PAN, Angle.HIGH),
            _shot(ShotScale.CU, 2.0),
        ],
        "a talk",
    )
    b = _entry("b", ["drama"], [_shot(ShotScale.MS, 10.0), _shot(ShotScale.MS, 20.0, Movement.TRACKING)], "a walk")
    c = _entry("c", ["action"], [_shot(ShotScale.ECU, 0.5, angle=Angle.LOW)] * 3, "A TALK ")
    return Corpus(entries=[a, b, c])


def test_counts_are_exact(small: Corpus) -> None:
    stats = corpus_stats(small)
    assert (stats.entries, stats.shots, stats.situations) == (3, 9, 2)
    assert stats.scale_counts == {"EWS": 0, "WS": 2, "MWS": 0, "MS": 2, "MCU": 0, "CU": 2, "ECU": 3}
    assert stats.movement_counts["static"] == 6
    assert (stats.movement_counts["dolly_in"], stats.movement_counts["pan"], stats.movement_counts["tracking"]) == (
        1,
        1,
        1,
    )
    assert sum(stats.movement_counts.values()) == 9 and list(stats.movement_counts) == [m.value for m in Movement]
    assert stats.angle_counts == {
        "eye_level": 5,
        "high": 1,
        "low": 3,
        "overhead": 0,
        "worms_eye": 0,
        "dutch": 0,
    }
    assert stats.genre_counts == {"drama": 2, "action": 1, "thriller": 1}
    assert list(stats.genre_counts) == ["drama", "action", "thriller"]  # most common first, then by name


def test_shot_lengths_are_exact(small: Corpus) -> None:
    stats = corpus_stats(small)
    assert stats.asl_s == pytest.approx((12.0 + 30.0 + 1.5) / 9)
    assert stats.asl_by_genre_s == pytest.approx({"action": 0.5, "drama": 42.0 / 6, "thriller": 3.0})
    assert stats.entry_asl_s == pytest.approx((3.0, 15.0, 0.5))
    assert (stats.shots_per_entry_min, stats.shots_per_entry_max) == (2, 4)
    assert stats.shots_per_entry_mean == pytest.approx(3.0)


def test_scale_entropy(small: Corpus) -> None:
    a, b, _ = small.entries
    assert scale_entropy_bits(a) == pytest.approx(1.0)  # two scales, equally often
    assert scale_entropy_bits(b) == 0.0
    three = _entry("t", [], [_shot(ShotScale.WS, 1), _shot(ShotScale.MS, 1), _shot(ShotScale.CU, 1)], "s")
    assert scale_entropy_bits(three) == pytest.approx(math.log2(3))
    stats = corpus_stats(small)
    assert (stats.scale_entropy_min_bits, stats.scale_entropy_max_bits) == pytest.approx((0.0, 1.0))


def test_asl_histogram_bins(small: Corpus) -> None:
    bins = asl_histogram(corpus_stats(small))
    assert len(bins) == 21 and sum(bins) == 3
    assert (bins[0], bins[3], bins[15]) == (1, 1, 1)
    long = corpus_stats(Corpus(entries=[_entry("l", [], [_shot(ShotScale.WS, 90.0)] * 3, "long take")]))
    assert asl_histogram(long)[-1] == 1  # beyond the range: the last bin


def test_empty_corpus() -> None:
    stats = corpus_stats(Corpus())
    assert (stats.entries, stats.shots, stats.asl_s, stats.shots_per_entry_max) == (0, 0, 0.0, 0)
    assert "entries 0" in format_stats(stats)


def test_format_stats_table(small: Corpus) -> None:
    text = format_stats(corpus_stats(small))
    lines = text.splitlines()
    assert lines[0] == "entries 3   shots 9   situations 2"
    assert "average shot length 4.83 s" in text
    assert any(line.split() == ["ECU", "3", "33.3%"] for line in lines)
    assert any(line.split() == ["dolly_in", "1", "11.1%"] for line in lines)
    assert any(line.split() == ["thriller", "3.00"] for line in lines)


def _bar_heights(image: np.ndarray, box: tuple[int, int, int, int], colour: tuple[int, int, int]) -> list[int]:
    """Heights of the bars of one colour inside a panel, left to right, measured on the pixels."""
    left, top, right, bottom = box
    region = image[top:bottom, left:right]
    mask = np.all(region == np.array(colour, dtype=np.uint8), axis=-1)
    columns = mask.sum(axis=0)
    heights: list[int] = []
    previous = 0
    for value in columns:
        if value and not previous:
            heights.append(0)
        if value:
            heights[-1] = max(heights[-1], int(value))
        previous = value
    return heights


def test_plot_is_a_png_whose_bars_match_the_counts(small: Corpus, tmp_path: Path) -> None:
    path = plot_stats(corpus_stats(small), tmp_path / "charts" / "stats.png")
    with Image.open(path) as img:
        assert img.format == "PNG" and img.size == PLOT_SIZE
        pixels = np.asarray(img.convert("RGB"))
    scale_box, movement_box, asl_box = panel_boxes()
    # Scale panel: WS 2, MS 2, CU 2, ECU 3 -> four bars, the ECU bar 1.5 times as tall as the others.
    heights = _bar_heights(pixels, scale_box, SCALE_COLOUR)
    assert len(heights) == 4
    assert heights[0] == heights[1] == heights[2]
    assert heights[3] / heights[0] == pytest.approx(1.5, abs=0.02)
    # Movement panel: static 6 and three moves of 1.
    heights = _bar_heights(pixels, movement_box, MOVEMENT_COLOUR)
    assert len(heights) == 4 and heights[0] / heights[1] == pytest.approx(6.0, abs=0.1)
    # ASL histogram: three entries in three bins of one each.
    heights = _bar_heights(pixels, asl_box, ASL_COLOUR)
    assert len(heights) == 3 and len(set(heights)) == 1
    # Each colour stays in its own panel.
    assert not np.all(pixels[: scale_box[3]] == np.array(MOVEMENT_COLOUR, dtype=np.uint8), axis=-1).any()
    assert [p.name for p in path.parent.iterdir()] == ["stats.png"]


def test_plot_of_builtin_corpus_and_custom_size(tmp_path: Path) -> None:
    stats = corpus_stats(load_builtin_corpus())
    path = plot_stats(stats, tmp_path / "builtin.png", size=(900, 700))
    with Image.open(path) as img:
        assert img.size == (900, 700)
        pixels = np.asarray(img.convert("RGB"))
    scale_box = panel_boxes((900, 700))[0]
    heights = _bar_heights(pixels, scale_box, SCALE_COLOUR)
    assert len(heights) == len(ShotScale)  # every scale occurs in the built-in corpus
    tallest = max(stats.scale_counts, key=lambda k: stats.scale_counts[k])
    assert heights.index(max(heights)) == list(stats.scale_counts).index(tallest)
