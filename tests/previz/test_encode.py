"""The clip encoder, in the calling thread and in the background: the same pictures come out."""

import av
import numpy as np
import pytest

from filmaster.errors import RenderError
from filmaster.previz.encode import ClipEncoder

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
