"""Scene music composed as MIDI (pretty_midi) and rendered offline through a SoundFont (audio/soundfont).

Each mood maps to a tempo, a mode, a chord progression and an ensemble of General MIDI programs. The cue
gets a voice-led chord pad, a bass line, a melody that anchors on chord tones and walks the scale between
them, and mood-specific parts (an ostinato, timpani pulses, arpeggios, light percussion). The MIDI file is
the source of truth: the audio plays exactly its notes and its fade-in (CC 11). Its closing fade is applied to the
audio instead, once the cue is cut from a render of its whole last bar, so that every length within the same bars
is cut from one render (see `MidiScoreMusicBackend.compose`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ...audio.dsp import convolve_long, fade, fit_length
from ...audio.filters import butter2_lowpass, sos_filter
from ...audio.loudness import integrated_loudness
from ...audio.soundfont import MissingPresetError, Note, Part, SoundFont, SoundFontError, load_soundfont, render
from ...errors import AudioError, ConfigError
from ...model import Mood, TimeOfDay
from ...project import Cache, content_key
from .base import MusicBackend, MusicRequest, MusicResult
from .themes import THEME_RHYTHM

RENDERS = "music-render"  # cache namespace of whole-bar renders

MUSIC_LUFS = -20.0  # level of every rendered cue; the mix sets the final balance
_PEAK_CEILING = 10.0 ** (-1.0 / 20.0)
_BEATS_PER_BAR = 4
_NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_MODES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
}


@dataclass(frozen=True)
class Style:
    """How one mood is scored. Programs are General MIDI (0-based); degrees are 0-based scale steps."""

    bpm: float
    mode: str
    keys: tuple[int, ...]  # tonic pitch classes to pick from
    progression: tuple[int, ...]  # chord root per bar, cycled
    pad: int
    melody: int
    bass: int
    bass_pattern: str  # whole | half | eighths | root_fifth | walking
    melody_rhythms: tuple[tuple[float, ...], ...]  # per bar; negative = rest, in beats
    velocity: int
    ostinato: int | None = None  # a repeated eighth-note figure (tense)
    pulse: int | None = None  # a low hit on beats 1 and 3 (tense)
    arpeggio: int | None = None  # broken chords in eighths (warm, joyful)
    drums: bool = False
    sevenths: bool = False
    ensemble: str = ""


STYLES: dict[Mood, Style] = {
    Mood.TENSE: Style(
        bpm=96,
        mode="minor",
        keys=(2, 4, 9),
        progression=(0, 0, 5, 4),
        pad=48,
        melody=40,
        bass=43,
        bass_pattern="eighths",
        melody_rhythms=((-2.0, 1.0, 1.0), (3.0, -1.0), (-1.0, 1.0, 2.0)),
        velocity=84,
        ostinato=49,
        pulse=47,
        ensemble="string ensemble, low-string ostinato, violin, contrabass, timpani",
    ),
    Mood.CALM: Style(
        bpm=72,
        mode="major",
        keys=(0, 5, 7),
        progression=(0, 4, 5, 3),
        pad=89,
        melody=0,
        bass=32,
        bass_pattern="whole",
        melody_rhythms=((2.0, 1.0, 1.0), (1.0, 1.0, 2.0), (4.0,), (1.5, 0.5, 2.0)),
        velocity=64,
        arpeggio=0,
        sevenths=True,
        ensemble="piano melody and arpeggios, warm pad, acoustic bass",
    ),
    Mood.SAD: Style(
        bpm=64,
        mode="minor",
        keys=(9, 4, 2),
        progression=(0, 5, 2, 6),
        pad=48,
        melody=0,
        bass=42,
        bass_pattern="half",
        melody_rhythms=((2.0, 2.0), (3.0, 1.0), (1.0, 1.0, 2.0), (4.0,)),
        velocity=60,
        ensemble="strings, piano, cello",
    ),
    Mood.MYSTERIOUS: Style(
        bpm=70,
        mode="dorian",
        keys=(2, 7, 11),
        progression=(0, 3, 0, 6),
        pad=88,
        melody=8,
        bass=43,
        bass_pattern="whole",
        melody_rhythms=((-1.0, 1.0, -1.0, 1.0), (-2.0, 2.0), (1.0, -1.0, 2.0)),
        velocity=62,
        arpeggio=46,
        sevenths=True,
        ensemble="celesta, harp arpeggios, new-age pad, contrabass",
    ),
    Mood.WARM: Style(
        bpm=84,
        mode="major",
        keys=(7, 2, 9),
        progression=(0, 5, 3, 4),
        pad=49,
        melody=0,
        bass=32,
        bass_pattern="walking",
        melody_rhythms=((1.0, 1.0, 2.0), (2.0, 1.0, 1.0), (1.5, 0.5, 1.0, 1.0)),
        velocity=70,
        arpeggio=24,
        sevenths=True,
        ensemble="nylon guitar, piano, strings, acoustic bass",
    ),
    Mood.JOYFUL: Style(
        bpm=112,
        mode="major",
        keys=(0, 7, 2),
        progression=(0, 3, 4, 0),
        pad=48,
        melody=73,
        bass=33,
        bass_pattern="root_fifth",
        melody_rhythms=((0.5, 0.5, 1.0, 0.5, 0.5, 1.0), (1.0, 0.5, 0.5, 2.0), (0.5, 0.5, 0.5, 0.5, 2.0)),
        velocity=84,
        arpeggio=45,
        drums=True,
        ensemble="pizzicato strings, flute, strings, electric bass, light percussion",
    ),
}

# Channel pan (CC 10) and volume (CC 7) by part, so the ensemble is spread and balanced.
_PARTS = {
    "pad": (64, 78),
    "melody": (52, 100),
    "bass": (64, 96),
    "ostinato": (84, 92),
    "pulse": (60, 90),
    "arpeggio": (40, 84),
    "drums": (70, 70),
    "theme": (70, 104),
    "accent": (64, 112),
    "accent-cymbal": (80, 96),
    "beat-layer": (64, 100),
}
_THEME_PROGRAM = 60  # French horn: the leitmotif sounds over the ensemble whatever the mood
_ACCENT_PROGRAM = 47  # timpani, with a crash cymbal: a cut or a story beat is struck
_BEAT_LAYER_PROGRAM = 48  # string ensemble, low: the weight a story beat adds under the rest of the cue
BEAT_LIFT = 14  # MIDI velocity every part gains from a story beat on


def default_soundfont() -> Path:
    pretty_midi = _import_pretty_midi()
    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


def _import_pretty_midi() -> Any:
    import pretty_midi  # imported on first use: it loads slowly

    return pretty_midi


class MidiScoreMusicBackend(MusicBackend):
    """Settings: `soundfont` (path of an .sf2; default: TimGM6mb.sf2 shipped with pretty_midi),
    `reverb` (wet level in dB, default -16; None for a dry render)."""

    NAME: ClassVar[str] = "midi-score"
    SETTINGS: ClassVar[frozenset[str]] = frozenset({"soundfont", "reverb"})
    # 2: reverb by single-precision overlap-add; 3: its FFTs by numpy; 4: rendered in whole bars, cut and faded;
    # 5: leitmotifs and cue points; 6: our own SoundFont synthesizer (audio/soundfont) instead of tinysoundfont
    VERSION: ClassVar[str] = "6"

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self._pm = _import_pretty_midi()
        path = Path(settings["soundfont"]).expanduser() if settings.get("soundfont") else default_soundfont()
        if not path.is_file():
            raise ConfigError(f"soundfont {path} does not exist; set [backends.music] soundfont to an .sf2 file")
        try:
            self._soundfont: SoundFont = load_soundfont(path)
        except SoundFontError as exc:
            raise ConfigError(f"{exc}; check [backends.music] soundfont") from exc
        self.soundfont_path = path

    def compose(self, request: MusicRequest, sample_rate: int, cache: Cache | None = None) -> MusicResult:
        """The cue is played to the end of its last bar with no fade-out, then cut to its length and faded over the
        fade the score writes: every length within the same bars is cut from one render, kept in `cache`, so a
        scene that grows or shrinks by a line keeps its score (the bars' notes do not depend on the length)."""
        if request.duration_s <= 0:
            raise AudioError(f"music cue {request.cue_id} has duration {request.duration_s} s; it must be > 0")
        score = compose_score(self._pm, request)  # the cue as written, its fade-out included: the MIDI file
        whole = dataclasses.replace(request, duration_s=score.bars * score.bar_s)

        def render() -> np.ndarray:
            played = compose_score(self._pm, whole, fade_s=score.fade_s, fade_out=False)
            audio = self._render(played.midi, round(whole.duration_s * sample_rate), sample_rate)
            wet = self.settings.get("reverb", -16.0)
            if wet is not None:
                audio = _reverb(audio, sample_rate, float(wet), _rng(request, "reverb"))
            return audio

        if cache is None:
            audio = render()
        else:
            key = content_key(RENDERS, dataclasses.asdict(whole), score.fade_s, sample_rate, self.cache_identity)

            def keep(tmp: Path) -> None:
                with tmp.open("wb") as handle:
                    np.save(handle, render())

            audio = cache.fetch_or_make_array(RENDERS, key, ".npy", keep)
        n = round(request.duration_s * sample_rate)
        # The fade the score's expression (CC 11) writes, at least 20 ms: no click at the very end.
        audio = _set_level(fade(audio[:n], sample_rate, 0.0, max(score.fade_s, 0.02)), sample_rate)
        buffer = io.BytesIO()
        score.midi.write(buffer)
        return MusicResult(audio=audio, midi=buffer.getvalue(), description=score.description)

    def _render(self, midi: Any, n: int, sample_rate: int) -> np.ndarray:
        """Play the score through the SoundFont: float32 stereo, `n` samples."""
        try:
            return render(self._soundfont, score_parts(midi), n, sample_rate)
        except MissingPresetError as exc:
            raise AudioError(
                f"soundfont {self.soundfont_path.name} lacks {exc.args[0]}; set [backends.music] soundfont to a "
                "General MIDI .sf2 file"
            ) from exc


def score_parts(midi: Any) -> list[Part]:
    """The PrettyMIDI score's instruments as synthesizer parts (notes and control changes in seconds)."""
    return [
        Part(
            program=inst.program,
            drums=inst.is_drum,
            notes=[Note(note.start, note.end, note.pitch, note.velocity) for note in inst.notes],
            controls=[(cc.time, cc.number, cc.value) for cc in inst.control_changes],
        )
        for inst in midi.instruments
    ]


@dataclass(frozen=True)
class Score:
    midi: Any  # pretty_midi.PrettyMIDI
    description: str
    bpm: float
    key: str
    bars: int
    bar_s: float
    fade_s: float  # the fades the score writes: in over its first bar (at most), out over its last


def _rng(request: MusicRequest, purpose: str) -> np.random.Generator:
    # A stable seed from seed + cue id (Python's str hash is salted per process, so unusable here).
    digest = hashlib.sha256(f"{request.seed}:{request.cue_id}:{purpose}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def compose_score(
    pretty_midi: Any, request: MusicRequest, *, fade_s: float | None = None, fade_out: bool = True
) -> Score:
    """Compose the cue as a PrettyMIDI object (deterministic per seed and cue id); its notes depend on its
    number of bars, not on where in the last bar it ends. `fade_s` overrides the length of its fades (by default
    a bar, a third of a shorter cue); `fade_out=False` leaves out the closing one."""
    style = STYLES[Mood(request.mood)]
    rng = _rng(request, "score")
    tonic = int(rng.choice(style.keys))
    night = request.time_of_day in (TimeOfDay.NIGHT, TimeOfDay.DUSK)
    velocity = style.velocity - (10 if night else 0)  # night cues are played softer
    beat = 60.0 / style.bpm
    bar = beat * _BEATS_PER_BAR
    bars = max(1, math.ceil(request.duration_s / bar - 1e-9))  # whole bars stay whole despite rounding
    scale = _MODES[style.mode]
    roots = [style.progression[i % len(style.progression)] for i in range(bars)]
    if bars > 1:
        roots[-1] = 0  # end on the tonic
    chords = [_chord(scale, tonic, d, style.sevenths) for d in roots]

    midi = pretty_midi.PrettyMIDI(initial_tempo=style.bpm)
    midi.time_signature_changes.append(pretty_midi.TimeSignature(_BEATS_PER_BAR, 4, 0.0))
    midi.key_signature_changes.append(pretty_midi.KeySignature(_key_signature(tonic, style.mode), 0.0))
    parts: dict[str, Any] = {}

    def part(name: str, program: int, is_drum: bool = False) -> Any:
        inst = pretty_midi.Instrument(program=program, is_drum=is_drum, name=name)
        parts[name] = inst
        return inst

    def note(inst: Any, pitch: int, start_beat: float, length_beats: float, vel: int) -> None:
        jitter = int(rng.integers(-5, 6))  # a touch of human dynamics; timing stays on the grid
        lift = BEAT_LIFT if request.beat_s is not None and start_beat * beat >= request.beat_s - 1e-6 else 0
        v = int(np.clip(vel + jitter + lift, 1, 127))
        inst.notes.append(pretty_midi.Note(v, int(pitch), start_beat * beat, (start_beat + length_beats) * beat))

    pad = part("pad", style.pad)
    voicing: list[int] | None = None
    for i, chord in enumerate(chords):
        voicing = _voice_lead(chord, voicing)
        for p in voicing:
            note(pad, p, i * _BEATS_PER_BAR, _BEATS_PER_BAR, velocity - 14)

    bass = part("bass", style.bass)
    for i, chord in enumerate(chords):
        nxt = chords[i + 1][0] if i + 1 < len(chords) else chord[0]
        for offset, length, pitch in _bass_bar(style.bass_pattern, chord, nxt, scale, tonic):
            note(bass, pitch, i * _BEATS_PER_BAR + offset, length, velocity - 4)

    if style.ostinato is not None:
        ost = part("ostinato", style.ostinato)
        for i, chord in enumerate(chords):
            root = _in_range(chord[0], 45, 57)
            figure = (root, root + 7, root + 12, root + 7)
            for k in range(8):
                note(ost, figure[k % 4], i * _BEATS_PER_BAR + k * 0.5, 0.4, velocity - (0 if k % 2 == 0 else 12))
    if style.pulse is not None:
        pulse = part("pulse", style.pulse)
        for i, chord in enumerate(chords):
            for b in (0, 2):
                note(pulse, _in_range(chord[0], 38, 50), i * _BEATS_PER_BAR + b, 0.9, velocity + 6 - 10 * (b > 0))
    if style.arpeggio is not None:
        arp = part("arpeggio", style.arpeggio)
        for i, chord in enumerate(chords):
            tones = sorted(_in_range(p, 55, 67) for p in chord)
            up = [*tones, tones[0] + 12]
            arp_figure = up + up[-2:0:-1]
            for k in range(8):
                note(arp, arp_figure[k % len(arp_figure)], i * _BEATS_PER_BAR + k * 0.5, 0.5, velocity - 12)

    theme_bars = _theme_bars(bars, request.duration_s / beat) if request.theme else ()
    melody = part("melody", style.melody)
    _write_melody(
        rng, style, chords, scale, tonic, lambda p, s, d, v: note(melody, p, s, d, v), velocity, rest=theme_bars
    )
    if theme_bars:
        # The leitmotif over the melody's rest, its intervals exact (see themes.py), voiced around middle C.
        theme = part("theme", _THEME_PROGRAM)
        t: float = theme_bars[0] * _BEATS_PER_BAR
        for interval, length in zip(request.theme, THEME_RHYTHM, strict=False):
            theme.notes.append(pretty_midi.Note(velocity + 10, 60 + tonic + interval, t * beat, (t + length) * beat))
            t += length
    if request.beat_s is not None:
        # The story beat turns the cue: a low string layer on each chord's root enters with it, and every part plays
        # louder from there (`note`), so the music's level and weight change at the beat, not only at the cuts.
        layer = part("beat-layer", _BEAT_LAYER_PROGRAM)
        first_bar = int(request.beat_s / bar)
        for i in range(first_bar, bars):
            start = max(request.beat_s, i * bar)
            end = (i + 1) * bar
            if end - start > 0.1:
                pitch = _in_range(chords[i][0], 36, 48)
                layer.notes.append(pretty_midi.Note(min(127, velocity + 20), pitch, start, end))
    accents = tuple(sorted({*request.accents_s, *((request.beat_s,) if request.beat_s is not None else ())}))
    if accents:
        # Cue points: a timpani stroke on the chord's root and a crash, exactly at the cut (off the beat grid).
        accent, cymbal = part("accent", _ACCENT_PROGRAM), part("accent-cymbal", 0, is_drum=True)
        for at in accents:
            root = chords[min(int(at / bar), bars - 1)][0]
            accent.notes.append(pretty_midi.Note(min(127, velocity + 30), _in_range(root, 38, 50), at, at + 0.8))
            cymbal.notes.append(pretty_midi.Note(min(127, velocity + 16), 49, at, at + 1.0))

    if style.drums:
        drums = part("drums", 0, is_drum=True)
        for i in range(bars):
            for k in range(8):
                beat_at = i * _BEATS_PER_BAR + k * 0.5
                note(drums, 42, beat_at, 0.25, velocity - (18 if k % 2 else 8))  # closed hi-hat, eighths
                if k in (0, 4):
                    note(drums, 36, beat_at, 0.5, velocity)  # kick on 1 and 3
                if k in (2, 6):
                    note(drums, 54, beat_at, 0.5, velocity - 14)  # tambourine on 2 and 4

    if fade_s is None:
        fade_s = min(_BEATS_PER_BAR, request.duration_s / beat / 3.0) * beat
    for name, inst in parts.items():
        pan, volume = _PARTS[name]
        inst.control_changes += [
            pretty_midi.ControlChange(10, pan, 0.0),
            pretty_midi.ControlChange(7, volume, 0.0),
        ]
        inst.control_changes += _expression_fades(pretty_midi, request.duration_s, fade_s, fade_out=fade_out)
        midi.instruments.append(inst)

    key = _key_name(tonic, style.mode)
    programs = ", ".join(style.ensemble.split(", "))
    tod = f", {request.time_of_day}" if night else ""
    theme_of = f", {request.theme_name}'s theme" if theme_bars and request.theme_name else ""
    description = f"{Mood(request.mood).value}, {style.bpm:g} BPM, {key}, {programs}{tod}{theme_of}"
    return Score(midi=midi, description=description, bpm=style.bpm, key=key, bars=bars, bar_s=bar, fade_s=fade_s)


def _theme_bars(bars: int, beats: float) -> tuple[int, ...]:
    """The bars a leitmotif takes: the two after the intro bar, or the first two of a short cue; none when the
    cue is too short to hold the whole theme before its closing bar."""
    start = 1 if bars >= 4 else 0
    if start * _BEATS_PER_BAR + sum(THEME_RHYTHM) > beats:
        return ()
    return (start, start + 1)


def _expression_fades(pretty_midi: Any, duration_s: float, fade_s: float, *, fade_out: bool = True) -> list[Any]:
    """CC 11 ramps: up from silence over the first bar, down to silence over the last."""
    steps = 32
    ramp = []
    for k in range(steps + 1):
        x = k / steps
        value = round(127 * math.sin(0.5 * math.pi * x))  # equal-power shape
        ramp.append(pretty_midi.ControlChange(11, value, x * fade_s))
        if fade_out:
            ramp.append(pretty_midi.ControlChange(11, value, max(0.0, duration_s - x * fade_s)))
    return sorted(ramp, key=lambda cc: cc.time)


def _key_name(tonic: int, mode: str) -> str:
    name = _NOTE_NAMES[tonic]
    if mode == "dorian":
        return f"{name} dorian"
    return f"{name} {mode}"


def _key_signature(tonic: int, mode: str) -> int:
    """pretty_midi key number (0-11 major, 12-23 minor); a dorian key shares the major signature a tone below."""
    if mode == "dorian":
        return (tonic - 2) % 12
    return tonic + (12 if mode == "minor" else 0)


def _chord(scale: tuple[int, ...], tonic: int, degree: int, seventh: bool) -> list[int]:
    """Pitches (around middle C) of the diatonic triad or seventh chord on a scale degree; root first."""
    steps = (0, 2, 4, 6) if seventh else (0, 2, 4)
    out = []
    for s in steps:
        d = degree + s
        out.append(48 + tonic + scale[d % 7] + 12 * (d // 7))
    return out


def _in_range(pitch: int, lo: int, hi: int) -> int:
    """The same pitch class moved by octaves into [lo, hi] (hi - lo ≥ 11)."""
    return lo + (pitch - lo) % 12 if not lo <= pitch <= hi else pitch


def _voice_lead(chord: list[int], previous: list[int] | None, lo: int = 52, hi: int = 76) -> list[int]:
    """Close-position voicing of `chord` within [lo, hi] that moves the least from the previous voicing."""
    classes = sorted({p % 12 for p in chord})
    candidates = []
    for bottom in range(lo, hi - 11):
        if bottom % 12 not in classes:
            continue
        voicing = sorted(bottom + (c - bottom) % 12 for c in classes)
        if voicing[-1] <= hi:
            candidates.append(voicing)
    if previous is None:
        centre = (lo + hi) / 2
        return min(candidates, key=lambda v: abs(sum(v) / len(v) - centre))

    def motion(v: list[int]) -> float:
        # Every voice moves to the nearest note of the new chord; fewer and smaller moves = smoother.
        return sum(min(abs(p - q) for q in v) for p in previous) + sum(min(abs(p - q) for q in previous) for p in v)

    return min(candidates, key=motion)


def _bass_bar(
    pattern: str, chord: list[int], next_root: int, scale: tuple[int, ...], tonic: int
) -> list[tuple[float, float, int]]:
    """(beat offset, length in beats, pitch) of one bar of bass."""
    root = _in_range(chord[0], 36, 47)
    fifth = _in_range(chord[2], root, root + 11)
    third = _in_range(chord[1], root, root + 11)
    if pattern == "whole":
        return [(0.0, 4.0, root)]
    if pattern == "half":
        return [(0.0, 2.0, root), (2.0, 2.0, fifth)]
    if pattern == "eighths":
        return [(k * 0.5, 0.45, root) for k in range(8)]
    if pattern == "root_fifth":
        return [(0.0, 1.0, root), (1.0, 1.0, fifth), (2.0, 1.0, root), (3.0, 1.0, fifth)]
    if pattern == "walking":  # root, third, fifth, then a step leading into the next bar's root
        target = _in_range(next_root, 36, 47)
        approach = target - 1 if (target - 1 - tonic) % 12 in scale else target + 2
        return [(0.0, 1.0, root), (1.0, 1.0, third), (2.0, 1.0, fifth), (3.0, 1.0, approach)]
    raise ValueError(f"unknown bass pattern {pattern}")


def _write_melody(
    rng: np.random.Generator,
    style: Style,
    chords: list[list[int]],
    scale: tuple[int, ...],
    tonic: int,
    play: Any,
    velocity: int,
    rest: tuple[int, ...] = (),
) -> None:
    """Melody over the chords: chord tones on strong beats, scale steps between, phrases end on the root.

    The first bar is left to the accompaniment (an intro), and the bars in `rest` to a leitmotif; phrases are
    four bars long.
    """
    lo, hi = 64, 84
    pitches = [p for p in range(lo, hi + 1) if (p - tonic) % 12 in scale]
    current = min(pitches, key=lambda p: abs(p - 72))
    for i, chord in enumerate(chords):
        if (i == 0 and len(chords) > 2) or i in rest:
            continue
        rhythm = style.melody_rhythms[int(rng.integers(len(style.melody_rhythms)))]
        phrase_end = i % 4 == 3 or i == len(chords) - 1
        tones = {p % 12 for p in chord}
        t = 0.0
        for k, length in enumerate(rhythm):
            if length < 0:
                t += -length
                continue
            last = k == len(rhythm) - 1
            if phrase_end and last:  # cadence: land on the nearest chord root
                current = min((p for p in pitches if p % 12 == chord[0] % 12), key=lambda p: abs(p - current))
            elif t in (0.0, 2.0):  # strong beat: nearest chord tone a small leap away
                leap = int(rng.integers(-4, 5))
                options = [p for p in pitches if p % 12 in tones]
                current = min(options, key=lambda p: abs(p - (current + leap)))
            else:  # weak beat: step along the scale, turning back at the edges
                idx = pitches.index(current) if current in pitches else 0
                step = int(rng.choice((-2, -1, -1, 1, 1, 2)))
                if not 0 <= idx + step < len(pitches):
                    step = -step
                current = pitches[idx + step]
            accent = 8 if t == 0.0 else 0
            play(current, i * _BEATS_PER_BAR + t, length * 0.95, velocity + accent)
            t += length


def _reverb(audio: np.ndarray, sample_rate: int, wet_db: float, rng: np.random.Generator) -> np.ndarray:
    """A small hall: convolution with decaying, darkened noise, different per channel for width."""
    rt60 = 1.6
    n = int(rt60 * sample_rate)
    t = np.arange(n) / sample_rate
    ir = rng.standard_normal((n, 2)) * np.exp(-6.9 * t / rt60)[:, None]
    ir = sos_filter(butter2_lowpass(5000 / (sample_rate / 2)), ir)
    ir[: int(0.012 * sample_rate)] = 0.0  # pre-delay: the direct sound stays clear
    ir /= np.sqrt(np.sum(ir**2, axis=0, keepdims=True))
    wet = convolve_long(audio, ir)
    return (audio + wet * 10.0 ** (wet_db / 20.0)).astype(np.float32)


def _set_level(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    loud = integrated_loudness(audio, sample_rate)
    gain = 10.0 ** ((MUSIC_LUFS - loud) / 20.0) if np.isfinite(loud) else 1.0
    peak = float(np.abs(audio).max()) * gain
    if peak > _PEAK_CEILING:
        gain *= _PEAK_CEILING / peak
    return fit_length(np.asarray(audio * gain, dtype=np.float32), audio.shape[0])
