"""The fine cut end to end on the tiny example, measured on the delivered film's pixels and sound cues."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from filmaster.audio.wavio import read_wav
from filmaster.config import load_config
from filmaster.model import Critique, Cut, EditDecisions, SoundPlan
from filmaster.pipeline import MakeResult, make_film
from filmaster.post.fine_cut import J_CUT_MAX_S
from filmaster.post.intensity import intensity_curve
from filmaster.post.measure import pixel_pacing, sigma_ln

EXAMPLES = Path(__file__).parents[2] / "examples"

DRAFT = {"render": {"resolution": "192x108", "draft": True}}
FRESH_FINE_CUT: dict[str, str] = {}  # what the fine cut delivers into an empty folder (see _delivered)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MakeResult]:
    work = tmp_path_factory.mktemp("fine")
    source = work / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    film = make_film(source, work / "out", load_config(overrides=DRAFT))
    FRESH_FINE_CUT.update(_delivered(film.out))  # before the tests below make other films in its folder
    return source, film


def test_shot_lengths_vary_and_follow_intensity_in_the_pixels(made: tuple[Path, MakeResult]) -> None:
    _, film = made
    cut = Cut.load(film.out / ".filmaster" / "cut.json")
    lengths, asl = pixel_pacing(film.film, cut)
    assert len(lengths) == len(cut.clips)  # every cut of the edit is visible, none invented
    assert sigma_ln(lengths) >= 0.5
    curve = intensity_curve(film.plan)
    hot, calm = max(curve, key=curve.__getitem__), min(curve, key=curve.__getitem__)
    assert asl[hot] <= 0.7 * asl[calm]


def _audible_end_s(audio: np.ndarray, rate: int, floor_db: float) -> float:
    """Seconds from the start to the last sample above `floor_db` relative to the signal's peak."""
    level = np.abs(audio).max(axis=1) if audio.ndim == 2 else np.abs(audio)
    loud = np.flatnonzero(level > level.max() * 10 ** (floor_db / 20))
    return (loud[-1] + 1) / rate if loud.size else 0.0


@pytest.fixture(scope="module")
def ends_on_a_line(tmp_path_factory: pytest.TempPathFactory) -> MakeResult:
    """The tiny example's first scene alone: a film whose last shot is a line of dialogue."""
    work = tmp_path_factory.mktemp("ending")
    source = work / "ending.fountain"
    text = (EXAMPLES / "tiny.fountain").read_text(encoding="utf-8")
    source.write_text(text[: text.index("EXT. STREET")], encoding="utf-8")
    return make_film(source, work / "out", load_config(overrides=DRAFT))


@pytest.mark.parametrize("film_name", ["made", "ends_on_a_line"])
def test_the_last_line_finishes_and_a_beat_is_held_before_the_film_ends(
    film_name: str, request: pytest.FixtureRequest
) -> None:
    """Measured on the samples: where the last word's voice stops (the line's own audio, placed where the mix lays
    it) against where the film's sound stops (the mix's last audible sample)."""
    film = request.getfixturevalue(film_name)
    film = film[1] if isinstance(film, tuple) else film
    sound = SoundPlan.load(film.out / ".filmaster" / "sound.json")
    lines = [c for c in sound.cues if c.kind.value == "dialogue" and c.media]
    last_word = 0.0
    for line in lines:
        voice, rate = read_wav(film.out / str(line.media))
        last_word = max(last_word, line.start_s + _audible_end_s(voice, rate, -40.0))
    mix, rate = read_wav(film.out / "media" / "audio" / "mix.wav")
    sound_end = _audible_end_s(mix, rate, -60.0)
    assert sound_end - last_word >= 1.0, f"the last word ends {sound_end - last_word:.2f} s before the sound does"
    critique = Critique.load(film.out / "fine_critique.json")  # the screening of the fine cut
    assert not any(f.kind.value == "ending_drags" for f in critique.findings)


