"""Deliver: the film, the timeline (OTIO and the editors' formats), the shot list and the storyboard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..atomic import write_text_atomic
from ..config import Config, InterchangeConfig
from ..export.aac import AUDIO_RATE, aac_packets, can_chunk, encode_ahead
from ..export.film import assemble_film, audio_samples
from ..export.otio_timeline import MIX_MEDIA, build_timeline, interchange_texts, otio_json, start_frame
from ..export.shotlist import write_shotlist
from ..export.storyboard import (
    THUMB_WIDTH,
    FrameGrabber,
    frames_from_clip,
    storyboard_frames,
    thumbnail,
    write_storyboard,
)
from ..model import Cut, Plan, SoundPlan, Take
from ..model.levels import MixLevels
from ..progress import Reporter
from ..project import Project, content_key
from .mix import EarlyAudio, scene_sound_starts
from .mix_levels import mix_levels


def prepare_timeline(
    plan: Plan,
    cut: Cut,
    sound: SoundPlan,
    out: Path,
    takes: Mapping[str, Take],
    levels: MixLevels | None = None,
    interchange: InterchangeConfig | None = None,
) -> dict[Path, str]:
    """`film.otio` and the editors' formats, as text by path, with the mix's `levels` on every sound clip. The
    `takes`' lengths are known before they render, so this is made while the picture renders, and `deliver`
    writes it once the picture exists."""
    settings = interchange or InterchangeConfig()
    frames = {shot_id: take.frames for shot_id, take in takes.items()}
    backends = {shot_id: take.backend for shot_id, take in takes.items()}
    mix = MIX_MEDIA if levels is not None else None
    timeline = build_timeline(
        cut, sound, plan, media_root=out, take_frames=frames, levels=levels, backends=backends, mix_media=mix
    )
    start = start_frame(settings.start_timecode, cut.fps)
    return {
        out / "film.otio": otio_json(timeline, schema=settings.otio_schema),
        **interchange_texts(timeline, out, start_frame=start),
    }


def timeline_of_mix(
    plan: Plan, cut: Cut, sound: SoundPlan, project: Project, takes: Mapping[str, Take], config: Config
) -> dict[Path, str]:
    """`prepare_timeline` with the levels of the mix just made (its master gain is in the manifest)."""
    levels = mix_levels(sound, config.sound, project, project.manifest().get("master_gain_db", 0.0))
    return prepare_timeline(plan, cut, sound, project.out, takes, levels, config.interchange)


def film_sound_ahead(cut: Cut, sound: SoundPlan, project: Project) -> EarlyAudio | None:
    """What encodes stretches of the mix known early into the film's AAC cache (see `stages.mix`), if the mix
    is at the film's audio rate."""
    if sound.sample_rate != AUDIO_RATE:
        return None
    total, starts = audio_samples(cut), scene_sound_starts(sound)
    return lambda start, pcm: encode_ahead(start, pcm, total, project.cache, starts)


def encode_film_sound(cut: Cut, sound: SoundPlan, mix_wav: Path, project: Project) -> None:
    """Encode the film's AAC track into the cache now (while the picture renders); the film then only muxes."""
    if can_chunk(mix_wav):
        aac_packets(mix_wav, audio_samples(cut), project.cache, starts=scene_sound_starts(sound))


def deliver(
    plan: Plan,
    cut: Cut,
    sound: SoundPlan,
    mix_wav: Path,
    project: Project,
    reporter: Reporter,
    timeline: Mapping[Path, str],
) -> list[Path]:
    """Write every deliverable; `timeline` is what `prepare_timeline` made."""
    out = project.out
    pictures = project.media_digest([clip.media for clip in cut.clips])
    # The film is encoded and the storyboard drawn on threads of their own (FFmpeg and the drawing release the
    # GIL) while the timeline and the shot list are written here.
    with ThreadPoolExecutor(2, thread_name_prefix="deliver") as pool:
        film = pool.submit(_deliver_film, cut, sound, mix_wav, pictures, project, reporter)
        storyboard = pool.submit(deliver_storyboard, plan, cut, project)
        written = [write_text_atomic(path, text) for path, text in timeline.items()]
        written += write_shotlist(plan, cut, out)
        written += [storyboard.result(), film.result()]
    return written


def _deliver_film(
    cut: Cut, sound: SoundPlan, mix_wav: Path, pictures: str, project: Project, reporter: Reporter
) -> Path:
    film = project.out / "film.mp4"
    film_key = content_key("film", cut, pictures, project.digest(mix_wav))
    if film.is_file() and project.manifest().get("film_key") == film_key:
        project.cache.record("film", computed=False)
        return film
    with reporter.task("Encoding film.mp4", cut.frames) as advance:
        assemble_film(
            project.out,
            cut,
            mix_wav,
            film,
            progress=lambda done, total: advance(1),
            cache=project.cache,
            sound_starts=scene_sound_starts(sound),
        )
    project.cache.record("film", computed=True)
    project.update_manifest(film_key=film_key)
    return film


def deliver_storyboard(plan: Plan, cut: Cut, project: Project) -> Path:
    """`storyboard.png`, drawn again only when what it shows changed: the title, the scene headings, the takes and
    the camera captions — not the words (a reworded line leaves it as it is). Needs the takes, not the sound."""
    board = project.out / "storyboard.png"
    shots = {shot.id: shot for shot in plan.shots}
    shown = (
        plan.title,
        [scene.heading for scene in plan.scenes],
        cut.model_dump(mode="json", exclude={"clips": {"__all__": {"audio_description"}}}),
        [shots[clip.shot_id].camera if clip.shot_id in shots else None for clip in cut.clips],
    )
    board_key = content_key("storyboard", shown, project.media_digest([clip.media for clip in cut.clips]))
    if not board.is_file() or project.manifest().get("storyboard_key") != board_key:
        headings = {scene.index: scene.heading for scene in plan.scenes}
        frames = storyboard_frames(plan, cut, project.out, grab=_cached_thumbnails(project))
        write_storyboard(frames, board, title=plan.title, scene_headings=headings)
        project.update_manifest(storyboard_key=board_key)
    return board


def _cached_thumbnails(project: Project) -> FrameGrabber:
    """Storyboard frames through the cache, by the bytes of the clip: a re-run decodes only re-rendered shots."""

    def grab(clip: Path, times_s: Sequence[float]) -> list[np.ndarray]:
        key = content_key("thumbs", project.digest(clip), list(times_s), THUMB_WIDTH)

        def make(tmp: Path) -> None:
            np.save(tmp, np.stack([thumbnail(frame) for frame in frames_from_clip(clip, times_s)]))

        return list(np.load(project.cache.fetch_or_make("thumbs", key, ".npy", make)))

    return grab
