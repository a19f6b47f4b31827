"""Small builders for tests and benchmarks: a two-person scene, a shot, and a request, in one call each."""

from __future__ import annotations

from typing import Any

from ..model import CameraSpec, CastMember, Mark, Prop, RenderSettings, SceneBlock, SetKind, Shot, ShotKind, TimeOfDay
from ..model.shot_request import ShotRequest

ANNA = CastMember(
    name="ANNA",
    shirt=(0.75, 0.2, 0.2),
    trousers=(0.2, 0.2, 0.3),
    skin=(0.9, 0.72, 0.6),
    hair=(0.3, 0.18, 0.1),
    height_m=1.68,
)
BEN = CastMember(
    name="BEN",
    shirt=(0.2, 0.4, 0.7),
    trousers=(0.3, 0.28, 0.25),
    skin=(0.6, 0.42, 0.3),
    hair=(0.08, 0.06, 0.05),
    height_m=1.82,
)
CLEO = CastMember(
    name="CLEO",
    shirt=(0.3, 0.6, 0.3),
    trousers=(0.15, 0.15, 0.15),
    skin=(0.8, 0.6, 0.48),
    hair=(0.7, 0.55, 0.3),
    height_m=1.72,
)


def make_scene(
    set_kind: SetKind = SetKind.ROOM,
    time_of_day: TimeOfDay = TimeOfDay.DAY,
    characters: tuple[str, ...] = ("ANNA", "BEN"),
    props: tuple[Prop, ...] = (),
    index: int = 0,
) -> SceneBlock:
    """A scene with the planner's dialogue blocking: the first at (−0.9, 0) facing +x, the second facing back."""
    set_kind, time_of_day = SetKind(set_kind), TimeOfDay(time_of_day)
    spots = [
        Mark(x=-0.9, z=0.0, facing_deg=90.0),
        Mark(x=0.9, z=0.0, facing_deg=-90.0),
        Mark(x=0.0, z=1.2, facing_deg=0.0),
    ]
    interior = set_kind in {
        SetKind.ROOM,
        SetKind.KITCHEN,
        SetKind.OFFICE,
        SetKind.BAR,
        SetKind.CORRIDOR,
        SetKind.VEHICLE,
    }
    return SceneBlock(
        index=index,
        heading=f"{'INT' if interior else 'EXT'}. {set_kind.value.upper()} - {time_of_day.value.upper()}",
        setting="INT" if interior else "EXT",
        interior=interior,
        location=set_kind.value.upper(),
        set_kind=set_kind,
        time_of_day=time_of_day,
        characters=list(characters),
        marks={name: spots[i] for i, name in enumerate(characters)},
        props=list(props),
    )


def make_shot(
    duration_s: float = 0.5, shot_id: str = "S01-01", kind: ShotKind = ShotKind.SINGLE, **camera: Any
) -> Shot:
    """A shot whose camera spec takes keyword arguments, e.g. make_shot(scale="CU", subjects=["ANNA"])."""
    camera.setdefault("scale", "MS")
    return Shot(
        id=shot_id,
        scene_index=0,
        number=1,
        kind=kind,
        prompt="previz test shot",
        duration_s=duration_s,
        camera=CameraSpec(**camera),
    )


def make_request(
    shot: Shot | None = None,
    scene: SceneBlock | None = None,
    width: int = 320,
    height: int = 180,
    fps: int = 24,
    draft: bool = True,
    cast: dict[str, CastMember] | None = None,
    seed: int = 0,
) -> ShotRequest:
    return ShotRequest(
        shot=shot or make_shot(),
        scene=scene or make_scene(),
        cast=cast if cast is not None else {c.name: c for c in (ANNA, BEN, CLEO)},
        settings=RenderSettings(width=width, height=height, fps=fps, draft=draft),
        seed=seed,
    )
