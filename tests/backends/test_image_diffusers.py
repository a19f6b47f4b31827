"""The diffusers image backend with a tiny, randomly initialised Stable Diffusion image-to-image pipeline
(tests/support/tiny_diffusers.py) loaded from disk, on the CPU: the picture has the asked size, a seed repeats it,
the starting picture steers it; through the keyframe step the painted frame comes back at the previz frame's
size and a second call takes it from the cache."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("diffusers")
pytest.importorskip("torch")

from PIL import Image

from filmaster.backends.image.base import PaintRequest
from filmaster.backends.image.diffusers_image import DiffusersImageBackend
from filmaster.budget import CostBudget
from filmaster.errors import BackendUnavailableError
from filmaster.model import RenderSettings
from filmaster.progress import SilentReporter
from filmaster.project import Project
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.keyframe import Keyframer, keyframe_prompt
from filmaster.stages.shoot import shot_requests
from tiny_diffusers import build_tiny_sd_img2img

from ..conftest import EXAMPLES

pytestmark = pytest.mark.slow
TINY = {"steps": 2, "max_side": 64, "device": "cpu", "strength": 0.5}
REQUEST = PaintRequest("a wide shot of anna in the kitchen at night", 96, 64, seed=5, label="shot S01-01")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_sd_img2img(tmp_path_factory.mktemp("tiny-sd") / "model")


def _start(folder: Path, rgb: tuple[int, int, int]) -> Path:
    path = folder / f"start-{rgb[0]}-{rgb[1]}-{rgb[2]}.png"
    Image.new("RGB", (96, 64), rgb).save(path)
    return path


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).astype(int)


def test_paints_at_the_asked_size_repeatably_and_steered_by_the_start(tiny_model: Path, tmp_path: Path) -> None:
    backend = DiffusersImageBackend(model=str(tiny_model), **TINY)
    red, blue = _start(tmp_path, (220, 30, 30)), _start(tmp_path, (30, 30, 220))
    result = backend.paint(REQUEST, red, (), tmp_path / "a.png")
    backend.paint(REQUEST, red, (), tmp_path / "b.png")
    backend.paint(REQUEST, blue, (), tmp_path / "c.png")
    backend.paint(PaintRequest(REQUEST.prompt, 96, 64, seed=6), red, (), tmp_path / "d.png")
    a, b, c, d = (_pixels(tmp_path / f"{n}.png") for n in "abcd")
    assert a.shape == (40, 64, 3)  # the 3:2 frame with its longer side at max_side 64, sides multiples of 8
    assert np.array_equal(a, b)  # the same seed and start paint the same picture
    assert np.abs(a - c).mean() > 1.0  # the starting picture steers it
    assert np.abs(a - d).mean() > 0.5  # and so does the seed
    assert result.model == str(tiny_model) and result.cost_usd == 0.0 and result.seed == 5
    backend.paint(REQUEST, None, (), tmp_path / "e.png")  # from the prompt alone, with the same weights
    assert _pixels(tmp_path / "e.png").shape == (40, 64, 3)


def test_a_model_that_does_not_load_is_one_line(tmp_path: Path) -> None:
    backend = DiffusersImageBackend(model=str(tmp_path / "nowhere"), device="cpu")
    with pytest.raises(BackendUnavailableError, match="cannot load the model") as caught:
        backend.paint(REQUEST, None, (), tmp_path / "p.png")
    assert "\n" not in str(caught.value) and not (tmp_path / "p.png").exists()


def test_the_keyframe_step_paints_once_then_reuses(tiny_model: Path, tmp_path: Path) -> None:
    plan = plan_screenplay(develop(EXAMPLES / "tiny.fountain"))
    request = shot_requests(plan, RenderSettings(width=128, height=72, fps=12), seed=3)[0]
    previz = io.BytesIO()
    Image.new("RGB", (128, 72), (120, 90, 60)).save(previz, format="PNG")
    project = Project(tmp_path / "out", EXAMPLES / "tiny.fountain")
    backend = DiffusersImageBackend(model=str(tiny_model), **TINY)
    painter = Keyframer("diffusers-image", backend, project, CostBudget(None), SilentReporter())
    frame, record = painter.start_frame(request, previz.getvalue(), ())
    again, same = painter.start_frame(request, previz.getvalue(), ())
    assert Image.open(io.BytesIO(frame)).size == (128, 72)  # conformed to the previz frame's size
    assert frame == again and same == record and not record.note and record.model == str(tiny_model)
    assert (painter.report.painted, painter.report.reused) == (1, 1)
    assert record.prompt == keyframe_prompt(request) and request.shot.camera.sentence() in record.prompt


def test_the_dtype_changes_the_pixels_and_so_the_key(tiny_model: Path, tmp_path: Path) -> None:
    start = _start(tmp_path, (220, 30, 30))
    full = DiffusersImageBackend(model=str(tiny_model), **TINY)
    half = DiffusersImageBackend(model=str(tiny_model), **TINY, torch_dtype="bfloat16")
    full.paint(REQUEST, start, (), tmp_path / "full.png")
    half.paint(REQUEST, start, (), tmp_path / "half.png")
    assert not np.array_equal(_pixels(tmp_path / "full.png"), _pixels(tmp_path / "half.png"))
    assert full.cache_identity != half.cache_identity  # so a painting in one is never served for the other
