"""`reshoot`: film one shot again (a new seed, or another backend) and re-cut; everything else from the cache.

The change is written into the shot in plan.json (its `seed` and `video_backend`), so the film's plan says how
every take was made, and `make` then treats it as the user's edit of the plan: only that shot's generation key
changes, so only that shot is generated again.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..atomic import write_text_atomic
from ..backends.registry import available_backends
from ..errors import BackendUnavailableError, InputError
from ..model import Plan
from ..project import MANIFEST, STATE_DIR
from .generate import TAKES_FILE

PLAN_FILE = "plan.json"


def prepare_reshoot(out: Path, shot_id: str, backend: str | None, seed: int | None, film_seed: int) -> Path:
    """Write the shot's new backend and seed into OUT/plan.json; return the screenplay the film was made from."""
    plan_path = out / PLAN_FILE
    if not plan_path.is_file():
        raise InputError(f"{out} holds no {PLAN_FILE}; make the film first: filmaster make SCREENPLAY -o {out}")
    try:
        manifest = json.loads((out / STATE_DIR / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    source = Path(manifest.get("source_path", ""))
    if not manifest.get("source_path") or not source.is_file():
        raise InputError(
            f"the screenplay of {out} ({manifest.get('source', 'unknown')}) is no longer where it was made from; "
            "run filmaster make on it again"
        )
    if backend is not None and backend not in available_backends("video"):
        raise BackendUnavailableError(
            f"unknown video backend '{backend}'; available: {', '.join(available_backends('video'))}"
        )
    plan = Plan.load(plan_path)
    if shot_id not in {shot.id for shot in plan.shots}:
        raise InputError(f"{plan_path} has no shot {shot_id}; shots are {', '.join(s.id for s in plan.shots)}")
    previous = _take_seed(out, shot_id, film_seed)
    new_seed = seed if seed is not None else (previous if backend is not None else previous + 1)
    scenes = []
    for scene in plan.scenes:
        shots = [
            shot.model_copy(update={"seed": new_seed, **({"video_backend": backend} if backend else {})})
            if shot.id == shot_id
            else shot
            for shot in scene.shots
        ]
        scenes.append(scene.model_copy(update={"shots": shots}))
    write_text_atomic(plan_path, plan.model_copy(update={"scenes": scenes}).to_json())
    return source


def _take_seed(out: Path, shot_id: str, film_seed: int) -> int:
    path = out / TAKES_FILE
    if path.is_file():
        for take in json.loads(path.read_text(encoding="utf-8")).get("takes", []):
            if take.get("shot_id") == shot_id:
                return int(take.get("seed", film_seed))
    return film_seed
