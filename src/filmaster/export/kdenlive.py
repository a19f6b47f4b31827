"""A Kdenlive project (MLT XML) of the film's timeline, which `melt` plays and renders as it is.

Written with ElementTree from the OTIO timeline (so an edited film.otio exports as edited):
- the profile is the film's: frame size, frame rate, square pixels; the audio runs at the mix's sample rate;
- track 0 is Kdenlive's black background; then every audio track (Dialogue, Music, Ambience...) and the Picture
  track, each a Kdenlive track (a tractor of two playlists) named as in the timeline;
- clips sit at their cut points with their source in/out (a clip played faster reads a `timewarp` producer);
- every audio clip carries a `volume` filter with the mix's level for it, keyframed where the mix ducks it under
  dialogue: the levels the timeline's clips carry (`stages.mix_levels`, the same every other format writes),
  less the master's gain to the loudness target is a volume filter on the whole timeline,
  followed by a limiter at the mix's ceiling;
- the mix itself is a muted reference track ("Mix (reference)"), so an editor can compare;
- scene starts are guides.
Media paths are relative to the project file, so the film's folder can be moved as a whole.
"""

from __future__ import annotations

import json
import os
import wave
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import opentimelineio as otio

from ..model import frame_rate
from .formats import ExportContext
from .frame_aligned import frame_aligned
from .timeline_view import META_KEY

DOCUMENT_VERSION = "1.04"  # Kdenlive's project format before sequences (22.x); later versions upgrade it
MLT_VERSION = "7.12.0"
REFERENCE_TRACK = "Mix (reference)"
MIX_MEDIA = "media/audio/mix.wav"
# Kdenlive's own markers for the mix transition of an audio track and the compositing of a video track.
INTERNAL_ADDED = "237"
MONO_UPMIX_DB = 3.01


@dataclass
class _Producers:
    """One producer per media file (and speed), shared by the bin and the tracks."""

    base: Path  # the folder the project file is in
    out: Path  # the film's folder, to which media URLs are relative
    items: dict[tuple[str, float], ET.Element] = field(default_factory=dict)

    def get(self, url: str, length: int, *, speed: float = 1.0, audio: bool) -> ET.Element:
        key = (url, speed)
        if key not in self.items:
            number = len(self.items) + 1
            producer = ET.Element("producer", {"id": f"producer{number}", "in": "0", "out": str(max(0, length - 1))})
            resource = _relative(self.out / url, self.base)
            _props(producer, length=length, eof="pause")
            if speed != 1.0:
                _props(
                    producer,
                    resource=f"{speed:g}:{resource}",
                    mlt_service="timewarp",
                    warp_speed=f"{speed:g}",
                    warp_resource=resource,
                )
            else:
                _props(producer, resource=resource, mlt_service="avformat-novalidate")
            if not audio:
                _props(producer, audio_index="-1")  # the takes are silent: play no sound from them
            _props(
                producer,
                **{
                    "kdenlive:id": str(number + 1),
                    "kdenlive:clipname": Path(url).stem,
                    "kdenlive:folderid": "-1",
                    "kdenlive:clip_type": "1" if audio else "2",
                },
            )
            self.items[key] = producer
        return self.items[key]


def kdenlive_text(context: ExportContext) -> str:
    """The project as XML text."""
    timeline, cut = context.timeline, context.cut
    fps = cut.fps
    total = round(timeline.duration().to_seconds() * fps)
    root = ET.Element("mlt", LC_NUMERIC="C", version=MLT_VERSION, title=cut.title, producer="main_bin")
    root.append(_profile(cut.width, cut.height, fps))
    producers = _Producers(context.dest, context.out)
    levels = _Levels(fps, context.master_gain_db or 0.0)

    # Kdenlive lists audio tracks below video tracks; the muted mix sits between them.
    tracks: list[tuple[str, ET.Element, bool, bool]] = []  # (name, playlist, audio, muted)
    references: list[
        tuple[str, ET.Element, bool, bool]
    ] = []  # the timeline's disabled reference tracks (the stems): muted, below the playing ones
    for track in timeline.audio_tracks():
        if track.name.startswith("Mix"):  # the timeline's own reference mix: Kdenlive gets its muted one below
            continue
        playlist = _playlist(track, fps, producers, levels, audio=True)
        (tracks if track.enabled else references).append((track.name, playlist, True, not track.enabled))
    tracks += references
    if (context.out / MIX_MEDIA).is_file():
        tracks.append((REFERENCE_TRACK, _reference_playlist(total, producers), True, True))
    for track in timeline.video_tracks():
        tracks.append((track.name, _playlist(track, fps, producers, levels, audio=False), False, False))

    body: list[ET.Element] = []
    track_tractors: list[tuple[str, bool, bool]] = []
    for number, (name, playlist, audio, muted) in enumerate(tracks, start=1):
        playlist.set("id", f"playlist{number}_0")
        second = ET.Element("playlist", id=f"playlist{number}_1")  # the lane Kdenlive uses for same-track mixes
        body += [playlist, second]
        tractor = ET.Element("tractor", {"id": f"tractor{number}", "in": "0", "out": str(max(0, total - 1))})
        _props(tractor, **{"kdenlive:track_name": name, "kdenlive:trackheight": "69", "kdenlive:timeline_active": "1"})
        if audio:
            _props(tractor, **{"kdenlive:audio_track": "1"})
        for lane in (playlist, second):
            ET.SubElement(tractor, "track", {"producer": lane.get("id", ""), **({"hide": "video"} if audio else {})})
        body.append(tractor)
        track_tractors.append((tractor.get("id", ""), audio, muted))

    root.extend(producers.items.values())
    root.append(_bin(producers, timeline, fps))
    root.append(_black(total))
    root.extend(body)
    root.append(_main_tractor(track_tractors, total, context, fps))
    ET.indent(root)
    return "<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(root, encoding="unicode") + "\n"


