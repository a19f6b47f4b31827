"""Cinematography: re-plan each scene's shots jointly from the real-film sequences retrieved for it.

The breakdown gives every scene correct coverage (who is in which shot, which line is spoken where, cameras on
one side of the 180° line) but a shot-by-shot camera. Following FilMaster, this stage retrieves the top-K corpus
sequences most similar to the whole scene and re-plans all of its shots together so they read as one sequence:

- **scale progression**: the references' scale curves (weighted toward the best match) are laid over the
  scene's story beats by relative position, so the scene opens, tightens and releases where they do; each shot
  then takes the nearest scale its coverage allows (an over-the-shoulder stays MWS..CU, an insert CU..ECU, ...);
- **movement and angle**: each shot takes the move of the reference shot at the same position, when that move
  keeps its subjects framed (a dialogue shot never pans off its speaker) and has time to read;
- **rhythm**: durations move halfway (geometrically) toward the references' average shot length, never below
  what the shot's lines need;
- **ending**: if the references (by weight) pull back at the end, so does the scene's last shot.

Kinds, subjects, dialogue and ids are kept and every camera stays on the breakdown's side of the 180° line
(`line_side` 1, see `CameraSpec.reframed`), so the coverage and the 180° line hold. The planner is
deterministic; an LLM re-planner can replace it through the `ScenePlanner` protocol.

Re-planning after an edit keeps a scene's references while they still match it: every word of a scene is in its
query, so rewording a line moves the similarities a little and can swap near-equal neighbours, and the scene would
be shot anew — a new camera for every shot — for a changed word. A scene keeps its previous references (and their
weights) while each of them is still among the top 2K and within STICKY_SCORE of its previous similarity; a scene
whose content really changed is retrieved afresh.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..backends.embed.base import EmbeddingBackend
from ..model import Angle, Movement, Plan, SceneBlock, SceneReference, Shot, ShotKind, ShotScale
from ..model.camera import Direction
from ..model.corpus import CorpusEntry, CorpusShot
from ..retrieval.corpus import MIN_DURATION_S
from ..retrieval.index import CorpusIndex
from ..retrieval.search import DEFAULT_K, retrieve_many
from .coverage import RANK, clamp_scale, scale_range, speaks
from .setups import distinct_setups, retitle_prompt

References = Sequence[tuple[CorpusEntry, float]]

# Moves that keep a speaker framed for the whole shot; the rest are swapped for their nearest such move.
DIALOGUE_MOVES = frozenset(
    {Movement.STATIC, Movement.DOLLY_IN, Movement.DOLLY_OUT, Movement.ZOOM, Movement.HANDHELD, Movement.ARC}
)
DIALOGUE_SUBSTITUTE = {
    Movement.PAN: Movement.STATIC,
    Movement.TILT: Movement.STATIC,
    Movement.TRUCK: Movement.ARC,
    Movement.TRACKING: Movement.ARC,
    Movement.PEDESTAL: Movement.STATIC,
    Movement.CRANE: Movement.DOLLY_OUT,
    Movement.DOLLY_ZOOM: Movement.DOLLY_IN,
}
DIRECTIONS: dict[Movement, tuple[Direction, ...]] = {
    Movement.PAN: ("left", "right"),
    Movement.TILT: ("up", "down"),
    Movement.TRUCK: ("left", "right"),
    Movement.PEDESTAL: ("up", "down"),
    Movement.CRANE: ("up", "down", "in", "out"),
    Movement.ARC: ("left", "right"),
    Movement.TRACKING: ("left", "right", "in", "out"),
    Movement.ZOOM: ("in", "out"),
    Movement.DOLLY_ZOOM: ("in", "out"),
}
# Moves that can follow a travelling character.
FOLLOW_MOVES = frozenset({Movement.TRACKING, Movement.HANDHELD, Movement.TRUCK, Movement.PAN})
SPEAKING_ANGLES = frozenset({Angle.EYE_LEVEL, Angle.HIGH, Angle.LOW})
PACE_BLEND = 0.5  # 0 keeps the breakdown's durations, 1 adopts the references' ASL outright
LINE_CLEARANCE_S = 0.6  # a shot outlasts its speech by at least this much
MIN_SHOT_S = 1.0
WEIGHT_TEMPERATURE = 0.05  # softmax over similarity: 0.05 apart in score ≈ e× the weight


class ScenePlanner(Protocol):
    """Re-plans one scene's shots from its retrieved references (the rule-based default, or an LLM)."""

    def replan(self, scene: SceneBlock, references: References) -> SceneBlock: ...


