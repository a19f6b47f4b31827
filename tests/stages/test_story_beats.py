"""Score cue points on story beats: the shot where a scene turns, and the music's level and onset measured on the
rendered cue around it (the real MIDI score and SoundFont)."""

from __future__ import annotations

import numpy as np
import pytest

from filmaster.backends.music.base import MusicRequest
from filmaster.backends.registry import create_backend
from filmaster.formats.fountain import parse_fountain
from filmaster.model import Cut, CutClip, Mood, TimeOfDay
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.score_cues import story_beat

pytest.importorskip("pretty_midi")
RATE = 48000
TURN = """Title: The Turn

INT. KITCHEN - NIGHT

ANNA pours the tea slowly. The kettle cools on the stove.

ANNA
It is a quiet evening. The garden looks lovely in this light, and the roses have finally opened.

BEN
They have. You planted them well this spring.

BEN grabs the knife and lunges! ANNA screams, shoves him and runs for the door!

ANNA
No! Stop! Get out!
"""


def _cut(plan) -> Cut:
    clips = [
        CutClip(shot_id=s.id, scene_index=s.scene_index, media="x", frames=round(s.duration_s * 24)) for s in plan.shots
    ]
    return Cut(title="t", fps=24, width=64, height=36, clips=clips, locked=True)


def test_the_beat_is_the_shot_where_the_scene_turns() -> None:
    plan = plan_screenplay(parse_fountain(TURN))
    scene, cut = plan.scenes[0], _cut(plan)
    duration = sum(s.duration_s for s in scene.shots)
    beat = story_beat(scene, cut, duration)
    assert beat is not None
    starts = cut.record_start_frames()
    turned = next(s for s in scene.shots if round((starts[s.id] - starts[scene.shots[0].id]) / 24, 4) == beat)
    assert "knife" in turned.action or any("Stop" in d.text for d in turned.dialogue)
    # A scene that holds its level has no beat.
    calm = plan_screenplay(parse_fountain(TURN.split("BEN grabs")[0]))
    assert story_beat(calm.scenes[0], _cut(calm), sum(s.duration_s for s in calm.scenes[0].shots)) is None


def _rms_db(x: np.ndarray) -> float:
    return 10.0 * np.log10(float(np.mean(x.astype(np.float64) ** 2)) + 1e-15)


def test_the_music_grows_louder_and_strikes_at_the_beat() -> None:
    music = create_backend("music", "midi-score")
    request = MusicRequest(
        cue_id="music-S01", mood=Mood.CALM, time_of_day=TimeOfDay.DAY, interior=True, duration_s=16.0, seed=3
    )
    beat = 8.0
    plain = music.compose(request, RATE).audio.mean(axis=1)
    turned = music.compose(MusicRequest(**{**request.__dict__, "beat_s": beat}), RATE).audio.mean(axis=1)
    i, w = round(beat * RATE), round(3.0 * RATE)
    # After the beat the cue is several dB louder than before it, by more than the same cue without a beat moves
    # (the backend sets each cue's overall level, so the comparison is within each render).
    rise = (_rms_db(turned[i : i + w]) - _rms_db(turned[i - w : i])) - (
        _rms_db(plain[i : i + w]) - _rms_db(plain[i - w : i])
    )
    assert rise >= 3.0, rise  # 4.4 dB measured
    # And it is struck: the level jumps within 50 ms of the beat.
    hop = RATE // 100
    env = [_rms_db(turned[i + k * hop : i + (k + 1) * hop]) for k in range(-10, 10)]
    assert max(env[10:15]) - np.median(env[:9]) >= 6.0
