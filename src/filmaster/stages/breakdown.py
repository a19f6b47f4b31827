"""Breakdown and coverage planning: a Screenplay becomes scene blocks of shots with camera specs.

Rule-based and deterministic. Per scene it decides the set, the time, the mood, the blocking (marks on either
side of one 180° line) and the coverage a script supervisor would expect:
an establishing shot where the story arrives in a new place, a two-shot to set up a conversation, then
over-the-shoulder shots and singles cut shot/reverse-shot (every camera on the same side of the line), inserts on
significant props, and wider shots that follow characters when they travel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import (
    Angle,
    CameraSpec,
    CastMember,
    DialogueLine,
    Element,
    ElementKind,
    Mark,
    Mood,
    Movement,
    Plan,
    Scene,
    SceneBlock,
    Screenplay,
    SetKind,
    Shot,
    ShotDialogue,
    ShotKind,
    ShotScale,
    TimeOfDay,
)
from .gestures import act_out
from .lexicon import (
    CONTINUING_TIMES,
    INSERT_VERBS,
    MOOD_WORDS,
    PROP_WORDS,
    SET_KEYWORDS,
    SET_PROPS,
    TIME_WORDS,
    TRAVEL_VERBS,
)
from .setups import distinct_setups
from .staging import block_characters, cast_for, characters_in, place_props

# Speech timing of the offline voice, measured on Piper en_US joe: ~0.27 s a word, pauses at punctuation.
SECONDS_PER_WORD = 0.27
SECONDS_PER_PAUSE = 0.2
LINE_HEAD_S = 0.35  # the cut lands a beat before the line starts
LINE_TAIL_S = 0.45  # and holds a beat on the reaction after it
ESTABLISHING_S = 3.5
INSERT_S = 2.0

_WORD = re.compile(r"[A-Za-z']+")


def estimate_speech_s(text: str, rate: float = 1.0) -> float:
    words = len(_WORD.findall(text))
    pauses = len(re.findall(r"[,;:.!?—–-]+\s", text + " "))
    return round((words * SECONDS_PER_WORD + pauses * SECONDS_PER_PAUSE) / rate + 0.15, 2)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


# ---------------------------------------------------------------------------------------------------- scene facts
def classify_set(location: str, interior: bool) -> SetKind:
    words = set(_words(location))
    text = location.lower()
    for kind, keys in SET_KEYWORDS:
        if any((k in words) if " " not in k else (k in text) for k in keys):
            return kind
    return SetKind.ROOM if interior else SetKind.STREET


def classify_time(text: str, previous: TimeOfDay | None) -> TimeOfDay:
    upper = text.upper()
    for word, time in sorted(TIME_WORDS.items(), key=lambda kv: -len(kv[0])):
        if word in upper:
            return time
    if previous is not None and (not upper or any(c in upper for c in CONTINUING_TIMES)):
        return previous
    return previous or TimeOfDay.DAY


def classify_mood(texts: Iterable[str], time: TimeOfDay) -> Mood:
    counts = dict.fromkeys(MOOD_WORDS, 0)
    exclamations = 0
    for text in texts:
        exclamations += text.count("!")
        words = _words(text)
        for mood, keys in MOOD_WORDS.items():
            counts[mood] += sum(1 for w in words if w in keys)
    counts[Mood.TENSE] += exclamations // 2
    best = max(counts, key=lambda m: counts[m])
    if counts[best] == 0:
        return Mood.MYSTERIOUS if time == TimeOfDay.NIGHT else Mood.CALM
    return best


def find_props(texts: Iterable[str]) -> list[str]:
    found: dict[str, None] = {}
    for text in texts:
        for word in _words(text):
            if word in PROP_WORDS:
                found.setdefault(word, None)
    return list(found)


def objective_of(scene: Scene, characters: list[str], mood: Mood) -> str:
    if scene.synopses:
        return scene.synopses[0]
    action = next((e.text for e in scene.elements if e.kind == ElementKind.ACTION and e.text.strip()), "")
    first_sentence = re.split(r"(?<=[.!?])\s", action.strip())[0] if action else ""
    who = " and ".join(name.title() for name in characters) or "The place"
    lines = len(scene.dialogue)
    if lines >= 2 and len(characters) >= 2:
        gist = f"{who} confront what stands between them ({mood.value})"
    elif lines:
        gist = f"{who} speaks ({mood.value})"
    else:
        gist = f"Show {first_sentence[:1].lower() + first_sentence[1:]}" if first_sentence else f"{who} ({mood})"
    return gist.rstrip(".")


# ---------------------------------------------------------------------------------------------------- coverage
@dataclass
class _SceneCoverage:
    """Accumulates a scene's shots in story order."""

    scene: Scene
    block_characters: list[str]
    mood: Mood
    time_text: str
    location: str
    cast: dict[str, CastMember]
    props: list[str]
    shots: list[Shot] = field(default_factory=list)
    last_speaker: str | None = None
    lines_spoken: int = 0

    def add(
        self,
        kind: ShotKind,
        camera: CameraSpec,
        duration: float,
        action: str = "",
        dialogue: list[ShotDialogue] | None = None,
    ) -> None:
        number = len(self.shots) + 1
        shot_id = f"S{self.scene.index + 1:02d}-{number:02d}"
        shot = Shot(
            id=shot_id,
            scene_index=self.scene.index,
            number=number,
            kind=kind,
            prompt=self.prompt(kind, camera, action, dialogue or []),
            action=action,
            duration_s=round(max(duration, 1.0), 2),
            camera=camera,
            dialogue=dialogue or [],
        )
        self.shots.append(shot)

    def prompt(self, kind: ShotKind, camera: CameraSpec, action: str, dialogue: list[ShotDialogue]) -> str:
        parts = [camera.sentence()]
        setting = "Interior" if self.scene.setting != "EXT" else "Exterior"
        parts.append(f"{setting}, {self.location.lower()}, {self.time_text.lower() or 'day'}; {self.mood.value} mood.")
        subjects = camera.subjects
        if kind == ShotKind.INSERT and subjects:
            parts.append(f"Insert on the {subjects[0]}.")
        elif camera.over_shoulder_of and subjects:
            parts.append(f"Over {self._look(camera.over_shoulder_of)}'s shoulder onto {self._look(subjects[0])}.")
        elif subjects:
            parts.append(" and ".join(self._look(s) for s in subjects) + ".")
        if action:
            parts.append(action.strip())
        for line in dialogue:
            how = f" ({line.parenthetical})" if line.parenthetical else ""
            parts.append(f'{line.character.title()} says{how}: "{line.text}"')
        return " ".join(parts)

    def _look(self, name: str) -> str:
        member = self.cast.get(name)
        if member is None:
            return name.title()
        return f"{name.title()} ({_colour_name(member.shirt)} shirt)"


