"""The deliverable timeline: picture and sound cues as a multi-track OpenTimelineIO timeline.

Conventions (chosen for editors and for tests):
- The timeline starts at 0 (``global_start_time`` = 00:00:00:00), not at the 01:00:00:00 of broadcast masters:
  record times then equal film seconds, as in ``Cut`` and ``SoundPlan``.
- Every time is counted in frames of the cut's fps. Sound cues snap to the nearest frame, as edits do in
  EDL/FCP XML and in Resolve; the mix itself is rendered sample-accurately from the ``SoundPlan``.
- Media references are URLs relative to the output folder, so the folder can be moved as a whole.
- A clip played at ``speed`` != 1 keeps its record length as ``source_range`` duration and carries a
  ``LinearTimeWarp`` effect, the OTIO idiom that the FCP adapters translate to a speed change.
"""

from __future__ import annotations

import contextlib
import wave
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import opentimelineio as otio

from ..atomic import write_text_atomic
from ..errors import ExportError
from ..model import TRACK_NAMES, Cut, CutClip, Finding, Plan, SceneBlock, Shot, SoundCue, SoundPlan
from ..model.levels import CueLevel, MixLevels
from .edl import edl_texts
from .fcp7 import fcp7_text
from .fcpxml import fcpxml_text
from .timecode import frame_of
from .timeline_view import fit_levels, view

META_KEY = "filmaster"
INTERCHANGE_FORMATS = ("fcpxml", "fcp7", "edl")
MIX_MEDIA = "media/audio/mix.wav"  # the film's mix, a reference track in the timelines
NAME_WORDS = 6  # words of the shot's action (or prompt) kept in a clip's name


def build_timeline(
    cut: Cut,
    sound: SoundPlan,
    plan: Plan,
    *,
    media_root: Path | None = None,
    take_frames: Mapping[str, int] | None = None,
    findings: Sequence[Finding] = (),
    levels: MixLevels | None = None,
    backends: Mapping[str, str] | None = None,
    mix_media: str | None = None,
    stem_media: Sequence[tuple[str, str]] = (),
) -> otio.schema.Timeline:
    """Build the timeline of `cut` with the cues of `sound`. With `media_root` (the output folder) the
    available ranges are read from the media files; without it they come from the take lengths the cut
    implies and the cue durations. `take_frames` (by shot id) gives the takes' lengths when they are known
    and their files may still be rendering. `levels` (the mix's, see `stages.mix_levels`) gives every sound clip
    its level and ducking keyframes; `backends` (by shot id) names the backend that rendered each take;
    `mix_media` (the mix's file) adds the mix as a disabled reference track, `stem_media` ((track name, file) of
    each stem) the stems as disabled reference tracks above it."""
    if cut.fps <= 0:
        raise ExportError(f"cut '{cut.title}' has fps {cut.fps}; a timeline needs a positive frame rate")
    fps = cut.fps
    timeline = otio.schema.Timeline(name=cut.title, global_start_time=otio.opentime.RationalTime(0, fps))
    timeline.metadata[META_KEY] = {
        "title": cut.title,
        "resolution": f"{cut.width}x{cut.height}",
        "width": cut.width,
        "height": cut.height,
        "fps": fps,
        "locked": cut.locked,
    }
    picture = _picture_track(cut, plan, media_root, take_frames or {}, backends or {})
    _mark_findings(picture, cut, findings)
    timeline.tracks.append(picture)
    for track in _sound_tracks(sound, fps, cut.frames, media_root, levels):
        timeline.tracks.append(track)
    for name, media in stem_media:
        timeline.tracks.append(_reference_track(media, fps, cut.frames, media_root, name=name, what="a stem"))
    if mix_media:
        timeline.tracks.append(_reference_track(mix_media, fps, cut.frames, media_root))
    return timeline


def write_timeline(timeline: otio.schema.Timeline, path: Path) -> Path:
    """Write `timeline` as OTIO JSON to `path` atomically."""
    return write_text_atomic(Path(path), otio_json(timeline))


