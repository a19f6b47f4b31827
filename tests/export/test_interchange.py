"""The editors' timelines of a real film (`filmaster make`, draft, tiny screenplay): each format read back by a
reader of its own (ElementTree, OTIO's adapters) plays the film's sound at the film's balance, holds the film's
clips and length, and follows its format's documented rules."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote, urlparse

import av
import numpy as np
import opentimelineio as otio
import pytest

from filmaster.audio.mix import premix
from filmaster.config import InterchangeConfig, SoundConfig
from filmaster.errors import ExportError
from filmaster.export.otio_timeline import interchange_texts, otio_json, start_frame
from filmaster.export.timeline_view import view
from filmaster.export.writers import WRITERS
from filmaster.model import Cut, Plan, SoundPlan
from filmaster.project import Project
from filmaster.stages.deliver import prepare_timeline
from filmaster.stages.mix import _origin, cues_by_scene, lay_cues
from filmaster.stages.mix_levels import _analyse, mix_levels

from .fcpxml_rules import fcpxml_problems
from .interchange_readers import RATE, correlation, fcp7_sound, fcpxml_sound, film_sound, otio_sound, resum, seconds

ROOT = Path(__file__).resolve().parents[2]
SCREENPLAY = ROOT / "examples" / "tiny.fountain"
READERS = {"film.otio": otio_sound, "film.xml": fcp7_sound, "film.fcpxml": fcpxml_sound}


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("interchange") / "tiny"
    done = subprocess.run(
        [sys.executable, "-m", "filmaster", "make", str(SCREENPLAY), "-o", str(out), "--draft"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return out


def _film_frames(film: Path) -> tuple[int, int]:
    with av.open(str(film / "film.mp4")) as container:
        stream = container.streams.video[0]
        return int(stream.frames), int(stream.average_rate)


def _level_errors(played: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Per 100 ms window, how many dB the re-summed sound's level is off the film's (overall gain removed),
    where the film is within 40 dB of its loudest window."""
    n = min(played.size, reference.size) // 4800 * 4800

    def level(x: np.ndarray) -> np.ndarray:
        return 10 * np.log10(np.mean(x[:n].reshape(-1, 4800) ** 2, axis=1) + 1e-10)

    a, b = level(played), level(reference)
    diff = (a - b)[b > b.max() - 40]
    return np.abs(diff - np.median(diff))


def rendered_cues(film: Path) -> list[dict]:
    """The film's sound cues that have a file: each is one sound clip of every timeline."""
    return [c for c in json.loads((film / ".filmaster" / "sound.json").read_text())["cues"] if c.get("media")]


@pytest.mark.parametrize("name", sorted(READERS))
def test_summing_the_exported_tracks_reproduces_the_film(film: Path, name: str) -> None:
    """Re-sum every enabled sound clip at the levels (and ducking keyframes) the file gives it: the result
    correlates ≥ 0.9 with film.mp4's sound, and its level follows the film's within 3 dB in 90% of 100 ms windows;
    the same clips at unity gain do not (the check can fail)."""
    reference = film_sound(film / "film.mp4")
    clips = READERS[name](film / name)
    assert len(clips) == len(rendered_cues(film))  # every line, bed, cue and effect; the disabled mix is not played
    total = reference.size / RATE
    leveled, unity = resum(clips, total), resum(clips, total, unity=True)
    assert correlation(leveled, reference) >= 0.9
    assert np.percentile(_level_errors(leveled, reference), 90) <= 3.0
    assert np.percentile(_level_errors(unity, reference), 90) > 3.0


def test_the_mix_levels_are_the_premix_s_own(film: Path) -> None:
    """The ducking exposed as data is the envelope premix applied, sample for sample."""
    project = Project(film, SCREENPLAY)
    sound = SoundPlan.from_json((film / ".filmaster" / "sound.json").read_text())
    config = SoundConfig()
    deepest = 0.0
    for cues in cues_by_scene(sound).values():
        origin = _origin(cues, sound.sample_rate)
        stems, detector = lay_cues(cues, film, sound.sample_rate, origin)
        applied = premix(
            stems, duck_db=config.duck_db, sample_rate=sound.sample_rate, dialogue_detector=detector
        ).duck_gain
        ducking, dynamics = _analyse(cues, film, sound.sample_rate, origin, config.duck_db)
        if ducking:
            times = np.arange(applied.size) / sound.sample_rate
            rebuilt = np.interp(times, [t for t, _ in ducking], [db for _, db in ducking])
            error = np.abs(rebuilt - 20 * np.log10(applied))
            # Read every 10 ms to 0.25 dB: off by more only inside the 50 ms attacks, by little on average.
            assert np.max(error) <= 1.0 and np.mean(error) <= 0.15
            deepest = min(deepest, *(db for _, db in ducking))
        assert all(-20 < db < 0 for db in dynamics.values())
    assert deepest <= config.duck_db + 1  # the beds do go down under the lines
    levels = mix_levels(sound, config, project, project.manifest()["master_gain_db"])
    assert set(levels.cues) == {cue.id for cue in sound.cues if cue.media}


