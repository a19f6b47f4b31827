"""The dialogue path of the sound stage: each line spoken by its character's voice, performed as the screenplay
asks (the parenthetical's delivery, the extension's perspective) and placed in the room of its scene."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..audio.delivery import DELIVERY_VERSION, Delivery, delivery_for, perform
from ..audio.rooms import apply_room, room_for, rooms_version
from ..audio.wavio import write_wav
from ..backends.resilience import with_retries
from ..backends.speech.base import SpeechBackend, VoiceSpec
from ..backends.speech.piper import speakable
from ..model import Plan, SoundCue
from ..model.plan import ShotDialogue
from ..project import content_key

log = logging.getLogger(__name__)
# Piper speaks about 0.07 s per letter at the cast's slowest-to-fastest rates, never under 0.04: a quarter of
# that is an answer cut short.
MIN_SECONDS_PER_LETTER = 0.025


def line_of(plan: Plan, cue: SoundCue) -> ShotDialogue | None:
    """The screenplay line a dialogue cue speaks (cue ids are "dlg-<shot>-<n>", n from 1)."""
    number = cue.id.rsplit("-", 1)[-1]
    for scene in plan.scenes:
        for shot in scene.shots:
            if shot.id == cue.shot_id and number.isdigit() and 0 < int(number) <= len(shot.dialogue):
                return shot.dialogue[int(number) - 1]
    return None


def cue_delivery(plan: Plan, cue: SoundCue) -> Delivery:
    line = line_of(plan, cue)
    return delivery_for(line.parenthetical, line.extension) if line else Delivery()


def _voice_key(voice: VoiceSpec, speech: SpeechBackend) -> dict[str, object]:
    """What of the voice decides the samples: the character only through its voice id, the parenthetical only
    when the voice performs it (so a Piper line's key is what it was before services spoke)."""
    key = {k: v for k, v in voice.__dict__.items() if k not in ("character", "direction")}
    return {**key, "direction": voice.direction} if speech.PERFORMS_DELIVERY else key


def dialogue_render(cue: SoundCue, plan: Plan, speech: SpeechBackend, rate: int) -> tuple[str, Callable[[Path], None]]:
    """The cache key of a dialogue cue and how to render it to a WAV."""
    character = cue.character or ""
    member = plan.cast.get(character)
    line = line_of(plan, cue)
    delivery = cue_delivery(plan, cue)
    # The character's voice (pitch and pace from the cast) stays; the delivery only nudges it.
    voice = VoiceSpec(
        voice=speech.voice_for(character, list(plan.cast).index(character) if member else 0),
        pitch=(member.voice_pitch if member else 1.0) * delivery.pitch,
        rate=(member.voice_rate if member else 1.0) * delivery.rate,
        character=character,
        direction=(line.parenthetical or "") if line else "",
    )
    if speech.PERFORMS_DELIVERY:  # the voice acts the parenthetical itself; only its level and place are ours
        delivery = replace(Delivery(), gain_db=delivery.gain_db, perspective=delivery.perspective)
    scene = next((s for s in plan.scenes if s.index == cue.scene_index), None)
    room = room_for(scene.set_kind, scene.interior) if scene else None
    text = cue.text or ""
    key = content_key(
        "dialogue",
        text,
        _voice_key(voice, speech),
        rate,
        speech.cache_identity,
        [DELIVERY_VERSION, delivery.__dict__] if delivery != Delivery() else None,
        [rooms_version(delivery.perspective), room.__dict__] if room else None,
    )
    if not any(ch.isalnum() for ch in speakable(text)):
        log.warning(
            "%s (%s): nothing a voice can speak in %r; the line is kept as a short silence — give it words",
            cue.id,
            cue.character,
            text,
        )

    letters = sum(ch.isalnum() for ch in speakable(text))

    def whole(spoken: np.ndarray) -> str | None:  # a voice's answer cut short (a dropped download) is a failure
        shortest = MIN_SECONDS_PER_LETTER * letters
        if len(spoken) < shortest * rate:
            return f"{len(spoken) / rate:.2f} s of speech for {letters} letters (under {shortest:.2f} s)"
        return None

    def make(tmp: Path) -> None:
        spoken = with_retries(f"line {cue.id}", lambda: speech.synthesize(text, voice, rate), whole)
        if np.any(spoken):
            spoken = perform(spoken, rate, delivery, seed=len(text))
            if room is not None:
                spoken = apply_room(spoken, rate, room, delivery.perspective)
        write_wav(tmp, spoken, rate)

    return key, make
