"""The breakdown: scene blocks with their shots, the cast's looks and voices."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from .base import Artifact
from .camera import CameraSpec
from .names import SafeName


class TimeOfDay(StrEnum):
    DAY = "day"
    NIGHT = "night"
    DAWN = "dawn"
    DUSK = "dusk"


class SetKind(StrEnum):
    """Parametric sets of the previz library, chosen from the scene heading."""

    ROOM = "room"
    KITCHEN = "kitchen"
    OFFICE = "office"
    BAR = "bar"
    CORRIDOR = "corridor"
    VEHICLE = "vehicle"
    STREET = "street"
    FOREST = "forest"
    SHORE = "shore"
    FIELD = "field"


class Mood(StrEnum):
    CALM = "calm"
    WARM = "warm"
    TENSE = "tense"
    SAD = "sad"
    MYSTERIOUS = "mysterious"
    JOYFUL = "joyful"


class ShotKind(StrEnum):
    ESTABLISHING = "establishing"
    WIDE = "wide"
    TWO_SHOT = "two_shot"
    SINGLE = "single"
    OVER_SHOULDER = "over_shoulder"
    INSERT = "insert"
    CUTAWAY = "cutaway"


class Gesture(Artifact):
    """A body action performed on the mark, in place: sitting down, standing up, or handling a prop.

    `at_s` is the moment the action lands, in seconds into the shot: a sit's seat contact, a stand's weight leaving
    the seat, a hand's contact with the prop (previz/gestures.py animates the motion around it)."""

    kind: Literal["sit", "stand", "handle"]
    at_s: float = Field(ge=0.0)
    target: str | None = None  # what is sat on ("bench") or handled ("cup"), as the screenplay names it


class Mark(Artifact):
    """Where a character stands in the set (metres; y is up, the camera side of the line is -z)."""

    x: float
    z: float
    facing_deg: float = 0.0  # yaw; 0 faces the camera side (-z), 90 faces +x
    # Blocking that moves: waypoints (x, z) walked after the mark, at `walk_speed` m/s from `start_s` seconds
    # into the shot, facing the way of travel. A path that ends (or a mark that starts) far off the set is an
    # exit (an entrance). Empty: the character holds the mark.
    path: list[tuple[float, float]] = Field(default_factory=list)
    walk_speed: float = Field(default=1.3, gt=0.0)
    start_s: float = 0.0
    pose: Literal["stand", "sit"] = "stand"  # "sit": on a seat at the mark (only a standing figure walks)
    # Actions on the mark, in time order; `pose` is the pose the shot starts in, each sit or stand changes it.
    gestures: list[Gesture] = Field(default_factory=list)

    @model_validator(mode="after")
    def _gestures_follow_the_pose(self) -> Mark:
        seated = self.pose == "sit"
        last = -1.0
        for g in self.gestures:
            if g.at_s < last:
                raise ValueError(f"gesture '{g.kind}' at {g.at_s} s comes before one at {last} s; list them in order")
            if (g.kind == "sit" and seated) or (g.kind == "stand" and not seated):
                state = "seated" if seated else "standing"
                raise ValueError(f"gesture '{g.kind}' at {g.at_s} s while already {state}; drop it or fix `pose`")
            if g.kind != "handle":
                seated = g.kind == "sit"
            last = g.at_s
        if self.gestures and self.path:
            raise ValueError("a mark that walks a path has no gestures (the previz animates them in place)")
        return self


class Prop(Artifact):
    name: str
    x: float
    z: float
    size: float = 0.4
    color: tuple[float, float, float] = (0.6, 0.5, 0.4)


class CastMember(Artifact):
    """A character's identity across all shots: look and voice."""

    name: str
    shirt: tuple[float, float, float]
    trousers: tuple[float, float, float]
    skin: tuple[float, float, float]
    hair: tuple[float, float, float]
    height_m: float = 1.75
    voice_pitch: float = 1.0  # pitch factor applied to the voice (1 = natural)
    voice_rate: float = 1.0  # speaking-rate factor (1 = natural, >1 faster)
    reference_image: str | None = None


class ShotDialogue(Artifact):
    """A line spoken during a shot: at `start_s` seconds into the shot, expected to last `duration_s`."""

    character: str
    text: str
    parenthetical: str | None = None
    extension: str | None = None
    start_s: float = Field(ge=0.0)
    duration_s: float = Field(ge=0.0)


class Shot(Artifact):
    id: SafeName  # "S01-03": scene 1, shot 3; stable across re-runs; names its take's file
    scene_index: int
    number: int  # 1-based within the scene
    kind: ShotKind
    prompt: str  # a text-to-video prompt describing the shot
    action: str = ""  # the screenplay action this shot shows
    duration_s: float = Field(gt=0.0)  # upper bound: [limits] shot_s (limits.py)
    camera: CameraSpec
    dialogue: list[ShotDialogue] = Field(default_factory=list)
    # Per-shot blocking: marks that replace the scene's for this shot only (e.g. the walk of a tracking shot),
    # so the scene's marks stay where the other shots of the scene expect them.
    blocking: dict[str, Mark] = Field(default_factory=dict)
    # Who films this shot, overriding the scene's and the film's [backends] video; and its own seed (reshoot).
    video_backend: str | None = None
    seed: int | None = None


class SceneReference(Artifact):
    """A corpus entry the cinematography stage retrieved for a scene, and what the plan took from it."""

    entry_id: str
    situation: str
    score: float  # similarity of the scene's query to the entry, higher is closer
    films: list[str] = Field(default_factory=list)
    why: str = ""  # e.g. "adopted its scale progression WS → MS → CU and its slow push-in on the confession"


class SceneBlock(Artifact):
    index: int
    heading: str
    setting: str | None
    interior: bool
    location: str
    set_kind: SetKind
    time_of_day: TimeOfDay
    time_of_day_text: str = ""
    characters: list[str] = Field(default_factory=list)
    visual_elements: list[str] = Field(default_factory=list)
    objective: str = ""
    mood: Mood = Mood.CALM
    marks: dict[str, Mark] = Field(default_factory=dict)
    props: list[Prop] = Field(default_factory=list)
    shots: list[Shot] = Field(default_factory=list)
    references: list[SceneReference] = Field(default_factory=list)  # filled by scene-level retrieval
    reference_image: str | None = None  # a picture of the location: the previz hangs it as the set's backdrop
    video_backend: str | None = None  # who films this scene's shots, overriding the film's [backends] video

    @property
    def duration_s(self) -> float:
        return sum(s.duration_s for s in self.shots)


class Plan(Artifact):
    SCHEMA: ClassVar[str] = "Plan.1"

    title: str
    cast: dict[str, CastMember] = Field(default_factory=dict)
    scenes: list[SceneBlock]

    @model_validator(mode="after")
    def _shot_ids_unique(self) -> Plan:
        seen: set[str] = set()
        for shot in self.shots:
            if shot.id in seen:
                raise ValueError(f"shot id '{shot.id}' is used twice; every shot needs its own id")
            seen.add(shot.id)
        return self

    @property
    def shots(self) -> list[Shot]:
        return [shot for scene in self.scenes for shot in scene.shots]

    @property
    def duration_s(self) -> float:
        return sum(scene.duration_s for scene in self.scenes)
