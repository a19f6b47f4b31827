"""The measuring parts on their own: colour temperature, the scale rule, the motion sign convention, scenes."""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np
import pytest

from filmaster.model.camera import Movement, ShotScale
from filmaster.retrieval.annotate.framing import (
    FrameSubjects,
    classify_framing,
    scale_boundaries,
    scale_from_face,
    scale_from_person,
)
from filmaster.retrieval.annotate.look import (
    SRGB_TO_XYZ,
    LookAccumulator,
    frame_look,
    mccamy_cct,
    summarise,
)
from filmaster.retrieval.annotate.motion import classify_motion, estimate_motion
from filmaster.retrieval.annotate.scenes import group_scenes


def _linear_rgb_of_xy(x: float, y: float) -> np.ndarray:
    xyz = np.array([x / y, 1.0, (1 - x - y) / y])
    return np.linalg.solve(SRGB_TO_XYZ, xyz)


@pytest.mark.parametrize(
    ("xy", "kelvin"),
    [((0.3127, 0.3290), 6504), ((0.44757, 0.40745), 2856), ((0.3457, 0.3585), 5003)],
    ids=["D65", "illuminant-A", "D50"],
)
def test_mccamy_recovers_standard_illuminants(xy: tuple[float, float], kelvin: float) -> None:
    assert mccamy_cct(_linear_rgb_of_xy(*xy)) == pytest.approx(kelvin, abs=30)


def test_look_of_real_frames(opencv_data: Path) -> None:
    grey = np.full((90, 160, 3), 128, np.uint8)
    look = frame_look(grey)
    assert look.luma == pytest.approx(128 / 255, abs=1e-3) and look.luma_std == pytest.approx(0, abs=1e-6)
    assert mccamy_cct(look.linear_rgb) == pytest.approx(6504, abs=30)  # sRGB grey is D65 white
    orange, sky = cv2.imread(str(opencv_data / "orange.jpg")), cv2.imread(str(opencv_data / "aero3.jpg"))
    acc = LookAccumulator()
    acc.add(frame_look(orange))
    warm = summarise(acc)
    assert warm.colour_temperature_k is not None and warm.colour_temperature_k < 4500
    assert warm.histogram.sum() == pytest.approx(1.0)
    assert frame_look(sky).luma_std > 0.05


def test_face_scale_rule_is_ordered_and_documented() -> None:
    bounds = scale_boundaries()
    # The module docstring quotes these boundaries; keep them in step.
    assert [round(v, 2) for v in bounds.values()] == [0.75, 0.35, 0.23, 0.16, 0.1, 0.04]
    sizes = [0.9, 0.5, 0.28, 0.19, 0.12, 0.06, 0.02]
    assert [scale_from_face(s) for s in sizes] == [
        ShotScale.ECU, ShotScale.CU, ShotScale.MCU, ShotScale.MS, ShotScale.MWS, ShotScale.WS, ShotScale.EWS
    ]  # fmt: skip
    assert scale_from_person(0.9) is ShotScale.WS
    assert scale_from_person(1.4) is ShotScale.MWS
    assert scale_from_person(0.15) is ShotScale.EWS


def test_one_stray_detection_does_not_set_the_scale() -> None:
    nobody = FrameSubjects((), ())
    stray = [nobody] * 5 + [FrameSubjects((0.5,), ())]
    assert classify_framing(stray).scale is ShotScale.WS and classify_framing(stray).basis == "none"
    steady = [nobody] * 3 + [FrameSubjects((0.5,), ())] * 3
    assert classify_framing(steady).scale is ShotScale.CU and classify_framing(steady).subjects == 1


def test_content_moving_right_is_a_pan_left(opencv_data: Path) -> None:
    photo = cv2.cvtColor(cv2.imread(str(opencv_data / "building.jpg")), cv2.COLOR_BGR2GRAY)
    frames = [photo[100:280, 200 - 4 * i : 520 - 4 * i] for i in range(6)]  # window slides left 4 px a frame
    pairs = [estimate_motion(a, b) for a, b in itertools.pairwise(frames)]
    assert all(p is not None and p.dx == pytest.approx(4 / 320, abs=0.002) for p in pairs)
    motion = classify_motion([p for p in pairs if p is not None], fps=25)
    assert (motion.movement, motion.direction) == (Movement.PAN, "left")


def test_black_shots_split_scenes(opencv_data: Path) -> None:
    def look_of(img: np.ndarray):
        acc = LookAccumulator()
        acc.add(frame_look(img))
        return summarise(acc)

    photo = cv2.imread(str(opencv_data / "fruits.jpg"))
    a, b = look_of(photo[:200, :300]), look_of(photo[150:350, 100:400])  # two framings of one place
    black = look_of(np.zeros((90, 160, 3), np.uint8))
    assert black.colour_temperature_k is None
    assert group_scenes([a, b, black, a]) == [[0, 1], [3]]
    assert group_scenes([black, black]) == [[0, 1]]
