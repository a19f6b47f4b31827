"""Annotate a user's footage into corpus entries: one decode pass, bounded memory, one entry per scene."""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ...errors import FilmasterError, InputError
from ...model.camera import ShotScale
from ...model.corpus import CorpusEntry, CorpusShot
from .framing import FrameSubjects, ShotFraming, SubjectDetector, classify_framing
from .look import LookAccumulator, ShotLook, frame_look, summarise
from .motion import BASELINE_S, PairMotion, ShotMotion, classify_motion, estimate_motion, ignore_mask
from .scenes import group_scenes
from .shots import LAG_FRAMES, CutDetector
from .video import ANALYSIS_WIDTH, VideoInfo, iter_frames, probe

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

FRAMING_INTERVAL_S = 0.67  # face/person detection is the costliest analysis: sample, do not run on every frame
MAX_SHOT_S = 600.0  # CorpusShot's limit; longer shots are recorded at this length with a warning
PROGRESS_EVERY = 25  # frames


@dataclass(frozen=True)
class AnnotatedShot:
    start_frame: int
    end_frame: int  # exclusive
    shot: CorpusShot
    motion: ShotMotion
    framing: ShotFraming
    look: ShotLook
    scene: int | None  # index into AnnotatedVideo.entries; None for a black gap


@dataclass(frozen=True)
class AnnotatedVideo:
    path: Path
    name: str
    fps: float
    frames: int  # frames decoded and analysed
    seconds: float  # wall time the annotation took
    shots: list[AnnotatedShot]
    entries: list[CorpusEntry]  # one per scene
    warnings: list[str] = field(default_factory=list)

    @property
    def cuts(self) -> list[int]:
        """Frame index of the first frame of every shot after the first."""
        return [s.start_frame for s in self.shots[1:]]

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps

    @property
    def frames_per_second(self) -> float:
        """Annotation speed."""
        return self.frames / max(self.seconds, 1e-9)

    def summary(self) -> str:
        cuts = "no cuts (one shot)" if len(self.shots) == 1 else f"{len(self.shots)} shots"
        return (
            f"{self.name}: {self.duration_s:.1f} s, {cuts}, {len(self.entries)} scene(s); "
            f"annotated at {self.frames_per_second:.0f} frames/s"
        )


@dataclass
class _Record:
    """One decoded frame, held back a few frames until the cut detector has said which shot it opens."""

    index: int
    bgr: np.ndarray


@dataclass
class _ShotBuilder:
    start: int
    frames: int = 0
    motions: list[PairMotion] = field(default_factory=list)
    look: LookAccumulator = field(default_factory=LookAccumulator)
    subjects: list[FrameSubjects] = field(default_factory=list)