def _colour_name(rgb: tuple[float, float, float]) -> str:
    names = {
        (0.75, 0.16, 0.14): "red",
        (0.16, 0.36, 0.72): "blue",
        (0.93, 0.72, 0.16): "yellow",
        (0.2, 0.6, 0.32): "green",
        (0.55, 0.25, 0.6): "purple",
        (0.92, 0.45, 0.15): "orange",
        (0.15, 0.6, 0.65): "teal",
        (0.85, 0.85, 0.82): "white",
    }
    return names.get((rgb[0], rgb[1], rgb[2]), "coloured")


def _dialogue_camera(
    cov: _SceneCoverage, speaker: str, listener: str | None, line: DialogueLine
) -> tuple[ShotKind, CameraSpec]:
    """Shot/reverse-shot coverage: alternate over-the-shoulders and singles, closer as the scene heats up."""
    n = cov.lines_spoken
    intense = "!" in line.text or cov.mood in (Mood.TENSE, Mood.SAD)
    if listener is None:
        scale = ShotScale.MS if n == 0 else (ShotScale.MCU if n % 2 else ShotScale.CU)
        move = Movement.DOLLY_IN if n == 0 or intense else Movement.STATIC
        return ShotKind.SINGLE, CameraSpec(scale=scale, movement=move, subjects=[speaker])
    if n % 3 == 2 or (intense and n >= 3):
        scale = ShotScale.CU if intense else ShotScale.MCU
        movement = Movement.HANDHELD if cov.mood == Mood.TENSE else Movement.STATIC
        angle = Angle.LOW if intense and line.text.rstrip().endswith("!") else Angle.EYE_LEVEL
        return ShotKind.SINGLE, CameraSpec(scale=scale, angle=angle, movement=movement, subjects=[speaker])
    return ShotKind.OVER_SHOULDER, CameraSpec(
        scale=ShotScale.MCU if n > 3 else ShotScale.MS, subjects=[speaker], over_shoulder_of=listener
    )


