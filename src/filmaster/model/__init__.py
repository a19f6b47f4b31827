"""Artifacts exchanged between stages: typed, frozen, versioned, JSON round-trip."""

from .base import Artifact
from .camera import DEFAULT_LENS_MM, SCALE_FRAME_FIGURE_RATIO, Angle, CameraSpec, Movement, ShotScale
from .corpus import Corpus, CorpusEntry, CorpusShot
from .cut import Cut, CutClip
from .edit import ActionKind, Critique, EditAction, EditDecisions, Finding, FindingKind
from .plan import (
    CastMember,
    Gesture,
    Mark,
    Mood,
    Plan,
    Prop,
    SceneBlock,
    SceneReference,
    SetKind,
    Shot,
    ShotDialogue,
    ShotKind,
    TimeOfDay,
)
from .render import RenderSettings
from .screenplay import Character, DialogueLine, Element, ElementKind, Scene, Screenplay, Section
from .shot_request import ShotRequest
from .sound import TRACK_NAMES, CueKind, SoundCue, SoundPlan
from .take import Keyframe, Take

__all__ = [
    "DEFAULT_LENS_MM",
    "SCALE_FRAME_FIGURE_RATIO",
    "TRACK_NAMES",
    "ActionKind",
    "Angle",
    "Artifact",
    "CameraSpec",
    "CastMember",
    "Character",
    "Corpus",
    "CorpusEntry",
    "CorpusShot",
    "Critique",
    "CueKind",
    "Cut",
    "CutClip",
    "DialogueLine",
    "EditAction",
    "EditDecisions",
    "Element",
    "ElementKind",
    "Finding",
    "FindingKind",
    "Gesture",
    "Keyframe",
    "Mark",
    "Mood",
    "Movement",
    "Plan",
    "Prop",
    "RenderSettings",
    "Scene",
    "SceneBlock",
    "SceneReference",
    "Screenplay",
    "Section",
    "SetKind",
    "Shot",
    "ShotDialogue",
    "ShotKind",
    "ShotRequest",
    "ShotScale",
    "SoundCue",
    "SoundPlan",
    "Take",
    "TimeOfDay",
]
