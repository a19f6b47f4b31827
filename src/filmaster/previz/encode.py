"""Stream RGB frames into an H.264 MP4 one at a time (the clip never sits in memory)."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from ..errors import RenderError
from ..model import frame_rate
from ..os_errors import cannot_write

# veryfast's rate control, with the cheapest motion search (diamond, one sub-pixel pass): on previz frames it
# encodes in 0.7x the CPU time at the same PSNR, in files ~10 % larger. Every shot renders whole (stages/shoot.py),
# so the takes' encode is most of a run's picture work. conform.py encodes the trimmed clips alike.
X264_OPTIONS = {"preset": "veryfast", "crf": "20", "x264-params": "me=dia:subme=1"}


class ClipEncoder:
    """`with ClipEncoder(path, w, h, fps) as enc: enc.write(frame)`; yuv420p, libx264, no audio track.

    With `background=True` frames are encoded by a thread of their own while the caller renders the next ones
    (FFmpeg releases the GIL while it encodes): worth it when a core would otherwise sit idle, as when one shot
    is re-rendered on a machine with two. `encode_s` / `encode_cpu_s` count the encoder's own time either way.
    """

    def __init__(
        self, path: Path, width: int, height: int, fps: float, threads: int = 0, *, background: bool = False
    ) -> None:
        if width % 2 or height % 2:
            raise RenderError(f"{path.name}: H.264 in yuv420p needs an even frame size, got {width}x{height}")
        import av

        self.path, self.width, self.height = path, width, height
        self.frames = 0
        try:
            self._container: Any = av.open(str(path), mode="w", format="mp4")
        except OSError as exc:
            raise RenderError(cannot_write(f"clip {path}", exc)) from exc
        stream = self._container.add_stream("libx264", rate=frame_rate.exact(fps), options=dict(X264_OPTIONS))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if threads or background:
            # In the background the encoder thread is the parallelism; one x264 thread keeps its CPU time countable.
            stream.codec_context.thread_count = threads or 1
        self._stream = stream
        self.encode_s = 0.0
        self.encode_cpu_s = 0.0
        self._queue: queue.Queue[np.ndarray | None] | None = None
        self._failure: BaseException | None = None
        if background:
            self._queue = queue.Queue(maxsize=4)  # a few frames of slack; the renderer waits beyond that
            self._thread = threading.Thread(target=self._drain, name=f"encode {path.name}", daemon=True)
            self._thread.start()

    def write(self, frame: np.ndarray) -> None:
        if frame.shape != (self.height, self.width, 3):
            raise RenderError(
                f"{self.path.name}: frame of shape {frame.shape}, expected {(self.height, self.width, 3)}"
            )
        if self._queue is None:
            self._encode(frame)
        else:
            self._raise_failure()
            self._queue.put(np.array(frame, order="C"))  # a copy: the renderer reuses its buffer
        self.frames += 1

    def _encode(self, frame: np.ndarray | None) -> None:
        import av

        # CPU time of this thread when encoding in the background; of the process (x264's threads too) otherwise.
        clock = time.thread_time if self._queue is not None else time.process_time
        wall, cpu = time.perf_counter(), clock()
        video_frame = None if frame is None else av.VideoFrame.from_ndarray(rgb_to_i420(frame), "yuv420p")
        for packet in self._stream.encode(video_frame):
            self._container.mux(packet)
        self.encode_s += time.perf_counter() - wall
        self.encode_cpu_s += clock() - cpu

    def _drain(self) -> None:
        assert self._queue is not None
        while (frame := self._queue.get()) is not None:
            if self._failure is None:  # after a failure keep taking frames, so the renderer never blocks
                try:
                    self._encode(frame)
                except BaseException as exc:  # handed to the rendering thread at its next write
                    self._failure = exc

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise RenderError(f"encoding {self.path.name} failed: {self._failure}") from self._failure

    def _join(self) -> None:
        if self._queue is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = None

    def close(self) -> None:
        self._join()
        self._raise_failure()
        self._encode(None)  # flush the frames the encoder still holds
        self._container.close()

    def __enter__(self) -> ClipEncoder:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:  # leave no half-written clip that looks finished
            self._join()
            self._container.close()
            self.path.unlink(missing_ok=True)


# BT.601 limited-range chroma in 20-bit fixed point: OpenCV's own constants and rounding for RGB -> I420, so the
# planes are those `cv2.cvtColor` gives a block of four equal pixels (the same bytes for all 2^24 colours).
_SHIFT = 20
_CHROMA = ((-155188, -305135, 460324), (460324, -385875, -74448))  # (R, G, B) weights of U, then of V
_CHROMA_OFFSET = (128 << _SHIFT) + (1 << (_SHIFT - 1))  # +128, rounded to nearest


def rgb_to_i420(frame: np.ndarray) -> np.ndarray:
    """An H×W×3 RGB frame as planar YUV 4:2:0 (H·3/2 rows: Y, then U, then V; BT.601 limited range, as swscale
    made it from RGB before): OpenCV converts in about half swscale's time, and each chroma sample is that of the
    mean of its 2×2 pixels rather than a filtered pick (a little closer to the frame: +0.3 dB PSNR on previz
    frames). The chroma is computed on the half-size frame of those means, not converted at full size again."""
    import cv2

    frame = np.ascontiguousarray(frame)
    height, width, _ = frame.shape
    planes = cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420)  # its Y plane; its chroma is replaced below
    half = cv2.resize(frame, (width // 2, height // 2), interpolation=cv2.INTER_AREA)  # each 2×2 block's mean
    red, green, blue = (channel.astype(np.int32) for channel in cv2.split(half))
    chroma = planes[height:].reshape(2, height // 2, width // 2)  # U, then V: views into `planes`
    for plane, (r, g, b) in zip(chroma, _CHROMA, strict=True):
        value = red * r
        value += green * g
        value += blue * b
        value += _CHROMA_OFFSET
        value >>= _SHIFT
        np.clip(value, 0, 255, out=plane, casting="unsafe")
    return planes
