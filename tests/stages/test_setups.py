"""No two consecutive shots of a scene with the same set-up, whatever planned them (see stages/setups.py)."""

from __future__ import annotations

from filmaster.formats.fountain import parse_fountain
from filmaster.model import SceneBlock, ShotKind, ShotScale
from filmaster.previz.testing import make_scene, make_shot
from filmaster.retrieval.index import CorpusIndex
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.cinematography import References, plan_cinematography
from filmaster.stages.coverage import RANK
from filmaster.stages.setups import distinct_setups, repeated_setups, same_setup

REPEATS = """\
Title: Repeats

EXT. SHORE - DAY

The sea. Gulls over the water. The tide comes in.

ANNA
We wait.

ANNA
We wait a little longer.

ANNA
And then we go.
"""


def _scene(*shots) -> SceneBlock:
    return make_scene().model_copy(update={"shots": list(shots)})


def test_a_repeated_wide_moves_one_scale_step_and_keeps_its_coverage() -> None:
    a = make_shot(shot_id="S01-01", kind=ShotKind.ESTABLISHING, scale="WS")
    b = make_shot(shot_id="S01-02", kind=ShotKind.CUTAWAY, scale="WS")
    c = make_shot(shot_id="S01-03", kind=ShotKind.SINGLE, scale="MWS", subjects=["ANNA"])
    assert repeated_setups([a, b, c]) == [("S01-01", "S01-02")]
    fixed = distinct_setups(_scene(a, b, c))
    assert repeated_setups(fixed.shots) == []
    moved = fixed.shots[1].camera
    assert abs(RANK[moved.scale] - RANK[ShotScale.WS]) == 1 and moved.scale <= ShotScale.MWS
    assert moved.lens_mm != b.camera.lens_mm  # the lens follows the new scale
    assert fixed.shots[1].prompt.startswith(moved.sentence())
    assert fixed.shots[0] == a and fixed.shots[2] == c  # the others are untouched


def test_the_step_does_not_repeat_the_next_shot() -> None:
    a = make_shot(shot_id="S01-01", kind=ShotKind.ESTABLISHING, scale="WS")
    b = make_shot(shot_id="S01-02", kind=ShotKind.CUTAWAY, scale="WS")
    c = make_shot(shot_id="S01-03", kind=ShotKind.WIDE, scale="MWS")  # tighter would copy this one
    fixed = distinct_setups(_scene(a, b, c))
    assert [s.camera.scale for s in fixed.shots] == [ShotScale.WS, ShotScale.EWS, ShotScale.MWS]
    two = make_shot(shot_id="S01-01", kind=ShotKind.TWO_SHOT, scale="WS", subjects=["ANNA", "BEN"])
    again = make_shot(shot_id="S01-02", kind=ShotKind.TWO_SHOT, scale="WS", subjects=["BEN", "ANNA"])
    assert same_setup(two, again)  # the same people, in any order
    assert distinct_setups(_scene(two, again)).shots[1].camera.scale == ShotScale.MWS


def test_no_planner_leaves_a_repeated_setup(index: CorpusIndex, embedder) -> None:
    """The breakdown, and the stage after any re-planner (here one that copies the first shot's set-up onto all)."""
    plan = plan_screenplay(parse_fountain(REPEATS))
    for scene in plan.scenes:
        assert repeated_setups(scene.shots) == []

    class Monotone:
        def replan(self, scene: SceneBlock, references: References) -> SceneBlock:
            first = scene.shots[0].camera
            return scene.model_copy(update={"shots": [s.model_copy(update={"camera": first}) for s in scene.shots]})

    replanned = plan_cinematography(plan, index, embedder, k=2, planner=Monotone())
    for scene in replanned.scenes:
        assert len(scene.shots) > 2 and repeated_setups(scene.shots) == []
