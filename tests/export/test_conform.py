"""Conform: trimmed and re-timed clips re-encoded alone, side by side, each holding exactly the frames it plays."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from filmaster.export import conform
from filmaster.export.conform import conform_cut
from filmaster.export.film import _can_copy_packets
from filmaster.export.storyboard import storyboard_wanted
from filmaster.export.take_frames import FrameTap
from filmaster.model import Cut, CutClip
from filmaster.previz.encode import ClipEncoder
from filmaster.project import Project
from filmaster.stages import deliver

from .conftest import Project as FilmProject

W, H, FPS, FRAMES = 160, 96, 24, 48


def _level(index: int) -> int:
    """The grey level of take frame `index`: far enough apart to tell every frame from its neighbours."""
    return 16 + 4 * index


def _take(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with ClipEncoder(path, W, H, FPS) as encoder:
        for i in range(FRAMES):
            encoder.write(np.full((H, W, 3), _level(i), np.uint8))


def _levels(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        return [round(float(f.to_ndarray(format="gray").mean())) for f in container.decode(video=0)]


def _clip(start: int, frames: int, speed: float = 1.0) -> CutClip:
    media = "media/shots/S01-01.mp4"
    return CutClip(shot_id="S01-01", scene_index=1, media=media, frames=frames, source_start_frame=start, speed=speed)


def test_conformed_clips_hold_the_frames_they_play_and_join_by_copy(tmp_path: Path) -> None:
    source = tmp_path / "film.fountain"
    source.write_text("INT. ROOM - DAY\n\nA room.\n")
    project = Project(tmp_path / "out", source)
    _take(project.out / "media/shots/S01-01.mp4")
    clips = [_clip(10, 12), _clip(0, FRAMES), _clip(4, 10, speed=2.0), _clip(10, 12), _clip(30, 18)]
    cut = Cut(title="t", fps=FPS, width=W, height=H, clips=clips)

    conformed = conform_cut(cut, project)

    # The whole take plays as it is; the same trim twice is one clip, made once.
    assert conformed.clips[1] == cut.clips[1]
    assert conformed.clips[0].media == conformed.clips[3].media != cut.clips[0].media
    assert project.cache.work.computed["conform"] == 3 and project.cache.work.reused["conform"] == 1
    for original, clip in zip(cut.clips, conformed.clips, strict=True):
        assert (clip.source_start_frame, clip.speed, clip.frames) == (0, 1.0, original.frames)
        played = [_level(original.source_frame(j)) for j in range(original.frames)]
        got = _levels(project.out / clip.media)
        assert len(got) == original.frames
        assert max(abs(a - b) for a, b in zip(got, played, strict=True)) <= 1, (original, got, played)
    # Same encoder parameters as the takes: the film is joined from these clips by packet copy.
    assert _can_copy_packets(project.out, conformed)

    # A re-run finds every conformed clip in the cache.
    project.close()
    again = Project(tmp_path / "out", source)
    assert conform_cut(cut, again) == conformed
    assert again.cache.work.computed["conform"] == 0 and again.cache.work.reused["conform"] == 4


def test_the_storyboard_takes_its_frames_from_the_conforms_decode(
    project: FilmProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each take is decoded once for the conform and the storyboard together, and the storyboard is the same."""
    decoded: list[str] = []

    def counted(name: str, decode: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            path = args[0] / args[1].media if name == "conform" else args[0]
            decoded.append(Path(path).name)
            return decode(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(conform, "_clip_frames", counted("conform", conform._clip_frames))
    monkeypatch.setattr(deliver, "frames_from_clip", counted("storyboard", deliver.frames_from_clip))

    def delivered(name: str, shared: bool) -> bytes:
        out = tmp_path / name
        shutil.copytree(project.out_dir, out)
        source = tmp_path / f"{name}.fountain"
        source.write_text("INT. ROOM - NIGHT\n\nA room.\n")
        made = Project(out, source, force=True)
        tap, conformed = (FrameTap(storyboard_wanted(project.cut, out)), threading.Event()) if shared else (None, None)
        conform_cut(project.cut, made, tap)
        if conformed is not None:
            conformed.set()
        board = deliver.deliver_storyboard(project.plan, project.cut, made, tap, conformed)
        made.close()
        return board.read_bytes()

    alone = delivered("alone", shared=False)
    # Without the tap: the two trimmed takes are decoded by the conform and again by the storyboard.
    assert sorted(decoded) == ["S01-01.mp4", "S01-02.mp4", "S01-02.mp4", "S02-01.mp4", "S02-01.mp4", "S02-02.mp4"]
    decoded.clear()
    assert delivered("shared", shared=True) == alone
    assert sorted(decoded) == ["S01-01.mp4", "S01-02.mp4", "S02-01.mp4", "S02-02.mp4"]
