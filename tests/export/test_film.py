from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from filmaster.errors import ExportError
from filmaster.export import FilmInfo, assemble_film, build_timeline

from .conftest import COLOURS, FPS, HEIGHT, RATE, WIDTH, Project, grey, write_wav

TOLERANCE = 12  # per channel, after two H.264 generations and yuv420p chroma subsampling


@pytest.fixture(scope="module")
def film(project: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[FilmInfo, list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []
    path = tmp_path_factory.mktemp("film") / "film.mp4"
    info = assemble_film(project.out_dir, project.cut, project.mix, path, progress=lambda d, t: calls.append((d, t)))
    return info, calls


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def _audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)


def _left(frame: np.ndarray) -> np.ndarray:
    """Mean colour of the left half's interior (the take's colour)."""
    return frame[4:-4, 4 : WIDTH // 2 - 4].reshape(-1, 3).mean(axis=0)


def _right(frame: np.ndarray) -> float:
    """Mean grey of the right half's interior (the source frame's index)."""
    return float(frame[4:-4, WIDTH // 2 + 4 : -4].mean())


def test_streams_and_counts(project: Project, film: tuple[FilmInfo, list[tuple[int, int]]]) -> None:
    info, calls = film
    with av.open(str(info.path)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert video.codec_context.name == "h264"
        assert (video.codec_context.width, video.codec_context.height) == (WIDTH, HEIGHT)
        assert video.codec_context.pix_fmt == "yuv420p"
        assert video.average_rate == FPS
        assert audio.codec_context.name == "aac"
        assert audio.codec_context.sample_rate == RATE and audio.codec_context.channels == 2
        video_s = float(video.duration * video.time_base)
        audio_s = float(audio.duration * audio.time_base)
    assert len(_frames(info.path)) == project.cut.frames == info.frames
    timeline = build_timeline(project.cut, project.sound, project.plan)
    otio_s = timeline.duration().to_seconds()
    assert abs(video_s - otio_s) <= 1 / FPS
    assert abs(audio_s - otio_s) <= 1 / FPS
    assert info.duration_s == pytest.approx(otio_s)
    assert info.streams[0].startswith("video h264") and info.streams[1].startswith("audio aac")
    assert calls[-1] == (36, 36) and len(calls) == 36


def _top_level_atoms(path: Path) -> list[str]:
    data = path.read_bytes()
    names, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        names.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:  # 64-bit size follows the name
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        offset += size if size else len(data)
    return names


def test_faststart_puts_the_index_first(film: tuple[FilmInfo, list[tuple[int, int]]]) -> None:
    atoms = _top_level_atoms(film[0].path)
    assert atoms[0] == "ftyp" and "mdat" in atoms
    assert atoms.index("moov") < atoms.index("mdat"), atoms


def test_audio_is_the_mix_then_silence(film: tuple[FilmInfo, list[tuple[int, int]]]) -> None:
    samples = _audio(film[0].path)
    rms = lambda a, b: float(np.sqrt(np.mean(samples[:, round(a * RATE) : round(b * RATE)] ** 2)))  # noqa: E731
    assert rms(0.1, 1.1) == pytest.approx(0.3 / np.sqrt(2), rel=0.1)  # the 0.3-amplitude mix
    assert rms(1.25, 1.45) < 0.003  # padded with silence after the 1.2 s mix
    spectrum = np.abs(np.fft.rfft(samples[0, round(0.1 * RATE) : round(1.1 * RATE)]))
    assert np.argmax(spectrum) == pytest.approx(440, abs=2)  # 1 s window: bin = Hz


def test_clip_order_trim_and_speed_from_pixels(project: Project, film: tuple[FilmInfo, list[tuple[int, int]]]) -> None:
    frames = _frames(film[0].path)
    starts = project.cut.record_start_frames()
    for clip in project.cut.clips:
        colour = np.array(COLOURS[clip.shot_id])
        for j in range(clip.frames):
            frame = frames[starts[clip.shot_id] + j]
            assert np.abs(_left(frame) - colour).max() < TOLERANCE, (clip.shot_id, j)
            source = clip.source_start_frame + int(j * clip.speed)
            assert abs(_right(frame) - grey(source)) < TOLERANCE / 2, (clip.shot_id, j, _right(frame))
    # spelled out: the trimmed clip opens on source frame 4, the speed-2 clip steps by two frames
    assert abs(_right(frames[12]) - grey(4)) < TOLERANCE / 2
    assert [round((_right(frames[18 + j]) - 10) / 20) for j in range(6)] == [0, 2, 4, 6, 8, 10]


def test_every_cut_starts_on_a_keyframe(project: Project, film: tuple[FilmInfo, list[tuple[int, int]]]) -> None:
    with av.open(str(film[0].path)) as container:
        stream = container.streams.video[0]
        keys = sorted(round(p.pts * stream.time_base * FPS) for p in container.demux(stream) if p.is_keyframe)
    assert set(project.cut.record_start_frames().values()) <= set(keys)


def test_mono_44k_mix_is_resampled(project: Project, tmp_path: Path) -> None:
    mix = tmp_path / "mono.wav"
    n = 44100 * 2
    tone = (0.3 * 32767 * np.sin(2 * np.pi * 660 * np.arange(n) / 44100)).astype(np.int16)
    with wave.open(str(mix), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(44100)
        wav.writeframes(tone.tobytes())
    info = assemble_film(project.out_dir, project.cut, mix, tmp_path / "f.mp4", preset="ultrafast")
    samples = _audio(info.path)
    assert samples.shape[0] == 2
    window = samples[1, round(0.2 * RATE) : round(1.2 * RATE)]
    assert np.argmax(np.abs(np.fft.rfft(window))) == pytest.approx(660, abs=2)


def test_longer_mix_is_cut_to_the_picture(project: Project, tmp_path: Path) -> None:
    mix = tmp_path / "long.wav"
    write_wav(mix, 3.0, 220.0)
    info = assemble_film(project.out_dir, project.cut, mix, tmp_path / "f.mp4", crf=30, preset="ultrafast")
    with av.open(str(info.path)) as container:
        audio = container.streams.audio[0]
        assert abs(float(audio.duration * audio.time_base) - 1.5) <= 1 / FPS
    assert _audio(info.path)[:, round(1.3 * RATE) : round(1.45 * RATE)].std() > 0.1


def test_missing_take_raises_and_leaves_nothing(project: Project, tmp_path: Path) -> None:
    clip = project.cut.clips[0].model_copy(update={"media": "media/shots/nope.mp4"})
    cut = project.cut.model_copy(update={"clips": [clip]})
    with pytest.raises(ExportError, match=r"nope\.mp4"):
        assemble_film(project.out_dir, cut, project.mix, tmp_path / "film.mp4")
    assert list(tmp_path.iterdir()) == []


def test_clip_longer_than_take_raises(project: Project, tmp_path: Path) -> None:
    clip = project.cut.clips[0].model_copy(update={"source_start_frame": 8, "frames": 6})
    cut = project.cut.model_copy(update={"clips": [clip]})
    with pytest.raises(ExportError, match="needs frame 12"):
        assemble_film(project.out_dir, cut, None, tmp_path / "film.mp4")
    assert list(tmp_path.iterdir()) == []


def test_silent_when_no_mix(project: Project, tmp_path: Path) -> None:
    info = assemble_film(project.out_dir, project.cut, None, tmp_path / "silent.mp4", preset="ultrafast")
    assert np.abs(_audio(info.path)).max() < 1e-4
    assert otio.opentime.RationalTime(info.frames, FPS).to_seconds() == pytest.approx(1.5)


def test_whole_takes_are_concatenated_without_re_encoding(project: Project, tmp_path: Path) -> None:
    from filmaster.export.film import _can_copy_packets
    from filmaster.model import Cut, CutClip

    whole = [
        CutClip(shot_id=shot_id, scene_index=0, media=f"media/shots/{shot_id}.mp4", frames=12)
        for shot_id in ("S01-01", "S02-01", "S01-02")
    ]
    cut = Cut(title="whole takes", fps=FPS, width=WIDTH, height=HEIGHT, clips=whole)
    assert _can_copy_packets(project.out_dir, cut)
    info = assemble_film(project.out_dir, cut, project.mix, tmp_path / "copied.mp4")
    frames = _frames(info.path)
    assert len(frames) == 36
    for k, clip in enumerate(whole):
        for j in range(12):
            assert np.abs(_left(frames[12 * k + j]) - np.array(COLOURS[clip.shot_id])).max() < TOLERANCE
            assert abs(_right(frames[12 * k + j]) - grey(j)) < TOLERANCE / 2

    # The packets are the takes' own: the film's video bytes equal the concatenated takes' bytes.
    def payload(path: Path) -> bytes:
        with av.open(str(path)) as container:
            return b"".join(bytes(p) for p in container.demux(video=0) if p.size)

    takes = b"".join(payload(project.out_dir / clip.media) for clip in whole)
    assert payload(info.path) == takes
    with av.open(str(info.path)) as container:
        assert [s.type for s in container.streams] == ["video", "audio"]
        audio = container.streams.audio[0]
        assert float(audio.duration * audio.time_base) == pytest.approx(36 / FPS, abs=1 / FPS)
    assert _top_level_atoms(info.path)[:2] == ["ftyp", "moov"]