def otio_json(timeline: otio.schema.Timeline, *, schema: str = "") -> str:
    """The timeline as OTIO JSON; with `schema` (an OTIO release, e.g. "0.14" or "0.15.0") in the schema versions
    that release reads, downgraded through OTIO's own version manifests, for editors built on an older OTIO."""
    if not schema:
        return otio.adapters.write_to_string(timeline, "otio_json")
    return otio.adapters.write_to_string(timeline, "otio_json", target_schema_versions=schema_versions(schema))


def schema_versions(release: str) -> dict[str, int]:
    """The schema versions of OTIO `release` ("0.15" or "0.15.0"), from OTIO's version manifests."""
    families = otio.versioning.full_map()  # kept: the maps inside live only as long as it does
    known = {version: dict(schemas) for version, schemas in families["OTIO_CORE"].items()}
    wanted = release if release.count(".") >= 2 else f"{release}.0"
    if wanted not in known:
        raise ExportError(
            f"OTIO release '{release}' has no version manifest here; choose one of {', '.join(sorted(known))}"
        )
    return known[wanted]


def start_frame(timecode: str, fps: float) -> int:
    """The frame number of a start timecode ('01:00:00:00', drop-frame at 29.97 and 59.94) at `fps`."""
    return frame_of(timecode, fps)


# --- picture -------------------------------------------------------------------------------------------


def _picture_track(
    cut: Cut, plan: Plan, media_root: Path | None, take_frames: Mapping[str, int], backends: Mapping[str, str]
) -> otio.schema.Track:
    fps = cut.fps
    shots = {shot.id: shot for shot in plan.shots}
    scenes = {scene.index: scene for scene in plan.scenes}
    track = otio.schema.Track(name="Picture", kind=otio.schema.TrackKind.Video)
    previous_scene: int | None = None
    for clip in cut.clips:
        if clip.frames <= 0:
            raise ExportError(f"cut clip {clip.shot_id} has {clip.frames} frames; remove it or give it length")
        otio_clip = _picture_clip(clip, shots.get(clip.shot_id), fps, media_root, take_frames.get(clip.shot_id))
        if clip.shot_id in backends:
            otio_clip.metadata[META_KEY]["backend"] = backends[clip.shot_id]
        if clip.scene_index != previous_scene:
            otio_clip.markers.append(_scene_marker(clip, scenes.get(clip.scene_index), fps))
            previous_scene = clip.scene_index
        track.append(otio_clip)
    return track


def _mark_findings(track: otio.schema.Track, cut: Cut, findings: Sequence[Finding]) -> None:
    """Each screening finding as a marker on the first clip of the shots it names, in that clip's source time."""
    clips = list(track)
    for finding in findings:
        index = next((i for i, c in enumerate(cut.clips) if c.shot_id in finding.shot_ids), None)
        if index is None:  # a film-wide finding, or its shots were cut: mark the film's first clip
            index = 0
        clip = cut.clips[index]
        marker = otio.schema.Marker(
            name=f"{finding.kind.value}: {finding.message}"[:200],
            marked_range=_range(clip.source_start_frame, 1, cut.fps),
            color=otio.schema.MarkerColor.YELLOW,
        )
        marker.metadata[META_KEY] = {
            "finding": finding.kind.value,
            "critic": finding.critic,
            "evidence": dict(finding.evidence),
            "actions": [a.kind.value for a in finding.actions],
        }
        clips[index].markers.append(marker)


def _scene_marker(clip: CutClip, scene: SceneBlock | None, fps: float) -> otio.schema.Marker:
    """A one-frame marker on the first frame of a scene. It sits on the clip, in the clip's source time,
    because clip markers are the ones Resolve and all three interchange adapters carry over."""
    marker = otio.schema.Marker(
        name=f"Scene {clip.scene_index + 1}: {scene.heading}" if scene else f"Scene {clip.scene_index + 1}",
        marked_range=_range(clip.source_start_frame, 1, fps),
        color=otio.schema.MarkerColor.RED,
    )
    marker.metadata[META_KEY] = {
        "scene": clip.scene_index + 1,  # counted from 1, as in shot ids and the shot list
        "objective": scene.objective if scene else "",
        "characters": list(scene.characters) if scene else [],
    }
    return marker