# ---------------------------------------------------------------------------------------------------- profiles
def reference_weights(references: References) -> list[float]:
    """Softmax of the similarity scores: the best match leads, close runners-up still count."""
    if not references:
        return []
    best = max(score for _, score in references)
    raw = [math.exp((score - best) / WEIGHT_TEMPERATURE) for _, score in references]
    return [w / sum(raw) for w in raw]


def _at(entry: CorpusEntry, position: float) -> CorpusShot:
    """The reference shot at a relative position (0..1) of its sequence, by shot order."""
    return entry.shots[min(int(position * len(entry.shots)), len(entry.shots) - 1)]


def _scale_curve(entry: CorpusEntry, position: float) -> float:
    """Scale rank at `position`, linearly interpolated between the midpoints of the entry's shots."""
    ranks = [RANK[shot.scale] for shot in entry.shots]
    x = position * len(ranks) - 0.5
    lo = min(max(math.floor(x), 0), len(ranks) - 1)
    hi = min(lo + 1, len(ranks) - 1)
    frac = min(max(x - lo, 0.0), 1.0)
    return ranks[lo] * (1 - frac) + ranks[hi] * frac


def pulls_back_at_end(entry: CorpusEntry) -> bool:
    """Does the sequence end wider than its tightest moment, or on a pull-back move?"""
    last = entry.shots[-1]
    tightest = max(RANK[s.scale] for s in entry.shots)
    backward = last.movement == Movement.DOLLY_OUT or (last.movement == Movement.CRANE and last.direction == "up")
    return len(entry.shots) >= 3 and (RANK[last.scale] <= tightest - 2 or backward)


def asl(entry: CorpusEntry) -> float:
    return sum(s.duration_s for s in entry.shots) / len(entry.shots)


# ---------------------------------------------------------------------------------------------------- shot rules
def speech_floor_s(shot: Shot) -> float:
    """The shortest the shot may be and still hold its lines (their speech plus LINE_CLEARANCE_S)."""
    if not shot.dialogue:
        return MIN_SHOT_S
    speech_end = max(line.start_s + line.duration_s for line in shot.dialogue)
    speech = sum(line.duration_s for line in shot.dialogue)
    return max(MIN_SHOT_S, speech + LINE_CLEARANCE_S, speech_end + 0.25)


def fit_movement(shot: Shot, scene: SceneBlock, ref: CorpusShot, duration: float) -> tuple[Movement, Direction | None]:
    """The reference shot's move, made safe for this shot's coverage and length."""
    move = ref.movement
    if shot.camera.movement == Movement.TRACKING and move not in FOLLOW_MOVES:
        # The breakdown tracks a character who travels: the action motivates the move, keep following.
        return Movement.TRACKING, shot.camera.direction
    if speaks(shot, scene) and move not in DIALOGUE_MOVES:
        move = DIALOGUE_SUBSTITUTE.get(move, Movement.STATIC)
    if shot.kind == ShotKind.INSERT and move not in (Movement.STATIC, Movement.DOLLY_IN, Movement.ZOOM):
        move = Movement.STATIC  # a prop on a table: anything else loses it
    if duration < MIN_DURATION_S[move]:  # too short for the move to read on screen
        move = Movement.STATIC
    allowed = DIRECTIONS.get(move)
    if allowed is None:
        return move, None
    if ref.direction in allowed:
        return move, ref.direction
    return move, allowed[0] if move not in (Movement.ZOOM, Movement.DOLLY_ZOOM) else "in"


def fit_angle(shot: Shot, scene: SceneBlock, ref: CorpusShot) -> Angle:
    if shot.kind == ShotKind.INSERT:
        return shot.camera.angle  # the breakdown looks down on props so they read
    if speaks(shot, scene) and ref.angle not in SPEAKING_ANGLES:
        return shot.camera.angle
    return ref.angle