def _line_for(shot_line: DialogueLine, start_s: float, rate: float) -> ShotDialogue:
    return ShotDialogue(
        character=shot_line.character,
        text=shot_line.text,
        parenthetical=shot_line.parenthetical,
        extension=shot_line.extension,
        start_s=round(start_s, 2),
        duration_s=estimate_speech_s(shot_line.text, rate),
    )


def _plan_action(cov: _SceneCoverage, element: Element, known: list[str]) -> None:
    text = element.text.strip()
    if not text:
        return
    words = _words(text)
    who = characters_in(text, known)
    duration = min(6.0, max(2.5, 1.2 + 0.22 * len(words)))
    if any(w in TRAVEL_VERBS for w in words) and who:
        cov.add(
            ShotKind.WIDE,
            CameraSpec(scale=ShotScale.WS, movement=Movement.TRACKING, subjects=who[:2]),
            duration,
            action=text,
        )
        home = block_characters(cov.block_characters).get(who[0])
        if home is not None:
            # The traveller walks onto its mark along the line (+x) during this shot only; the tracking
            # camera rides with it. The scene's marks stay put for the shots around this one.
            shot = cov.shots[-1]
            walk_m, speed = 2.5, 1.3  # metres, metres per second
            walk_s = walk_m / speed
            start_s = round(max(0.0, shot.duration_s - walk_s - 0.3), 2)
            walk = Mark(
                x=home.x - walk_m,
                z=home.z,
                facing_deg=90.0,
                path=[(home.x, home.z)],
                walk_speed=speed,
                start_s=start_s,
            )
            cov.shots[-1] = shot.model_copy(update={"blocking": {who[0]: walk}})
    elif who:
        scale = ShotScale.MWS if len(who) > 1 else ShotScale.MS
        move = Movement.PAN if cov.mood == Mood.MYSTERIOUS else Movement.STATIC
        cov.add(
            ShotKind.TWO_SHOT if len(who) > 1 else ShotKind.SINGLE,
            CameraSpec(
                scale=scale,
                movement=move,
                subjects=who[:2],
                direction="right" if move == Movement.PAN else None,
            ),
            duration,
            action=text,
        )
    else:
        cov.add(
            ShotKind.CUTAWAY,
            CameraSpec(scale=ShotScale.WS, movement=Movement.PAN, direction="left"),
            duration,
            action=text,
        )
    props_here = [p for p in find_props([text]) if p in cov.props and p not in SET_PROPS]
    if props_here and any(w in INSERT_VERBS for w in words):
        cov.add(
            ShotKind.INSERT,
            CameraSpec(scale=ShotScale.CU, angle=Angle.HIGH, subjects=[props_here[0]]),
            INSERT_S,
            action=f"The {props_here[0]}.",
        )


