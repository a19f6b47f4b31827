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
from typing import Any, TypeVar, cast

import numpy as np

from ..atomic import write_bytes_atomic
from ..audio.ambience import ambience_bed
from ..audio.delivery import delivery_for
from ..audio.dsp import fade
from ..audio.effects_source import SoundLookup, render_effect
from ..audio.wavio import read_wav, write_wav
from ..backends.embed.base import EmbeddingBackend
from ..backends.embed.cached import CachedEmbeddings
from ..backends.faults import current as current_faults
from ..backends.music.base import MusicBackend, MusicRequest, MusicResult
from ..backends.registry import create_backend
from ..backends.resilience import Unrecovered, with_retries
from ..backends.speech.base import SpeechBackend
from ..budget import CostBudget
from ..config import Config, SoundConfig
from ..errors import BackendUnavailableError, GenerationError
from ..execution import Executor
from ..execution.work import Shipped, make_files
from ..model import CueKind, Cut, Plan, SoundCue, SoundPlan
from ..progress import Reporter
from ..project import Cache, Project, content_key, publish
from ..sound_design.events import SoundFinder
from ..sound_design.placement import place_effects
from ..sound_library.store import effects_lookup
from .dialogue import dialogue_render
from .score_cues import cue_points, scene_theme, story_beat

FALLBACK_NAMESPACE = "fallback"  # the silence standing in for a cue whose backend failed every retry
B = TypeVar("B")

AMBIENCE_VERSION = "1"
REMOTE_KINDS = ("dialogue", "music")  # what an executor's workers make; beds and effects are cheap DSP, made here
AMBIENCE_STEP_S = 10.0
AMBIENCE_FADE_S = 0.05  # at the cut, as the bed's own ends fade


@dataclass(frozen=True)
class SoundBackends:
    speech: SpeechBackend
    music: MusicBackend
    find_sound: SoundLookup | None = None  # a sound library: description -> file, else the synthesiser plays it
    # Who speaks a line the speech service could not (None: the speech backend is local, nothing to fall back to).
    speech_fallback: SpeechBackend | None = None
    music_fallback: MusicBackend | None = None  # who scores a cue the music service could not

    def shipped(self) -> SoundBackends:
        """These backends as they travel to an executor's workers (their class and settings); a service's stays
        itself (its requests are made from this machine, which counts what they cost)."""
        return replace(
            self,
            speech=_travelling(self.speech),
            music=_travelling(self.music),
            speech_fallback=_travelling(self.speech_fallback),
            music_fallback=_travelling(self.music_fallback),
        )

    @classmethod
    def create(
        cls, speech: str, music: str, settings: dict[str, dict[str, Any]], budget: CostBudget | None = None
    ) -> SoundBackends:
        speaker: SpeechBackend = create_backend("speech", speech, **settings.get("speech", {}))
        composer: MusicBackend = create_backend("music", music, **settings.get("music", {}))
        for backend in (speaker, composer):
            if budget is not None and hasattr(backend, "use_budget"):
                backend.use_budget(budget)  # a service's lines and cues count toward --max-cost with the shots
        return cls(
            speech=speaker,
            music=composer,
            find_sound=effects_lookup(),  # the user's own effects (`filmaster sounds add`) before the synthesiser
            speech_fallback=create_backend("speech", "piper") if _remote(speaker) else None,
            music_fallback=create_backend("music", "midi-score") if _remote(composer) else None,
        )


def _remote(backend: object) -> bool:
    return bool(getattr(backend, "REMOTE", False))


def _travelling(backend: B) -> B:
    return backend if backend is None or _remote(backend) else cast(B, Shipped(backend))


def sound_finder(config: Config, cache: Cache | None = None) -> SoundFinder:
    """The lexicon with the configured embedding model, so wordings the lexicon lacks still match; with a `cache`,
    each clause is embedded once (a re-run embeds only the clauses that changed)."""
    settings = config.backends.settings.get("embed", {})
    embedder: EmbeddingBackend = create_backend("embed", config.backends.embed, **settings)
    finder = SoundFinder(CachedEmbeddings(embedder, cache) if cache is not None else embedder)
    if not config.sound.llm_events:
        return finder
    from ..backends.llm.base import LLMBackend
    from ..sound_design.llm_events import LLMSoundFinder

    llm: LLMBackend = create_backend("llm", config.backends.llm, **config.backends.settings.get("llm", {}))
    return LLMSoundFinder(llm, finder, cache)


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
                        delivery_db=delivery_for(line.parenthetical, line.extension).gain_db,
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
    fallback: Unit | None = None  # what is made instead when a service fails (kept under its own key)
    note: str = ""  # as a fallback: what stands in for the service (the run's summary names it)
    made_by: object = None  # the voice or music backend whose recipe `make` is (an executor ships it)


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
    if executor is not None:  # the same units, made with the backends as they travel
        travelling = backends.shipped()
        units = [
            _sent(executor, u, _unit(u.cue, plan, travelling, None, rate, seed, cut), cache)
            if u.namespace in REMOTE_KINDS
            else u
            for u in units
        ]
    stored: dict[str, Path] = {}
    served: dict[str, Unit] = {}  # the unit whose render is used (a fallback's when the service failed)
    with reporter.task(f"Rendering {len(units)} sound cues", len(units)) as advance:

        def lane(lane_units: list[Unit]) -> None:
            for unit in lane_units:
                try:
                    served[unit.cue.id], stored[unit.cue.id] = _fetch_or_fall_back(unit, cache)
                except Unrecovered as exc:  # this cue alone is silent; the film goes on
                    served[unit.cue.id], stored[unit.cue.id] = unit, _silent_fallback(unit, cache, rate)
                    cache.fallbacks.add(unit.namespace, unit.cue.id, "silence", str(exc))
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
        midi = cache.path(unit.namespace, served[unit.cue.id].key, ".mid")
        if unit.namespace == "music" and midi.is_file():
            publish(midi, project.out / "media" / "music" / f"{unit.cue.id}.mid")
        rendered.append(unit.cue.model_copy(update=update))
    return sound.model_copy(update={"cues": rendered})


