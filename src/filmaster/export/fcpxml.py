"""FCPXML 1.9 (Final Cut Pro 10.4.1+, DaVinci Resolve), written with ElementTree from the timeline's view.

What the file holds, by Apple's documented rules:
- `resources`: one `format` with frame duration, width and height (a standard name when the size has one); one
  `asset` per media file, picture assets on that format, sound assets with their own `audioRate` and
  `audioChannels`; `media-rep` sources are absolute file URLs (Final Cut resolves no relative ones).
- `library` → `event` → `project` (with a uid) → `sequence` → `spine`: the picture clips and the gaps between
  them; every sound clip is connected to the spine item it starts over, on a lane of its track (Dialogue -1,
  Dialogue 2 -2, Music -3 …), with the audio role of its track (dialogue, music, effects).
- Every time is a rational number of frames of the sequence (`N/fps s`), so nothing sits off the frame grid.
- The film's balance: each sound clip's level as `adjust-volume`, and the ducking under dialogue as keyframes
  of its `amount`. The mix itself is on the lowest lane, disabled (a reference to compare against).
- Clip metadata: the prompt as a `note`, the scene, shot and camera as `keyword`s, scene starts as markers.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

from ..model import frame_rate
from .timeline_view import ClipView, TimelineView, TrackView

VERSION = "1.9"
STANDARD_SIZES = {(1920, 1080): "1080p", (1280, 720): "720p", (3840, 2160): "2160p"}
ROLES = {"Dialogue": "dialogue", "Music": "music"}  # any other track's role is effects, subrole its name


def fcpxml_text(view: TimelineView, *, start_frame: int = 0) -> str:
    """The timeline as FCPXML; the sequence's timecode starts at `start_frame` (e.g. 01:00:00:00)."""
    writer = _Writer(view, start_frame)
    root = writer.build()
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n' + ET.tostring(root, encoding="unicode") + "\n"


def rational(frames: int | Fraction, fps: float) -> str:
    """`frames` of `fps` as FCPXML's rational seconds, reduced ("0s", "5s", "1001/24s")."""
    return seconds_text(Fraction(frames) * frame_rate.frame_duration(fps))


def seconds_text(value: Fraction) -> str:
    if value.denominator == 1:
        return f"{value.numerator}s"
    return f"{value.numerator}/{value.denominator}s"


def _db(value: float) -> str:
    return f"{value:.2f}dB"


