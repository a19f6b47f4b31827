"""`filmaster export`, the Kdenlive project and the subtitles, measured on a real film: a screenplay with
voice-over, an off-screen line, a long speech and dual dialogue, made through every real stage (draft size)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from filmaster.audio.wavio import read_wav
from filmaster.cli import main
from filmaster.config import Config, load_config
from filmaster.errors import ConfigError
from filmaster.export.formats import DEFAULT_FORMATS
from filmaster.model import TRACK_NAMES, CueKind, SoundPlan
from filmaster.pipeline import MakeResult, make_film
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop

DATA = Path(__file__).resolve().parents[1] / "data"
SCREENPLAY = DATA / "voices_off.fountain"
RATE = 48000
MELT_CODECS = ("vcodec=ffv1", "acodec=pcm_s16le", f"ar={RATE}", "ac=2")  # lossless, to compare


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> MakeResult:
    work = tmp_path_factory.mktemp("deliverables")
    source = work / SCREENPLAY.name
    shutil.copy(SCREENPLAY, source)
    return make_film(source, work / "out", load_config(overrides={"render": {"draft": True}}))


def _cues(path: Path) -> list[tuple[float, float, str]]:
    """(start s, end s, text) of every cue of an SRT file."""
    cues = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        lines = block.split("\n")
        times = re.match(r"(\d+):(\d+):(\d+),(\d+) --> (\d+):(\d+):(\d+),(\d+)", lines[1])
        assert times, block
        h, m, s, ms, h2, m2, s2, ms2 = (int(g) for g in times.groups())
        cues.append((h * 3600 + m * 60 + s + ms / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000, "\n".join(lines[2:])))
    return cues


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def _voiced_ms(out: Path) -> np.ndarray:
    """Per millisecond of the film: whether a line of dialogue is heard — its WAV, laid at its cue's time as the
    mix lays it, has a 10 ms RMS within 45 dB of that line's loudest."""
    sound = SoundPlan.load(out / ".filmaster/sound.json")
    lines = [cue for cue in sound.cues if cue.kind.value == "dialogue"]
    voiced = np.zeros(round((max(cue.end_s for cue in lines) + 1) * 1000), bool)
    for cue in lines:
        audio, rate = read_wav(out / str(cue.media))
        assert rate == RATE
        energy = np.concatenate([[0.0], np.cumsum(audio.astype(np.float64).mean(axis=1) ** 2)])
        window = RATE // 100
        rms_db = 10 * np.log10((energy[window:] - energy[:-window]) / window + 1e-12)[:: RATE // 1000]
        heard = rms_db > rms_db.max() - 45  # the window starting at each millisecond
        first = round(cue.start_s * 1000)
        voiced[first : first + heard.size] |= heard[: voiced.size - first]
    return voiced


def test_make_writes_subtitles_and_kdenlive_by_default(film: MakeResult) -> None:
    for name in ("film.srt", "film.vtt", "film.kdenlive", "film.otio", "shotlist.md"):
        assert (film.out / name).is_file(), name
    assert (film.out / "film.vtt").read_text().startswith("WEBVTT\n\n")


def assert_subtitles_cover_the_dialogue(screenplay: Path, srt: Path) -> list[tuple[float, float, str]]:
    """Every word of every line of the screenplay, in order, and nothing else but speaker labels."""
    spoken = [line for scene in develop(screenplay).scenes for line in scene.dialogue]
    cues = _cues(srt)
    shown = " ".join(re.sub(r"^[A-Z' ]+( \(V\.O\.\)| \(O\.S\.\))?: ", "", t.replace("\n", " ")) for _, _, t in cues)
    assert _words(shown) == [word for line in spoken for word in _words(line.text)]
    return cues


def test_subtitles_cover_every_line_word_for_word_with_speakers_off_screen(film: MakeResult) -> None:
    cues = assert_subtitles_cover_the_dialogue(SCREENPLAY, film.out / "film.srt")
    texts = [text.replace("\n", " ") for _, _, text in cues]
    assert texts[0].startswith("NELL (V.O.): I kept the light")
    assert any(text.startswith("TOM (O.S.): Only me.") for text in texts)
    # The long speech (over 2 x 42 characters) is split at a clause, each cue at most two rows of 42.
    assert sum("breathing" in t or "pretending" in t for t in texts) == 2
    assert all(len(row) <= 42 for _, _, text in cues for row in text.split("\n"))
    assert all(len(text.split("\n")) <= 2 for _, _, text in cues)


def test_subtitles_are_timed_inside_the_voiced_dialogue_and_never_overlap(film: MakeResult) -> None:
    voiced = _voiced_ms(film.out)
    cues = _cues(film.out / "film.srt")
    for (start, end, text), following in zip(cues, [*cues[1:], None], strict=True):
        assert end > start, text
        # Its first and last 10 ms are heard (a window starting there, or ending there, is voiced), give or take the
        # 5 ms by which the product's onset detector (10 ms windows on the line's own grid) and this one may differ.
        assert voiced[round(start * 1000) + 5] and voiced[round(end * 1000) - 15], text
        # It starts at the voice's onset (within 50 ms), not at the shot's or the cue's start.
        assert not voiced[max(0, round(start * 1000) - 50)] or "so there is" in text, text
        if following is not None:
            assert end <= following[0], (text, following[2])
        assert end - start <= 6.0 + 1e-3


def test_otio_has_a_marker_per_subtitle(film: MakeResult) -> None:
    timeline = otio.adapters.read_from_file(str(film.out / "film.otio"))
    subtitles = [m for m in timeline.tracks.markers if "subtitle" in m.metadata.get("filmaster", {})]
    assert len(subtitles) == len(_cues(film.out / "film.srt"))


def test_kdenlive_project_has_the_films_profile_tracks_and_guides(film: MakeResult) -> None:
    root = ET.parse(film.out / "film.kdenlive").getroot()
    profile = root.find("profile")
    assert profile is not None
    assert (profile.get("width"), profile.get("height"), profile.get("frame_rate_num")) == ("256", "144", "24")
    names = [t.findtext("property[@name='kdenlive:track_name']") for t in root.findall("tractor")]
    timeline = otio.adapters.read_from_file(str(film.out / "film.otio"))
    enabled = [t.name for t in timeline.audio_tracks() if t.enabled]  # the OTIO's disabled mix: Kdenlive's own
    stems = [t.name for t in timeline.audio_tracks() if not t.enabled and not t.name.startswith("Mix")]
    assert stems == [f"{TRACK_NAMES[kind]} stem (reference)" for kind in CueKind]
    assert [*enabled, *stems, "Mix (reference)", "Picture"] == [n for n in names if n]
    # The stems and the mix are muted references: the main tractor hides their sound.
    tractors = {t.get("id"): t.findtext("property[@name='kdenlive:track_name']") for t in root.findall("tractor")}
    hidden = [tractors[t.get("producer")] for t in root.find("tractor[@id='maintractor']") if t.get("hide") == "both"]
    assert hidden == [*stems, "Mix (reference)"]
    guides = root.findtext("playlist[@id='main_bin']/property[@name='kdenlive:docproperties.guides']") or ""
    scene_guides = [g for g in json.loads(guides) if g["type"] == 0]
    assert [g["comment"] for g in scene_guides] == [f"Scene {s.index + 1}: {s.heading}" for s in film.plan.scenes]
    levels = [p.text or "" for p in root.iter("property") if p.get("name") == "level"]
    assert any(";" in level for level in levels), "music ducked under dialogue is keyframed"


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(container.streams.video[0])]


