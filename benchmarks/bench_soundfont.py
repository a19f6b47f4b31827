"""Speed of our SoundFont synthesizer on the bundled example's scene cues, and how its renders compare with
tinysoundfont's (where tinysoundfont is installed: it is no longer a dependency).

    PYTHONPATH=src:. python benchmarks/bench_soundfont.py

Composes each scene's cue of examples/the_last_ferry.fountain (its whole bars, TimGM6mb), renders it on one core
and prints the CPU seconds and the speed as multiples of real time; then, per cue, the loudness difference (ours
minus tinysoundfont's), the attack offsets at the score's note starts (median, share within 5 ms) and the spectral
centroids, measured as in tests/audio/test_soundfont_vs_tinysoundfont.py.
"""

from __future__ import annotations

import time

import numpy as np
from tests.audio import test_soundfont_vs_tinysoundfont as comparison  # its cues, measures and reference render

from filmaster.audio.loudness import integrated_loudness
from filmaster.backends.music.midi_score import MidiScoreMusicBackend, compose_score

RATE = 48000


def main() -> None:
    backend = MidiScoreMusicBackend()
    reference = comparison if comparison.tinysoundfont is not None else None
    if reference is None:
        print("tinysoundfont is not installed: speed only")
    total_s = cpu_ours = cpu_theirs = 0.0
    for request in comparison.scene_cues():
        score = compose_score(backend._pm, request)
        n = round(score.bars * score.bar_s * RATE)
        start = time.process_time()
        ours = backend._render(score.midi, n, RATE)
        spent = time.process_time() - start
        total_s, cpu_ours = total_s + n / RATE, cpu_ours + spent
        line = f"{request.cue_id} {request.mood.value:8s} {n / RATE:5.1f} s: ours {n / RATE / spent:5.0f}x realtime"
        if reference is not None:
            start = time.process_time()
            theirs = reference.tinysoundfont_render(score.midi, backend.soundfont_path, n)
            cpu_theirs += time.process_time() - start
            starts = sorted({round(x.start, 4) for inst in score.midi.instruments for x in inst.notes})
            offsets = reference.onset_offsets(ours, theirs, starts)
            line += (
                f"; loudness {integrated_loudness(ours, RATE) - integrated_loudness(theirs, RATE):+.2f} dB"
                f"; attacks median {np.median(offsets) * 1000:.1f} ms, {np.mean(offsets <= 0.005):.0%} within 5 ms"
                f"; centroid {reference.centroid(ours):.0f} vs {reference.centroid(theirs):.0f} Hz"
            )
        print(line)
    print(f"all cues: {total_s:.1f} s of score in {cpu_ours:.2f} s CPU, {total_s / cpu_ours:.0f}x realtime (ours)")
    if reference is not None:
        print(f"tinysoundfont: {cpu_theirs:.2f} s CPU, {total_s / cpu_theirs:.0f}x realtime")


if __name__ == "__main__":
    main()
