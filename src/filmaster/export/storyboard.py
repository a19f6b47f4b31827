"""The storyboard sheet: a contact sheet PNG with the first and middle frame of every shot, grouped by scene."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

from ..atomic import atomic_path
from ..errors import ExportError
from ..model import Cut, CutClip, Plan, Shot

MARGIN = 16
GAP = 12  # between cells
FRAME_GAP = 4  # between the frames of one cell
TITLE_SIZE = 28
HEADING_SIZE = 18
CAPTION_SIZE = 13
TITLE_BAND = TITLE_SIZE + 2 * MARGIN
HEADING_BAND = HEADING_SIZE + 16
CAPTION_BAND = CAPTION_SIZE + 10
MAX_FRAMES_PER_SHOT = 2
THUMB_WIDTH = 320
BACKGROUND = (18, 18, 20)
BAND = (48, 48, 54)
TEXT = (235, 235, 235)
CAPTION = (190, 190, 195)


@dataclass(frozen=True)
class StoryboardLayout:
    """Geometry of a sheet: image size, where each shot's frames go, where each scene band goes."""

    width: int
    height: int
    thumb_width: int
    thumb_height: int
    frame_boxes: list[list[tuple[int, int]]]  # per shot: top-left (x, y) of each frame
    caption_origins: list[tuple[int, int]]  # per shot
    heading_origins: list[tuple[int, int, int]]  # (y, scene index, first shot) of each scene band


def layout_storyboard(
    shots: Sequence[Shot], frame_counts: Sequence[int], frame_size: tuple[int, int], columns: int, thumb_width: int
) -> StoryboardLayout:
    """Place `shots` (with `frame_counts` frames each, frames of `frame_size` (w, h)) on a sheet."""
    per_cell = max(1, min(MAX_FRAMES_PER_SHOT, max(frame_counts, default=1)))
    thumb_height = max(1, round(thumb_width * frame_size[1] / frame_size[0]))
    cell_width = per_cell * thumb_width + (per_cell - 1) * FRAME_GAP
    cell_height = thumb_height + CAPTION_BAND
    width = 2 * MARGIN + columns * cell_width + (columns - 1) * GAP
    boxes: list[list[tuple[int, int]]] = []
    captions: list[tuple[int, int]] = []
    headings: list[tuple[int, int, int]] = []
    y = TITLE_BAND
    column = columns  # forces a new row for the first shot
    previous_scene: int | None = None
    for k, (shot, count) in enumerate(zip(shots, frame_counts, strict=True)):
        if shot.scene_index != previous_scene:
            if previous_scene is not None:
                y += cell_height + GAP
            headings.append((y, shot.scene_index, k))
            y += HEADING_BAND + GAP // 2
            column = 0
            previous_scene = shot.scene_index
        elif column == columns:
            y += cell_height + GAP
            column = 0
        x = MARGIN + column * (cell_width + GAP)
        shown = max(1, min(count, per_cell))
        boxes.append([(x + i * (thumb_width + FRAME_GAP), y) for i in range(shown)])
        captions.append((x, y + thumb_height + 4))
        column += 1
    height = (y + cell_height if shots else y) + MARGIN
    return StoryboardLayout(width, height, thumb_width, thumb_height, boxes, captions, headings)


def write_storyboard(
    frames: list[tuple[Shot, list[np.ndarray]]],
    path: Path,
    *,
    title: str,
    columns: int = 4,
    thumb_width: int = THUMB_WIDTH,
    scene_headings: Mapping[int, str] | None = None,
) -> StoryboardLayout:
    """Draw the sheet to `path` (PNG). Frames are RGB uint8 arrays (h, w, 3); of each shot the first two
    are shown side by side. Scene bands read `scene_headings[scene_index]`, else "Scene N"."""
    if columns < 1 or thumb_width < 16:
        raise ExportError(f"storyboard needs columns >= 1 and thumb_width >= 16, got {columns} and {thumb_width}")
    for shot, shot_frames in frames:
        if not shot_frames:
            raise ExportError(f"storyboard: shot {shot.id} has no frames; grab at least one from its clip")
        for array in shot_frames:
            if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
                raise ExportError(
                    f"storyboard: a frame of shot {shot.id} has shape {array.shape} {array.dtype}; "
                    "expected (height, width, 3) uint8 RGB"
                )
    first = frames[0][1][0] if frames else np.zeros((9, 16, 3), np.uint8)
    layout = layout_storyboard(
        [s for s, _ in frames], [len(f) for _, f in frames], (first.shape[1], first.shape[0]), columns, thumb_width
    )
    sheet = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    title_font = ImageFont.load_default(size=TITLE_SIZE)
    heading_font = ImageFont.load_default(size=HEADING_SIZE)
    caption_font = ImageFont.load_default(size=CAPTION_SIZE)
    draw.text((MARGIN, MARGIN), _fit(draw, title, title_font, layout.width - 2 * MARGIN), font=title_font, fill=TEXT)
    headings = scene_headings or {}
    for y, scene_index, _ in layout.heading_origins:
        draw.rectangle((MARGIN, y, layout.width - MARGIN - 1, y + HEADING_BAND - 1), fill=BAND)
        text = headings.get(scene_index) or f"Scene {scene_index + 1}"
        draw.text(
            (MARGIN + 8, y + 8), _fit(draw, text, heading_font, layout.width - 3 * MARGIN), font=heading_font, fill=TEXT
        )
    size = (layout.thumb_width, layout.thumb_height)
    for (shot, shot_frames), boxes, caption_xy in zip(frames, layout.frame_boxes, layout.caption_origins, strict=True):
        for array, (x, y) in zip(shot_frames, boxes, strict=False):
            # pad, not stretch: a take of another aspect ratio is letterboxed
            thumb = ImageOps.pad(Image.fromarray(array), size, method=Image.Resampling.BILINEAR, color=(0, 0, 0))
            sheet.paste(thumb, (x, y))
        cell_width = boxes[-1][0] + layout.thumb_width - boxes[0][0]
        draw.text(caption_xy, _fit(draw, _caption(shot), caption_font, cell_width), font=caption_font, fill=CAPTION)
    with atomic_path(Path(path)) as tmp:
        sheet.save(tmp, format="PNG", compress_level=3)  # "optimize" costs seconds for a few % smaller
    return layout


