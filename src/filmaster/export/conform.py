"""Conform: each clip the fine cut trimmed or re-timed, re-encoded on its own into a clip of exactly its frames.

The takes are rendered once, at their planned length with their handles; the edit is decided later and changes
only which frames play. Re-encoding the whole film for a few trims would cost a full encode on every edit, so
only the changed clips are re-encoded — with the takes' own encoder settings, so the film is still joined by
packet copy — and each is cached by its take's content and its trim: a re-run with other `[edit]` settings
re-encodes only clips whose trim changed, and renders no shot.
"""

from __future__ import annotations

from pathlib import Path

from ..model import Cut, CutClip
from ..previz.encode import ClipEncoder
from ..project import Project, content_key
from .film import _clip_frames

CONFORM_VERSION = 1


def needs_conform(clip: CutClip, take_frames: int | None) -> bool:
    return clip.source_start_frame != 0 or clip.speed != 1.0 or clip.frames != take_frames


def conform_cut(cut: Cut, project: Project) -> Cut:
    """`cut` with every trimmed or re-timed clip replaced by a whole clip of its own (source start 0, speed 1)."""
    clips = [_conform(clip, cut, project) for clip in cut.clips]
    return cut.model_copy(update={"clips": clips})


def _conform(clip: CutClip, cut: Cut, project: Project) -> CutClip:
    take = project.out / clip.media
    if not take.is_file() or not needs_conform(clip, _frames_of(take)):
        return clip
    key = content_key(
        "conform",
        CONFORM_VERSION,
        project.digest(clip.media),
        clip.source_start_frame,
        clip.frames,
        clip.speed,
        cut.width,
        cut.height,
        cut.fps,
    )

    def make(tmp: Path) -> None:
        with ClipEncoder(tmp, cut.width, cut.height, cut.fps) as encoder:
            for frame in _clip_frames(project.out, clip, cut):
                encoder.write(frame.to_ndarray(format="rgb24"))

    path = project.cache.fetch_or_make("conform", key, ".mp4", make)
    return clip.model_copy(update={"media": project.rel(path), "source_start_frame": 0, "speed": 1.0})


def _frames_of(path: Path) -> int | None:
    import av

    with av.open(str(path)) as container:
        return container.streams.video[0].frames or None
