"""Subtitles (SRT and WebVTT) from the dialogue, timed to when the words are heard in the final cut.

Each line of dialogue is a clip on a Dialogue track of the timeline; its cue starts where its synthesised WAV
becomes voiced and ends where it falls silent (measured on the samples, not the shot's length). A line that lasts
more than `MAX_CUE_S` or holds more than two rows of `ROW_CHARS` is split at sentence, then clause, then word
boundaries, each part timed by its share of the characters and moved to the nearest pause in the voice. Lines
heard at the same time (dual dialogue) share one cue, one speaker per row with a dash, so cues never overlap.
A speaker's name leads lines spoken off-screen: "NELL (V.O.): ..." for voice-over and off-screen extensions,
"NELL: ..." when the speaker is not among the shot's subjects.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import opentimelineio as otio

from ..audio.wavio import read_wav
from ..model import Plan, Shot
from .formats import ExportContext

MAX_CUE_S = 6.0
ROW_CHARS = 42
MAX_CHARS = 2 * ROW_CHARS
VOICED_RANGE_DB = 40.0  # a 10 ms window is voiced within this of the line's loudest one (and above -60 dBFS)
WINDOW_S = 0.01
PAUSE_S = 0.12  # a silence at least this long between words is a pause a split may move to
SNAP_S = 0.6  # how far a split may move to reach a pause
META_KEY = "filmaster"
SUBTITLE_KEY = "subtitle"
OFF_SCREEN = {"VO": "V.O.", "OS": "O.S.", "OC": "O.C."}


@dataclass(frozen=True)
class Subtitle:
    start_s: float
    end_s: float
    text: str  # rows separated by newlines


@dataclass(frozen=True)
class SpokenLine:
    """One line of dialogue as heard: its words, who speaks, and where its voice is in the film."""

    text: str
    speaker: str  # "" when the speaker is on screen
    voiced: list[tuple[float, float]]  # film seconds of the voiced stretches, in order


def subtitle_cues(context: ExportContext) -> list[Subtitle]:
    """The film's subtitles, in order and never overlapping."""
    lines = spoken_lines(context.timeline, context.plan, context.out)
    return without_overlaps([part for line in lines for part in split_line(line)])


def spoken_lines(timeline: otio.schema.Timeline, plan: Plan, media_root: Path) -> list[SpokenLine]:
    """Every dialogue clip of `timeline` with its voiced stretches measured on its WAV, in film order."""
    shots = {shot.id: shot for shot in plan.shots}
    on_screen = _picture_subjects(timeline, shots)
    fps = _rate(timeline)
    lines: list[SpokenLine] = []
    for track in timeline.audio_tracks():
        for clip in track.find_clips():
            meta = clip.metadata.get("filmaster", {})
            if meta.get("kind") != "dialogue" or not meta.get("text"):
                continue
            record = clip.range_in_parent()
            start_frame = round(record.start_time.rescaled_to(fps).value)
            # The mix lays a line at its cue's exact time; the timeline shows it snapped to the frame. A clip still
            # on that frame is heard at the cue's time, one an editor moved at its new frame.
            cue_start = meta.get("start_s")
            start_s = (
                cue_start if cue_start is not None and round(cue_start * fps) == start_frame else start_frame / fps
            )
            source = clip.source_range or clip.available_range()
            offset_s = source.start_time.to_seconds()
            length_s = record.duration.to_seconds()
            voiced = [
                (start_s + a - offset_s, start_s + b - offset_s)
                for a, b in voiced_spans(media_root / clip.media_reference.target_url)
                if b > offset_s and a < offset_s + length_s
            ]
            voiced = [(max(a, start_s), min(b, start_s + length_s)) for a, b in voiced]
            if not voiced:
                continue
            speaker = _speaker_label(meta, shots, on_screen(voiced[0][0]))
            lines.append(SpokenLine(text=" ".join(str(meta["text"]).split()), speaker=speaker, voiced=voiced))
    return sorted(lines, key=lambda line: line.voiced[0][0])


