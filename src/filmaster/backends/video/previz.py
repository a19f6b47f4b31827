"""The offline default video backend: the 3D previz renderer (sets, figures, camera language) on CPU OpenGL."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ...errors import PlanError
from .base import ShotRequest, ShotResult, VideoBackend


class PrevizVideoBackend(VideoBackend):
    """Renders each shot from its camera spec; free, deterministic, and fast enough for a CPU."""

    NAME: ClassVar[str] = "previz"
    SETTINGS: ClassVar[frozenset[str]] = frozenset()
    VERSION: ClassVar[str] = "2"  # 2: a wall's dressing is flown out with the wall; ground truth measures visibility
    CODE: ClassVar[tuple[str, ...]] = ("filmaster.previz", "filmaster.backends.video.base")  # the renderer
    # Drawn from the camera, the duration and the blocking: rewording a line of the same length changes no pixel.
    IGNORED_SHOT_FIELDS: ClassVar[frozenset[str]] = frozenset({"prompt", "action", "dialogue"})
    RENDERS_PARTS: ClassVar[bool] = True  # a frame depends on its time alone, not on the frames before it

    def check_shot(self, request: ShotRequest) -> None:
        from ...previz.subjects import check_camera

        check_camera(request.shot, request.scene, request.cast)
        s = request.settings
        if s.width % 2 or s.height % 2:
            raise PlanError(
                f"shot {request.shot.id}: H.264 (yuv420p) needs an even frame size, got {s.resolution}; "
                "set an even width and height"
            )
        if request.frames < 1:
            raise PlanError(f"shot {request.shot.id}: {request.shot.duration_s} s is shorter than one frame")

    def shoot(self, request: ShotRequest, clip_path: Path, ground_truth_path: Path | None = None) -> ShotResult:
        from ...previz import shoot_shot

        self.check_shot(request)
        timings = shoot_shot(request, clip_path, ground_truth_path, background_encode=request.cores > 1)
        return ShotResult(frames=timings.frames)
