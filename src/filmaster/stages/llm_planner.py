"""The LLM re-planner: a language model re-plans a scene's shots jointly, with the retrieved references in its prompt.

It implements the cinematography stage's `ScenePlanner` protocol. The model sees the scene (heading, objective,
mood, characters, and per shot: id, kind, subjects, dialogue, the scales its coverage allows and its duration
floor) and the K references' shot sequences, and answers with one JSON object:

    {"shots": [{"id", "scale", "angle", "movement", "direction", "duration_s"}, ...], "rationale": "..."}

The answer is validated (pydantic, with the camera enums) and then applied under the same safety rules as the
rule-based planner, so no answer can break the coverage: every shot id must appear exactly once; scales are
clamped to what each shot's coverage allows; durations never drop below the speech floor; moves that would lose a
speaker or a prop are swapped; kinds, subjects, dialogue and ids are kept, and every camera stays on the side
of the 180° line the breakdown uses (`line_side` 1, see `CameraSpec.reframed`). Two consecutive shots the model
gave the same set-up are told apart by the cinematography stage after it (`stages/setups.py`), as for any
planner. An invalid answer gets one repair round-trip with the validation error in the prompt; a second invalid
answer falls back to the rule-based planner with a logged warning. `SceneReference.why` records which planner
produced the plan. An unreachable service is not an invalid answer: its BackendUnavailableError propagates, so a
transient outage is never cached as if the model had planned the scene.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..backends.llm.base import LLMBackend
from ..errors import BackendUnavailableError, PlanError
from ..model import Angle, Movement, SceneBlock, Shot, ShotScale
from ..model.camera import Direction
from ..model.corpus import CorpusEntry, CorpusShot
from ..prompts import load_prompt
from .cinematography import (
    RANK,
    References,
    RetrievalScenePlanner,
    ScenePlanner,
    clamp_scale,
    fit_angle,
    fit_movement,
    reference_note,
    reference_weights,
    renumber,
    retitle_prompt,
    scale_range,
    speech_floor_s,
)

log = logging.getLogger(__name__)

DIRECTIONS: list[str] = ["left", "right", "up", "down", "in", "out"]
MAX_LINE_CHARS = 160  # dialogue is context for the camera, not something the model must reproduce
MAX_RATIONALE_CHARS = 400
MAX_ERROR_CHARS = 240  # of the validation error recorded in a fallback's SceneReference.why
VERSION = "1"  # bump when the prompt or the way answers are applied changes, so cached plans are redone

# The prompt is a package file (prompts/camera/replan.v<N>.md); a new version of it changes VERSION too.
SYSTEM_PROMPT, _ = load_prompt("camera", "replan").render(
    scales=", ".join(s.value for s in ShotScale),
    angles=", ".join(a.value for a in Angle),
    movements=", ".join(m.value for m in Movement),
    directions=", ".join(DIRECTIONS),
)


# ---------------------------------------------------------------------------------------------------- the answer
class ShotAnswer(BaseModel):
    """The model's camera for one shot."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    scale: ShotScale
    angle: Angle
    movement: Movement
    direction: Direction | None = None
    duration_s: float = Field(gt=0, le=600)

    @field_validator("scale", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("angle", "movement", "direction", mode="before")
    @classmethod
    def _snake(cls, value: Any) -> Any:
        # "Eye level", "dolly-in", "" and "none" are what models write for eye_level, dolly_in and null.
        if not isinstance(value, str):
            return value
        value = value.strip().lower().replace(" ", "_").replace("-", "_")
        return None if value in ("", "none", "null") else value


class SceneAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    shots: list[ShotAnswer] = Field(min_length=1)
    rationale: str = ""


def answer_schema(scene: SceneBlock) -> dict[str, Any]:
    """JSON Schema of the answer for this scene, in the subset OpenAI's strict structured output accepts."""
    ids = [shot.id for shot in scene.shots]
    shot = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "scale", "angle", "movement", "direction", "duration_s"],
        "properties": {
            "id": {"type": "string", "enum": ids},
            "scale": {"type": "string", "enum": [s.value for s in ShotScale]},
            "angle": {"type": "string", "enum": [a.value for a in Angle]},
            "movement": {"type": "string", "enum": [m.value for m in Movement]},
            "direction": {"type": ["string", "null"], "enum": [*DIRECTIONS, None]},
            "duration_s": {"type": "number"},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["shots", "rationale"],
        "properties": {
            "shots": {"type": "array", "items": shot, "minItems": len(ids), "maxItems": len(ids)},
            "rationale": {"type": "string"},
        },
    }


