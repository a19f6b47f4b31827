"""Dramatic intensity of each scene, 0 (still) .. 1 (frantic), read from what the screenplay says happens.

Four signals an editor weighs when choosing a scene's pace: conflict in the words, physical action, the tempo of
the dialogue (short lines, exclamations, questions fired back) and the scene's mood.
"""

from __future__ import annotations

import re

from ..model import Mood, Plan, SceneBlock


def _word_set(prose: str) -> frozenset[str]:
    """A word list written as prose, which reads better than a list of quoted words."""
    return frozenset(prose.split())


CONFLICT_WORDS = _word_set(
    "no not never stop won't can't don't liar lie lied hate kill dead die fight gun knife blood scream "
    "screams shout shouts yell yells threat afraid fear run hurry now why leave get out enough wrong damn"
)
ACTION_VERBS = _word_set(
    "runs run ran grabs grab slams slam bursts burst crashes crash jumps jump falls fall pushes push "
    "pulls pull throws throw hits hit strikes strike races race rushes rush spins spin lunges lunge "
    "shoves shove bolts bolt sprints sprint dives dive smashes smash fires fire kicks kick snatches "
    "snatch struggles struggle flees flee chases chase storms storm tears tear whirls whirl"
)
MOOD_INTENSITY = {
    Mood.TENSE: 0.9,
    Mood.MYSTERIOUS: 0.55,
    Mood.JOYFUL: 0.5,
    Mood.WARM: 0.3,
    Mood.SAD: 0.2,
    Mood.CALM: 0.1,
}
_WORD = re.compile(r"[A-Za-z']+")


def scene_intensity(scene: SceneBlock) -> float:
    """Weighted mean of the four signals, each scaled to 0..1."""
    action_text = " ".join(shot.action for shot in scene.shots)
    lines = [line.text for shot in scene.shots for line in shot.dialogue]
    words = [w.lower() for w in _WORD.findall(action_text + " " + " ".join(lines))]
    conflict = min(1.0, 8.0 * sum(w in CONFLICT_WORDS for w in words) / max(len(words), 1))
    action = min(1.0, 12.0 * sum(w in ACTION_VERBS for w in _WORD.findall(action_text.lower())) / max(len(words), 1))
    if lines:
        mean_words = sum(len(_WORD.findall(t)) for t in lines) / len(lines)
        punch = sum(t.count("!") + t.count("?") for t in lines) / len(lines)
        tempo = min(1.0, 0.6 * max(0.0, 1.0 - mean_words / 14.0) + 0.4 * min(1.0, punch))
    else:
        tempo = 0.0
    value = 0.35 * MOOD_INTENSITY.get(scene.mood, 0.3) + 0.25 * conflict + 0.25 * action + 0.15 * tempo
    return round(min(1.0, max(0.0, value)), 3)


def intensity_curve(plan: Plan) -> dict[int, float]:
    """Scene index -> intensity: half the scene's own score, half its rank within the film (calmest 0, most
    intense 1), since pace is relative within a film (a film of only tense scenes still has calmer moments).
    A rank, unlike a min-max stretch, moves no other scene's pace when an edit changes one scene's words."""
    raw = {scene.index: scene_intensity(scene) for scene in plan.scenes}
    order = sorted(raw, key=lambda index: (raw[index], index))
    if len(order) < 2:
        return dict.fromkeys(raw, 0.5)
    return {index: round(0.5 * raw[index] + 0.5 * order.index(index) / (len(order) - 1), 3) for index in raw}
