"""Descriptive statistics of a corpus: what camera language it holds, as numbers, a text table and a chart."""

from __future__ import annotations

import io
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..atomic import write_bytes_atomic
from ..model.camera import Angle, Movement, ShotScale
from ..model.corpus import Corpus, CorpusEntry


@dataclass(frozen=True)
class CorpusStats:
    entries: int
    shots: int
    situations: int  # distinct situation texts
    scale_counts: dict[str, int]  # every vocabulary value, in vocabulary order, zeros included
    movement_counts: dict[str, int]
    angle_counts: dict[str, int]
    genre_counts: dict[str, int]  # entries per genre, most common first
    asl_s: float  # average shot length over all shots
    asl_by_genre_s: dict[str, float]  # average shot length over the shots of each genre's entries
    entry_asl_s: tuple[float, ...]  # each entry's own average shot length, in corpus order
    shots_per_entry_min: int
    shots_per_entry_mean: float
    shots_per_entry_max: int
    scale_entropy_min_bits: float  # Shannon entropy of each entry's scale distribution: 0 = one scale only
    scale_entropy_max_bits: float


def scale_entropy_bits(entry: CorpusEntry) -> float:
    """How varied an entry's framing is: entropy (bits) of the scales of its shots, counted per shot."""
    counts = Counter(shot.scale for shot in entry.shots)
    total = len(entry.shots)
    return -sum(n / total * math.log2(n / total) for n in counts.values()) + 0.0  # +0.0 turns -0.0 into 0.0


def corpus_stats(corpus: Corpus) -> CorpusStats:
    shots = [shot for entry in corpus.entries for shot in entry.shots]
    scale = Counter(s.scale.value for s in shots)
    movement = Counter(s.movement.value for s in shots)
    angle = Counter(s.angle.value for s in shots)
    genres = Counter(g for entry in corpus.entries for g in entry.genres)
    genre_time: dict[str, float] = dict.fromkeys(genres, 0.0)
    genre_shots: Counter[str] = Counter()
    for entry in corpus.entries:
        for genre in entry.genres:
            genre_time[genre] += sum(s.duration_s for s in entry.shots)
            genre_shots[genre] += len(entry.shots)
    per_entry = [len(e.shots) for e in corpus.entries]
    entropies = [scale_entropy_bits(e) for e in corpus.entries]
    return CorpusStats(
        entries=len(corpus.entries),
        shots=len(shots),
        situations=len({e.situation.strip().lower() for e in corpus.entries}),
        scale_counts={v.value: scale[v.value] for v in ShotScale},
        movement_counts={v.value: movement[v.value] for v in Movement},
        angle_counts={v.value: angle[v.value] for v in Angle},
        genre_counts=dict(sorted(genres.items(), key=lambda kv: (-kv[1], kv[0]))),
        asl_s=sum(s.duration_s for s in shots) / len(shots) if shots else 0.0,
        asl_by_genre_s={g: genre_time[g] / genre_shots[g] for g in sorted(genre_shots)},
        entry_asl_s=tuple(sum(s.duration_s for s in e.shots) / len(e.shots) for e in corpus.entries),
        shots_per_entry_min=min(per_entry, default=0),
        shots_per_entry_mean=sum(per_entry) / len(per_entry) if per_entry else 0.0,
        shots_per_entry_max=max(per_entry, default=0),
        scale_entropy_min_bits=min(entropies, default=0.0),
        scale_entropy_max_bits=max(entropies, default=0.0),
    )


def format_stats(stats: CorpusStats) -> str:
    """A plain-text report: totals, then one table per distribution with counts and shares."""
    lines = [
        f"entries {stats.entries}   shots {stats.shots}   situations {stats.situations}",
        f"average shot length {stats.asl_s:.2f} s",
        f"shots per entry: min {stats.shots_per_entry_min}  mean {stats.shots_per_entry_mean:.2f}"
        f"  max {stats.shots_per_entry_max}",
        f"scale entropy per entry: {stats.scale_entropy_min_bits:.2f} .. {stats.scale_entropy_max_bits:.2f} bits",
    ]
    for title, counts in (
        ("scale", stats.scale_counts),
        ("movement", stats.movement_counts),
        ("angle", stats.angle_counts),
        ("genre (entries)", stats.genre_counts),
    ):
        total = sum(counts.values()) or 1
        width = max([len(title), *(len(k) for k in counts)])
        lines += ["", f"{title:<{width}}  {'count':>6}  {'share':>6}"]
        lines += [f"{k:<{width}}  {n:>6}  {100 * n / total:>5.1f}%" for k, n in counts.items()]
    if stats.asl_by_genre_s:
        width = max(len("genre"), *(len(g) for g in stats.asl_by_genre_s))
        lines += ["", f"{'genre':<{width}}  {'ASL s':>6}"]
        lines += [f"{g:<{width}}  {asl:>6.2f}" for g, asl in stats.asl_by_genre_s.items()]
    return "\n".join(lines) + "\n"


