"""How errors propagate: faults injected into one kind of backend (or all at once) at increasing rates, and what
the film loses.

    .venv/bin/python benchmarks/bench_faults.py [examples/tiny.fountain] [--seeds 2] [--rates 0.1 0.3 0.6]

Runs `filmaster make --draft` in a fresh process and a fresh folder for each (backend, rate, seed), with a
`[faults]` section giving that backend the rate (every kind of fault: exception, timeout, malformed and
wrong-schema JSON, truncated media, slow). Each unit is tried 4 times (backends/resilience.py, an
http.RetryPolicy budget) before it falls back; `--retries 0` shows what that budget saves. Prints a markdown
table, one row per (backend, rate), summed or averaged over the seeds:

- shots fallen back: takes that became the plain previz take (from the run's own record, `last_run.fell_back`);
- lines missing: dialogue WAVs that are digital silence, measured on their samples;
- cues silent: music WAVs that are digital silence, measured on their samples;
- effects: effect and footstep cues placed (an embedding failure leaves clauses to the lexicon alone);
- σ ln shot length and the film's duration from the locked cut, as a change against the fault-free run;
- wall seconds of the run.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from filmaster.audio.wavio import read_wav  # noqa: E402

BACKENDS = ("video", "speech", "music", "embed", "all")


def run(source: Path, folder: Path, backend: str, rate: float, seed: int, retries: int | None) -> dict[str, float]:
    """One film with `rate` faults in `backend` ("all": every backend); what it lost, measured on its files."""
    config = folder / "filmaster.toml"
    share = f"rate = {rate}" if backend == "all" else f"rate = 0.0\nbackends = {{ {backend} = {rate} }}"
    budget = "" if retries is None else f"retries = {retries}\n"
    config.write_text(f"[faults]\n{share}\nseed = {seed}\nslow_s = 0.05\n{budget}", encoding="utf-8")
    out = folder / "film"
    command = [sys.executable, "-m", "filmaster", "make", str(source), "-o", str(out), "--draft", "-c", str(config)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        return {"crashed": 1.0, "wall_s": wall}
    fell_back = json.loads((out / ".filmaster" / "manifest.json").read_text())["last_run"]["fell_back"]
    sound = json.loads((out / ".filmaster" / "sound.json").read_text())
    cut = json.loads((out / ".filmaster" / "cut.json").read_text())

    def silent(kind: str) -> int:
        cues = [c for c in sound["cues"] if c["kind"] == kind]
        return sum(not np.any(read_wav(out / c["media"])[0]) for c in cues)

    lengths = [clip["frames"] / cut["fps"] for clip in cut["clips"]]
    return {
        "crashed": 0.0,
        "shots": sum(e["kind"] == "shots" for e in fell_back),
        "shots_total": sum(len(scene["shots"]) for scene in json.loads((out / "plan.json").read_text())["scenes"]),
        "lines": silent("dialogue"),
        "lines_total": sum(c["kind"] == "dialogue" for c in sound["cues"]),
        "music": silent("music"),
        "music_total": sum(c["kind"] == "music" for c in sound["cues"]),
        "effects": sum(c["kind"] in ("sfx", "foley") for c in sound["cues"]),
        "sigma": float(np.std(np.log(lengths))),
        "duration": sum(lengths),
        "wall_s": wall,
    }


def _span(values: list[float]) -> str:
    low, high = (min(values), max(values)) if values else (0, 0)
    return f"{low:.0f}" if low == high else f"{low:.0f}–{high:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("screenplay", nargs="?", type=Path, default=ROOT / "examples" / "tiny.fountain")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--rates", type=float, nargs="+", default=[0.1, 0.3, 0.6])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--retries", type=int, help="each unit's retries (default: the budget, 3)")
    args = parser.parse_args()
    budget = "the default budget (3)" if args.retries is None else args.retries
    print(f"# {args.screenplay.name} --draft, {args.seeds} seed(s), retries: {budget}, {platform.machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
        (Path(tmp) / "base").mkdir()
        base = run(args.screenplay, Path(tmp) / "base", "all", 0.0, 0, None)
        print("| faults in | rate | runs crashed | shots fallen back | lines missing | music cues silent |"
              " effects placed | Δ σ ln shot length | Δ duration (s) | wall (s) |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|---|")
        print(f"| none | 0 | 0/1 | 0/{base['shots_total']} | {base['lines']}/{base['lines_total']} |"
              f" {base['music']}/{base['music_total']} | {base['effects']} |"
              f" 0 | 0 | {base['wall_s']:.1f} |")  # fmt: skip
        for backend in args.backends:
            for rate in args.rates:
                results = []
                for seed in range(1, args.seeds + 1):
                    folder = Path(tmp) / f"{backend}-{rate}-{seed}"
                    folder.mkdir()
                    results.append(run(args.screenplay, folder, backend, rate, seed, args.retries))
                whole = [r for r in results if not r["crashed"]]
                n = len(results)

                def total(key: str, runs: list[dict[str, float]] = whole) -> str:
                    return f"{sum(r[key] for r in runs):.0f}"

                sigma = max((abs(r["sigma"] - base["sigma"]) for r in whole), default=math.nan)
                duration = max((abs(r["duration"] - base["duration"]) for r in whole), default=math.nan)
                print(
                    f"| {backend} | {rate} | {n - len(whole)}/{n} | {total('shots')}/{total('shots_total')} |"
                    f" {total('lines')}/{total('lines_total')} | {total('music')}/{total('music_total')} |"
                    f" {_span([r['effects'] for r in whole])} |"
                    f" {sigma:.3f} | {duration:.2f} | {np.mean([r['wall_s'] for r in results]):.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
