"""The clip encoder, in the calling thread and in the background: the same pictures come out."""

import av
import numpy as np
import pytest

from filmaster.errors import RenderError
from filmaster.model import RenderSettings
from filmaster.previz.encode import ClipEncoder, rgb_to_i420
from filmaster.previz.shoot import ShotSession
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.shoot import shot_requests

from ..conftest import EXAMPLES

W, H, FPS = 320, 180, 24


def _frames(count: int) -> list[np.ndarray]:
    """A gradient with a bright square that moves, so every frame differs."""
    y, x = np.mgrid[0:H, 0:W]
    frames = []
    for i in range(count):
        frame = np.stack([x * 255 // W, y * 255 // H, np.full_like(x, 90)], axis=-1).astype(np.uint8)
        frame[40:80, 10 + 6 * i : 50 + 6 * i] = 255
        frames.append(frame)
    return frames


def _decode(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@pytest.mark.parametrize("background", [False, True])
def test_every_frame_arrives_in_order(tmp_path, background):
    frames = _frames(30)
    path = tmp_path / "clip.mp4"
    renderer_buffer = np.empty_like(frames[0])
    with ClipEncoder(path, W, H, FPS, background=background) as encoder:
        for frame in frames:
            renderer_buffer[:] = frame  # the renderer reuses one buffer: the encoder must not keep a reference
            encoder.write(renderer_buffer)
    decoded = _decode(path)
    assert len(decoded) == 30 and encoder.frames == 30
    for source, picture in zip(frames, decoded, strict=True):
        mse = np.mean((source.astype(float) - picture.astype(float)) ** 2)
        assert 10 * np.log10(255**2 / mse) > 30  # PSNR: the right frame, well encoded
    assert encoder.encode_s > 0 and encoder.encode_cpu_s > 0


def test_a_failed_encode_is_reported_and_leaves_no_clip(tmp_path):
    path = tmp_path / "clip.mp4"
    with pytest.raises(RenderError, match="frame of shape"), ClipEncoder(path, W, H, FPS, background=True) as encoder:
        encoder.write(_frames(1)[0])
        encoder.write(np.zeros((H, W + 2, 3), np.uint8))
    assert not path.exists()


def _i420_by_blocks(frame: np.ndarray) -> np.ndarray:
    """The former conversion, kept as the reference: OpenCV's I420 of the full frame, its chroma taken again from
    the frame with every 2×2 block set to its mean (a second full-size conversion)."""
    import cv2

    height, width, _ = frame.shape
    planes = cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420)
    half = cv2.resize(frame, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    blocks = cv2.resize(half, (width, height), interpolation=cv2.INTER_NEAREST)
    planes[height:] = cv2.cvtColor(blocks, cv2.COLOR_RGB2YUV_I420)[height:]
    return planes


def test_chroma_from_the_half_size_frame_is_the_former_conversion_byte_for_byte(tmp_path) -> None:
    """On real previz frames (tiny.fountain's first and last shots, middle frame) and on noise, at sizes whose half
    height is even and odd: the same planes, so the takes' bytes and cache keys stand."""
    plan = plan_screenplay(develop(EXAMPLES / "tiny.fountain"))
    requests = shot_requests(plan, RenderSettings(width=320, height=180, fps=24, draft=True), seed=0)
    frames = []
    for request in (requests[0], requests[-1]):
        session = ShotSession(request)
        middle = session.frames // 2
        frames.append(session.render(middle, session.pose(session.time_of(middle))).copy())
    noise = np.random.default_rng(0)
    frames += [noise.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in ((180, 320), (90, 128))]
    for frame in frames:
        planes = rgb_to_i420(frame)
        assert planes.shape == (frame.shape[0] * 3 // 2, frame.shape[1])
        assert np.array_equal(planes, _i420_by_blocks(frame))
    assert frames[0].std() > 10  # a rendered picture, not a blank frame
