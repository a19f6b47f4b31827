"""Generate: the shots assigned to a generative video service are filmed by it, with their previz take as control.

Every shot is first rendered as previz (stages.shoot); that take is the plan made visible. A shot whose backend
(`video_backend` of the shot, else of its scene, else the film's `[backends] video`) is a remote service is then
generated from it — the previz's first frame as the start image where the service takes one — and the generated
clip, conformed to the take's exact length, replaces the previz at the take's path. Shots run concurrently, at
most `concurrency` at a time per service (threads: a remote shot waits on the network, not on a core).

The cost of each shot is estimated before it starts; with `[generate] max_cost_usd` (`--max-cost`) a shot that
would take the spending past the limit is not started. A shot that cannot be generated (missing key, refused
prompt, exhausted quota, bad download, cost limit) keeps its previz take, with a one-line note on the take.
Generated clips are cached by the shot's content (its pictures by their bytes), the backend's identity and the
seed, so `reshoot` (a new seed or backend on one shot) regenerates that shot alone, and shots of the same content
share one clip, bought once. With `[generate] keyframe`, the start image is first painted by an image backend
(stages/keyframe.py) and the painter's identity joins the clip's key.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ..atomic import write_text_atomic
from ..backends.faults import current as current_faults
from ..backends.registry import available_backends, create_backend
from ..backends.video.base import ShotRequest, VideoBackend
from ..backends.video.references import shot_references
from ..backends.video.remote import Control, Generated, RemoteVideoBackend, first_frame_png
from ..budget import CostBudget
from ..errors import BackendUnavailableError, ConfigError, CostLimitError, FilmasterError
from ..execution import Executor
from ..execution.base import A_REQUEST
from ..execution.work import Shipped, generate_shot
from ..model import Keyframe, Plan, RenderSettings, SceneBlock, Shot, Take
from ..progress import Reporter
from ..project import Project, content_key, publish
from .keyframe import Keyframer, KeyframeReport, keyframer, takes_first_frame
from .shoot import NAMESPACE as PREVIZ_NAMESPACE
from .shoot import shot_key

log = logging.getLogger(__name__)
NAMESPACE = "generated"
TAKES_FILE = "takes.json"


def backend_name(shot: Shot, scene: SceneBlock, default: str) -> str:
    """Who films a shot: the shot's choice, else its scene's, else the film's."""
    return shot.video_backend or scene.video_backend or default


def is_remote(name: str) -> bool:
    cls = available_backends("video").get(name)
    return cls is None or bool(getattr(cls, "REMOTE", False))  # an unknown name is reported per shot


@dataclass
class Outcome:
    shot_id: str
    backend: str
    cost_usd: float = 0.0
    reused: bool = False
    note: str = ""  # why it fell back to its previz take; "" when generated


@dataclass
class GenerationReport:
    outcomes: list[Outcome] = field(default_factory=list)
    keyframes: KeyframeReport | None = None  # what the keyframe step painted, when it is on

    @property
    def generated(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.note]

    @property
    def fell_back(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.note]

    @property
    def spent_usd(self) -> float:
        painted = self.keyframes.spent_usd if self.keyframes else 0.0
        return round(sum(o.cost_usd for o in self.outcomes if not o.reused) + painted, 4)

    def summary(self) -> str:
        made = [o for o in self.generated if not o.reused]
        reused = [o for o in self.generated if o.reused]
        backends = sorted({o.backend for o in self.generated})
        text = (
            f"{len(made)} shot(s) generated, {len(reused)} reused from the cache"
            + (f" ({', '.join(backends)})" if backends else "")
            + f", {len(self.fell_back)} fell back to previz"
            + (f"; {self.keyframes.summary()}" if self.keyframes else "")
            + f"; spent ~{self.spent_usd:.2f} USD (estimated)"
        )
        return text


@dataclass(frozen=True)
class _Job:
    request: ShotRequest
    backend: RemoteVideoBackend
    clip: Path  # the generated clip in the cache
    record: Path  # what made it (model, prompt, cost), beside it
    previz: Path  # the shot's previz take in the cache (the control)
    estimate: float
    journal: Path  # the submit journal: the vendor's job handle while the clip is being made
    keyframer: Keyframer | None = None  # paints the start image first ([generate] keyframe)