def _fetch_or_fall_back(unit: Unit, cache: Cache) -> tuple[Unit, Path]:
    """The unit's stored render; when a service fails it, its fallback's (not stored under the service's key, so
    the next run asks the service again), recorded for the run's summary."""
    try:
        return unit, cache.fetch_or_make(unit.namespace, unit.key, ".wav", unit.make)
    except (GenerationError, BackendUnavailableError, Unrecovered) as exc:  # CostLimitError is a GenerationError
        fallback = unit.fallback
        if fallback is None:
            raise
        cache.fallbacks.add(unit.namespace, unit.cue.id, fallback.note, str(exc))
        return fallback, cache.fetch_or_make(fallback.namespace, fallback.key, ".wav", fallback.make)


def _sent(executor: Executor, unit: Unit, shipped: Unit, cache: Cache) -> Unit:
    """`unit`, and its fallback, made by the executor's workers from `shipped` (the same unit made with the backends
    as they travel) where its backend travels; a vendor's line or cue is asked from here, where --max-cost is
    counted, and only its local fallback travels."""
    fallback = unit.fallback
    if fallback is not None and shipped.fallback is not None:
        fallback = _sent(executor, fallback, shipped.fallback, cache)
    if not isinstance(shipped.made_by, Shipped):
        return replace(unit, fallback=fallback)
    return replace(unit, make=_made_on(executor, shipped, cache), fallback=fallback)


def _made_on(executor: Executor, unit: Unit, cache: Cache) -> Callable[[Path], None]:
    """`unit.make` run by an executor's worker: its files come back as bytes, written here (a MIDI into the cache).
    A unit that fails every retry there raises its `Unrecovered` here, and falls back as on this machine."""
    resources = executor.resources_of(getattr(unit.made_by, "NAME", ""))

    def make(tmp: Path) -> None:
        files = executor.submit(make_files, unit.make, ".wav", current_faults(), resources=resources).result()
        if ".mid" in files:
            write_bytes_atomic(cache.path(unit.namespace, unit.key, ".mid"), files[".mid"])
        tmp.write_bytes(files[".wav"])

    return make


def _unit(
    cue: SoundCue, plan: Plan, backends: SoundBackends, cache: Cache | None, rate: int, seed: int, cut: Cut | None
) -> Unit:
    if cue.kind == CueKind.DIALOGUE:
        key, make = dialogue_render(cue, plan, backends.speech, rate)
        fallback = None
        if backends.speech_fallback is not None:
            fb_key, fb_make = dialogue_render(cue, plan, backends.speech_fallback, rate)
            fallback = Unit(
                cue,
                "dialogue",
                fb_key,
                fb_make,
                note="Piper's voice",
                made_by=backends.speech_fallback,
            )
        return Unit(cue, "dialogue", key, make, fallback, made_by=backends.speech)
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
            beat_s=story_beat(scene, cut, cue.duration_s) if cut is not None else None,
        )
        return _music_unit(cue, backends.music, request, rate, cache, backends.music_fallback)
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


def _silent_fallback(unit: Unit, cache: Cache, rate: int) -> Path:
    """Silence the cue's planned length, kept apart from the cue's own key so a later run tries the backend again."""

    def make(tmp: Path) -> None:
        write_wav(tmp, np.zeros(max(1, round(unit.cue.duration_s * rate)), dtype=np.float32), rate)

    return cache.fetch_or_make(FALLBACK_NAMESPACE, f"{unit.namespace}-{unit.key}", ".wav", make)


def _music_unit(
    cue: SoundCue,
    music: MusicBackend,
    request: MusicRequest,
    rate: int,
    cache: Cache | None,
    fallback: MusicBackend | None = None,
    note: str = "",
) -> Unit:
    key = content_key("music", request.__dict__, rate, music.cache_identity)
    backup = None
    if fallback is not None:
        backup = _music_unit(cue, fallback, request, rate, cache, note="the MIDI score")
    return Unit(cue, "music", key, _music_maker(music, request, rate, cache, key), backup, note, music)


def _music_maker(
    backend: MusicBackend, request: MusicRequest, rate: int, cache: Cache | None, key: str
) -> Callable[[Path], None]:
    """A music cue's recipe; without a `cache` (on a worker) its MIDI is written beside the WAV."""

    def whole(result: MusicResult) -> str | None:  # a cue's audio cut short is a failure, not a shorter cue
        wanted = round(request.duration_s * rate)
        return None if len(result.audio) >= wanted - rate // 10 else f"{len(result.audio)} of {wanted} samples"

    def make(tmp: Path) -> None:
        result = with_retries(f"music {request.cue_id}", lambda: backend.compose(request, rate, cache), whole)
        if result.midi:
            write_bytes_atomic(cache.path("music", key, ".mid") if cache else tmp.with_suffix(".mid"), result.midi)
        write_wav(tmp, result.audio, rate)

    return make


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()
