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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import opentimelineio as otio

from ..atomic import write_text_atomic
from ..errors import ExportError
from ..model import TRACK_NAMES, Cut, CutClip, Finding, Plan, SceneBlock, Shot, SoundCue, SoundPlan

META_KEY = "filmaster"
NAME_WORDS = 6  # words of the shot's action (or prompt) kept in a clip's name


def build_timeline(
    cut: Cut,
    sound: SoundPlan,
    plan: Plan,
    *,
    media_root: Path | None = None,
    take_frames: Mapping[str, int] | None = None,
    findings: Sequence[Finding] = (),
) -> otio.schema.Timeline:
    """Build the timeline of `cut` with the cues of `sound`. With `media_root` (the output folder) the
    available ranges are read from the media files; without it they come from the take lengths the cut
    implies and the cue durations. `take_frames` (by shot id) gives the takes' lengths when they are known
    and their files may still be rendering."""
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
    picture = _picture_track(cut, plan, media_root, take_frames or {})
    _mark_findings(picture, cut, findings)
    timeline.tracks.append(picture)
    for track in _sound_tracks(sound, fps, cut.frames, media_root):
        timeline.tracks.append(track)
    return timeline


def write_timeline(timeline: otio.schema.Timeline, path: Path) -> Path:
    """Write `timeline` as OTIO JSON to `path` atomically."""
    return write_text_atomic(Path(path), otio_json(timeline))


def otio_json(timeline: otio.schema.Timeline) -> str:
    return otio.adapters.write_to_string(timeline, "otio_json")


# --- picture -------------------------------------------------------------------------------------------


def _picture_track(cut: Cut, plan: Plan, media_root: Path | None, take_frames: Mapping[str, int]) -> otio.schema.Track:
    fps = cut.fps
    shots = {shot.id: shot for shot in plan.shots}
    scenes = {scene.index: scene for scene in plan.scenes}
    track = otio.schema.Track(name="Picture", kind=otio.schema.TrackKind.Video)
    previous_scene: int | None = None
    for clip in cut.clips:
        if clip.frames <= 0:
            raise ExportError(f"cut clip {clip.shot_id} has {clip.frames} frames; remove it or give it length")
        otio_clip = _picture_clip(clip, shots.get(clip.shot_id), fps, media_root, take_frames.get(clip.shot_id))
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


def _scene_marker(clip: CutClip, scene: SceneBlock | None, fps: int) -> otio.schema.Marker:
    """A one-frame marker on the first frame of a scene. It sits on the clip, in the clip's source time,
    because clip markers are the ones Resolve and all three interchange adapters carry over."""
    marker = otio.schema.Marker(
        name=scene.heading if scene else f"Scene {clip.scene_index + 1}",
        marked_range=_range(clip.source_start_frame, 1, fps),
        color=otio.schema.MarkerColor.RED,
    )
    marker.metadata[META_KEY] = {
        "scene": clip.scene_index,
        "objective": scene.objective if scene else "",
        "characters": list(scene.characters) if scene else [],
    }
    return marker


