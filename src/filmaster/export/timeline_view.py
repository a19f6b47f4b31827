"""The OTIO timeline flattened for the editors' formats: tracks of clips at record frames, with their sources,
levels and metadata, in whole frames of the timeline's rate.

Every interchange writer (FCPXML, FCP 7 XML, EDL) reads this view of `film.otio`, so a timeline edited by hand
and given back exports the same way as the one `make` built.
"""

from __future__ import annotations

import contextlib
import wave
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import av
import opentimelineio as otio

from ..errors import ExportError
from ..model import frame_rate

META_KEY = "filmaster"
MAX_GAIN_DB = 12.0  # the top of Final Cut's and Premiere's clip volume
AUDIO_SUFFIXES = frozenset({".wav", ".aif", ".aiff", ".m4a", ".mp3", ".aac", ".flac"})


@dataclass(frozen=True)
class MediaInfo:
    """What a media file holds, as far as the formats declare it."""

    url: str  # as in the timeline (relative to the output folder, or a URL)
    path: Path | None  # on this machine, when it resolves
    frames: int  # available length in timeline frames
    has_video: bool
    audio_rate: int  # 0 when the file has no audio
    audio_channels: int


@dataclass(frozen=True)
class ClipView:
    name: str
    record: int  # first frame on the timeline
    frames: int  # length on the timeline
    source_in: int  # first source frame (a sound clip may start a fraction of a frame later: `source_s`)
    source_s: Fraction  # where in its media the clip starts, in seconds, exactly
    media: MediaInfo
    speed: float = 1.0
    level_db: float = 0.0  # the clip's static level (the film's gain for it)
    keyframes: tuple[tuple[float, float], ...] = ()  # (seconds of the media's own time, dB), or ()
    markers: tuple[tuple[int, str], ...] = ()  # (source frame, name)
    metadata: dict = field(default_factory=dict, compare=False)

    @property
    def end(self) -> int:
        return self.record + self.frames


@dataclass(frozen=True)
class TrackView:
    name: str
    video: bool
    enabled: bool
    clips: tuple[ClipView, ...]


@dataclass(frozen=True)
class TimelineView:
    title: str
    fps: float
    width: int
    height: int
    frames: int
    tracks: tuple[TrackView, ...]
    level_shift_db: float = 0.0  # how far every level was lowered to fit the editors' range (see `fit_levels`)

    @property
    def video(self) -> list[TrackView]:
        return [t for t in self.tracks if t.video]

    @property
    def audio(self) -> list[TrackView]:
        return [t for t in self.tracks if not t.video]


def view(timeline: otio.schema.Timeline, media_root: Path | None) -> TimelineView:
    """Flatten `timeline` (relative media URLs resolve against `media_root`); raise `ExportError` when a clip does
    not sit on the timeline's frame grid."""
    meta = timeline.metadata.get(META_KEY, {})
    fps = meta.get("fps") or _rate_of(timeline)
    try:
        fps = frame_rate.parse(fps)
    except ValueError as exc:
        raise ExportError(f"timeline '{timeline.name}': {exc}") from None
    width, height = int(meta.get("width") or 1920), int(meta.get("height") or 1080)
    tracks = []
    for track in timeline.tracks:
        clips = []
        for clip in track.find_clips():
            clips.append(_clip_view(track, clip, fps, media_root))
        video = track.kind == otio.schema.TrackKind.Video
        tracks.append(TrackView(track.name, video, bool(track.enabled), tuple(clips)))
    frames = _frames(timeline.duration(), fps, f"timeline '{timeline.name}'")
    return TimelineView(timeline.name, fps, width, height, frames, tuple(tracks))


def _rate_of(timeline: otio.schema.Timeline) -> float:
    return timeline.duration().rate if timeline.tracks else 24


def _frames(time: otio.opentime.RationalTime, fps: float, what: str) -> int:
    value = time.rescaled_to(fps).value
    if abs(value - round(value)) > 1e-6:
        raise ExportError(f"{what}: {time.value}/{time.rate} s is not on the {fps} fps frame grid; snap it to a frame")
    return round(value)


