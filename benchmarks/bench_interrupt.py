"""How long `make` takes to stop after Ctrl-C, at varied moments after the rough cut (while the shots render),
optionally under CPU load; a run that has not ended after 90 s has its threads' stacks printed and stops the script.

    .venv/bin/python benchmarks/bench_interrupt.py [--runs 20] [--load 3]

Each run interrupts `make examples/tiny.fountain --draft` in a fresh folder as a terminal does (SIGINT to the whole
process group) and prints the exit code and the seconds from the signal to the end of its output.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DELAYS_S = (0.0, 0.2, 0.5, 1.0, 2.0, 3.0, 5.0)
HANG_S = 90.0


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a shell that runs this in the background ignores SIGINT


def interrupt_once(delay_s: float) -> tuple[int | None, float]:
    """Interrupt one run `delay_s` after it reports the rough cut; its exit code (None if it hung) and seconds."""
    folder = Path(tempfile.mkdtemp(prefix="filmaster-interrupt-"))
    screenplay = ROOT / "examples" / "tiny.fountain"
    command = [sys.executable, "-X", "faulthandler", "-m", "filmaster"]
    command += ["make", str(screenplay), "-o", str(folder / "out"), "--draft"]
    proc = subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=_interruptible
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "rough cut" in line:
            break
    time.sleep(delay_s)
    os.killpg(proc.pid, signal.SIGINT)
    started = time.perf_counter()
    rest: list[str] = []
    reader = threading.Thread(target=lambda: rest.append(proc.stderr.read() if proc.stderr else ""), daemon=True)
    reader.start()
    reader.join(HANG_S)
    if reader.is_alive():
        os.killpg(proc.pid, signal.SIGABRT)  # -X faulthandler prints every thread's stack of each process
        reader.join(10)
        print("".join(rest)[-20000:])
        return None, time.perf_counter() - started
    code = proc.wait(timeout=30)
    shutil.rmtree(folder, ignore_errors=True)
    return code, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--load", type=int, default=0, help="busy processes beside the runs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.load)]
    times = []
    try:
        for i in range(args.runs):
            delay = rng.choice(DELAYS_S)
            code, seconds = interrupt_once(delay)
            print(f"run {i}: Ctrl-C {delay:.1f} s after the rough cut -> exit {code} in {seconds:.1f} s", flush=True)
            if code is None:
                sys.exit("a run did not end: its stacks are above")
            times.append(seconds)
    finally:
        for burner in burners:
            burner.kill()
    median = sorted(times)[len(times) // 2]
    print(f"{len(times)} runs, load {args.load}: longest {max(times):.1f} s, median {median:.1f} s")


if __name__ == "__main__":
    main()