def _audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="stereo", rate=RATE)
        chunks = [
            out.to_ndarray().reshape(-1, 2)
            for frame in container.decode(container.streams.audio[0])
            for out in resampler.resample(frame)
        ]
    return np.concatenate(chunks).mean(axis=1).astype(np.float64)


def aligned_correlation(reference: np.ndarray, other: np.ndarray, window: int = RATE // 4, lag: int = 1536) -> float:
    """Energy-weighted mean, over windows of the reference, of its best correlation with `other` within ±`lag`
    samples (32 ms). An editor places sound to the frame; the film lays each scene's sound on the AAC frame grid
    and each line at its exact sample, so a timeline's sound is up to half a frame (21 ms) plus half an AAC frame
    (11 ms) away from the film's: a waveform correlation must allow that much."""
    n = min(reference.size, other.size)
    scores, weights = [], []
    for start in range(lag, n - window - lag, window):
        x = reference[start : start + window]
        energy = float(x @ x)
        if energy < 1e-9:
            continue
        segment = other[start - lag : start + window + lag]
        shifted = np.lib.stride_tricks.sliding_window_view(segment, window)[::4]
        norms = np.linalg.norm(shifted, axis=1) * np.sqrt(energy) + 1e-12
        scores.append(float((shifted @ x / norms).max()))
        weights.append(energy)
    return float(np.average(scores, weights=weights))


NO_MELT = pytest.mark.skipif(shutil.which("melt") is None, reason="`bash scripts/install.sh --test` installs melt")


def assert_melt_renders_as_the_film(out: Path, film: Path, tmp_path: Path) -> None:
    """Render `out`/film.kdenlive with melt and compare it with `film`: frames, picture, sound, level, peaks."""
    rendered = tmp_path / "melt.mkv"
    subprocess.run(
        ["melt", "-silent", str(out / "film.kdenlive"), "-consumer", f"avformat:{rendered}", *MELT_CODECS],
        check=True,
        capture_output=True,
        timeout=300,
    )
    ours, theirs = _frames(film), _frames(rendered)
    assert len(theirs) == len(ours)  # the same duration to the frame
    # A clip played faster reads a `timewarp` producer, whose in-point MLT counts in the warped clip's frames: a
    # source start between two of them is shown from the nearer one, up to half a warped frame off. There melt's
    # frame may be the film's neighbour; everywhere else it must be the film's own.
    warped = set()
    position = 0
    for clip in json.loads((out / ".filmaster" / "cut.json").read_text())["clips"]:
        if clip["speed"] != 1.0:
            warped.update(range(position, position + clip["frames"]))
        position += clip["frames"]

    def psnr(a: np.ndarray, b: np.ndarray) -> float:
        mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
        return float(10 * np.log10(255**2 / max(mse, 1e-9)))

    for i in np.linspace(0, len(ours) - 1, 12).astype(int):
        near = [i - 1, i, i + 1] if i in warped else [i]
        assert max(psnr(ours[j], theirs[i]) for j in near if 0 <= j < len(ours)) >= 30, f"frame {i}"
    film_audio, melt_audio = _audio(film), _audio(rendered)
    assert abs(film_audio.size - melt_audio.size) <= RATE // 24
    correlation = aligned_correlation(film_audio, melt_audio)
    # Loudness near the mix's: the levels (gains, the compressor's average effect, ducking, master gain) travel
    # with the tracks; the compressor's dynamics do not.
    rms = [20 * np.log10(np.sqrt(np.mean(a**2))) for a in (film_audio, melt_audio)]
    print(f"melt vs film: {len(ours)} frames, correlation {correlation:.3f}, RMS {rms[1] - rms[0]:+.2f} dB")
    assert correlation >= 0.9
    assert abs(rms[0] - rms[1]) < 1.0
    assert np.abs(melt_audio).max() < 10 ** (-0.5 / 20)  # the master's limiter travels too: nothing clips


@NO_MELT
def test_melt_renders_the_kdenlive_project_as_the_film(film: MakeResult, tmp_path: Path) -> None:
    assert_melt_renders_as_the_film(film.out, film.film, tmp_path)


@NO_MELT
@pytest.mark.slow
def test_the_bundled_examples_kdenlive_project_and_subtitles(ferry_draft: Path, tmp_path: Path) -> None:
    assert_melt_renders_as_the_film(ferry_draft, ferry_draft / "film.mp4", tmp_path)
    assert_subtitles_cover_the_dialogue(
        DATA.parents[1] / "examples" / "the_last_ferry.fountain", ferry_draft / "film.srt"
    )


def test_export_writes_every_format_from_the_artifacts_rendering_nothing(film: MakeResult, tmp_path: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in film.out.rglob("*") if p.is_file()}
    assert main(["-q", "export", str(film.out), "--format", "all", "--dest", str(tmp_path / "again")]) == 0
    written = sorted(p.name for p in (tmp_path / "again").iterdir())
    audio_edls = [name for name in written if name.startswith("film_audio") and name.endswith(".edl")]
    assert "film_audio.edl" in audio_edls  # one CMX 3600 list per four audio tracks
    timelines = ["film.otio", "film.fcpxml", "film.xml", "film.edl", *audio_edls, "film.kdenlive"]
    assert written == sorted([*timelines, "film.srt", "film.vtt", "shotlist.md", "shotlist.csv"])
    assert (tmp_path / "again/film.srt").read_text() == (film.out / "film.srt").read_text()
    assert {p: p.stat().st_mtime_ns for p in film.out.rglob("*") if p.is_file()} == before  # nothing made


def test_export_follows_an_edited_timeline(film: MakeResult, tmp_path: Path) -> None:
    timeline = otio.adapters.read_from_file(str(film.out / "film.otio"))
    dialogue = next(t for t in timeline.audio_tracks() if t.name == "Dialogue")
    gap = next(item for item in dialogue if isinstance(item, otio.schema.Gap))
    gap.source_range = otio.opentime.TimeRange(
        gap.source_range.start_time, gap.source_range.duration + otio.opentime.RationalTime(24, 24)
    )  # every line after the first gap is heard one second later
    edited = tmp_path / "edited.otio"
    otio.adapters.write_to_file(timeline, str(edited))
    assert main(["-q", "export", str(film.out), "-f", "srt", "-t", str(edited), "--dest", str(tmp_path)]) == 0
    before, after = _cues(film.out / "film.srt"), _cues(tmp_path / "film.srt")
    assert [c[2] for c in after] == [c[2] for c in before]
    assert after[-1][0] - before[-1][0] == pytest.approx(1.0, abs=0.03)


def test_export_converts_the_films_screenplay_to_fdx_and_fountain(
    film: MakeResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-q", "export", str(film.out), "-f", "fdx", "-f", "fountain", "--dest", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voices_off.fdx", "voices_off.fountain"]
    plan = plan_screenplay(develop(film.out.parent / SCREENPLAY.name)).model_dump(mode="json")
    for converted in tmp_path.iterdir():
        assert plan_screenplay(develop(converted)).model_dump(mode="json") == plan
    root = ET.parse(tmp_path / "voices_off.fdx").getroot()
    assert root.find("TitlePage") is not None and root.find(".//DualDialogue") is not None
    # `all` is the film's deliverables: the conversions are asked by name.
    assert main(["-q", "export", str(film.out), "-f", "all", "--dest", str(tmp_path / "all")]) == 0
    assert not list((tmp_path / "all").glob("voices_off.*"))
    # Into the screenplay's own folder, the Fountain conversion would replace the screenplay: refused.
    code, err = _run(["export", str(film.out), "-f", "fountain", "--dest", str(film.out.parent)], capsys)
    assert code == 1 and "would replace it" in err
    # A screenplay edited since `make` is not the film's: refused until the film is made again.
    source = film.out.parent / SCREENPLAY.name
    text = source.read_text()
    try:
        source.write_text(text + "\nA later draft.\n")
        code, err = _run(["export", str(film.out), "-f", "fdx", "--dest", str(tmp_path / "later")], capsys)
        assert code == 1 and "changed since the film" in err and not (tmp_path / "later").exists()
    finally:
        source.write_text(text)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err.strip()


def test_export_errors_are_one_line_and_write_nothing(
    film: MakeResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, err = _run(["export", str(empty)], capsys)
    assert code == 1 and "is not a finished film" in err and "filmaster make" in err and "\n" not in err
    assert not any(empty.iterdir())

    code, err = _run(["export", str(film.out), "-f", "avi", "--dest", str(tmp_path / "x")], capsys)
    assert code == 1 and "unknown export format 'avi'" in err and not (tmp_path / "x").exists()

    timeline = otio.adapters.read_from_file(str(film.out / "film.otio"))
    clip = timeline.video_tracks()[0].find_clips()[0]
    clip.media_reference.target_url = "media/shots/elsewhere.mp4"
    moved = tmp_path / "moved.otio"
    otio.adapters.write_to_file(timeline, str(moved))
    code, err = _run(["export", str(film.out), "-t", str(moved), "--dest", str(tmp_path / "y")], capsys)
    assert code == 1 and "no longer matches the film's media" in err and not (tmp_path / "y").exists()

    timeline = otio.adapters.read_from_file(str(film.out / "film.otio"))
    clip = timeline.video_tracks()[0].find_clips()[0]
    clip.source_range = otio.opentime.TimeRange(clip.source_range.start_time, otio.opentime.RationalTime(10_000, 24))
    longer = tmp_path / "longer.otio"
    otio.adapters.write_to_file(timeline, str(longer))
    code, err = _run(["export", str(film.out), "-t", str(longer), "--dest", str(tmp_path / "z")], capsys)
    assert code == 1 and "but the file holds" in err and not (tmp_path / "z").exists()

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    code, err = _run(["export", str(film.out), "-f", "srt", "--dest", str(blocked)], capsys)
    assert code == 1 and "a-file" in err and blocked.read_text() == "not a folder"


def test_deliver_formats_are_checked_in_the_config() -> None:
    assert Config().deliver.formats == list(DEFAULT_FORMATS)  # config.py lists them without importing the registry
    assert load_config(overrides={"deliver": {"formats": ["srt", "all"]}}).deliver.formats[0] == "otio"
    with pytest.raises(ConfigError, match=r"deliver\.formats.*unknown export format 'mov'"):
        load_config(overrides={"deliver": {"formats": ["mov"]}})
