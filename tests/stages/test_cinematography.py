"""Joint re-planning of a scene's shots from retrieved references: coverage kept, progression adopted."""

from __future__ import annotations

from pathlib import Path

import pytest
from scipy.stats import spearmanr

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.formats.fountain import parse_fountain, read_screenplay
from filmaster.model import Movement, Plan, SceneBlock, SceneReference, ShotKind, ShotScale
from filmaster.model.corpus import CorpusEntry, CorpusShot
from filmaster.retrieval.corpus import load_corpus
from filmaster.retrieval.index import CorpusIndex
from filmaster.retrieval.search import retrieve_many
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.cinematography import (
    RANK,
    STICKY_SCORE,
    _scale_curve,
    explain_scene,
    plan_cinematography,
    replan_scene,
)

ROOT = Path(__file__).resolve().parents[2]
SMALL_CORPUS = ROOT / "tests" / "retrieval" / "small_corpus.json"
EXAMPLES = sorted((ROOT / "examples").glob("*.fountain"))

DIALOGUE = (ROOT / "tests" / "data" / "kitchen_dialogue.fountain").read_text()


def entry(entry_id: str, scales: list[str], movements: list[str] | None = None, duration: float = 3.0) -> CorpusEntry:
    movements = movements or ["static"] * len(scales)
    return CorpusEntry(
        id=entry_id,
        situation=f"situation {entry_id}",
        description="a test sequence",
        objective="a test objective",
        characters=2,
        films=["Film A", "Film B"],
        shots=[
            CorpusShot(scale=s, movement=m, duration_s=duration, shows=f"shot {i}")
            for i, (s, m) in enumerate(zip(scales, movements, strict=True))
        ],
    )


TIGHTENING = entry("tightening", ["WS", "MS", "MS", "MCU", "MCU", "CU", "CU", "ECU"])
REVEAL = entry("reveal", ["ECU", "CU", "CU", "MCU", "MS", "MWS", "WS", "EWS"])
PULL_BACK = entry("pull-back", ["WS", "MS", "MCU", "CU", "CU", "WS"], ["static"] * 5 + ["dolly_out"])


@pytest.fixture(scope="module")
def dialogue_scene() -> SceneBlock:
    return plan_screenplay(parse_fountain(DIALOGUE)).scenes[0]


@pytest.fixture(scope="module")
def replanned_examples(embedder: MiniLMEmbeddingBackend, index: CorpusIndex) -> list[tuple[Plan, Plan]]:
    """Every example screenplay, planned by the breakdown and then re-planned with real retrieval."""
    plans = [plan_screenplay(read_screenplay(path)) for path in EXAMPLES]
    return [(plan, plan_cinematography(plan, index, embedder, k=3)) for plan in plans]


def scale_ranks(scene: SceneBlock) -> list[int]:
    return [RANK[shot.camera.scale] for shot in scene.shots]


def free(scene: SceneBlock, values: list) -> list:
    """`values` at the dialogue coverage shots (over-the-shoulders and singles), whose scale may range MWS..CU.

    The establishing shot and the two-shots are held wide by what they must show, whatever the reference."""
    kinds = (ShotKind.OVER_SHOULDER, ShotKind.SINGLE)
    return [v for v, shot in zip(values, scene.shots, strict=True) if shot.kind in kinds]


def reference_curve(reference: CorpusEntry, n: int) -> list[float]:
    return [_scale_curve(reference, (i + 0.5) / n) for i in range(n)]


def check_coverage(before: SceneBlock, after: SceneBlock) -> None:
    """Every line stays in a shot that shows its speaker; the 180° line and the dialogue are untouched."""
    assert [s.id for s in after.shots] == [f"S{after.index + 1:02d}-{n:02d}" for n in range(1, len(after.shots) + 1)]
    for old, new in zip(before.shots, after.shots, strict=True):
        assert (new.id, new.kind, new.dialogue, new.action) == (old.id, old.kind, old.dialogue, old.action)
        assert new.camera.subjects == old.camera.subjects
        assert new.camera.over_shoulder_of == old.camera.over_shoulder_of
        assert new.camera.line_side == 1
        assert new.prompt.split(". ", 1)[1] == old.prompt.split(". ", 1)[1]  # only the camera sentence changed
        speech = sum(line.duration_s for line in new.dialogue)
        assert new.duration_s >= speech + 0.6 - 1e-9 or not new.dialogue
        assert all(line.start_s + line.duration_s <= new.duration_s for line in new.dialogue)
        for line in new.dialogue:
            if line.character not in after.characters:
                continue  # a voice from off screen has no face to show
            assert line.character in new.camera.subjects
            if new.kind == ShotKind.OVER_SHOULDER:
                assert new.camera.subjects[0] == line.character != new.camera.over_shoulder_of
            assert RANK[new.camera.scale] <= RANK[ShotScale.CU]  # the mouth stays in frame
            assert RANK[new.camera.scale] >= RANK[ShotScale.MWS] or new.kind == ShotKind.TWO_SHOT


