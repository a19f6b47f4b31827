"""A scene of any length premixed a block at a time into its cache file: the same premix, analysis and levels as
the whole scene's, and a one-take of twenty minutes in bounded memory."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pytest

from filmaster.audio.automation import gain_breakpoints
from filmaster.audio.ducking import DUCKED_UNDER_DIALOGUE, duck_envelope, speech_presence
from filmaster.audio.dynamics import compress
from filmaster.audio.film_bus import unpack_segment
from filmaster.audio.loudness import integrated_loudness, true_peak_dbtp
from filmaster.audio.master import analyse
from filmaster.audio.scene_premix import ArrayStems, block_samples, store_premix
from filmaster.audio.wavio import read_wav, to_pcm16, write_wav
from filmaster.config import SoundConfig
from filmaster.errors import InputError
from filmaster.model import SoundCue
from filmaster.project import Project
from filmaster.stages.cue_stems import CueStems
from filmaster.stages.mix import lay_cues, mix_film
from filmaster.stages.mix_levels import _analyse
from synthetic_film import RATE, synthetic_film, whole_film_master

BLOCK = RATE  # one-second blocks: the short scene below crosses five boundaries


def _project(tmp_path: Path) -> Project:
    source = tmp_path / "story.fountain"
    source.write_text("INT. ROOM - DAY\n\nA room.\n")
    return Project(tmp_path / "out", source)


def _line(seconds: float, seed: int, clicks: list[int]) -> np.ndarray:
    """Speech-like noise bursts with full-scale clicks at `clicks` (samples): the compressor must act on them."""
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    syllables = np.clip(np.sin(2 * np.pi * 4.0 * np.arange(n) / RATE), 0.0, None) ** 2
    audio = (0.15 * rng.standard_normal(n) * syllables).astype(np.float32)
    audio[clicks] = 0.95
    return audio


def _scene(project: Project) -> list[SoundCue]:
    """Six and a half seconds across one-second blocks: a music bed under it all; a whispered line (its delivery
    6 dB down, so the compressor hears it by its own key) starting 20 ms after the first boundary, so the music
    starts to duck before it (the 60 ms look-ahead) and goes on down after it; a second line whose clicks sit 100
    samples after the fourth boundary (the compressor's 5 ms look-ahead reaches back over it) and 50 samples before
    the fifth (its release carries over it); an effect across the third."""
    audio = project.out / "media" / "audio"
    t = np.arange(round(6.5 * RATE)) / RATE
    write_wav(audio / "bed.wav", (0.1 * np.sin(2 * np.pi * 220.0 * t)).astype(np.float32), RATE)
    write_wav(audio / "whisper.wav", _line(1.5, 1, []), RATE)
    second_at = 3.9
    clicks = [round((4.0 - second_at) * RATE) + 100, round((5.0 - second_at) * RATE) - 50]
    write_wav(audio / "spoken.wav", _line(1.6, 2, clicks), RATE)
    write_wav(audio / "door.wav", _line(0.4, 3, [100]), RATE)

    def cue(name: str, kind: str, at: float, **extra: object) -> SoundCue:
        return SoundCue(
            id=name, kind=kind, start_s=at, duration_s=1.0, media=f"media/audio/{name}.wav", scene_index=0, **extra
        )

    return [
        cue("bed", "music", 0.0, gain_db=-2.0),
        cue("whisper", "dialogue", 1.02, delivery_db=-6.0, text="psst"),
        cue("door", "sfx", 2.9),
        cue("spoken", "dialogue", second_at, text="hey"),
    ]


def _whole_scene_premix(
    stems: dict[str, np.ndarray], detector: np.ndarray | None, duck_db: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The premix as it was made before blocks, each step over the whole scene at once; with the ducking gain and
    the compressed dialogue."""
    n = next(iter(stems.values())).shape[0]
    dialogue = compress(stems["dialogue"], RATE, key=detector)
    duck = duck_envelope(speech_presence(dialogue, RATE), n, RATE, duck_db)
    total = np.zeros((n, 2), dtype=np.float32)
    for name, track in stems.items():
        track = dialogue if name == "dialogue" else track
        total += track * duck[:, None] if name in DUCKED_UNDER_DIALOGUE else track
    return total, duck, dialogue


def test_a_scene_premixed_in_blocks_is_the_whole_scene_premix(tmp_path: Path) -> None:
    project = _project(tmp_path)
    cues = _scene(project)
    duck_db = SoundConfig().duck_db
    stems, detector = lay_cues(cues, project.out, RATE, origin=0)
    whole, duck, squeezed = _whole_scene_premix(stems, detector, duck_db)
    expected = analyse(whole, RATE)
    target = tmp_path / "premix.npy"

    store_premix(CueStems(cues, project.out, RATE, 0), target, sample_rate=RATE, duck_db=duck_db, block=BLOCK)

    stored = unpack_segment(0, np.load(target))
    assert stored.audio.shape == whole.shape and whole.shape[0] > 6 * BLOCK
    assert np.abs(stored.audio - whole).max() < 1e-4
    assert np.abs(stored.analysis.envelope - expected.envelope).max() < 1e-4
    assert np.abs(stored.analysis.energy - expected.energy).max() < 1e-4 * expected.energy.max()
    # The scene does what the blocks must carry: the music is ducked across the first boundary (already dipping
    # before it, still going down after it)...
    assert duck[BLOCK // 2] == pytest.approx(1.0) and 0.5 < duck[BLOCK - 1] < 0.99 and duck[BLOCK + 2400] < duck[BLOCK]
    # ...and the compressor pulls the second line down on both sides of the fourth and fifth boundaries.
    for boundary in (4 * BLOCK, 5 * BLOCK):
        for side in (slice(boundary - 40, boundary), slice(boundary, boundary + 40)):
            assert np.abs(squeezed[side]).sum() < 0.8 * np.abs(stems["dialogue"][side]).sum()


def test_a_one_take_longer_than_a_block_is_the_whole_film_master_sample_for_sample(tmp_path: Path) -> None:
    project = _project(tmp_path)
    sound, cut = synthetic_film(project, scenes=1, scene_s=50.0)  # premixed in three blocks, clicks limited
    assert 2 * block_samples(RATE) < 50.0 * RATE

    result = mix_film(sound, cut, SoundConfig(), project)

    mixed, rate = read_wav(project.out / "media" / "audio" / "mix.wav")
    assert rate == RATE
    np.testing.assert_array_equal(to_pcm16(mixed), whole_film_master(sound, cut, project))
    assert abs(integrated_loudness(mixed, RATE) - SoundConfig().loudness_lufs) <= 1.0
    assert true_peak_dbtp(mixed, RATE) <= -1.0 + 0.01 and result.true_peak_dbtp <= -1.0


@pytest.mark.slow
def test_a_six_minute_one_take_is_premixed_in_bounded_memory(tmp_path: Path) -> None:
    """Premixed whole, one scene of 20 minutes held its stems, compressor and analysis intermediates: about 4 GB
    (the 10-minute one peaked at 2.1 GB, `benchmarks/bench_long_mix.py --one-scene`), so ~1.2 GB for these 6.
    Premixed in blocks the process grows by ~100 MB (99 MB for 6 minutes, 125 MB for 20, measured 2026-12-04), so
    a 200 MB bound proves the blocks on 6 minutes as 400 MB did on 20, in a third of the time."""
    script = textwrap.dedent(
        f"""
        import json, resource
        from pathlib import Path
        from filmaster.config import SoundConfig
        from filmaster.project import Project
        from filmaster.stages.mix import mix_film
        from synthetic_film import one_take

        source = Path({str(tmp_path)!r}) / "story.fountain"
        source.write_text("INT. ROOM - DAY\\n\\nA room.\\n")
        project = Project(source.parent / "out", source)
        sound, cut = one_take(project, minutes=6.0)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = mix_film(sound, cut, SoundConfig(), project)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        scenes = len({{cue.scene_index for cue in sound.cues}})
        print(json.dumps({{"before_kb": before, "after_kb": after, "lufs": result.integrated_lufs,
                          "dbtp": result.true_peak_dbtp, "seconds": cut.frames / cut.fps, "scenes": scenes,
                          "premixed": project.cache.work.as_dict()["computed"]["premix"]}}))
        """
    )
    root = Path(__file__).resolve().parents[2]
    env = {"PYTHONPATH": f"{root / 'src'}:{root / 'tests' / 'support'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=root)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["seconds"] == pytest.approx(360.0) and figures["scenes"] == 1 and figures["premixed"] == 1
    grown_mb = (figures["after_kb"] - figures["before_kb"]) / 1024
    assert grown_mb < 200, f"premixing one 6-minute scene grew the process by {grown_mb:.0f} MB"
    assert abs(figures["lufs"] + 16.0) <= 1.0 and figures["dbtp"] <= -1.0


def test_the_levels_of_a_one_take_longer_than_a_block_are_the_whole_scene_s(tmp_path: Path) -> None:
    """The ducking and compression exposed to editors (`stages.mix_levels`), read block by block, are what the
    whole scene's dialogue gives at once."""
    project = _project(tmp_path)
    sound, _ = synthetic_film(project, scenes=1, scene_s=50.0)
    cues = sound.cues
    duck_db = SoundConfig().duck_db
    assert 2 * block_samples(RATE) < 50.0 * RATE

    ducking, dynamics = _analyse(cues, project.out, RATE, 0, duck_db)

    spoken = [c for c in cues if c.kind.value == "dialogue"]
    stems, detector = lay_cues(cues, project.out, RATE, origin=0)
    squeezed = compress(stems["dialogue"], RATE, key=detector)
    expected = gain_breakpoints(duck_envelope(speech_presence(squeezed, RATE), squeezed.shape[0], RATE, duck_db), RATE)
    assert ducking == expected and min(db for _, db in ducking) < duck_db / 2
    for cue in spoken:
        span = slice(round(cue.start_s * RATE), round(cue.start_s * RATE) + round(cue.duration_s * RATE))
        before, after = (
            float(np.sqrt(np.mean(np.square(x[span], dtype=np.float64)))) for x in (stems["dialogue"], squeezed)
        )
        assert dynamics[cue.id] == pytest.approx(20 * np.log10(after / before), abs=0.002)
    assert min(dynamics.values()) < -1.0  # the clicks are compressed


class _FailingStems(ArrayStems):
    """Stems whose third block cannot be read (a cue file gone while the scene is premixed)."""

    def read(self, lo: int, hi: int, kinds: Collection[str] | None = None) -> tuple[dict, np.ndarray | None]:
        if lo >= 2 * BLOCK:
            raise InputError("WAV file line.wav does not exist; render the stem first")
        return super().read(lo, hi, kinds)


def test_a_premix_stopped_half_way_leaves_no_cache_file(tmp_path: Path) -> None:
    t = np.arange(4 * BLOCK) / RATE
    stems = _FailingStems({"music": (0.1 * np.sin(2 * np.pi * 220.0 * t)).astype(np.float32)})
    target = tmp_path / "cache" / "premix.npy"
    with pytest.raises(InputError, match=r"line\.wav"):
        store_premix(stems, target, sample_rate=RATE, duck_db=-10.0, block=BLOCK)
    assert not target.exists() and list(target.parent.iterdir()) == []  # nor a part-written temporary
