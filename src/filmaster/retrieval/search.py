"""Scene-level retrieval: one query per scene, the top-K most similar corpus sequences.

As in FilMaster, the query describes the whole scene rather than one shot: its narrative objective, its
spatio-temporal context (interior/exterior, place, time, who is there) and the content of every shot. It mirrors
the layout of `CorpusEntry.embedding_text` (objective, place and time, number of characters, what the shots
show), so both sides of the comparison speak the same way.
"""

from __future__ import annotations

import re

from ..backends.embed.base import EmbeddingBackend
from ..model.corpus import CorpusEntry
from ..model.plan import SceneBlock, Shot
from .index import CorpusIndex

DEFAULT_K = 3
# The first sentence of a breakdown prompt is the first-pass camera spec ("Medium shot, eye level angle, static
# camera, 40mm lens."): it says how the rule-based planner filmed the shot, not what happens, and would pull the
# query toward entries that merely repeat that plan.
_CAMERA_SENTENCE = re.compile(r"^[^.]*\bcamera\b[^.]*\blens\.\s*", re.IGNORECASE)
_SHIRT = re.compile(r"\s*\([a-z]+ shirt\)")  # costume colours identify the cast, not the situation


def shot_content(shot: Shot) -> str:
    """What a shot shows and says, without its camera spec."""
    parts = [shot.action.strip()] if shot.action.strip() else []
    parts += [f'{line.character.title()}: "{line.text}"' for line in shot.dialogue]
    if not parts:
        parts = [_SHIRT.sub("", _CAMERA_SENTENCE.sub("", shot.prompt)).strip()]
    return " ".join(p for p in parts if p)


def scene_query(scene: SceneBlock) -> str:
    """The retrieval query for a scene: objective, mood, where and when, who, then every shot's content."""
    where = " ".join(
        part
        for part in ("interior" if scene.interior else "exterior", scene.location.lower(), scene.time_of_day.value)
        if part
    )
    names = ", ".join(name.title() for name in scene.characters)
    who = f"{len(scene.characters)} characters" + (f" ({names})" if names else "")
    seen: dict[str, None] = {}
    for shot in scene.shots:
        content = shot_content(shot)
        if content:
            seen.setdefault(content, None)  # a line repeated in two shots counts once
    objective = scene.objective.strip().rstrip(".") or scene.heading
    return f"{objective}. {scene.mood.value} mood. {where}. {who}. {'; '.join(seen)}"


def retrieve(
    scene: SceneBlock, index: CorpusIndex, embedder: EmbeddingBackend, k: int = DEFAULT_K
) -> list[tuple[CorpusEntry, float]]:
    """The k corpus entries most similar to the scene, best first, with cosine similarity."""
    return retrieve_many([scene], index, embedder, k)[0]


def retrieve_many(
    scenes: list[SceneBlock], index: CorpusIndex, embedder: EmbeddingBackend, k: int = DEFAULT_K
) -> list[list[tuple[CorpusEntry, float]]]:
    """`retrieve` for several scenes with one embedding call (one batch instead of one request per scene)."""
    if not scenes:
        return []
    index.check_model(embedder, "in use")
    vectors = embedder.embed([scene_query(scene) for scene in scenes])
    return [index.search(vector, k) for vector in vectors]
