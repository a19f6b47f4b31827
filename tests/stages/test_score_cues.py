"""The score marks the cut and carries a leitmotif: measured on the MIDI and audio the sound stage renders."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from filmaster.audio.wavio import read_wav
from filmaster.backends.music.themes import leitmotif
from filmaster.config import SoundConfig
from filmaster.formats import read_screenplay
from filmaster.model import CueKind, Cut, CutClip, SoundPlan
from filmaster.progress import SilentReporter
from filmaster.project import Project
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.score_cues import lead_character
from filmaster.stages.sound import SoundBackends, design_sound, render_sound

pretty_midi = pytest.importorskip("pretty_midi")
RATE = 48000
SCRIPT = """Title: Themes

EXT. HARBOUR - DAWN

The ferry waits at the pier. MARA walks along the quay with her suitcase.

MARA
I told you I would come back.

TOM
You said that last year too.

MARA
This time I brought the key.

INT. TICKET OFFICE - DAY

A CLERK stamps tickets behind the glass. An old man counts coins.

CLERK
Next, please.

EXT. HARBOUR - NIGHT

MARA stands alone at the end of the pier. The ferry's lights fade.

MARA
Goodbye, then.
"""


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> tuple[Project, SoundPlan, Cut, object]:
    folder = tmp_path_factory.mktemp("score")
    source = folder / "themes.fountain"
    source.write_text(SCRIPT, encoding="utf-8")
    plan = plan_screenplay(read_screenplay(source))
    clips = [
        CutClip(shot_id=shot.id, scene_index=shot.scene_index, media="x", frames=round(shot.duration_s * 24))
        for shot in plan.shots
    ]
    cut = Cut(title="t", fps=24, width=64, height=36, clips=clips, locked=True)
    music = SoundPlan(sample_rate=RATE, cues=design_sound(plan, cut, SoundConfig()).of_kind(CueKind.MUSIC))
    project = Project(folder / "out", source)
    backends = SoundBackends.create("piper", "midi-score", {})
    rendered = render_sound(plan, music, backends, project, SilentReporter(), seed=0, cut=cut)
    return project, rendered, cut, plan


def _theme_notes(project: Project, cue_id: str) -> list[int]:
    midi = pretty_midi.PrettyMIDI(str(project.out / "media" / "music" / f"{cue_id}.mid"))
    themes = [inst for inst in midi.instruments if inst.name == "theme"]
    return [n.pitch for n in sorted(themes[0].notes, key=lambda n: n.start)] if themes else []


def test_the_leads_theme_returns_in_every_scene_the_lead_is_in(scored) -> None:
    project, sound, _, plan = scored
    assert lead_character(plan) == "MARA"
    intervals = np.diff(leitmotif("MARA")).tolist()
    heard = {cue.id: _theme_notes(project, cue.id) for cue in sound.cues}
    assert np.diff(heard["music-S01"]).tolist() == intervals
    assert np.diff(heard["music-S03"]).tolist() == intervals  # the same shape, in that scene's key
    assert heard["music-S02"] == []  # Mara is not in the ticket office, nor is it a place that returns


def test_themes_differ_between_characters_and_stay_diatonic() -> None:
    names = ["MARA", "TOM", "CLERK", "THE HARBOUR", "ANNA", "JOE"]
    motifs = {leitmotif(n) for n in names}
    assert len(motifs) >= 5
    for motif in motifs:
        assert set(motif) <= {-5, 0, 2, 5, 7, 12} and all(a != b for a, b in itertools.pairwise(motif))


def _highs_db(audio: np.ndarray, at_s: float, before: bool) -> float:
    """Level above 4 kHz over the 60 ms before or after a moment (a struck cymbal is all highs)."""
    from scipy.signal import butter, sosfilt

    mono = audio.mean(axis=1)
    highs = sosfilt(butter(4, 4000.0, btype="highpass", fs=RATE, output="sos"), mono)
    i, w = round(at_s * RATE), round(0.06 * RATE)
    window = highs[i - w : i] if before else highs[i : i + w]
    return 10.0 * np.log10(np.mean(window**2) + 1e-15)


def test_the_music_strikes_on_each_cut_inside_a_scene(scored) -> None:
    project, sound, cut, plan = scored
    starts = cut.record_start_frames()
    scene = plan.scenes[0]
    cue = next(c for c in sound.cues if c.id == "music-S01")
    audio, _ = read_wav(project.out / str(cue.media))
    origin = starts[scene.shots[0].id]
    cuts = [(starts[s.id] - origin) / cut.fps for s in scene.shots[1:]]
    struck = [t for t in cuts if 1.5 <= t <= cue.duration_s - 1.5]
    assert struck, "the scene has cuts to mark"
    for t in struck:
        assert _highs_db(audio, t, before=False) - _highs_db(audio, t, before=True) >= 10.0, t
    # Elsewhere the score has no such strokes: away from the cuts the highs barely move.
    away = [t for t in np.arange(0.5, cue.duration_s - 0.5, 0.37) if min(abs(t - c) for c in cuts) > 0.3]
    jumps = [_highs_db(audio, t, before=False) - _highs_db(audio, t, before=True) for t in away]
    assert np.median(jumps) < 3.0 and np.mean(np.array(jumps) >= 10.0) < 0.1
