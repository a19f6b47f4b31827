"""Shoot: every shot of the plan becomes a take, rendered in parallel and cached by content.

Shots are independent, so missing ones are rendered by a process pool (one backend, and so one GL context, per
worker), in the background: a take's length comes from the plan, so the cut, the sound and the mix are made while
the shots render (`start_shoot` returns the takes at once; `Shooting.wait` waits for their files). A lone missing
shot (an edit's) renders as a part per core when its backend can, joined into one take by packet copy.

Every shot renders whole. What a take holds must not depend on `[edit]` settings: a re-run that changes only them
(a slower `target_pace_s`, a smaller `depth`, a higher `max_speed`, `fine_cut = false`) must render no frame. No
window narrower than the planned shot achieves that: `depth = 0` keeps a line's whole shot, and the rough cut plays
every take whole. So the fine cut and the pixel pass's repairs choose frames inside whole takes, and an editor opening
the timelines finds the rest of each take as handles. Rendering only what one edit played plus 0.25 s each side had
saved a quarter of the picture (126 s of takes for an 84 s film); the full run was brought back under 0.40 x the
film's length in the take encoder instead (docs/benchmarks.md, 2026-12-04, whole takes).

A shot's cache key covers everything that decides its pixels — the shot's camera and timing, its scene's set,
time, blocking and cast (their pictures by content, not path), the render settings, the seed and the backend's
identity — but not its id or number, so inserting a shot earlier in a scene does not re-render the ones after it,
nor the fields its backend does not draw (previz ignores a shot's words).
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..backends.faults import FaultyBackend, with_faults
from ..backends.faults import current as current_faults
from ..backends.registry import create_backend
from ..backends.video.base import VideoBackend
from ..backends.video.references import by_content
from ..errors import FilmasterError, RenderError
from ..execution import Executor
from ..execution.base import land
from ..execution.work import render_shot
from ..export.film import join_clips
from ..model import Plan, RenderSettings, SceneBlock, Shot, Take
from ..model.shot_request import ShotRequest
from ..progress import Reporter
from ..project import Cache, Project, content_key, publish
from ..verify import clip_ok
from .render_take import render_take

NAMESPACE = "shots"
# The fewest frames worth a part of their own: a second worker takes half a second to start.
MIN_PART_FRAMES = 24
PARTS = 2  # a long shot's parts, rendered side by side: a lone shot (an edit's) uses two cores, not one
_STOP_TIMEOUT_S = 60.0  # the longest a stopped shoot waits for the shots already rendering
_POLL_S = 0.5  # how often a shoot waiting for its renders looks whether it was stopped
_WORKER_EXIT_S = 10.0  # the longest a closing pool waits for its workers to exit before ending them
VOICE_FIELDS = {"voice_pitch", "voice_rate"}  # a cast member's voice never changes a shot's pixels


@dataclass(frozen=True)
class ShootConfig:
    backend: str
    backend_settings: dict[str, Any]
    settings: RenderSettings
    seed: int
    workers: int  # 0 = one per core
    executor: Executor | None = None  # where shots render: None for this machine's process pool, else Ray


def shot_requests(plan: Plan, settings: RenderSettings, seed: int) -> list[ShotRequest]:
    requests = []
    for scene in plan.scenes:
        cast = {name: plan.cast[name] for name in scene.characters if name in plan.cast}
        for shot in scene.shots:
            requests.append(ShotRequest(shot=shot, scene=scene, cast=cast, settings=settings, seed=seed))
    return requests


def _scene_context(scene: SceneBlock) -> dict[str, Any]:
    # Only what can change pixels: not the scene's wording, its other shots, or the references it was planned from.
    return scene.model_dump(
        mode="json",
        exclude={"shots", "index", "heading", "objective", "visual_elements", "references", "video_backend"},
    )


def _shot_content(shot: Shot, ignored: frozenset[str]) -> dict[str, Any]:
    # Who films it and its seed are part of a generated take's key (stages.generate), not of its previz.
    exclude = {"id", "number", "scene_index", "video_backend", "seed", *ignored}
    return shot.model_dump(mode="json", exclude=exclude)


def shot_key(request: ShotRequest, backend: VideoBackend) -> str:
    return content_key(
        NAMESPACE,
        _shot_content(request.shot, backend.IGNORED_SHOT_FIELDS),
        by_content(_scene_context(request.scene)),
        {
            name: by_content(member.model_dump(mode="json", exclude=VOICE_FIELDS))
            for name, member in request.cast.items()
        },
        request.settings,
        request.seed,
        backend.cache_identity,
    )


# -- worker side: one backend per process -------------------------------------------------------------------------
_worker_backend: VideoBackend | None = None


def _init_worker(backend: type[VideoBackend], settings: dict[str, Any]) -> None:
    global _worker_backend
    # One render thread per worker: a full pool has a worker per core, and a lone one renders beside the sound.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("LP_NUM_THREADS", "1")
    # The class itself, not its registry name: looking a name up imports every plugin (with their dependencies,
    # a second of start-up per worker when measured), and the worker needs only this one.
    _worker_backend = with_faults(backend(**settings))  # `[faults]` reaches the workers through the environment
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    # A run that is killed (a closed terminal, out of memory) cannot shut its pool down, and its workers would wait
    # for work for ever, each holding a GL context and a few hundred MB.
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _render_in_worker(request: ShotRequest, clip: str, truth: str) -> str | None:
    """Render one shot (or part) in this pool worker; returns why it fell back (see render_take), else None."""
    assert _worker_backend is not None
    return render_take(_worker_backend, request, Path(clip), Path(truth))


@dataclass(frozen=True)
class _Job:
    """One missing shot: where it renders to, and where the finished files go in the cache."""

    request: ShotRequest
    clip: Path
    truth: Path
    media: Path  # where the take is published in the output folder
    parts: int = 1  # rendered in this many parts at once, then joined
    # Temporary names carry the planning process's id: runs never share a half-written file.
    owner: int = dataclasses.field(default_factory=os.getpid)

    @property
    def clip_tmp(self) -> Path:
        return self.clip.with_name(f".{self.clip.stem}.{self.owner}.part.mp4")

    @property
    def truth_tmp(self) -> Path:
        return self.truth.with_name(f".{self.truth.stem}.{self.owner}.part.json")

    @property
    def frames(self) -> int:
        return self.request.frames

    def part_files(self, k: int) -> tuple[Path, Path]:
        return (
            self.clip.with_name(f".{self.clip.stem}.{self.owner}.part{k}.mp4"),
            self.truth.with_name(f".{self.truth.stem}.{self.owner}.part{k}.json"),
        )

    def _pieces(self) -> list[tuple[int, int]]:
        """The shot's frames as `parts` consecutive ranges [first, end)."""
        bounds = [round(k * self.frames / self.parts) for k in range(self.parts + 1)]
        return [(bounds[k], bounds[k + 1]) for k in range(self.parts)]

    def renders(self, cores: int) -> list[tuple[ShotRequest, Path, Path]]:
        """What the workers render: the whole shot (on `cores`), or each of its parts on one core."""
        if self.parts == 1:
            return [(dataclasses.replace(self.request, cores=cores), self.clip_tmp, self.truth_tmp)]
        return [
            (dataclasses.replace(self.request, part=piece, cores=1), *self.part_files(k))
            for k, piece in enumerate(self._pieces())
        ]

    def join(self) -> None:
        """The rendered parts as the one clip and ground truth that a render of the whole shot would have written."""
        if self.parts == 1:
            return
        pieces = [(end - first, *self.part_files(k)) for k, (first, end) in enumerate(self._pieces())]
        join_clips([(clip, frames) for frames, clip, _ in pieces], self.clip_tmp, self.request.settings.fps)
        if all(truth.is_file() for _, _, truth in pieces):
            docs = [json.loads(truth.read_text(encoding="utf-8")) for _, _, truth in pieces]
            docs[0]["frames"] = [frame for doc in docs for frame in doc["frames"]]
            self.truth_tmp.write_text(json.dumps(docs[0]), encoding="utf-8")

    def commit(self) -> None:
        """Move the finished files into the cache; the clip last, since its presence marks the shot done."""
        if self.truth_tmp.exists():
            os.replace(self.truth_tmp, self.truth)
        os.replace(self.clip_tmp, self.clip)

    def discard(self) -> None:
        pieces = range(len(self._pieces()))
        for path in [self.clip_tmp, self.truth_tmp, *(p for k in pieces for p in self.part_files(k))]:
            path.unlink(missing_ok=True)


