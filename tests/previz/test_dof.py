"""Depth of field on the pixels: a wide aperture softens the set behind while the focused face stays sharp."""

from __future__ import annotations

import json
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from filmaster.previz import render_still, shoot_shot
from filmaster.previz.dof import coc_radius_px
from filmaster.previz.testing import make_request, make_shot

W, H = 320, 180


def frame_and_truth(tmp_path: Path, **camera: object) -> tuple[np.ndarray, dict]:
    shot = make_shot(duration_s=1 / 24, scale="MCU", subjects=["BEN"], **camera)
    clip, truth = tmp_path / "dof.mp4", tmp_path / "dof.json"
    request = make_request(shot, width=W, height=H, draft=False)
    shoot_shot(request, clip, truth)
    with av.open(str(clip)) as container:
        image = next(container.decode(video=0)).to_ndarray(format="rgb24")
    assert np.array_equal(render_still(request, 0.0), render_still(request, 0.0))
    return image, json.loads(truth.read_text())["frames"][0]["characters"]


def sharpness(image: np.ndarray, mask: np.ndarray) -> float:
    lap = cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float64), cv2.CV_64F)
    return float(lap[mask].var())


def test_wide_aperture_blurs_the_background_and_keeps_the_face(tmp_path: Path) -> None:
    sharp, boxes = frame_and_truth(tmp_path)
    soft, _ = frame_and_truth(tmp_path, aperture=1.4)
    background = np.ones((H, W), dtype=bool)
    for c in boxes.values():
        x0, y0, x1, y1 = (int(v) for v in c["box_visible"])
        background[max(y0 - 8, 0) : y1 + 8, max(x0 - 8, 0) : x1 + 8] = False
    hx0, hy0, hx1, hy1 = (int(v) for v in boxes["BEN"]["head_visible"])
    qx, qy = (hx1 - hx0) // 4, (hy1 - hy0) // 4  # the middle of the head: the face, not its silhouette
    face = np.zeros((H, W), dtype=bool)
    face[hy0 + qy : hy1 - qy, hx0 + qx : hx1 - qx] = True
    assert background.sum() > 0.2 * W * H and face.sum() > 150
    assert sharpness(soft, background) < 0.5 * sharpness(sharp, background)
    assert sharpness(soft, face) > 0.8 * sharpness(sharp, face)


def test_stopped_down_lens_keeps_everything_sharper_than_wide_open(tmp_path: Path) -> None:
    wide, _ = frame_and_truth(tmp_path, aperture=1.4)
    narrow, _ = frame_and_truth(tmp_path, aperture=16.0)
    assert cv2.Laplacian(narrow, cv2.CV_64F).var() > cv2.Laplacian(wide, cv2.CV_64F).var()


def test_circle_of_confusion_follows_the_thin_lens() -> None:
    # 50 mm at f/2 focused at 2 m: a point at infinity blurs to f²/(N(s−f)) = 0.641 mm on a 36 mm sensor.
    far = coc_radius_px(np.array([1e9]), 50.0, 2.0, 2.0, 3600)
    assert far[0] == pytest.approx(0.641 / 36.0 * 3600 / 2, rel=0.01)
    assert coc_radius_px(np.array([2.0]), 50.0, 2.0, 2.0, 3600)[0] == pytest.approx(0.0, abs=1e-9)
