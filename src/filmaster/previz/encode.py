"""Stream RGB frames into an H.264 MP4 one at a time (the clip never sits in memory)."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from ..errors import RenderError

X264_OPTIONS = {"preset": "veryfast", "crf": "20"}


class ClipEncoder:
    """`with ClipEncoder(path, w, h, fps) as enc: enc.write(frame)`; yuv420p, libx264, no audio track."""

    def __init__(self, path: Path, width: int, height: int, fps: int, threads: int = 0) -> None:
        if width % 2 or height % 2:
            raise RenderError(f"{path.name}: H.264 in yuv420p needs an even frame size, got {width}x{height}")
        import av

        self.path, self.width, self.height = path, width, height
        self.frames = 0
        try:
            self._container: Any = av.open(str(path), mode="w", format="mp4")
        except OSError as exc:
            raise RenderError(f"cannot write clip {path}: {exc}; check the folder exists and is writable") from exc
        stream = self._container.add_stream("libx264", rate=fps, options=dict(X264_OPTIONS))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if threads:
            stream.codec_context.thread_count = threads
        self._stream = stream

    def write(self, frame: np.ndarray) -> None:
        import av

        if frame.shape != (self.height, self.width, 3):
            raise RenderError(
                f"{self.path.name}: frame of shape {frame.shape}, expected {(self.height, self.width, 3)}"
            )
        video_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
        for packet in self._stream.encode(video_frame):
            self._container.mux(packet)
        self.frames += 1

    def close(self) -> None:
        for packet in self._stream.encode():
            self._container.mux(packet)
        self._container.close()

    def __enter__(self) -> ClipEncoder:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:  # leave no half-written clip that looks finished
            self._container.close()
            self.path.unlink(missing_ok=True)
