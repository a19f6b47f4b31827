"""Conform: each clip the fine cut trimmed or re-timed, re-encoded on its own into a clip of exactly its frames.

The takes are rendered once, at their planned length with their handles; the edit is decided later and changes
only which frames play. Re-encoding the whole film for a few trims would cost a full encode on every edit, so
only the changed clips are re-encoded — with the takes' own encoder settings, so the film is still joined by
packet copy — and each is cached by its take's content and its trim: a re-run with other `[edit]` settings
re-encodes only clips whose trim changed, and renders no shot.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av

from ..model import Cut, CutClip, frame_rate
from ..previz.encode import X264_OPTIONS
from ..project import Project, content_key
from .film import _clip_frames
from .take_frames import FrameTap

CONFORM_VERSION = 1
CONFORM_THREADS = 2  # clips conformed at once: FFmpeg releases the GIL while it decodes and encodes


def needs_conform(clip: CutClip, take_frames: int | None) -> bool:
    return clip.source_start_frame != 0 or clip.speed != 1.0 or clip.frames != take_frames


def conform_cut(cut: Cut, project: Project, tap: FrameTap | None = None) -> Cut:
    """`cut` with every trimmed or re-timed clip replaced by a whole clip of its own (source start 0, speed 1).
    `tap` is offered every take frame decoded (the storyboard's frames come from this decode)."""
    keys = [_conform_key(clip, cut, project) for clip in cut.clips]
    # After the shoot this is most of the run's tail: the distinct clips are conformed side by side, the longest
    # first, each decoded on its own thread (frame-threaded decoding of short clips cost a third more CPU).
    distinct = {key: clip for clip, key in zip(cut.clips, keys, strict=True) if key is not None}
    longest_first = sorted(distinct.items(), key=lambda item: -item[1].last_source_frame)
    with ThreadPoolExecutor(CONFORM_THREADS, thread_name_prefix="conform") as pool:
        paths = pool.map(lambda item: _make(item[0], item[1], cut, project, tap), longest_first)
        made = {key: path for (key, _), path in zip(longest_first, paths, strict=True)}
    clips = []
    for clip, key in zip(cut.clips, keys, strict=True):
        if key is None:
            clips.append(clip)
            continue
        if distinct.pop(key, None) is None:  # a clip played again: the one made above, counted as reused
            project.cache.record("conform", computed=False)
        # Only the film is assembled from a conformed cut: nothing times a line or ground truth from its clips.
        update = {"media": project.rel(made[key]), "source_start_frame": 0, "speed": 1.0}
        clips.append(clip.model_copy(update=update))
    return cut.model_copy(update={"clips": clips})


def _conform_key(clip: CutClip, cut: Cut, project: Project) -> str | None:
    """The cache key of `clip` conformed, or None when it plays its take whole (or the take is missing)."""
    take = project.out / clip.media
    if not take.is_file() or not needs_conform(clip, _frames_of(take)):
        return None
    return content_key(
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


def _make(key: str, clip: CutClip, cut: Cut, project: Project, tap: FrameTap | None) -> Path:
    offer = None if tap is None else lambda index, frame: tap.offer(project.out / clip.media, index, frame)

    def make(tmp: Path) -> None:
        _encode_like_takes(tmp, _clip_frames(project.out, clip, cut, threads=False, on_frame=offer), cut)

    return project.cache.fetch_or_make("conform", key, ".mp4", make)


def _encode_like_takes(path: Path, frames: Iterator[av.VideoFrame], cut: Cut) -> None:
    """H.264 with the takes' own encoder settings (so the SPS/PPS match and the film joins by packet copy),
    fed the decoded YUV frames as they are: no round trip through RGB."""
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=frame_rate.exact(cut.fps), options=dict(X264_OPTIONS))
        stream.width, stream.height, stream.pix_fmt = cut.width, cut.height, "yuv420p"
        # One x264 thread: two clips are conformed side by side already. The parameter sets are the takes' (the
        # film still joins by packet copy: tests/export/test_conform.py).
        stream.codec_context.thread_count = 1
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