def test_every_format_holds_the_film_s_clips_and_length(film: Path) -> None:
    frames, fps = _film_frames(film)
    timeline = otio.adapters.read_from_file(str(film / "film.otio"))
    assert timeline.duration().rescaled_to(fps).value == frames
    pictures = len(list(timeline.video_tracks()[0].find_clips()))
    sounds = sum(len(list(t.find_clips())) for t in timeline.audio_tracks())
    fcp7 = otio.adapters.read_from_file(str(film / "film.xml"))
    fcpx = otio.adapters.read_from_file(str(film / "film.fcpxml"))[0]
    edl = otio.adapters.read_from_file(str(film / "film.edl"), rate=fps)
    # Four audio tracks to a CMX 3600 list: Dialogue, Music, Background, Foley, SFX need two lists.
    edl_sounds = [otio.adapters.read_from_file(str(p), rate=fps) for p in sorted(film.glob("film_audio*.edl"))]
    for name, read in (("fcp7", fcp7), ("fcpxml", fcpx)):
        assert read.duration().rescaled_to(fps).value == frames, name
        assert len(list(read.video_tracks()[0].find_clips())) == pictures, name
        assert sum(len(list(t.find_clips())) for t in read.audio_tracks()) == sounds, name
    assert edl.duration().rescaled_to(fps).value == frames
    assert len(list(edl.find_clips())) == pictures
    # The EDL leaves out the disabled references (the stems, the mix), which it cannot mute.
    references = sum(len(list(t.find_clips())) for t in timeline.audio_tracks() if not t.enabled)
    assert references == 6
    assert sum(len(list(e.find_clips())) for e in edl_sounds) == sounds - references


# ---------------------------------------------------------------- FCPXML: the documented rules


def test_fcpxml_follows_the_documented_rules(film: Path) -> None:
    root = ET.parse(film / "film.fcpxml").getroot()
    frames, fps = _film_frames(film)
    assert root.tag == "fcpxml" and root.get("version") == "1.9"
    resources = {r.get("id"): r for r in root.find("resources")}
    (fmt,) = root.findall("resources/format")
    assert fmt.get("frameDuration") == f"1/{fps}s" and fmt.get("width") and fmt.get("height")
    for asset in root.iter("asset"):
        src = asset.find("media-rep").get("src")
        assert urlparse(src).scheme == "file" and Path(unquote(urlparse(src).path)).is_file(), src
        if src.endswith(".wav"):
            assert asset.get("hasAudio") == "1" and asset.get("audioRate") == "48000" and asset.get("audioChannels")
            assert asset.get("hasVideo") is None and asset.get("format") is None
        else:
            assert asset.get("hasVideo") == "1" and asset.get("format") == fmt.get("id") and not asset.get("hasAudio")
    # library → event → project (with a uid) → sequence → spine
    project = root.find("library/event/project")
    assert re.fullmatch(r"[0-9A-F-]{36}", project.get("uid"))
    sequence = project.find("sequence")
    assert seconds(sequence.get("duration")) == Fraction(frames, fps)
    spine = sequence.find("spine")
    assert sum(seconds(item.get("duration")) for item in spine) == Fraction(frames, fps)
    grid, lanes = Fraction(1, fps), {}
    for element in root.iter():
        if element.get("ref") is not None:
            assert element.get("ref") in resources, element.get("ref")
        for attribute in ("offset", "duration", "tcStart", "time"):
            if element.get(attribute) is not None:
                assert seconds(element.get(attribute)) % grid == 0, (element.tag, attribute, element.get(attribute))
        if element.tag == "asset-clip" and element.get("start") is not None:
            rate = int(resources[element.get("ref")].get("audioRate") or fps)
            # Picture on the frame grid; a sound clip's in-point on its own sample grid.
            assert seconds(element.get("start")) % Fraction(1, rate) == 0
    for item in spine:
        for clip in item.findall("asset-clip"):
            assert int(clip.get("lane")) < 0 and clip.get("audioRole").split(".")[0] in {"dialogue", "music", "effects"}
            assert clip.find("adjust-volume") is not None
            lanes.setdefault(clip.get("lane"), set()).add(clip.get("audioRole"))
    assert all(len(roles) == 1 for roles in lanes.values())  # one track, one lane
    roles = {role for found in lanes.values() for role in found}
    assert {"dialogue", "music", "effects.Background", "effects.Mix"} <= roles
    # The ducking is on the beds as keyframes; the reference mix is disabled; scene starts are markers.
    assert any(c.findall("adjust-volume/param/keyframeAnimation/keyframe") for c in root.iter("asset-clip"))
    assert [c.get("enabled") for c in root.iter("asset-clip") if c.get("audioRole") == "effects.Mix"] == ["0"]
    scenes = [m.get("value") for m in root.iter("marker") if str(m.get("value")).startswith("Scene ")]
    assert scenes == ["Scene 1: INT. KITCHEN - NIGHT", "Scene 2: EXT. STREET - DAY"]  # beside the critique's markers
    first = spine.find("asset-clip")
    assert first.findtext("note") and "Scene 1" in first.find("keyword").get("value")


