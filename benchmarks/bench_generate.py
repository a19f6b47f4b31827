"""Generated shots: wall time of a 30-shot film's generation with concurrency 8 against 1, on a local vendor server,
and with concurrency 8 on a local Ray instance (`--executor ray`) against this process's threads.

    PYTHONPATH=src:tests/support python benchmarks/bench_generate.py [--delay 2.0] [--shots 30] [--no-ray]

The server (tests/support/fake_video_vendors.py) speaks the vendor's queue API and answers each task after a
fixed delay, as a real service does after its render time; the clips it serves are real MP4s, so the numbers
include the download, the decode check and the conform to the take (H.264) — the CPU work of a remote shot.
Nothing reaches the network. Prints one line per run. Ray's start-up (a few seconds, once per `make`) is left out of
its figure: what is measured is the cost of sending each request to a worker and its clip back.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from fake_video_vendors import KEY_ENVS, register_worktree_backends, serve_vendor, settings_for
from filmaster.backends.registry import create_backend
from filmaster.execution import Executor, closing_executor, open_executor
from filmaster.model import Plan, RenderSettings, Take
from filmaster.progress import SilentReporter
from filmaster.project import Project
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.generate import generate_shots

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = RenderSettings(width=256, height=144, fps=24, draft=True)


def film_of(shots: int) -> Plan:
    """The example screenplay's shots, repeated (each with its own prompt, so each is its own generation)."""
    plan = plan_screenplay(develop(ROOT / "examples" / "the_last_ferry.fountain"))
    pool = [(scene, shot) for scene in plan.scenes for shot in scene.shots]
    scenes = []
    for k in range(shots):
        scene, shot = pool[k % len(pool)]
        copy = shot.model_copy(update={"id": f"S{k + 1:02d}-01", "prompt": f"{shot.prompt} (take {k})"})
        scenes.append(scene.model_copy(update={"index": k + 1, "shots": [copy]}))
    return plan.model_copy(update={"scenes": scenes})


def takes_of(plan: Plan) -> dict[str, Take]:
    return {
        shot.id: Take(
            shot_id=shot.id,
            media=f"media/shots/{shot.id}.mp4",
            frames=round(shot.duration_s * 24),
            fps=24,
            width=SETTINGS.width,
            height=SETTINGS.height,
            backend="previz",
        )
        for shot in plan.shots
    }


def run(vendor: str, plan: Plan, concurrency: int, delay: float, work: Path, executor: Executor | None = None) -> float:
    with serve_vendor(vendor, "bench-key", delay_s=delay) as server:
        settings = {vendor: settings_for(server, concurrency=concurrency, poll_interval_s=0.1)}
        source = work / "film.fountain"
        source.write_text((ROOT / "examples" / "the_last_ferry.fountain").read_text())
        project = Project(work / f"out-{concurrency}-{executor.NAME if executor else 'local'}", source)
        previz = create_backend("video", "previz")
        start = time.perf_counter()
        report = generate_shots(
            plan, takes_of(plan), SETTINGS, vendor, settings, 0, previz, project, SilentReporter(),  # type: ignore[arg-type]
            executor=executor,
        )  # fmt: skip
        elapsed = time.perf_counter() - start
    assert len(report.generated) == len(plan.shots), report.summary()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=30)
    parser.add_argument("--delay", type=float, default=2.0, help="seconds the server takes per shot")
    parser.add_argument("--vendor", default="fal")
    parser.add_argument("--no-ray", action="store_true", help="leave out the Ray run")
    args = parser.parse_args()
    register_worktree_backends()
    os.environ[KEY_ENVS[args.vendor]] = "bench-key"
    plan = film_of(args.shots)
    with tempfile.TemporaryDirectory() as tmp:
        times = {c: run(args.vendor, plan, c, args.delay, Path(tmp)) for c in (1, 8)}
        for concurrency, seconds in times.items():
            print(
                f"{args.vendor}: {args.shots} shots, {args.delay:g} s each, concurrency {concurrency}: {seconds:.1f} s"
            )
        print(f"speed-up {times[1] / times[8]:.1f}x (ideal {min(8, args.shots)}x)")
        if not args.no_ray:
            with closing_executor(open_executor("ray")) as ray:
                on_ray = run(args.vendor, plan, 8, args.delay, Path(tmp), ray)
            print(f"{args.vendor}: {args.shots} shots, concurrency 8 on a local Ray: {on_ray:.1f} s")
            extra_ms = (on_ray - times[8]) / args.shots * 1000
            print(f"Ray / local threads: {on_ray / times[8]:.2f}x; {extra_ms:+.0f} ms a shot")


if __name__ == "__main__":
    main()
