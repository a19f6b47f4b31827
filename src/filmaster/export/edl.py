"""CMX 3600 edit decision lists from the timeline's view: one per picture track, and the sound in EDLs of its own
(a CMX 3600 list has one picture channel and four sound channels, A to A4: each sound track is a channel, four
tracks to a list).

Reel names are at most 8 characters (letters, digits, underscores), one per media file and unique in a list;
every event carries a `* FROM CLIP NAME:` comment (and `* SOURCE FILE:` with its path), and a sound event its
level as Avid writes it (`* AUDIO LEVEL AT <record tc> IS <dB> DB`), with the ducking keyframes as more such
lines. The disabled reference tracks (the mix) are left out: an EDL cannot mute a channel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import frame_rate
from .timecode import timecode
from .timeline_view import ClipView, TimelineView, TrackView

REEL_CHARS = 8
AUDIO_CHANNELS = ("A", "A2", "A3", "A4")


@dataclass(frozen=True)
class EdlFile:
    name: str  # file name suffix: "" for the first picture list, else e.g. "_audio", "_audio_2", "_Picture_2"
    text: str


def edl_texts(view: TimelineView, *, start_frame: int = 0) -> list[EdlFile]:
    """The picture lists, then the sound lists."""
    files = []
    for number, track in enumerate(view.video, start=1):
        suffix = "" if number == 1 else f"_{_safe(track.name)}"
        files.append(EdlFile(suffix, _edl(view, [(track, "V")], start_frame)))
    sound = [t for t in view.audio if t.enabled and t.clips]
    for number in range(0, len(sound), len(AUDIO_CHANNELS)):
        group = sound[number : number + len(AUDIO_CHANNELS)]
        suffix = "_audio" if number == 0 else f"_audio_{number // len(AUDIO_CHANNELS) + 1}"
        files.append(EdlFile(suffix, _edl(view, list(zip(group, AUDIO_CHANNELS, strict=False)), start_frame)))
    return files


def _edl(view: TimelineView, channels: list[tuple[TrackView, str]], start_frame: int) -> str:
    fps = view.fps
    reels = _Reels()
    title = " ".join(view.title.split()) or "filmaster"
    lines = [f"TITLE: {title}", f"FCM: {'DROP FRAME' if frame_rate.drop_frame(fps) else 'NON-DROP FRAME'}", ""]
    events = sorted(((clip, code) for track, code in channels for clip in track.clips), key=_order)

    def tc(frame: int) -> str:
        return timecode(frame, fps)

    for number, (clip, code) in enumerate(events, start=1):
        reel = reels.name(clip.media.url)
        source_in, source_out = clip.source_in, clip.source_in + clip.frames
        record_in, record_out = start_frame + clip.record, start_frame + clip.end
        lines.append(
            f"{number:03d}  {reel:<8} {code:<5} C        "
            f"{tc(source_in)} {tc(source_out)} {tc(record_in)} {tc(record_out)}"
        )
        if clip.speed != 1.0:
            lines.append(f"M2   {reel:<8}       {fps * clip.speed:05.1f}                {tc(source_in)}")
        lines.append(f"* FROM CLIP NAME: {' '.join(clip.name.split())}")
        lines.append(f"* SOURCE FILE: {clip.media.url}")
        if code != "V":
            lines += _levels(clip, code, reel, record_in, fps)
        lines.append("")
    return "\n".join(lines)


def _order(event: tuple[ClipView, str]) -> tuple[int, str]:
    clip, code = event
    return clip.record, code


def _levels(clip: ClipView, code: str, reel: str, record_in: int, fps: float) -> list[str]:
    channel = "A1" if code == "A" else code
    points = [(0, clip.level_db)] + [
        (round(seconds * fps) - clip.source_in, level) for seconds, level in clip.keyframes
    ]
    lines, last = [], None
    for offset, level in points:
        if not 0 <= offset <= clip.frames or offset == last:
            continue
        at = timecode(record_in + offset, fps)
        lines.append(f"* AUDIO LEVEL AT {at} IS {level:.2f} DB  (REEL {reel} {channel})")
        last = offset
    return lines


class _Reels:
    """Reel names of at most 8 characters, one per media file, unique within a list."""

    def __init__(self) -> None:
        self.by_url: dict[str, str] = {}

    def name(self, url: str) -> str:
        if url in self.by_url:
            return self.by_url[url]
        stem = url.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        base = re.sub(r"[^A-Z0-9_]", "", stem.upper().replace("-", "_"))[:REEL_CHARS] or "REEL"
        name, number = base, 1
        taken = set(self.by_url.values())
        while name in taken:
            number += 1
            tail = str(number)
            name = base[: REEL_CHARS - len(tail)] + tail
        self.by_url[url] = name
        return name


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)
