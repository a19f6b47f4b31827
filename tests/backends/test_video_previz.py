"""The previz video backend through the registry: its clip, its ground truth, its refusals."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from filmaster.backends.registry import available_backends, create_backend
from filmaster.backends.video.previz import PrevizVideoBackend
from filmaster.errors import PlanError
from filmaster.model import CastMember
from filmaster.previz.testing import BEN, make_request, make_scene, make_shot

W, H = 320, 180
GREEN = CastMember(
    name="ANNA", shirt=(0.05, 0.95, 0.1), trousers=(0.2, 0.2, 0.3), skin=(0.9, 0.72, 0.6), hair=(0.3, 0.2, 0.1)
)


@pytest.fixture(scope="module")
def backend() -> PrevizVideoBackend:
    made = create_backend("video", "previz")
    assert isinstance(made, PrevizVideoBackend)
    return made


def test_registered_under_its_name() -> None:
    assert available_backends("video")["previz"] is PrevizVideoBackend


@pytest.mark.parametrize(("duration", "fps"), [(0.52, 24), (0.3, 25)])
def test_clip_has_planned_frames_size_fps_and_no_audio(
    backend: PrevizVideoBackend, tmp_path: Path, duration: float, fps: int
) -> None:
    clip = tmp_path / "shot.mp4"
    req = make_request(
        make_shot(duration_s=duration, scale="MS", subjects=["ANNA"], movement="dolly_in"), width=W, height=H, fps=fps
    )
    result = backend.shoot(req, clip)
    expected = round(duration * fps)
    assert result.frames == expected
    with av.open(str(clip)) as container:
        assert not container.streams.audio
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) == (W, H)
        assert stream.average_rate == fps
        frames = list(container.decode(video=0))
    assert len(frames) == expected


def test_ground_truth_boxes_match_the_pixels(backend: PrevizVideoBackend, tmp_path: Path) -> None:
    clip, truth_path = tmp_path / "shot.mp4", tmp_path / "shot.json"
    req = make_request(
        make_shot(duration_s=0.5, scale="MWS", subjects=["ANNA", "BEN"], movement="truck", direction="right"),
        cast={"ANNA": GREEN, "BEN": BEN},
        width=W,
        height=H,
    )
    backend.shoot(req, clip, truth_path)
    truth = json.loads(truth_path.read_text())
    assert (truth["fps"], truth["width"], truth["height"]) == (24, W, H)
    assert len(truth["frames"]) == truth["frame_count"] == 12
    first = truth["frames"][0]
    assert set(first["camera"]) == {"position", "target", "up", "lens_mm"}
    assert first["camera"]["lens_mm"] == pytest.approx(32.0)
    with av.open(str(clip)) as container:
        images = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    for index in (0, 11):
        img, boxes = images[index], truth["frames"][index]["characters"]
        r, g, b = (img[..., i].astype(int) for i in range(3))
        ys, xs = np.nonzero((g > 90) & (g > 1.6 * r) & (g > 1.6 * b))
        x0, y0, x1, y1 = boxes["ANNA"]["box_visible"]
        inside = (xs >= x0 - 2) & (xs <= x1 + 2) & (ys >= y0 - 2) & (ys <= y1 + 2)
        assert len(xs) > 100 and inside.mean() > 0.98  # ANNA's shirt lies within her projected box
        _, hy0, _, hy1 = boxes["ANNA"]["head"]
        assert y0 <= hy0 < hy1 < ys.min() + 4  # the head (skull, face, hair cap) sits on the shirt
    # The truck moves the camera right, so the figures drift left across the frame.
    assert truth["frames"][-1]["characters"]["BEN"]["box"][0] < truth["frames"][0]["characters"]["BEN"]["box"][0] - 10


def test_check_shot_refuses_before_rendering(backend: PrevizVideoBackend, tmp_path: Path) -> None:
    clip = tmp_path / "never.mp4"
    bad = [
        make_shot(shot_id="S02-04", scale="MS", subjects=["GHOST"]),
        make_shot(shot_id="S02-04", scale="ECU", subjects=["ANNA", "BEN", "CLEO"]),
        make_shot(shot_id="S02-04", scale="MS", subjects=["BEN"], over_shoulder_of="ZED"),
    ]
    scene = make_scene(characters=("ANNA", "BEN", "CLEO"))
    for shot in bad:
        with pytest.raises(PlanError, match="S02-04"):
            backend.shoot(make_request(shot, scene, width=W, height=H), clip)
        assert not clip.exists()


def test_zero_lens_is_refused(backend: PrevizVideoBackend) -> None:
    shot = make_shot(shot_id="S05-01", scale="MS", subjects=["ANNA"])
    zero = shot.model_copy(update={"camera": shot.camera.model_copy(update={"lens_mm": 0.0})})
    with pytest.raises(PlanError, match=r"S05-01.*lens"):
        backend.check_shot(make_request(zero))


def test_odd_frame_size_is_refused(backend: PrevizVideoBackend) -> None:
    with pytest.raises(PlanError, match="even"):
        backend.check_shot(make_request(width=321, height=180))
