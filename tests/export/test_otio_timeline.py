from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import opentimelineio as otio
import pytest

from filmaster.export import build_timeline, export_interchange, write_timeline
from filmaster.export.otio_timeline import META_KEY

from .conftest import CUES, FPS, TAKE_FRAMES, Project

RT = otio.opentime.RationalTime


@pytest.fixture(scope="module")
def written(project: Project) -> tuple[Path, otio.schema.Timeline]:
    timeline = build_timeline(project.cut, project.sound, project.plan, media_root=project.out_dir)
    path = write_timeline(timeline, project.out_dir / "film.otio")
    return path, otio.adapters.read_from_file(str(path))


def test_tracks_names_kinds_and_order(written: tuple[Path, otio.schema.Timeline]) -> None:
    _, timeline = written
    names = [t.name for t in timeline.tracks]
    assert names == ["Picture", "Dialogue", "Dialogue 2", "Music", "Music 2", "Background"]
    assert [t.kind for t in timeline.tracks] == [otio.schema.TrackKind.Video] + [otio.schema.TrackKind.Audio] * 5
    assert timeline.global_start_time == RT(0, FPS)
    assert timeline.metadata[META_KEY]["resolution"] == "64x36"
    assert timeline.metadata[META_KEY]["fps"] == FPS


def test_duration_equals_cut_on_every_track(project: Project, written: tuple[Path, otio.schema.Timeline]) -> None:
    _, timeline = written
    assert timeline.duration() == RT(project.cut.frames, FPS)
    for track in timeline.tracks:
        assert track.duration() == RT(project.cut.frames, FPS), track.name


def test_picture_clips_trims_speed_and_metadata(project: Project, written: tuple[Path, otio.schema.Timeline]) -> None:
    _, timeline = written
    clips = list(timeline.video_tracks()[0].find_clips())
    assert [c.metadata[META_KEY]["shot_id"] for c in clips] == [c.shot_id for c in project.cut.clips]
    for clip, cut_clip in zip(clips, project.cut.clips, strict=True):
        assert clip.name.startswith(cut_clip.shot_id)
        assert clip.source_range == otio.opentime.TimeRange(
            RT(cut_clip.source_start_frame, FPS), RT(cut_clip.frames, FPS)
        )
        # The whole take is available (probed from the file): editors can extend the trim.
        assert clip.media_reference.available_range.duration == RT(TAKE_FRAMES, FPS)
    assert clips[1].metadata[META_KEY]["scale"] == "CU"
    assert clips[1].metadata[META_KEY]["movement"] == "dolly_in"
    assert clips[1].metadata[META_KEY]["lens_mm"] == 75.0
    assert "prompt of S01-02" in clips[1].metadata[META_KEY]["prompt"]
    warps = [e for e in clips[2].effects if isinstance(e, otio.schema.LinearTimeWarp)]
    assert [w.time_scalar for w in warps] == [2.0]
    assert not clips[0].effects


def test_scene_markers_at_scene_starts(written: tuple[Path, otio.schema.Timeline]) -> None:
    _, timeline = written
    found = []
    for clip in timeline.video_tracks()[0].find_clips():
        for marker in clip.markers:
            # marker times are in the clip's source time: map them to record time
            offset = marker.marked_range.start_time - clip.source_range.start_time
            found.append((marker.name, (clip.range_in_parent().start_time + offset).value))
    assert found == [("Scene 1: INT. KITCHEN - NIGHT", 0), ("Scene 2: EXT. STREET - NIGHT", 18)]


def test_media_references_are_relative_and_exist(written: tuple[Path, otio.schema.Timeline]) -> None:
    path, timeline = written
    clips = list(timeline.find_clips())
    assert len(clips) == 4 + len(CUES)
    for clip in clips:
        url = clip.media_reference.target_url
        assert not urlparse(url).scheme and not Path(url).is_absolute(), url
        assert (path.parent / url).is_file(), url


def test_audio_clips_at_record_times_and_trimmed(project: Project, written: tuple[Path, otio.schema.Timeline]) -> None:
    _, timeline = written
    placed = {
        clip.name: (track.name, clip.range_in_parent())
        for track in timeline.audio_tracks()
        for clip in track.find_clips()
    }
    assert set(placed) == {c[0] for c in CUES}
    for cue in project.sound.cues:
        _, record = placed[cue.id]
        assert record.start_time == RT(round(cue.start_s * FPS), FPS), cue.id
    # The overlapping line and the crossfading music go to second tracks of their kind.
    assert placed["dlg-S01-02-1"][0] == "Dialogue 2"
    assert placed["music-S02"][0] == "Music 2"
    assert placed["amb-S02"][0] == "Background"
    # music-S02 starts at frame 22 and would run 24 frames: cut at the picture's end (frame 36).
    assert placed["music-S02"][1].end_time_exclusive() == RT(36, FPS)
    # amb-S02 is planned 0.75 s but its file holds 0.5 s: the clip never reads past the file.
    assert placed["amb-S02"][1].duration == RT(12, FPS)


