import numpy as np
import pytest
from scipy.signal import welch

from filmaster.audio.ambience import BED_LUFS, ambience_bed
from filmaster.audio.loudness import integrated_loudness
from filmaster.model import SetKind, TimeOfDay

RATE = 48000


def _spectrum_db(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    f, p = welch(x.mean(axis=1), RATE, nperseg=4096)
    return f, 10 * np.log10(p + 1e-20)


def _band_share(x: np.ndarray, lo: float, hi: float) -> float:
    f, p = welch(x.mean(axis=1), RATE, nperseg=4096)
    return float(p[(f >= lo) & (f < hi)].sum() / p.sum())


@pytest.mark.parametrize("kind", list(SetKind))
def test_every_kind_gives_a_stereo_bed_at_its_level(kind):
    bed = ambience_bed(kind, False, TimeOfDay.DAY, 6.0, RATE, seed=1)
    assert bed.shape == (6 * RATE, 2) and bed.dtype == np.float32
    assert integrated_loudness(bed, RATE) == pytest.approx(BED_LUFS[kind], abs=0.5)
    assert np.abs(bed).max() < 1.0
    # decorrelated channels: wide, but not two unrelated signals either
    corr = np.corrcoef(bed[:, 0], bed[:, 1])[0, 1]
    assert 0.1 < corr < 0.95


def test_deterministic_per_seed():
    a = ambience_bed(SetKind.STREET, False, TimeOfDay.DAY, 4.0, RATE, seed=7)
    b = ambience_bed(SetKind.STREET, False, TimeOfDay.DAY, 4.0, RATE, seed=7)
    c = ambience_bed(SetKind.STREET, False, TimeOfDay.DAY, 4.0, RATE, seed=8)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_night_forest_has_crickets_day_forest_has_birdsong():
    day = ambience_bed(SetKind.FOREST, False, TimeOfDay.DAY, 10.0, RATE, seed=3)
    night = ambience_bed(SetKind.FOREST, False, TimeOfDay.NIGHT, 10.0, RATE, seed=3)
    _f, s_day = _spectrum_db(day)
    _, s_night = _spectrum_db(night)
    assert np.mean(np.abs(s_day - s_night)) > 3.0  # spectra clearly differ
    # crickets are steady tones around 4.2-4.9 kHz: a much larger share of the night bed's energy, and
    # spectral lines standing well out of that band (birds sweep, so their energy is spread)
    assert _band_share(night, 4200, 4900) > 3 * _band_share(day, 4200, 4900)

    def line_prominence_db(x):
        f, p = welch(x.mean(axis=1), RATE, nperseg=8192)
        band = p[(f >= 4200) & (f < 4900)]
        return 10 * np.log10(band.max() / np.median(band))

    assert line_prominence_db(night) > line_prominence_db(day) + 4.0


def test_shore_swells_every_5_to_15_seconds():
    bed = ambience_bed(SetKind.SHORE, False, TimeOfDay.DAY, 60.0, 16000, seed=2)
    frame = 1600  # 100 ms
    mono = bed.mean(axis=1)
    env = 10 * np.log10((mono[: mono.size // frame * frame].reshape(-1, frame) ** 2).mean(axis=1))
    assert np.percentile(env, 90) - np.percentile(env, 10) > 8.0  # strong amplitude modulation
    e = env - env.mean()
    ac = np.correlate(e, e, "full")[e.size - 1 :]
    ac /= ac[0]
    lags = np.arange(ac.size) * 0.1
    in_range = (lags >= 5.0) & (lags <= 15.0)
    best = lags[in_range][np.argmax(ac[in_range])]
    assert ac[in_range].max() > 0.4, f"no envelope periodicity (peak {ac[in_range].max():.2f} at {best:.1f} s)"
    # a real period: the envelope first decorrelates (trough between swells), then comes back at `best`
    assert ac[lags < best].min() < -0.3


def test_interior_street_is_heard_through_walls():
    outside = ambience_bed(SetKind.STREET, False, TimeOfDay.DAY, 8.0, RATE, seed=4)
    inside = ambience_bed(SetKind.STREET, True, TimeOfDay.DAY, 8.0, RATE, seed=4)

    def centroid(x):
        f, p = welch(x.mean(axis=1), RATE, nperseg=4096)
        return float((f * p).sum() / p.sum())

    assert centroid(inside) < 0.6 * centroid(outside)
    assert integrated_loudness(inside, RATE) < integrated_loudness(outside, RATE) - 5.0


def test_room_tone_has_a_mains_hum():
    bed = ambience_bed(SetKind.ROOM, True, TimeOfDay.NIGHT, 8.0, RATE, seed=5)
    _f, p = welch(bed.mean(axis=1), RATE, nperseg=RATE)  # 1 Hz bins: a faint tone still stands out
    s = 10 * np.log10(p)
    line = max(s[50] - s[42:47].mean(), s[60] - s[52:57].mean())
    assert line > 8.0
