"""Local GPU video generation with Hugging Face `diffusers` (LTX-Video by default; Wan 2.1, CogVideoX and any other
text- or image-to-video pipeline that `DiffusionPipeline.from_pretrained` loads).

It takes the generative path of the remote services (stages/generate.py): every shot is rendered as previz first,
and where the pipeline takes an `image` (image-to-video), the previz take's first frame is sent, so the generated
shot starts from the planned framing and blocking; a text-to-video pipeline gets the prompt alone. A shot that
fails (out of memory, a model that does not load) keeps its previz take with a note. The pipeline is loaded once,
on the first shot, and shots are generated one at a time (one accelerator). torch, diffusers and transformers are
an optional extra: `pip install 'filmaster[diffusers]'`.
"""

from __future__ import annotations

import inspect
import io
import logging
import math
import threading
from pathlib import Path
from typing import Any, ClassVar

from ...errors import ConfigError, GenerationError
from ..diffusers_pipeline import load_pipeline, pixel_identity
from .base import ShotRequest, ShotResult, VideoBackend
from .remote import Control, Generated, camera_prompt, write_conformed

log = logging.getLogger(__name__)

# How the pipeline is run: device and torch_dtype enter the cache key as what they resolve to (`pixel_identity`);
# cpu_offload only moves weights between memories, the same arithmetic on the same device.
RUN_SETTINGS = frozenset({"device", "torch_dtype", "cpu_offload"})
GPU_DTYPE = "bfloat16"  # on a GPU, unless `torch_dtype` says otherwise


class DiffusersVideoBackend(VideoBackend):
    """Settings: `model` (a Hugging Face repo id, or a folder written by `save_pretrained`), `steps`,
    `guidance_scale`, `fps` (the model's frame rate), `max_frames`, `frame_multiple` (frame counts the model takes
    are k × multiple + 1), `size_multiple`, `max_side` (the generation's longer side; the take is scaled to the
    film's size), `negative_prompt`, `device` (default cuda when present), `torch_dtype`, `cpu_offload`."""

    NAME: ClassVar[str] = "diffusers"
    REMOTE: ClassVar[bool] = True  # generative: previz first, then generated from it (stages/generate.py)
    SETTINGS: ClassVar[frozenset[str] | None] = RUN_SETTINGS | {
        "model", "steps", "guidance_scale", "fps", "max_frames", "frame_multiple", "size_multiple", "max_side",
        "negative_prompt",
    }  # fmt: skip
    DEFAULT_MODEL: ClassVar[str] = "Lightricks/LTX-Video"

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.model = str(settings.get("model", self.DEFAULT_MODEL))
        self.concurrency = 1  # one accelerator: shots queue for it
        self._pipe: Any = None
        self._lock = threading.Lock()
        for name in ("steps", "max_frames", "frame_multiple", "size_multiple", "max_side"):
            if name in settings and (not isinstance(settings[name], int) or settings[name] < 1):
                raise ConfigError(f"[backends.settings.diffusers] {name} must be a positive whole number")

    @property
    def cache_identity(self) -> dict[str, Any]:
        settings = {k: v for k, v in self.settings.items() if k not in RUN_SETTINGS}
        return {
            "backend": self.NAME, "version": self.VERSION, "model": self.model, "settings": settings,
            **pixel_identity(self.settings, gpu_dtype=GPU_DTYPE),
        }  # fmt: skip

    # -- what the generate stage asks of a generative backend ----------------------------------------------------
    def api_key(self) -> str:
        return ""  # nothing to authorise: the model runs here

    def estimate_cost(self, request: ShotRequest) -> float:
        return 0.0

    def check_shot(self, request: ShotRequest) -> None:
        from .previz import PrevizVideoBackend

        PrevizVideoBackend().check_shot(request)

    def shoot(self, request: ShotRequest, clip_path: Path, ground_truth_path: Path | None = None) -> ShotResult:
        return ShotResult(frames=self.generate(request, clip_path, Control()).frames)

    def generate(
        self, request: ShotRequest, clip_path: Path, control: Control, journal: Path | None = None
    ) -> Generated:
        # `journal` is for bought jobs; a local model has none to resume.
        import numpy as np

        pipe = self.pipeline()
        width, height = self.size(request)
        num_frames = self.num_frames(request)
        prompt = camera_prompt(request.shot)
        kwargs: dict[str, Any] = {
            "prompt": prompt,
            "num_frames": num_frames,
            "width": width,
            "height": height,
            "num_inference_steps": int(self.settings.get("steps", 30)),
            "output_type": "np",
        }
        accepted = inspect.signature(pipe.__call__).parameters
        if "guidance_scale" in self.settings:
            kwargs["guidance_scale"] = float(self.settings["guidance_scale"])
        if self.settings.get("negative_prompt") and "negative_prompt" in accepted:
            kwargs["negative_prompt"] = str(self.settings["negative_prompt"])
        if control.first_frame_png and "image" in accepted:
            from PIL import Image

            kwargs["image"] = Image.open(io.BytesIO(control.first_frame_png)).convert("RGB").resize((width, height))
        try:
            import torch

            kwargs["generator"] = torch.Generator(device="cpu").manual_seed(request.seed)
            with torch.inference_mode():
                video = pipe(**kwargs).frames[0]
        except Exception as exc:  # out of memory, a shape the model refuses: the shot keeps its previz take
            raise GenerationError(f"diffusers ({self.model}) failed on shot {request.shot.id}: {exc}") from exc
        frames = [np.clip(np.asarray(f, dtype=np.float32) * 255.0 + 0.5, 0, 255).astype(np.uint8) for f in video]
        if not frames:
            raise GenerationError(f"diffusers ({self.model}) made no frames for shot {request.shot.id}")
        written = write_conformed(frames, float(self.settings.get("fps", 24)), request, clip_path)
        return Generated(written, 0.0, self.model, request.seed, prompt)

    # -- sizes the model takes -------------------------------------------------------------------------------------
    def size(self, request: ShotRequest) -> tuple[int, int]:
        """The film's aspect at `max_side` for the longer side, both sides a multiple of `size_multiple`."""
        multiple = int(self.settings.get("size_multiple", 32))
        longest = int(self.settings.get("max_side", 704))
        w, h = request.settings.width, request.settings.height
        scale = min(1.0, longest / max(w, h))

        def fit(side: float) -> int:
            return max(multiple, round(side * scale / multiple) * multiple)

        return fit(w), fit(h)

    def num_frames(self, request: ShotRequest) -> int:
        """Enough frames for the shot at the model's rate, as k × frame_multiple + 1, at most max_frames."""
        multiple = int(self.settings.get("frame_multiple", 8))
        fps = float(self.settings.get("fps", 24))
        cap = int(self.settings.get("max_frames", 121))
        need = max(1, math.ceil((request.shot.duration_s * fps - 1) / multiple)) * multiple + 1
        most = max(1, (cap - 1) // multiple) * multiple + 1
        return min(need, most)

    # -- the pipeline, loaded once ---------------------------------------------------------------------------------
    def pipeline(self) -> Any:
        with self._lock:
            if self._pipe is None:
                self._pipe = self._load()
            return self._pipe

    def _load(self) -> Any:
        return load_pipeline("DiffusionPipeline", self.model, self.settings, self.NAME, gpu_dtype=GPU_DTYPE)
