"""Mix: each scene's premix laid in the film, on the frame grid of the film's AAC track."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from filmaster.audio.film_grid import AAC_FRAME
from filmaster.audio.wavio import read_wav, write_wav
from filmaster.config import SoundConfig
from filmaster.model import Cut, CutClip, SoundCue, SoundPlan
from filmaster.project import Project
from filmaster.stages.mix import mix_film, scene_sound_starts

RATE = 48000


def _tone(seconds: float, hz: float) -> np.ndarray:
    """A tone that starts at full level on its first sample, so where it lands in the mix is exact to read."""
    t = np.arange(round(seconds * RATE)) / RATE
    return np.repeat((0.3 * np.cos(2 * np.pi * hz * t))[:, None], 2, axis=1).astype(np.float32)


def test_each_scenes_sound_starts_on_the_aac_frame_grid_within_half_a_frame_of_its_cut(tmp_path: Path) -> None:
    source = tmp_path / "story.fountain"
    source.write_text("INT. ROOM - DAY\n\nA room.\n")
    project = Project(tmp_path / "out", source)
    audio_dir = project.out / "media" / "audio"
    audio_dir.mkdir(parents=True)
    cut_at = 1.3  # 62400 samples: 60.9 AAC frames
    cues = []
    for scene, (start, hz) in enumerate([(0.0, 220.0), (cut_at, 330.0)]):
        write_wav(audio_dir / f"music-S0{scene + 1}.wav", _tone(1.0, hz), RATE)
        cues.append(
            SoundCue(
                id=f"music-S0{scene + 1}",
                kind="music",
                start_s=start,
                duration_s=1.0,
                media=f"media/audio/music-S0{scene + 1}.wav",
                scene_index=scene,
            )
        )
    sound = SoundPlan(cues=cues)
    cut = Cut(
        title="t", fps=24, width=64, height=36, clips=[CutClip(shot_id="S01-01", scene_index=0, media="x", frames=60)]
    )

    result = mix_film(sound, cut, SoundConfig(), project)
    mix = result.path
    laid = round(cut_at * RATE / AAC_FRAME) * AAC_FRAME
    assert scene_sound_starts(sound) == [0, laid]
    assert result.scene_starts == [0, laid]  # what delivery cuts the film's AAC at, handed on by the mix itself
    assert laid % AAC_FRAME == 0 and 0 < abs(laid - cut_at * RATE) <= AAC_FRAME / 2
    samples, _ = read_wav(mix)
    heard = np.flatnonzero(np.abs(samples[:, 0]) > 1e-3)
    second = heard[heard > RATE + RATE // 10][0]  # after the first tone (1 s) and its silence
    assert second == laid