class _Annotator:
    """Cut detection runs on arrival; everything else runs once a frame's shot is known, so motion is never
    measured across a cut and the framing samples are spaced from each shot's start."""

    def __init__(self, info: VideoInfo) -> None:
        self.info = info
        self.cuts = CutDetector(info.fps)
        self.subjects = SubjectDetector()
        self.framing_step = max(1, round(info.fps * FRAMING_INTERVAL_S))
        self.pending: deque[_Record] = deque()
        self.cut_queue: deque[int] = deque()
        self.current = _ShotBuilder(start=0)
        self.done: list[_ShotBuilder] = []
        self.motion_step = max(1, round(info.fps * BASELINE_S))
        self.anchor: np.ndarray | None = None  # the grey frame motion is measured from
        self.mask: np.ndarray | None = None  # where the actors were at the last framing sample

    def feed(self, index: int, bgr: np.ndarray) -> None:
        self.pending.append(_Record(index, bgr))
        self.cut_queue.extend(self.cuts.feed(bgr))
        self._flush(keep=LAG_FRAMES)

    def finish(self) -> list[_ShotBuilder]:
        seen = set(self.cut_queue) | {b.start for b in self.done}
        self.cut_queue.extend(sorted(c for c in self.cuts.finish() if c not in seen and c > self.current.start))
        self._flush(keep=0)
        if self.current.frames:
            self.done.append(self.current)
        return self.done

    def _flush(self, keep: int) -> None:
        while len(self.pending) > keep:
            rec = self.pending.popleft()
            if self.cut_queue and rec.index >= self.cut_queue[0]:
                self.cut_queue.popleft()
                self.done.append(self.current)
                self.current = _ShotBuilder(start=rec.index)
            self._add(self.current, rec)

    def _add(self, shot: _ShotBuilder, rec: _Record) -> None:
        offset = rec.index - shot.start
        grey = cv2.cvtColor(rec.bgr, cv2.COLOR_BGR2GRAY)
        if offset % self.framing_step == 0:
            subjects = self.subjects.detect(rec.bgr)
            shot.subjects.append(subjects)
            self.mask = ignore_mask(grey.shape, subjects.regions)
        if offset % self.motion_step == 0:
            if offset > 0 and self.anchor is not None:
                motion = estimate_motion(self.anchor, grey, self.mask, span=self.motion_step)
                if motion is not None:
                    shot.motions.append(motion)
            self.anchor = grey
        shot.look.add(frame_look(rec.bgr))
        shot.frames += 1


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "video"


def _shows(framing: ShotFraming) -> str:
    n = framing.subjects
    if framing.basis == "face":
        return "one face" if n == 1 else f"{n} faces"
    if framing.basis == "person":
        return "one full figure" if n == 1 else f"{n} full figures"
    return ""


def _role(framing: ShotFraming, first_of_many: bool) -> str:
    if first_of_many and framing.scale in (ShotScale.WS, ShotScale.EWS):
        return "establishing"
    if framing.basis == "face":
        return "single" if framing.subjects == 1 else "two_shot" if framing.subjects == 2 else "group"
    return ""


def _describe(shots: list[CorpusShot]) -> str:
    parts = []
    for s in shots:
        move = s.movement.value.replace("_", " ") + (f" {s.direction}" if s.direction else "")
        parts.append(f"{s.scale.value} {move} {s.duration_s:.1f} s")
    temps = [s.colour_temperature_k for s in shots if s.colour_temperature_k]
    light = float(np.mean([s.brightness or 0.0 for s in shots]))
    tone = "low-key" if light < 0.25 else "high-key" if light > 0.6 else "mid-key"
    colour = ""
    if temps:
        k = float(np.median(temps))
        colour = f", {'warm' if k < 4500 else 'cool' if k > 7000 else 'neutral'} light ({k:.0f} K)"
    return "; ".join(parts) + f". {tone}{colour}"


def _assemble(
    info: VideoInfo, name: str, builders: list[_ShotBuilder], warnings: list[str]
) -> tuple[list[AnnotatedShot], list[CorpusEntry]]:
    fps = info.fps
    motions = [classify_motion(b.motions, fps) for b in builders]
    framings = [classify_framing(b.subjects) for b in builders]
    looks = [summarise(b.look) for b in builders]
    scenes = group_scenes(looks)
    scene_of = {i: k for k, members in enumerate(scenes) for i in members}

    corpus_shots: list[CorpusShot] = []
    for i, b in enumerate(builders):
        duration = b.frames / fps
        if duration > MAX_SHOT_S:
            warnings.append(f"{info.path}: shot {i + 1} lasts {duration:.0f} s; recorded as {MAX_SHOT_S:.0f} s")
            duration = MAX_SHOT_S
        k = scene_of.get(i)
        first_of_many = k is not None and scenes[k][0] == i and len(scenes[k]) > 1
        corpus_shots.append(
            CorpusShot(
                scale=framings[i].scale,
                movement=motions[i].movement,
                direction=motions[i].direction,
                duration_s=duration,
                shows=_shows(framings[i]),
                role=_role(framings[i], first_of_many),
                brightness=round(looks[i].brightness, 4),
                contrast=round(looks[i].contrast, 4),
                colour_temperature_k=_kelvin(looks[i].colour_temperature_k),
                start_s=round(b.start / fps, 3),
            )
        )

    entries = []
    for k, members in enumerate(scenes):
        shots = [corpus_shots[i] for i in members]
        total = sum((builders[i].frames for i in members), 0) / fps
        situation = f"footage from {name}, scene {k + 1} ({len(shots)} shot{'s' * (len(shots) != 1)}, {total:.1f} s)"
        entries.append(
            CorpusEntry(
                id=f"footage-{_slug(name)}-{k + 1:02d}",
                situation=situation,
                description=_describe(shots),
                objective=situation,  # footage carries no story text to take an objective from
                characters=min(100, max(framings[i].subjects for i in members)),
                shots=shots,
                source=f"footage:{name}",
            )
        )
    annotated = [
        AnnotatedShot(b.start, b.start + b.frames, corpus_shots[i], motions[i], framings[i], looks[i], scene_of.get(i))
        for i, b in enumerate(builders)
    ]
    return annotated, entries