def _clip_view(track: otio.schema.Track, clip: otio.schema.Clip, fps: float, media_root: Path | None) -> ClipView:
    what = f"clip '{clip.name}' on track '{track.name}'"
    in_track = clip.range_in_parent()
    reference = clip.media_reference
    url = reference.target_url if isinstance(reference, otio.schema.ExternalReference) else ""
    if not url:
        raise ExportError(f"{what} has no media file; link it to its media before exporting")
    available = reference.available_range
    meta = clip.metadata.get(META_KEY, {})
    # A sound file's length is rarely whole frames: what the formats declare is the whole frames it holds.
    media = media_info(url, media_root, int(available.duration.rescaled_to(fps).value + 1e-6) if available else 0)
    source_start = clip.source_range.start_time if clip.source_range else otio.opentime.RationalTime(0, fps)
    speed = next((e.time_scalar for e in clip.effects if isinstance(e, otio.schema.LinearTimeWarp)), 1.0)
    return ClipView(
        name=clip.name,
        record=_frames(in_track.start_time, fps, what),
        frames=_frames(in_track.duration, fps, what),
        source_in=int(source_start.rescaled_to(fps).value + 1e-9),
        source_s=_source_seconds(source_start, media),
        media=media,
        speed=speed,
        level_db=float(meta.get("level_db", 0.0)),
        keyframes=tuple((float(t), float(db)) for t, db in meta.get("volume_keyframes", [])),
        markers=tuple((_frames(m.marked_range.start_time, fps, what), m.name) for m in clip.markers if m.marked_range),
        metadata=dict(meta),
    )


def _source_seconds(start: otio.opentime.RationalTime, media: MediaInfo) -> Fraction:
    """Where in its media a clip starts, exactly: on the sound's sample grid for a sound file (a line starts at its
    sample, not its frame), else on the frame grid of the start's own rate."""
    seconds = Fraction(start.value).limit_denominator(1000) / frame_rate.exact(start.rate)
    if media.audio_rate and not media.has_video:
        return Fraction(round(seconds * media.audio_rate), media.audio_rate)
    return seconds


def media_info(url: str, media_root: Path | None, frames: int) -> MediaInfo:
    """What the file at `url` holds; a file that cannot be read is taken for what its suffix says (picture only,
    or 48 kHz mono sound)."""
    path = None
    if url.startswith("file://"):
        path = Path(unquote(urlparse(url).path))
    elif "://" not in url and media_root is not None:
        path = (Path(media_root) / url).resolve()
    if path is not None and path.is_file():
        has_video, rate, channels = _probe(str(path))
    else:
        has_video = Path(url).suffix.lower() not in AUDIO_SUFFIXES
        rate, channels = (0, 0) if has_video else (48000, 1)
    return MediaInfo(url, path, frames, has_video, rate, channels)


@cache
def _probe(path: str) -> tuple[bool, int, int]:
    """(has video, audio sample rate, audio channels) of a file; a WAV from its header, others through FFmpeg."""
    if path.lower().endswith(".wav"):
        with contextlib.suppress(wave.Error, EOFError), contextlib.closing(wave.open(path, "rb")) as wav:
            return False, wav.getframerate(), wav.getnchannels()
    try:
        with av.open(path) as container:
            audio = container.streams.audio
            rate, channels = (audio[0].rate or 0, audio[0].channels) if audio else (0, 0)
            return bool(container.streams.video), rate, channels
    except av.error.FFmpegError:
        return (Path(path).suffix.lower() not in AUDIO_SUFFIXES, 0, 0)


def fit_levels(timeline: TimelineView, ceiling_db: float = MAX_GAIN_DB) -> TimelineView:
    """The view with every sound level lowered by the same amount, when needed, so that none exceeds
    `ceiling_db` (editors' volume controls stop at +12 dB): the balance between clips is the film's, and the
    whole is `level_shift_db` quieter than the film (raise the master by that much to match it)."""
    loudest = max(
        (db for t in timeline.audio if t.enabled for c in t.clips for db in (c.level_db, *(k for _, k in c.keyframes))),
        default=0.0,
    )
    shift = max(0.0, loudest - ceiling_db)
    if shift == 0.0:
        return timeline
    tracks = tuple(
        replace(
            track,
            clips=tuple(
                replace(c, level_db=c.level_db - shift, keyframes=tuple((t, db - shift) for t, db in c.keyframes))
                for c in track.clips
            ),
        )
        if not track.video and track.enabled
        else track
        for track in timeline.tracks
    )
    return replace(timeline, tracks=tracks, level_shift_db=round(shift, 3))
