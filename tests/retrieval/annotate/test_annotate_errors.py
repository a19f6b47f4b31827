"""Bad inputs give one-line InputErrors naming the file and the fix; annotate_many goes on past them."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest

from filmaster.errors import InputError
from filmaster.retrieval.annotate import annotate_many, annotate_video

from .annotate_synth import Move, cut_together


def _one_line(exc: pytest.ExceptionInfo[InputError], path: Path) -> str:
    message = str(exc.value)
    assert "\n" not in message and str(path) in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.mp4"
    with pytest.raises(InputError) as exc:
        annotate_video(path)
    assert "no such file" in _one_line(exc, path)


def test_text_file_renamed_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("INT. KITCHEN - NIGHT\nThis is a screenplay, not a video.\n")
    with pytest.raises(InputError) as exc:
        annotate_video(path)
    assert "not a readable video" in _one_line(exc, path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mov"
    path.touch()
    with pytest.raises(InputError) as exc:
        annotate_video(path)
    assert "empty" in _one_line(exc, path)


def test_audio_only_file(tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes((np.sin(np.arange(8000) * 0.3) * 8000).astype("<i2").tobytes())
    with pytest.raises(InputError) as exc:
        annotate_video(path)
    assert "no video stream" in _one_line(exc, path)


def test_video_stream_without_frames(tmp_path: Path) -> None:
    # AVI keeps a declared video stream even when not one frame was written (MP4 drops the stream).
    path = tmp_path / "zero.avi"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        out.start_encoding()
    with av.open(str(path)) as check:
        assert len(check.streams.video) == 1
    with pytest.raises(InputError) as exc:
        annotate_video(path)
    assert "no frames (zero length)" in _one_line(exc, path)


def test_annotate_many_continues_past_bad_files(opencv_data: Path, tmp_path: Path) -> None:
    good = tmp_path / "a" / "clip.mp4"
    again = tmp_path / "b" / "clip.mp4"  # same stem: needs a distinct name
    for path in (good, again):
        path.parent.mkdir()
        cut_together(path, [Move("building.jpg", 12), Move("fruits.jpg", 14, pan_px=1.5)])
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    missing = tmp_path / "missing.mp4"
    seen: list[Path] = []
    results, failures = annotate_many([good, bad, missing, again], progress=lambda path, done, total: seen.append(path))
    assert [r.path for r in results] == [good, again]
    assert [r.name for r in results] == ["clip", "clip-2"]
    first, second = ({e.id for e in r.entries} for r in results)
    assert "footage-clip-01" in first and "footage-clip-2-01" in second and not first & second
    assert [p for p, _ in failures] == [bad, missing]
    assert all(str(p) in message for p, message in failures)
    assert results[0].cuts == [12] and seen[-1] == again
