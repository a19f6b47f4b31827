"""Is a character's pitch what Whisper mishears? Word error rate per character, each line spoken alone.

    .venv/bin/python benchmarks/bench_voices.py [SCREENPLAY ...]

For each character of each screenplay (default: the two examples), every line is spoken by the bundled Piper voice
with the character's cast pitch and rate three ways: the pitch shifted by resampling (formants move with it), at
pitch 1 (the rate kept), and shifted with the formants kept (`audio.formants`). Each character's lines are
joined with 0.6 s of silence and transcribed by Whisper tiny.en with bench_post's settings; prints the WER per
character and treatment, and the worst lines' transcriptions.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_post import word_error_rate  # noqa: E402
from bench_wer import transcribe  # noqa: E402

from filmaster.audio.dsp import resample  # noqa: E402
from filmaster.backends.speech.base import VoiceSpec  # noqa: E402
from filmaster.backends.speech.piper import PiperSpeechBackend  # noqa: E402
from filmaster.formats.fountain import parse_fountain  # noqa: E402
from filmaster.stages.staging import cast_for  # noqa: E402

RATE = 48000
GAP_S = 0.6


def treatments() -> dict[str, tuple[PiperSpeechBackend, bool]]:
    """name -> (backend, whether the cast pitch is used)."""
    return {
        "resampled": (PiperSpeechBackend(keep_formants=False), True),
        "pitch 1": (PiperSpeechBackend(keep_formants=False), False),
        "formants kept": (PiperSpeechBackend(keep_formants=True), True),
    }


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [ROOT / "examples" / "paper_birds.fountain",
                                                ROOT / "examples" / "the_last_ferry.fountain"]  # fmt: skip
    kinds = treatments()
    print("| screenplay | character | pitch | rate | words | " + " | ".join(kinds) + " |")
    print("|---|---|---|---|---|" + "---|" * len(kinds))
    for path in paths:
        screenplay = parse_fountain(path.read_text(encoding="utf-8"), str(path))
        cast = cast_for(list(screenplay.characters))
        totals = {k: [0.0, 0] for k in kinds}
        for name, character in screenplay.characters.items():
            member = cast[name]
            said = " ".join(character.lines)
            words = len(said.split())
            row = []
            for kind, (backend, pitched) in kinds.items():
                voice = VoiceSpec(pitch=member.voice_pitch if pitched else 1.0, rate=member.voice_rate)
                gap = np.zeros(round(GAP_S * RATE), np.float32)
                audio = np.concatenate([gap] + [np.concatenate([backend.synthesize(t, voice, RATE), gap])
                                                for t in character.lines])  # fmt: skip
                heard = transcribe(resample(audio, RATE, 16000))
                wer = word_error_rate(said, heard)
                totals[kind][0] += wer * words
                totals[kind][1] += words
                row.append(f"{wer:.1%}")
                if wer > 0:
                    print(f"  [{path.stem} {name} {kind}] heard: {heard.strip()}", file=sys.stderr)
            print(f"| {path.stem} | {name} | {member.voice_pitch} | {member.voice_rate} | {words} | "
                  + " | ".join(row) + " |", flush=True)  # fmt: skip
        print(f"| {path.stem} | all | | | {totals[next(iter(kinds))][1]} | "
              + " | ".join(f"{e / max(1, n):.1%}" for e, n in totals.values()) + " |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