def generate_shots(
    plan: Plan,
    takes: dict[str, Take],
    settings: RenderSettings,
    default_backend: str,
    backend_settings: dict[str, dict[str, Any]],
    seed: int,
    previz: VideoBackend,
    project: Project,
    reporter: Reporter,
    max_cost_usd: float | CostBudget | None = None,
    keyframe: str | None = None,
    executor: Executor | None = None,
) -> GenerationReport:
    """Replace the previz takes of the shots assigned to remote backends by generated ones (see module doc).
    `takes` is updated in place; the previz takes must already be rendered. `keyframe` names the image backend
    that paints the start images ([generate] keyframe), if any. With an `executor` (Ray), each request is made on
    a worker; this process keeps each backend's concurrency bound, the budget and the cache."""
    report = GenerationReport()
    # A budget the run shares (the voices may have spent part of --max-cost already), or a limit of its own.
    budget = max_cost_usd if isinstance(max_cost_usd, CostBudget) else CostBudget(max_cost_usd)
    painter: Keyframer | None = None
    backends: dict[str, RemoteVideoBackend | FilmasterError] = {}
    jobs: list[_Job] = []
    # Shots whose content, backend and seed are the same share one clip: the first orders it, the rest wait for it.
    twins: dict[Path, list[_Job]] = {}
    for scene in plan.scenes:
        cast = {name: plan.cast[name] for name in scene.characters if name in plan.cast}
        for shot in scene.shots:
            name = backend_name(shot, scene, default_backend)
            if name == previz.NAME or not is_remote(name):
                continue
            backend = backends.get(name) or backends.setdefault(name, _create(name, backend_settings))
            previz_request = ShotRequest(shot=shot, scene=scene, cast=cast, settings=settings, seed=seed)
            request = ShotRequest(shot=shot, scene=scene, cast=cast, settings=settings, seed=_seed(shot, seed))
            if isinstance(backend, FilmasterError):
                _fall_back(report, takes, shot.id, name, str(backend), reporter)
                continue
            if keyframe and painter is None and takes_first_frame(backend, request):
                painter = keyframer(keyframe, backend_settings, project, budget, reporter)
                report.keyframes = painter.report if painter else None
            job_painter = painter if takes_first_frame(backend, request) else None
            painted_by = job_painter.identity if job_painter else None
            key = content_key(NAMESPACE, shot_key(request, backend), *([painted_by] if painted_by else []))
            clip, record = project.cache.path(NAMESPACE, key, ".mp4"), project.cache.path(NAMESPACE, key, ".json")
            previz_clip = project.cache.path(PREVIZ_NAMESPACE, shot_key(previz_request, previz), ".mp4")
            journal = project.cache.path(NAMESPACE, key, ".job.json")
            job = _Job(
                request, backend, clip, record, previz_clip, backend.estimate_cost(request), journal, job_painter
            )
            if clip.is_file() and record.is_file():
                project.cache.record(NAMESPACE, computed=False)
                made = json.loads(record.read_text(encoding="utf-8"))
                _use(job, takes, project, made)
                if job_painter is not None:
                    job_painter.reused_with(made.get("keyframe"))
                report.outcomes.append(Outcome(shot.id, name, job.estimate, reused=True))
            elif job.clip in twins:  # never paid twice: this shot takes the clip the first one orders
                twins[job.clip].append(job)
            else:
                twins[job.clip] = []
                jobs.append(job)
    if jobs:
        _run(jobs, takes, project, reporter, report, budget, executor, twins)
    if report.outcomes:
        reporter.stage("generate", report.summary())
    return report


def write_takes(takes: dict[str, Take], project: Project) -> Path:
    """Every take's record — backend, model, seed, prompt, cost, note — beside plan.json."""
    path = project.out / TAKES_FILE
    doc = {"takes": [take.model_dump(mode="json") for take in takes.values()]}
    write_text_atomic(path, json.dumps(doc, indent=2) + "\n")
    return path


def _seed(shot: Shot, film_seed: int) -> int:
    return shot.seed if shot.seed is not None else film_seed


