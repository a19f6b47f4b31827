"""Final Cut Pro 7 XML (xmeml version 5: Premiere Pro, DaVinci Resolve, Avid via converters), written with
ElementTree from the timeline's view.

The sequence declares its full format (frame size, pixel aspect, rate) and its audio format; files declare only
the streams they hold (the previz takes have no sound); each sound clip names its source channel
(`sourcetrack`) and carries the film's level for it as an "Audio Levels" filter, with the ducking under dialogue
as keyframes (`when` in frames of the clip's media, `value` a linear gain, as FCP 7 stores it). Tracks carry
their names (`<name>` and Premiere's `MZ.TrackName`); the mix is a disabled reference track.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..model import frame_rate
from .timecode import timecode
from .timeline_view import ClipView, TimelineView, TrackView

MAX_LEVEL = 3.98109  # +12 dB, the top of FCP 7's level slider
TICKS_PER_SECOND = 254016000000  # Premiere's time unit


def fcp7_text(view: TimelineView, *, start_frame: int = 0) -> str:
    root = ET.Element("xmeml", version="5")
    sequence = ET.SubElement(root, "sequence", id="sequence-1")
    writer = _Writer(view)
    ET.SubElement(sequence, "name").text = view.title
    ET.SubElement(sequence, "duration").text = str(view.frames)
    sequence.append(writer.rate())
    timecode_element = ET.SubElement(sequence, "timecode")
    timecode_element.append(writer.rate())
    ET.SubElement(timecode_element, "string").text = timecode(start_frame, view.fps)
    ET.SubElement(timecode_element, "frame").text = str(start_frame)
    ET.SubElement(timecode_element, "displayformat").text = "DF" if frame_rate.drop_frame(view.fps) else "NDF"
    media = ET.SubElement(sequence, "media")
    video = ET.SubElement(media, "video")
    ET.SubElement(video, "format").append(writer.picture_characteristics())
    for track in view.video:
        writer.track(video, track)
    audio = ET.SubElement(media, "audio")
    ET.SubElement(audio, "numOutputChannels").text = "2"
    ET.SubElement(audio, "format").append(writer.sound_characteristics(48000))
    for track in view.audio:
        writer.track(audio, track)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n' + ET.tostring(root, encoding="unicode") + "\n"


def linear(db: float) -> float:
    """An FCP 7 level: linear gain, at most +12 dB."""
    return min(MAX_LEVEL, round(10 ** (db / 20), 6))


class _Writer:
    def __init__(self, view: TimelineView) -> None:
        self.view = view
        self.files: dict[str, str] = {}  # media url → file id
        self.clip_count = 0

    def rate(self) -> ET.Element:
        rate = ET.Element("rate")
        ET.SubElement(rate, "timebase").text = str(frame_rate.timebase(self.view.fps))
        ET.SubElement(rate, "ntsc").text = "TRUE" if frame_rate.is_ntsc(self.view.fps) else "FALSE"
        return rate

    def picture_characteristics(self) -> ET.Element:
        characteristics = ET.Element("samplecharacteristics")
        characteristics.append(self.rate())
        ET.SubElement(characteristics, "width").text = str(self.view.width)
        ET.SubElement(characteristics, "height").text = str(self.view.height)
        ET.SubElement(characteristics, "anamorphic").text = "FALSE"
        ET.SubElement(characteristics, "pixelaspectratio").text = "square"
        ET.SubElement(characteristics, "fielddominance").text = "none"
        return characteristics

    def sound_characteristics(self, rate: int) -> ET.Element:
        characteristics = ET.Element("samplecharacteristics")
        ET.SubElement(characteristics, "depth").text = "16"
        ET.SubElement(characteristics, "samplerate").text = str(rate)
        return characteristics

    def track(self, parent: ET.Element, track: TrackView) -> None:
        element = ET.SubElement(parent, "track")
        element.set("MZ.TrackName", track.name)
        ET.SubElement(element, "name").text = track.name
        for clip in track.clips:
            self.clip(element, clip, track)
        ET.SubElement(element, "enabled").text = "TRUE" if track.enabled else "FALSE"
        ET.SubElement(element, "locked").text = "FALSE"

    def clip(self, parent: ET.Element, clip: ClipView, track: TrackView) -> None:
        self.clip_count += 1
        item = ET.SubElement(parent, "clipitem", id=f"clipitem-{self.clip_count}")
        ET.SubElement(item, "name").text = clip.name
        ET.SubElement(item, "enabled").text = "TRUE" if track.enabled else "FALSE"
        ET.SubElement(item, "duration").text = str(max(clip.media.frames, clip.source_in + clip.frames))
        item.append(self.rate())
        ET.SubElement(item, "start").text = str(clip.record)
        ET.SubElement(item, "end").text = str(clip.end)
        ET.SubElement(item, "in").text = str(clip.source_in)
        ET.SubElement(item, "out").text = str(clip.source_in + round(clip.frames * clip.speed))
        if not track.video:
            # Premiere's sub-frame in-point: the fraction of a frame that puts the line where the film has it.
            ticks = round(clip.source_s * TICKS_PER_SECOND)
            ET.SubElement(item, "pproTicksIn").text = str(ticks)
            ET.SubElement(item, "pproTicksOut").text = str(ticks + clip.frames * TICKS_PER_SECOND // self.view.fps)
        item.append(self.file(clip))
        if not track.video:
            source = ET.SubElement(item, "sourcetrack")
            ET.SubElement(source, "mediatype").text = "audio"
            ET.SubElement(source, "trackindex").text = "1"
            item.append(self.levels(clip))
        elif clip.speed != 1.0:
            item.append(_speed_filter(clip.speed))
        meta = clip.metadata
        comments = [str(meta.get(k, "")) for k in ("prompt", "shot_id", "text") if meta.get(k)]
        if comments:
            element = ET.SubElement(item, "comments")
            for number, text in enumerate(comments[:4], start=1):
                ET.SubElement(element, f"mastercomment{number}").text = text
        for frame, name in clip.markers:
            marker = ET.SubElement(item, "marker")
            ET.SubElement(marker, "name").text = name
            ET.SubElement(marker, "in").text = str(frame)
            ET.SubElement(marker, "out").text = "-1"

    def file(self, clip: ClipView) -> ET.Element:
        media = clip.media
        if media.url in self.files:
            return ET.Element("file", id=self.files[media.url])
        file_id = f"file-{len(self.files) + 1}"
        self.files[media.url] = file_id
        element = ET.Element("file", id=file_id)
        ET.SubElement(element, "name").text = media.url.rsplit("/", 1)[-1]
        ET.SubElement(element, "pathurl").text = media.path.as_uri() if media.path is not None else media.url
        element.append(self.rate())
        ET.SubElement(element, "duration").text = str(max(media.frames, clip.source_in + clip.frames))
        streams = ET.SubElement(element, "media")
        if media.has_video:
            ET.SubElement(streams, "video").append(self.picture_characteristics())
        if media.audio_rate:
            audio = ET.SubElement(streams, "audio")
            audio.append(self.sound_characteristics(media.audio_rate))
            ET.SubElement(audio, "channelcount").text = str(media.audio_channels)
        return element

    def levels(self, clip: ClipView) -> ET.Element:
        filter_element, parameter = _filter("Audio Levels", "audiolevels", "audiolevels", "audio", "level", "Level")
        for tag, text in (("valuemin", "0"), ("valuemax", "3.98109")):
            ET.SubElement(parameter, tag).text = text
        ET.SubElement(parameter, "value").text = f"{linear(clip.level_db):g}"
        last = None
        for seconds, level in clip.keyframes:
            when = round(seconds * self.view.fps)
            if when == last:
                continue
            keyframe = ET.SubElement(parameter, "keyframe")
            ET.SubElement(keyframe, "when").text = str(when)
            ET.SubElement(keyframe, "value").text = f"{linear(level):g}"
            last = when
        return filter_element


def _speed_filter(speed: float) -> ET.Element:
    filter_element, parameter = _filter("Time Remap", "timeremap", "motion", "video", "speed", "speed")
    ET.SubElement(parameter, "value").text = f"{speed * 100:g}"
    return filter_element


def _filter(
    name: str, effect_id: str, category: str, media_type: str, parameter_id: str, parameter_name: str
) -> tuple[ET.Element, ET.Element]:
    """A `<filter>` holding one effect with one parameter (FCP 7 XML's shape for levels and time remapping);
    returns the filter and the parameter, for its value and keyframes."""
    filter_element = ET.Element("filter")
    effect = ET.SubElement(filter_element, "effect")
    for tag, text in (
        ("name", name),
        ("effectid", effect_id),
        ("effectcategory", category),
        ("effecttype", category),
        ("mediatype", media_type),
    ):
        ET.SubElement(effect, tag).text = text
    parameter = ET.SubElement(effect, "parameter", authoringApp="PremierePro")
    ET.SubElement(parameter, "parameterid").text = parameter_id
    ET.SubElement(parameter, "name").text = parameter_name
    return filter_element, parameter
