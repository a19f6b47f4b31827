"""Sound: design cues against the locked cut, then render each cue to a stem file through the cache.

Three scales, as in the paper: per scene an ambience bed and a music cue spanning the scene; per shot the
dialogue lines, placed where the shot shows them; inside the shots the effects the screenplay names and the
footsteps of the renderer's walks (sound_design/), each synthesised (audio/sfx.py) or, through the
`find_sound` hook, taken from a sound library.
"""

from __future__ import annotations

import math
import wave
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..atomic import write_bytes_atomic
from ..audio.ambience import ambience_bed
from ..audio.dsp import fade
from ..audio.effects_source import SoundLookup, render_effect
from ..audio.wavio import read_wav, write_wav
from ..backends.embed.base import EmbeddingBackend
from ..backends.embed.cached import CachedEmbeddings
from ..backends.music.base import MusicBackend, MusicRequest
from ..backends.registry import create_backend
from ..backends.speech.base import SpeechBackend
from ..config import Config, SoundConfig
from ..execution import Executor
from ..execution.work import Shipped, make_files
from ..model import CueKind, Cut, Plan, SoundCue, SoundPlan
from ..progress import Reporter
from ..project import Cache, Project, content_key, publish
from ..sound_design.events import SoundFinder
from ..sound_design.placement import place_effects
from ..sound_library.store import effects_lookup
from .dialogue import dialogue_render
from .score_cues import cue_points, scene_theme

AMBIENCE_VERSION = "1"
REMOTE_KINDS = ("dialogue", "music")  # what an executor's workers make; beds and effects are cheap DSP, made here
AMBIENCE_STEP_S = 10.0
AMBIENCE_FADE_S = 0.05  # at the cut, as the bed's own ends fade


@dataclass(frozen=True)
class SoundBackends:
    speech: SpeechBackend
    music: MusicBackend
    find_sound: SoundLookup | None = None  # a sound library: description -> file, else the synthesiser plays it

    def shipped(self) -> SoundBackends:
        """These backends as they travel to an executor's workers (their class and settings)."""
        return replace(self, speech=Shipped(self.speech), music=Shipped(self.music))  # type: ignore[arg-type]

    @classmethod
    def create(cls, speech: str, music: str, settings: dict[str, dict[str, Any]]) -> SoundBackends:
        return cls(
            speech=create_backend("speech", speech, **settings.get("speech", {})),  # type: ignore[arg-type]
            music=create_backend("music", music, **settings.get("music", {})),  # type: ignore[arg-type]
            find_sound=effects_lookup(),  # the user's own effects (`filmaster sounds add`) before the synthesiser
        )


def sound_finder(config: Config, cache: Cache | None = None) -> SoundFinder:
    """The lexicon with the configured embedding model, so wordings the lexicon lacks still match; with a `cache`,
    each clause is embedded once (a re-run embeds only the clauses that changed)."""
    settings = config.backends.settings.get("embed", {})
    embedder: EmbeddingBackend = create_backend("embed", config.backends.embed, **settings)  # type: ignore[assignment]
    return SoundFinder(CachedEmbeddings(embedder, cache) if cache is not None else embedder)