def _parts(frames: int, backend: VideoBackend) -> int:
    """In how many parts a take of `frames` renders (each on one core, joined by packet copy). A function of the
    take alone (its shot), never of how many others are missing: the encoder's output depends on the
    split and its thread count, so a take re-rendered alone (an edit's, or the last one after a crash) must be
    split as in a whole-film run to be the same bytes — tested by killing runs anywhere
    (tests/reliability/test_kill_anywhere.py)."""
    long_enough = frames >= MIN_PART_FRAMES * PARTS
    return PARTS if backend.RENDERS_PARTS and long_enough else 1


def video_backend(config: ShootConfig) -> VideoBackend:
    # The backend itself, not a fault-injecting wrapper: its class starts the render workers, which wrap their own.
    backend = create_backend("video", config.backend, **config.backend_settings)
    return getattr(backend, "inner", backend) if isinstance(backend, FaultyBackend) else backend


class Shooting:
    """The takes of every shot, known before a frame is rendered (their length comes from the plan), and the
    missing ones rendering in the background, so sound and mix can be made while the picture renders. As a
    context manager, a failure inside stops the rendering."""

    def __init__(
        self,
        takes: dict[str, Take],
        rendering: Future[None] | None = None,
        pool: ThreadPoolExecutor | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.takes = takes
        self._rendering, self._pool, self._stop = rendering, pool, stop

    def wait(self) -> dict[str, Take]:
        """The takes, once every one is rendered and in place; a failed render raises here."""
        try:
            if self._rendering is not None:
                self._rendering.result()
        finally:
            self._close()
        return self.takes

    def __enter__(self) -> Shooting:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.wait()
        else:
            self.cancel()

    def cancel(self) -> None:
        """Render no more shots than those already under way (the run failed elsewhere); nothing half-made stays."""
        if self._stop is not None:
            self._stop.set()
        self._close()

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _take(request: ShotRequest, media: str, backend: str, truth: str | None) -> Take:
    return Take(
        shot_id=request.shot.id,
        media=media,
        frames=request.frames,
        fps=request.settings.fps,
        width=request.settings.width,
        height=request.settings.height,
        backend=backend,
        seed=request.seed,
        ground_truth=truth,  # filled in when a missing one renders
    )


def planned_takes(plan: Plan, config: ShootConfig, project: Project, backend: VideoBackend) -> dict[str, Take]:
    """Every shot's take as the plan has it (all its frames), before anything is rendered: what the edit is
    decided on."""
    return {
        r.shot.id: _take(r, project.rel(_media(project, r)), backend.NAME, None)
        for r in shot_requests(plan, config.settings, config.seed)
    }


def _media(project: Project, request: ShotRequest) -> Path:
    return project.out / "media" / "shots" / f"{request.shot.id}.mp4"


def start_shoot(
    plan: Plan,
    config: ShootConfig,
    project: Project,
    reporter: Reporter,
    backend: VideoBackend | None = None,
    *,
    pool: RenderPool | None = None,
) -> Shooting:
    """Start rendering every shot that is not already in the cache, in the background: in worker processes (of
    `pool`, if one was started), even a lone shot, so that this process stays free for the sound."""
    backend = backend or video_backend(config)
    requests = shot_requests(plan, config.settings, config.seed)
    for request in requests:  # validate everything before any rendering starts
        backend.check_shot(request)

    cache = project.cache
    takes: dict[str, Take] = {}
    missing: list[_Job] = []
    for r in requests:
        media = _media(project, r)
        job = _job(cache, shot_key(r, backend), r, media, backend)
        # A stored take must hold all its frames: one truncated by a crash or a full disk is rendered again.
        stored = clip_ok(job.clip, r.frames)
        truth = project.rel(job.truth) if stored and job.truth.is_file() else None
        takes[r.shot.id] = _take(r, project.rel(media), backend.NAME, truth)
        if stored:
            cache.record(NAMESPACE, computed=False)
            publish(job.clip, media)
        else:
            missing.append(job)
    if not missing:
        reporter.stage("shoot", f"all {len(requests)} shots already rendered")
        return Shooting(takes)

    # Shots that look alike (same set, cast, camera and length: a repeated set-up) share one key, so one job
    # renders it for all of them; two jobs would write the same temporary file at once.
    sharing: dict[Path, list[str]] = {}
    for job in missing:
        sharing.setdefault(job.clip, []).append(job.request.shot.id)
    jobs = [job for job in missing if sharing[job.clip][0] == job.request.shot.id]
    cores = config.workers or os.cpu_count() or 1
    jobs[0].clip.parent.mkdir(parents=True, exist_ok=True)
    reporter.stage("shoot", f"{len(jobs)} of {len(requests)} shots to render with '{backend.NAME}'")
    workers = min(sum(len(job.renders(1)) for job in jobs), cores)
    if config.executor is not None:
        pool = None  # the cluster renders; a warm local worker would only hold a GL context
    stop = threading.Event()

    def render() -> None:
        noun = "shot" if len(jobs) == 1 else "shots"
        with reporter.task(f"Rendering {len(jobs)} {noun}", sum(j.frames for j in jobs)) as advance:
            try:
                for job, fell_back in _run_jobs(jobs, backend, config, workers, stop, pool):
                    if fell_back:
                        cache.fallbacks.add("shots", job.request.shot.id, "previz take", fell_back)
                    job.commit()
                    cache.record(NAMESPACE, computed=True)
                    for shot_id in sharing[job.clip]:
                        publish(job.clip, project.out / takes[shot_id].media)
                        if job.truth.is_file():
                            truth = project.rel(job.truth)
                            takes[shot_id] = takes[shot_id].model_copy(update={"ground_truth": truth})
                    advance(job.frames)
            finally:
                for job in jobs:
                    job.discard()

    runner = ThreadPoolExecutor(1, thread_name_prefix="shoot")
    return Shooting(takes, runner.submit(render), runner, stop)


def _job(cache: Cache, key: str, request: ShotRequest, media: Path, backend: VideoBackend) -> _Job:
    """The job that renders `request` into the cache under `key` (whether it is stored there, the caller checks)."""
    clip, truth = cache.path(NAMESPACE, key, ".mp4"), cache.path(NAMESPACE, key, ".json")
    return _Job(request, clip, truth, media, parts=_parts(request.frames, backend))


class RenderPool:
    """Render worker processes that can be started before the plan says what to render: a worker takes half a
    second to start (Python, the backend, a GL context), which passes while the plan is made."""

    def __init__(self, backend: type[VideoBackend], settings: dict[str, Any], workers: int) -> None:
        # "spawn", not fork: a forked child inherits a parent's GL driver state without its threads and hangs.
        context = multiprocessing.get_context("spawn")
        self.executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                            initargs=(backend, settings))  # fmt: skip

    def warm(self) -> None:
        """Start one worker now."""
        self.executor.submit(int)

    def broken(self) -> bool:
        """Whether a worker has exited while the pool was open (killed, or Ctrl-C while it started): the pool then
        fails every unfinished render and ends its other workers, or, on Python 3.11, may do neither (see close)."""
        return any(worker.exitcode is not None for worker in self._workers())

    def close(self) -> None:
        """Shut the pool down; a worker that has not exited within _WORKER_EXIT_S (at once if the pool is broken)
        is killed.

        Ctrl-C reaches the workers too. When one dies of it while another waits for work, Python 3.11's pool can
        stop managing its workers (its manager thread fails on a cancelled future) without telling the survivor to
        exit, and the interpreter's exit, which joins every child process, would then wait for ever.
        """
        workers, broken = self._workers(), self.broken()
        self.executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + (0.0 if broken else _WORKER_EXIT_S)
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                worker.kill()
                worker.join()

    def _workers(self) -> list[multiprocessing.process.BaseProcess]:
        # Python 3.11 has no public way to reach a pool's workers (3.14 adds terminate_workers): its own table.
        return list((getattr(self.executor, "_processes", None) or {}).values())