def test_the_stems_and_the_mix_are_muted_reference_tracks_in_every_format(film: Path) -> None:
    """Each stem (media/stems/*.wav) and the mix on a track of its own, off until the editor turns it on; the
    re-sum proofs above play none of them."""
    stems = sorted(p.relative_to(film).as_posix() for p in (film / "media/stems").glob("*.wav"))
    assert len(stems) == 5
    references = [*stems, "media/audio/mix.wav"]
    timeline = otio.adapters.read_from_file(str(film / "film.otio"))
    muted = {c.media_reference.target_url: t for t in timeline.audio_tracks() for c in t.find_clips()}
    assert all(not muted[path].enabled for path in references)
    assert sum(not t.enabled for t in timeline.audio_tracks()) == len(references)
    fcpxml = ET.parse(film / "film.fcpxml").getroot()
    assets = {a.get("id"): a.find("media-rep").get("src") for a in fcpxml.iter("asset")}
    clips = {assets[c.get("ref")].split(film.name + "/", 1)[1]: c for c in fcpxml.iter("asset-clip")}
    assert all(clips[path].get("enabled") == "0" for path in references)
    assert all(c.get("enabled") is None for path, c in clips.items() if path not in references)
    fcp7 = ET.parse(film / "film.xml").getroot()
    tracks = {t.findtext("clipitem/name"): t.findtext("enabled") for t in fcp7.iter("track") if t.find("clipitem")}
    off = sorted(name for name, enabled in tracks.items() if enabled == "FALSE")
    assert off == sorted(Path(path).stem for path in references)


def test_fcpxml_is_valid_by_the_dtd_s_facts_and_the_documented_rules(film: Path) -> None:
    timeline = otio.adapters.read_from_file(str(film / "film.otio"))
    tracks = [track.name for track in view(timeline, film).audio]
    assert fcpxml_problems((film / "film.fcpxml").read_text(encoding="utf-8"), tracks) == []


# ---------------------------------------------------------------- FCP 7 XML, EDL


def test_fcp7_xml_declares_formats_channels_names_and_levels(film: Path) -> None:
    root = ET.parse(film / "film.xml").getroot()
    sequence = root.find("sequence")
    characteristics = sequence.find("media/video/format/samplecharacteristics")
    assert characteristics.findtext("width") and characteristics.findtext("height")
    assert characteristics.findtext("rate/timebase") == sequence.findtext("rate/timebase")
    files = {f.get("id"): f for f in root.iter("file") if f.find("pathurl") is not None}
    for item in sequence.findall("media/video/track/clipitem"):
        declared = files[item.find("file").get("id")]
        assert declared.find("media/video") is not None and declared.find("media/audio") is None  # takes are silent
    names = [t.findtext("name") for t in sequence.findall("media/audio/track")]
    assert names[:2] == ["Dialogue", "Music"] and names[-1] == "Mix (reference)"
    assert [t.findtext("enabled") for t in sequence.findall("media/audio/track")][-1] == "FALSE"
    for item in sequence.findall("media/audio/track/clipitem"):
        assert item.findtext("sourcetrack/mediatype") == "audio" and item.findtext("sourcetrack/trackindex") == "1"
        assert int(files[item.find("file").get("id")].findtext("media/audio/channelcount")) in (1, 2)
        assert item.find("filter/effect[effectid='audiolevels']/parameter/value") is not None
    assert any(root.iter("keyframe"))


def test_edls_have_short_unique_reels_and_clip_names(film: Path) -> None:
    for name in ("film.edl", "film_audio.edl"):
        text = (film / name).read_text()
        events = re.findall(r"^(\d{3})  (\S+)\s+(\S+)\s+C\s", text, flags=re.MULTILINE)
        assert events, name
        reels: dict[str, str] = {}
        blocks = re.split(r"^\d{3}  ", text, flags=re.MULTILINE)[1:]
        for (_, reel, _), block in zip(events, blocks, strict=True):
            assert len(reel) <= 8 and re.fullmatch(r"[A-Z0-9_]+", reel)
            assert "* FROM CLIP NAME: " in block
            source = re.search(r"\* SOURCE FILE: (\S+)", block).group(1)
            assert reels.setdefault(reel, source) == source  # one reel, one file
    channels = set(re.findall(r"^\d{3}  \S+\s+(\S+)", (film / "film_audio.edl").read_text(), flags=re.MULTILINE))
    assert channels <= {"A", "A2", "A3", "A4"} and "A" in channels