def design_sound(plan: Plan, cut: Cut, config: SoundConfig, finder: SoundFinder | None = None) -> SoundPlan:
    """Cue sheet from the locked cut: where every line, music cue, ambience bed, effect and footstep starts and how
    long it is. `finder` reads the sounds the screenplay names (default: its lexicon alone)."""
    starts, scene_starts = cut.take_origin_frames(), cut.scene_start_frames()
    fps = cut.fps
    cues: list[SoundCue] = []
    for scene in plan.scenes:
        if scene.index not in scene_starts:
            continue
        scene_start = scene_starts[scene.index] / fps
        scene_len = sum(c.frames for c in cut.clips if c.scene_index == scene.index) / fps
        tag = f"S{scene.index + 1:02d}"
        cues.append(
            SoundCue(
                id=f"amb-{tag}",
                kind=CueKind.AMBIENCE,
                start_s=scene_start,
                duration_s=scene_len,
                description=f"{scene.set_kind.value} {'interior' if scene.interior else 'exterior'}, "
                f"{scene.time_of_day.value}",
                gain_db=config.ambience_db,
                scene_index=scene.index,
            )
        )
        cues.append(
            SoundCue(
                id=f"music-{tag}",
                kind=CueKind.MUSIC,
                start_s=scene_start,
                duration_s=scene_len,
                description=f"{scene.mood.value} score for {scene.heading}",
                gain_db=config.music_db,
                scene_index=scene.index,
            )
        )
        for shot in scene.shots:
            for i, line in enumerate(shot.dialogue, start=1):
                cues.append(
                    SoundCue(
                        id=f"dlg-{shot.id}-{i}",
                        kind=CueKind.DIALOGUE,
                        start_s=starts[shot.id] / fps + line.start_s,
                        duration_s=line.duration_s,
                        description=f"{line.character}" + (f" ({line.parenthetical})" if line.parenthetical else ""),
                        scene_index=scene.index,
                        shot_id=shot.id,
                        character=line.character,
                        text=line.text,
                    )
                )
    if config.effects:
        cues += place_effects(plan, cut, finder or SoundFinder(), config.sfx_db, config.foley_db)
    return SoundPlan(sample_rate=config.sample_rate, cues=cues)


@dataclass(frozen=True)
class Unit:
    """One cue's rendering: where the cache keeps it and how to make it."""

    cue: SoundCue
    namespace: str
    key: str
    make: Callable[[Path], None]


def render_sound(
    plan: Plan,
    sound: SoundPlan,
    backends: SoundBackends,
    project: Project,
    reporter: Reporter,
    seed: int,
    cut: Cut | None = None,
    executor: Executor | None = None,
) -> SoundPlan:
    """Render every cue to `media/audio/<cue>.wav` (through the cache); return the plan with real durations.

    Three lanes run side by side, each a kind of cue in order: the voice (one line at a time: espeak-ng, under
    Piper, is not thread-safe), the score and the beds. All spend their time in C (onnxruntime, the synthesizer,
    FFTs) with the GIL released. With the locked `cut`, the score accents the cuts inside each scene. With an
    `executor` (Ray), voices and music cues are made on its workers; the lanes wait for them and keep the cache.
    """
    rate = sound.sample_rate
    cache = project.cache
    units = [_unit(cue, plan, backends, cache, rate, seed, cut) for cue in sound.cues]
    if executor is not None:  # the same units, their recipes made with the backends as they travel
        travelling = backends.shipped()
        names = {"dialogue": backends.speech.NAME, "music": backends.music.NAME}
        units = [
            replace(
                u,
                make=_made_on(
                    executor, _unit(u.cue, plan, travelling, None, rate, seed, cut), names[u.namespace], cache
                ),
            )
            if u.namespace in REMOTE_KINDS
            else u
            for u in units
        ]
    stored: dict[str, Path] = {}
    with reporter.task(f"Rendering {len(units)} sound cues", len(units)) as advance:

        def lane(lane_units: list[Unit]) -> None:
            for unit in lane_units:
                stored[unit.cue.id] = cache.fetch_or_make(unit.namespace, unit.key, ".wav", unit.make)
                advance(1)

        kinds = ("dialogue", "music", "ambience", "effects")
        with ThreadPoolExecutor(len(kinds), thread_name_prefix="sound") as pool:
            lanes = [pool.submit(lane, [u for u in units if u.namespace == kind]) for kind in kinds]
            for done in lanes:
                done.result()
    rendered: list[SoundCue] = []
    for unit in units:
        target = project.out / "media" / "audio" / f"{unit.cue.id}.wav"
        publish(stored[unit.cue.id], target)
        update: dict[str, Any] = {"media": project.rel(target)}
        if unit.namespace in ("dialogue", "effects"):
            update["duration_s"] = round(_wav_seconds(stored[unit.cue.id]), 3)
        midi = cache.path(unit.namespace, unit.key, ".mid")
        if unit.namespace == "music" and midi.is_file():
            publish(midi, project.out / "media" / "music" / f"{unit.cue.id}.mid")
        rendered.append(unit.cue.model_copy(update=update))
    return sound.model_copy(update={"cues": rendered})


