"""Effects and foley end to end, measured on the output: a screenplay naming sounds and a walk goes through every
real stage (previz, Piper, the synthesiser, the mix); onsets are detected on the stems' samples and compared with
the cut and with the renderer's ground truth."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from filmaster.audio.loudness import integrated_loudness, true_peak_dbtp
from filmaster.audio.wavio import read_wav
from filmaster.config import load_config
from filmaster.model import CueKind, Cut, SoundPlan
from filmaster.pipeline import MakeResult, make_film
from filmaster.post.fine_cut import J_CUT_MAX_S

DATA = Path(__file__).resolve().parent / "data"
SMALL = {"render": {"resolution": "320x180"}}
STEMS = ("dialogue", "foley", "sfx", "background", "music")


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> MakeResult:
    work = tmp_path_factory.mktemp("effects")
    source = work / "quay_effects.fountain"
    shutil.copy(DATA / "quay_effects.fountain", source)
    return make_film(source, work / "out", load_config(overrides=SMALL))


def _sound(film: MakeResult) -> SoundPlan:
    return SoundPlan.from_json((film.out / ".filmaster" / "sound.json").read_text())


def _cut(film: MakeResult) -> Cut:
    return Cut.from_json((film.out / ".filmaster" / "cut.json").read_text())


def _stem(film: MakeResult, name: str) -> tuple[np.ndarray, int]:
    return read_wav(film.out / "media" / "stems" / f"{name}.wav")


def onsets(audio: np.ndarray, rate: int) -> np.ndarray:
    """Times (s) where the level jumps: 1 ms RMS steps rising 10 dB over the 20-80 ms before, above -60 dBFS."""
    mono = np.abs(audio).mean(axis=1) if audio.ndim == 2 else np.abs(audio)
    hop = rate // 1000
    steps = mono.size // hop
    env = np.sqrt((mono[: steps * hop].reshape(steps, hop) ** 2).mean(axis=1))
    found: list[float] = []
    last = -1000
    for i in range(80, steps):
        before = float(np.median(env[i - 80 : i - 20]))
        if env[i] > 3.16 * before + 1e-3 and i - last > 60:
            found.append(i / 1000)
            last = i
        elif env[i] > 3.16 * before + 1e-3:
            last = i
    return np.array(found)


def located(stem: np.ndarray, sound: np.ndarray, rate: int, near_s: float, search_s: float = 0.5) -> np.ndarray:
    """Where (s) `sound` (its first 3 s) lies in `stem`, searched within `search_s` of `near_s`."""
    from scipy.signal import fftconvolve

    mono = stem.mean(axis=1) if stem.ndim == 2 else stem
    # At most 3 s of it, and no more than the stem holds after the search (a sound may ring past the film's end).
    length = max(rate // 10, min(3 * rate, mono.size - round((near_s + search_s) * rate)))
    template = (sound.mean(axis=1) if sound.ndim == 2 else sound)[:length].astype(np.float64)
    first = max(0, round((near_s - search_s) * rate))
    window = mono[first : round((near_s + search_s) * rate) + template.size].astype(np.float64)
    # Normalised by the stem's energy under the template, so a louder neighbour does not pull the peak its way.
    energy = fftconvolve(window**2, np.ones(template.size), mode="valid")
    score = fftconvolve(window, template[::-1], mode="valid") / np.sqrt(np.maximum(energy, 1e-12))
    return np.array([(first + int(np.argmax(score))) / rate])


def test_every_effect_starts_within_two_frames_of_its_action(film: MakeResult) -> None:
    sound, cut = _sound(film), _cut(film)
    effects = [c for c in sound.cues if c.kind.value == "sfx"]
    # The quay names gulls, a horn twice, an engine (in a parenthetical), a dog and a knock.
    assert sorted(c.category for c in effects) == ["birds", "dog", "door", "engine", "horn", "horn"]
    starts = cut.record_start_frames()
    lead = round(J_CUT_MAX_S * cut.fps)  # a parenthetical's sound starts with its line, which a J cut may lead
    for cue in effects:  # each at the shot that shows its action
        clip = next(c for c in cut.clips if c.shot_id == cue.shot_id)
        earliest = starts[cue.shot_id] - (lead if (cue.reason or "").startswith("parenthetical") else 0)
        assert earliest <= round(cue.start_s * cut.fps) < starts[cue.shot_id] + clip.frames + cut.fps * 3
    audio, rate = _stem(film, "sfx")
    heard = onsets(audio, rate)
    for cue in effects:
        # A sound that starts under another one still ringing (a bark over the engine) raises the level too little
        # for an onset: it is found in the stem by its own waveform instead (the peak of a matched filter).
        masked = any(o is not cue and o.start_s < cue.start_s < o.end_s for o in effects)
        found = located(audio, read_wav(film.out / str(cue.media))[0], rate, cue.start_s) if masked else heard
        nearest = float(np.min(np.abs(found - cue.start_s)))
        assert nearest <= 2 / cut.fps, (cue.id, cue.start_s, nearest)
    horns = sorted(c.start_s for c in effects if c.category == "horn")
    assert horns[1] - horns[0] > 1.0  # "twice": two blasts, one after the other


def _truth_times(film: MakeResult, key: str, kinds: tuple[str, ...] = ()) -> list[float]:
    """Record times (s) of the takes' ground-truth events under `key` (of these `kinds`, when given), where the cut
    shows them: through each clip's trim and speed, none that the cut leaves out."""
    cut = _cut(film)
    truths = [json.loads(p.read_text()) for p in (film.out / ".filmaster" / "cache" / "shots").glob("*.json")]
    times = []
    position = 0
    for clip in cut.clips:
        for doc in truths if not clip.cutaway else []:
            for event in doc.get(key, []) if doc["shot_id"] == clip.shot_id else []:
                if kinds and event.get("kind") not in kinds:
                    continue
                offset = (event["t"] * cut.fps - clip.source_start_frame) / clip.speed
                if 0 <= offset < clip.frames:
                    times.append((position + offset) / cut.fps)
        position += clip.frames
    return times