def _picture_clip(
    clip: CutClip, shot: Shot | None, fps: float, media_root: Path | None, take_frames: int | None
) -> otio.schema.Clip:
    consumed = _source_frames_needed(clip)
    if take_frames is None and media_root:
        take_frames = _video_frames(media_root / clip.media)
    if take_frames is None:
        planned = round(shot.duration_s * fps) if shot else 0
        take_frames = max(planned, consumed)
    reference = otio.schema.ExternalReference(target_url=clip.media, available_range=_range(0, take_frames, fps))
    otio_clip = otio.schema.Clip(
        name=_clip_name(clip.shot_id, shot),
        media_reference=reference,
        source_range=_range(clip.source_start_frame, clip.frames, fps),
    )
    if clip.speed != 1.0:
        otio_clip.effects.append(otio.schema.LinearTimeWarp(name="speed", time_scalar=clip.speed))
    meta: dict[str, object] = {
        "shot_id": clip.shot_id,
        "scene": clip.scene_index + 1,  # counted from 1, as in shot ids and the shot list
        "speed": clip.speed,
        "source_start_frame": clip.source_start_frame,
        "audio_description": clip.audio_description,
    }
    if shot is not None:
        camera = shot.camera
        meta |= {
            "kind": shot.kind.value,
            "scale": camera.scale.value,
            "angle": camera.angle.value,
            "movement": camera.movement.value,
            "lens_mm": camera.lens_mm,
            "subjects": list(camera.subjects),
            "camera": camera.model_dump(mode="json"),
            "prompt": shot.prompt,
            "action": shot.action,
        }
    otio_clip.metadata[META_KEY] = meta
    return otio_clip


def _clip_name(shot_id: str, shot: Shot | None) -> str:
    if shot is None:
        return shot_id
    # A straight quote would end the FCPXML adapter's XPath predicate on the name ("invalid predicate"): the
    # typographic apostrophe reads the same.
    words = (shot.action or shot.prompt).replace("'", "\u2019").split()
    short = " ".join(words[:NAME_WORDS]) + (" ..." if len(words) > NAME_WORDS else "")
    return f"{shot_id} {shot.camera.scale.value} - {short}" if short else f"{shot_id} {shot.camera.scale.value}"


def _source_frames_needed(clip: CutClip) -> int:
    """Source frames a clip reads: its record length times its speed (the last picked frame, plus one)."""
    return clip.last_source_frame + 1 if clip.frames > 0 else clip.source_start_frame


# --- sound ---------------------------------------------------------------------------------------------


def _sound_tracks(
    sound: SoundPlan, fps: float, picture_frames: int, media_root: Path | None, levels: MixLevels | None
) -> list[otio.schema.Track]:
    tracks: list[otio.schema.Track] = []
    for kind, base_name in TRACK_NAMES.items():
        where = levels.cues if levels is not None else {}
        rate = levels.sample_rate if levels is not None else sound.sample_rate
        maybe = [_place(c, fps, picture_frames, media_root, where.get(c.id), rate) for c in sound.of_kind(kind)]
        placed = [p for p in maybe if p is not None]
        for lane_number, lane in enumerate(_lanes(placed), start=1):
            name = base_name if lane_number == 1 else f"{base_name} {lane_number}"
            tracks.append(_audio_track(name, lane, fps, picture_frames, levels))
    return tracks


@dataclass(frozen=True)
class _Placed:
    start: int  # record frame
    length: int  # frames on the timeline
    cue: SoundCue
    media: str
    available: otio.opentime.RationalTime  # the file's duration, at its own rate when probed
    skip: otio.opentime.RationalTime  # where in its file the clip starts (under a frame: see `_place`)

    @property
    def end(self) -> int:
        return self.start + self.length


