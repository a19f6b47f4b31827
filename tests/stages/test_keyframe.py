"""End to end: the keyframe step paints each generated shot's first frame before image-to-video.

A film made with a video vendor (Runway, on 127.0.0.1) and a keyframe painter (FLUX on fal's queue, on 127.0.0.1).
Both servers record what they are sent, so the test reads, from the video vendor's requests, the start images
really sent and compares them pixel for pixel with what the painter returned and with the previz frames.
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

from fake_image_vendors import serve_painter
from fake_video_vendors import serve_vendor
from filmaster.cli import main
from project_entry_points import project_backends  # noqa: F401  (fixture)

EXAMPLES = Path(__file__).parents[2] / "examples"
KEY = "sk-fake-keyframe-2b8e4d"
REFUSED = "S02-02"  # "Anna walks out into the sun." — the painter's content policy refuses "sun"

pytestmark = pytest.mark.usefixtures("project_backends")


def _config(folder: Path, runway_url: str, fal_url: str) -> None:
    (folder / "filmaster.toml").write_text(f"""
[render]
draft = true
resolution = "192x108"

[backends]
video = "runway"

[backends.settings.runway]
base_url = "{runway_url}"
poll_interval_s = 0.02
timeout_s = 2.0

[backends.settings.fal-flux]
base_url = "{fal_url}"
poll_interval_s = 0.02
timeout_s = 2.0

[generate]
keyframe = "fal-flux"
""")


def _png_pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _sent(runway) -> dict[str, np.ndarray]:
    """The start image of each generated shot, as Runway received it, by the shot's prompt."""
    return {
        body["promptText"]: _png_pixels(base64.b64decode(body["promptImage"].split(",", 1)[1]))
        for body in runway.submits()
    }


def _previz_first_frames(out: Path) -> list[np.ndarray]:
    frames = []
    for clip in (out / ".filmaster" / "cache" / "shots").rglob("*.mp4"):
        with av.open(str(clip)) as container:
            frames.append(next(container.decode(video=0)).to_ndarray(format="rgb24"))
    return frames


def _among(image: np.ndarray, images: list[np.ndarray]) -> bool:
    return any(image.shape == other.shape and np.array_equal(image, other) for other in images)


def _takes(out: Path) -> dict[str, dict]:
    return {take["shot_id"]: take for take in json.loads((out / "takes.json").read_text())["takes"]}


