"""Deliver: the film, the timeline (OTIO and the editors' formats), the shot list and the storyboard."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .. import __version__
from ..atomic import write_text_atomic
from ..audio.film_grid import AUDIO_RATE
from ..config import Config, InterchangeConfig, SoundConfig
from ..export.aac import aac_packets, can_chunk, encode_ahead
from ..export.conform import conform_cut
from ..export.film import assemble_film, audio_samples
from ..export.formats import AFTER_MIX, DEFAULT_FORMATS, ExportContext, export_texts, resolve_formats
from ..export.otio_timeline import MIX_MEDIA, build_timeline, otio_json
from ..export.storyboard import (
    THUMB_WIDTH,
    FrameGrabber,
    frames_from_clip,
    storyboard_frames,
    storyboard_wanted,
    thumbnail,
    write_storyboard,
)
from ..export.take_frames import FrameTap
from ..model import Cut, Finding, Plan, SoundPlan, Take
from ..model.levels import MixLevels
from ..model.mix import EarlyAudio, MixResult
from ..progress import Reporter
from ..project import Project, content_key
from ..verify import clip_ok, png_ok
from .mix_levels import mix_levels
from .stems import stem_references


def prepare_timeline(
    plan: Plan,
    cut: Cut,
    sound: SoundPlan,
    out: Path,
    takes: Mapping[str, Take],
    formats: Sequence[str] = DEFAULT_FORMATS,
    mix: SoundConfig | None = None,
    findings: Sequence[Finding] = (),
    levels: MixLevels | None = None,
    interchange: InterchangeConfig | None = None,
) -> Deliverables:
    """The timeline and the export formats that do not need the finished mix's gain, as text by path, with the
    mix's `levels` on every sound clip. The `takes`' lengths are known before they render, so this is made while
    the picture renders, and `deliver` writes it (with the formats that need the mix) once the picture exists."""
    frames = {shot_id: take.frames for shot_id, take in takes.items()}
    backends = {shot_id: take.backend for shot_id, take in takes.items()}
    timeline = build_timeline(
        cut,
        sound,
        plan,
        media_root=out,
        take_frames=frames,
        findings=findings,
        levels=levels,
        backends=backends,
        mix_media=MIX_MEDIA if levels is not None else None,
        stem_media=stem_references(out) if levels is not None else (),
    )
    context = ExportContext(
        out=out,
        plan=plan,
        cut=cut,
        sound=sound,
        timeline=timeline,
        dest=out,
        mix=mix or SoundConfig(),
        interchange=interchange or InterchangeConfig(),
    )
    names = resolve_formats(list(formats))
    early = [name for name in names if name not in AFTER_MIX]
    return Deliverables(context, export_texts(context, early), [name for name in names if name in AFTER_MIX])


def timeline_of_mix(
    plan: Plan,
    cut: Cut,
    sound: SoundPlan,
    project: Project,
    takes: Mapping[str, Take],
    config: Config,
    findings: Sequence[Finding] = (),
) -> Deliverables:
    """`prepare_timeline` with the levels of the mix just made (its master gain is in the manifest)."""
    levels = mix_levels(sound, config.sound, project, project.manifest().get("master_gain_db", 0.0))
    return prepare_timeline(
        plan, cut, sound, project.out, takes, config.deliver.formats, config.sound, findings, levels, config.interchange
    )


@dataclass(frozen=True)
class Deliverables:
    """What `prepare_timeline` made: the context, the files written beside the mix, the formats left for after."""

    context: ExportContext
    texts: dict[Path, str]
    after_mix: list[str]

    def finish(self, project: Project) -> list[Path]:
        """Write every file, the formats that needed the mix made now with its master gain — or, when nothing they
        read changed (the timeline, the sound files, the gain), left as the last run wrote them: the Kdenlive
        project's levels read every sound file, two thirds of a second for a two-minute film."""
        gain = project.manifest().get("master_gain_db")
        context = replace(self.context, master_gain_db=float(gain) if isinstance(gain, int | float) else None)
        written = [write_text_atomic(path, text) for path, text in self.texts.items()]
        if not self.after_mix:
            return written
        sounds = project.media_digest([cue.media for cue in context.sound.cues if cue.media])
        key = content_key(
            "after-mix", __version__, self.after_mix, otio_json(context.timeline), sounds, gain, context.mix
        )
        stored = project.manifest().get("after_mix", {})
        kept = [Path(name) for name in stored.get("files", [])]
        if stored.get("key") == key and kept and all((project.out / name).is_file() for name in kept):
            return written + [project.out / name for name in kept]
        texts = export_texts(context, self.after_mix)
        written += [write_text_atomic(path, text) for path, text in texts.items()]
        project.update_manifest(after_mix={"key": key, "files": [project.rel(path) for path in texts]})
        return written


def film_sound_ahead(cut: Cut, sound: SoundPlan, project: Project) -> EarlyAudio | None:
    """What encodes stretches of the mix known early into the film's AAC cache (see `stages.mix`), if the mix
    is at the film's audio rate."""
    if sound.sample_rate != AUDIO_RATE:
        return None
    total = audio_samples(cut)
    return lambda start, pcm, starts: encode_ahead(start, pcm, total, project.cache, starts)