def annotate_video(
    path: Path,
    name: str | None = None,
    *,
    progress: Progress | None = None,
    analysis_width: int = ANALYSIS_WIDTH,
) -> AnnotatedVideo:
    """Detect the shots and scenes of a video and describe each shot's camera language.

    Raises InputError (one line: the file and the fix) for a missing file, a file that is not a video or holds
    no decodable video stream, and a video without frames.
    """
    started = time.perf_counter()
    path = Path(path)
    name = name or path.stem
    info = probe(path, analysis_width)
    warnings: list[str] = []
    if info.fps_guessed:
        warnings.append(f"{path}: the video declares no frame rate; assumed {info.fps:g} fps")
    annotator = _Annotator(info)
    total = info.frames_estimate
    count = 0
    for count, bgr in enumerate(iter_frames(info, warnings), start=1):
        annotator.feed(count - 1, bgr)
        if progress and count % PROGRESS_EVERY == 0:
            progress(count, max(total, count))
    if count == 0:
        raise InputError(f"{path}: the video has no frames (zero length); re-export it with picture")
    builders = annotator.finish()
    if progress:
        progress(count, count)
    shots, entries = _assemble(info, name, builders, warnings)
    if len(shots) == 1:
        log.info("%s: no cuts found; the whole video is one shot", path)
    for message in warnings:
        log.warning(message)
    return AnnotatedVideo(
        path=path,
        name=name,
        fps=info.fps,
        frames=count,
        seconds=time.perf_counter() - started,
        shots=shots,
        entries=entries,
        warnings=warnings,
    )


def annotate_many(
    paths: Iterable[Path], *, progress: Callable[[Path, int, int], None] | None = None
) -> tuple[list[AnnotatedVideo], list[tuple[Path, str]]]:
    """Annotate each video; a file that fails is reported in `failures` and the others still run.

    Videos sharing a file stem get distinct names ("clip", "clip-2") so their entry ids stay unique.
    """
    results: list[AnnotatedVideo] = []
    failures: list[tuple[Path, str]] = []
    used: dict[str, int] = {}
    for path in map(Path, paths):
        used[path.stem] = used.get(path.stem, 0) + 1
        name = path.stem if used[path.stem] == 1 else f"{path.stem}-{used[path.stem]}"
        on_progress = (lambda done, total, p=path: progress(p, done, total)) if progress else None
        try:
            results.append(annotate_video(path, name, progress=on_progress))
        except FilmasterError as exc:
            failures.append((path, str(exc)))
    return results, failures


def _kelvin(temperature: float | None) -> int | None:
    """A measured colour temperature to the whole kelvin; None (or 0: not measurable) stays unknown."""
    return round(temperature) if temperature else None