# ---------------------------------------------------------------------------------------------------- planner
@dataclass(frozen=True)
class _ShotChoice:
    shot: Shot
    target_rank: float  # the references' curve at this beat, before coverage limits
    source: int  # which reference the move came from


class RetrievalScenePlanner:
    """The deterministic re-planner described in the module docstring."""

    def replan(self, scene: SceneBlock, references: References) -> SceneBlock:
        if not references or not scene.shots:
            return scene
        weights = reference_weights(references)
        entries = [entry for entry, _ in references]
        n = len(scene.shots)
        # Unweighted over the retrieved set: similarity scores drift with every word of the scene, and pacing
        # that drifted with them would re-time (and re-render) every shot after a one-word edit.
        ref_asl = sum(asl(e) for e in entries) / len(entries)
        pull_back = sum(w for w, e in zip(weights, entries, strict=True) if pulls_back_at_end(e)) > 0.5

        choices: list[_ShotChoice] = []
        for i, shot in enumerate(scene.shots):
            position = (i + 0.5) / n
            target = sum(w * _scale_curve(e, position) for w, e in zip(weights, entries, strict=True))
            # Each shot's length moves toward the references' average shot length on its own (a geometric blend),
            # so editing one shot's line never re-times — and so re-renders — the rest of the scene.
            blended = shot.duration_s ** (1 - PACE_BLEND) * ref_asl**PACE_BLEND
            duration = round(max(speech_floor_s(shot), blended), 2)
            scale = clamp_scale(shot, scene, round(target))
            source, ref_shot = 0, _at(entries[0], position)
            movement, direction = fit_movement(shot, scene, ref_shot, duration)
            if movement == Movement.STATIC and ref_shot.movement != Movement.STATIC:
                # The best match's move does not fit here; take a runner-up's move at this beat if one does.
                for j, entry in enumerate(entries[1:], start=1):
                    alt = _at(entry, position)
                    alt_move = fit_movement(shot, scene, alt, duration)
                    if alt_move[0] != Movement.STATIC:
                        source, ref_shot, (movement, direction) = j, alt, alt_move
                        break
            if pull_back and i == n - 1 and shot.kind != ShotKind.INSERT:
                scale = scale_range(shot, scene)[0]
                movement, direction = Movement.DOLLY_OUT, None
            camera = shot.camera.reframed(scale, movement, direction, fit_angle(shot, scene, ref_shot))
            new_shot = shot.model_copy(
                update={"camera": camera, "duration_s": duration, "prompt": retitle_prompt(shot.prompt, camera)}
            )
            choices.append(_ShotChoice(new_shot, target, source))

        shots = renumber(scene.index, [c.shot for c in choices])
        notes = [
            reference_note(entry, score, _why(j, entry, weights[j], choices, shots, ref_asl, pull_back))
            for j, (entry, score) in enumerate(references)
        ]
        return scene.model_copy(update={"shots": shots, "references": notes})


def reference_note(entry: CorpusEntry, score: float, why: str) -> SceneReference:
    """What plan.json records of one retrieved reference."""
    return SceneReference(
        entry_id=entry.id, situation=entry.situation, score=round(score, 4), films=list(entry.films), why=why
    )


def renumber(scene_index: int, shots: list[Shot]) -> list[Shot]:
    """Ids and numbers in order: S<scene>-<shot>, both 1-based (`S01-03` = scene 1, shot 3)."""
    return [
        shot.model_copy(update={"id": f"S{scene_index + 1:02d}-{n:02d}", "number": n, "scene_index": scene_index})
        for n, shot in enumerate(shots, start=1)
    ]


# ---------------------------------------------------------------------------------------------------- reporting
def _arrow(scales: list[ShotScale]) -> str:
    collapsed = [s.value for i, s in enumerate(scales) if i == 0 or s != scales[i - 1]]
    return " → ".join(collapsed)


