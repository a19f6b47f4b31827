"""Impossible or absurd plan values are refused in one line before anything is rendered."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from filmaster.config import load_config
from filmaster.errors import ConfigError, InputError, PlanError
from filmaster.limits import LimitsConfig, check_plan
from filmaster.model import Plan
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny.fountain"


@pytest.fixture
def plan_data() -> dict[str, Any]:
    return json.loads(plan_screenplay(develop(TINY)).to_json())


def _first_shot(data: dict[str, Any]) -> dict[str, Any]:
    """Scene 1, shot 2: the first of tiny.fountain's shots that holds a line."""
    shot = data["scenes"][0]["shots"][1]
    assert shot["dialogue"], "tiny.fountain's second shot should hold a line"
    return shot


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda s: s.update(duration_s=math.nan), "duration_s"),
        (lambda s: s.update(duration_s=math.inf), "duration_s"),
        (lambda s: s.update(duration_s=-2.0), "duration_s"),
        (lambda s: s.update(duration_s=0.0), "duration_s"),
        (lambda s: s["dialogue"][0].update(start_s=-1.0), "dialogue.0.start_s"),
        (lambda s: s["camera"].update(lens_mm=-35.0), "camera.lens_mm"),
        (lambda s: s["camera"].update(amount=-3.0), "camera.amount"),
        (lambda s: s.update(duration_s="long"), "duration_s"),
    ],
)
def test_impossible_values_are_refused_naming_the_field(plan_data: dict[str, Any], edit: Any, field: str) -> None:
    edit(_first_shot(plan_data))
    with pytest.raises(InputError, match=re.escape(f"scenes.0.shots.1.{field}'")):
        Plan.from_json(json.dumps(plan_data), "plan.json")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.update(duration_s=1e9), r"duration_s 1e\+09 is more than \[limits\] shot_s = 600"),
        (lambda s: s["camera"].update(movement="dolly_in", amount=1e12), r"more than \[limits\] move_m = 100"),
        (lambda s: s["camera"].update(movement="pan", amount=5000), r"more than \[limits\] turn_deg = 720"),
        (lambda s: s["camera"].update(lens_mm=1e6), r"lens_mm 1e\+06 is more than"),
        (lambda s: s["dialogue"][0].update(start_s=999.0), "starts at 999 s, after the shot ends"),
    ],
)
def test_absurd_values_exceed_the_limits(plan_data: dict[str, Any], edit: Any, message: str) -> None:
    edit(_first_shot(plan_data))
    plan = Plan.from_json(json.dumps(plan_data), "plan.json")
    with pytest.raises(PlanError, match=message):
        check_plan(plan, LimitsConfig())


def test_limits_are_configurable(plan_data: dict[str, Any]) -> None:
    _first_shot(plan_data).update(duration_s=700.0)
    plan = Plan.from_json(json.dumps(plan_data), "plan.json")
    with pytest.raises(PlanError):
        check_plan(plan, LimitsConfig())
    check_plan(plan, LimitsConfig(shot_s=800.0, film_s=10_000.0))
    with pytest.raises(PlanError, match="scenes"):
        check_plan(plan, LimitsConfig(scenes=1))
    with pytest.raises(PlanError, match="no scenes"):
        check_plan(plan.model_copy(update={"scenes": []}), LimitsConfig())


@pytest.mark.parametrize("fps", [1, 13, 23, 48, 100, 120])
def test_frame_rates_the_deliverables_cannot_carry_are_refused_up_front(fps: int) -> None:
    choices = "use one of 23.976, 24, 25, 29.97, 30"
    with pytest.raises(ConfigError, match=rf"render\.fps: .*{fps} fps is not supported; {choices}"):
        load_config(None, {"render": {"fps": fps}})
    for good in (24, 25, 30, 50, 60):
        assert load_config(None, {"render": {"fps": good}}).render.fps == good
    for spelling, rate in (("23.976", 24000 / 1001), (29.97, 30000 / 1001), ("60000/1001", 60000 / 1001)):
        assert load_config(None, {"render": {"fps": spelling}}).render.fps == rate


def test_make_refuses_an_absurd_plan_before_rendering(tmp_path: Path) -> None:
    out = tmp_path / "film"
    command = [sys.executable, "-m", "filmaster", "make", str(TINY), "-o", str(out), "--draft"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert first.returncode == 0, first.stderr
    data = json.loads((out / "plan.json").read_text())
    _first_shot(data).update(duration_s=1e9)
    (out / "plan.json").write_text(json.dumps(data))
    shots_before = sorted((out / ".filmaster" / "cache" / "shots").iterdir())
    second = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert second.returncode == 1
    errors = [line for line in second.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "shot_s = 600" in errors[0] and "Traceback" not in second.stderr
    assert sorted((out / ".filmaster" / "cache" / "shots").iterdir()) == shots_before
