"""Independent readers of the exported timelines for tests: each turns a file back into the sound clips an editor
would play (file, record second, source second, length, level envelope), with ElementTree or OTIO's adapters and
none of filmaster's export code, and re-sums them into the sound the timeline plays."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote, urlparse

import av
import numpy as np
import opentimelineio as otio

from filmaster.audio.wavio import read_wav

RATE = 48000


@dataclass(frozen=True)
class Played:
    path: Path
    record_s: float  # where it starts in the film
    source_s: float  # where it starts in its file
    length_s: float
    level: list[tuple[float, float]]  # (seconds of the file's time, dB); one point = a constant level


def seconds(value: str) -> Fraction:
    """FCPXML's rational time ("0s", "5s", "1001/24s")."""
    assert value.endswith("s"), value
    return Fraction(value[:-1])


def fcpxml_sound(path: Path) -> list[Played]:
    root = ET.parse(path).getroot()
    assets = {a.get("id"): a for a in root.iter("asset")}
    spine = root.find("library/event/project/sequence/spine")
    start = seconds(root.find("library/event/project/sequence").get("tcStart", "0s"))
    played = []
    for item in spine:
        item_record = seconds(item.get("offset")) - start
        item_start = seconds(item.get("start", "0s"))
        for clip in item.findall("asset-clip"):
            if clip.get("enabled") == "0":
                continue
            src = assets[clip.get("ref")].find("media-rep").get("src")
            clip_start = seconds(clip.get("start", "0s"))
            record = item_record + seconds(clip.get("offset")) - item_start
            volume = clip.find("adjust-volume")
            keys = volume.findall("param[@name='amount']/keyframeAnimation/keyframe") if volume is not None else []
            if keys:
                level = [(float(seconds(k.get("time"))), float(k.get("value")[:-2])) for k in keys]
            else:
                level = [(0.0, float(volume.get("amount")[:-2]) if volume is not None else 0.0)]
            played.append(
                Played(_file(src), float(record), float(clip_start), float(seconds(clip.get("duration"))), level)
            )
    return played


def fcp7_sound(path: Path) -> list[Played]:
    root = ET.parse(path).getroot()
    sequence = root.find("sequence")
    fps = int(sequence.findtext("rate/timebase"))
    paths = {f.get("id"): f.findtext("pathurl") for f in root.iter("file") if f.findtext("pathurl")}
    played = []
    for track in sequence.findall("media/audio/track"):
        if track.findtext("enabled") == "FALSE":
            continue
        for item in track.findall("clipitem"):
            start, end, source_in = (int(item.findtext(tag)) for tag in ("start", "end", "in"))
            parameter = item.find("filter/effect[effectid='audiolevels']/parameter[parameterid='level']")
            keys = parameter.findall("keyframe") if parameter is not None else []
            if keys:
                level = [(int(k.findtext("when")) / fps, _db(float(k.findtext("value")))) for k in keys]
            else:
                level = [(0.0, _db(float(parameter.findtext("value"))) if parameter is not None else 0.0)]
            src = paths[item.find("file").get("id")]
            ticks = item.findtext("pproTicksIn")  # Premiere's sub-frame in-point, when present
            source = int(ticks) / 254016000000 if ticks is not None else source_in / fps
            played.append(Played(_file(src), start / fps, source, (end - start) / fps, level))
    return played


def otio_sound(path: Path) -> list[Played]:
    timeline = otio.adapters.read_from_file(str(path))
    played = []
    for track in timeline.audio_tracks():
        if not track.enabled:
            continue
        for clip in track.find_clips():
            meta = clip.metadata.get("filmaster", {})
            keys = meta.get("volume_keyframes") or []
            level = [(float(t), float(db)) for t, db in keys] or [(0.0, float(meta.get("level_db", 0.0)))]
            url = clip.media_reference.target_url
            record = clip.range_in_parent().start_time.to_seconds()
            played.append(
                Played(
                    (path.parent / url).resolve() if "://" not in url else _file(url),
                    record,
                    clip.source_range.start_time.to_seconds(),
                    clip.source_range.duration.to_seconds(),
                    level,
                )
            )
    return played


def resum(played: list[Played], seconds_total: float, *, unity: bool = False) -> np.ndarray:
    """Mono sum of the clips as the editor plays them (at unity gain with `unity`)."""
    out = np.zeros(round(seconds_total * RATE), dtype=np.float64)
    for clip in played:
        audio, rate = read_wav(clip.path)
        assert rate == RATE
        mono = audio.mean(axis=1) if audio.ndim == 2 else audio
        first = round(clip.source_s * RATE)
        piece = mono[first : first + round(clip.length_s * RATE)].astype(np.float64)
        if not unity:
            times = clip.source_s + np.arange(piece.size) / RATE
            db = np.interp(times, [t for t, _ in clip.level], [v for _, v in clip.level])
            piece = piece * 10 ** (db / 20)
        at = round(clip.record_s * RATE)
        piece = piece[: max(0, out.size - at)]
        out[at : at + piece.size] += piece
    return out


def film_sound(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        audio = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)
    return audio.mean(axis=0).astype(np.float64)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    n = min(a.size, b.size)
    return float(np.corrcoef(a[:n], b[:n])[0, 1])


def _db(linear: float) -> float:
    return 20 * np.log10(max(linear, 1e-9))


def _file(url: str) -> Path:
    return Path(unquote(urlparse(url).path))