# Chart layout: three panels stacked vertically. Each panel's bars have their own colour so a reader (and a
# test) can tell the panels apart.
PLOT_SIZE = (1200, 900)
SCALE_COLOUR = (52, 101, 164)
MOVEMENT_COLOUR = (204, 102, 0)
ASL_COLOUR = (78, 154, 6)
_BACKGROUND = (255, 255, 255)
_INK = (30, 30, 30)
_MARGIN = 60
_PANEL_GAP = 50
ASL_BIN_S = 1.0  # histogram bin width
ASL_MAX_S = 20.0  # entries with longer average shots share the last bin


def asl_histogram(stats: CorpusStats) -> list[int]:
    """Entries per ASL bin of `ASL_BIN_S` seconds; the last bin gathers everything at or above `ASL_MAX_S`."""
    bins = [0] * (int(ASL_MAX_S / ASL_BIN_S) + 1)
    for asl in stats.entry_asl_s:
        bins[min(int(asl / ASL_BIN_S), len(bins) - 1)] += 1
    return bins


def panel_boxes(size: tuple[int, int] = PLOT_SIZE) -> list[tuple[int, int, int, int]]:
    """(left, top, right, bottom) of the scale, movement and ASL panels' plotting areas."""
    width, height = size
    panel_h = (height - 2 * _MARGIN - 2 * _PANEL_GAP) // 3
    boxes = []
    for i in range(3):
        top = _MARGIN + i * (panel_h + _PANEL_GAP)
        boxes.append((_MARGIN, top + 18, width - _MARGIN // 2, top + panel_h - 16))
    return boxes


def plot_stats(stats: CorpusStats, path: Path | str, size: tuple[int, int] = PLOT_SIZE) -> Path:
    """Draw the scale and movement distributions and the per-entry ASL histogram as a PNG, atomically."""
    image = Image.new("RGB", size, _BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    hist = asl_histogram(stats)
    hist_labels = [f"{i * ASL_BIN_S:g}" for i in range(len(hist) - 1)] + [f"{ASL_MAX_S:g}+"]
    panels = (
        ("shots per scale", list(stats.scale_counts), list(stats.scale_counts.values()), SCALE_COLOUR),
        ("shots per movement", list(stats.movement_counts), list(stats.movement_counts.values()), MOVEMENT_COLOUR),
        ("entries per average shot length (s)", hist_labels, hist, ASL_COLOUR),
    )
    for box, (title, labels, values, colour) in zip(panel_boxes(size), panels, strict=True):
        _bar_panel(draw, font, box, title, labels, values, colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path = Path(path)
    write_bytes_atomic(path, buffer.getvalue())
    return path


def _bar_panel(
    draw: ImageDraw.ImageDraw,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
    box: tuple[int, int, int, int],
    title: str,
    labels: list[str],
    values: list[int],
    colour: tuple[int, int, int],
) -> None:
    """Bars scaled so the largest value fills the box height; value above each bar, label below."""
    left, top, right, bottom = box
    draw.text((left, top - 16), title, fill=_INK, font=font)
    draw.line([(left, bottom), (right, bottom)], fill=_INK, width=1)
    peak = max(values, default=0) or 1
    slot = (right - left) / max(len(values), 1)
    bar_w = max(int(slot * 0.7), 1)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x0 = int(left + i * slot + (slot - bar_w) / 2)
        bar_h = round((bottom - top - 14) * value / peak)
        if bar_h > 0:
            draw.rectangle([x0, bottom - bar_h, x0 + bar_w - 1, bottom - 1], fill=colour)
        draw.text((x0, bottom - bar_h - 14), str(value), fill=_INK, font=font)
        draw.text((x0, bottom + 3), label[: max(int(slot / 6), 3)], fill=_INK, font=font)
