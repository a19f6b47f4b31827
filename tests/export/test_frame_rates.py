"""Editors' frame rates end to end: a film made at 23.976 and at 29.97 (drop-frame) is encoded at the exact
rational rate and every export carries it, measured on the film's stream and on each export read back."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from filmaster.config import load_config
from filmaster.errors import ConfigError, ExportError
from filmaster.export.timecode import frame_of, timecode
from filmaster.export.timeline_view import view
from filmaster.model import frame_rate
from filmaster.pipeline import make_film

from .fcpxml_rules import fcpxml_problems

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tiny.fountain"


def test_rates_are_read_in_every_spelling_and_unknown_ones_refused() -> None:
    for spelling in (23.976, "23.976", "23.98", "24000/1001", 24000 / 1001):
        assert frame_rate.parse(spelling) == 24000 / 1001
    assert frame_rate.parse("29.97") == 30000 / 1001 and frame_rate.parse(25.0) == 25
    assert isinstance(frame_rate.parse(24.0), int)  # whole rates stay whole: artifacts and keys unchanged
    assert frame_rate.exact(frame_rate.parse("59.94")) == Fraction(60000, 1001)
    for bad in ("abc", 23, "0/0", True, 13):
        with pytest.raises(ValueError):
            frame_rate.parse(bad)
    with pytest.raises(ConfigError, match=r"render\.fps: .*use one of 23\.976, 24, 25, 29\.97"):
        load_config(None, {"render": {"fps": "47.952"}})


def test_drop_frame_timecode_skips_two_numbers_each_minute_but_the_tenth() -> None:
    ntsc = frame_rate.parse("29.97")
    assert timecode(1799, ntsc) == "00:00:59;29"
    assert timecode(1800, ntsc) == "00:01:00;02"  # ;00 and ;01 are skipped
    assert timecode(17982, ntsc) == "00:10:00;00"  # ...but not at minute ten
    assert frame_of("00:01:00;02", ntsc) == 1800
    assert frame_of("01:00:00:00", ntsc) == 107892  # the broadcast start, read as drop-frame at 29.97
    assert timecode(1000, frame_rate.parse("23.976")) == "00:00:41:16"  # 23.976 never drops
    assert frame_of("01:00:00:00", 24) == 86400 and timecode(86400, 25) == "00:57:36:00"
    with pytest.raises(ExportError, match="is not HH:MM:SS:FF"):
        frame_of("1:2", 24)


@pytest.fixture(scope="module", params=["23.976", "29.97"])
def film(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Film:
    work = tmp_path_factory.mktemp(f"fps{request.param}")
    source = work / EXAMPLE.name
    shutil.copy(EXAMPLE, source)
    overrides = {"render": {"draft": True, "fps": request.param}, "interchange": {"start_timecode": "01:00:00:00"}}
    made = make_film(source, work / "out", load_config(overrides=overrides))
    return Film(made.out, made.film, frame_rate.parse(request.param), _stream(made.film)[1])


@dataclass(frozen=True)
class Film:
    out: Path
    film: Path
    fps: float
    frames: int  # decoded from film.mp4


def _stream(path: Path) -> tuple[Fraction, int, float, float]:
    """(video rate, decoded frames, video seconds, audio seconds) of a film."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        rate = Fraction(video.average_rate)
        frames = sum(1 for _ in container.decode(video))
    with av.open(str(path)) as container:
        audio = sum(frame.samples for frame in container.decode(container.streams.audio[0]))
        sample_rate = container.streams.audio[0].rate
    return rate, frames, frames / float(rate), audio / sample_rate


def test_the_film_is_encoded_at_the_exact_rate_and_the_timeline_matches(film: Film) -> None:
    fps = film.fps
    rate, frames, seconds, audio_seconds = _stream(film.film)
    assert rate == frame_rate.exact(fps) and rate.denominator == 1001
    timeline = otio.adapters.read_from_file(str(film.out / "film.otio"))
    assert timeline.duration().rate == pytest.approx(float(rate))
    assert round(timeline.duration().value) == frames
    assert timeline.duration().to_seconds() == pytest.approx(seconds, abs=1e-6)
    # The sound lasts as long as the picture at the NTSC rate too (within one AAC frame of 1024 samples).
    assert abs(audio_seconds - seconds) <= 1024 / 48000