# ---------------------------------------------------------------- OTIO


def test_otio_clips_carry_scene_shot_camera_backend_and_prompt(film: Path) -> None:
    timeline = otio.adapters.read_from_file(str(film / "film.otio"))
    shot_list = json.loads((film / "plan.json").read_text())
    for clip in timeline.video_tracks()[0].find_clips():
        meta = clip.metadata["filmaster"]
        assert meta["shot_id"].startswith(f"S{meta['scene']:02d}-")  # scenes count from 1, as shot ids do
        assert meta["camera"]["scale"] == meta["scale"] and meta["backend"] == "previz" and meta["prompt"]
        assert not urlparse(clip.media_reference.target_url).scheme
    assert [s["index"] + 1 for s in shot_list["scenes"]] == [1, 2]
    volumes = [e for t in timeline.audio_tracks() for c in t.find_clips() for e in c.effects if e.name == "Volume"]
    assert len(volumes) == len(rendered_cues(film))


def test_otio_is_written_in_an_older_release_s_schema(film: Path) -> None:
    timeline = otio.adapters.read_from_file(str(film / "film.otio"))
    text = otio_json(timeline, schema="0.14")
    assert '"OTIO_SCHEMA": "Clip.1"' in text and '"OTIO_SCHEMA": "Clip.2"' not in text
    again = otio.adapters.read_from_string(text, "otio_json")
    assert again.duration() == timeline.duration()
    with pytest.raises(ExportError, match="no version manifest"):
        otio_json(timeline, schema="0.9")


def test_broadcast_start_timecode(film: Path) -> None:
    timeline = otio.adapters.read_from_file(str(film / "film.otio"))
    frames, fps = _film_frames(film)
    start = start_frame("01:00:00:00", fps)
    texts = {path.name: text for path, text in interchange_texts(timeline, film, start_frame=start).items()}
    fcpxml = ET.fromstring(texts["film.fcpxml"].split("\n", 2)[2])
    assert fcpxml.find("library/event/project/sequence").get("tcStart") == "3600s"
    assert fcpxml.find("library/event/project/sequence/spine/*").get("offset") == "3600s"
    assert ET.fromstring(texts["film.xml"].split("\n", 2)[2]).findtext("sequence/timecode/string") == "01:00:00:00"
    edl = otio.adapters.read_from_string(texts["film.edl"], "cmx_3600", rate=fps)
    assert re.search(r" 01:00:00:00 01:00:0\d:\d\d\n", texts["film.edl"])
    assert edl.duration().rescaled_to(fps).value == frames


def test_the_interchange_settings_reach_the_files(film: Path) -> None:
    """`[interchange]` in filmaster.toml: the broadcast start and an older OTIO schema, through prepare_timeline."""
    state = film / ".filmaster"
    plan = Plan.from_json((film / "plan.json").read_text())
    cut, sound = (
        Cut.from_json((state / "cut.json").read_text()),
        SoundPlan.from_json((state / "sound.json").read_text()),
    )
    settings = InterchangeConfig(start_timecode="01:00:00:00", otio_schema="0.14")
    made = prepare_timeline(plan, cut, sound, film, {}, interchange=settings)
    texts = {p.name: t for p, t in made.texts.items()}
    assert '"OTIO_SCHEMA": "Clip.1"' in texts["film.otio"]
    assert 'tcStart="3600s"' in texts["film.fcpxml"]


def test_each_format_has_a_writer_function(film: Path, tmp_path: Path) -> None:
    timeline = otio.adapters.read_from_file(str(film / "film.otio"))
    for name, write in WRITERS.items():
        for path in write(timeline, film):
            assert path.parent == film and path.stat().st_size > 0, name
    assert (film / "film_audio.edl").is_file()


@pytest.mark.slow
def test_the_last_ferry_s_timelines_play_its_sound(ferry_draft: Path) -> None:
    """The bundled example (14 lines, 4 scenes): every format re-summed correlates ≥ 0.9 with its film."""
    out = ferry_draft
    reference = film_sound(out / "film.mp4")
    for name, read in READERS.items():
        summed = resum(read(out / name), reference.size / RATE)
        assert correlation(summed, reference) >= 0.9, name
        # The timelines carry each clip's level and the ducking as keyframes, not the dialogue compressor's
        # moment-to-moment gain: the 100 ms windows between words differ most. Lines at the film pace (Piper 0.9)
        # have more such gaps: the 90th percentile went from under 3.0 to 3.09 dB on this film.
        assert np.percentile(_level_errors(summed, reference), 90) <= 3.25, name