def _place(
    cue: SoundCue, fps: float, picture_frames: int, media_root: Path | None, level: CueLevel | None, sample_rate: int
) -> _Placed | None:
    """Record position of a cue in frames, cut at the end of the picture and at the end of its file
    (a WAV shorter than planned plays what exists); None if nothing of it remains.

    With the mix's `level`, the cue is placed where the film plays it, to the sample: its clip starts on the first
    frame at or after that sample, and its source starts the fraction of a frame later into the file (the
    silence a line or a bed begins with), so the sound is heard exactly where the film has it."""
    media = cue.media or f"media/audio/{cue.id}.wav"
    available = _wav_duration(media_root / media) if media_root else None
    if available is None:
        available = otio.opentime.RationalTime(round(cue.duration_s * fps), fps)
    if level is not None:
        start = max(0, int(-(-level.start_sample * fps // sample_rate)))  # the first frame at or after its first sample
        skip = otio.opentime.RationalTime(start * sample_rate / fps - level.start_sample, sample_rate)
    else:
        start = max(0, round(cue.start_s * fps))
        skip = otio.opentime.RationalTime(0, fps)
    file_end = start + int((available - skip).rescaled_to(fps).value + 1e-6)
    end = min(picture_frames, file_end if level is not None else min(round(cue.end_s * fps), file_end))
    if end <= start:
        return None
    return _Placed(start, end - start, cue, media, available, skip)


def _lanes(placed: list[_Placed]) -> list[list[_Placed]]:
    """Spread cues over as few tracks as possible so that none overlap on one track (interval
    partitioning: sorted by start, each cue goes to the first track that is free by then)."""
    lanes: list[list[_Placed]] = []
    for item in sorted(placed, key=lambda p: (p.start, p.cue.id)):
        lane = next((lane for lane in lanes if lane[-1].end <= item.start), None)
        if lane is None:
            lanes.append([item])
        else:
            lane.append(item)
    return lanes


def _audio_track(
    name: str, lane: list[_Placed], fps: float, picture_frames: int, levels: MixLevels | None
) -> otio.schema.Track:
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
    position = 0
    for item in lane:
        if item.start > position:
            track.append(otio.schema.Gap(source_range=_range(0, item.start - position, fps)))
        # At the timeline's rate: the FCP XML writer needs a timecode rate, not 48 kHz.
        reference = otio.schema.ExternalReference(
            target_url=item.media,
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, fps), item.available.rescaled_to(fps)
            ),
        )
        clip = otio.schema.Clip(
            name=item.cue.id,
            media_reference=reference,
            source_range=otio.opentime.TimeRange(item.skip, otio.opentime.RationalTime(item.length, fps)),
        )
        cue = item.cue
        clip.metadata[META_KEY] = {
            "cue_id": cue.id,
            "kind": cue.kind.value,
            "text": cue.text,
            "character": cue.character,
            "gain_db": cue.gain_db,
            "description": cue.description,
            "scene": cue.scene_index + 1 if cue.scene_index is not None else None,
            "shot_id": cue.shot_id,
            "start_s": cue.start_s,
            "duration_s": cue.duration_s,
            "category": cue.category,
            "reason": cue.reason,  # why an effect or footstep exists: the screenplay's words or a foot contact
        }
        level = levels.cues.get(cue.id) if levels is not None else None
        if level is not None:
            _apply_level(clip, level)
        track.append(clip)
        position = item.end
    if position < picture_frames:
        track.append(otio.schema.Gap(source_range=_range(0, picture_frames - position, fps)))
    return track


def _apply_level(clip: otio.schema.Clip, level: CueLevel) -> None:
    """The film's level for a clip: its static gain and its ducking keyframes (seconds of the media's time, total
    dB), in the clip's metadata and as a "Volume" effect, which OTIO has no schema of its own for."""
    keyframes = [[round(t, 4), round(level.gain_db + db, 3)] for t, db in level.ducking]
    clip.metadata[META_KEY].update({"level_db": round(level.gain_db, 3), "volume_keyframes": keyframes})
    clip.effects.append(
        otio.schema.Effect(
            name="Volume",
            effect_name="Volume",
            metadata={META_KEY: {"gain_db": round(level.gain_db, 3), "keyframes": keyframes}},
        )
    )


def _reference_track(
    media: str,
    fps: float,
    picture_frames: int,
    media_root: Path | None,
    *,
    name: str = "Mix (reference)",
    what: str = "the film's mix",
) -> otio.schema.Track:
    """A sound file of the film (the mix, a stem) on a disabled track: what the tracks above should sound like,
    muted until an editor turns it on."""
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
    track.enabled = False
    available = (_wav_duration(media_root / media) if media_root else None) or otio.opentime.RationalTime(
        picture_frames, fps
    )
    length = min(picture_frames, int(available.rescaled_to(fps).value + 1e-6))
    reference = otio.schema.ExternalReference(
        target_url=media,
        available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, fps), available.rescaled_to(fps)),
    )
    clip = otio.schema.Clip(name=Path(media).stem, media_reference=reference, source_range=_range(0, length, fps))
    clip.metadata[META_KEY] = {"reference": what, "level_db": 0.0}
    track.append(clip)
    if length < picture_frames:
        track.append(otio.schema.Gap(source_range=_range(0, picture_frames - length, fps)))
    return track