class _Writer:
    def __init__(self, view: TimelineView, start_frame: int) -> None:
        self.view = view
        self.fps = view.fps
        self.start = start_frame
        self.root = ET.Element("fcpxml", version=VERSION)
        self.resources = ET.SubElement(self.root, "resources")
        self.assets: dict[str, str] = {}  # media url → asset id
        self.format_id = "r1"
        self.pictures: list[tuple[ET.Element, ClipView]] = []

    def t(self, frames: int | Fraction) -> str:
        return rational(frames, self.fps)

    def build(self) -> ET.Element:
        view = self.view
        size = STANDARD_SIZES.get((view.width, view.height))
        fmt = ET.SubElement(
            self.resources,
            "format",
            id=self.format_id,
            frameDuration=self.t(1),
            width=str(view.width),
            height=str(view.height),
            colorSpace="1-1-1 (Rec. 709)",
        )
        if size:
            fmt.set("name", f"FFVideoFormat{size}{frame_rate.label(view.fps).replace('.', '')[:4]}")
        library = ET.SubElement(self.root, "library")
        event = ET.SubElement(library, "event", name=view.title or "filmaster")
        project = ET.SubElement(
            event, "project", name=view.title or "filmaster", uid=_uid("project", view.title, view.frames)
        )
        sequence = ET.SubElement(
            project,
            "sequence",
            format=self.format_id,
            duration=self.t(view.frames),
            tcStart=self.t(self.start),
            tcFormat="DF" if frame_rate.drop_frame(view.fps) else "NDF",
            audioLayout="stereo",
            audioRate="48k",
        )
        spine = ET.SubElement(sequence, "spine")
        items = self._spine(spine)
        lane = 0
        for track in view.audio:
            lane -= 1
            for clip in track.clips:
                parent, parent_record, parent_start = _holder(items, clip.record)
                offset = parent_start + (clip.record - parent_record)
                self._audio_clip(parent, clip, track, lane, offset)
        for element, clip in self.pictures:
            self._finish_picture(element, clip)
        return self.root

    # -- the spine: picture clips and gaps

    def _spine(self, spine: ET.Element) -> list[tuple[ET.Element, int, int, int]]:
        """Write the picture track's clips and the gaps between them; returns (element, record, length, the
        element's own start) for each, to connect sound to."""
        picture = self.view.video[0].clips if self.view.video else ()
        items: list[tuple[ET.Element, int, int, int]] = []
        position = 0
        for clip in [*picture, None]:
            until = clip.record if clip is not None else self.view.frames
            if until > position:
                gap = ET.SubElement(
                    spine, "gap", name="Gap", offset=self.t(self.start + position), duration=self.t(until - position)
                )
                gap.set("start", self.t(0))
                items.append((gap, position, until - position, 0))
                position = until
            if clip is None:
                break
            items.append((self._picture_clip(spine, clip), clip.record, clip.frames, clip.source_in))
            position = clip.end
        return items

    def _picture_clip(self, spine: ET.Element, clip: ClipView) -> ET.Element:
        element = ET.SubElement(
            spine,
            "asset-clip",
            ref=self._asset(clip),
            name=clip.name,
            offset=self.t(self.start + clip.record),
            start=self.t(clip.source_in),
            duration=self.t(clip.frames),
            format=self.format_id,
            tcFormat="NDF",
        )
        meta = clip.metadata
        if meta.get("prompt"):
            ET.SubElement(element, "note").text = str(meta["prompt"])
        if clip.speed != 1.0:
            # Local time runs over the record length; the media time it maps to runs `speed` times as fast.
            time_map = ET.SubElement(element, "timeMap")
            ET.SubElement(
                time_map, "timept", time=self.t(clip.source_in), value=self.t(clip.source_in), interp="linear"
            )
            played = clip.source_in + Fraction(round(clip.frames * clip.speed * 1000), 1000)
            ET.SubElement(
                time_map, "timept", time=self.t(clip.source_in + clip.frames), value=self.t(played), interp="linear"
            )
        self.pictures.append((element, clip))
        return element

    def _finish_picture(self, element: ET.Element, clip: ClipView) -> None:
        """Markers and keywords come after the connected clips in an asset-clip (the DTD's order)."""
        for frame, name in clip.markers:
            ET.SubElement(element, "marker", start=self.t(frame), duration=self.t(1), value=name)
        keywords = _keywords(clip.metadata)
        if keywords:
            ET.SubElement(
                element, "keyword", start=self.t(clip.source_in), duration=self.t(clip.frames), value=keywords
            )

    # -- connected sound

    def _audio_clip(self, parent: ET.Element, clip: ClipView, track: TrackView, lane: int, offset: int) -> None:
        role = ROLES.get(track.name.split(" ")[0], "effects")
        if track.name.lower().startswith("mix"):
            role = "effects.Mix"
        elif role == "effects":
            role = f"effects.{track.name.split(' ')[0]}"
        element = ET.Element(
            "asset-clip",
            ref=self._asset(clip),
            lane=str(lane),
            name=clip.name,
            offset=self.t(offset),
            # On the sound's own sample grid: the fraction of a frame that puts the line where the film has it.
            start=seconds_text(clip.source_s),
            duration=self.t(clip.frames),
            audioRole=role,
        )
        if not track.enabled:
            element.set("enabled", "0")
        if clip.metadata.get("text"):
            ET.SubElement(element, "note").text = str(clip.metadata["text"])
        volume = ET.SubElement(element, "adjust-volume", amount=_db(clip.level_db))
        if clip.keyframes:
            param = ET.SubElement(volume, "param", name="amount")
            animation = ET.SubElement(param, "keyframeAnimation")
            last = None
            for seconds, level in clip.keyframes:
                frame = round(seconds * self.fps)
                if frame == last:
                    continue
                ET.SubElement(animation, "keyframe", time=self.t(frame), value=_db(level))
                last = frame
        # Connected clips go before the parent's markers and keywords (written last, in `_finish_picture`).
        index = next((i for i, child in enumerate(parent) if child.tag in ("marker", "keyword")), len(parent))
        parent.insert(index, element)

    def _asset(self, clip: ClipView) -> str:
        media = clip.media
        if media.url in self.assets:
            return self.assets[media.url]
        asset_id = f"r{len(self.assets) + 2}"
        self.assets[media.url] = asset_id
        src = media.path.as_uri() if media.path is not None else media.url
        asset = ET.SubElement(
            self.resources,
            "asset",
            id=asset_id,
            name=Path(media.url).stem,
            uid=_uid("asset", media.url),
            start="0s",
            duration=self.t(max(media.frames, clip.source_in + clip.frames)),
        )
        if media.has_video:
            asset.set("hasVideo", "1")
            asset.set("format", self.format_id)
            asset.set("videoSources", "1")
        if media.audio_rate:
            asset.set("hasAudio", "1")
            asset.set("audioSources", "1")
            asset.set("audioChannels", str(media.audio_channels))
            asset.set("audioRate", str(media.audio_rate))
        ET.SubElement(asset, "media-rep", kind="original-media", src=src)
        return asset_id


def _holder(items: list[tuple[ET.Element, int, int, int]], record: int) -> tuple[ET.Element, int, int]:
    """The spine item a sound starting at `record` connects to: the one playing then (the last one at the end)."""
    for element, start, length, own_start in items:
        if start <= record < start + length:
            return element, start, own_start
    element, start, _, own_start = items[-1]
    return element, start, own_start


def _keywords(meta: dict) -> str:
    words = []
    if meta.get("scene") is not None:
        words.append(f"Scene {meta['scene']}")
    if meta.get("shot_id"):
        words.append(str(meta["shot_id"]))
    camera = meta.get("camera") or {}
    for key in ("scale", "angle", "movement"):
        if camera.get(key):
            words.append(str(camera[key]))
    if camera.get("lens_mm"):
        words.append(f"{camera['lens_mm']:g}mm")
    if meta.get("backend"):
        words.append(str(meta["backend"]))
    return ", ".join(words)


def _uid(*parts: object) -> str:
    """A stable uid (the same film exports the same uids, so a re-import updates instead of duplicating)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "filmaster:" + "|".join(map(str, parts)))).upper()
