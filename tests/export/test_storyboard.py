from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from filmaster.errors import ExportError
from filmaster.export import frames_from_clip, storyboard_frames, write_storyboard
from filmaster.export.storyboard import BACKGROUND, CAPTION_BAND, FRAME_GAP, GAP, HEADING_BAND, MARGIN, TITLE_BAND

from .conftest import COLOURS, Project, grey

TOLERANCE = 14


def _grey_level(frame: np.ndarray) -> float:
    width = frame.shape[1]
    return float(frame[4:-4, width // 2 + 4 : -4].mean())


def test_frames_from_clip_picks_the_frame_shown_at_each_time(project: Project) -> None:
    path = project.out_dir / "media/shots/S01-01.mp4"
    frames = frames_from_clip(path, [0.2, 0.0, 10.0, -1.0, 0.24])
    # at 24 fps, 0.2 s falls in frame 4 (0.1667-0.2083 s); past the end gives the last frame (11)
    levels = [_grey_level(f) for f in frames]
    assert levels == pytest.approx([grey(4), grey(0), grey(11), grey(0), grey(5)], abs=TOLERANCE / 2)
    assert frames[0].shape == (36, 64, 3) and frames[0].dtype == np.uint8


def test_frames_from_missing_clip_raises(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        frames_from_clip(tmp_path / "none.mp4", [0.0])


def test_storyboard_frames_follow_trim_and_speed(project: Project) -> None:
    shots = storyboard_frames(project.plan, project.cut, project.out_dir)
    assert [s.id for s, _ in shots] == [c.shot_id for c in project.cut.clips]
    levels = [[round((_grey_level(f) - 10) / 20) for f in frames] for _, frames in shots]
    # first and middle source frame of each clip: 0/6, trim from 4: 4/7, speed 2: 0/6, 0/6
    assert levels == [[0, 6], [4, 7], [0, 6], [0, 6]]
    assert shots[1][0].duration_s == pytest.approx(0.25)  # the cut's length, not the plan's


def test_sheet_size_and_pixels(project: Project, tmp_path: Path) -> None:
    shots = storyboard_frames(project.plan, project.cut, project.out_dir)
    path = tmp_path / "storyboard.png"
    headings = {s.index: s.heading for s in project.plan.scenes}
    layout = write_storyboard(shots, path, title="Night Noise", columns=3, thumb_width=80, scene_headings=headings)
    image = np.asarray(Image.open(path).convert("RGB"))
    # two frames of 80x45 per cell, 3 columns; scene 1 (2 shots) and scene 2 (2 shots) take a row each
    cell_width, thumb_height = 2 * 80 + FRAME_GAP, 45
    width = 2 * MARGIN + 3 * cell_width + 2 * GAP
    row = thumb_height + CAPTION_BAND
    height = TITLE_BAND + 2 * (HEADING_BAND + GAP // 2) + 2 * row + GAP + MARGIN
    assert image.shape == (height, width, 3) == (layout.height, layout.width, 3)
    assert [y for y, _, _ in layout.heading_origins] == [TITLE_BAND, TITLE_BAND + HEADING_BAND + GAP // 2 + row + GAP]
    for (shot, _), boxes in zip(shots, layout.frame_boxes, strict=True):
        assert len(boxes) == 2
        for x, y in boxes:
            # the left quarter of each thumbnail shows the take's colour
            patch = image[y + 8 : y + thumb_height - 8, x + 4 : x + 80 // 2 - 4].reshape(-1, 3).mean(axis=0)
            assert np.abs(patch - COLOURS[shot.id]).max() < TOLERANCE, shot.id
    # the title and the captions are drawn: light pixels on the dark background
    assert (image[MARGIN : TITLE_BAND - MARGIN].max(axis=2) > 150).sum() > 100
    cx, cy = layout.caption_origins[0]
    caption = image[cy : cy + CAPTION_BAND - 4, cx : cx + cell_width]
    assert (caption.max(axis=2) > 120).sum() > 50
    assert tuple(image[-2, -2]) == BACKGROUND


def test_single_frame_shots_and_wrapping(project: Project, tmp_path: Path) -> None:
    shot = project.plan.shots[0]
    frame = np.full((36, 64, 3), 200, np.uint8)
    layout = write_storyboard([(shot, [frame])] * 5, tmp_path / "s.png", title="T", columns=2, thumb_width=64)
    # one frame per cell; 5 shots of one scene wrap onto 3 rows
    assert {len(b) for b in layout.frame_boxes} == {1}
    assert len({y for boxes in layout.frame_boxes for _, y in boxes}) == 3
    assert layout.width == 2 * MARGIN + 2 * 64 + GAP
    with Image.open(tmp_path / "s.png") as image:
        assert image.size == (layout.width, layout.height)


def test_bad_frame_raises(project: Project, tmp_path: Path) -> None:
    shot = project.plan.shots[0]
    with pytest.raises(ExportError, match="expected \\(height, width, 3\\) uint8 RGB"):
        write_storyboard([(shot, [np.zeros((4, 4), np.uint8)])], tmp_path / "s.png", title="T")
    assert not (tmp_path / "s.png").exists()


def test_a_take_played_in_several_clips_is_decoded_once(project: Project) -> None:
    # S01-02's take played again after the cut's end, as a reaction: trimmed to frames 8-9, then whole.
    extra = [
        project.cut.clips[1].model_copy(update={"source_start_frame": 8, "frames": 2}),
        project.cut.clips[1].model_copy(update={"source_start_frame": 0, "frames": 12}),
    ]
    cut = project.cut.model_copy(update={"clips": [*project.cut.clips, *extra]})
    decoded: list[Path] = []

    def grab(path: Path, times_s: Sequence[float]) -> list[np.ndarray]:
        decoded.append(path)
        return frames_from_clip(path, times_s)

    shots = storyboard_frames(project.plan, cut, project.out_dir, grab=grab)
    assert sorted(decoded) == sorted({project.out_dir / clip.media for clip in cut.clips})
    levels = [[round((_grey_level(f) - 10) / 20) for f in frames] for _, frames in shots]
    assert levels == [[0, 6], [4, 7], [0, 6], [0, 6], [8, 9], [0, 6]]