def validate_answer(raw: dict[str, Any], scene: SceneBlock) -> SceneAnswer:
    """The answer as a SceneAnswer covering every shot id exactly once; PlanError (one line) otherwise."""
    try:
        answer = SceneAnswer.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in err['loc']) or 'answer'}: {err['msg']}" for err in exc.errors()]
        more = f"; and {len(problems) - 6} more" if len(problems) > 6 else ""
        raise PlanError("; ".join(problems[:6]) + more) from None
    expected = [shot.id for shot in scene.shots]
    given = [shot.id for shot in answer.shots]
    problems = []
    if missing := [i for i in expected if i not in given]:
        problems.append(f"missing shot id(s) {', '.join(missing)}")
    if unknown := sorted({i for i in given if i not in expected}):
        problems.append(f"unknown shot id(s) {', '.join(unknown)}")
    if repeated := sorted({i for i in given if given.count(i) > 1}):
        problems.append(f"shot id(s) given more than once: {', '.join(repeated)}")
    if problems:
        raise PlanError("; ".join(problems) + f"; answer for exactly these ids: {', '.join(expected)}")
    return answer


# ---------------------------------------------------------------------------------------------------- the prompt
def _shot_line(shot: Shot, scene: SceneBlock) -> str:
    cam = shot.camera
    low, high = scale_range(shot, scene)
    who = ", ".join(cam.subjects) or "none"
    if cam.over_shoulder_of:
        who += f" (over the shoulder of {cam.over_shoulder_of})"
    lines = [
        f"- {shot.id}: {shot.kind.value}; subjects: {who}; scale {low.value}..{high.value}; "
        f"duration_s ≥ {speech_floor_s(shot):.2f} (now {shot.duration_s:.2f}); "
        f"now {cam.scale.value} {cam.angle.value} {cam.movement.value}"
    ]
    if shot.action:
        lines.append(f"    action: {shot.action[:MAX_LINE_CHARS]}")
    for line in shot.dialogue:
        lines.append(f'    {line.character}: "{line.text[:MAX_LINE_CHARS]}" ({line.duration_s:.1f} s)')
    return "\n".join(lines)


def _reference_lines(n: int, entry: CorpusEntry, score: float) -> str:
    films = f" As in {', '.join(entry.films)}." if entry.films else ""
    head = f"{n}. {entry.id} (similarity {score:.2f}): {entry.situation}. {entry.objective}.{films}"
    shots = [
        f"   {i}. {s.scale.value} {s.angle.value} {s.movement.value}{' ' + s.direction if s.direction else ''} "
        f"{s.duration_s:.1f} s{': ' + s.shows if s.shows else ''}"
        for i, s in enumerate(entry.shots, start=1)
    ]
    return "\n".join([head, *shots])


def build_prompt(scene: SceneBlock, references: References) -> str:
    """The user message: the scene with its shots, then the references' shot sequences, closest first."""
    parts = [
        f"Scene {scene.index + 1}: {scene.heading}",
        f"Objective: {scene.objective or '-'}",
        f"Mood: {scene.mood.value}. Time: {scene.time_of_day.value}. "
        f"Characters: {', '.join(scene.characters) or 'none'}.",
        f"Shots ({len(scene.shots)}, in order):",
        *(_shot_line(shot, scene) for shot in scene.shots),
        "",
        "Reference sequences from real films (closest first):",
        *(_reference_lines(n, entry, score) for n, (entry, score) in enumerate(references, start=1)),
        "",
        f"Answer with the JSON object for shots {', '.join(s.id for s in scene.shots)}.",
    ]
    return "\n".join(parts)


def repair_prompt(prompt: str, raw: dict[str, Any] | None, error: str) -> str:
    previous = json.dumps(raw)[:4000] if raw is not None else "(not a JSON object)"
    return (
        f"{prompt}\n\nYour previous answer was invalid.\nPrevious answer: {previous}\nProblem: {error}\n"
        "Answer again with a corrected JSON object that follows every rule."
    )


