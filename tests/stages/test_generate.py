"""End to end: a film made with a generative video backend against a local server that speaks the vendor's API.

Measured on the delivered film.mp4: the frames of each generated shot are the colour of the clip the server
served, the refused shot shows its previz take, and a shot moved to another vendor shows that vendor's colour.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from fake_video_vendors import CLIP_RGB, KLING_SECRET, register_worktree_backends, serve_vendor
from filmaster.cli import main
from filmaster.config import load_config
from filmaster.pipeline import make_film

EXAMPLES = Path(__file__).parents[2] / "examples"
KEY = "sk-fake-e2e-7f3a9c1d5b"
KLING_RGB = (40, 210, 70)
REFUSED = "S02-02"  # "Anna walks out into the sun." — the server's content policy refuses "sun"


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    register_worktree_backends()
    monkeypatch.setenv("RUNWAYML_API_SECRET", KEY)
    monkeypatch.setenv("KLING_ACCESS_KEY", KEY)
    monkeypatch.setenv("KLING_SECRET_KEY", KLING_SECRET)


def _write_config(folder: Path, runway_url: str, kling_url: str = "") -> None:
    text = f"""
[render]
draft = true
resolution = "192x108"

[backends]
video = "runway"

[backends.settings.runway]
base_url = "{runway_url}"
poll_interval_s = 0.02
timeout_s = 2.0
"""
    if kling_url:
        text += f'\n[backends.settings.kling]\nbase_url = "{kling_url}"\npoll_interval_s = 0.02\n'
    (folder / "filmaster.toml").write_text(text)


def _shot_colours(out: Path) -> dict[str, np.ndarray]:
    """The mean colour of the middle frame of each shot, as the delivered film shows it."""
    cut = json.loads((out / ".filmaster" / "cut.json").read_text())
    middles, start = {}, 0
    for clip in cut["clips"]:
        middles[start + clip["frames"] // 2] = clip["shot_id"]
        start += clip["frames"]
    colours = {}
    with av.open(str(out / "film.mp4")) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index in middles:
                colours[middles[index]] = frame.to_ndarray(format="rgb24").reshape(-1, 3).mean(axis=0)
    return colours


def _is(colour: np.ndarray, rgb: tuple[int, int, int]) -> bool:
    return bool(np.abs(colour - rgb).max() < 15)


def _takes(out: Path) -> dict[str, dict]:
    return {take["shot_id"]: take for take in json.loads((out / "takes.json").read_text())["takes"]}


@pytest.mark.slow
def test_a_film_shot_by_a_vendor_with_a_fallback_a_second_vendor_and_a_reshoot(tmp_path: Path) -> None:
    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    out = tmp_path / "out"
    with (
        serve_vendor("runway", KEY, refuse_words=("sun",)) as runway,
        serve_vendor("kling", KEY, rgb=KLING_RGB) as kling,
    ):
        _write_config(tmp_path, runway.base_url, kling.base_url)
        assert main(["make", str(source), "-o", str(out)]) == 0

        colours = _shot_colours(out)
        assert set(colours) == {"S01-01", "S01-02", "S01-03", "S02-01", "S02-02"}
        for shot_id, colour in colours.items():
            assert _is(colour, CLIP_RGB) == (shot_id != REFUSED), (shot_id, colour)
        takes = _takes(out)
        assert takes["S01-01"]["backend"] == "runway" and takes["S01-01"]["model"] == "gen4_turbo"
        assert takes["S01-01"]["cost_usd"] == pytest.approx(0.25)  # a 5 s gen4_turbo clip
        first_shot = json.loads((out / "plan.json").read_text())["scenes"][0]["shots"][0]
        assert first_shot["prompt"].split(".")[0] in takes["S01-01"]["prompt"]  # the planned camera, in words
        assert takes[REFUSED]["backend"] == "previz" and "runway refused the shot" in takes[REFUSED]["note"]
        # The previz take is the control: the image sent is the first frame of the shot's previz render.
        previz_first = _first_frame(next((out / ".filmaster" / "cache" / "shots").rglob("*.mp4")))
        sent = [_decode_data_uri(body["promptImage"]) for body in runway.submits()]
        assert len(sent) == 5
        assert min(np.abs(image.astype(int) - previz_first.astype(int)).mean() for image in sent) < 4
        # The timeline records each take.
        timeline = json.loads((out / "film.otio").read_text())
        recorded = _otio_takes(timeline)
        assert recorded["S01-02"]["backend"] == "runway" and recorded[REFUSED]["note"]

        # One shot moved to another vendor in plan.json: only it is generated again, by that vendor.
        plan = json.loads((out / "plan.json").read_text())
        plan["scenes"][0]["shots"][1]["video_backend"] = "kling"
        (out / "plan.json").write_text(json.dumps(plan, indent=2))
        assert main(["make", str(source), "-o", str(out)]) == 0
        assert len(runway.submits()) == 6  # the refused shot is tried again (a failure is not cached)
        assert len(kling.submits()) == 1
        colours = _shot_colours(out)
        assert _is(colours["S01-02"], KLING_RGB) and _is(colours["S01-01"], CLIP_RGB)

        # reshoot: a new seed for one shot regenerates it alone and re-cuts.
        assert main(["reshoot", str(out), "S01-03", "--seed", "41"]) == 0
        assert len(runway.submits()) == 8  # S01-03 and the refused one again
        assert [body["seed"] for body in runway.submits()].count(41) == 1
        assert len(kling.submits()) == 1
        assert _takes(out)["S01-03"]["seed"] == 41

    # The API key is never written anywhere.
    for path in [*out.rglob("*"), *tmp_path.glob("*")]:
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


@pytest.mark.slow
def test_max_cost_stops_before_the_limit(tmp_path: Path) -> None:
    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    with serve_vendor("runway", KEY) as runway:
        config = load_config(
            overrides={
                "render": {"resolution": "192x108", "draft": True},
                "backends": {"video": "runway", "settings": {"runway": {"base_url": runway.base_url,
                                                                         "poll_interval_s": 0.02}}},
                "generate": {"max_cost_usd": 0.6},
            }
        )  # fmt: skip
        make_film(source, tmp_path / "out", config)
    assert len(runway.submits()) == 2  # 0.25 USD each: a third would pass 0.60
    takes = _takes(tmp_path / "out")
    generated = [t for t in takes.values() if t["backend"] == "runway"]
    assert sum(t["cost_usd"] for t in generated) <= 0.6
    assert sum("--max-cost" in t["note"] for t in takes.values()) == 3


def _first_frame(clip: Path) -> np.ndarray:
    with av.open(str(clip)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")


def _decode_data_uri(uri: str) -> np.ndarray:
    assert uri.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB"))


def _otio_takes(timeline: dict) -> dict[str, dict]:
    found = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            meta = node.get("metadata", {}).get("filmaster", {})
            if isinstance(meta, dict) and "take" in meta:
                found[meta["shot_id"]] = meta["take"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(timeline)
    return found


def test_a_shot_is_filmed_by_its_own_then_its_scenes_then_the_films_backend() -> None:
    from filmaster.stages.breakdown import plan_screenplay
    from filmaster.stages.develop import develop
    from filmaster.stages.generate import backend_name

    plan = plan_screenplay(develop(EXAMPLES / "tiny.fountain"))
    scene = plan.scenes[0].model_copy(update={"video_backend": "luma"})
    shot = scene.shots[0]
    assert backend_name(shot, plan.scenes[0], "runway") == "runway"
    assert backend_name(shot, scene, "runway") == "luma"
    assert backend_name(shot.model_copy(update={"video_backend": "veo"}), scene, "runway") == "veo"


def test_the_film_backend_must_exist_and_remote_ones_are_shot_as_previz_first() -> None:
    from filmaster.errors import BackendUnavailableError
    from filmaster.stages.generate import previz_backend_name

    assert previz_backend_name("previz") == "previz"
    assert previz_backend_name("kling") == "previz"
    with pytest.raises(BackendUnavailableError, match="unknown video backend 'sora9'"):
        previz_backend_name("sora9")


def test_reshoot_of_a_folder_without_a_film_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["reshoot", str(tmp_path), "S01-01"]) == 1
    err = capsys.readouterr().err
    assert "holds no plan.json; make the film first" in err and "Traceback" not in err


class _Stopped(BaseException):
    """The run dies here (as on Ctrl-C or a crash), after the vendor accepted the shots' jobs."""


