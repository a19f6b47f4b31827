"""The diffusers backends' cache identity holds what changes their pixels — the device kind and dtype the pipeline
runs in, as loading resolves them — and nothing that does not (a device's number). That a dtype changes the
pixels is measured on a tiny real pipeline in test_image_diffusers.py."""

from __future__ import annotations

import pytest

from filmaster.backends.image.diffusers_image import DiffusersImageBackend
from filmaster.backends.video.diffusers_video import DiffusersVideoBackend


@pytest.mark.parametrize("backend", [DiffusersImageBackend, DiffusersVideoBackend])
def test_the_dtype_and_device_kind_are_in_the_key_as_resolved(backend) -> None:
    cpu = backend(model="m", device="cpu").cache_identity
    assert cpu == backend(model="m", device="cpu", torch_dtype="float32").cache_identity  # the CPU's default
    assert cpu != backend(model="m", device="cpu", torch_dtype="bfloat16").cache_identity
    assert cpu != backend(model="m", device="cuda").cache_identity
    cuda = backend(model="m", device="cuda:0").cache_identity
    assert cuda == backend(model="m", device="cuda:1").cache_identity  # which GPU does not change a pixel
    assert cuda != backend(model="m", device="cuda:0", torch_dtype="float32").cache_identity