def test_footsteps_and_cloth_land_on_the_renderers_ground_truth(film: MakeResult) -> None:
    fps = _cut(film).fps
    contacts = _truth_times(film, "foot_contacts")
    moves = _truth_times(film, "body_events")
    assert len(contacts) >= 3  # MARA walks along the quay
    assert len(moves) == 2  # she sets off and comes to a stop
    audio, rate = _stem(film, "foley")
    heard = onsets(audio, rate)
    for t in contacts + moves:
        assert float(np.min(np.abs(heard - t))) <= 2 / fps, t
    assert len(heard) <= len(contacts) + len(moves) + 1  # and no sound where nothing happens
    cues = [c for c in _sound(film).cues if c.kind.value == "foley"]
    assert all("foot contact" in (c.reason or "") for c in cues if c.category != "cloth")
    cloth = [c for c in cues if c.category == "cloth"]
    assert len(cloth) == 2 and all("limbs" in (c.reason or "") for c in cloth)
    # Each event its own variation: no two cloth sounds (nor two steps) share their samples.
    renders = [read_wav(film.out / str(c.media))[0] for c in cloth]
    assert renders[0].shape != renders[1].shape or not np.allclose(renders[0], renders[1])


def test_stems_sum_the_tracks_without_clipping_and_the_mix_keeps_its_targets(film: MakeResult) -> None:
    mix, rate = read_wav(film.out / "media" / "audio" / "mix.wav")
    for name in STEMS:
        audio, stem_rate = _stem(film, name)
        assert stem_rate == rate and audio.shape == mix.shape, name
        assert float(np.abs(audio).max()) < 0.99, name  # nowhere near full scale
    assert abs(integrated_loudness(mix, rate) + 16.0) <= 1.0
    assert true_peak_dbtp(mix, rate) <= -0.9


def test_dialogue_stays_on_top_of_effects_and_foley(film: MakeResult) -> None:
    sound = _sound(film)
    dialogue, rate = _stem(film, "dialogue")
    others = _stem(film, "sfx")[0] + _stem(film, "foley")[0]

    def rms_db(x: np.ndarray) -> float:
        return 10 * np.log10(float(np.mean(x.astype(np.float64) ** 2)) + 1e-12)

    for line in sound.of_kind(CueKind.DIALOGUE):
        a, b = round(line.start_s * rate), round(line.end_s * rate)
        assert rms_db(dialogue[a:b]) - rms_db(others[a:b]) >= 6.0, line.id


