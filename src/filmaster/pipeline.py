"""`make`: the whole pipeline from a screenplay file to a delivered film, re-using every finished unit of work."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .atomic import write_text_atomic
from .backends.embed.base import EmbeddingBackend
from .backends.embed.cached import CachedEmbeddings
from .backends.faults import injecting
from .backends.llm.base import LLMBackend
from .backends.registry import create_backend
from .backends.resilience import RetriedEmbeddings, Unrecovered
from .backends.video.base import VideoBackend
from .budget import CostBudget
from .cache_admin import record_run
from .config import Config
from .develop.looks import apply_looks, story_cast_for
from .errors import InputError
from .execution import closing_executor, open_executor
from .limits import check_plan
from .model import CueKind, Cut, Plan, RenderSettings, Screenplay, SoundPlan
from .model.mix import MixResult
from .model.run_summary import RunSummary
from .post.edit_file import edited_decisions
from .post.pixel_edit import act_on_pixels
from .post.report import describe_post, write_post
from .post.screening import post_produce
from .progress import Reporter, SilentReporter
from .project import Cache, Project, WorkCounter, content_key, file_digest
from .retrieval.library import default_user_corpus, open_library_index
from .run_summary import summarize
from .stages.breakdown import plan_screenplay
from .stages.cinematography import ScenePlanner, plan_cinematography
from .stages.deliver import Deliverables, deliver, encode_film_sound, film_sound_ahead, timeline_of_mix
from .stages.develop import develop
from .stages.generate import (
    GenerationReport,
    annotate_timeline,
    generate_shots,
    previz_backend_name,
    write_takes,
)
from .stages.llm_planner import LLMScenePlanner
from .stages.mix import mix_film
from .stages.rough_cut import lock_picture, rough_cut
from .stages.shoot import RenderPool, ShootConfig, planned_takes, start_shoot, video_backend
from .stages.sound import SoundBackends, design_sound, render_sound, sound_finder
from .stages.stems import write_stems

PLAN_FILE = "plan.json"


@dataclass
class MakeResult:
    out: Path
    film: Path
    timeline: Path
    plan: Plan
    duration_s: float
    work: WorkCounter
    seconds: dict[str, float] = field(default_factory=dict)
    used_edited_plan: bool = False
    generation: GenerationReport | None = None  # what the generative backends made, what fell back, the cost
    summary: RunSummary | None = None  # what was made, what fell back and why, what it cost (the end of `make`)


def render_settings(config: Config) -> RenderSettings:
    """Picture settings; a draft renders 3.75 times smaller (960x540 -> 256x144), simpler figures."""
    width, height = config.render.size
    if config.render.draft:
        divisor = min(3.75, width / 64, height / 64)  # 960x540 -> 256x144; never under 64 pixels, aspect kept
        width, height = int(width / divisor) // 2 * 2, int(height / divisor) // 2 * 2
    return RenderSettings(width=width, height=height, fps=config.render.fps, draft=config.render.draft)


def user_corpus_path(config: Config) -> Path:
    return Path(config.cinematography.corpus) if config.cinematography.corpus else default_user_corpus()


def planning_key(config: Config) -> str:
    """What besides the screenplay decides the plan: retrieval settings, the embedder, the corpus."""
    if not config.cinematography.retrieval:
        return content_key("rules-only", __version__)
    corpus = user_corpus_path(config)
    llm = (
        (config.backends.llm, config.backends.settings.get("llm", {}))
        if config.cinematography.planner == "llm"
        else None
    )
    return content_key(
        __version__,
        config.cinematography,
        config.backends.embed,
        config.backends.settings.get("embed", {}),
        llm,
        file_digest(corpus) if corpus.is_file() else None,
    )


def scene_planner(config: Config) -> ScenePlanner | None:
    """The LLM re-planner when configured; None selects the deterministic one."""
    if config.cinematography.planner != "llm":
        return None
    llm: LLMBackend = create_backend("llm", config.backends.llm, **config.backends.settings.get("llm", {}))
    return LLMScenePlanner(llm)


PLAN_FALLBACK = "plan"  # the kind of fallback recorded when retrieval fails and the breakdown's shots stand


def make_plan(
    screenplay: Screenplay,
    config: Config,
    reporter: Reporter,
    cache: Cache | None = None,
    previous: Plan | None = None,
) -> Plan:
    """Breakdown, then (by default) scene-level retrieval and joint re-planning of every scene's shots.
    With a `cache`, the scenes' query vectors are kept in it, so a re-plan embeds only the scenes that changed;
    with the `previous` plan, a scene keeps its references while they still match it."""
    plan = plan_screenplay(screenplay)
    if not config.cinematography.retrieval:
        return plan
    embedder: EmbeddingBackend = create_backend(
        "embed", config.backends.embed, **config.backends.settings.get("embed", {})
    )
    try:
        index, embedded = open_library_index(user_corpus_path(config), RetriedEmbeddings(embedder))
        if embedded:
            reporter.info(f"indexed {embedded} corpus entries with '{embedder.NAME}'")
        queries = CachedEmbeddings(embedder, cache) if cache is not None else embedder
        plan = plan_cinematography(
            plan, index, queries, k=config.cinematography.top_k, planner=scene_planner(config), previous=previous
        )
    except Unrecovered as exc:  # the embedding model failed every retry: the breakdown's own shots stand
        if cache is not None:
            cache.fallbacks.add(PLAN_FALLBACK, "retrieval", "the breakdown's shots", str(exc))
        return plan
    reporter.stage("camera", f"each scene re-planned from its {config.cinematography.top_k} closest film scenes")
    return plan


def load_or_plan(
    source: Path, screenplay: Screenplay, config: Config, project: Project, reporter: Reporter
) -> tuple[Plan, bool]:
    """The plan to shoot: a user's edit of plan.json wins while the screenplay it came from is unchanged."""
    script_digest = file_digest(source)
    manifest = project.manifest()
    plan_path = project.out / PLAN_FILE
    looks = story_cast_for(source)  # a screenplay developed from an idea brings its cast's looks
    key = planning_key(config) if looks is None else content_key(planning_key(config), looks)
    if plan_path.is_file() and manifest.get("screenplay_digest") == script_digest:
        # Same screenplay: plan.json is either what we wrote or the user's edit of it; both are the plan.
        edited = file_digest(plan_path) != manifest.get("plan_digest") or bool(manifest.get("plan_edited"))
        if edited:
            reporter.info(f"using your edited {PLAN_FILE}")
            project.update_manifest(plan_edited=True)
            return Plan.load(plan_path), True
        if manifest.get("planning_key") == key:
            return Plan.load(plan_path), False
    plan = make_plan(screenplay, config, reporter, project.cache, _previous_plan(plan_path))
    if looks is not None:
        plan = apply_looks(plan, looks)
    if plan_path.is_file() and (
        manifest.get("plan_edited") or manifest.get("plan_digest") not in (None, file_digest(plan_path))
    ):
        backup = plan_path.with_name(f"plan.edited-{time.strftime('%Y%m%d-%H%M%S')}.json")
        plan_path.replace(backup)
        reporter.warn(f"the screenplay changed, so the plan was made anew; your edited plan is kept as {backup.name}")
    write_text_atomic(plan_path, plan.to_json())
    # A plan made without its references (a fallback) is not kept as this configuration's plan: the next run
    # plans again.
    fell_back = any(entry["kind"] == PLAN_FALLBACK for entry in project.cache.fallbacks.sorted())
    project.update_manifest(
        screenplay_digest=script_digest,
        plan_digest=file_digest(plan_path),
        plan_edited=False,
        planning_key=None if fell_back else key,
    )
    return plan, False


