"""Which words of a film's dialogue Whisper loses, and what is under each one.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_lost_words.py OUT [OUT ...]

OUT is a film's folder made by `filmaster make`. Transcribes film.mp4's sound as `bench_post.py` does, aligns it word
by word with the script's lines (the edit distance's alignment; an inserted word is shown on the word before it) and,
for every word missed, prints its time in the film (each line's words timed by Whisper on the line's own WAV), the
level of each stem in that window as the premix plays it (the beds with their ducking; dB RMS before the master),
the effects and foley sounding in it and the picture cuts within 0.3 s of it: what a mixer would look at.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_wer  # noqa: E402
from bench_post import _words  # noqa: E402

from filmaster.audio.ducking import DUCKED_UNDER_DIALOGUE  # noqa: E402
from filmaster.audio.filters import resample_rational  # noqa: E402
from filmaster.audio.scene_premix import premix  # noqa: E402
from filmaster.audio.wavio import read_wav  # noqa: E402
from filmaster.model import Cut, SoundCue, SoundPlan  # noqa: E402
from filmaster.stages.cue_stems import CueStems  # noqa: E402
from filmaster.stages.mix import _placed, cues_by_scene  # noqa: E402

STEMS = bench_wer.STEMS


def timed_words(out: Path, lines: list[SoundCue]) -> list[tuple[str, float, float, SoundCue]]:
    """Every script word with its time in the film, from Whisper's word times on the line's WAV alone (a line's
    k-th word takes its k-th heard word's times: close enough to find what is under it)."""
    bench_wer.transcribe(np.zeros(1600, np.float32))  # loads the model
    words = []
    for cue in lines:
        audio, rate = read_wav(out / str(cue.media))
        mono = resample_rational(audio.mean(axis=1), 16000, rate).astype(np.float32)
        heard = [w for s in bench_wer._model.transcribe(mono, language="en", word_timestamps=True)[0] for w in s.words]
        for k, word in enumerate(_words(cue.text or "")):
            w = heard[min(k, len(heard) - 1)] if heard else None
            words.append((word, cue.start_s + (w.start if w else 0.0), cue.start_s + (w.end if w else 0.0), cue))
    return words


def alignment(ref: list[str], hyp: list[str]) -> list[tuple[int, str | None]]:
    """(reference word index, what was heard there: the word, None if missed, "+word" if inserted after it)."""
    cost = np.zeros((len(ref) + 1, len(hyp) + 1), int)
    cost[:, 0], cost[0, :] = range(len(ref) + 1), range(len(hyp) + 1)
    for i in range(1, len(ref) + 1):
        for j in range(1, len(hyp) + 1):
            cost[i, j] = min(cost[i - 1, j] + 1, cost[i, j - 1] + 1, cost[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]))
    pairs: list[tuple[int, str | None]] = []
    i, j = len(ref), len(hyp)
    while i or j:
        if i and j and cost[i, j] == cost[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]):
            pairs.append((i - 1, hyp[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i, j] == cost[i - 1, j] + 1:
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((max(i - 1, 0), "+" + hyp[j - 1]))
            j -= 1
    return pairs[::-1]


def stems_as_played(out: Path, sound: SoundPlan, total: int) -> dict[str, np.ndarray]:
    """Each stem (mono) laid in the film as the premix plays it: the ducked ones with the scene's ducking."""
    rate = sound.sample_rate
    played = {kind: np.zeros(total, np.float32) for kind in STEMS}
    for cues in cues_by_scene(sound).values():
        origin = min(round(c.start_s * rate) for c in cues)
        start = _placed(origin, rate)
        stems = CueStems(cues, out, rate, origin)
        tracks, detector = stems.read(0, stems.samples)
        gain = premix(tracks, sample_rate=rate, dialogue_detector=detector).duck_gain
        for kind, audio in tracks.items():
            mono = audio.mean(axis=1) * (gain if kind in DUCKED_UNDER_DIALOGUE else 1.0)
            end = min(total, start + mono.size)
            played[kind][start:end] += mono[: end - start]
    return played


def main() -> None:
    for out in map(Path, sys.argv[1:]):
        sound = SoundPlan.load(out / ".filmaster" / "sound.json")
        cut = Cut.load(out / ".filmaster" / "cut.json")
        rate = sound.sample_rate
        lines = sorted((c for c in sound.cues if c.kind.value == "dialogue" and c.media), key=lambda c: c.start_s)
        words = timed_words(out, lines)
        pairs = alignment([w for w, *_ in words], _words(bench_wer.transcribe(bench_wer.film_sound(out))))
        played = stems_as_played(out, sound, round(cut.frames / cut.fps * rate))
        cuts = np.cumsum([c.frames for c in cut.clips]) / cut.fps
        events = [c for c in sound.cues if c.kind.value in ("sfx", "foley")]
        errors = sum(heard != words[k][0] for k, heard in pairs)
        print(f"# {out.name}: {errors} errors in {len(words)} words ({errors / len(words):.1%})")
        print("| word | heard | film s | " + " | ".join(f"{k} dB" for k in STEMS) + " | under it | cuts near |")
        print("|---|---|---|" + "---|" * len(STEMS) + "---|---|")
        for k, heard in pairs:
            word, t0, t1, cue = words[k]
            if heard == word:
                continue
            a, b = round(t0 * rate), max(round(t1 * rate), round(t0 * rate) + 1)
            levels = [10 * np.log10(np.mean(np.square(played[s][a:b], dtype=np.float64)) + 1e-12) for s in STEMS]
            under = [e.id for e in events if e.start_s < t1 and e.start_s + e.duration_s > t0]
            near = [f"{x:.2f}" for x in cuts if t0 - 0.3 < x < t1 + 0.3]
            print(
                f"| {word} ({cue.id}) | {heard or '—'} | {t0:.2f}–{t1:.2f} | "
                + " | ".join(f"{v:.0f}" for v in levels)
                + f" | {', '.join(under) or '—'} | {', '.join(near) or '—'} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