def _create(name: str, settings: dict[str, dict[str, Any]]) -> RemoteVideoBackend | FilmasterError:
    try:
        backend = create_backend("video", name, **settings.get(name, {}))
        if not getattr(backend, "REMOTE", False):  # a vendor's API, or a local model that generates the same way
            raise ConfigError(f"video backend '{name}' is not a generator; assign it to no shot")
        generator = cast(RemoteVideoBackend, backend)  # the generators share RemoteVideoBackend's interface
        generator.api_key()  # a missing key is reported once, before any request
        return generator
    except FilmasterError as exc:
        return exc


def _run(
    jobs: list[_Job],
    takes: dict[str, Take],
    project: Project,
    reporter: Reporter,
    report: GenerationReport,
    max_cost_usd: float | CostBudget | None,
    executor: Executor | None = None,
    twins: dict[Path, list[_Job]] | None = None,
) -> None:
    """Generate `jobs`; each job's `twins` (shots of the same content) take its clip, or fall back with it."""
    twins = twins or {}
    lock = threading.Lock()
    # A budget the run shares (the voices may have spent part of --max-cost already), or a limit of its own.
    budget = max_cost_usd if isinstance(max_cost_usd, CostBudget) else CostBudget(max_cost_usd)
    pools: dict[str, ThreadPoolExecutor] = {}
    futures: list[tuple[_Job, Future[Generated]]] = []
    jobs[0].clip.parent.mkdir(parents=True, exist_ok=True)
    reporter.stage("generate", f"{len(jobs)} shot(s) to generate, ~{sum(j.estimate for j in jobs):.2f} USD estimated")
    try:
        for job in jobs:  # in film order, so a cost limit keeps the beginning of the film
            name = job.backend.NAME
            try:
                budget.reserve(job.estimate, "shots")
            except CostLimitError as error:
                for shot in [job, *twins.get(job.clip, [])]:
                    _fall_back(report, takes, shot.request.shot.id, name, str(error), reporter)
                continue
            pool = pools.get(name) or pools.setdefault(
                name, ThreadPoolExecutor(job.backend.concurrency, thread_name_prefix=f"generate-{name}")
            )
            futures.append((job, pool.submit(_generate, job, executor)))
        with reporter.task(f"Generating {len(futures)} shot(s)", len(futures)) as advance:
            for job, future in futures:
                shot_id, name = job.request.shot.id, job.backend.NAME
                failure: str | None = None
                try:
                    future.result()
                except FilmasterError as exc:
                    failure = str(exc)
                except Exception as exc:  # a vendor's surprise must not cost the film
                    log.debug("generation of %s failed", shot_id, exc_info=True)
                    failure = f"{type(exc).__name__}: {exc}"
                if failure is not None:
                    for shot in [job, *twins.get(job.clip, [])]:
                        _fall_back(report, takes, shot.request.shot.id, name, failure, reporter)
                else:
                    made = json.loads(job.record.read_text(encoding="utf-8"))
                    with lock:
                        project.cache.record(NAMESPACE, computed=True)
                        _use(job, takes, project, made)
                    report.outcomes.append(Outcome(shot_id, name, job.estimate))
                    for twin in twins.get(job.clip, []):  # the same clip, bought once
                        _use(twin, takes, project, made)
                        if twin.keyframer is not None:
                            twin.keyframer.reused_with(made.get("keyframe"))
                        report.outcomes.append(Outcome(twin.request.shot.id, name, twin.estimate, reused=True))
                advance(1)
    finally:
        for pool in pools.values():
            pool.shutdown(wait=True, cancel_futures=True)


