"""One shot from a hand-written ShotSpec: the same blocking, cast and prop rules as the breakdown."""

from __future__ import annotations

from ..model import RenderSettings, SceneBlock, SetKind, Shot, ShotKind
from ..model.shot_request import ShotRequest
from ..model.shot_spec import ShotSpec
from .staging import block_characters, cast_for, place_props

INTERIOR_SETS = {SetKind.ROOM, SetKind.KITCHEN, SetKind.OFFICE, SetKind.BAR, SetKind.CORRIDOR, SetKind.VEHICLE}


def shot_request(spec: ShotSpec, settings: RenderSettings, seed: int = 0) -> ShotRequest:
    names = [name.upper() for name in spec.characters] or [name.upper() for name in spec.marks]
    interior = spec.interior if spec.interior is not None else spec.set in INTERIOR_SETS
    marks = block_characters(names) | {name.upper(): mark for name, mark in spec.marks.items()}
    camera = spec.camera.model_copy(
        update={
            "subjects": [s.upper() if s.upper() in marks else s for s in spec.camera.subjects],
            "over_shoulder_of": spec.camera.over_shoulder_of.upper() if spec.camera.over_shoulder_of else None,
        }
    )
    kind = ShotKind.INSERT if any(s in spec.props for s in camera.subjects) else ShotKind.SINGLE
    shot = Shot(
        id="previz",
        scene_index=0,
        number=1,
        kind=kind,
        prompt="",
        duration_s=spec.duration_s,
        camera=camera,
    )
    scene = SceneBlock(
        index=0,
        heading=f"{'INT' if interior else 'EXT'}. {spec.set.value.upper()} - {spec.time_of_day.value.upper()}",
        setting="INT" if interior else "EXT",
        interior=interior,
        location=spec.set.value.upper(),
        set_kind=spec.set,
        time_of_day=spec.time_of_day,
        characters=names,
        marks=marks,
        props=place_props(spec.props),
        shots=[shot],
    )
    return ShotRequest(shot=shot, scene=scene, cast=cast_for(names), settings=settings, seed=seed)
