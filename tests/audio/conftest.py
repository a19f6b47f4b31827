import numpy as np
import pytest

from filmaster.backends.music.base import MusicRequest
from filmaster.backends.music.midi_score import MidiScoreMusicBackend
from filmaster.model import Mood, TimeOfDay

RATE = 48000


@pytest.fixture(scope="session")
def music_cue() -> np.ndarray:
    """12 s of real rendered score (the midi-score backend through its SoundFont)."""
    request = MusicRequest("music-test", Mood.JOYFUL, TimeOfDay.DAY, False, 12.0, seed=3)
    return MidiScoreMusicBackend().compose(request, RATE).audio
