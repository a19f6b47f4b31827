"""Piper: one kept voice session for every line against a fresh session per line (the former way).

    .venv/bin/python benchmarks/bench_piper_session.py [SCREENPLAY ...] [--rounds 2]

Every line of each screenplay (default: the two examples) is spoken with its character's cast voice by two Piper
backends in the same process, alternating line by line: one makes a session per line seeded from it (the former
way, `_seeded` unset), the other keeps one session and feeds its random nodes (backends/speech/piper_noise.py).
Prints the CPU seconds (this process, all threads) each spent per round, and whether every line came out byte for
byte the same.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from filmaster.backends.speech.base import VoiceSpec  # noqa: E402
from filmaster.backends.speech.piper import PiperSpeechBackend  # noqa: E402
from filmaster.formats.fountain import parse_fountain  # noqa: E402
from filmaster.stages.staging import cast_for  # noqa: E402

RATE = 48000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("screenplays", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    paths = args.screenplays or [
        ROOT / "examples" / "the_last_ferry.fountain",
        ROOT / "examples" / "paper_birds.fountain",
    ]
    lines: list[tuple[str, VoiceSpec]] = []
    for path in paths:
        screenplay = parse_fountain(path.read_text(encoding="utf-8"), str(path))
        cast = cast_for(list(screenplay.characters))
        for name, character in screenplay.characters.items():
            voice = VoiceSpec(pitch=cast[name].voice_pitch, rate=cast[name].voice_rate)
            lines += [(text, voice) for text in character.lines]
    fresh, kept = PiperSpeechBackend(), PiperSpeechBackend()
    fresh._load()
    fresh._seeded = None  # a session made for each line
    kept._load()
    if kept._seeded is None:
        raise SystemExit("the kept session could not be made (see the warning above)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{len(lines)} lines of {', '.join(p.name for p in paths)}")
    for round_ in range(1, args.rounds + 1):
        spent = {"fresh": 0.0, "kept": 0.0}
        same = 0
        for text, voice in lines:
            spoken = {}
            for name, backend in (("fresh", fresh), ("kept", kept)):
                start = time.process_time()
                spoken[name] = backend.synthesize(text, voice, RATE)
                spent[name] += time.process_time() - start
            same += spoken["fresh"].tobytes() == spoken["kept"].tobytes()
        print(
            f"round {round_}: a session per line {spent['fresh']:.2f} CPU-s, one kept session {spent['kept']:.2f} "
            f"CPU-s ({(spent['fresh'] - spent['kept']) / len(lines):.3f} CPU-s less a line); "
            f"{same} of {len(lines)} lines byte for byte the same"
        )


if __name__ == "__main__":
    main()