def plan_scene(
    scene: Scene, previous: SceneBlock | None, screenplay: Screenplay, cast: dict[str, CastMember]
) -> SceneBlock:
    interior = scene.setting in (None, "INT", "INT/EXT", "I/E")
    set_kind = classify_set(scene.location, interior)
    time = classify_time(scene.time_of_day, previous.time_of_day if previous else None)
    texts = [e.text for e in scene.elements] + [d.text for d in scene.dialogue] + scene.synopses
    mood = classify_mood(texts, time)
    known = list(screenplay.characters)
    on_screen: dict[str, None] = {}
    for element in scene.elements:
        if element.dialogue is not None and not element.dialogue.is_voice_over:
            on_screen.setdefault(element.dialogue.character, None)
        elif element.kind == ElementKind.ACTION:
            for name in characters_in(element.text, known):
                on_screen.setdefault(name, None)
    order = list(cast)  # first appearance in the screenplay: keeps each character on the same side
    characters = sorted(on_screen, key=lambda n: order.index(n) if n in order else len(order))
    props = find_props(texts)
    cov = _SceneCoverage(scene, characters, mood, scene.time_of_day, scene.location, cast, props)

    new_place = previous is None or previous.location != scene.location
    if new_place:
        exterior = scene.setting == "EXT"
        cov.add(
            ShotKind.ESTABLISHING,
            CameraSpec(
                scale=ShotScale.EWS if exterior else ShotScale.WS,
                angle=Angle.HIGH if exterior else Angle.EYE_LEVEL,
                movement=Movement.CRANE if exterior else Movement.DOLLY_IN,
                direction="down" if exterior else None,
            ),
            ESTABLISHING_S,
            action=f"Establishing the {scene.location.lower()}.",
        )
    speakers = [c for c in scene.speaking_characters if c in on_screen]
    two_shot_done = False
    for element in scene.elements:
        if element.kind == ElementKind.ACTION:
            _plan_action(cov, element, known)
            continue
        line = element.dialogue
        if line is None:
            continue
        rate = cast[line.character].voice_rate if line.character in cast else 1.0
        spoken = _line_for(line, LINE_HEAD_S, rate)
        duration = LINE_HEAD_S + spoken.duration_s + LINE_TAIL_S
        if line.is_voice_over or line.character not in on_screen:
            # A voice over the picture: hold a shot of the place (or the listener) under it.
            subjects = characters[:1]
            cov.add(
                ShotKind.CUTAWAY if not subjects else ShotKind.SINGLE,
                CameraSpec(
                    scale=ShotScale.WS if not subjects else ShotScale.MS,
                    movement=Movement.DOLLY_IN,
                    subjects=subjects,
                ),
                duration,
                dialogue=[spoken],
            )
            continue
        others = [c for c in speakers if c != line.character] or [c for c in characters if c != line.character]
        listener = others[0] if others else None
        if listener is not None and not two_shot_done:
            pair = [c for c in characters if c in (line.character, listener)]
            scale = ShotScale.MS if len(characters) <= 2 else ShotScale.MWS
            cov.add(
                ShotKind.TWO_SHOT,
                CameraSpec(scale=scale, subjects=pair if len(characters) <= 2 else characters),
                duration,
                dialogue=[spoken],
            )
            two_shot_done = True
        else:
            kind, camera = _dialogue_camera(cov, line.character, listener, line)
            cov.add(kind, camera, duration, dialogue=[spoken])
        cov.lines_spoken += 1
        cov.last_speaker = line.character
    if not cov.shots:
        cov.add(
            ShotKind.WIDE,
            CameraSpec(scale=ShotScale.WS, movement=Movement.PAN, direction="right"),
            ESTABLISHING_S,
            action=scene.heading,
        )

    visual = [
        scene.location.title(),
        {
            TimeOfDay.NIGHT: "night",
            TimeOfDay.DAWN: "dawn light",
            TimeOfDay.DUSK: "dusk light",
            TimeOfDay.DAY: "daylight",
        }[time],
    ]
    visual += [c.title() for c in characters] + props
    block = SceneBlock(
        index=scene.index,
        heading=scene.heading,
        setting=scene.setting,
        interior=interior,
        location=scene.location,
        set_kind=set_kind,
        time_of_day=time,
        time_of_day_text=scene.time_of_day,
        characters=characters,
        visual_elements=visual,
        objective=objective_of(scene, characters, mood),
        mood=mood,
        marks=block_characters(characters),
        props=place_props(props),
        shots=cov.shots,
    )
    return distinct_setups(act_out(block))  # gestures posed; no cut joins two shots filmed the same way


def plan_screenplay(screenplay: Screenplay) -> Plan:
    """The whole breakdown: one scene block per scene, the cast with fixed identities."""
    cast = cast_for(list(screenplay.characters))
    blocks: list[SceneBlock] = []
    for scene in screenplay.scenes:
        blocks.append(plan_scene(scene, blocks[-1] if blocks else None, screenplay, cast))
    return Plan(title=screenplay.title, cast=cast, scenes=blocks)
