"""The intensity curve read from the screenplay: conflict, action, dialogue tempo and mood raise it."""

from __future__ import annotations

from pathlib import Path

from filmaster.model import Mood
from filmaster.post.intensity import intensity_curve, scene_intensity
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_conflict_and_action_raise_a_scene_and_an_edit_moves_no_other_scene() -> None:
    plan = plan_screenplay(develop(EXAMPLES / "the_last_ferry.fountain"))
    scene = plan.scenes[1]
    calm = scene.model_copy(
        update={"mood": Mood.CALM, "shots": [s.model_copy(update={"action": "She sits."}) for s in scene.shots]}
    )
    fight = calm.model_copy(
        update={
            "mood": Mood.TENSE,
            "shots": [
                s.model_copy(update={"action": "He grabs the knife and lunges. She screams: stop!"}) for s in calm.shots
            ],
        }
    )
    assert scene_intensity(fight) > scene_intensity(calm) + 0.3
    curve = intensity_curve(plan)
    assert min(curve.values()) >= 0.0 and max(curve.values()) <= 1.0
    # Rewording the most intense scene a little changes no other scene's intensity (so no other scene's pace).
    hot = max(curve, key=curve.__getitem__)
    scenes = list(plan.scenes)
    first = scenes[hot].shots[0]
    scenes[hot] = scenes[hot].model_copy(
        update={"shots": [first.model_copy(update={"action": first.action + " Now!"}), *scenes[hot].shots[1:]]}
    )
    edited = intensity_curve(plan.model_copy(update={"scenes": scenes}))
    assert all(edited[i] == curve[i] for i in curve if i != hot)