@cache
def _voiced_spans_cached(path: str, size: int, mtime: int) -> tuple[tuple[float, float], ...]:
    audio, rate = read_wav(path)
    mono = np.abs(audio.astype(np.float64)).mean(axis=1) if audio.ndim == 2 else np.abs(audio.astype(np.float64))
    hop = max(1, round(WINDOW_S * rate))
    steps = mono.shape[0] // hop
    if steps == 0:
        return ()
    power = (mono[: steps * hop].reshape(steps, hop) ** 2).mean(axis=1)
    level_db = 10 * np.log10(power + 1e-12)
    voiced = level_db > max(float(level_db.max()) - VOICED_RANGE_DB, -60.0)
    spans: list[tuple[float, float]] = []
    index = np.flatnonzero(voiced)
    if index.size == 0:
        return ()
    # Runs of voiced windows; gaps shorter than a pause join their neighbours.
    breaks = np.flatnonzero(np.diff(index) > 1)
    starts = np.concatenate([[index[0]], index[breaks + 1]])
    ends = np.concatenate([index[breaks], [index[-1]]]) + 1
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        if spans and (a * hop / rate - spans[-1][1]) < PAUSE_S:
            spans[-1] = (spans[-1][0], b * hop / rate)
        else:
            spans.append((a * hop / rate, b * hop / rate))
    return tuple(spans)


def voiced_spans(path: Path) -> list[tuple[float, float]]:
    """Seconds into a WAV where it is voiced: windows within `VOICED_RANGE_DB` of its loudest, pauses kept."""
    stat = path.stat()
    return list(_voiced_spans_cached(str(path), stat.st_size, stat.st_mtime_ns))


def _rate(timeline: otio.schema.Timeline) -> float:
    for track in timeline.tracks:
        for clip in track.find_clips():
            return clip.source_range.duration.rate if clip.source_range else 24.0
    return 24.0


def _picture_subjects(timeline: otio.schema.Timeline, shots: dict[str, Shot]) -> Callable[[float], set[str]]:
    """A function of film seconds: the subjects of the shot on screen then (empty when none is known)."""
    spans: list[tuple[float, float, set[str]]] = []
    for track in timeline.video_tracks():
        for clip in track.find_clips():
            shot = shots.get(clip.metadata.get("filmaster", {}).get("shot_id", ""))
            record = clip.range_in_parent()
            subjects = {s.upper() for s in shot.camera.subjects} if shot else set()
            start = record.start_time.to_seconds()
            spans.append((start, start + record.duration.to_seconds(), subjects))

    def subjects_at(time_s: float) -> set[str]:
        return next((s for a, b, s in spans if a <= time_s < b), set())

    return subjects_at


def _speaker_label(meta: dict, shots: dict[str, Shot], subjects: set[str]) -> str:
    character = str(meta.get("character") or "").upper()
    if not character:
        return ""
    extension = _extension(meta, shots)
    key = extension.replace(".", "").replace(" ", "").upper()
    if key in OFF_SCREEN:
        return f"{character} ({OFF_SCREEN[key]})"
    return "" if character in subjects else character


def _extension(meta: dict, shots: dict[str, Shot]) -> str:
    """The line's extension (V.O., O.S.) from the plan: cue `dlg-<shot>-<n>` is the shot's n-th line."""
    shot = shots.get(str(meta.get("shot_id") or ""))
    match = re.search(r"-(\d+)$", str(meta.get("cue_id") or ""))
    if shot is None or match is None or not 1 <= int(match.group(1)) <= len(shot.dialogue):
        return ""
    return shot.dialogue[int(match.group(1)) - 1].extension or ""


# --- splitting a line into cues ------------------------------------------------------------------------------


def split_line(line: SpokenLine) -> list[Subtitle]:
    start, end = line.voiced[0][0], line.voiced[-1][1]
    label = f"{line.speaker}: " if line.speaker else ""
    if end - start <= MAX_CUE_S and len(label + line.text) <= MAX_CHARS:
        return [Subtitle(start, end, _rows(label + line.text))]
    pieces = _pieces(line.text, max(1, int(np.ceil((end - start) / MAX_CUE_S))))
    total = sum(len(p) for p in pieces)
    pauses = [(a + b) / 2 for (_, a), (b, _) in zip(line.voiced, line.voiced[1:], strict=False)]
    bounds, used = [start], 0
    for piece in pieces[:-1]:
        used += len(piece)
        guess = start + (end - start) * used / total
        near = [p for p in pauses if abs(p - guess) <= SNAP_S and p > bounds[-1]]
        bounds.append(min(near, key=lambda p: abs(p - guess)) if near else guess)
    bounds.append(end)
    cues = []
    for i, piece in enumerate(pieces):
        a, b = _tighten(bounds[i], bounds[i + 1], line.voiced)
        cues.append(Subtitle(a, b, _rows((label if i == 0 else "") + piece)))
    return cues


