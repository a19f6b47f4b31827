"""The paper's post-production ablation: rough cut vs fine cut, measured on the delivered films' pixels.

    .venv/bin/python benchmarks/bench_post.py [examples/the_last_ferry.fountain ...] [--final]

For each screenplay, makes the film twice into one folder (the takes are shared: the second run renders no
shot) — `--no-fine-cut`, then with the fine cut — and prints a table: clips, film length, σ of ln(shot length)
and the ASL ratio (most intense scene / calmest) from cut detection on film.mp4, identical set-ups across a cut
from the pixels (the offline critic's screening), and each run's wall time and realtime factor.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from filmaster.model import Critique, Cut, FindingKind, Plan  # noqa: E402
from filmaster.post.intensity import intensity_curve  # noqa: E402
from filmaster.post.measure import pixel_pacing, sigma_ln  # noqa: E402

FILMASTER = [sys.executable, "-m", "filmaster", "--quiet", "make"]


def measure(out: Path) -> dict[str, float]:
    cut = Cut.load(out / ".filmaster" / "cut.json")
    lengths, asl = pixel_pacing(out / "film.mp4", cut)
    curve = intensity_curve(Plan.load(out / "plan.json"))
    hot, calm = max(curve, key=curve.__getitem__), min(curve, key=curve.__getitem__)
    screened = Critique.load(out / "fine_critique.json")
    return {
        "clips": len(cut.clips),
        "pixel_shots": len(lengths),
        "length_s": sum(lengths),
        "sigma_ln": sigma_ln(lengths),
        "asl_ratio": asl[hot] / asl[calm],
        "identical": len(screened.of_kind(FindingKind.IDENTICAL_SETUP)),
        "jump": len(screened.of_kind(FindingKind.JUMP_CUT)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("screenplays", nargs="*", type=Path)
    parser.add_argument("--final", action="store_true", help="full size instead of --draft")
    args = parser.parse_args()
    sources = args.screenplays or [
        ROOT / "examples" / "the_last_ferry.fountain",
        ROOT / "examples" / "paper_birds.fountain",
    ]
    size = "final" if args.final else "draft"
    print(f"# bench_post, {time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, {size}")
    print(
        "| screenplay | cut | clips | shots in pixels | length s | σ ln(shot) | ASL intense/calm | identical set-ups "
        "| jump cuts | wall s | wall / film |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for source in sources:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            for name, flags in (("rough", ["--no-fine-cut"]), ("fine", [])):
                start = time.perf_counter()
                command = [*FILMASTER, str(source), "-o", str(out), *flags, *([] if args.final else ["--draft"])]
                subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
                wall = time.perf_counter() - start
                m = measure(out)
                print(
                    f"| {source.stem} | {name} | {m['clips']} | {m['pixel_shots']} | {m['length_s']:.1f} | "
                    f"{m['sigma_ln']:.2f} | {m['asl_ratio']:.2f} | {m['identical']} | {m['jump']} | {wall:.1f} | "
                    f"{wall / m['length_s']:.2f} |",
                    flush=True,
                )
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
