"""The audience critic: a configured viewer persona watches the cut as text (each shot's description, length and
placeholder sound) through the chat backend, and says what bored or lost them, as findings with actions.

The answer is validated against a schema and against the cut (shots it names must exist); an invalid answer is
sent back once with the error, then ignored with a warning: a screening never stops the film being made.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ...backends.llm.base import LLMBackend
from ...errors import FilmasterError
from ...model import ActionKind, Critique, Cut, EditAction, Finding, FindingKind, Plan

log = logging.getLogger(__name__)

SYSTEM = (
    "You are a test-screening viewer. You watch a short film described shot by shot and say, as JSON, where you "
    "were bored, lost or wanted more. Only name shots by the ids given. Actions: none, remove (a shot without "
    "dialogue that adds nothing), rearrange (move a shot to `position` within its scene), faster, slower."
)


ACTIONS = ("none", "remove", "rearrange", "faster", "slower")
# Bounds of an answer: a small model sampled under the schema's grammar must reach the closing brace well inside
# its token limit (5 remarks of ≤ 200 characters naming ≤ 3 shots: a few hundred tokens).
MAX_FINDINGS, MAX_MESSAGE, MAX_SHOTS = 5, 200, 3


class _Remark(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(min_length=1, max_length=MAX_MESSAGE)
    shot_ids: list[str] = Field(min_length=1, max_length=MAX_SHOTS)
    action: str = Field(default="none", pattern=f"^({'|'.join(ACTIONS)})$")
    position: int | None = None


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    findings: list[_Remark] = Field(default_factory=list, max_length=MAX_FINDINGS)


def answer_schema(cut: Cut | None = None) -> dict[str, Any]:
    """The answer's JSON Schema, as strict structured output wants it (every property required, no others) and
    bounded; with `cut`, a shot id must be one of its shots, so a server that samples under the schema (a
    grammar) cannot name a shot that is not there."""
    shot_id: dict[str, Any] = {"type": "string"}
    if cut is not None:
        shot_id["enum"] = list(dict.fromkeys(clip.shot_id for clip in cut.clips))
    remark = {
        "type": "object",
        "additionalProperties": False,
        "required": ["message", "shot_ids", "action", "position"],
        "properties": {
            "message": {"type": "string", "minLength": 1, "maxLength": MAX_MESSAGE},
            "shot_ids": {"type": "array", "minItems": 1, "maxItems": MAX_SHOTS, "items": shot_id},
            "action": {"type": "string", "enum": list(ACTIONS)},
            "position": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["findings"],
        "properties": {"findings": {"type": "array", "maxItems": MAX_FINDINGS, "items": remark}},
    }


def screening_prompt(plan: Plan, cut: Cut, persona: str, preferences: list[str]) -> str:
    shots = {s.id: s for s in plan.shots}
    lines = [f"You are {persona}." + (f" You like: {', '.join(preferences)}." if preferences else "")]
    lines.append(f"The film '{cut.title}', {cut.duration_s:.1f} s, shot by shot:")
    for clip in cut.clips:
        shot = shots.get(clip.shot_id)
        what = shot.prompt if shot is not None else ""
        sound = clip.audio_description or "silence"
        lines.append(f"- {clip.shot_id} ({clip.frames / cut.fps:.1f} s): {what} | sound: {sound}")
    lines.append('Answer {"findings": [{"message": ..., "shot_ids": [...], "action": ..., "position": null}]}.')
    return "\n".join(lines)


def persona_critique(llm: LLMBackend, plan: Plan, cut: Cut, persona: str, preferences: list[str]) -> Critique | None:
    """The persona's critique of `cut`, or None (with a warning) when it answered invalidly twice."""
    prompt = screening_prompt(plan, cut, persona, preferences)
    user, error = prompt, ""
    for _attempt in range(2):  # the answer, then one repair
        try:
            raw = llm.complete_json(SYSTEM, user, answer_schema(cut))
            return _to_critique(_validate(raw, cut), cut, persona)
        except (FilmasterError, ValidationError, ValueError) as exc:
            error = _one_line(exc)
            user = f"{prompt}\n\nYour previous answer was invalid: {error}. Answer again with valid JSON only."
    log.warning("the audience persona's answer was invalid twice (%s); its critique is ignored", error)
    return None


def _validate(raw: Any, cut: Cut) -> _Answer:
    answer = _Answer.model_validate(raw)
    known = {clip.shot_id for clip in cut.clips}
    for remark in answer.findings:
        missing = [s for s in remark.shot_ids if s not in known]
        if missing:
            raise ValueError(f"names shots that are not in the cut: {', '.join(missing)}")
    return answer


def _to_critique(answer: _Answer, cut: Cut, persona: str) -> Critique:
    spans: dict[str, tuple[float, float]] = {}
    position = 0
    for clip in cut.clips:
        spans.setdefault(clip.shot_id, (position / cut.fps, (position + clip.frames) / cut.fps))
        position += clip.frames
    name = f"persona: {persona}"
    findings = []
    for remark in answer.findings:
        times = [spans[s] for s in remark.shot_ids]
        actions = []
        if remark.action in ("remove", "rearrange"):
            actions = [
                EditAction(
                    kind=ActionKind(remark.action),
                    shot_id=remark.shot_ids[0],
                    position=remark.position,
                    reason=f"the audience: {remark.message}",
                )
            ]
        findings.append(
            Finding(
                kind=FindingKind.AUDIENCE,
                critic=name,
                message=remark.message,
                start_s=round(min(t[0] for t in times), 3),
                end_s=round(max(t[1] for t in times), 3),
                shot_ids=remark.shot_ids,
                evidence={"shown_s": round(sum(t[1] - t[0] for t in times), 3)},
                actions=actions,
            )
        )
    return Critique(title=cut.title, cut_duration_s=cut.duration_s, findings=findings, critics=[name])


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:199] + "…"


__all__ = ["answer_schema", "persona_critique", "screening_prompt"]