@pytest.mark.slow
def test_a_run_stopped_after_submitting_resumes_its_jobs_and_orders_none_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from filmaster.backends.video.runway import RunwayVideoBackend

    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    with serve_vendor("runway", KEY) as runway:
        _write_config(tmp_path, runway.base_url)
        config = load_config(tmp_path / "filmaster.toml")
        with monkeypatch.context() as patch:

            def die(self: RunwayVideoBackend, client: object, handle: object) -> None:
                raise _Stopped

            patch.setattr(RunwayVideoBackend, "poll", die)
            with pytest.raises(_Stopped):
                make_film(source, tmp_path / "out", config)
        submitted = len(runway.submits())
        journals = list((tmp_path / "out" / ".filmaster" / "cache").rglob("*.job.json"))
        assert submitted >= 1 and len(journals) == submitted  # every accepted job is in the journal
        make_film(source, tmp_path / "out", config)
        assert len(runway.submits()) == 5  # the jobs already bought were polled, only the rest were ordered
        assert not list((tmp_path / "out" / ".filmaster" / "cache").rglob("*.job.json"))
    colours = _shot_colours(tmp_path / "out")
    assert all(_is(colour, CLIP_RGB) for colour in colours.values())
    assert {take["backend"] for take in _takes(tmp_path / "out").values()} == {"runway"}


