"""Gestures from the action lines: who sits down, stands up or handles a prop, and when in the shot it lands.

Read after a scene's shots are planned, in story order, so each character's pose carries from shot to shot: a
character who sat down stays seated in the shots that follow (on its mark, `pose="sit"`) until a line says it
stands. A stand is only read while seated and a sit only while standing, so "MARA stands at the rail" (standing
already) is a place, not a gesture. The sentence that names a gesture is the subject's when it names the
character, or starts with a pronoun after one was named. Its moment is the sentence's place in the shot
(action_moments, the same timing as the effects the line names), moved so the motion fits in the shot and
follows the gesture before it. A shot whose blocking walks the character (a travel shot) is not animated in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Gesture, Mark, SceneBlock, Shot
from ..previz.gesture_timing import LEAD_S, TAIL_S
from ..sound_design.events import clauses
from .action_moments import moment_in_shot
from .staging import characters_in

_DET = r"(?:the|a|an|his|her|their|its|my|your|our|this|that)"
_WORD = r"[a-z'-]+"
_MANNER = r"(?:\s+(?:down|back|heavily|slowly|quietly))*"
_PLACE = rf"{_MANNER}(?:\s+(?:on|onto|in|into|at|upon)\s+{_DET}\s+((?:{_WORD}\s+)?{_WORD}))?"
# "sits", "takes a seat"; a verb of falling only when it lands somewhere ("slumps onto the bench").
_FALLS = r"(?:slumps?|sinks?|perches?|settles?|plops?|drops?)(?=\s+(?:down|on|onto|in|into)\b)"
_SIT_VERBS = rf"sits?|sat|sitting|takes? a seat|{_FALLS}"
_SIT = re.compile(rf"\b(?:{_SIT_VERBS}){_PLACE}")
_STAND = re.compile(r"\b(?:stands?|stood|gets? up|gets? to (?:his|her|their) feet|rises|rose|jumps? up|springs? up)\b")
_HANDLE_VERBS = (
    r"picks? up|puts? down|sets? down|lays? down|places?|opens?|closes?|lifts?|grabs?|takes?|holds? up|unfolds?|"
    r"folds?|pours?|drops?|raises?|hands?|pockets?|turns? over|fingers?|taps?|touch(?:es)?|reaches? for|slides?|"
    r"picks?|puts?|sets?|clutches?|seizes?|snatches?"
)
_PREPOSITIONS = "under|on|onto|in|into|at|by|from|to|beside|with|over|across|through|of|near|behind|toward|towards"
_PRONOUN = re.compile(r"^\s*(?:he|she|they|then he|then she|then they)\b", re.IGNORECASE)
GAP_S = 0.15  # between one gesture's motion and the next's (and apart enough for two sounds to be told apart)
EDGE_S = 0.05  # a gesture's motion starts and ends this far inside its shot


@dataclass(frozen=True)
class _Found:
    character: str
    kind: str
    position: float  # of its sentence in the action line, 0 … 1
    target: str | None


_NOT_A_NOUN = {"and", "then", "with", "as", "while", "to", "for", "but", "next", "beside", "again", "alone"}


def _noun(phrase: str | None) -> str | None:
    """The seat of "the old bench" ("bench"), of "the sofa and" ("sofa")."""
    words = [w for w in (phrase or "").split() if w not in _NOT_A_NOUN]
    return words[-1] if words else None


def _handle_pattern(props: list[str]) -> re.Pattern[str] | None:
    if not props:
        return None
    names = "|".join(re.escape(p.lower()) for p in sorted(props, key=len, reverse=True))
    # The prop is the verb's object: up to three words between them (an article, an adjective), none of them a
    # preposition ("folds another under the lamp" touches no lamp).
    between = rf"(?:(?!(?:{_PREPOSITIONS})\b){_WORD}\s+){{0,3}}?"
    return re.compile(rf"\b(?:{_HANDLE_VERBS})\s+{between}({names})\b")


def gestures_in(text: str, characters: list[str], props: list[str]) -> list[_Found]:
    """Every sit, stand and prop handling `text` names, in order, with the character who does it."""
    handle = _handle_pattern(props)
    found: list[_Found] = []
    subject: str | None = None
    for clause, position in clauses(text):
        named = characters_in(clause, characters)
        if named:
            subject = named[0]
        elif not _PRONOUN.match(clause):
            continue
        if subject is None:
            continue
        low = clause.lower()
        hits: list[tuple[int, str, str | None]] = []
        for m in _SIT.finditer(low):
            hits.append((m.start(), "sit", _noun(m.group(1))))
        hits += [(m.start(), "stand", None) for m in _STAND.finditer(low)]
        hits += [(m.start(), "handle", m.group(1)) for m in handle.finditer(low)] if handle else []
        found += [_Found(subject, kind, position, target) for _, kind, target in sorted(hits, key=lambda h: h[0])]
    return found


def _timed(found: list[_Found], shot: Shot, seated: bool, seat: str | None) -> tuple[list[Gesture], bool, str | None]:
    """The gestures of one character in `shot`, timed and fitted; its pose and seat after the shot."""
    gestures: list[Gesture] = []
    free_from = EDGE_S  # the earliest a next motion may start
    full = False  # once one gesture does not fit, none after it is shown (the pose still changes)
    for f in found:
        if (f.kind == "sit" and seated) or (f.kind == "stand" and not seated):
            continue  # "stands" while standing is where one stands, not a rise
        at = max(moment_in_shot(shot.duration_s, f.position), free_from + LEAD_S[f.kind])
        end = at + (TAIL_S[f.kind] if f.kind != "handle" else 0.1)  # a hand may leave the prop after the cut
        target = f.target if f.kind != "stand" else seat
        if f.kind != "handle":
            seated, seat = f.kind == "sit", (f.target if f.kind == "sit" else None)
        full = full or end > shot.duration_s - EDGE_S
        if full:
            continue  # no room left in the shot to show it: the next shot shows its result
        gestures.append(Gesture(kind=f.kind, at_s=round(at, 3), target=target))
        free_from = at + TAIL_S[f.kind] + GAP_S
    return gestures, seated, seat


def act_out(scene: SceneBlock) -> SceneBlock:
    """The scene with each character's gestures and seated pose in the blocking of every shot they concern."""
    props = [p.name for p in scene.props]
    seats: dict[str, str | None] = {}  # who is seated, on what
    shots: list[Shot] = []
    for shot in scene.shots:
        found = gestures_in(shot.action, list(scene.marks), props) if shot.action else []
        blocking = dict(shot.blocking)
        for name, home in scene.marks.items():
            if name in shot.blocking:  # walked by this shot's blocking: on its feet
                seats.pop(name, None)
                continue
            was_seated = name in seats
            mine = [f for f in found if f.character == name]
            gestures, seated, seat = _timed(mine, shot, was_seated, seats.get(name))
            if seated:
                seats[name] = seat
            else:
                seats.pop(name, None)
            if gestures or was_seated:
                data = home.model_dump() | {"pose": "sit" if was_seated else "stand", "gestures": gestures}
                blocking[name] = Mark.model_validate(data)
        shots.append(shot if blocking == shot.blocking else shot.model_copy(update={"blocking": blocking}))
    return scene if shots == scene.shots else scene.model_copy(update={"shots": shots})