def _picture_clip(
    clip: CutClip, shot: Shot | None, fps: int, media_root: Path | None, take_frames: int | None
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
        "scene": clip.scene_index,
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
    last = int((clip.frames - 1) * clip.speed + 1e-9) if clip.frames > 0 else -1
    return clip.source_start_frame + last + 1


# --- sound ---------------------------------------------------------------------------------------------


def _sound_tracks(sound: SoundPlan, fps: int, picture_frames: int, media_root: Path | None) -> list[otio.schema.Track]:
    tracks: list[otio.schema.Track] = []
    for kind, base_name in TRACK_NAMES.items():
        placed = [_place(c, fps, picture_frames, media_root) for c in sound.of_kind(kind)]
        placed = [p for p in placed if p is not None]
        for lane_number, lane in enumerate(_lanes(placed), start=1):
            name = base_name if lane_number == 1 else f"{base_name} {lane_number}"
            tracks.append(_audio_track(name, lane, fps, picture_frames))
    return tracks


@dataclass(frozen=True)
class _Placed:
    start: int  # record frame
    length: int  # frames on the timeline
    cue: SoundCue
    media: str
    available: otio.opentime.RationalTime  # the file's duration, at its own rate when probed

    @property
    def end(self) -> int:
        return self.start + self.length


def _place(cue: SoundCue, fps: int, picture_frames: int, media_root: Path | None) -> _Placed | None:
    """Record position of a cue in frames, cut at the end of the picture and at the end of its file
    (a WAV shorter than planned plays what exists); None if nothing of it remains."""
    media = cue.media or f"media/audio/{cue.id}.wav"
    available = _wav_duration(media_root / media) if media_root else None
    if available is None:
        available = otio.opentime.RationalTime(round(cue.duration_s * fps), fps)
    start = max(0, round(cue.start_s * fps))
    end = min(picture_frames, round(cue.end_s * fps), start + int(available.rescaled_to(fps).value + 1e-6))
    if end <= start:
        return None
    return _Placed(start, end - start, cue, media, available)


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


def _audio_track(name: str, lane: list[_Placed], fps: int, picture_frames: int) -> otio.schema.Track:
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
        clip = otio.schema.Clip(name=item.cue.id, media_reference=reference, source_range=_range(0, item.length, fps))
        cue = item.cue
        clip.metadata[META_KEY] = {
            "cue_id": cue.id,
            "kind": cue.kind.value,
            "text": cue.text,
            "character": cue.character,
            "gain_db": cue.gain_db,
            "description": cue.description,
            "scene": cue.scene_index,
            "shot_id": cue.shot_id,
            "start_s": cue.start_s,
            "duration_s": cue.duration_s,
            "category": cue.category,
            "reason": cue.reason,  # why an effect or footstep exists: the screenplay's words or a foot contact
        }
        track.append(clip)
        position = item.end
    if position < picture_frames:
        track.append(otio.schema.Gap(source_range=_range(0, picture_frames - position, fps)))
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


def _range(start: int, duration: int, rate: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(duration, rate))


# --- interchange ---------------------------------------------------------------------------------------

# (adapter name, file name, picture only, absolute URLs). FCP 7 XML and FCPXML readers (Premiere, Final Cut,
# Resolve) resolve media through absolute file:// URLs; an EDL holds no paths and only one video track.
INTERCHANGE: tuple[tuple[str, str, bool, bool], ...] = (
    ("fcpx_xml", "film.fcpxml", False, True),
    ("fcp_xml", "film.xml", False, True),
    ("cmx_3600", "film.edl", True, False),
)


def export_interchange(timeline: otio.schema.Timeline, out_dir: Path) -> list[Path]:
    """Write the timeline through every installed interchange adapter (FCPXML, FCP 7 XML, CMX 3600 EDL)
    into `out_dir`; missing adapters are skipped. Returns the files written."""
    return [write_text_atomic(path, text) for path, text in interchange_texts(timeline, out_dir).items()]


def interchange_texts(
    timeline: otio.schema.Timeline,
    out_dir: Path,
    *,
    adapters: tuple[str, ...] | None = None,
    media_root: Path | None = None,
) -> dict[Path, str]:
    """The timeline in every installed interchange format (or those of `adapters`), by the path it belongs at in
    `out_dir`; absolute media URLs are made from `media_root` (the film's folder; default `out_dir`)."""
    out_dir = Path(out_dir)
    installed = set(otio.adapters.available_adapter_names())
    texts: dict[Path, str] = {}
    for adapter, filename, picture_only, absolute in INTERCHANGE:
        if adapter not in installed or (adapters is not None and adapter not in adapters):
            continue
        variant = _variant(timeline, Path(media_root or out_dir), picture_only=picture_only, absolute=absolute)
        path = out_dir / filename
        try:
            with _frame_size_known_to_fcpx(variant) if adapter == "fcpx_xml" else contextlib.nullcontext():
                texts[path] = otio.adapters.write_to_string(variant, adapter)
        except Exception as exc:  # adapters are third-party plugins raising anything
            raise ExportError(
                f"OTIO adapter '{adapter}' could not write {path}: {exc}; update or uninstall the adapter"
            ) from exc
    return texts


@contextlib.contextmanager
def _frame_size_known_to_fcpx(timeline: otio.schema.Timeline) -> Iterator[None]:
    """The FCPXML adapter names each clip's format from the frame size it gets by running `ffprobe` on the clip:
    a process per clip (53 for the bundled example; a failed spawn each where ffprobe is not installed, and the
    format left unnamed). The timeline knows its frame size; the adapter is given it instead."""
    size = timeline.metadata.get(META_KEY, {})
    if not size.get("width") or not size.get("height"):
        yield
        return
    fcpx_xml = otio.adapters.from_name("fcpx_xml").module()  # OTIO loads the plugin as a module of its own
    width, height = int(size["width"]), int(size["height"])
    pictures = {
        clip.media_reference.target_url
        for track in timeline.video_tracks()
        for clip in track.find_clips()
        if isinstance(clip.media_reference, otio.schema.ExternalReference)
    }
    # The adapter's own naming: "1080" for 1920 wide, "720" for 1280, otherwise WxH; "" for media without picture.
    name = {1920: "1080", 1280: "720"}.get(width, f"{width}x{height}")

    def format_name(frame_rate: float, url: str) -> str:
        return f"FFVideoFormat{name}p{frame_rate:g}" if url in pictures else ""

    probing = fcpx_xml.format_name
    fcpx_xml.format_name = format_name
    try:
        yield
    finally:
        fcpx_xml.format_name = probing


def _variant(
    timeline: otio.schema.Timeline, out_dir: Path, *, picture_only: bool, absolute: bool
) -> otio.schema.Timeline:
    copy = timeline.deepcopy()
    if picture_only:
        for track in [t for t in copy.tracks if t.kind != otio.schema.TrackKind.Video]:
            copy.tracks.remove(track)
    if absolute:
        _map_urls(copy, lambda url: (out_dir / url).resolve().as_uri())
    return copy


def _map_urls(timeline: otio.schema.Timeline, change: Callable[[str], str]) -> None:
    for clip in timeline.find_clips():
        reference = clip.media_reference
        if isinstance(reference, otio.schema.ExternalReference) and "://" not in reference.target_url:
            reference.target_url = change(reference.target_url)
