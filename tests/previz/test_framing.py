"""Camera placement measured on projected figure geometry (the same matrices the renderer draws with)."""

from __future__ import annotations

import numpy as np
import pytest

from filmaster.errors import PlanError
from filmaster.model import SCALE_FRAME_FIGURE_RATIO, ShotScale
from filmaster.previz.shoot import ShotSession
from filmaster.previz.subjects import check_camera
from filmaster.previz.testing import make_request, make_scene, make_shot

W, H = 320, 180
ORDER = [ShotScale.EWS, ShotScale.WS, ShotScale.MWS, ShotScale.MS, ShotScale.MCU, ShotScale.CU, ShotScale.ECU]


def session(**camera) -> ShotSession:
    return ShotSession(make_request(make_shot(**camera), make_scene(), width=W, height=H))


def boxes(s: ShotSession, t: float | None = None) -> dict:
    t = s.request.shot.duration_s / 2 if t is None else t
    return s.ground_truth(0, s.pose(t))["characters"]


def band(scale: ShotScale) -> tuple[float, float]:
    """Frame height / figure height must sit nearer this scale's ratio than its neighbours' (geometric mid)."""
    i = ORDER.index(scale)
    r = SCALE_FRAME_FIGURE_RATIO
    lo = np.sqrt(r[scale] * r[ORDER[i + 1]]) if i + 1 < len(ORDER) else 0.0
    hi = np.sqrt(r[scale] * r[ORDER[i - 1]]) if i > 0 else np.inf
    return lo, hi


@pytest.mark.parametrize("scale", [s for s in ORDER if s != ShotScale.EWS])
def test_single_scale_band_from_projected_height(scale: ShotScale) -> None:
    s = session(scale=scale.value, subjects=["BEN"])
    _, y0, _, y1 = boxes(s)["BEN"]["box"]
    ratio = H / (y1 - y0)
    lo, hi = band(scale)
    assert lo < ratio < hi, f"{scale}: frame/figure {ratio:.3f} outside ({lo:.3f}, {hi:.3f})"


def test_extreme_wide_figures_are_tiny_and_scales_order() -> None:
    ews = boxes(session(scale="EWS"))
    assert all((b["box"][3] - b["box"][1]) / H < 1 / 4 for b in ews.values())
    heights = {}
    for scale in ("WS", "MS", "CU"):
        b = boxes(session(scale=scale, subjects=["ANNA"]))["ANNA"]["box"]
        heights[scale] = b[3] - b[1]
    assert heights["CU"] > heights["MS"] > heights["WS"]


def test_two_shot_frames_both_whole() -> None:
    b = boxes(session(scale="MWS", subjects=["ANNA", "BEN"]))
    for name in ("ANNA", "BEN"):
        x0, _, x1, _ = b[name]["box"]
        assert x0 >= 0 and x1 <= W, f"{name} cut at the side: {b[name]['box']}"
        head = b[name]["head"]
        assert head[1] >= 0, f"{name}'s head is cut off"


def test_close_up_eyes_on_upper_third_and_lead_room() -> None:
    a = boxes(session(scale="CU", subjects=["ANNA"]))["ANNA"]
    b = boxes(session(scale="CU", subjects=["BEN"]))["BEN"]
    for head in (a["head"], b["head"]):
        eye_y = head[1] + 0.45 * (head[3] - head[1])
        assert 0.2 * H < eye_y < 0.5 * H
    # ANNA looks screen-right, so she sits left of centre; BEN mirrors her (line_side 1).
    assert (a["head"][0] + a["head"][2]) / 2 < 0.47 * W
    assert (b["head"][0] + b["head"][2]) / 2 > 0.53 * W


def test_crossing_the_line_mirrors_screen_direction() -> None:
    same = boxes(session(scale="MS", subjects=["ANNA"]))["ANNA"]["head"]
    crossed = boxes(session(scale="MS", subjects=["ANNA"], line_side=-1))["ANNA"]["head"]
    assert (same[0] + same[2]) / 2 < W / 2 < (crossed[0] + crossed[2]) / 2


def test_single_is_seen_from_the_camera_side_off_the_eyeline() -> None:
    s = session(scale="MS", subjects=["ANNA"])
    anna = np.array([-0.9, 0.0, 0.0])
    to_cam = s.framing.pose.position - anna
    to_cam[1] = 0
    angle = np.degrees(np.arctan2(-to_cam[2], to_cam[0]))  # from ANNA's eyeline (+x) toward the camera side
    assert 20 < angle < 45


def test_over_the_shoulder_shows_the_foreground_at_the_edge() -> None:
    b = boxes(session(scale="MCU", subjects=["BEN"], over_shoulder_of="ANNA"))
    assert "ANNA" in b and "BEN" in b
    fg = b["ANNA"]["box_visible"]
    assert fg[0] <= 1.0 or fg[2] >= W - 1.0, "the foreground shoulder should touch a frame edge"
    fg_head, face = b["ANNA"]["head_visible"], b["BEN"]["head"]
    assert fg_head[2] < face[0] or fg_head[0] > face[2], "the foreground head must not cover the subject's face"