def _tighten(a: float, b: float, voiced: list[tuple[float, float]]) -> tuple[float, float]:
    """[a, b] narrowed to the voiced audio inside it (unchanged when a split fell inside a word)."""
    inside = [(max(a, x), min(b, y)) for x, y in voiced if y > a and x < b]
    return (inside[0][0], inside[-1][1]) if inside else (a, b)


def _pieces(text: str, at_least: int) -> list[str]:
    """`text` in pieces of at most `MAX_CHARS`, at least `at_least` of them where the words allow: sentences
    first, then clauses, then words; neighbours rejoined while they fit."""
    units = _units(text, MAX_CHARS // 2 if at_least > 1 else MAX_CHARS)
    target = max(len(text) / at_least, 1)
    pieces: list[str] = []
    for unit in units:
        if pieces and len(pieces[-1]) + 1 + len(unit) <= min(MAX_CHARS, target * 1.25):
            pieces[-1] = f"{pieces[-1]} {unit}"
        else:
            pieces.append(unit)
    return pieces


def _units(text: str, limit: int) -> list[str]:
    units: list[str] = []
    for sentence in re.split(r"(?<=[.!?…])\s+", text):
        for clause in re.split(r"(?<=[,;:—–])\s+", sentence) if len(sentence) > limit else [sentence]:
            units += textwrap.wrap(clause, limit, break_long_words=False) if len(clause) > limit else [clause]
    return [u for u in units if u]


def _rows(text: str) -> str:
    return "\n".join(textwrap.wrap(text, ROW_CHARS, break_long_words=False)) or text


def without_overlaps(cues: list[Subtitle]) -> list[Subtitle]:
    """Cues heard at once share one cue (a dash per speaker); the rest stay apart."""
    merged: list[list[Subtitle]] = []
    for cue in sorted(cues, key=lambda c: c.start_s):
        if merged and cue.start_s < max(c.end_s for c in merged[-1]):
            merged[-1].append(cue)
        else:
            merged.append([cue])
    out = []
    for group in merged:
        if len(group) == 1:
            out.append(group[0])
        else:
            text = "\n".join("- " + c.text.replace("\n", " ") for c in group)
            out.append(Subtitle(group[0].start_s, max(c.end_s for c in group), text))
    return out


def with_subtitle_markers(timeline: otio.schema.Timeline, cues: list[Subtitle]) -> otio.schema.Timeline:
    """A copy of `timeline` with one marker per subtitle on its stack (OTIO has no subtitle track; editors that
    read OTIO show stack markers on the timeline's ruler). Subtitle markers already there are replaced."""
    copy = timeline.deepcopy()
    markers = copy.tracks.markers
    for marker in [m for m in markers if SUBTITLE_KEY in m.metadata.get(META_KEY, {})]:
        markers.remove(marker)
    fps = _rate(copy)
    for number, cue in enumerate(cues, start=1):
        first = math.ceil(cue.start_s * fps - 1e-6)
        last = max(first + 1, math.floor(cue.end_s * fps + 1e-6))
        marker = otio.schema.Marker(
            name=cue.text.replace("\n", " "),
            marked_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(first, fps), otio.opentime.RationalTime(last - first, fps)
            ),
            color=otio.schema.MarkerColor.YELLOW,
        )
        marker.metadata[META_KEY] = {SUBTITLE_KEY: number, "start_s": cue.start_s, "end_s": cue.end_s}
        markers.append(marker)
    return copy


# --- file formats --------------------------------------------------------------------------------------------


def srt_text(cues: list[Subtitle]) -> str:
    blocks = [
        f"{i}\n{_stamp(c.start_s, ',', up=True)} --> {_stamp(c.end_s, ',')}\n{c.text}\n" for i, c in enumerate(cues, 1)
    ]
    return "\n".join(blocks)


def vtt_text(cues: list[Subtitle]) -> str:
    blocks = [f"{_stamp(c.start_s, '.', up=True)} --> {_stamp(c.end_s, '.')}\n{c.text}\n" for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


def _stamp(seconds: float, separator: str, *, up: bool = False) -> str:
    """HH:MM:SS,mmm; a start rounds up and an end down, so a cue stays inside the voice it shows."""
    ms = max(0, math.ceil(seconds * 1000 - 1e-6) if up else math.floor(seconds * 1000 + 1e-6))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"