# --- media probing -------------------------------------------------------------------------------------


def _video_frames(path: Path) -> int | None:
    """Frame count of a take, or None if the file is missing or unreadable (the plan's length is used)."""
    if not path.is_file():
        return None
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            if stream.frames:
                return int(stream.frames)
            return sum(1 for _ in container.decode(stream))
    except (av.error.FFmpegError, IndexError):
        return None


def _wav_duration(path: Path) -> otio.opentime.RationalTime | None:
    """Duration of a WAV in samples at its own rate (exact), or None if missing or not a PCM WAV."""
    if not path.is_file():
        return None
    try:
        with contextlib.closing(wave.open(str(path), "rb")) as wav:
            return otio.opentime.RationalTime(wav.getnframes(), wav.getframerate())
    except (wave.Error, EOFError):
        return None


def _range(start: int, duration: int, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(duration, rate))


# --- interchange ---------------------------------------------------------------------------------------


def export_interchange(timeline: otio.schema.Timeline, out_dir: Path, *, start_frame: int = 0) -> list[Path]:
    """Write the timeline as FCPXML, FCP 7 XML and CMX 3600 EDLs into `out_dir`. Returns the files written."""
    texts = interchange_texts(timeline, out_dir, start_frame=start_frame)
    return [write_text_atomic(path, text) for path, text in texts.items()]


def interchange_texts(
    timeline: otio.schema.Timeline,
    out_dir: Path,
    *,
    start_frame: int = 0,
    formats: Sequence[str] = INTERCHANGE_FORMATS,
    media_root: Path | None = None,
) -> dict[Path, str]:
    """The timeline in the interchange `formats` (fcpxml, fcp7, edl), by the path it belongs at in `out_dir`; the
    editors' timecode starts at `start_frame` (0, or 01:00:00:00 as frames for the broadcast convention). Media
    paths are absolute file URLs for this machine, made from `media_root` (the film's folder; default `out_dir`),
    as FCPXML and FCP 7 readers need."""
    out_dir = Path(out_dir)
    shown = fit_levels(view(timeline, Path(media_root or out_dir)))
    texts: dict[Path, str] = {}
    if "fcpxml" in formats:
        texts[out_dir / "film.fcpxml"] = fcpxml_text(shown, start_frame=start_frame)
    if "fcp7" in formats:
        texts[out_dir / "film.xml"] = fcp7_text(shown, start_frame=start_frame)
    if "edl" not in formats:
        return texts
    for edl in edl_texts(shown, start_frame=start_frame):
        texts[out_dir / f"film{edl.name}.edl"] = edl.text
    return texts