def test_no_click_at_any_edit(film: MakeResult) -> None:
    """At every cut of the picture and every end of an effect, no sample jumps further than the sound around it."""
    cut, sound = _cut(film), _sound(film)
    mix, rate = read_wav(film.out / "media" / "audio" / "mix.wav")
    sfx, _ = _stem(film, "sfx")
    edits = np.cumsum([c.frames for c in cut.clips])[:-1] / cut.fps
    ends = [c.end_s for c in sound.cues if c.kind.value in ("sfx", "foley")]
    for audio, times in ((mix, edits), (sfx, ends)):
        jumps = np.abs(np.diff(audio.astype(np.float64), axis=0)).max(axis=1)
        for t in times:
            at = round(t * rate)
            if at >= jumps.size - 10:
                continue
            edge = jumps[max(0, at - 48) : at + 48].max()
            around = np.concatenate([jumps[max(0, at - 4800) : max(0, at - 480)], jumps[at + 480 : at + 4800]])
            assert edge <= max(2.0 * np.percentile(around, 99.5), 2e-3), (t, edge)


def test_the_timeline_has_a_track_for_every_stem(film: MakeResult) -> None:
    timeline = otio.adapters.read_from_file(str(film.timeline))
    names = {track.name for track in timeline.tracks}
    assert {"Dialogue", "Foley", "SFX", "Background", "Music"} <= names
    fps = _cut(film).fps
    placed = {
        clip.name: (clip.range_in_parent().start_time.value, clip.metadata["filmaster"]["reason"])
        for track in timeline.tracks
        if track.name.startswith(("SFX", "Foley")) and track.enabled  # not the muted stems
        for clip in track.find_clips()
    }
    for cue in _sound(film).cues:
        if cue.kind.value in ("sfx", "foley"):
            assert placed[cue.id] == (round(cue.start_s * fps), cue.reason)


def test_explain_shows_why_each_sound_of_a_scene_exists(film: MakeResult) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "filmaster", "explain", "1", "--plan", str(film.out / "plan.json")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    shown = result.stdout.split("sound events:")[1]
    for cue in _sound(film).cues:
        if cue.kind.value in ("sfx", "foley") and cue.scene_index == 0:
            assert f"{cue.start_s:7.3f} s" in shown and cue.reason and cue.reason in shown, cue.id
    assert 'action: "' in shown and "foot contact" in shown and "limbs start swinging" in shown


def _contributions(film: MakeResult) -> tuple[dict[str, np.ndarray], np.ndarray, int]:
    """How much of each stem the delivered mix holds, window by window: the mix regressed (least squares) on the
    stems over 40 ms windows. The ducking and the master's gain move slowly, so within a window each stem's share
    is one number; the dialogue's compressor likewise."""
    mix, rate = read_wav(film.out / "media" / "audio" / "mix.wav")
    stems = {name: _stem(film, name)[0].mean(axis=1).astype(np.float64) for name in STEMS}
    y = mix.mean(axis=1).astype(np.float64)
    hop = rate // 25
    starts = np.arange(0, y.size - hop, hop)
    coefs = {name: np.full(starts.size, np.nan) for name in STEMS}
    for i, a in enumerate(starts):
        columns = [n for n in STEMS if np.sqrt(np.mean(stems[n][a : a + hop] ** 2)) > 1e-3]
        if not columns:
            continue
        matrix = np.stack([stems[n][a : a + hop] for n in columns], axis=1)
        solved = np.linalg.lstsq(matrix, y[a : a + hop], rcond=None)[0]
        for n, c in zip(columns, solved, strict=True):
            coefs[n][i] = c
    return coefs, (starts + hop / 2) / rate, rate


def test_effects_and_background_dip_under_dialogue_in_the_mix(film: MakeResult) -> None:
    coefs, times, _ = _contributions(film)
    lines = [(c.start_s, c.end_s) for c in _sound(film).of_kind(CueKind.DIALOGUE)]
    # Well inside a line (the duck has attacked) versus well clear of every line (it has released).
    inside = np.array([any(a + 0.25 < t < b - 0.1 for a, b in lines) for t in times])
    clear = np.array([all(t < a - 0.6 or t > b + 1.0 for a, b in lines) for t in times])
    for name in ("sfx", "background"):
        under, free = coefs[name][inside], coefs[name][clear]
        under, free = under[~np.isnan(under)], free[~np.isnan(free)]
        assert under.size >= 5 and free.size >= 5, name  # the stem sounds both under a line and clear of one
        dip_db = 20 * np.log10(np.median(np.abs(under)) / np.median(np.abs(free)))
        assert dip_db <= -7.0, (name, dip_db)  # the mix's duck is -10 dB
    # The foley moves with the actors: not ducked. And the voice itself is not dipped.
    speech = coefs["dialogue"][inside]
    assert np.median(speech[~np.isnan(speech)]) > 0.5 * np.nanmedian(coefs["dialogue"])