def test_audio_available_range_is_the_file_duration(written: tuple[Path, otio.schema.Timeline]) -> None:
    _, timeline = written
    for track in timeline.audio_tracks():
        for clip in track.find_clips():
            seconds = next(c[4] for c in CUES if c[0] == clip.name)
            assert clip.media_reference.available_range.duration.to_seconds() == pytest.approx(seconds)
            assert clip.metadata[META_KEY]["gain_db"] == -3.0


def test_without_media_root_lengths_come_from_plan(project: Project) -> None:
    timeline = build_timeline(project.cut, project.sound, project.plan)
    clips = list(timeline.video_tracks()[0].find_clips())
    # planned 0.5 s = 12 frames, and never less than the frames the cut reads
    assert [c.media_reference.available_range.duration.value for c in clips] == [12, 12, 12, 12]
    assert timeline.duration() == RT(36, FPS)


def test_write_is_atomic_and_leaves_no_temp_files(project: Project, tmp_path: Path) -> None:
    timeline = build_timeline(project.cut, project.sound, project.plan)
    write_timeline(timeline, tmp_path / "film.otio")
    write_timeline(timeline, tmp_path / "film.otio")  # overwrite in place
    assert [p.name for p in tmp_path.iterdir()] == ["film.otio"]


def _require(adapter: str) -> None:
    if adapter not in otio.adapters.available_adapter_names():
        pytest.skip(f"OTIO adapter {adapter} not installed")


@pytest.fixture(scope="module")
def interchange(project: Project, written: tuple[Path, otio.schema.Timeline]) -> dict[str, Path]:
    files = export_interchange(written[1], project.out_dir)
    return {p.name: p for p in files}


def test_every_interchange_file_is_written(interchange: dict[str, Path]) -> None:
    # Five sound tracks: a CMX 3600 list holds four sound channels, so the fifth goes to a second list.
    assert sorted(interchange) == ["film.edl", "film.fcpxml", "film.xml", "film_audio.edl", "film_audio_2.edl"]


def test_edl_round_trip(project: Project, interchange: dict[str, Path]) -> None:
    _require("cmx_3600")
    edl = otio.adapters.read_from_file(str(interchange["film.edl"]), rate=FPS)
    clips = list(edl.find_clips())
    assert len(clips) == len(project.cut.clips)
    assert [c.duration().value for c in clips] == [c.frames for c in project.cut.clips]
    assert [c.source_range.start_time.value for c in clips][:2] == [0, 4]
    names = []
    for name in ("film_audio.edl", "film_audio_2.edl"):
        sound = otio.adapters.read_from_file(str(interchange[name]), rate=FPS)
        names += [c.name for c in sound.find_clips()]
    assert sorted(names) == sorted(c[0] for c in CUES)


def test_fcp7_xml_round_trip(project: Project, interchange: dict[str, Path]) -> None:
    _require("fcp_xml")
    timeline = otio.adapters.read_from_file(str(interchange["film.xml"]))
    video = timeline.video_tracks()
    assert len(list(video[0].find_clips())) == len(project.cut.clips)
    assert timeline.duration().rescaled_to(FPS) == RT(36, FPS)
    audio_clips = [c.name for t in timeline.audio_tracks() for c in t.find_clips()]
    assert sorted(audio_clips) == sorted(c[0] for c in CUES)
    # Editors need absolute file URLs that resolve to the real media.
    url = next(iter(video[0].find_clips())).media_reference.target_url
    assert urlparse(url).scheme == "file" and Path(urlparse(url).path).is_file()


def test_fcpxml_round_trip(project: Project, interchange: dict[str, Path]) -> None:
    _require("fcpx_xml")
    result = otio.adapters.read_from_file(str(interchange["film.fcpxml"]))
    timeline = result[0] if isinstance(result, otio.schema.SerializableCollection) else result
    names = [c.name for c in timeline.find_clips()]
    for cut_clip in project.cut.clips:
        assert any(n.startswith(cut_clip.shot_id) for n in names), cut_clip.shot_id
    assert sorted(n for n in names if not n.startswith("S0")) == sorted(c[0] for c in CUES)
    assert timeline.duration().rescaled_to(FPS) == RT(36, FPS)
