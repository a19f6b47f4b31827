"""Feature-length sound: the mix and master of a long film, in bounded memory, and a one-line edit's re-run.

    .venv/bin/python benchmarks/bench_long_mix.py [--minutes 10 90] [--source examples/tiny.fountain] [--one-scene]

The long film is the short film's sound tiled end to end: `--source` is made once with `--draft` (real Piper
voices, score, ambience and foley, as `make` renders them), then its sound plan is repeated until the film lasts
`--minutes`, every repeat a scene of its own (its cues a hundredth of a dB apart, so no two scenes share a cached
premix: each is mixed, as in a real film). For each length, a fresh process runs the mix stage (every scene
premixed, the film mastered into mix.wav) and reports its peak memory and time per minute of film; then one line
is changed (its level, as if the line were re-rendered) and the mix runs again, three times (the middle, a quarter
in, three quarters in): the median of the three re-runs is the figure.
Voices are not rendered again in this benchmark: the figure is the mix's re-run, which is what grows with length.

With `--one-scene` every repeat joins ONE scene (a feature-length one-take, a stage play's act): the whole film is
one premix, so the figure is the memory and time of premixing one scene of that length. An edit there premixes
the whole scene again, as the first mix did: the edit re-runs are left out.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from filmaster.config import SoundConfig  # noqa: E402
from filmaster.model import Cut, CutClip, SoundPlan  # noqa: E402
from filmaster.project import Project  # noqa: E402


def make_short(source: Path, out: Path) -> None:
    cmd = [sys.executable, "-m", "filmaster", "--quiet", "make", str(source), "-o", str(out), "--draft"]
    subprocess.run(cmd, check=True, cwd=ROOT)


def tiled(short: Path, minutes: float, one_scene: bool = False) -> tuple[SoundPlan, Cut]:
    """The short film's sound plan repeated to `minutes`; each repeat's scenes numbered anew (or all in scene 0)."""
    sound = SoundPlan.load(short / ".filmaster" / "sound.json")
    cut = Cut.load(short / ".filmaster" / "cut.json")
    period = cut.frames / cut.fps
    scenes = 1 + max((c.scene_index or 0) for c in sound.cues)
    repeats = max(1, round(minutes * 60 / period))
    cues = []
    for k in range(repeats):
        for cue in sound.cues:
            if not cue.media:
                continue
            update = {
                "id": f"{cue.id}-r{k}",
                "start_s": cue.start_s + k * period,
                "scene_index": 0 if one_scene else (cue.scene_index or 0) + k * scenes,
                "gain_db": cue.gain_db - 0.01 * k,
            }
            cues.append(cue.model_copy(update=update))
    frames = round(repeats * period * cut.fps)
    clip = CutClip(shot_id="S01-01", scene_index=0, media="x", frames=frames)
    long_cut = Cut(title="long", fps=cut.fps, width=cut.width, height=cut.height, clips=[clip])
    return sound.model_copy(update={"cues": cues}), long_cut


def edited(sound: SoundPlan, places: list[float]) -> SoundPlan:
    """One dialogue line 3 dB quieter at each of `places` (fractions of the film's lines)."""
    cues = list(sound.cues)
    lines = [i for i, c in enumerate(cues) if c.kind.value == "dialogue"]
    for place in places:
        i = lines[min(len(lines) - 1, int(place * len(lines)))]
        cues[i] = cues[i].model_copy(update={"gain_db": cues[i].gain_db - 3.0})
    return sound.model_copy(update={"cues": cues})


EDITS = [0.5, 0.25, 0.75]  # each re-run changes one more line: one line, then another, then a third


def child(short: Path, folder: Path, minutes: float, edits: int, one_scene: bool) -> None:
    """One run of the mix stage in this process; prints its figures as JSON."""
    from filmaster.stages.mix import mix_film

    sound, cut = tiled(short, minutes, one_scene)
    if edits:
        sound = edited(sound, EDITS[:edits])
    project = Project(folder, short / "source.fountain", force=True)  # the folder holds the copied media
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    result = mix_film(sound, cut, SoundConfig(), project)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    work = project.cache.work.as_dict()
    print(
        json.dumps(
            {
                "film_min": cut.frames / cut.fps / 60,
                "seconds": seconds,
                "cpu_s": cpu,  # on a shared machine, less inflated by other jobs than the wall time
                "baseline_mb": baseline / 1024,
                "peak_mb": peak / 1024,
                "lufs": result.integrated_lufs,
                "dbtp": result.true_peak_dbtp,
                "premixed": work["computed"].get("premix", 0),
                "blocks_made": work["computed"].get("master-block", 0),
                "blocks_copied": work["reused"].get("master-block", 0),
            }
        )
    )


def run_child(short: Path, folder: Path, minutes: float, edits: int, one_scene: bool) -> dict:
    cmd = [sys.executable, __file__, "--child", str(short), str(folder), str(minutes), "--edits", str(edits)]
    cmd += ["--one-scene"] if one_scene else []
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the mix of {minutes:g} minutes failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[10.0, 90.0])
    parser.add_argument("--source", type=Path, default=ROOT / "examples" / "tiny.fountain")
    parser.add_argument("--child", nargs=3, metavar=("SHORT", "FOLDER", "MINUTES"), help=argparse.SUPPRESS)
    parser.add_argument("--edits", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--one-scene", action="store_true", help="tile the sound plan into ONE scene of that length")
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), float(args.child[2]), args.edits, args.one_scene)
        return
    work = Path(tempfile.mkdtemp(prefix="bench-long-mix-"))
    try:
        short = work / "short"
        make_short(args.source.resolve(), short)
        shutil.copy(args.source, short / "source.fountain")
        shape = "one scene" if args.one_scene else "a scene per repeat"
        print(f"machine: {platform.machine()}, {platform.system()}; short film from {args.source.name}, {shape}")
        print(
            "film min | first mix s (CPU s) | s per film min | peak RSS MB (baseline) | edit re-run s: median (range) "
            "| premixed | blocks"
        )
        for minutes in args.minutes:
            folder = work / f"long-{minutes:g}"
            shutil.copytree(short / "media", folder / "media")
            first = run_child(short, folder, minutes, 0, args.one_scene)
            edits = [] if args.one_scene else range(1, len(EDITS) + 1)
            again = [run_child(short, folder, minutes, k, args.one_scene) for k in edits]
            times = sorted(run["seconds"] for run in again)
            rerun = f"{times[len(times) // 2]:6.2f} ({times[0]:.2f}-{times[-1]:.2f})" if times else "not run"
            work_done = (
                f"{max(run['premixed'] for run in again):8d} | {again[0]['blocks_made']} made, "
                f"{again[0]['blocks_copied']} kept"
                if again
                else f"{first['premixed']:8d} | -"
            )
            print(
                f"{first['film_min']:8.1f} | {first['seconds']:11.1f} ({first['cpu_s']:5.1f}) | "
                f"{first['seconds'] / first['film_min']:14.2f} | "
                f"{first['peak_mb']:7.0f} ({first['baseline_mb']:.0f}) {'':9} | {rerun} | {work_done}"
            )
            for run in [first, *again]:
                print(f"  {json.dumps(run)}", flush=True)
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