def encode_film_sound(cut: Cut, mix: MixResult, project: Project) -> None:
    """Encode the film's AAC track into the cache now (while the picture renders); the film then only muxes."""
    if can_chunk(mix.path):
        aac_packets(mix.path, audio_samples(cut), project.cache, starts=mix.scene_starts)


def deliver(
    plan: Plan,
    cut: Cut,
    mix: MixResult,
    project: Project,
    reporter: Reporter,
    timeline: Deliverables,
) -> list[Path]:
    """Write every deliverable; `timeline` is what `prepare_timeline` made."""
    pictures = project.media_digest([clip.media for clip in cut.clips])
    # The film is encoded and the storyboard drawn on threads of their own (FFmpeg and the drawing release the
    # GIL) while the timeline and the shot list are written here. The storyboard's frames are kept as the conform
    # decodes the takes (one decode of a trimmed take, not two): it draws once the conform is done.
    tap, conformed = FrameTap(storyboard_wanted(cut, project.out)), threading.Event()
    with ThreadPoolExecutor(2, thread_name_prefix="deliver") as pool:
        film = pool.submit(_deliver_film, cut, mix, pictures, project, reporter, tap, conformed)
        film.add_done_callback(lambda _: conformed.set())  # never left waiting, whatever the film raised
        storyboard = pool.submit(deliver_storyboard, plan, cut, project, tap, conformed)
        written = timeline.finish(project)
        written += [storyboard.result(), film.result()]
    return written


def _deliver_film(
    cut: Cut,
    mix: MixResult,
    pictures: str,
    project: Project,
    reporter: Reporter,
    tap: FrameTap | None = None,
    conformed: threading.Event | None = None,
) -> Path:
    """`film.mp4`; `conformed` is set once the conform has offered `tap` its frames (or will not run)."""
    film = project.out / "film.mp4"
    film_key = content_key("film", cut, pictures, project.digest(mix.path))
    if project.manifest().get("film_key") == film_key and clip_ok(film, cut.frames, audio=True):
        project.cache.record("film", computed=False)
        if conformed is not None:
            conformed.set()
        return film
    with reporter.task("Encoding film.mp4", cut.frames) as advance:
        try:
            # trimmed clips re-encoded alone, so the film is still joined by copy
            conformed_cut = conform_cut(cut, project, tap)
        finally:
            if conformed is not None:
                conformed.set()
        assemble_film(
            project.out,
            conformed_cut,
            mix.path,
            film,
            progress=lambda done, total: advance(1),
            cache=project.cache,
            sound_starts=mix.scene_starts,
        )
    project.cache.record("film", computed=True)
    project.update_manifest(film_key=film_key)
    return film


def deliver_storyboard(
    plan: Plan, cut: Cut, project: Project, tap: FrameTap | None = None, conformed: threading.Event | None = None
) -> Path:
    """`storyboard.png`, drawn again only when what it shows changed: the title, the scene headings, the takes and
    the camera captions — not the words (a reworded line leaves it as it is). Needs the takes, not the sound.
    Frames `tap` kept are used once `conformed` is set; any other take is decoded here."""
    board = project.out / "storyboard.png"
    shots = {shot.id: shot for shot in plan.shots}
    shown = (
        plan.title,
        [scene.heading for scene in plan.scenes],
        cut.model_dump(mode="json", exclude={"clips": {"__all__": {"audio_description"}}}),
        [shots[clip.shot_id].camera if clip.shot_id in shots else None for clip in cut.clips],
    )
    board_key = content_key("storyboard", shown, project.media_digest([clip.media for clip in cut.clips]))
    if project.manifest().get("storyboard_key") != board_key or not png_ok(board):
        headings = {scene.index: scene.heading for scene in plan.scenes}
        if conformed is not None:
            conformed.wait()
        frames = storyboard_frames(plan, cut, project.out, grab=_cached_thumbnails(project, cut.fps, tap))
        write_storyboard(frames, board, title=plan.title, scene_headings=headings)
        project.update_manifest(storyboard_key=board_key)
    return board


def _cached_thumbnails(project: Project, fps: float, tap: FrameTap | None = None) -> FrameGrabber:
    """Storyboard frames through the cache, by the bytes of the clip: a re-run decodes only re-rendered shots.
    A take whose frames `tap` kept from another decode is not decoded again (the same frames, the same bytes)."""

    def grab(clip: Path, times_s: Sequence[float]) -> list[np.ndarray]:
        key = content_key("thumbs", project.digest(clip), list(times_s), THUMB_WIDTH)

        def make(tmp: Path) -> None:
            # A time (i + 0.5) / fps shows take frame i (storyboard_frames samples mid-frame).
            kept = None if tap is None else tap.frames(clip, [round(t * fps - 0.5) for t in times_s])
            frames = kept if kept is not None else frames_from_clip(clip, times_s)
            np.save(tmp, np.stack([thumbnail(frame) for frame in frames]))

        return list(project.cache.fetch_or_make_array("thumbs", key, ".npy", make))

    return grab
