"""Reference images on the pixels: a character's picture on its figure, a location's picture behind the set."""

from __future__ import annotations

import json
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from filmaster.errors import InputError
from filmaster.model.shot_request import ShotRequest
from filmaster.previz import render_still, shoot_shot
from filmaster.previz.testing import ANNA, BEN, make_request, make_scene, make_shot

W, H = 320, 180


def magenta(img: np.ndarray) -> np.ndarray:
    """Pixels of the test picture's magenta (used by no set, costume or skin)."""
    r, g, b = (img[..., i].astype(int) for i in range(3))
    return (r > 70) & (b > 70) & (r > 1.6 * g) & (b > 1.6 * g)


@pytest.fixture
def picture(tmp_path: Path) -> str:
    """A 64×48 pattern: magenta stripes on yellow (BGR on disk)."""
    image = np.zeros((48, 64, 3), dtype=np.uint8)
    image[:] = (0, 220, 240)
    image[:, ::8] = image[:, 1::8] = image[:, 2::8] = image[:, 3::8] = (230, 20, 230)
    path = tmp_path / "ref.png"
    cv2.imwrite(str(path), image)
    return str(path)


def _frame(tmp_path: Path, request: ShotRequest) -> tuple[np.ndarray, dict]:
    clip, truth = tmp_path / "ref.mp4", tmp_path / "ref.json"
    shoot_shot(request, clip, truth)
    with av.open(str(clip)) as container:
        image = next(container.decode(video=0)).to_ndarray(format="rgb24")
    return image, json.loads(truth.read_text())["frames"][0]["characters"]


def test_cast_reference_image_colours_the_figure(tmp_path: Path, picture: str) -> None:
    cast = {"ANNA": ANNA.model_copy(update={"reference_image": picture}), "BEN": BEN}
    shot = make_shot(duration_s=1 / 24, scale="MS", subjects=["ANNA"])
    plain, _ = _frame(tmp_path, make_request(shot, width=W, height=H))
    image, boxes = _frame(tmp_path, make_request(shot, width=W, height=H, cast=cast))
    x0, y0, x1, y1 = (int(v) for v in boxes["ANNA"]["box_visible"])
    inside = magenta(image)[y0:y1, x0:x1].sum()
    assert magenta(plain).sum() < 5
    assert inside > 150  # the picture's stripes on her torso and face ...
    assert inside > 0.9 * magenta(image).sum()  # ... and only on her


def test_location_reference_image_hangs_behind_the_set(tmp_path: Path, picture: str) -> None:
    scene = make_scene("field").model_copy(update={"reference_image": picture})
    shot = make_shot(duration_s=1 / 24, scale="WS")
    plain = render_still(make_request(shot, make_scene("field"), width=W, height=H), 0.0)
    image, boxes = _frame(tmp_path, make_request(shot, scene, width=W, height=H))
    background = np.ones((H, W), dtype=bool)
    for c in boxes.values():
        x0, y0, x1, y1 = (int(v) for v in c["box_visible"])
        background[y0:y1, x0:x1] = False
    assert magenta(plain).sum() < 5
    assert magenta(image)[background].sum() > 0.05 * background.sum()
    yellow = image[..., 0].astype(int) > 150
    yellow &= (image[..., 1].astype(int) > 150) & (image[..., 2].astype(int) < 90)
    assert yellow[background].sum() > 0.05 * background.sum()  # both colours of the picture read


def test_missing_reference_image_is_a_clear_error(tmp_path: Path) -> None:
    scene = make_scene("field").model_copy(update={"reference_image": str(tmp_path / "nope.png")})
    with pytest.raises(InputError, match=r"nope\.png"):
        render_still(make_request(make_shot(scale="WS"), scene, width=W, height=H), 0.0)
