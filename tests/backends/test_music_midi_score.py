import io
import itertools
import time

import numpy as np
import pretty_midi
import pytest
from scipy.signal import stft

from filmaster.audio.loudness import integrated_loudness
from filmaster.backends.music.base import MusicRequest
from filmaster.backends.music.midi_score import MUSIC_LUFS, STYLES, MidiScoreMusicBackend
from filmaster.backends.registry import create_backend
from filmaster.errors import ConfigError
from filmaster.model import Mood, TimeOfDay

RATE = 48000


@pytest.fixture(scope="module")
def backend() -> MidiScoreMusicBackend:
    b = create_backend("music", "midi-score")
    assert isinstance(b, MidiScoreMusicBackend)
    return b


@pytest.fixture(scope="module")
def cues(backend):
    """A 16 s cue per mood (rendered once for the module)."""
    return {m: backend.compose(MusicRequest(f"music-{m.value}", m, TimeOfDay.DAY, False, 16.0, 1), RATE) for m in Mood}


def audio_tempo(audio: np.ndarray) -> float:
    """Tempo (BPM) from the rendered samples: spectral-flux onsets, autocorrelated, scored on a beat comb."""
    hop_s = 0.005
    hop = int(RATE * hop_s)
    _, _, z = stft(audio.mean(axis=1), RATE, nperseg=2048, noverlap=2048 - hop)
    mag = np.log1p(100 * np.abs(z))
    flux = np.maximum(np.diff(mag, axis=1), 0).sum(axis=0)
    flux -= flux.mean()
    ac = np.correlate(flux, flux, "full")[flux.size - 1 :]
    bpms = np.arange(50.0, 130.0, 0.5)  # the range of screen-music tempi that this backend writes in
    score = [sum(ac[round(k * 60 / bpm / hop_s)] for k in (1, 2, 4)) for bpm in bpms]
    return float(bpms[int(np.argmax(score))])


def same_tempo(measured: float, bpm: float, tol: float = 0.03) -> bool:
    # Tempo estimates may lock to half or double the beat (the usual "octave" ambiguity), nothing else.
    return any(abs(measured / (bpm * k) - 1) <= tol for k in (0.5, 1.0, 2.0))


@pytest.mark.parametrize("mood", list(Mood))
def test_length_level_and_format(cues, mood):
    audio = cues[mood].audio
    assert audio.shape == (16 * RATE, 2) and audio.dtype == np.float32
    assert integrated_loudness(audio, RATE) == pytest.approx(MUSIC_LUFS, abs=0.5)
    assert np.abs(audio).max() <= 10 ** (-1 / 20) + 1e-6
    assert np.corrcoef(audio[:, 0], audio[:, 1])[0, 1] < 0.99  # parts are panned: real stereo


@pytest.mark.parametrize("duration", [0.5, 3.3, 7.123457])
def test_length_is_exact_for_any_duration(backend, duration):
    result = backend.compose(MusicRequest("m", Mood.CALM, TimeOfDay.NIGHT, True, duration, 0), 44100)
    assert result.audio.shape == (round(duration * 44100), 2)


@pytest.mark.parametrize("mood", list(Mood))
def test_rendered_tempo_matches_the_mood(cues, mood):
    assert same_tempo(audio_tempo(cues[mood].audio), STYLES[mood].bpm)


def test_tense_and_calm_differ_in_tempo(cues):
    tense, calm = audio_tempo(cues[Mood.TENSE].audio), audio_tempo(cues[Mood.CALM].audio)
    assert same_tempo(tense, 96) and not same_tempo(tense, 72)
    assert same_tempo(calm, 72) and not same_tempo(calm, 96)


@pytest.mark.parametrize("mood", list(Mood))
def test_midi_parses_back_with_its_tempo_grid_and_key(cues, mood):
    result = cues[mood]
    midi = pretty_midi.PrettyMIDI(io.BytesIO(result.midi))
    _, tempi = midi.get_tempo_changes()
    assert tempi[0] == pytest.approx(STYLES[mood].bpm, abs=0.01)
    notes = [n for inst in midi.instruments for n in inst.notes]
    assert len(notes) > 20
    eighth = 30.0 / STYLES[mood].bpm
    offsets = np.array([n.start / eighth for n in notes])
    assert np.max(np.abs(offsets - np.round(offsets))) < 0.01  # every onset on the eighth-note grid
    roles = {inst.name for inst in midi.instruments}
    assert {"pad", "bass", "melody"} <= roles
    assert f"{STYLES[mood].bpm:g} BPM" in result.description and mood.value in result.description
    key = result.description.split(", ")[2]
    assert key.split()[1] == STYLES[mood].mode


def test_harmony_is_voice_led_and_diatonic(cues):
    midi = pretty_midi.PrettyMIDI(io.BytesIO(cues[Mood.SAD].midi))
    pad = next(i for i in midi.instruments if i.name == "pad")
    bars: dict[float, list[int]] = {}
    for n in pad.notes:
        bars.setdefault(round(n.start, 3), []).append(n.pitch)
    chords = [sorted(p) for _, p in sorted(bars.items())]
    assert len({tuple(c) for c in chords}) >= 3  # a progression, not one chord
    for a, b in itertools.pairwise(chords):
        # smooth voice leading: each voice moves at most a fourth, on average a step or two
        moves = [min(abs(p - q) for q in b) for p in a]
        assert max(moves) <= 5 and np.mean(moves) <= 2.5
    key = midi.key_signature_changes[0].key_number
    tonic, minor = key % 12, key >= 12
    scale = {(tonic + s) % 12 for s in ((0, 2, 3, 5, 7, 8, 10) if minor else (0, 2, 4, 5, 7, 9, 11))}
    melody = next(i for i in midi.instruments if i.name == "melody")
    assert all(n.pitch % 12 in scale for n in melody.notes + pad.notes)


