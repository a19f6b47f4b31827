"""Local image-to-image painting with Hugging Face `diffusers` (SDXL-Turbo by default; any checkpoint that
`AutoPipelineForImage2Image` loads: Stable Diffusion, SDXL, FLUX, a folder written by `save_pretrained`).

The previz frame is the starting picture and `strength` says how far the painting may stray from it; without a
starting picture the same checkpoint paints from the prompt alone. The pipeline is loaded once, on the first
picture, and pictures are painted one at a time (one accelerator). torch and diffusers are the optional
`diffusers` extra: `pip install 'filmaster[diffusers]'`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, ClassVar

from ...atomic import atomic_path
from ...errors import ConfigError, GenerationError
from ..diffusers_pipeline import load_pipeline, pixel_identity
from .base import ImageBackend, PaintRequest, PaintResult

log = logging.getLogger(__name__)

# The settings `load_pipeline` reads: in the cache key as what they resolve to (`pixel_identity`), not as written.
RUN_SETTINGS = frozenset({"device", "torch_dtype"})
GPU_DTYPE = "float16"  # on a GPU, unless `torch_dtype` says otherwise


class DiffusersImageBackend(ImageBackend):
    """Settings: `model`, `steps`, `strength` (0-1), `guidance_scale`, `max_side` (the painting's longer side;
    sides are multiples of 8), `negative_prompt`, `device` (default cuda when present), `torch_dtype`."""

    NAME: ClassVar[str] = "diffusers-image"
    SETTINGS: ClassVar[frozenset[str] | None] = RUN_SETTINGS | {
        "model", "steps", "strength", "guidance_scale", "max_side", "negative_prompt",
    }  # fmt: skip
    DEFAULT_MODEL: ClassVar[str] = "stabilityai/sdxl-turbo"

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.model = str(settings.get("model", self.DEFAULT_MODEL))
        for name in ("steps", "max_side"):
            if name in settings and (not isinstance(settings[name], int) or settings[name] < 1):
                raise ConfigError(f"[backends.settings.{self.NAME}] {name} must be a positive whole number")
        strength = settings.get("strength", 0.6)
        if not isinstance(strength, int | float) or not 0.0 < float(strength) <= 1.0:
            raise ConfigError(f"[backends.settings.{self.NAME}] strength must be in (0, 1]")
        self._pipe: Any = None
        self._lock = threading.Lock()

    @property
    def cache_identity(self) -> dict[str, Any]:
        settings = {k: v for k, v in self.settings.items() if k not in RUN_SETTINGS}
        return {
            "backend": self.NAME, "version": self.VERSION, "model": self.model, "settings": settings,
            **pixel_identity(self.settings, gpu_dtype=GPU_DTYPE),
        }  # fmt: skip

    def size(self, request: PaintRequest) -> tuple[int, int]:
        """The request's aspect with the longer side at most `max_side`, both sides multiples of 8."""
        scale = min(1.0, int(self.settings.get("max_side", 768)) / max(request.width, request.height))
        return tuple(max(8, round(side * scale / 8) * 8) for side in (request.width, request.height))  # type: ignore[return-value]

    def paint(
        self, request: PaintRequest, init_image: Path | None, references: tuple[Path, ...], out_path: Path
    ) -> PaintResult:
        from PIL import Image

        with self._lock:  # one picture at a time on the one accelerator
            pipe = self._pipeline()
            width, height = self.size(request)
            kwargs: dict[str, Any] = {
                "prompt": request.prompt,
                "num_inference_steps": int(self.settings.get("steps", 4)),
                "output_type": "pil",
            }
            if "guidance_scale" in self.settings:
                kwargs["guidance_scale"] = float(self.settings["guidance_scale"])
            if self.settings.get("negative_prompt"):
                kwargs["negative_prompt"] = str(self.settings["negative_prompt"])
            try:
                import torch

                kwargs["generator"] = torch.Generator(device="cpu").manual_seed(request.seed)
                if init_image is not None:
                    with Image.open(init_image) as start:
                        kwargs["image"] = start.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
                    kwargs["strength"] = float(self.settings.get("strength", 0.6))
                    runner = pipe
                else:
                    from diffusers import AutoPipelineForText2Image

                    runner = AutoPipelineForText2Image.from_pipe(pipe)
                    kwargs.update(width=width, height=height)
                with torch.inference_mode():
                    picture = runner(**kwargs).images[0]
            except Exception as exc:  # out of memory, a size the model refuses: the shot keeps its previz frame
                raise GenerationError(
                    f"{self.NAME} ({self.model}) failed on {request.label or 'a picture'}: {exc}"
                ) from exc
        with atomic_path(out_path) as tmp:
            picture.convert("RGB").save(tmp, format="PNG")
        return PaintResult(self.model, request.seed, request.prompt, 0.0)

    def _pipeline(self) -> Any:
        if self._pipe is None:
            self._pipe = self._load()
        return self._pipe

    def _load(self) -> Any:
        return load_pipeline("AutoPipelineForImage2Image", self.model, self.settings, self.NAME, gpu_dtype=GPU_DTYPE)
