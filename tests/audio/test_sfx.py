"""The effects synthesiser: every category sounds, starts on its first samples, varies per event, never clips."""

from __future__ import annotations

import numpy as np
import pytest

from filmaster.audio.sfx import PEAK, all_recipes, synthesize
from filmaster.errors import AudioError

RATE = 48000


@pytest.mark.parametrize("category", sorted(all_recipes()))
def test_each_sound_starts_at_its_onset_and_varies_with_the_seed(category: str) -> None:
    a = synthesize(category, 1, RATE, 0.3)
    b = synthesize(category, 2, RATE, 0.3)
    assert a.dtype == np.float32 and np.isfinite(a).all()
    assert abs(float(np.abs(a).max()) - PEAK) < 1e-3  # headroom: -6 dBFS before the cue's gain
    # Onset: the first 5 ms already reach a tenth of the peak (a sharp attack the stem's onset lands on).
    assert float(np.abs(a[: RATE // 200]).max()) > 0.1 * PEAK
    assert abs(float(a[-1])) < 1e-4  # ends in silence: no click where the sound stops
    n = min(a.size, b.size)
    correlation = float(np.dot(a[:n], b[:n]) / (np.linalg.norm(a[:n]) * np.linalg.norm(b[:n])))
    assert correlation < 0.9  # another event of the same kind is not the same samples


def test_the_same_seed_renders_the_same_sound() -> None:
    assert np.array_equal(synthesize("horn", 7, RATE, 0.5), synthesize("horn", 7, RATE, 0.5))


def test_distance_darkens_and_lengthens_the_sound() -> None:
    close = synthesize("door", 3, RATE, 0.0)
    far = synthesize("door", 3, RATE, 0.9)
    assert far.size > close.size  # the room's tail

    def high_share(x: np.ndarray) -> float:
        spectrum = np.abs(np.fft.rfft(x)) ** 2
        f = np.fft.rfftfreq(x.size, 1 / RATE)
        return float(spectrum[f > 6000].sum() / spectrum.sum())

    assert high_share(far) < 0.5 * high_share(close)


def test_unknown_category_is_a_clear_error() -> None:
    with pytest.raises(AudioError, match="no synthesiser for the sound 'kazoo'"):
        synthesize("kazoo", 1, RATE)