def _made_on(executor: Executor, unit: Unit, backend: str, cache: Cache) -> Callable[[Path], None]:
    """`unit.make` run by an executor's worker: its files come back as bytes, written here (a MIDI into the cache)."""
    resources = executor.resources_of(backend)

    def make(tmp: Path) -> None:
        files = executor.submit(make_files, unit.make, ".wav", resources=resources).result()
        if ".mid" in files:
            write_bytes_atomic(cache.path(unit.namespace, unit.key, ".mid"), files[".mid"])
        tmp.write_bytes(files[".wav"])

    return make


def _unit(
    cue: SoundCue, plan: Plan, backends: SoundBackends, cache: Cache | None, rate: int, seed: int, cut: Cut | None
) -> Unit:
    if cue.kind == CueKind.DIALOGUE:
        key, make = dialogue_render(cue, plan, backends.speech, rate)
        return Unit(cue, "dialogue", key, make)
    if cue.kind in (CueKind.SFX, CueKind.FOLEY):
        key, make = render_effect(cue, rate, seed, backends.find_sound)
        return Unit(cue, "effects", key, make)
    scene = next(s for s in plan.scenes if s.index == (cue.scene_index or 0))
    if cue.kind == CueKind.MUSIC:
        theme = scene_theme(plan, scene)
        request = MusicRequest(
            cue_id=cue.id,
            mood=scene.mood,
            time_of_day=scene.time_of_day,
            interior=scene.interior,
            duration_s=cue.duration_s,
            seed=seed + scene.index,
            accents_s=cue_points(scene, cut, cue.duration_s) if cut is not None else (),
            theme=theme[1] if theme else (),
            theme_name=theme[0] if theme else "",
        )
        key = content_key("music", request.__dict__, rate, backends.music.cache_identity)
        return Unit(cue, "music", key, _music_maker(backends.music, request, rate, cache, key))
    assert cache is not None  # beds and effects are made here, never shipped
    # The bed is rendered in whole steps of length and cut to the scene, so a scene that grows or shrinks a little
    # (a line rewritten) cuts its bed from the render it already has.
    length_s = max(1, math.ceil(cue.duration_s / AMBIENCE_STEP_S)) * AMBIENCE_STEP_S
    args = (scene.set_kind, scene.interior, scene.time_of_day, length_s, rate, seed + scene.index)
    source_key = content_key("ambience-bed", AMBIENCE_VERSION, [str(a) for a in args])
    key = content_key("ambience", AMBIENCE_VERSION, source_key, cue.duration_s)

    def make_source(tmp: Path) -> None:
        write_wav(tmp, ambience_bed(*args), rate)

    def make_bed(tmp: Path) -> None:
        source, _ = read_wav(cache.fetch_or_make("ambience-bed", source_key, ".wav", make_source))
        cut = source[: round(cue.duration_s * rate)]
        write_wav(tmp, fade(cut, rate, 0.0, min(AMBIENCE_FADE_S, cue.duration_s / 2)), rate)

    return Unit(cue, "ambience", key, make_bed)


def _music_maker(
    backend: MusicBackend, request: MusicRequest, rate: int, cache: Cache | None, key: str
) -> Callable[[Path], None]:
    """A music cue's recipe; without a `cache` (on a worker) its MIDI is written beside the WAV."""

    def make(tmp: Path) -> None:
        result = backend.compose(request, rate, cache)
        if result.midi:
            write_bytes_atomic(cache.path("music", key, ".mid") if cache else tmp.with_suffix(".mid"), result.midi)
        write_wav(tmp, result.audio, rate)

    return make


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()