def _generate(job: _Job, executor: Executor | None = None) -> Generated:
    """One shot, in a worker thread: generated into a temporary file (here, or on an executor's worker, whose
    clip comes back as bytes), moved into the cache when verified."""
    references = shot_references(job.request)
    frame = first_frame_png(job.previz) if job.previz.is_file() else None
    painted = None
    if frame is not None and job.keyframer is not None:
        frame, painted = job.keyframer.start_frame(job.request, frame, references)
    painted_ok = painted is not None and not painted.note  # a note: the previz frame went instead
    control = Control(first_frame_png=frame, previz_clip=job.previz, references=references, painted=painted_ok)
    tmp = job.clip.with_name(f".{job.clip.stem}.{threading.get_ident()}.part.mp4")
    try:
        if executor is None:
            result = job.backend.generate(job.request, tmp, control, journal=job.journal)
        else:  # the request and its control travel; the thread waits, so the backend's concurrency still holds
            result = _generate_on(executor, job, control, tmp)
        record: dict[str, Any] = {
            "model": result.model, "seed": result.seed, "prompt": result.prompt, "cost_usd": result.cost_usd,
        }  # fmt: skip
        if painted is not None:
            record["keyframe"] = painted.model_dump(mode="json")
        write_text_atomic(job.record, json.dumps(record))
        os.replace(tmp, job.clip)  # the clip's presence marks the shot done
        job.journal.unlink(missing_ok=True)  # last: until the clip is stored, a rerun fetches the same job
    finally:
        tmp.unlink(missing_ok=True)
    return result


def _generate_on(executor: Executor, job: _Job, control: Control, tmp: Path) -> Generated:
    """The shot generated by an executor's worker. Its submit journal travels as text (a job an earlier run
    submitted is resumed there); the worker's own journal stays in its scratch folder, so a run stopped while a
    Ray worker polls submits that shot anew next time (docs/scaling.md)."""
    journal = job.journal.read_text(encoding="utf-8") if job.journal.is_file() else None
    shipped = cast(RemoteVideoBackend, Shipped(job.backend))  # as its class and settings
    resources = executor.resources_of(job.backend.NAME, A_REQUEST)
    made = executor.submit(generate_shot, shipped, job.request, control, journal, current_faults(), resources=resources)
    clip, result = made.result()
    tmp.write_bytes(clip)
    return result


def _use(job: _Job, takes: dict[str, Take], project: Project, record: dict[str, Any]) -> None:
    shot_id = job.request.shot.id
    take = takes[shot_id]
    publish(job.clip, project.out / take.media)
    takes[shot_id] = take.model_copy(
        update={
            "backend": job.backend.NAME,
            "model": record.get("model", ""),
            "seed": record.get("seed", job.request.seed),
            "prompt": record.get("prompt", ""),
            "cost_usd": float(record.get("cost_usd", 0.0)),
            "ground_truth": None,  # the renderer's boxes describe the previz, not this clip
            "note": "",
            "keyframe": Keyframe.model_validate(record["keyframe"]) if job.keyframer and "keyframe" in record else None,
        }
    )


def _fall_back(
    report: GenerationReport, takes: dict[str, Take], shot_id: str, backend: str, reason: str, reporter: Reporter
) -> None:
    note = f"'{backend}' could not generate it ({reason}); the previz take is used"
    takes[shot_id] = takes[shot_id].model_copy(update={"note": note})
    report.outcomes.append(Outcome(shot_id, backend, note=note))
    reporter.warn(f"shot {shot_id}: {note}")


def previz_backend_name(film_backend: str) -> str:
    """The backend that renders every shot's previz: the film's own when it is local, else previz."""
    backends = available_backends("video")
    if film_backend not in backends:
        raise BackendUnavailableError(
            f"unknown video backend '{film_backend}'; available: {', '.join(backends) or 'none'}"
        )
    return "previz" if is_remote(film_backend) else film_backend


def annotate_timeline(texts: dict[Path, str], takes: dict[str, Take], out: Path) -> dict[Path, str]:
    """film.otio with each clip's take record (backend, model, seed, prompt, cost, note) in its metadata."""
    import opentimelineio as otio

    path = out / "film.otio"
    if path not in texts or not any(take.backend != "previz" or take.note for take in takes.values()):
        return texts
    timeline = otio.adapters.read_from_string(texts[path], "otio_json")
    for clip in timeline.find_clips():
        meta = clip.metadata.get("filmaster")
        take = takes.get(str(meta.get("shot_id"))) if meta is not None else None
        if take is not None:
            meta["take"] = take.model_dump(mode="json", include=TAKE_FIELDS)
    return {**texts, path: otio.adapters.write_to_string(timeline, "otio_json")}


TAKE_FIELDS = {"backend", "model", "seed", "prompt", "cost_usd", "note", "keyframe"}