def test_no_line_is_cut_out_of_the_picture(made: tuple[Path, MakeResult]) -> None:
    _, film = made
    cut = Cut.load(film.out / ".filmaster" / "cut.json")
    sound = SoundPlan.load(film.out / ".filmaster" / "sound.json")
    lines = [c for c in sound.cues if c.kind.value == "dialogue"]
    assert len(lines) == sum(len(s.dialogue) for s in film.plan.shots)
    spans, position = {}, 0
    for clip in cut.clips:
        if not clip.cutaway:
            spans[clip.shot_id] = (position / cut.fps, (position + clip.frames) / cut.fps)
        position += clip.frames
    decisions = EditDecisions.load(film.out / "edit.json")
    j_cuts = {a.shot_id for a in decisions.applied if a.kind.value == "j_cut"}
    silent = {s.id for s in film.plan.shots if not s.dialogue}
    for line in lines:
        start, end = spans[line.shot_id]
        # The line starts on its speaker's picture and ends within the film (an L cut may carry it past its shot)
        # or, by a J cut, starts at most J_CUT_MAX_S before it, under a shot where nobody speaks.
        if line.start_s < start:
            assert line.shot_id in j_cuts and start - line.start_s <= J_CUT_MAX_S + 1 / cut.fps
            before = max(
                (c for c in cut.clips if spans.get(c.shot_id, (0, 0))[0] < start), key=lambda c: spans[c.shot_id][0]
            )
            assert before.shot_id in silent
        assert line.start_s < end
        assert line.start_s + line.duration_s <= cut.duration_s
    assert j_cuts  # the tense first scene opens its first line over the establishing shot


def test_edit_json_records_each_action_with_its_reason(made: tuple[Path, MakeResult]) -> None:
    _, film = made
    decisions = EditDecisions.load(film.out / "edit.json")
    assert decisions.applied and all(a.reason for a in decisions.applied)
    assert decisions.fine_duration_s < decisions.rough_duration_s
    markers = json.loads((film.out / "film.otio").read_text()).__repr__().count("pace_vs_intensity")
    assert markers >= 1  # the screening's findings are markers in film.otio


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "filmaster", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_critique_prints_a_readable_report_and_refuses_a_broken_edit_json(
    made: tuple[Path, MakeResult], tmp_path: Path
) -> None:
    _, film = made
    for name in ("critique.json", "edit.json", "fine_critique.json"):
        shutil.copy(film.out / name, tmp_path / name)
    report = _cli("critique", str(tmp_path))
    assert report.returncode == 0, report.stderr
    assert "Screening of the rough cut" in report.stdout and "Fine cut:" in report.stdout
    assert "pace_vs_intensity" in report.stdout
    edit = json.loads((tmp_path / "edit.json").read_text())
    edit["applied"][0]["kind"] = "explode"
    (tmp_path / "edit.json").write_text(json.dumps(edit))
    broken = _cli("critique", str(tmp_path))
    assert broken.returncode != 0 and "Traceback" not in broken.stderr
    assert "edit.json" in broken.stderr and "applied.0.kind" in broken.stderr
    assert len(broken.stderr.strip().splitlines()) == 1


def _assert_takes_hold_what_the_cut_plays(out: Path) -> None:
    """Every clip of the delivered cut lies inside its take's media, counted from the media's own frames."""
    cut = Cut.load(out / ".filmaster" / "cut.json")
    for clip in cut.clips:
        assert clip.source_start_frame >= 0 and clip.last_source_frame < _frame_count(out / clip.media), clip


