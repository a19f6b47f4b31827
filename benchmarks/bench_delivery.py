"""Cost of the dialogue path beyond the TTS: each delivery and each room, per second of speech.

    python benchmarks/bench_delivery.py

Speaks one line with the real Piper voice, then times `perform` (the delivery) and `apply_room` (the location's
reverb) on it for every delivery and the largest room, and prints milliseconds per second of speech beside the
synthesis time, so the share the delivery adds to the sound stage can be read off.
"""

from __future__ import annotations

import time

from filmaster.audio.delivery import delivery_for, perform
from filmaster.audio.rooms import apply_room, room_for
from filmaster.backends.registry import create_backend
from filmaster.backends.speech.base import VoiceSpec
from filmaster.model import SetKind

RATE = 48000
LINE = "The ferry leaves at six, whether you are on it or not, and it will not wait for anyone."
READINGS = [(None, None), ("whispering", None), ("shouting", None), ("laughing", None), (None, "V.O."), (None, "O.S.")]


def main() -> None:
    speech = create_backend("speech", "piper")
    speech.synthesize("Warm up.", VoiceSpec(), RATE)  # the voice loads on first use
    start = time.perf_counter()
    line = speech.synthesize(LINE, VoiceSpec(), RATE)
    tts_s = time.perf_counter() - start
    seconds = line.shape[0] / RATE
    print(f"piper: {seconds:.2f} s of speech in {tts_s * 1000:.0f} ms ({tts_s / seconds * 1000:.0f} ms per s)")
    room = room_for(SetKind.CORRIDOR, True)  # the longest reverb
    apply_room(line, RATE, room)  # builds and caches the room's response
    for parenthetical, extension in READINGS:
        delivery = delivery_for(parenthetical, extension)
        runs = 10
        start = time.perf_counter()
        for _ in range(runs):
            apply_room(perform(line, RATE, delivery), RATE, room, delivery.perspective)
        spent = (time.perf_counter() - start) / runs
        share = spent / tts_s * 100
        label = f"{delivery.name} / {delivery.perspective.value}"
        print(f"{label:26} {spent / seconds * 1000:5.1f} ms per s of speech ({share:4.1f} % of the TTS time)")


if __name__ == "__main__":
    main()
