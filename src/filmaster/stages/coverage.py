"""Coverage limits: the scales at which a shot still shows what its kind of coverage must show."""

from __future__ import annotations

from ..model import SceneBlock, Shot, ShotKind, ShotScale

SCALES: list[ShotScale] = list(ShotScale)  # EWS (0) … ECU (6): wider to tighter
RANK = {scale: i for i, scale in enumerate(SCALES)}

# Scales each kind of coverage can take and still show what it must show.
KIND_SCALES: dict[ShotKind, tuple[ShotScale, ShotScale]] = {
    ShotKind.ESTABLISHING: (ShotScale.EWS, ShotScale.MWS),
    ShotKind.WIDE: (ShotScale.EWS, ShotScale.MWS),
    ShotKind.CUTAWAY: (ShotScale.EWS, ShotScale.CU),
    ShotKind.TWO_SHOT: (ShotScale.WS, ShotScale.MS),
    ShotKind.OVER_SHOULDER: (ShotScale.MWS, ShotScale.CU),
    ShotKind.SINGLE: (ShotScale.MWS, ShotScale.ECU),
    ShotKind.INSERT: (ShotScale.CU, ShotScale.ECU),
}
SPEAKING_TIGHTEST = ShotScale.CU  # a line needs the mouth in frame: no ECU of the eyes while someone speaks


def speaks(shot: Shot, scene: SceneBlock) -> bool:
    """Does a character of the scene speak in the shot?"""
    return any(line.character in scene.characters for line in shot.dialogue)


def scale_range(shot: Shot, scene: SceneBlock) -> tuple[ShotScale, ShotScale]:
    """The widest and tightest scale at which the shot still shows what its coverage must show."""
    low, high = KIND_SCALES[shot.kind]
    if shot.kind == ShotKind.CUTAWAY and not shot.camera.subjects:
        high = ShotScale.MWS  # a cutaway to the place: tighter shows a wall
    if speaks(shot, scene):
        high = SCALES[min(RANK[high], RANK[SPEAKING_TIGHTEST])]
    return low, high


def clamp_scale(shot: Shot, scene: SceneBlock, rank: int) -> ShotScale:
    low, high = scale_range(shot, scene)
    return SCALES[min(max(rank, RANK[low]), RANK[high])]