def test_examples_keep_their_coverage_and_record_references(replanned_examples: list[tuple[Plan, Plan]]) -> None:
    corpus_ids = {e.id for e in load_corpus(SMALL_CORPUS).entries}
    for before, after in replanned_examples:
        assert len(after.scenes) == len(before.scenes)
        for old, new in zip(before.scenes, after.scenes, strict=True):
            check_coverage(old, new)
            assert len(new.references) == 3 and {r.entry_id for r in new.references} <= corpus_ids
            scores = [r.score for r in new.references]
            assert scores == sorted(scores, reverse=True)
            assert "adopted its scale progression" in new.references[0].why
            assert all(r.films and r.why for r in new.references)


def test_retrieval_changes_the_camera_plan(replanned_examples: list[tuple[Plan, Plan]]) -> None:
    changed = [
        (old.camera.scale, old.camera.movement) != (new.camera.scale, new.camera.movement)
        for before, after in replanned_examples
        for old, new in zip(before.shots, after.shots, strict=True)
    ]
    assert sum(changed) >= len(changed) // 3


@pytest.mark.parametrize("reference", [TIGHTENING, REVEAL], ids=lambda e: e.id)
def test_scale_sequence_follows_the_reference_progression(dialogue_scene: SceneBlock, reference: CorpusEntry) -> None:
    after = replan_scene(dialogue_scene, [(reference, 0.8)])
    check_coverage(dialogue_scene, after)
    curve = free(after, reference_curve(reference, len(after.shots)))
    rho_after = spearmanr(free(after, scale_ranks(after)), curve).statistic
    rho_before = spearmanr(free(dialogue_scene, scale_ranks(dialogue_scene)), curve).statistic
    assert len(curve) >= 6
    assert rho_after >= 0.8, (scale_ranks(after), curve)
    assert rho_after > rho_before + 0.25


def test_opposite_references_give_opposite_progressions(dialogue_scene: SceneBlock) -> None:
    tight = free(dialogue_scene, scale_ranks(replan_scene(dialogue_scene, [(TIGHTENING, 0.8)])))
    reveal = free(dialogue_scene, scale_ranks(replan_scene(dialogue_scene, [(REVEAL, 0.8)])))
    assert spearmanr(tight, reveal).statistic < -0.7
    half = len(tight) // 2
    assert sum(tight[half:]) > sum(tight[:half]) and sum(reveal[half:]) < sum(reveal[:half])


def test_shot_lengths_move_toward_the_reference_pace(dialogue_scene: SceneBlock) -> None:
    asl = dialogue_scene.duration_s / len(dialogue_scene.shots)
    slow = replan_scene(dialogue_scene, [(entry("slow", ["WS", "MS", "CU"], duration=9.0), 0.8)])
    fast = replan_scene(dialogue_scene, [(entry("fast", ["WS", "MS", "CU"], duration=0.8), 0.8)])
    assert slow.duration_s / len(slow.shots) > asl * 1.3
    assert fast.duration_s / len(fast.shots) < asl
    check_coverage(dialogue_scene, fast)  # lines still fit: speech + 0.6 s at least


def test_movements_are_adopted_where_they_keep_the_speaker_framed(dialogue_scene: SceneBlock) -> None:
    n = 8
    pushing = replan_scene(dialogue_scene, [(entry("push", ["MS"] * n, ["dolly_in"] * n), 0.8)])
    assert all(shot.camera.movement == Movement.DOLLY_IN for shot in pushing.shots)
    panning = replan_scene(dialogue_scene, [(entry("pan", ["MS"] * n, ["pan"] * n), 0.8)])
    for shot in panning.shots:
        speaking = any(line.character in panning.characters for line in shot.dialogue)
        assert shot.camera.movement == (Movement.STATIC if speaking else Movement.PAN)
        assert shot.camera.direction == (None if speaking else "left")


def test_the_scene_pulls_back_at_the_end_when_the_reference_does(dialogue_scene: SceneBlock) -> None:
    after = replan_scene(dialogue_scene, [(PULL_BACK, 0.8)])
    last = after.shots[-1]
    assert last.camera.movement == Movement.DOLLY_OUT and last.camera.scale == ShotScale.MWS
    assert "pull-back at the end" in after.references[0].why
    held = replan_scene(dialogue_scene, [(TIGHTENING, 0.8)]).shots[-1]
    assert held.camera.movement != Movement.DOLLY_OUT and RANK[held.camera.scale] >= RANK[ShotScale.MCU]


def test_best_match_leads_the_blend(dialogue_scene: SceneBlock) -> None:
    close_race = replan_scene(dialogue_scene, [(TIGHTENING, 0.62), (REVEAL, 0.45)])
    assert scale_ranks(close_race) == scale_ranks(replan_scene(dialogue_scene, [(TIGHTENING, 0.62)]))
    assert close_race.references[0].why.startswith("weight 97%")