@pytest.mark.slow
def test_the_painted_frame_is_the_start_image_and_a_rerun_pays_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RUNWAYML_API_SECRET", KEY)
    monkeypatch.setenv("FAL_KEY", KEY)
    source, out = tmp_path / "tiny.fountain", tmp_path / "out"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    with serve_vendor("runway", KEY) as runway, serve_painter("fal-flux", KEY, refuse_words=("sun",)) as fal:
        _config(tmp_path, runway.base_url, fal.base_url)
        assert main(["make", str(source), "-o", str(out)]) == 0

        painted = [_png_pixels(p) for p in fal.painted]
        previz = _previz_first_frames(out)
        sent = _sent(runway)
        assert len(sent) == 5 and len(painted) == 4  # every shot generated; one painting refused
        # Four shots started from the painted frame (exactly what the painter returned), and each painting was
        # made from that shot's previz frame (the fake inverts its colours); the refused one from its previz frame.
        from_painter = [image for image in sent.values() if _among(image, painted)]
        assert len(from_painter) == 4
        assert all(_among(255 - image, previz) for image in from_painter)
        [unpainted] = [image for image in sent.values() if not _among(image, painted)]
        assert _among(unpainted, previz)

        takes = _takes(out)
        assert all(take["backend"] == "runway" for take in takes.values())
        first = takes["S01-01"]["keyframe"]
        assert first["backend"] == "fal-flux" and first["model"] == "fal-ai/flux/dev/image-to-image"
        assert first["cost_usd"] == pytest.approx(0.03) and first["note"] == "" and first["seed"] == 0
        assert "fal-flux refused the picture" in takes[REFUSED]["keyframe"]["note"]
        assert "previz frame was sent" in takes[REFUSED]["keyframe"]["note"]
        timeline = (out / "film.otio").read_text()
        assert '"keyframe": {' in timeline and "fal-ai/flux/dev/image-to-image" in timeline
        err = capfd.readouterr().err
        assert "4 keyframe(s) painted by fal-flux" in err and f"{REFUSED} → previz frame: " in err

        # A second make: every painted frame and every clip comes from the cache; nobody is paid again.
        posts = len(fal.submits())
        capfd.readouterr()
        assert main(["make", str(source), "-o", str(out)]) == 0
        assert len(runway.submits()) == 5 and len(fal.submits()) == posts
        err = " ".join(capfd.readouterr().err.split())
        assert "0 keyframe(s) painted by fal-flux, 4 reused, 1 kept the previz frame" in err
        assert _takes(out)["S01-01"]["keyframe"] == first

        # Without the painter's key: one clear line, and every shot starts from its previz frame.
        monkeypatch.delenv("FAL_KEY")
        capfd.readouterr()
        assert main(["make", str(source), "-o", str(out)]) == 0
        err = " ".join(capfd.readouterr().err.split())  # the console wraps long lines
        missing = "image backend 'fal-flux' needs an API key in the environment variable FAL_KEY; export FAL_KEY="
        assert missing in err and err.count("FAL_KEY=") <= 2  # said as it starts and in the closing summary only
        assert len(fal.submits()) == posts
        again = [_png_pixels(base64.b64decode(b["promptImage"].split(",", 1)[1])) for b in runway.submits()[5:]]
        assert len(again) == 5 and all(_among(image, previz) for image in again)
        assert all("FAL_KEY" in take["keyframe"]["note"] for take in _takes(out).values())
    for path in [*out.rglob("*"), *tmp_path.glob("*")]:
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_a_painting_past_max_cost_is_not_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from filmaster.backends.registry import create_backend
    from filmaster.budget import CostBudget
    from filmaster.model import RenderSettings
    from filmaster.progress import SilentReporter
    from filmaster.project import Project
    from filmaster.stages.breakdown import plan_screenplay
    from filmaster.stages.develop import develop
    from filmaster.stages.keyframe import Keyframer
    from filmaster.stages.shoot import shot_requests

    monkeypatch.setenv("FAL_KEY", KEY)
    request = shot_requests(plan_screenplay(develop(EXAMPLES / "tiny.fountain")), RenderSettings(), seed=0)[0]
    previz = io.BytesIO()
    Image.new("RGB", (64, 36), (10, 20, 30)).save(previz, format="PNG")
    with serve_painter("fal-flux", KEY) as fal:
        backend = create_backend("image", "fal-flux", base_url=fal.base_url, poll_interval_s=0.02)
        project = Project(tmp_path / "out", EXAMPLES / "tiny.fountain")
        budget = CostBudget(0.01)  # a FLUX painting costs 0.03 USD
        painter = Keyframer("fal-flux", backend, project, budget, SilentReporter())
        frame, record = painter.start_frame(request, previz.getvalue(), ())
    assert frame == previz.getvalue() and fal.requests == []  # nothing asked, nothing paid
    assert "--max-cost" in record.note and record.cost_usd == 0.0
    assert painter.report.kept == 1 and "S01-01" in painter.report.notes