@pytest.mark.slow
def test_the_pictures_in_plan_json_reach_the_vendor_with_each_shot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    out = tmp_path / "out"
    render = {"resolution": "192x108", "draft": True}
    make_film(source, out, load_config(overrides={"render": render}))  # previz: the plan to add pictures to
    pictures = {}
    for name, rgb in (("anna", (200, 0, 0)), ("kitchen", (0, 0, 200))):
        pictures[name] = tmp_path / f"{name}.png"
        Image.new("RGB", (64, 64), rgb).save(pictures[name])
    plan = json.loads((out / "plan.json").read_text())
    plan["cast"]["ANNA"]["reference_image"] = str(pictures["anna"])
    plan["scenes"][0]["reference_image"] = str(pictures["kitchen"])  # the kitchen; the street has none
    (out / "plan.json").write_text(json.dumps(plan, indent=2))
    with serve_vendor("veo", KEY) as veo:
        settings = {"base_url": veo.base_url, "poll_interval_s": 0.02, "model": "veo-3.1-generate-preview"}
        config = load_config(overrides={"render": render, "backends": {"video": "veo", "settings": {"veo": settings}}})
        make_film(source, out, config)
    anna, kitchen = pictures["anna"].read_bytes(), pictures["kitchen"].read_bytes()
    sent: dict[str, list[list[bytes]]] = {"kitchen": [], "street": []}
    for body in veo.submits():
        [instance] = body["instances"]
        place = "kitchen" if "Interior, kitchen" in instance["prompt"] else "street"
        sent[place].append([base64.b64decode(r["image"]["bytesBase64Encoded"]) for r in instance["referenceImages"]])
    assert sent["kitchen"] == [[anna, kitchen]] * 3  # Anna (Ben has no picture), then the place
    assert sent["street"] == [[anna]] * 2
    colours = _shot_colours(out)
    assert all(_is(colour, CLIP_RGB) for colour in colours.values())  # the vendor's clips are the film


