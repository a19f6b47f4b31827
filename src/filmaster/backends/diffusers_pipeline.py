"""Loading a `diffusers` pipeline for a local-GPU backend (video or image), the same way for both: the device and
precision from the backend's settings, one clear line for a missing extra, an unknown dtype or a model that does
not load. `torch` and `diffusers` are imported here, on first use, never when filmaster starts."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ..errors import BackendUnavailableError, ConfigError, MissingDependencyError

log = logging.getLogger(__name__)


def load_pipeline(
    pipeline_class: str, model: str, settings: Mapping[str, Any], backend: str, *, gpu_dtype: str = "float16"
) -> Any:
    """`diffusers.<pipeline_class>.from_pretrained(model)` on `settings["device"]` (else CUDA when there is one,
    else the CPU) in `settings["torch_dtype"]` (else `gpu_dtype` on a GPU, float32 on the CPU); with
    `cpu_offload` on a GPU, the model's parts wait in CPU memory until used."""
    try:
        import diffusers
        import torch
    except ImportError as exc:
        raise MissingDependencyError(
            "diffusers", f"the {backend} backend (pip install 'filmaster[diffusers]')"
        ) from exc
    device, dtype_name = _device_and_dtype(settings, gpu_dtype)
    dtype = getattr(torch, dtype_name, None)
    if not isinstance(dtype, torch.dtype):
        raise ConfigError(f"[backends.settings.{backend}] torch_dtype {settings['torch_dtype']!r} is unknown")
    log.info("loading diffusers pipeline %s for %s on %s (%s)", model, backend, device, dtype)
    try:
        pipe = getattr(diffusers, pipeline_class).from_pretrained(model, dtype=dtype)
    except Exception as exc:  # OSError for a missing model, ValueError for a folder that is not a pipeline
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise BackendUnavailableError(
            f"{backend} cannot load the model {model!r} ({type(exc).__name__}: {first}); give a Hugging Face repo id "
            "or a folder written by save_pretrained"
        ) from None
    if settings.get("cpu_offload") and device.startswith("cuda"):
        pipe.enable_model_cpu_offload()  # for GPUs with less memory than the model needs
    else:
        pipe.to(device)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def pixel_identity(settings: Mapping[str, Any], *, gpu_dtype: str) -> dict[str, str]:
    """What, besides the model and its options, decides a pipeline's pixels: the kind of device and the dtype as
    `load_pipeline` resolves them (a device's number, `cuda:1`, does not matter), and the versions of torch and
    diffusers (a new scheduler or kernel paints differently). Part of its outputs' cache key."""
    device, dtype = _device_and_dtype(settings, gpu_dtype)
    return {"device": device.split(":", 1)[0], "torch_dtype": dtype, **_versions()}


@cache
def _versions() -> dict[str, str]:
    found = {}
    for package in ("torch", "diffusers"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:  # not installed: nothing can be made, and loading says so
            found[package] = ""
    return found


def _device_and_dtype(settings: Mapping[str, Any], gpu_dtype: str) -> tuple[str, str]:
    device = settings.get("device")
    if not device:
        try:
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
        except ImportError:  # loading will say what is missing; nothing is made without it
            device = "cpu"
    device = str(device)
    return device, str(settings.get("torch_dtype", gpu_dtype if device.startswith("cuda") else "float32"))
