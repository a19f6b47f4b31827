"""Blocking that moves, measured on the output: walks across a static frame, tracking, sitting, exits."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import av
import cv2
import numpy as np

from filmaster.model import CastMember, Mark
from filmaster.previz import shoot_shot
from filmaster.previz.blocking import Motion
from filmaster.previz.figures import build_rig, walk_joints
from filmaster.previz.testing import ANNA, make_request, make_scene, make_shot

W, H = 320, 180
GREEN = CastMember(
    name="ANNA", shirt=(0.05, 0.95, 0.1), trousers=(0.2, 0.2, 0.3), skin=(0.9, 0.72, 0.6), hair=(0.3, 0.2, 0.1)
)
CAST = {"ANNA": GREEN}
WALK = Mark(x=-1.5, z=0.0, facing_deg=90.0, path=[(1.5, 0.0)], walk_speed=1.5)


def decode(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def green_mask(img: np.ndarray) -> np.ndarray:
    r, g, b = (img[..., i].astype(int) for i in range(3))
    return (g > 90) & (g > 1.6 * r) & (g > 1.6 * b)


def shoot(tmp_path: Path, mark: Mark, duration: float = 2.0, **camera: object) -> tuple[list[np.ndarray], dict]:
    shot = make_shot(duration_s=duration, subjects=["ANNA"], **camera)
    shot = shot.model_copy(update={"blocking": {"ANNA": mark}})
    clip, truth = tmp_path / "walk.mp4", tmp_path / "walk.json"
    shoot_shot(make_request(shot, make_scene(characters=("ANNA",)), W, H, fps=12, cast=CAST), clip, truth)
    return decode(clip), json.loads(truth.read_text())


def centre_x(frame: dict) -> float:
    x0, _, x1, _ = frame["characters"]["ANNA"]["box"]
    return (x0 + x1) / 2


def test_static_camera_lets_a_walker_cross_the_frame(tmp_path: Path) -> None:
    images, truth = shoot(tmp_path, WALK, scale="WS")
    xs = [centre_x(f) for f in truth["frames"]]
    assert xs[-1] - xs[0] > 0.35 * W  # walks 3 m to screen right across a ~4 m wide frame
    assert all(b >= a - 0.5 for a, b in pairwise(xs))  # steadily, never backward
    for index in (0, len(images) - 1):  # the pixels follow the ground truth
        _, px = np.nonzero(green_mask(images[index]))
        assert len(px) > 30
        assert abs(px.mean() - xs[index]) < 0.06 * W
    # The static camera itself does not move.
    assert truth["frames"][0]["camera"] == truth["frames"][-1]["camera"]


def _background_flow(images: list[np.ndarray], truth: dict) -> float:
    """Mean horizontal optical flow (px/frame) outside the walker's box."""
    gray = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in images]
    flows = []
    for i, (a, b) in enumerate(pairwise(gray)):
        if i < 2 or i > len(gray) - 4:
            continue
        flow = cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 3, 21, 3, 5, 1.1, 0)
        x0, y0, x1, y1 = (int(v) for v in truth["frames"][i]["characters"]["ANNA"]["box_visible"])
        keep = np.ones((H, W), dtype=bool)
        keep[max(y0 - 4, 0) : y1 + 4, max(x0 - 4, 0) : x1 + 4] = False
        flows.append(float(flow[..., 0][keep].mean()))
    return float(np.mean(flows))


def test_tracking_camera_holds_the_walker_while_the_set_flows_by(tmp_path: Path) -> None:
    images, truth = shoot(tmp_path, WALK, scale="WS", movement="tracking")
    xs = [centre_x(f) for f in truth["frames"]]
    assert max(xs) - min(xs) < 0.05 * W  # the subject keeps its place in frame (only its stride changes the box)
    cams = [f["camera"]["position"][0] for f in truth["frames"]]
    assert cams[-1] - cams[0] > 2.5  # the camera travelled with her
    assert _background_flow(images, truth) < -1.0  # moving right with her, the set streams to screen left
    _, px = np.nonzero(green_mask(images[-1]))
    assert len(px) > 30 and abs(px.mean() - xs[-1]) < 0.06 * W