# -- the generate stage alone, on a one-scene plan: what is bought, and when again -----------------------------------
def _one_scene_plan(*extra_shots: int):
    """tiny.fountain's first scene with its first shot, then copies of it (`extra_shots`: their numbers)."""
    from filmaster.stages.breakdown import plan_screenplay
    from filmaster.stages.develop import develop

    plan = plan_screenplay(develop(EXAMPLES / "tiny.fountain"))
    scene = plan.scenes[0]
    first = scene.shots[0]
    copies = [first.model_copy(update={"id": f"S01-{n:02d}", "number": n}) for n in extra_shots]
    return plan.model_copy(update={"scenes": [scene.model_copy(update={"shots": [first, *copies]})]})


def _generate_with_fal(plan, server, out: Path, source: Path):
    """generate_shots over `plan` with fal at `server`: the report and the takes."""
    from filmaster.backends.registry import create_backend
    from filmaster.model import RenderSettings
    from filmaster.progress import SilentReporter
    from filmaster.project import Project
    from filmaster.stages.generate import generate_shots
    from plan_takes import takes_of

    settings = RenderSettings(width=128, height=72, fps=12, draft=True)
    takes = takes_of(plan, settings)
    fal = {"fal": {"base_url": server.base_url, "poll_interval_s": 0.02}}
    previz = create_backend("video", "previz")
    project = Project(out, source)
    report = generate_shots(plan, takes, settings, "fal", fal, 3, previz, project, SilentReporter())
    return report, takes


def _mean_colour(clip: Path) -> np.ndarray:
    with av.open(str(clip)) as container:
        frame = next(container.decode(video=0)).to_ndarray(format="rgb24")
    return frame.reshape(-1, 3).mean(axis=0)


def test_two_shots_of_the_same_content_buy_one_clip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAL_KEY", KEY)
    plan = _one_scene_plan(7, 8)  # three shots alike in all but their ids
    with serve_vendor("fal", KEY) as fal:
        report, takes = _generate_with_fal(plan, fal, tmp_path / "out", EXAMPLES / "tiny.fountain")
    assert len(fal.submits()) == 1  # one purchase; the copies wait for it
    assert {o.shot_id for o in report.generated} == {"S01-01", "S01-07", "S01-08"}
    assert report.spent_usd == pytest.approx(0.4)  # one 5 s Wan clip
    for take in takes.values():
        assert take.backend == "fal" and not take.note
        assert _is(_mean_colour(tmp_path / "out" / take.media), CLIP_RGB)  # each shot shows the bought clip


def test_a_reference_picture_keys_the_clip_by_its_pixels_not_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAL_KEY", KEY)
    plan = _one_scene_plan()
    picture = tmp_path / "anna.png"
    Image.new("RGB", (64, 64), (200, 0, 0)).save(picture)

    def with_picture(path: Path):
        anna = plan.cast["ANNA"].model_copy(update={"reference_image": str(path)})
        return plan.model_copy(update={"cast": {**plan.cast, "ANNA": anna}})

    with serve_vendor("fal", KEY) as fal:

        def run(film):
            return _generate_with_fal(film, fal, tmp_path / "out", EXAMPLES / "tiny.fountain")

        run(with_picture(picture))
        assert len(fal.submits()) == 1
        (tmp_path / "moved").mkdir()
        moved = picture.rename(tmp_path / "moved" / "anna.png")
        report, _ = run(with_picture(moved))  # the same picture elsewhere: the same clip
        assert len(fal.submits()) == 1 and [o.reused for o in report.outcomes] == [True]
        Image.new("RGB", (64, 64), (0, 200, 0)).save(moved)  # painted over in place: a new clip
        report, _ = run(with_picture(moved))
        assert len(fal.submits()) == 2 and [o.reused for o in report.outcomes] == [False]
