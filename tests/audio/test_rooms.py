"""Rooms: each set's reverb, measured from the impulse response `apply_room` gives (Schroeder decay and C50)."""

from __future__ import annotations

import numpy as np
import pytest

from filmaster.audio.rooms import ROOMS_VERSION, Perspective, apply_room, room_for, rooms_version
from filmaster.model import SetKind

RATE = 48000


def _response(kind: SetKind, interior: bool, perspective: Perspective = Perspective.ON_SCREEN) -> np.ndarray:
    click = np.zeros(RATE // 10, dtype=np.float32)
    click[0] = 1.0
    return apply_room(click, RATE, room_for(kind, interior), perspective)


def c50_db(response: np.ndarray) -> float:
    """Clarity: energy of the first 50 ms against the rest (ISO 3382)."""
    energy = response.astype(np.float64) ** 2
    split = round(0.05 * RATE)
    return float(10 * np.log10(energy[:split].sum() / max(energy[split:].sum(), 1e-20)))


def decay_s(response: np.ndarray, drop_db: float = 20.0) -> float:
    """Schroeder backward integration: time to fall from -5 dB to -5 - drop_db, scaled to 60 dB (T20-style)."""
    energy = np.cumsum((response.astype(np.float64) ** 2)[::-1])[::-1]
    level = 10 * np.log10(energy / energy[0] + 1e-30)
    start = int(np.argmax(level <= -5.0))
    end = int(np.argmax(level <= -5.0 - drop_db))
    return (end - start) / RATE * 60.0 / drop_db


def test_bigger_harder_rooms_ring_longer() -> None:
    corridor, kitchen, vehicle = (
        decay_s(_response(k, True)) for k in (SetKind.CORRIDOR, SetKind.KITCHEN, SetKind.VEHICLE)
    )
    assert corridor > kitchen > vehicle
    assert kitchen == pytest.approx(room_for(SetKind.KITCHEN, True).rt60_s, rel=0.35)


def test_open_air_is_clearer_than_a_room_and_voice_over_is_dry() -> None:
    assert c50_db(_response(SetKind.FIELD, False)) > c50_db(_response(SetKind.KITCHEN, True)) + 6.0
    dry = _response(SetKind.KITCHEN, True, Perspective.VOICE_OVER)
    assert c50_db(dry) > 60.0 and dry.shape[0] == RATE // 10
    assert c50_db(_response(SetKind.BAR, True, Perspective.OFF_SCREEN)) < c50_db(_response(SetKind.BAR, True))


def test_an_interior_on_an_outdoor_set_is_a_small_room_and_stereo_is_kept() -> None:
    assert room_for(SetKind.SHORE, True).rt60_s < 0.6 and room_for(SetKind.SHORE, True) != room_for(
        SetKind.SHORE, False
    )
    stereo = np.zeros((RATE // 10, 2), dtype=np.float32)
    stereo[0] = 1.0
    out = apply_room(stereo, RATE, room_for(SetKind.ROOM, True))
    assert out.shape[1] == 2 and np.allclose(out[:, 0], out[:, 1])


def test_a_perspective_s_new_treatment_respeaks_only_its_lines() -> None:
    on_screen = {rooms_version(p) for p in Perspective if p != Perspective.OFF_SCREEN}
    assert on_screen == {ROOMS_VERSION} and rooms_version(Perspective.OFF_SCREEN) not in on_screen
