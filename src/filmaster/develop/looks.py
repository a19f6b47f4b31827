"""The developed cast's looks on the plan: shirt and hair colours, voice pitch, reference pictures.

The breakdown dresses characters from a fixed palette by order of appearance; a screenplay developed from an idea
comes with `<story>.develop/cast.json`, whose choices replace those, so the previz figures (and the shot prompts
sent to video models, which name the shirt colour) look as the cast step described them.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..model import CastMember, Plan
from ..model.story import StoryCast

# The colours the shot prompts can name (stages/breakdown.py names these RGB values).
SHIRTS: dict[str, tuple[float, float, float]] = {
    "red": (0.75, 0.16, 0.14),
    "blue": (0.16, 0.36, 0.72),
    "yellow": (0.93, 0.72, 0.16),
    "green": (0.2, 0.6, 0.32),
    "purple": (0.55, 0.25, 0.6),
    "orange": (0.92, 0.45, 0.15),
    "teal": (0.15, 0.6, 0.65),
    "white": (0.85, 0.85, 0.82),
}
HAIR: dict[str, tuple[float, float, float]] = {
    "black": (0.12, 0.08, 0.06),
    "brown": (0.55, 0.35, 0.16),
    "blond": (0.85, 0.72, 0.45),
    "grey": (0.3, 0.3, 0.32),
    "red": (0.55, 0.16, 0.08),
    "white": (0.88, 0.88, 0.86),
}
VOICE_PITCH = {"low": 0.86, "medium": 1.0, "high": 1.22}
DEVELOP_SUFFIX = ".develop"
CAST_FILE = "cast.json"


def develop_folder(screenplay: Path) -> Path:
    """Where `develop` keeps the steps of the screenplay at `screenplay` (story.fountain → story.develop/)."""
    return screenplay.with_suffix(DEVELOP_SUFFIX)


def story_cast_for(screenplay: Path) -> StoryCast | None:
    """The developed cast beside a screenplay, if it was developed from an idea (a broken file is ignored)."""
    path = develop_folder(screenplay) / CAST_FILE
    if not path.is_file():
        return None
    try:
        return StoryCast.load(path)
    except InputError:
        return None


def apply_looks(plan: Plan, cast: StoryCast) -> Plan:
    """`plan` with the looks of the developed cast on its characters and the locations' pictures on its scenes."""
    looks = {c.name: c for c in cast.characters}
    members = {}
    for name, member in plan.cast.items():
        look = looks.get(name)
        if look is None:  # a character the writer added after developing keeps the breakdown's look
            members[name] = member
            continue
        members[name] = member.model_copy(
            update={
                "shirt": SHIRTS.get(look.shirt, member.shirt),
                "hair": HAIR.get(look.hair, member.hair),
                "voice_pitch": VOICE_PITCH.get(look.voice, member.voice_pitch),
                "reference_image": look.reference_image or member.reference_image,
            }
        )
    pictures = {loc.name: loc.reference_image for loc in cast.locations if loc.reference_image}
    scenes = []
    for scene in plan.scenes:
        picture = pictures.get(scene.location) if not scene.reference_image else None
        shots = [shot.model_copy(update={"prompt": _redressed(shot.prompt, plan, members)}) for shot in scene.shots]
        scenes.append(scene.model_copy(update={"shots": shots, "reference_image": picture or scene.reference_image}))
    return plan.model_copy(update={"cast": members, "scenes": scenes})


def _redressed(prompt: str, plan: Plan, members: dict[str, CastMember]) -> str:
    """A shot prompt naming each character's new shirt colour ("Mara (teal shirt)"), as video models are told."""
    names = {rgb: name for name, rgb in SHIRTS.items()}
    for name, member in members.items():
        old, new = names.get(plan.cast[name].shirt), names.get(member.shirt)
        if old and new and old != new:
            prompt = prompt.replace(f"{name.title()} ({old} shirt)", f"{name.title()} ({new} shirt)")
    return prompt