def test_replanning_is_deterministic(
    dialogue_scene: SceneBlock,
    replanned_examples: list[tuple[Plan, Plan]],
    embedder: MiniLMEmbeddingBackend,
    index: CorpusIndex,
) -> None:
    refs = [(TIGHTENING, 0.7), (PULL_BACK, 0.66), (REVEAL, 0.6)]
    assert replan_scene(dialogue_scene, refs).to_json() == replan_scene(dialogue_scene, refs).to_json()
    before, after = replanned_examples[0]
    assert plan_cinematography(before, index, embedder).to_json() == after.to_json()


def test_no_references_leaves_the_scene_as_planned(dialogue_scene: SceneBlock) -> None:
    assert replan_scene(dialogue_scene, []) == dialogue_scene


def test_another_planner_can_replace_the_default(
    replanned_examples: list[tuple[Plan, Plan]], embedder: MiniLMEmbeddingBackend, index: CorpusIndex
) -> None:
    class KeepCoverage:  # the ScenePlanner protocol: what an LLM re-planner would implement
        def replan(self, scene: SceneBlock, references) -> SceneBlock:
            notes = [SceneReference(entry_id=e.id, situation=e.situation, score=s) for e, s in references]
            return scene.model_copy(update={"references": notes})

    before, _ = replanned_examples[0]
    after = plan_cinematography(before, index, embedder, k=2, planner=KeepCoverage())
    assert [s.shots for s in after.scenes] == [s.shots for s in before.scenes]
    assert all(len(s.references) == 2 for s in after.scenes)


def test_explain_names_references_films_reasons_and_shots(dialogue_scene: SceneBlock) -> None:
    after = replan_scene(dialogue_scene, [(PULL_BACK, 0.71), (TIGHTENING, 0.64)])
    text = explain_scene(after)
    assert text.startswith("Scene 1: INT. KITCHEN - NIGHT")
    assert "pull-back (similarity 0.71)" in text and "as in Film A, Film B" in text
    assert after.references[0].why in text
    assert all(shot.id in text for shot in after.shots)
    assert "no references" in explain_scene(dialogue_scene)


def _with_references(plan: Plan, scene_index: int, refs: list[tuple[str, float]]) -> Plan:
    scenes = [
        s.model_copy(
            update={"references": [SceneReference(entry_id=i, situation="", score=score) for i, score in refs]}
        )
        if s.index == scene_index
        else s
        for s in plan.scenes
    ]
    return plan.model_copy(update={"scenes": scenes})


def test_a_scene_keeps_its_references_while_they_still_match(
    embedder: MiniLMEmbeddingBackend, index: CorpusIndex
) -> None:
    """Rewording a line moves a scene's similarities a little; near-equal neighbours must not swap and re-shoot
    the scene. Previous references within the top 2k and STICKY_SCORE of their similarity are kept; others not."""
    plan = plan_screenplay(read_screenplay(EXAMPLES[0]))
    fresh = plan_cinematography(plan, index, embedder, k=3)
    ranked = retrieve_many(plan.scenes, index, embedder, 6)[0]
    runners_up = [(entry.id, score) for entry, score in ranked[2:5]]  # ranks 3-5: in the top 2k, not the top k
    kept = plan_cinematography(plan, index, embedder, k=3, previous=_with_references(fresh, 0, runners_up))
    assert [(r.entry_id, r.score) for r in kept.scenes[0].references] == [(i, round(s, 4)) for i, s in runners_up]
    assert [s.references for s in kept.scenes[1:]] == [s.references for s in fresh.scenes[1:]]

    # Drifted by more than STICKY_SCORE, or one of them out of the top 2k: retrieved afresh.
    drifted = [(i, s - 2 * STICKY_SCORE) for i, s in runners_up]
    fallen = [*runners_up[:2], ("no-such-entry", 0.9)]
    for previous in (drifted, fallen):
        again = plan_cinematography(plan, index, embedder, k=3, previous=_with_references(fresh, 0, previous))
        assert again.scenes[0].references == fresh.scenes[0].references
    # Asked for another number of references: retrieved afresh.
    fewer = plan_cinematography(plan, index, embedder, k=2, previous=_with_references(fresh, 0, runners_up))
    assert [r.entry_id for r in fewer.scenes[0].references] == [e.id for e, _ in ranked[:2]]
    # Another scene at that place in the screenplay: retrieved afresh.
    before = _with_references(fresh, 0, runners_up)
    moved = before.scenes[0].model_copy(update={"heading": "INT. SOMEWHERE ELSE - NIGHT"})
    renamed = before.model_copy(update={"scenes": [moved, *before.scenes[1:]]})
    again = plan_cinematography(plan, index, embedder, k=3, previous=renamed)
    assert again.scenes[0].references == fresh.scenes[0].references