def test_every_export_carries_the_rate_and_reads_back_at_the_films_length(film: Film) -> None:
    fps, frames, out = film.fps, film.frames, film.out
    drop = frame_rate.drop_frame(fps)
    start = frame_of("01:00:00:00", fps)
    # FCP 7 XML: NTSC timebase, drop-frame display at 29.97, read back by OTIO's adapter at the same length.
    xml = ET.parse(out / "film.xml").getroot()
    assert xml.findtext("sequence/rate/timebase") == str(round(fps))
    assert xml.findtext("sequence/rate/ntsc") == "TRUE"
    assert xml.findtext("sequence/timecode/displayformat") == ("DF" if drop else "NDF")
    assert xml.findtext("sequence/timecode/string") == timecode(start, fps)
    fcp7 = otio.adapters.read_from_file(str(out / "film.xml"))
    assert fcp7.duration().to_seconds() == pytest.approx(frames / fps, abs=1e-6)
    # FCPXML: frame duration 1001/N s, every time on that grid, the timecode format declared.
    fcpxml = ET.parse(out / "film.fcpxml").getroot()
    step = frame_rate.frame_duration(fps)
    assert fcpxml.find("resources/format").get("frameDuration") == f"{step.numerator}/{step.denominator}s"
    sequence = fcpxml.find(".//sequence")
    assert sequence.get("tcFormat") == ("DF" if drop else "NDF")
    for element in fcpxml.iter():
        for name in ("offset", "duration", "start", "tcStart", "time"):
            value = element.get(name)
            # (A connected sound clip may start inside its media on the sample grid, where the film has the line.)
            sub_frame = name == "start" and element.get("lane") is not None
            if value and element.tag not in ("asset", "format") and not sub_frame:
                seconds = Fraction(value.rstrip("s"))
                assert (seconds / step).denominator == 1, f"{element.tag} {name}={value} is off the frame grid"
    assert Fraction(sequence.get("duration").rstrip("s")) / step == frames
    tracks = [track.name for track in view(otio.adapters.read_from_file(str(out / "film.otio")), out).audio]
    assert fcpxml_problems((out / "film.fcpxml").read_text(encoding="utf-8"), tracks) == []  # the DTD's facts
    # EDL: drop-frame declared at 29.97, its record times in the film's timecode, read back at the rate.
    edl_text = (out / "film.edl").read_text()
    assert ("FCM: DROP FRAME" in edl_text) == drop
    edl = otio.adapters.read_from_string(edl_text, "cmx_3600", rate=float(fps))
    assert round(edl.duration().rescaled_to(float(fps)).value) == frames
    # Kdenlive: the profile's rational rate.
    profile = ET.parse(out / "film.kdenlive").getroot().find("profile")
    assert (profile.get("frame_rate_num"), profile.get("frame_rate_den")) == (str(round(fps) * 1000), "1001")
    # The shot list's timecodes at the rate.
    assert f"at {frame_rate.label(fps)} fps" in (out / "shotlist.md").read_text()


@pytest.mark.skipif(shutil.which("melt") is None, reason="`bash scripts/install.sh --test` installs melt")
def test_melt_renders_the_kdenlive_project_at_the_films_rate(film: Film, tmp_path: Path) -> None:
    rendered = tmp_path / "melt.mkv"
    subprocess.run(
        ["melt", "-silent", str(film.out / "film.kdenlive"), "-consumer", f"avformat:{rendered}", "vcodec=ffv1",
         "acodec=pcm_s16le", "ar=48000", "ac=2"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip

    def frames(path: Path) -> list[np.ndarray]:
        with av.open(str(path)) as container:
            return [f.to_ndarray(format="rgb24") for f in container.decode(container.streams.video[0])]

    ours, theirs = frames(film.film), frames(rendered)
    assert len(theirs) == len(ours)  # the same duration to the frame
    for i in np.linspace(0, len(ours) - 1, 8).astype(int):
        mse = np.mean((ours[i].astype(np.float64) - theirs[i].astype(np.float64)) ** 2)
        assert 10 * np.log10(255**2 / max(mse, 1e-9)) >= 30, f"frame {i}"