def _profile(width: int, height: int, fps: float) -> ET.Element:
    from math import gcd

    divisor = gcd(width, height)
    return ET.Element(
        "profile",
        description=f"{width}x{height} {frame_rate.label(fps)} fps",
        width=str(width),
        height=str(height),
        progressive="1",
        sample_aspect_num="1",
        sample_aspect_den="1",
        display_aspect_num=str(width // divisor),
        display_aspect_den=str(height // divisor),
        frame_rate_num=str(frame_rate.exact(fps).numerator),
        frame_rate_den=str(frame_rate.exact(fps).denominator),
        colorspace="709",
    )


@dataclass(frozen=True)
class _Levels:
    """Reads a sound clip's level for its Kdenlive entry from the timeline: the mix's level for it less the master's
    gain (a filter on the whole timeline), with the ducking as keyframes at frames from the entry's first frame."""

    fps: float
    master_gain_db: float

    def of(self, clip: otio.schema.Clip, length: int) -> tuple[float, list[tuple[int, float]]]:
        meta = clip.metadata.get(META_KEY, {})
        if "level_db" not in meta:  # a timeline made without the mix's levels: the cue's own gain, not ducked
            return float(meta.get("gain_db", 0.0)), []
        static = float(meta["level_db"]) - self.master_gain_db
        points = meta.get("volume_keyframes") or []
        if not points:
            return static, []
        # The keyframes are at seconds of the media's time; the entry starts at the clip's source in-point.
        source_in = clip.source_range.start_time.to_seconds() if clip.source_range else 0.0
        times = np.array([float(t) for t, _ in points]) - source_in
        values = np.array([float(db) for _, db in points]) - self.master_gain_db
        inside = {round(t * self.fps) for t in times if 0 < t * self.fps < length - 1}
        frames = sorted({0, max(0, length - 1)} | inside)
        return static, [(f, float(np.interp(f / self.fps, times, values))) for f in frames]


def _playlist(
    track: otio.schema.Track, fps: float, producers: _Producers, levels: _Levels, *, audio: bool
) -> ET.Element:
    playlist = ET.Element("playlist")
    blank = 0
    for item in track:
        length = round(item.duration().to_seconds() * fps)
        if not isinstance(item, otio.schema.Clip):
            blank += length
            continue
        if blank:
            ET.SubElement(playlist, "blank", length=str(blank))
            blank = 0
        level = levels.of(item, length) if audio else None
        playlist.append(_entry(item, fps, length, producers, level, audio=audio))
    return playlist


def _entry(
    clip: otio.schema.Clip,
    fps: float,
    length: int,
    producers: _Producers,
    level: tuple[float, list[tuple[int, float]]] | None,
    *,
    audio: bool,
) -> ET.Element:
    reference = clip.media_reference
    available = reference.available_range if isinstance(reference, otio.schema.ExternalReference) else None
    speed = 1.0
    for effect in clip.effects:
        if isinstance(effect, otio.schema.LinearTimeWarp):
            speed = effect.time_scalar
    file_frames = round(available.duration.to_seconds() * fps) if available else length
    source = clip.source_range or clip.available_range()
    url, first = reference.target_url, round(source.start_time.to_seconds() * fps)
    if speed != 1.0:
        # A timewarp producer's frame n shows source frame n * speed.
        first, file_frames = round(first / speed), int(file_frames / speed)
    elif audio:  # a line enters its file between two frames: read a copy that puts it on a frame
        url, first = frame_aligned(producers.out, url, source.start_time.to_seconds(), fps)
    producer = producers.get(url, max(file_frames, first + length), speed=speed, audio=audio)
    entry = ET.Element("entry", {"producer": producer.get("id", ""), "in": str(first), "out": str(first + length - 1)})
    _props(entry, **{"kdenlive:id": producer.findtext("property[@name='kdenlive:id']") or ""})
    if audio and level is not None:
        entry.append(_volume(level, _upmix_compensation_db(producers.out / url)))
    return entry


def _upmix_compensation_db(path: Path) -> float:
    """MLT's resampler spreads a mono file over two channels at -3 dB each (the centre mix level); the film's mix
    copies it to both at full level. A mono clip is raised by as much, so it plays as loud as in the film."""
    try:
        with wave.open(str(path), "rb") as wav:
            return MONO_UPMIX_DB if wav.getnchannels() == 1 else 0.0
    except (OSError, wave.Error, EOFError):
        return 0.0


def _volume(level: tuple[float, list[tuple[int, float]]], extra_db: float = 0.0) -> ET.Element:
    """Kdenlive's volume effect: the static level in dB, or its keyframes (frame from the clip's first, total dB)
    as "frame=dB;...", each raised by `extra_db`."""
    static, keyframes = level
    if keyframes:
        value = ";".join(f"{frame}={db + extra_db:.2f}" for frame, db in keyframes)
    else:
        value = f"{static + extra_db:.2f}"
    volume = ET.Element("filter")
    _props(volume, mlt_service="volume", kdenlive_id="volume", level=value, window="75", max_gain="60dB")
    return volume


def _reference_playlist(total: int, producers: _Producers) -> ET.Element:
    playlist = ET.Element("playlist")
    producer = producers.get(MIX_MEDIA, total, audio=True).get("id", "")
    ET.SubElement(playlist, "entry", {"producer": producer, "in": "0", "out": str(max(0, total - 1))})
    return playlist


def _bin(producers: _Producers, timeline: otio.schema.Timeline, fps: float) -> ET.Element:
    main_bin = ET.Element("playlist", id="main_bin")
    guides = json.dumps(_guides(timeline, fps))
    _props(
        main_bin,
        **{
            "kdenlive:docproperties.version": DOCUMENT_VERSION,
            "kdenlive:docproperties.kdenliveversion": "22.12.3",
            "kdenlive:docproperties.guides": guides,
            "kdenlive:docproperties.audioChannels": "2",
            "xml_retain": "1",
        },
    )
    for producer in producers.items.values():
        ET.SubElement(
            main_bin, "entry", {"producer": producer.get("id", ""), "in": "0", "out": producer.get("out", "0")}
        )
    return main_bin


def _guides(timeline: otio.schema.Timeline, fps: float) -> list[dict[str, object]]:
    """The picture clips' markers as Kdenlive guides (a comment, a frame, a category): scene starts in category 0,
    the screening's findings (yellow in OTIO) in category 1, so an editor can show or hide them apart."""
    guides = []
    for track in timeline.video_tracks():
        for clip in track.find_clips():
            record = clip.range_in_parent()
            source_start = (clip.source_range or clip.available_range()).start_time
            for marker in clip.markers:
                at = record.start_time + (marker.marked_range.start_time - source_start)
                category = 1 if marker.color == otio.schema.MarkerColor.YELLOW else 0
                guides.append({"comment": marker.name, "pos": round(at.to_seconds() * fps), "type": category})
    return guides


def _black(total: int) -> ET.Element:
    black = ET.Element("producer", {"id": "black_track", "in": "0", "out": str(max(0, total - 1))})
    _props(
        black,
        length=str(total),
        eof="continue",
        resource="black",
        aspect_ratio="1",
        mlt_service="color",
        **{"kdenlive:playlistid": "black_track"},
        mlt_image_format="rgba",
        **{"set.test_audio": "0"},
    )
    return black


def _main_tractor(
    tracks: list[tuple[str, bool, bool]],
    total: int,
    context: ExportContext,
    fps: float,
) -> ET.Element:
    timeline, master_gain_db = context.timeline, context.master_gain_db
    tractor = ET.Element("tractor", {"id": "maintractor", "in": "0", "out": str(max(0, total - 1))})
    _props(tractor, **{"kdenlive:sequenceproperties.guides": json.dumps(_guides(timeline, fps))})
    ET.SubElement(tractor, "track", producer="black_track")
    for producer, audio, muted in tracks:
        hide = "both" if muted else "video" if audio else None
        ET.SubElement(tractor, "track", {"producer": producer, **({"hide": hide} if hide else {})})
    for number, (_, audio, _) in enumerate(tracks, start=1):
        transition = ET.SubElement(tractor, "transition", id=f"transition{number}")
        common = {"a_track": "0", "b_track": str(number), "internal_added": INTERNAL_ADDED, "always_active": "1"}
        if audio:
            _props(transition, **common, mlt_service="mix", kdenlive_id="mix", accepts_blanks="1", sum="1")
        else:
            _props(transition, **common, mlt_service="qtblend", kdenlive_id="qtblend", compositing="0", distort="0")
    if master_gain_db is not None:
        master = ET.SubElement(tractor, "filter", id="master_level")
        _props(master, mlt_service="volume", kdenlive_id="volume", level=f"{master_gain_db:.2f}", max_gain="60dB")
        # The master's true-peak ceiling, as FFmpeg's look-ahead limiter (without its automatic make-up level).
        limiter = ET.SubElement(tractor, "filter", id="master_limiter")
        _props(
            limiter,
            mlt_service="avfilter.alimiter",
            **{
                "av.limit": f"{10 ** (context.mix.true_peak_dbtp / 20):.4f}",
                "av.attack": "5",
                "av.release": "50",
                "av.level": "0",
            },
        )
    return tractor


def _props(element: ET.Element, **values: object) -> None:
    for name, value in values.items():
        ET.SubElement(element, "property", name=name).text = str(value)


def _relative(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()