def test_angles_pitch_and_roll_the_camera() -> None:
    def pitch(**cam) -> float:
        f = session(scale="MS", subjects=["ANNA"], **cam).framing.pose.forward
        return float(np.degrees(np.arcsin(f[1])))

    assert -8 < pitch() < 8
    assert pitch(angle="high") < -18
    assert pitch(angle="low") > 12
    assert pitch(angle="overhead") < -80
    assert pitch(angle="worms_eye") > 30
    pose = session(scale="WS", angle="dutch").framing.pose
    roll = np.degrees(np.arccos(np.clip(np.dot(pose.true_up, [0, 1, 0]) / np.cos(np.arcsin(pose.forward[1])), -1, 1)))
    assert 13 < roll < 17


def test_moves_change_the_frame_in_the_named_direction() -> None:
    def centre_x(s: ShotSession, t: float) -> float:
        head = boxes(s, t)["BEN"]["head"]
        return (head[0] + head[2]) / 2

    def height(s: ShotSession, t: float) -> float:
        box = boxes(s, t)["BEN"]["box"]
        return box[3] - box[1]

    pan_left = session(scale="MS", subjects=["BEN"], movement="pan", direction="left")
    assert centre_x(pan_left, 0.5) > centre_x(pan_left, 0.0) + 20  # the view turns left: content moves right
    truck_right = session(scale="MS", subjects=["BEN"], movement="truck", direction="right")
    assert centre_x(truck_right, 0.5) < centre_x(truck_right, 0.0) - 20
    dolly = session(scale="MS", subjects=["BEN"], movement="dolly_in")
    assert height(dolly, 0.5) > 1.3 * height(dolly, 0.0)
    zoom = session(scale="MS", subjects=["BEN"], movement="zoom")
    assert height(zoom, 0.5) / height(zoom, 0.0) == pytest.approx(1.6, rel=0.03)
    vertigo = session(scale="MS", subjects=["BEN"], movement="dolly_zoom")
    assert vertigo.pose(0.5).lens_mm < 0.7 * vertigo.pose(0.0).lens_mm
    assert height(vertigo, 0.5) == pytest.approx(height(vertigo, 0.0), rel=0.05)
    crane = session(scale="MS", subjects=["BEN"], movement="crane")
    assert crane.pose(0.5).position[1] > crane.pose(0.0).position[1] + 1.0
    arc = session(scale="MS", subjects=["BEN"], movement="arc", direction="right")
    start, end = arc.pose(0.0), arc.pose(0.5)
    assert np.dot(end.position - start.position, start.right) > 0.3  # the camera circles toward its right
    still = session(scale="MS", subjects=["BEN"])
    assert np.allclose(still.pose(0.0).position, still.pose(0.5).position)


def test_handheld_is_small_smooth_and_seeded() -> None:
    def path(seed: int) -> np.ndarray:
        s = ShotSession(
            make_request(make_shot(scale="MS", subjects=["BEN"], movement="handheld", duration_s=2.0), seed=seed)
        )
        return np.array([s.pose(i / 24).position for i in range(48)])

    a, b, c = path(1), path(1), path(2)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)
    wander = np.linalg.norm(a - a.mean(axis=0), axis=1).max()
    step = np.linalg.norm(np.diff(a, axis=0), axis=1).max()
    assert 0.002 < wander < 0.05
    assert step < 0.006  # no frame-to-frame jitter: the shake is low-frequency


@pytest.mark.parametrize(
    ("camera", "reason"),
    [
        ({"scale": "MS", "subjects": ["NOBODY"]}, "NOBODY"),
        ({"scale": "MS", "subjects": ["ANNA"], "lens_mm": 1500.0}, "lens"),
        ({"scale": "ECU", "subjects": ["ANNA", "BEN", "CLEO"]}, "extreme close-up"),
        ({"scale": "MCU", "subjects": ["BEN"], "over_shoulder_of": "DORA"}, "DORA"),
    ],
)
def test_impossible_specs_are_refused_with_the_shot_id(camera: dict, reason: str) -> None:
    scene = make_scene(characters=("ANNA", "BEN", "CLEO"))
    shot = make_shot(shot_id="S03-07", **camera)
    with pytest.raises(PlanError, match=reason) as err:
        check_camera(shot, scene, {})
    assert "S03-07" in str(err.value)


def test_a_negative_lens_is_refused_by_the_camera_model_itself() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="lens_mm"):
        make_shot(shot_id="S03-07", scale="MS", subjects=["ANNA"], lens_mm=-1.0)


def test_prop_insert_frames_the_prop() -> None:
    from filmaster.model import Prop

    scene = make_scene(props=(Prop(name="KEYS", x=0.0, z=1.0, size=0.2, color=(0.9, 0.8, 0.1)),))
    s = ShotSession(make_request(make_shot(scale="CU", subjects=["KEYS"]), scene, width=W, height=H))
    centre = np.array([0.0, 0.76 + 0.1, 1.0])
    px = s.pose(0.25).project(centre[None], W, H)[0]
    assert abs(px[0] - W / 2) < 0.1 * W and abs(px[1] - H / 2) < 0.15 * H
    assert s.pose(0.25).forward[1] < -0.4  # looking down onto the table


def test_standing_figures_are_boxed_from_their_distinct_corners() -> None:
    """The corners are the mesh's positions without repeats: the same boxes from a fraction of the points."""
    fig = session(scale="MS", subjects=["ANNA"]).renderer.world.figures["ANNA"]
    for points, corners in ((fig.body_points, fig.body_corners), (fig.head_points, fig.head_corners)):
        assert len(corners) < len(points) / 4
        assert set(map(tuple, points.tolist())) == set(map(tuple, corners.tolist()))