# ---------------------------------------------------------------------------------------------------- the planner
class LLMScenePlanner:
    """Re-plans a scene with an LLM; falls back to `fallback` (the rule-based planner) when it answers badly twice."""

    def __init__(self, llm: LLMBackend, fallback: ScenePlanner | None = None) -> None:
        self.llm = llm
        self.fallback = fallback or RetrievalScenePlanner()
        self.unreachable: str | None = None  # why the service failed; later scenes then go to the fallback at once

    @property
    def cache_identity(self) -> dict[str, Any]:
        """What, besides the scene and its references, decides the plan (for the stage's cache key)."""
        return {"planner": "llm", "version": VERSION, "llm": self.llm.cache_identity}

    def replan(self, scene: SceneBlock, references: References) -> SceneBlock:
        if not references or not scene.shots:
            return scene
        prompt = build_prompt(scene, references)
        schema = answer_schema(scene)
        error = ""
        raw: dict[str, Any] | None = None
        for attempt in range(0 if self.unreachable else 2):  # the answer, then one repair round-trip
            user = prompt if attempt == 0 else repair_prompt(prompt, raw, error)
            try:
                raw = None
                raw = self.llm.complete_json(SYSTEM_PROMPT, user, schema)
                answer = validate_answer(raw, scene)
            except BackendUnavailableError as exc:  # unreachable, refused, out of retries: not worth asking again
                self.unreachable = str(exc)
                log.warning("the LLM re-planner is unavailable (%s); the rule-based planner plans the scenes", exc)
                break
            except PlanError as exc:
                error = str(exc)
                log.info("LLM %s gave an invalid plan for scene %d: %s", self.llm.model_id, scene.index + 1, error)
                continue
            return self._apply(scene, references, answer)
        if self.unreachable is None:
            log.warning(
                "LLM %s gave no valid plan for scene %d after one repair (%s); using the rule-based planner",
                self.llm.model_id,
                scene.index + 1,
                error,
            )
        planned = self.fallback.replan(scene, references)
        why = f"was unavailable: {self.unreachable}" if self.unreachable else f"answered invalidly twice: {error}"
        reason = why if len(why) <= MAX_ERROR_CHARS else why[: MAX_ERROR_CHARS - 1] + "…"
        prefix = f"planned by the rule-based planner (the LLM {self.llm.model_id} {reason})"
        notes = [
            ref.model_copy(update={"why": f"{prefix}; {ref.why}" if ref.why else prefix}) for ref in planned.references
        ]
        return planned.model_copy(update={"references": notes})

    def _apply(self, scene: SceneBlock, references: References, answer: SceneAnswer) -> SceneBlock:
        by_id = {choice.id: choice for choice in answer.shots}
        shots = [_applied(shot, scene, by_id[shot.id]) for shot in scene.shots]
        shots = renumber(scene.index, shots)
        weights = reference_weights(references)
        rationale = " ".join(answer.rationale.split())[:MAX_RATIONALE_CHARS] or "no rationale given"
        notes = [
            reference_note(
                entry,
                score,
                f"planned by the LLM {self.llm.model_id} with this reference in its prompt "
                f"({n} of {len(references)}, weight {weight:.0%}); its rationale: {rationale}",
            )
            for n, ((entry, score), weight) in enumerate(zip(references, weights, strict=True), start=1)
        ]
        return scene.model_copy(update={"shots": shots, "references": notes})


def _applied(shot: Shot, scene: SceneBlock, choice: ShotAnswer) -> Shot:
    """The shot with the model's camera, made safe: coverage scale limits, speech floor, framable moves."""
    duration = round(max(speech_floor_s(shot), choice.duration_s), 2)
    # The answer is treated like a reference shot, so the rule-based planner's safety rules apply to it unchanged.
    asked = CorpusShot(
        scale=choice.scale,
        angle=choice.angle,
        movement=choice.movement,
        direction=choice.direction,
        duration_s=duration,
    )
    movement, direction = fit_movement(shot, scene, asked, duration)
    scale = clamp_scale(shot, scene, RANK[choice.scale])
    camera = shot.camera.reframed(scale, movement, direction, fit_angle(shot, scene, asked))
    return shot.model_copy(
        update={"camera": camera, "duration_s": duration, "prompt": retitle_prompt(shot.prompt, camera)}
    )
