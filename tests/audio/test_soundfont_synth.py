"""Our SoundFont 2 reader and synthesizer, measured on real SoundFonts (TimGM6mb shipped with pretty_midi, and
Debian's fluid-soundfont-gm where installed): the presets read, and pitch, envelope, velocity, pan and drums
measured on rendered samples."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from filmaster.audio.soundfont import Note, Part, SoundFontError, load_soundfont, parse_soundfont, render, sf2
from filmaster.audio.soundfont.regions import regions
from filmaster.audio.soundfont.synth import find_preset
from filmaster.backends.music.midi_score import default_soundfont
from filmaster.errors import ConfigError

RATE = 48000
FLUID_GM = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
FONTS = [default_soundfont()] + ([FLUID_GM] if FLUID_GM.is_file() else [])


@pytest.fixture(scope="module", params=FONTS, ids=lambda p: p.stem)
def font(request):
    return load_soundfont(request.param)


@pytest.fixture(scope="module")
def timgm():
    return load_soundfont(default_soundfont())


def one_note(font, program, key, velocity=100, held_s=1.0, total_s=2.0, controls=(), drums=False) -> np.ndarray:
    part = Part(program, drums, [Note(0.0, held_s, key, velocity)], [(0.0, c, v) for c, v in controls])
    return render(font, [part], round(total_s * RATE), RATE)


def rms_db(x: np.ndarray) -> float:
    return 10.0 * math.log10(float(np.mean(np.asarray(x, np.float64) ** 2)) + 1e-30)


def peak_frequency(x: np.ndarray, near_hz: float) -> float:
    """The strongest spectral peak within a semitone of `near_hz`, to a small fraction of a bin (zero-padded FFT
    with parabolic interpolation); it must stand out of the spectrum, not be the window's edge."""
    size = 1 << 20
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size), size))
    freqs = np.fft.rfftfreq(size, 1.0 / RATE)
    band = np.flatnonzero((freqs > near_hz * 2 ** (-1 / 12)) & (freqs < near_hz * 2 ** (1 / 12)))
    k = band[int(np.argmax(spectrum[band]))]
    assert band[0] < k < band[-1], "no peak within a semitone of the expected pitch"
    assert spectrum[k] > 0.05 * spectrum.max(), "the expected pitch is not among the spectrum's partials"
    a, b, c = np.log(spectrum[k - 1 : k + 2])
    return float(freqs[k] + 0.5 * (a - c) / (a - 2 * b + c) * (freqs[1] - freqs[0]))


def cents(measured: float, expected: float) -> float:
    return 1200.0 * math.log2(measured / expected)


def test_every_preset_of_timgm6mb_is_read_with_its_zones(timgm):
    assert timgm.name and len(timgm.presets) == 136
    assert sorted(p.program for p in timgm.presets if p.bank == 0) == list(range(128))  # all of General MIDI
    assert timgm.preset(0, 0).name == "Piano 1" and timgm.preset(0, 40).name == "Violin"
    assert timgm.preset(128, 0) is not None  # the standard drum kit
    for preset in timgm.presets:
        assert preset.name and preset.zones, preset
        for zone in preset.zones:
            instrument = timgm.instruments[zone.link]
            assert instrument.zones, instrument.name
            for izone in instrument.zones:
                sample = timgm.samples[izone.link]
                assert 0 <= sample.start < sample.end <= timgm.data.size and sample.sample_rate > 0
    played = [p for p in timgm.presets if any(regions(timgm, p, k, 100) for k in range(128))]
    assert played == list(timgm.presets)  # every preset sounds on some key


def test_every_preset_of_each_installed_font_has_regions(font):
    for preset in font.presets:
        assert any(regions(font, preset, k, 100) for k in range(0, 128, 3)) or preset.bank == 128, preset.name


def test_a_file_that_is_not_a_soundfont_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not a SoundFont"):
        parse_soundfont(b"RIFF\0\0\0\0WAVEfmt ", "x.wav")
    truncated = default_soundfont().read_bytes()[:200_000]
    with pytest.raises(SoundFontError, match=r"truncated|damaged|lacks"):
        parse_soundfont(truncated, "cut.sf2")
    with pytest.raises(SoundFontError, match="cannot read"):
        load_soundfont(tmp_path / "none.sf2")


@pytest.mark.parametrize(("program", "key"), [(0, 69), (40, 67), (73, 81), (24, 57), (71, 62), (32, 43), (48, 60)])
def test_a_note_sounds_at_its_pitch(font, program, key):
    """Looped samples (piano, violin, flute, guitar, clarinet, bass, strings), at keys away from their roots.
    (FluidR3's violin E5 is not among them: the loop of its F5 sample was recorded 25 cents sharper than its attack,
    so no correct player holds it within 5 cents.)"""
    audio = one_note(font, program, key, held_s=1.5, total_s=1.6)
    expected = 440.0 * 2 ** ((key - 69) / 12)
    held = audio[round(0.4 * RATE) : round(1.4 * RATE)].mean(axis=1)  # a second into the loop
    assert abs(cents(peak_frequency(held, expected), expected)) < 5.0


