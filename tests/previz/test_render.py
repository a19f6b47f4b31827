"""The previz measured on its pixels: real renderer, real H.264 encoder, decoded back with PyAV."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from filmaster.errors import RenderError
from filmaster.model import CastMember, Mood, SetKind
from filmaster.previz import render_still, shoot_shot
from filmaster.previz.testing import BEN, make_request, make_scene, make_shot

W, H = 320, 180
GREEN = CastMember(
    name="ANNA", shirt=(0.05, 0.95, 0.1), trousers=(0.2, 0.2, 0.3), skin=(0.9, 0.72, 0.6), hair=(0.3, 0.2, 0.1)
)


def decode(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def luminance(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])


def green_mask(img: np.ndarray) -> np.ndarray:
    """Pixels of the saturated green shirt (no set uses such a green)."""
    r, g, b = (img[..., i].astype(int) for i in range(3))
    return (g > 90) & (g > 1.6 * r) & (g > 1.6 * b)


def test_still_is_an_image_and_deterministic() -> None:
    req = make_request(make_shot(scale="MS", subjects=["ANNA"]), width=W, height=H)
    a, b = render_still(req, 0.2), render_still(req, 0.2)
    assert a.shape == (H, W, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert a.std() > 20  # a picture, not a flat fill


def test_a_scene_looks_the_same_whatever_the_process_drew_before() -> None:
    # A render worker draws the scenes of a film in any order, with GL programs shared by every scene's renderer:
    # a day exterior drawn after a night interior's renderer was made once came out lit as that night (found by
    # tests/post/test_fine_cut.py when the two parts of a take went to workers with different histories).
    day = make_request(make_shot(scale="WS"), make_scene("street", "day"), width=W, height=H)
    night = make_request(make_shot(scale="WS"), make_scene("kitchen", "night"), width=W, height=H)
    first = render_still(day, 0.2)
    render_still(night, 0.2)
    assert np.array_equal(render_still(day, 0.2), first)


def test_scale_on_pixels_matches_the_planned_frame() -> None:
    cast = {"ANNA": GREEN, "BEN": BEN}
    rows, width = {}, {}
    for scale in ("WS", "MS", "CU"):
        img = render_still(make_request(make_shot(scale=scale, subjects=["ANNA"]), cast=cast, width=W, height=H), 0.2)
        mask = green_mask(img)
        rows[scale] = float((mask.sum(axis=1) >= 2).mean())
        cols = np.flatnonzero(mask.any(axis=0))
        width[scale] = cols.max() - cols.min()
    # The shirt covers ~31 % of a figure's height: a WS frame (1.35 figures) shows it on ~23 % of the rows;
    # an MS (waist up, 0.55 figures) on about half; a CU (0.24 figures) on its bottom quarter.
    assert 0.15 < rows["WS"] < 0.32
    assert 0.38 < rows["MS"] < 0.62
    assert 0.1 < rows["CU"] < 0.4
    # Shoulder-to-shoulder width grows with the scale: CU/WS by about the ratio of their frame heights (5.6).
    assert width["WS"] < width["MS"] < width["CU"]
    assert 4.2 < width["CU"] / width["WS"] < 7.0


def test_night_exterior_is_much_darker_than_day() -> None:
    day = render_still(make_request(make_shot(scale="WS"), make_scene("field", "day"), width=W, height=H), 0.2)
    night = render_still(make_request(make_shot(scale="WS"), make_scene("field", "night"), width=W, height=H), 0.2)
    assert luminance(night).mean() < 0.5 * luminance(day).mean()
    sky_night = night[:20].reshape(-1, 3).mean(0)
    assert sky_night[2] >= sky_night[0]  # a night sky stays blue


@pytest.mark.parametrize("interior", [True, False])
def test_every_set_kind_is_a_distinct_lit_place(interior: bool) -> None:
    kinds = [k for k in SetKind if (k.value in {"room", "kitchen", "office", "bar", "corridor", "vehicle"}) == interior]
    images = {
        k: render_still(make_request(make_shot(scale="WS"), make_scene(k), width=160, height=90), 0.2) for k in kinds
    }
    for kind, img in images.items():
        assert 30 < luminance(img).mean() < 230, f"{kind} is not lit sensibly"
        assert img.std() > 15, f"{kind} is featureless"
    for i, a in enumerate(kinds):
        for b in kinds[i + 1 :]:
            diff = np.abs(images[a].astype(int) - images[b].astype(int)).mean()
            assert diff > 8, f"{a} and {b} look the same ({diff:.1f})"
    if not interior:  # open country shows a sky: blue above in daylight
        for kind in (SetKind.FIELD, SetKind.SHORE, SetKind.FOREST):
            img = images[kind]
            top = img[:8].reshape(-1, 3).mean(0)
            assert top[2] > top[0], f"{kind}: no daylight sky at the top"


def test_set_is_deterministic_per_scene_and_varies_between_scenes() -> None:
    a = render_still(make_request(make_shot(scale="WS"), make_scene("forest", index=0), width=160, height=90), 0.2)
    b = render_still(make_request(make_shot(scale="WS"), make_scene("forest", index=0), width=160, height=90), 0.2)
    c = render_still(make_request(make_shot(scale="WS"), make_scene("forest", index=5), width=160, height=90), 0.2)
    assert np.array_equal(a, b)
    assert np.abs(a.astype(int) - c.astype(int)).mean() > 3


def _horizon_angle(img: np.ndarray) -> float:
    """Angle (degrees) of the strongest straight edge: the horizon and everything parallel to it."""
    edges = cv2.Canny(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), 40, 120)
    lines = cv2.HoughLines(edges, 1, np.pi / 360, 60)
    assert lines is not None
    theta = float(lines[0][0][1])  # normal angle; a horizontal line has theta = 90°
    return np.degrees(theta) - 90.0


def test_dutch_angle_rolls_the_horizon() -> None:
    scene = make_scene("shore", characters=())
    level = render_still(make_request(make_shot(scale="EWS"), scene, width=W, height=H), 0.2)
    dutch = render_still(make_request(make_shot(scale="EWS", angle="dutch"), scene, width=W, height=H), 0.2)
    assert abs(_horizon_angle(level)) < 2.0
    assert 12.0 < abs(_horizon_angle(dutch)) < 18.0


def _mean_flow(frames: list[np.ndarray]) -> np.ndarray:
    gray = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames]
    flows = [cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 3, 21, 3, 5, 1.1, 0) for a, b in pairwise(gray[2:-2])]
    return np.mean(flows, axis=0)


def test_pan_left_moves_the_picture_right(tmp_path: Path) -> None:
    clip = tmp_path / "pan.mp4"
    shoot_shot(
        make_request(make_shot(duration_s=0.5, scale="WS", movement="pan", direction="left"), width=W, height=H), clip
    )
    flow = _mean_flow(decode(clip))
    assert flow[..., 0].mean() > 1.0
    assert abs(flow[..., 1].mean()) < 0.5 * flow[..., 0].mean()


def test_dolly_in_expands_the_picture(tmp_path: Path) -> None:
    clip = tmp_path / "dolly.mp4"
    shoot_shot(
        make_request(make_shot(duration_s=0.5, scale="MS", subjects=["BEN"], movement="dolly_in"), width=W, height=H),
        clip,
    )
    flow = _mean_flow(decode(clip))
    ys, xs = np.mgrid[0:H, 0:W]
    radial = (flow[..., 0] * (xs - W / 2) + flow[..., 1] * (ys - H / 2)) / np.hypot(xs - W / 2, ys - H / 2).clip(1)
    divergence = np.gradient(flow[..., 0], axis=1) + np.gradient(flow[..., 1], axis=0)
    assert radial.mean() > 0.3
    assert divergence.mean() > 0.0


def test_static_camera_holds_still(tmp_path: Path) -> None:
    clip = tmp_path / "static.mp4"
    shoot_shot(make_request(make_shot(duration_s=0.5, scale="MS", subjects=["BEN"]), width=W, height=H), clip)
    frames = decode(clip)
    assert np.abs(frames[3].astype(int) - frames[-3].astype(int)).mean() < 1.5


def _still_mean(set_kind: str) -> float:
    return float(
        render_still(make_request(make_shot(scale="WS"), make_scene(set_kind), width=160, height=90), 0.1).mean()
    )


def test_context_is_made_once_per_process_and_works_in_a_spawn_pool() -> None:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context as mp_context

    from filmaster.previz.context import get_context

    assert get_context() is get_context()
    here = _still_mean("room")
    with ProcessPoolExecutor(2, mp_context=mp_context("spawn")) as pool:
        means = list(pool.map(_still_mean, ["room", "field"]))
    assert means[0] == pytest.approx(here)  # same pixels from a fresh process
    assert means[1] != pytest.approx(here)


def test_forked_child_of_a_rendering_process_gets_an_error_not_a_hang() -> None:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context as mp_context

    _still_mean("room")  # this process now holds a context
    with ProcessPoolExecutor(1, mp_context=mp_context("fork")) as pool:
        future = pool.submit(_still_mean, "room")
        with pytest.raises(RenderError, match="spawn"):
            future.result(timeout=60)


def test_each_scene_is_graded_by_its_mood() -> None:
    def still(mood: str) -> np.ndarray:
        scene = make_scene("room", "day").model_copy(update={"mood": Mood(mood)})
        return render_still(make_request(make_shot(scale="MS"), scene, width=W, height=H), 0.2).astype(np.float64)

    calm, warm, tense, sad = (still(m) for m in ("calm", "warm", "tense", "sad"))

    def warmth(img: np.ndarray) -> float:  # red over blue, over the whole frame
        return float(img[..., 0].mean() / img[..., 2].mean())

    def saturation(img: np.ndarray) -> float:
        return float((img.max(axis=2) - img.min(axis=2)).mean())

    assert warmth(warm) > warmth(calm) * 1.05 > warmth(tense) * 1.05
    assert saturation(sad) < 0.8 * saturation(calm)


def test_ground_truth_is_replaced_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk that fills while the ground truth is written leaves the old file, not half of the new one."""
    clip, truth = tmp_path / "shot.mp4", tmp_path / "shot.json"
    truth.write_text('{"old": true}', encoding="utf-8")
    real_write_text = Path.write_text

    def disk_full(self: Path, data: str, *args: object, **kwargs: object) -> int:
        real_write_text(self, data[: len(data) // 2], encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_full)
    with pytest.raises(OSError, match="No space"):
        shoot_shot(make_request(make_shot(duration_s=0.2, scale="MS"), width=128, height=72), clip, truth)
    monkeypatch.undo()
    assert truth.read_text(encoding="utf-8") == '{"old": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.json", "shot.mp4"]  # no temporary file left