@pytest.mark.parametrize("kind", ["exception", "timeout", "malformed_json", "wrong_schema", "truncated_media"])
def test_an_injected_painter_fault_keeps_the_previz_frame_with_a_note(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from filmaster.backends.faults import FaultsConfig, FaultyBackend, injecting
    from filmaster.backends.registry import create_backend
    from filmaster.budget import CostBudget
    from filmaster.model import RenderSettings
    from filmaster.progress import SilentReporter
    from filmaster.project import Project
    from filmaster.stages.breakdown import plan_screenplay
    from filmaster.stages.develop import develop
    from filmaster.stages.keyframe import Keyframer
    from filmaster.stages.shoot import shot_requests

    monkeypatch.setenv("FAL_KEY", KEY)
    request = shot_requests(plan_screenplay(develop(EXAMPLES / "tiny.fountain")), RenderSettings(), seed=0)[0]
    previz = io.BytesIO()
    Image.new("RGB", (64, 36), (10, 20, 30)).save(previz, format="PNG")
    # `[faults] backends = { image = 1.0 }`: every painting fails, in the one way this test names.
    config = FaultsConfig.model_validate({"backends": {"image": 1.0}, "kinds": [kind], "slow_s": 0.0})
    with serve_painter("fal-flux", KEY) as fal, injecting(config):
        backend = create_backend("image", "fal-flux", base_url=fal.base_url, poll_interval_s=0.02)
        assert isinstance(backend, FaultyBackend)
        project = Project(tmp_path / "out", EXAMPLES / "tiny.fountain")
        painter = Keyframer("fal-flux", backend, project, CostBudget(None), SilentReporter())
        frame, record = painter.start_frame(request, previz.getvalue(), ())
    assert np.array_equal(_png_pixels(frame), _png_pixels(previz.getvalue()))  # the shot goes on from its previz frame
    assert "could not paint the first frame" in record.note and "previz frame was sent" in record.note
    assert painter.report.kept == 1 and painter.report.painted == 0 and "S01-01" in painter.report.notes
    # The faults raised before the call never reached the vendor; a cut-short picture was painted, then refused.
    assert len(fal.painted) == (1 if kind == "truncated_media" else 0)


@pytest.mark.slow
def test_a_painting_whose_answer_is_lost_is_ordered_once_and_named_in_the_closing_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from fake_video_vendors import Fault

    monkeypatch.setenv("RUNWAYML_API_SECRET", KEY)
    monkeypatch.setenv("FAL_KEY", KEY)
    source, out = tmp_path / "tiny.fountain", tmp_path / "out"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    late = [Fault("slow", on="submit", slow_s=1.0)] * 5  # fal takes every order but answers after the timeout
    with serve_vendor("runway", KEY) as runway, serve_painter("fal-flux", KEY, faults=late) as fal:
        _config(tmp_path, runway.base_url, fal.base_url)
        (tmp_path / "filmaster.toml").write_text(
            (tmp_path / "filmaster.toml")
            .read_text()
            .replace("timeout_s = 2.0\n\n[generate]", "timeout_s = 0.4\n\n[generate]")
        )
        assert main(["make", str(source), "-o", str(out)]) == 0
        import time

        time.sleep(1.0)  # any order sent again would have arrived by now
        assert len(fal.submits()) == len(fal.painted) == 5  # one order per shot, painted (and billed) once each
        assert [r for r in fal.requests if r[0] == "GET"] == []  # no job to poll: its handle was lost
        assert len(runway.submits()) == 5  # every shot still generated, from its previz frame
    err = " ".join(capfd.readouterr().err.split())  # the console wraps long lines
    for shot in ("S01-01", "S01-02", "S01-03", "S02-01", "S02-02"):
        assert f"{shot} → previz frame: 'fal-flux' could not paint the first frame" in err
    assert err.count("it may have been submitted; not re-sent so it is not billed twice") >= 5
    assert "0 keyframe(s) painted by fal-flux, 0 reused, 5 kept the previz frame, 5 fell back" in err
    # The cost counts the five clips (5 s at 0.05 USD) and the five orders that may have been billed (0.03 each).
    assert f"shots {5 * 5 * 0.05 + 5 * 0.03:.2f})" in err


class _Stopped(BaseException):
    """The run dies here (Ctrl-C, a crash) while it waits for the painter's job."""


@pytest.mark.parametrize("vendor", ["fal-flux", "replicate-flux"])
def test_a_run_stopped_while_a_painting_is_queued_polls_the_same_job_next_time(
    vendor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fake_image_vendors import KEY_ENVS, painter_settings
    from filmaster.backends.image.remote import RemoteImageBackend
    from filmaster.budget import CostBudget
    from filmaster.model import RenderSettings
    from filmaster.progress import SilentReporter
    from filmaster.project import Project
    from filmaster.stages.breakdown import plan_screenplay
    from filmaster.stages.develop import develop
    from filmaster.stages.keyframe import keyframer
    from filmaster.stages.shoot import shot_requests

    monkeypatch.setenv(KEY_ENVS[vendor], KEY)
    request = shot_requests(plan_screenplay(develop(EXAMPLES / "tiny.fountain")), RenderSettings(), seed=3)[0]
    previz = io.BytesIO()
    Image.new("RGB", (96, 54), (200, 60, 30)).save(previz, format="PNG")
    project = Project(tmp_path / "out", EXAMPLES / "tiny.fountain")
    with serve_painter(vendor, KEY) as server:
        settings = {vendor: painter_settings(server)}
        with monkeypatch.context() as patch:

            def die(*_: object) -> None:
                raise _Stopped

            patch.setattr(RemoteImageBackend, "wait", die)
            with pytest.raises(_Stopped):
                keyframer(vendor, settings, project, CostBudget(None), SilentReporter()).start_frame(
                    request, previz.getvalue(), ()
                )
        assert len(server.submits()) == 1 and list(project.cache.root.rglob("*.job.json"))  # bought, journalled
        painter = keyframer(vendor, settings, project, CostBudget(None), SilentReporter())
        frame, record = painter.start_frame(request, previz.getvalue(), ())
    assert len(server.submits()) == 1  # the next run polled the job it had bought
    assert not record.note and painter.report.painted == 1
    assert np.array_equal(_png_pixels(frame), 255 - _png_pixels(previz.getvalue()))  # that job's picture
    assert not list(project.cache.root.rglob("*.job.json"))  # spent once the picture is stored


def test_a_keyframe_counts_its_reference_pictures_by_their_pixels(tmp_path: Path) -> None:
    from filmaster.backends.image.base import ImageBackend, PaintRequest, PaintResult
    from filmaster.budget import CostBudget
    from filmaster.model import RenderSettings
    from filmaster.progress import SilentReporter
    from filmaster.project import Project
    from filmaster.stages.breakdown import plan_screenplay
    from filmaster.stages.develop import develop
    from filmaster.stages.keyframe import Keyframer
    from filmaster.stages.shoot import shot_requests

    class Counting(ImageBackend):
        """Paints the previz frame as it is, and counts the paintings."""

        NAME = "counting"
        asked = 0

        def paint(
            self, request: PaintRequest, init_image: Path | None, references: tuple[Path, ...], out_path: Path
        ) -> PaintResult:
            Counting.asked += 1
            assert init_image is not None
            shutil.copy(init_image, out_path)
            return PaintResult("m", request.seed, request.prompt)

    request = shot_requests(plan_screenplay(develop(EXAMPLES / "tiny.fountain")), RenderSettings(), seed=3)[0]
    previz = io.BytesIO()
    Image.new("RGB", (96, 54), (200, 60, 30)).save(previz, format="PNG")
    picture = tmp_path / "anna.png"
    Image.new("RGB", (32, 32), (10, 200, 10)).save(picture)
    project = Project(tmp_path / "out", EXAMPLES / "tiny.fountain")
    painter = Keyframer("counting", Counting(), project, CostBudget(None), SilentReporter())
    painter.start_frame(request, previz.getvalue(), (picture,))
    moved = picture.rename(tmp_path / "anna-moved.png")
    painter.start_frame(request, previz.getvalue(), (moved,))
    assert Counting.asked == 1  # the same picture elsewhere: the same keyframe
    Image.new("RGB", (32, 32), (200, 10, 10)).save(moved)
    painter.start_frame(request, previz.getvalue(), (moved,))
    assert Counting.asked == 2  # painted over: painted again