def test_an_unlooped_sample_is_transposed_exactly_and_ends_with_its_sample(timgm):
    """The orchestra hit's sample has no loop: an octave up it is the same waveform played twice as fast (which a
    pitch off by a few cents would smear within its first tenth of a second), and it ends when its sample does,
    however long the key is held."""
    region = regions(timgm, timgm.preset(0, 55), 60, 100)[0]
    assert region.get(sf2.SAMPLE_MODES) == 0
    low, high = (one_note(timgm, 55, k, held_s=3.0, total_s=3.0).mean(axis=1) for k in (60, 72))
    m = RATE // 8
    assert np.corrcoef(high[:m], low[::2][:m])[0, 1] > 0.99
    assert np.corrcoef(high[:m], low[:m])[0, 1] < 0.5  # (it is not the same sound whatever the key)
    for audio, key in ((low, 60), (high, 72)):
        lengths = [  # output seconds its sample lasts at the key's pitch, per region (they have their own roots)
            (r.sample.end - r.sample.start) / (r.sample.sample_rate * 2 ** ((key - r.get(sf2.ROOT_KEY)) / 12))
            for r in regions(timgm, timgm.preset(0, 55), key, 100)
        ]
        last = np.flatnonzero(np.abs(audio) > 1e-7)[-1] / RATE
        assert last == pytest.approx(max(lengths), abs=0.005)


def frame_db(audio: np.ndarray, at_s: float, width_s: float = 0.02) -> float:
    return rms_db(audio[round(at_s * RATE) : round((at_s + width_s) * RATE)])


def test_note_off_starts_the_release_at_its_rate(timgm):
    """An organ holds its level while the key is down; from the note-off it falls 100 dB per release time (each
    of the preset's layers at its own)."""
    releases = [2.0 ** (r.get(sf2.RELEASE_VOL) / 1200.0) for r in regions(timgm, timgm.preset(0, 19), 60, 100)]
    audio = one_note(timgm, 19, 60, held_s=1.5, total_s=4.0).mean(axis=1)
    before = [frame_db(audio, t) for t in (1.0, 1.2, 1.45)]
    assert max(before) - min(before) < 3.0  # sustained
    for after in (0.1, 0.2):
        drop = before[-1] - frame_db(audio, 1.5 + after)
        assert 100.0 * after / max(releases) - 3.0 < drop < 100.0 * after / min(releases) + 3.0
    assert np.abs(audio[round(3.5 * RATE) :]).max() < 1e-4  # and ended


def test_velocity_follows_the_specifications_curve(timgm):
    loud, soft = (rms_db(one_note(timgm, 0, 60, v, held_s=0.5, total_s=0.6)) for v in (100, 50))
    assert loud - soft == pytest.approx(40.0 * math.log10(100 / 50), abs=0.3)


def test_expression_and_volume_attenuate(timgm):
    full = rms_db(one_note(timgm, 19, 60, controls=[(7, 127)]))
    assert full - rms_db(one_note(timgm, 19, 60, controls=[(7, 127), (11, 64)])) == pytest.approx(
        40 * math.log10(127 / 64), abs=0.3
    )
    assert full - rms_db(one_note(timgm, 19, 60)) == pytest.approx(40 * math.log10(127 / 100), abs=0.3)  # CC 7 = 100


def test_pan_is_constant_power(timgm):
    centre = one_note(timgm, 73, 72, controls=[(10, 64)])  # the flute's zone sets no pan of its own
    left = one_note(timgm, 73, 72, controls=[(10, 0)])
    right = one_note(timgm, 73, 72, controls=[(10, 127)])
    assert abs(rms_db(centre[:, 0]) - rms_db(centre[:, 1])) < 1.0
    assert rms_db(left[:, 0]) - rms_db(left[:, 1]) > 30 and rms_db(right[:, 1]) - rms_db(right[:, 0]) > 30
    power = [10 ** (rms_db(x[:, 0]) / 10) + 10 ** (rms_db(x[:, 1]) / 10) for x in (centre, left, right)]
    assert max(power) / min(power) < 10 ** (1.0 / 10)  # the same power wherever it is panned (within 1 dB)


def centroid(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x.mean(axis=1))) ** 2
    return float((spectrum * np.fft.rfftfreq(x.shape[0], 1.0 / RATE)).sum() / spectrum.sum())


def test_drums_play_the_kit_of_bank_128(timgm):
    kick, hat = (one_note(timgm, 0, k, drums=True, held_s=0.1, total_s=0.5) for k in (36, 42))
    assert rms_db(kick) > -60 and rms_db(hat) > -60
    assert centroid(kick) < 1000 < 4000 < centroid(hat)
    piano = one_note(timgm, 0, 36, held_s=0.1, total_s=0.5)
    assert abs(centroid(piano) - centroid(kick)) > 20  # not the melodic program 0
    assert find_preset(timgm, 5, drums=True) is timgm.preset(128, 0)  # a kit the font lacks: the standard one