def _frame_count(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_the_shoot_renders_every_shot_whole(made: tuple[Path, MakeResult]) -> None:
    _, film = made
    cut = Cut.load(film.out / ".filmaster" / "cut.json")
    # Counted in the takes' files: each holds its whole planned shot, whatever the edit plays of it.
    for shot in film.plan.shots:
        assert _frame_count(film.out / "media" / "shots" / f"{shot.id}.mp4") == round(shot.duration_s * cut.fps)
    assert cut.frames < round(film.plan.duration_s * cut.fps)  # what the cut leaves of them is their handles
    _assert_takes_hold_what_the_cut_plays(film.out)


def _takes_on_disk(out: Path) -> dict[str, tuple[int, int]]:
    """Every take file (the cache's clips and ground truth, the published media) -> (bytes, mtime)."""
    files = [*(out / ".filmaster" / "cache" / "shots").iterdir(), *(out / "media" / "shots").iterdir()]
    return {str(path): (path.stat().st_size, path.stat().st_mtime_ns) for path in files}


def _rendered(out: Path) -> int:
    """How many shots the last run rendered, as its manifest records it."""
    computed = json.loads((out / ".filmaster" / "manifest.json").read_text())["last_run"]["work"]["computed"]
    return int(computed.get("shots", 0))


def test_changing_only_edit_settings_renders_no_frame_and_the_cut_follows_them(
    made: tuple[Path, MakeResult],
) -> None:
    source, film = made
    takes = _takes_on_disk(film.out)
    cut = Cut.load(film.out / ".filmaster" / "cut.json")
    default, _ = pixel_pacing(film.film, cut)

    def remade(edit: dict[str, object]) -> tuple[MakeResult, Cut, list[float]]:
        result = make_film(source, film.out, load_config(overrides={**DRAFT, "edit": edit}))
        # Not a frame rendered: the manifest counts none, and every take's file is the same file, unwritten.
        assert _rendered(film.out) == 0
        assert _takes_on_disk(film.out) == takes
        _assert_takes_hold_what_the_cut_plays(film.out)
        cut = Cut.load(film.out / ".filmaster" / "cut.json")
        lengths, _ = pixel_pacing(result.film, cut)
        assert len(lengths) == len(cut.clips)  # measured on the delivered film: every cut of the edit, no other
        return result, cut, lengths

    # A slower pace holds the shots longer: a longer film, longer shots on average in its pixels.
    slower, _, paced = remade({"target_pace_s": 6.0})
    assert slower.duration_s > film.duration_s
    assert sum(paced) / len(paced) > sum(default) / len(default)
    # A shallow fine cut (no cutaways, removals or speed-ups) keeps every shot, each once, and trims them less.
    shallow, shallow_cut, kept = remade({"depth": 0.3})
    assert [c.shot_id for c in shallow_cut.clips] == [s.id for s in film.plan.shots]
    assert shallow.duration_s > film.duration_s
    assert sigma_ln(kept) < sigma_ln(default)
    # No fine cut: the rough cut, every shot whole and in order, found so in the film's pixels.
    rough, _, whole = remade({"fine_cut": False})
    assert not (film.out / "edit.json").exists()
    assert rough.duration_s == pytest.approx(film.plan.duration_s, abs=0.1)
    assert whole == pytest.approx([s.duration_s for s in film.plan.shots], abs=1.5 / 24)
    assert sigma_ln(whole) < 0.5  # the templated rough cut, for contrast


def test_a_trimmed_take_keeps_its_lines_where_its_frames_play() -> None:
    from filmaster.model import CutClip

    clips = [
        CutClip(shot_id="S01-01", scene_index=0, media="a.mp4", frames=48),
        CutClip(shot_id="S01-02", scene_index=0, media="b.mp4", frames=30, source_start_frame=12),
        CutClip(shot_id="S01-01", scene_index=0, media="a.mp4", frames=20, cutaway=True),
        CutClip(shot_id="S01-02", scene_index=0, media="b.mp4", frames=10, source_start_frame=62),
    ]
    cut = Cut(title="t", fps=24, width=64, height=64, clips=clips)
    # S01-02's frame 0 would play 12 frames before its first clip starts; the cutaway moves neither shot.
    assert cut.take_origin_frames() == {"S01-01": 0, "S01-02": 48 - 12}
    assert cut.scene_start_frames() == {0: 0}


def test_a_hand_edited_edit_json_is_the_edit_and_a_broken_one_stops_before_any_work(
    made: tuple[Path, MakeResult], caplog: pytest.LogCaptureFixture
) -> None:
    from filmaster.errors import InputError

    source, film = made
    config = load_config(overrides=DRAFT)
    make_film(source, film.out, config)  # the editor's own decisions again
    edit = json.loads((film.out / "edit.json").read_text())
    talker = next(s for s in film.plan.shots if s.dialogue)
    actions = [a for a in edit["applied"] if a["kind"] not in ("split", "l_cut")]  # no cutaways, please
    into_line = round((talker.dialogue[0].start_s + 0.5) * 24)  # half a second into the line: refused
    actions.append({"kind": "trim", "shot_id": talker.id, "head_frames": into_line, "tail_frames": 0, "reason": "x"})
    edit["applied"] = actions
    (film.out / "edit.json").write_text(json.dumps(edit))
    with caplog.at_level(logging.WARNING):
        mine = make_film(source, film.out, config)
    assert mine.work.computed["shots"] == 0
    cut = Cut.load(film.out / ".filmaster" / "cut.json")
    assert not any(clip.cutaway for clip in cut.clips)
    assert f"{talker.id} trim" in caplog.text and "out of the picture" in caplog.text
    kept = EditDecisions.load(film.out / "edit.json")
    assert any("from your edit.json" in reason for reason in kept.skipped)
    again = make_film(source, film.out, config)  # the hand edit stays the edit
    assert not any(clip.cutaway for clip in Cut.load(film.out / ".filmaster" / "cut.json").clips)
    assert again.work.computed["film"] == 0
    edit["applied"][0]["kind"] = "explode"
    (film.out / "edit.json").write_text(json.dumps(edit))
    before = (film.out / "film.mp4").stat().st_mtime_ns
    with pytest.raises(InputError, match=r"edit\.json.*applied\.0\.kind"):
        make_film(source, film.out, config)
    assert (film.out / "film.mp4").stat().st_mtime_ns == before
    (film.out / "edit.json").unlink()  # let the editor decide again for the tests after this one


def test_the_command_line_no_fine_cut_delivers_whole_takes(made: tuple[Path, MakeResult]) -> None:
    source, film = made
    result = _cli(
        "--quiet", "make", str(source), "-o", str(film.out), "--draft", "--resolution", "192x108", "--no-fine-cut"
    )
    assert result.returncode == 0, result.stderr
    cut = Cut.load(film.out / ".filmaster" / "cut.json")
    assert [c.shot_id for c in cut.clips] == [s.id for s in film.plan.shots]
    assert all(c.source_start_frame == 0 and c.speed == 1.0 and not c.cutaway for c in cut.clips)
    assert not (film.out / "edit.json").exists() and (film.out / "critique.json").is_file()


_DECIDING = {
    "cut.json": Path(".filmaster/cut.json"),
    "takes.json": Path("takes.json"),  # each take by its content key
    "mix.wav": Path("media/audio/mix.wav"),
}


def _delivered(out: Path) -> dict[str, str]:
    """What a make delivered: digests of its cut and its sound, and a copy of its picture (the folder's next make
    replaces film.mp4)."""
    copies = out.parent / "pictures"
    copies.mkdir(exist_ok=True)
    picture = copies / f"{len(list(copies.iterdir()))}.mp4"
    shutil.copy(out / "film.mp4", picture)
    digests = {name: hashlib.sha256((out / path).read_bytes()).hexdigest() for name, path in _DECIDING.items()}
    truths = [out / take["ground_truth"] for take in json.loads((out / "takes.json").read_text())["takes"]]
    digests["ground truth"] = hashlib.sha256(b"".join(path.read_bytes() for path in truths)).hexdigest()
    return {**digests, "film.mp4": str(picture)}


def _decoded(film: str) -> list[np.ndarray]:
    with av.open(film) as container:
        return [frame.to_ndarray(format="rgb24").astype(np.float64) for frame in container.decode(video=0)]


def assert_same_picture(film: str, reference: str) -> None:
    """Frame for frame the same picture, up to the encoder's noise: x264 (as PyAV bundles it) does not always give
    the same bytes for the same frames; at this test's 112x64 takes one take came out 6 ways in 30 encodes, its
    worst frame 36 dB from another; the rough and fine cuts of this film are 9 dB apart at their first frames."""
    ours, theirs = _decoded(film), _decoded(reference)
    assert len(ours) == len(theirs)
    worst = min(
        10 * np.log10(255**2 / max(float(np.mean((a - b) ** 2)), 1e-9)) for a, b in zip(ours, theirs, strict=True)
    )
    assert worst >= 32.0, f"a frame {worst:.1f} dB from the reference's"


@pytest.fixture(scope="module")
def histories(made: tuple[Path, MakeResult], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """What each history delivers: the rough cut into an empty folder, the fine cut after it in that folder, and
    the rough cut again after that fine cut (the takes are in the folder's cache by then: cheap)."""
    source, _ = made
    config, folder = load_config(overrides=DRAFT), tmp_path_factory.mktemp("history")
    rough = _delivered(make_film(source, folder, config, fine_cut=False).out)
    fine_after_rough = _delivered(make_film(source, folder, config).out)
    rough_after_fine = _delivered(make_film(source, folder, config, fine_cut=False).out)
    return {"rough": rough, "fine after rough": fine_after_rough, "rough after fine": rough_after_fine}


def test_the_mix_is_the_same_whatever_the_folder_made_before(histories: dict[str, dict[str, str]]) -> None:
    assert FRESH_FINE_CUT["mix.wav"] != histories["rough"]["mix.wav"]  # two films, so the checks below can fail
    assert histories["fine after rough"]["mix.wav"] == FRESH_FINE_CUT["mix.wav"]
    assert histories["rough after fine"]["mix.wav"] == histories["rough"]["mix.wav"]


def test_the_film_is_the_same_whatever_the_folder_made_before(histories: dict[str, dict[str, str]]) -> None:
    """The picture too: the same cut of the same whole takes, so no history joins frames onto a take."""
    for made, fresh in (
        (histories["fine after rough"], FRESH_FINE_CUT),
        (histories["rough after fine"], histories["rough"]),
    ):
        # The renderer's record of every frame (camera, who is seen where) is exact; only the picture goes
        # through the encoder.
        assert {k: v for k, v in made.items() if k != "film.mp4"} == {k: v for k, v in fresh.items() if k != "film.mp4"}
        assert_same_picture(made["film.mp4"], fresh["film.mp4"])
    with pytest.raises(AssertionError):  # the check tells two cuts apart
        assert_same_picture(histories["rough"]["film.mp4"], FRESH_FINE_CUT["film.mp4"])