def _previous_plan(path: Path) -> Plan | None:
    """The plan the last run shot, if there is a readable one."""
    try:
        return Plan.load(path) if path.is_file() else None
    except InputError:  # a damaged or hand-broken plan.json: plan without it
        return None


def _inputs_changed(source: Path, project: Project) -> bool:
    """Whether the screenplay or plan.json differs from the last run's (or there was none)."""
    manifest, plan = project.manifest(), project.out / PLAN_FILE
    if manifest.get("screenplay_digest") != file_digest(source) or not plan.is_file():
        return True
    return file_digest(plan) != manifest.get("plan_digest")


@contextmanager
def _warm_start(
    source: Path, project: Project, camera: VideoBackend, config: ShootConfig
) -> Iterator[RenderPool | None]:
    """When the screenplay or plan changed (shots and sound will be made), start a render worker while the plan is
    made, rather than when the first shot is needed."""
    if not _inputs_changed(source, project) or config.executor is not None:
        yield None
        return
    pool = RenderPool(type(camera), config.backend_settings, config.workers or os.cpu_count() or 1)
    pool.warm()
    try:
        yield pool
    finally:
        pool.close()


def make_film(
    source: Path,
    out: Path,
    config: Config,
    *,
    force: bool = False,
    reporter: Reporter | None = None,
    fine_cut: bool = True,
) -> MakeResult:
    with injecting(config.faults):  # `[faults]`, a testing aid: every backend made for this film fails at times
        return _make_film(source, out, config, force, reporter or SilentReporter(), fine_cut)


