"""Set-ups and visibility on both bundled examples, measured on the previz's pixels, and what the ID pass costs.

    .venv/bin/python benchmarks/bench_setups.py [--resolution 320x180]

Plans each example with `filmaster plan` (retrieval on), renders the last frame before and the first frame after
every cut inside a scene, and prints the most alike cuts (mean absolute grey difference, 0-255); then each shot's
least visible claimed character on its first, middle and last frame (the ID pass); then the CPU time of one colour
frame and of one visibility measure at 960×540.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

import numpy as np

from filmaster.model import Plan, RenderSettings
from filmaster.previz.shoot import ShotSession
from filmaster.stages.shoot import shot_requests

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ("the_last_ferry", "paper_birds")
GREY = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def plan_of(name: str, tmp: Path) -> Plan:
    out = tmp / f"{name}.json"
    screenplay = ROOT / "examples" / f"{name}.fountain"
    subprocess.run([sys.executable, "-m", "filmaster", "plan", str(screenplay), "-o", str(out)], check=True)
    return Plan.load(out)


def frame(session: ShotSession, index: int) -> np.ndarray:
    return session.render(index, session.pose(session.time_of(index))).astype(np.float32) @ GREY


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resolution", default="320x180")
    args = parser.parse_args()
    width, height = (int(v) for v in args.resolution.split("x"))
    settings = RenderSettings(width=width, height=height, draft=True)
    with tempfile.TemporaryDirectory() as tmp:
        plans = {name: plan_of(name, Path(tmp)) for name in EXAMPLES}
    for name, plan in plans.items():
        requests = shot_requests(plan, settings, seed=0)
        cuts = {}
        for before, after in pairwise(requests):
            if before.scene.index == after.scene.index:
                a = ShotSession(before)
                diff = np.abs(frame(a, a.frames - 1) - frame(ShotSession(after), 0)).mean()
                cuts[f"{before.shot.id}→{after.shot.id}"] = float(diff)
        alike = sorted(cuts.items(), key=lambda kv: kv[1])[:3]
        print(f"{name}: {len(cuts)} cuts; most alike: " + ", ".join(f"{c} {d:.1f}" for c, d in alike))
        least = []
        for request in requests:
            session = ShotSession(request)
            people = [s for s in request.shot.camera.subjects if s in request.scene.marks]
            for index in sorted(session.visibility_frames):
                truth = session.ground_truth(index, session.pose(session.time_of(index)))["characters"]
                least += [(truth.get(p, {}).get("visible", 0.0), request.shot.id, p) for p in people]
        least.sort()
        print(f"{name}: least visible claimed subjects: " + ", ".join(f"{s} {p} {v:.0%}" for v, s, p in least[:3]))
    request = next(r for r in shot_requests(plans["the_last_ferry"], RenderSettings(), 0) if r.shot.id == "S02-05")
    session = ShotSession(request)
    pose = session.pose(0.0)
    session.render(0, pose)
    session.renderer.visibility(pose)
    t = time.process_time()
    for i in range(20):
        session.render(i, pose)
    colour = (time.process_time() - t) / 20
    t = time.process_time()
    for _ in range(20):
        session.renderer.visibility(pose)
    ids = (time.process_time() - t) / 20
    print(
        f"S02-05 at 960x540: colour frame {colour * 1000:.1f} ms CPU, visibility {ids * 1000:.1f} ms CPU; "
        f"3 measures a shot of {session.frames} frames add {3 * ids / (session.frames * colour):.1%}"
    )


if __name__ == "__main__":
    main()
