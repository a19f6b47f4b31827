"""Zoom, dolly and dolly zoom told apart on the pixels: parallax between the subject and the set behind it."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from filmaster.previz import shoot_shot
from filmaster.previz.testing import make_request, make_shot

W, H = 320, 180
# Dolly in by 0.35 of the distance: the subject grows by 1.175 / 0.825 ≈ 1.42 from first to last frame; a zoom
# by that lens factor gives the subject the same growth.
SUBJECT_GROWTH = 1.175 / 0.825


def shoot(tmp_path: Path, **camera: object) -> tuple[list[np.ndarray], list[dict]]:
    shot = make_shot(duration_s=1.0, scale="MS", subjects=["BEN"], **camera)
    clip, truth = tmp_path / "move.mp4", tmp_path / "move.json"
    shoot_shot(make_request(shot, width=W, height=H, fps=12), clip, truth)
    with av.open(str(clip)) as container:
        images = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return images, json.loads(truth.read_text())["frames"]


def background_mask(frame: dict, pad: int = 6) -> np.ndarray:
    """Everything outside every character's box."""
    keep = np.ones((H, W), dtype=bool)
    for c in frame["characters"].values():
        x0, y0, x1, y1 = (int(v) for v in c["box_visible"])
        keep[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad] = False
    return keep


def background_scale(images: list[np.ndarray], truth: list[dict]) -> float:
    """How much the set behind grows from first to last frame: a similarity fitted to tracked background
    corners, frame to frame, multiplied up."""
    total = 1.0
    for i, (a, b) in enumerate(pairwise(images)):
        ga, gb = (cv2.cvtColor(x, cv2.COLOR_RGB2GRAY) for x in (a, b))
        mask = (background_mask(truth[i]) & background_mask(truth[i + 1])).astype(np.uint8) * 255
        pts = cv2.goodFeaturesToTrack(ga, 200, 0.01, 5, mask=mask)
        assert pts is not None and len(pts) > 10
        nxt, ok, _ = cv2.calcOpticalFlowPyrLK(ga, gb, pts, None)
        good = ok.ravel() == 1
        m, _ = cv2.estimateAffinePartial2D(pts[good], nxt[good], method=cv2.RANSAC)
        total *= float(np.hypot(m[0, 0], m[1, 0]))
    return total


def head_heights(truth: list[dict]) -> np.ndarray:
    return np.array([f["characters"]["BEN"]["head"][3] - f["characters"]["BEN"]["head"][1] for f in truth])


@pytest.mark.parametrize("movement", ["zoom", "dolly_in"])
def test_zoom_and_dolly_are_told_apart_by_parallax(tmp_path: Path, movement: str) -> None:
    extra = {"amount": SUBJECT_GROWTH, "direction": "in"} if movement == "zoom" else {}
    images, truth = shoot(tmp_path, movement=movement, **extra)
    heads = head_heights(truth)
    subject = heads[-1] / heads[0]
    assert subject == pytest.approx(SUBJECT_GROWTH, rel=0.08)  # the same framing change either way
    background = background_scale(images, truth)
    if movement == "zoom":  # a zoom magnifies the whole picture alike
        assert subject / background == pytest.approx(1.0, abs=0.08)
    else:  # a dolly enlarges the near subject much more than the set behind it
        assert subject / background > 1.15
        assert background > 1.02  # yet the set does come closer


def test_dolly_zoom_holds_the_subject_while_the_background_changes(tmp_path: Path) -> None:
    images, truth = shoot(tmp_path, movement="dolly_zoom", direction="in")
    heads = head_heights(truth)
    assert heads.max() / heads.min() < 1.05  # the subject's projected size holds within 5 %
    lens = [f["camera"]["lens_mm"] for f in truth]
    assert lens[-1] < 0.7 * lens[0]  # while the lens widens ...
    keep = background_mask(truth[0]) & background_mask(truth[-1])
    diff = np.abs(images[0].astype(int) - images[-1].astype(int)).mean(axis=2)[keep].mean()
    assert diff > 8.0  # ... and the set behind visibly changes (a static shot differs by < 1.5)
    assert 1.0 / background_scale(images, truth) > 1.2  # the background shrinks away: the "vertigo" stretch