def _why(
    j: int,
    entry: CorpusEntry,
    weight: float,
    choices: list[_ShotChoice],
    shots: list[Shot],
    ref_asl: float,
    pull_back: bool,
) -> str:
    parts = [f"weight {weight:.0%}"]
    if j == 0:
        parts.append(
            f"adopted its scale progression {_arrow([s.scale for s in entry.shots])} "
            f"as {_arrow([s.camera.scale for s in shots])}"
        )
    else:
        parts.append(f"blended its scale progression {_arrow([s.scale for s in entry.shots])} into the curve")
    moved = [
        f"{shot.camera.movement.value.replace('_', ' ')} on {shot.id}"
        for choice, shot in zip(choices, shots, strict=True)
        if choice.source == j and shot.camera.movement != Movement.STATIC
    ]
    if moved:
        parts.append("its movement: " + ", ".join(moved))
    parts.append(f"its pacing (ASL {asl(entry):.1f} s; blended target {ref_asl:.1f} s)")
    if pull_back and pulls_back_at_end(entry) and shots[-1].camera.movement == Movement.DOLLY_OUT:
        parts.append(f"its pull-back at the end ({shots[-1].id} dolly out)")
    return "; ".join(parts)


def explain_scene(scene: SceneBlock) -> str:
    """Which references a scene's camera plan came from, what was taken from each, and the resulting shots."""
    lines = [f"Scene {scene.index + 1}: {scene.heading}", f"  objective: {scene.objective or '-'}"]
    if not scene.references:
        lines.append("  no references: the breakdown's coverage is used as planned (retrieval did not run)")
    for n, ref in enumerate(scene.references, start=1):
        films = f" — as in {', '.join(ref.films)}" if ref.films else ""
        lines.append(f"  {n}. {ref.entry_id} (similarity {ref.score:.2f}): {ref.situation}{films}")
        lines.append(f"     {ref.why}")
    lines.append("  shots:")
    for shot in scene.shots:
        cam = shot.camera
        move = cam.movement.value.replace("_", " ") + (f" {cam.direction}" if cam.direction else "")
        who = ", ".join(cam.subjects) or "-"
        lines.append(
            f"    {shot.id} {shot.kind.value:<13} {cam.scale.value:<4} {cam.angle.value:<9} {move:<14} "
            f"{shot.duration_s:5.2f} s  {who}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------- the stage
def replan_scene(scene: SceneBlock, references: References) -> SceneBlock:
    """Re-plan one scene's shots jointly from its retrieved references (see the module docstring)."""
    return RetrievalScenePlanner().replan(scene, references)


def plan_cinematography(
    plan: Plan,
    index: CorpusIndex,
    embedder: EmbeddingBackend,
    k: int = DEFAULT_K,
    planner: ScenePlanner | None = None,
    previous: Plan | None = None,
) -> Plan:
    """Retrieve the top-k references for every scene (one embedding batch) and re-plan each scene from them; a
    scene of the `previous` plan (same place in the screenplay, same heading) keeps its references while they still
    match (see the module's docstring)."""
    planner = planner or RetrievalScenePlanner()
    found = retrieve_many(plan.scenes, index, embedder, 2 * k)
    scenes = []
    for scene, candidates in zip(plan.scenes, found, strict=True):
        references = _kept_references(scene, candidates[:k], candidates, previous) or candidates[:k]
        # Whatever planned it (rules or a language model), no cut of the scene joins two equal set-ups.
        scenes.append(distinct_setups(planner.replan(scene, references)))
    return plan.model_copy(update={"scenes": scenes})


STICKY_SCORE = 0.05  # how far a kept reference's similarity may have moved (the weights' temperature)


def _kept_references(
    scene: SceneBlock, fresh: References, candidates: References, previous: Plan | None
) -> list[tuple[CorpusEntry, float]] | None:
    """The previous plan's references for this scene, with their previous similarities, if they still match it
    (and are as many as the `fresh` ones: a changed top-k retrieves afresh)."""
    before = next((s for s in previous.scenes if s.index == scene.index), None) if previous else None
    if before is None or before.heading != scene.heading or len(before.references) != len(fresh) or not fresh:
        return None
    now = {entry.id: (entry, score) for entry, score in candidates}
    kept = []
    for ref in before.references:
        if ref.entry_id not in now or abs(now[ref.entry_id][1] - ref.score) > STICKY_SCORE:
            return None
        kept.append((now[ref.entry_id][0], ref.score))
    return kept