def test_fades_in_and_out_over_a_bar(cues):
    audio = cues[Mood.JOYFUL].audio
    bar = int(4 * 60 / 112 * RATE)

    def rms(a):
        return np.sqrt(np.mean(a**2))

    middle = rms(audio[RATE * 6 : RATE * 10])
    assert rms(audio[: bar // 8]) < 0.1 * middle
    assert rms(audio[-bar // 8 :]) < 0.1 * middle
    assert np.abs(audio[-1]).max() < 1e-3


def test_deterministic_per_seed_and_cue(backend):
    def make(seed, cue="music-S01"):
        return backend.compose(MusicRequest(cue, Mood.WARM, TimeOfDay.DAY, False, 6.0, seed), RATE)

    a, b, c, d = make(5), make(5), make(6), make(5, "music-S02")
    assert np.array_equal(a.audio, b.audio) and a.midi == b.midi
    assert a.midi != c.midi and a.midi != d.midi


def test_joyful_has_light_percussion_on_channel_10(cues):
    midi = pretty_midi.PrettyMIDI(io.BytesIO(cues[Mood.JOYFUL].midi))
    drums = [i for i in midi.instruments if i.is_drum]
    assert drums and {n.pitch for n in drums[0].notes} >= {42, 36}
    assert not any(i.is_drum for i in pretty_midi.PrettyMIDI(io.BytesIO(cues[Mood.CALM].midi)).instruments)


def test_soundfont_setting(tmp_path):
    with pytest.raises(ConfigError, match="soundfont"):
        MidiScoreMusicBackend(soundfont=str(tmp_path / "none.sf2"))


def test_render_realtime_factor(backend):
    start = time.perf_counter()
    backend.compose(MusicRequest("rtf", Mood.TENSE, TimeOfDay.DAY, False, 20.0, 2), RATE)
    assert (time.perf_counter() - start) / 20.0 < 0.5  # measured ~0.04 on 2 cores


def test_a_file_that_is_not_a_soundfont_is_reported_with_the_setting(tmp_path):
    wav = tmp_path / "music.sf2"
    wav.write_bytes(b"RIFF\x04\x00\x00\x00WAVE")
    with pytest.raises(ConfigError, match=r"not a SoundFont.*\[backends.music\] soundfont"):
        MidiScoreMusicBackend(soundfont=str(wav))


def test_cues_within_the_same_bars_are_cut_from_one_render(backend, tmp_path):
    """A scene that grows by a line keeps its score: the cue is cut from the render of its whole bars (kept in
    the cache), not played again; it still ends on the fade the score writes."""
    from filmaster.project import Cache

    bar = 4 * 60 / STYLES[Mood.WARM].bpm
    cache = Cache(tmp_path / "cache")
    lengths = (10.2 * bar, 10.9 * bar)  # both end in the eleventh bar
    short, long = (
        backend.compose(MusicRequest("music-S01", Mood.WARM, TimeOfDay.DAY, False, d, 3), RATE, cache) for d in lengths
    )
    assert (cache.work.computed["music-render"], cache.work.reused["music-render"]) == (1, 1)
    assert short.audio.shape[0] == round(lengths[0] * RATE) and long.audio.shape[0] == round(lengths[1] * RATE)
    fade_start = short.audio.shape[0] - round(bar * RATE)  # the closing fade lasts a bar
    a, b = short.audio[:fade_start].astype(np.float64), long.audio[:fade_start].astype(np.float64)
    gain = float((a * b).sum() / (b * b).sum())  # each cue is set to the music level on its own
    assert np.abs(a - gain * b).max() < 1e-5 and 0.8 < gain < 1.25
    assert np.abs(short.audio[-1]).max() < 1e-3 and np.abs(long.audio[-1]).max() < 1e-3
    uncached = backend.compose(MusicRequest("music-S01", Mood.WARM, TimeOfDay.DAY, False, lengths[0], 3), RATE)
    np.testing.assert_array_equal(uncached.audio, short.audio)
    assert short.midi != long.midi  # each MIDI file ends with its own fade
    longer = backend.compose(MusicRequest("music-S01", Mood.WARM, TimeOfDay.DAY, False, 11.5 * bar, 3), RATE, cache)
    assert cache.work.computed["music-render"] == 2 and longer.audio.shape[0] == round(11.5 * bar * RATE)


def test_a_program_the_soundfont_lacks_is_reported_with_the_setting():
    import dataclasses

    from filmaster.errors import AudioError

    backend = MidiScoreMusicBackend()
    font = backend._soundfont
    backend._soundfont = dataclasses.replace(font, presets=tuple(p for p in font.presets if p.program != 48))
    with pytest.raises(AudioError, match=r"lacks bank 0 program 48; set \[backends.music\] soundfont"):
        backend.compose(MusicRequest("music-x", Mood.TENSE, TimeOfDay.DAY, False, 4.0, 1), RATE)
