"""Conform: each clip the fine cut trimmed or re-timed, re-encoded on its own into a clip of exactly its frames.

The takes are rendered once, at their planned length with their handles; the edit is decided later and changes
only which frames play. Re-encoding the whole film for a few trims would cost a full encode on every edit, so
only the changed clips are re-encoded — with the takes' own encoder settings, so the film is still joined by
packet copy — and each is cached by its take's content and its trim: a re-run with other `[edit]` settings
re-encodes only clips whose trim changed, and renders no shot.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av

from ..model import Cut, CutClip, frame_rate
from ..previz.encode import X264_OPTIONS
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
        sorted(X264_OPTIONS.items()),  # the encoder's settings decide the conformed clip's bytes
        project.digest(clip.media),
        clip.source_start_frame,
        clip.frames,
        clip.speed,
        cut.width,
        cut.height,
        cut.fps,
    )

    def make(tmp: Path) -> None:
        _encode_like_takes(tmp, _clip_frames(project.out, clip, cut), cut)

    path = project.cache.fetch_or_make("conform", key, ".mp4", make)
    # Only the film is assembled from a conformed cut: nothing times a line or ground truth from its clips.
    return clip.model_copy(update={"media": project.rel(path), "source_start_frame": 0, "speed": 1.0})


def _encode_like_takes(path: Path, frames: Iterator[av.VideoFrame], cut: Cut) -> None:
    """H.264 with the takes' own encoder settings (so the SPS/PPS match and the film joins by packet copy),
    fed the decoded YUV frames as they are: no round trip through RGB."""
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=frame_rate.exact(cut.fps), options=dict(X264_OPTIONS))
        stream.width, stream.height, stream.pix_fmt = cut.width, cut.height, "yuv420p"
        for index, frame in enumerate(frames):
            frame.pts, frame.time_base, frame.pict_type = (
                index,
                frame_rate.frame_duration(cut.fps),
                av.video.frame.PictureType.NONE,
            )
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def _frames_of(path: Path) -> int | None:
    with av.open(str(path)) as container:
        return container.streams.video[0].frames or None
