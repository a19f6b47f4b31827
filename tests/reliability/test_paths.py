"""Ids that become file names are safe names; a hand-edited plan.json cannot make `make` write outside its folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from filmaster.errors import InputError
from filmaster.model import Plan
from filmaster.model.sound import SoundPlan

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny.fountain"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("paths") / "film"
    result = subprocess.run(
        [sys.executable, "-m", "filmaster", "make", str(TINY), "-o", str(out), "--draft"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("bad_id", ["../../escaped", "/tmp/absolute-shot", ".hidden", "a/b", "..", ""])
def test_plan_with_an_unsafe_shot_id_is_refused_naming_the_field(made: Path, bad_id: str) -> None:
    data = json.loads((made / "plan.json").read_text())
    data["scenes"][0]["shots"][0]["id"] = bad_id
    with pytest.raises(InputError, match=r"at 'scenes\.0\.shots\.0\.id'"):
        Plan.from_json(json.dumps(data), "plan.json")


def test_duplicate_shot_ids_are_refused(made: Path) -> None:
    data = json.loads((made / "plan.json").read_text())
    shots = data["scenes"][0]["shots"]
    shots[1]["id"] = shots[0]["id"]
    with pytest.raises(InputError, match=f"shot id '{shots[0]['id']}' is used twice"):
        Plan.from_json(json.dumps(data), "plan.json")


def test_sound_cue_media_cannot_leave_the_project(made: Path) -> None:
    data = json.loads((made / ".filmaster" / "sound.json").read_text())
    data["cues"][0]["media"] = "../../outside.wav"
    with pytest.raises(InputError, match=r"cues\.0\.media.*inside the project"):
        SoundPlan.from_json(json.dumps(data), "sound.json")


def test_make_refuses_an_edited_plan_that_points_outside_and_writes_nothing_there(made: Path) -> None:
    plan = made / "plan.json"
    data = json.loads(plan.read_text())
    data["scenes"][0]["shots"][0]["id"] = "../../escaped"
    plan.write_text(json.dumps(data))
    before = {p for p in made.parent.parent.rglob("*")}
    result = subprocess.run(
        [sys.executable, "-m", "filmaster", "make", str(TINY), "-o", str(made), "--draft"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert "scenes.0.shots.0.id" in errors[0] and "cannot name a file" in errors[0]
    outside = {p for p in made.parent.parent.rglob("*") if made not in p.parents and p != made}
    assert outside <= before, outside - before
