"""The diffusers video backend with a tiny, randomly initialised LTX-Video pipeline (tests/support/tiny_diffusers.py)
loaded from disk with `from_pretrained`, on the CPU: the shot's take has the film's exact frames and size, the
previz first frame steers the pixels, a seed repeats them; then whole films through the generate stage — every
shot generated, a re-run from the cache, and a model that does not load leaving the previz takes in place."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("diffusers")
pytest.importorskip("torch")

from PIL import Image
from typer.testing import CliRunner

from filmaster.backends.video.base import ShotRequest
from filmaster.backends.video.diffusers_video import DiffusersVideoBackend
from filmaster.backends.video.remote import Control
from filmaster.cli import app
from filmaster.errors import BackendUnavailableError
from filmaster.model import RenderSettings
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.shoot import shot_requests
from project_entry_points import project_backends  # noqa: F401  (fixture)
from tiny_diffusers import build_tiny_ltx

from ..conftest import EXAMPLES

pytestmark = pytest.mark.slow
TINY = {"steps": 2, "max_side": 64, "max_frames": 9, "device": "cpu"}


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_ltx(tmp_path_factory.mktemp("tiny-ltx") / "model")


@pytest.fixture(scope="module")
def request_of_a_shot() -> ShotRequest:
    plan = plan_screenplay(develop(EXAMPLES / "tiny.fountain"))
    return shot_requests(plan, RenderSettings(width=96, height=64, fps=24), seed=3)[0]


def _png(rgb: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (96, 64), rgb).save(out, format="PNG")
    return out.getvalue()


def _frames(path: Path) -> np.ndarray:
    import av

    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def test_take_has_the_shots_frames_and_the_first_frame_steers_it(
    tiny_model: Path, request_of_a_shot: ShotRequest, tmp_path: Path
) -> None:
    backend = DiffusersVideoBackend(model=str(tiny_model), **TINY)
    red, blue, red_again = (tmp_path / f"{n}.mp4" for n in ("red", "blue", "red_again"))
    made = backend.generate(request_of_a_shot, red, Control(first_frame_png=_png((220, 30, 30))))
    backend.generate(request_of_a_shot, blue, Control(first_frame_png=_png((30, 30, 220))))
    backend.generate(request_of_a_shot, red_again, Control(first_frame_png=_png((220, 30, 30))))
    frames = _frames(red)
    assert made.frames == request_of_a_shot.frames == frames.shape[0]
    assert frames.shape[1:] == (64, 96, 3)  # generated at 64x64 (multiples of 32), scaled to the film's frame
    assert made.model == str(tiny_model) and made.seed == 3 and made.prompt
    assert np.abs(frames.astype(int) - _frames(blue).astype(int)).mean() > 1.0  # the image reached the pixels
    assert np.abs(frames.astype(int) - _frames(red_again).astype(int)).mean() < 1.0  # same seed, same shot


def test_frame_counts_and_sizes_the_model_takes(request_of_a_shot: ShotRequest) -> None:
    backend = DiffusersVideoBackend(model="unused", max_frames=121, max_side=704)
    shot_s = request_of_a_shot.shot.duration_s
    frames = backend.num_frames(request_of_a_shot)
    assert (frames - 1) % 8 == 0 and frames >= shot_s * 24
    assert backend.size(request_of_a_shot) == (96, 64)  # a small film is not scaled up
    film = dataclasses.replace(request_of_a_shot, settings=RenderSettings(width=960, height=540, fps=24))
    assert backend.size(film) == (704, 384)  # 16:9 at the longer side, both multiples of 32


def test_a_model_that_does_not_load_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match="cannot load the model"):
        DiffusersVideoBackend(model=str(tmp_path / "missing"), device="cpu").pipeline()


@pytest.mark.usefixtures("project_backends")
def test_films_generated_reused_and_fallen_back(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(EXAMPLES / "tiny.fountain", tmp_path / "tiny.fountain")
    monkeypatch.chdir(tmp_path)
    settings = "\n".join(f"{k} = {json.dumps(v)}" for k, v in {**TINY, "model": str(tiny_model)}.items())
    (tmp_path / "filmaster.toml").write_text(
        f'[backends]\nvideo = "diffusers"\n\n[backends.settings.diffusers]\n{settings}\n'
    )
    command = ["make", "tiny.fountain", "-o", "out", "--draft", "--no-retrieval"]
    first = CliRunner().invoke(app, command)
    assert first.exit_code == 0, first.output
    takes = json.loads((tmp_path / "out" / "takes.json").read_text())["takes"]
    assert takes and all(t["backend"] == "diffusers" and not t["note"] for t in takes)
    assert all(t["model"] == str(tiny_model) for t in takes)
    again = CliRunner().invoke(app, command)
    assert again.exit_code == 0, again.output
    assert f"0 shot(s) generated, {len(takes)} reused" in again.output

    (tmp_path / "filmaster.toml").write_text(
        f'[backends]\nvideo = "diffusers"\n\n[backends.settings.diffusers]\nmodel = "{tmp_path / "nowhere"}"\n'
    )
    broken = CliRunner().invoke(app, command)
    assert broken.exit_code == 0, broken.output
    takes = json.loads((tmp_path / "out" / "takes.json").read_text())["takes"]
    assert all(t["backend"] == "previz" and "cannot load the model" in t["note"] for t in takes)
    assert (tmp_path / "out" / "film.mp4").stat().st_size > 10_000