def test_path_that_ends_off_set_is_an_exit(tmp_path: Path) -> None:
    exit_mark = Mark(x=0.0, z=0.0, facing_deg=90.0, path=[(12.0, 0.0)], walk_speed=2.5)
    images, truth = shoot(tmp_path, exit_mark, scale="MS")
    assert "ANNA" in truth["frames"][len(images) // 2]["characters"]
    assert green_mask(images[len(images) // 2]).sum() > 200
    assert "ANNA" not in truth["frames"][-1]["characters"]  # gone from the frame at the end
    assert green_mask(images[-1]).sum() < 5


def test_sitting_figure_is_lower_than_standing(tmp_path: Path) -> None:
    heads, shirt_tops = {}, {}
    for pose in ("stand", "sit"):
        shot = make_shot(duration_s=0.25, scale="WS")  # framed on the set, not the subject: the same camera
        scene = make_scene(characters=("ANNA",))
        scene = scene.model_copy(update={"marks": {"ANNA": Mark(x=-0.9, z=0.0, facing_deg=90.0, pose=pose)}})
        clip, truth_path = tmp_path / f"{pose}.mp4", tmp_path / f"{pose}.json"
        shoot_shot(make_request(shot, scene, W, H, cast=CAST), clip, truth_path)
        truth = json.loads(truth_path.read_text())
        heads[pose] = truth["frames"][0]["characters"]["ANNA"]["head"]
        ys, _ = np.nonzero(green_mask(decode(clip)[0]))
        shirt_tops[pose] = ys.min()
    metres_per_px = 1.35 * 1.75 / H  # roughly, at the subject's distance in a WS
    drop_px = heads["sit"][1] - heads["stand"][1]
    assert 0.3 / metres_per_px < drop_px < 0.6 / metres_per_px  # the head comes down ~0.43 m
    assert shirt_tops["sit"] - shirt_tops["stand"] > 0.3 / metres_per_px  # and so does the body, on the pixels


def test_walk_swings_the_legs_and_turns_smoothly_at_waypoints() -> None:
    rig = build_rig(ANNA, draft=True)
    spans = []
    for stride in np.linspace(0.0, 1.0, 9):
        fig = rig.figure(0.0, 0.0, 90.0, walk_joints(float(stride), 1.0))
        feet = fig.body_points[fig.body_points[:, 1] < 0.15]
        spans.append(float(np.ptp(feet[:, 0])))  # along the walk (+x): feet apart, then together
    assert max(spans) > 1.6 * min(spans)
    corner = Motion(Mark(x=0.0, z=0.0, facing_deg=90.0, path=[(2.0, 0.0), (2.0, 2.0)], walk_speed=1.0))
    facings = [corner.at(t).facing_deg for t in np.arange(0.0, 4.01, 0.05)]
    assert facings[0] == 90.0 and abs(facings[-1] - 180.0) < 1e-6  # +x, then +z (away from the camera)
    assert max(abs(b - a) for a, b in pairwise(facings)) < 10.0  # no snap: at most 10° per 50 ms


def test_planned_travel_shot_walks_its_traveller_and_the_camera_follows(tmp_path: Path) -> None:
    from filmaster.formats import parse_fountain
    from filmaster.stages.breakdown import plan_screenplay

    plan = plan_screenplay(parse_fountain("EXT. SHORE - DAY\n\nMARA runs along the water's edge.\n\nMARA\nWait!\n"))
    scene = plan.scenes[0]
    travel = next(s for s in scene.shots if s.camera.movement.value == "tracking")
    walk = travel.blocking["MARA"]
    home = scene.marks["MARA"]
    assert walk.path[-1] == (home.x, home.z) and home.x - walk.x > 2.0  # walks onto the scene's mark along +x
    shot = travel.model_copy(update={"duration_s": 2.0})
    truth_path = tmp_path / "travel.json"
    shoot_shot(make_request(shot, scene, W, H, fps=8, cast=plan.cast), tmp_path / "travel.mp4", truth_path)
    frames = json.loads(truth_path.read_text())["frames"]
    xs = [(f["characters"]["MARA"]["box"][0] + f["characters"]["MARA"]["box"][2]) / 2 for f in frames]
    cams = [f["camera"]["position"][0] for f in frames]
    assert cams[-1] - cams[0] > 1.5 and max(xs) - min(xs) < 0.05 * W