def _caption(shot: Shot) -> str:
    camera = shot.camera
    return (
        f"{shot.id}  {camera.scale.value}  {camera.angle.value.replace('_', ' ')}  "
        f"{camera.movement.value.replace('_', ' ')}  {camera.lens_mm:g}mm  {shot.duration_s:.2f}s"
    )


# Pillow's built-in font has Latin-1 glyphs but not typographic punctuation, which would draw as boxes.
_PLAIN = str.maketrans({"—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."})


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont | ImageFont.FreeTypeFont, width: int) -> str:
    """`text` in plain punctuation, shortened with an ellipsis until it fits in `width` pixels."""
    text = text.translate(_PLAIN)
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "...", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "..."


def frames_from_clip(path: Path, times_s: Sequence[float]) -> list[np.ndarray]:
    """The frames shown at `times_s` seconds of the clip at `path`, as RGB uint8 arrays, in the order asked.
    A time before the first frame gives the first frame, one after the end the last frame."""
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"clip {path} does not exist; re-run the shoot stage")
    order = sorted(range(len(times_s)), key=lambda i: times_s[i])
    result: list[np.ndarray] = [np.empty(0, np.uint8)] * len(times_s)
    pending = 0
    shown: av.VideoFrame | None = None
    try:
        with av.open(str(path)) as container:
            for frame in container.decode(container.streams.video[0]):
                start = float(frame.time or 0.0)
                # Every asked time before this frame's start shows the previous frame (or this one if first).
                while pending < len(order) and times_s[order[pending]] < start - 1e-6:
                    result[order[pending]] = (shown or frame).to_ndarray(format="rgb24")
                    pending += 1
                if pending == len(order):
                    break
                shown = frame
            if pending < len(order):
                if shown is None:
                    raise ExportError(f"clip {path} has no video frames; re-render the clip")
                for i in order[pending:]:
                    result[i] = shown.to_ndarray(format="rgb24")
    except (av.error.FFmpegError, IndexError) as exc:
        raise ExportError(f"cannot decode video from {path}: {exc}; re-render the clip") from exc
    return result


FrameGrabber = Callable[[Path, Sequence[float]], list[np.ndarray]]


def thumbnail(frame: np.ndarray, width: int = THUMB_WIDTH) -> np.ndarray:
    """`frame` scaled to `width` pixels wide (aspect kept; never enlarged): what a sheet cell shows."""
    if frame.shape[1] <= width:
        return frame
    height = max(1, round(frame.shape[0] * width / frame.shape[1]))
    return np.asarray(Image.fromarray(frame).resize((width, height), Image.Resampling.BILINEAR))


def shown_frames(clip: CutClip) -> tuple[int, int]:
    """The take frames a clip's cell shows: the first it plays and its middle one."""
    return clip.source_start_frame, clip.source_frame(clip.frames // 2)


def storyboard_wanted(cut: Cut, out_dir: Path) -> dict[Path, set[int]]:
    """Every take frame the storyboard shows, by take path."""
    wanted: dict[Path, set[int]] = {}
    for clip in cut.clips:
        wanted.setdefault(Path(out_dir) / clip.media, set()).update(shown_frames(clip))
    return wanted


def storyboard_frames(
    plan: Plan, cut: Cut, out_dir: Path, grab: FrameGrabber = frames_from_clip
) -> list[tuple[Shot, list[np.ndarray]]]:
    """First and middle frame of each shot as the cut uses it (trim and speed applied), in film order,
    with the shot's duration set to its length in the cut. `grab` reads frames (a cache may stand in front)."""
    shots = {shot.id: shot for shot in plan.shots}
    times: list[list[float]] = []
    wanted: dict[str, set[float]] = {}  # every time shown of each take: a take plays in several clips
    for clip in cut.clips:
        if clip.shot_id not in shots:
            raise ExportError(f"cut clip {clip.shot_id} is not in the plan; re-run the edit on this plan")
        # Sample mid-frame so the frame shown is unambiguous whatever the container's rounding of pts.
        times.append([(index + 0.5) / cut.fps for index in shown_frames(clip)])
        wanted.setdefault(clip.media, set()).update(times[-1])
    # Each take decoded once, for all its clips' frames.
    shown: dict[str, dict[float, np.ndarray]] = {}
    for media, asked in wanted.items():
        ordered = sorted(asked)
        shown[media] = dict(zip(ordered, grab(Path(out_dir) / media, ordered), strict=True))
    result: list[tuple[Shot, list[np.ndarray]]] = []
    for clip, at in zip(cut.clips, times, strict=True):
        shot = shots[clip.shot_id].model_copy(update={"duration_s": clip.frames / cut.fps})
        result.append((shot, [shown[clip.media][t] for t in at]))
    return result