def _run_jobs(
    jobs: list[_Job],
    backend: VideoBackend,
    config: ShootConfig,
    workers: int,
    stop: threading.Event,
    pool: RenderPool | None = None,
) -> Iterator[tuple[_Job, str | None]]:
    """Render jobs in worker processes (of `pool`, else of one made here, or of the executor's cluster), yielding
    each as it finishes, with why it fell back to a previz take (None when it did not)."""
    # One GL thread and one encoding thread per worker, whatever else renders: see _parts.
    encode_cores = 1
    own = pool is None and config.executor is None
    if own:
        pool = RenderPool(type(backend), config.backend_settings, workers)

    def submit(request: ShotRequest, clip: Path, truth: Path) -> Future[Any]:
        if config.executor is None:
            assert pool is not None
            return pool.executor.submit(_render_in_worker, request, str(clip), str(truth))
        # The shot request (and `[faults]`, which a cluster's workers cannot read from this environment) travels;
        # its files come back as bytes, written here beside the cache, with why it fell back.
        made = config.executor.submit(
            render_shot,
            type(backend),
            config.backend_settings,
            request,
            current_faults(),
            resources=config.executor.resources_of(backend.NAME),
        )
        return land(made, {"clip": clip, "truth": truth})

    try:
        futures = {
            submit(request, clip, truth): job for job, request, clip, truth in _longest_first(jobs, encode_cores)
        }
        unfinished = {id(job): len(job.renders(encode_cores)) for job in jobs}
        fell_back: dict[int, str] = {}
        pending = set(futures)
        try:
            # Polled rather than waited on for ever: a stopped shoot must not wait on a future that a broken pool
            # never resolves (see RenderPool.close).
            while pending and not stop.is_set():
                done, pending = wait(pending, timeout=_POLL_S, return_when=FIRST_COMPLETED)
                if not done and pool is not None and pool.broken():  # a poll after a worker died: none will come
                    job = futures[next(iter(pending))]
                    raise RenderError(f"shot {job.request.shot.id}: a render worker ended before it was rendered")
                for future in done:
                    job = futures[future]
                    reason = _checked(job, future.result)
                    if reason:
                        fell_back[id(job)] = str(reason)
                    unfinished[id(job)] -= 1
                    if not unfinished[id(job)]:
                        _checked(job, job.join)
                        yield job, fell_back.get(id(job))
        finally:
            for future in futures:
                future.cancel()
            # Shots already rendering finish before their half-made files are cleaned up, but not for ever, nor
            # once the pool is broken (a worker died, as Ctrl-C can do): its unfinished futures may then never be
            # resolved (see RenderPool.close). A render cut short leaves nothing: its files are removed by name, and
            # a worker still writing one writes into a file no longer there.
            deadline = time.monotonic() + _STOP_TIMEOUT_S
            while pending and time.monotonic() < deadline and not (pool is not None and pool.broken()):
                _, pending = wait(pending, timeout=_POLL_S)
    finally:
        if own and pool is not None:
            pool.close()


def _longest_first(jobs: list[_Job], cores: int) -> list[tuple[_Job, ShotRequest, Path, Path]]:
    """Every render of `jobs` (a whole shot, or a part), the longest first: a shoot that ends on one long render
    leaves the other cores idle. Equal lengths keep the plan's order."""

    def frames(request: ShotRequest) -> int:
        first, end = request.part or (0, request.frames)
        return end - first

    renders = [(job, *render) for job in jobs for render in job.renders(cores)]
    return sorted(renders, key=lambda item: -frames(item[1]))


def _checked(job: _Job, run: Callable[[], object]) -> object:
    try:
        return run()
    except FilmasterError:
        raise
    except Exception as exc:
        raise RenderError(f"shot {job.request.shot.id}: rendering failed: {exc}") from exc
