"""The ducking curve made a chunk of control steps at a time is the curve made from the whole scene at once."""

from __future__ import annotations

import numpy as np
import pytest

from filmaster.audio.ducking import duck_curve, ducking_from_power, hop_power, presence_from_power

RATE = 48000


@pytest.mark.parametrize("chunk", [37, 250, 1000, 1 << 16])  # shorter than the look-ahead, than the hold; longer
def test_the_curve_made_in_chunks_is_the_whole_scene_s(chunk: int) -> None:
    rng = np.random.default_rng(4)
    seconds = 12
    t = np.arange(seconds * RATE) / RATE
    lines = (np.sin(2 * np.pi * 0.3 * t) > 0.2) * (np.sin(2 * np.pi * 4.0 * t) > -0.5)  # lines with word gaps
    dialogue = (0.2 * rng.standard_normal(t.size) * lines).astype(np.float32)
    power = hop_power(dialogue, RATE)
    whole = duck_curve(presence_from_power(power), -10.0)

    chunked = ducking_from_power(power, -10.0, chunk=chunk)

    np.testing.assert_allclose(chunked, whole, rtol=0, atol=1e-9)
    assert whole.min() < -9.0 and whole.max() > -0.5  # it dips under the lines and comes back between them