def _make_film(source: Path, out: Path, config: Config, force: bool, reporter: Reporter, fine_cut: bool) -> MakeResult:
    # Bad input is reported before the output folder is touched.
    screenplay = develop(source, int(config.limits.screenplay_mb * 1e6))
    reporter.stage(
        "develop", f"{source.name}: {len(screenplay.scenes)} scenes, {len(screenplay.characters)} characters"
    )
    # Construct every backend first, so an unknown name or a missing dependency is reported before any work.
    settings = render_settings(config)
    # Every shot is rendered as previz first; shots of a generative backend are then generated from it.
    camera_name = previz_backend_name(config.backends.video)
    shoot_config = ShootConfig(
        backend=camera_name,
        backend_settings=config.backends.settings.get("video", {}) if camera_name == config.backends.video else {},
        settings=settings,
        seed=config.seed,
        workers=config.render.workers,
    )
    camera = video_backend(shoot_config)
    executor = open_executor(config.render.executor, config.render.workers, config.render.resources)  # Ray, if asked
    shoot_config = replace(shoot_config, executor=executor)
    budget = CostBudget(config.generate.max_cost_usd)  # one --max-cost for voices, music and shots
    sound_backends = SoundBackends.create(
        config.backends.speech, config.backends.music, config.backends.settings, budget
    )
    project = Project(out, source, force=force)
    project.update_manifest(source_path=str(source.resolve()))  # where `reshoot` finds the screenplay again
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(timings.get(name, 0.0) + now - clock, 3)  # a re-cut on the pixels scores again
        clock = now

    edited_edit = edited_decisions(project)  # a hand-edited edit.json is checked before any work
    if edited_edit is not None:
        reporter.info("using your edited edit.json")
    with closing_executor(executor), _warm_start(source, project, camera, shoot_config) as pool:
        plan, edited = load_or_plan(source, screenplay, config, project, reporter)
        check_plan(plan, config.limits)  # before any shot is rendered or line spoken
        reporter.stage("breakdown", f"{len(plan.scenes)} scenes, {len(plan.shots)} shots, {plan.duration_s:.0f} s")
        lap("plan")

        # The edit is decided on the shots as planned. Every shot is rendered whole, whatever `[edit]` says
        # (stages/shoot.py says why), so a re-run with other `[edit]` settings renders no frame.
        whole = planned_takes(plan, shoot_config, project, camera)
        rough = rough_cut(plan, whole, settings)
        reporter.stage("rough cut", f"{len(rough.clips)} clips, {rough.duration_s:.1f} s")
        # The takes' lengths are known from the plan, so the rough cut is screened, the sound designed, rendered
        # and mixed, and the timeline made, while the missing shots render in worker processes.
        with start_shoot(plan, shoot_config, project, reporter, camera, pool=pool) as shooting:
            post = post_produce(plan, rough, whole, config, fine_cut, edited_edit)
            cut = lock_picture(post.cut)
            reporter.stage("fine cut", describe_post(post))
            with ThreadPoolExecutor(1, thread_name_prefix="timeline") as side:

                def score(cut: Cut) -> tuple[SoundPlan, MixResult, Future[Deliverables]]:
                    """Design, render and mix the sound of `cut`; make its timelines on `side` meanwhile."""
                    work = project.cache.work
                    before = work.computed["premix"], work.reused["premix"]  # a re-cut counts its own scenes
                    cues = design_sound(plan, cut, config.sound, sound_finder(config, project.cache))
                    reporter.stage(
                        "sound",
                        ", ".join(f"{len(cues.of_kind(kind))} {kind.value}" for kind in CueKind if cues.of_kind(kind)),
                    )
                    sound = render_sound(plan, cues, sound_backends, project, reporter, config.seed, cut, executor)
                    lap("sound")
                    mixed = mix_film(sound, cut, config.sound, project, film_sound_ahead(cut, sound, project))
                    write_stems(sound, cut, project)  # media/stems/: one WAV per track, rewritten when its cues change
                    # The timelines carry the mix's levels; they are made while the film's sound encodes.
                    timeline = side.submit(
                        timeline_of_mix, plan, cut, sound, project, shooting.takes, config, post.critique.findings
                    )
                    if not mixed.remixed:
                        reporter.stage("mix", "unchanged")
                    else:
                        remixed = work.computed["premix"] - before[0]
                        scenes = remixed + work.reused["premix"] - before[1]
                        reporter.stage(
                            "mix",
                            f"{remixed} of {scenes} scenes re-mixed; {mixed.integrated_lufs:.1f} LUFS integrated, "
                            f"true peak {mixed.true_peak_dbtp:.1f} dBTP",
                        )
                        encode_film_sound(cut, mixed, project)  # the film's AAC, while shots may still render
                    lap("mix")
                    return sound, mixed, timeline

                sound, mixed, timeline = score(cut)
                shooting.wait()
                lap("shoot")
                generation = generate_shots(
                    plan, shooting.takes, settings, config.backends.video, config.backends.settings, config.seed,
                    camera, project, reporter, budget, config.generate.keyframe, executor,
                )  # fmt: skip
                write_takes(shooting.takes, project)
                lap("generate")
                # What only the pictures show (identical set-ups, crossed lines, unseen subjects) is acted on now.
                refined = act_on_pixels(plan, post, cut, shooting.takes, project)
                if refined is not None:
                    # A repair (a cutaway) plays frames of whole takes: nothing more to render.
                    post = refined
                    if refined.cut.clips != cut.clips:
                        cut = lock_picture(post.cut)
                        reporter.stage("fine cut", f"re-cut on the pixels: {describe_post(post)}")
                        timeline.result()  # the old cut's timelines are superseded
                        sound, mixed, timeline = score(cut)
                prepared = timeline.result()
                prepared = replace(prepared, texts=annotate_timeline(prepared.texts, shooting.takes, project.out))
                # The delivered cut's screening (cached: found already unless the pixels re-cut it) beside the film.
                screened = side.submit(write_post, plan, cut, post, project, shooting.takes)
                written = deliver(plan, cut, mixed, project, reporter, prepared)
                written += screened.result()
    reporter.stage("deliver", ", ".join(path.name for path in written))
    write_text_atomic(project.state / "sound.json", sound.to_json())
    write_text_atomic(project.state / "cut.json", cut.to_json())
    lap("deliver")
    fell_back = project.cache.fallbacks.sorted()
    summary = summarize(len(plan.shots), sound, project.cache, generation, budget)  # printed by the CLI at the end
    project.update_manifest(
        last_run={
            "work": project.cache.work.as_dict(),
            "seconds": timings,
            "key": content_key(plan, config),
            "fell_back": fell_back,
            "summary": summary.model_dump(mode="json"),
        }
    )
    record_run(project)  # what `filmaster cache prune` keeps
    project.close()
    return MakeResult(
        out=out,
        film=out / "film.mp4",
        timeline=out / "film.otio",
        plan=plan,
        duration_s=cut.duration_s,
        work=project.cache.work,
        seconds=timings,
        used_edited_plan=edited,
        generation=generation,
        summary=summary,
    )
