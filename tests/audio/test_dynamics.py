from __future__ import annotations

import numpy as np
import pytest

from filmaster.audio.dynamics import Compressor, compress
from filmaster.backends.speech.base import VoiceSpec
from filmaster.backends.speech.piper import PiperSpeechBackend

RATE = 48000


def _db(x: float) -> float:
    return 20 * np.log10(x)


def test_steady_tone_above_threshold_is_reduced_by_the_ratio() -> None:
    t = np.arange(RATE) / RATE
    tone = (10 ** (-6 / 20) * np.sin(2 * np.pi * 440 * t)).astype(np.float32)  # peak -6 dBFS
    out = compress(tone, RATE, threshold_db=-18.0, ratio=3.0)
    # 12 dB over the threshold at 3:1 leaves 4 dB over it: -14 dBFS peak once settled.
    assert _db(np.abs(out[RATE // 2 :]).max()) == pytest.approx(-14.0, abs=0.3)


def test_quiet_signal_is_untouched() -> None:
    quiet = (0.01 * np.sin(np.linspace(0, 400 * np.pi, RATE))).astype(np.float32)
    assert np.allclose(compress(quiet, RATE, threshold_db=-26.0), quiet)


def test_real_speech_loses_crest_factor() -> None:
    speech = PiperSpeechBackend().synthesize("I told you to stay off the pier after dark!", VoiceSpec(), RATE)
    out = compress(speech, RATE)
    crest = lambda a: _db(np.abs(a).max() / np.sqrt(np.mean(a**2)))  # noqa: E731
    assert crest(out) < crest(speech) - 3.0


def test_a_signal_compressed_in_pieces_is_the_whole_signal_compressed():
    """Each piece reads the key `look - 1` samples past it and the release runs on: peaks on either side of a
    piece's edge pull the gain down across it as they do in the whole signal."""
    rng = np.random.default_rng(2)
    speech = (0.2 * rng.standard_normal((3 * RATE, 2))).astype(np.float32)
    for edge in (RATE, 2 * RATE):
        speech[edge + 50] = 0.99  # the look-ahead reaches back over the edge
        speech[edge - 30] = -0.99  # the release carries over it
    whole = compress(speech, RATE)
    compressor = Compressor(RATE)
    pieces = []
    for lo in range(0, speech.shape[0], RATE):
        hi = lo + RATE
        pieces.append(compressor.process(speech[lo:hi], speech[lo : hi + compressor.look - 1]))
    np.testing.assert_array_equal(np.concatenate(pieces), whole)
    for edge in (RATE, 2 * RATE):  # the gain is down on both sides of each edge
        gain = whole[edge - 20 : edge + 20, 0] / speech[edge - 20 : edge + 20, 0]
        assert gain.max() < 0.5
