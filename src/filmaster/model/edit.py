"""Screening and fine cut artifacts: what the audience found in a cut, and what the editor did about it."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from .base import Artifact


class FindingKind(StrEnum):
    DEAD_AIR = "dead_air"  # nothing said or done for a stretch at a shot's head or tail
    PACE_VS_INTENSITY = "pace_vs_intensity"  # a scene's shots as long as a calmer scene's
    MONOTONE_PACE = "monotone_pace"  # shot lengths that never change
    IDENTICAL_SETUP = "identical_setup"  # the frames across a cut look the same: an invisible cut
    JUMP_CUT = "jump_cut"  # same subject, similar scale: the picture jumps
    ENDING_DRAGS = "ending_drags"  # the last shots hold longer than the film's pace
    CROSSED_LINE = "crossed_line"  # two characters swap sides of the frame across a cut: the 180° line is crossed
    EYELINE_MISMATCH = "eyeline_mismatch"  # a character looks away from where the other was seen
    SUBJECT_NOT_SEEN = "subject_not_seen"  # the pixels do not show a character the shot is of
    AUDIENCE = "audience"  # a viewer persona's remark


class ActionKind(StrEnum):
    TRIM = "trim"  # heads and tails cut to the content's beats
    ACCELERATE = "accelerate"  # slow movement sped up, within a bound
    REARRANGE = "rearrange"  # shots reordered within a scene where no line depends on the order
    REMOVE = "remove"  # a shot that adds nothing
    SPLIT = "split"  # a long take cut to coverage inside a line
    J_CUT = "j_cut"  # the next shot's sound leads its picture
    L_CUT = "l_cut"  # a shot's sound trails under the next picture


class EditAction(Artifact):
    kind: ActionKind
    shot_id: str
    reason: str = ""
    head_frames: int = 0  # for TRIM: frames cut from the take's head
    tail_frames: int = 0  # for TRIM: frames cut from the take's tail
    speed: float = 1.0  # for ACCELERATE: the speed; for SPLIT: seconds the reaction holds
    position: int | None = None  # for REARRANGE: new 0-based position within its scene
    cutaway_shot: str | None = None  # for SPLIT: the shot whose take shows the reaction
    split_s: float = 0.0  # for SPLIT: seconds into the take where the picture cuts away


class Finding(Artifact):
    kind: FindingKind
    critic: str  # "offline" or the persona's name
    message: str
    start_s: float  # time range on the cut's timeline
    end_s: float
    shot_ids: list[str] = Field(default_factory=list)
    evidence: dict[str, float] = Field(default_factory=dict)  # figures measured on the cut
    actions: list[EditAction] = Field(default_factory=list)


class Critique(Artifact):
    SCHEMA: ClassVar[str] = "Critique.1"

    title: str
    cut_duration_s: float
    findings: list[Finding] = Field(default_factory=list)
    critics: list[str] = Field(default_factory=list)

    def of_kind(self, kind: FindingKind) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]


class EditDecisions(Artifact):
    """`edit.json`: every action the fine cut took, in order, with its reason; and those it refused."""

    SCHEMA: ClassVar[str] = "EditDecisions.1"

    title: str
    applied: list[EditAction] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)  # "S01-02 trim: would cut into dialogue"
    rough_duration_s: float = 0.0
    fine_duration_s: float = 0.0
