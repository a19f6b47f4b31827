"""What the floor, a seat and a prop are made of, so their foley sounds like them: from the words of the location
or the word the screenplay uses for the thing, else from the set (a bench on a ferry's deck is metal, one on a pier
is wood)."""

from __future__ import annotations

import re

from ..model import SceneBlock, SetKind

SURFACES: dict[SetKind, str] = {
    SetKind.ROOM: "wood",
    SetKind.KITCHEN: "stone",
    SetKind.OFFICE: "wood",
    SetKind.BAR: "wood",
    SetKind.CORRIDOR: "stone",
    SetKind.VEHICLE: "metal",
    SetKind.STREET: "stone",
    SetKind.FOREST: "grass",
    SetKind.SHORE: "sand",
    SetKind.FIELD: "grass",
}
# Words of a location that say more about the floor than its set kind does.
_SURFACE_WORDS = (
    (r"deck|ferry|ship|boat|hangar", "metal"),
    (r"pier|jetty|dock|boardwalk|cabin|barn", "wood"),
    (r"beach|dune|sand", "sand"),
)


def surface_of(scene: SceneBlock) -> str:
    """The floor footsteps land on: from the location's words, else from the set."""
    location = scene.location.lower()
    for pattern, surface in _SURFACE_WORDS:
        if re.search(pattern, location):
            return surface
    return SURFACES.get(scene.set_kind, "stone")


_UPHOLSTERED = {"sofa", "couch", "armchair", "settee", "cushion", "bed", "seat", "recliner", "ottoman", "car"}
_STONE = {"step", "steps", "stairs", "wall", "ledge", "kerb", "curb", "rock", "boulder", "stone", "fountain"}
_METAL = {"bollard", "rail", "railing", "locker", "bumper", "bonnet", "hood", "barrel"}
_SOFT_ROOMS = (SetKind.ROOM, SetKind.OFFICE, SetKind.VEHICLE)  # an unnamed seat there is a padded chair

PROP_MATERIAL = {
    **dict.fromkeys(
        ("letter", "envelope", "photo", "photograph", "map", "note", "ticket", "tickets", "notebook", "book"), "paper"
    ),
    **dict.fromkeys(
        ("key", "keys", "knife", "gun", "coin", "ring", "watch", "kettle", "compass", "bell", "lantern", "torch"),
        "metal",
    ),
    **dict.fromkeys(("flashlight", "radio", "camera", "lamp"), "metal"),
    **dict.fromkeys(("glass", "bottle", "cup", "mug"), "glass"),  # a cup or a mug rings like glass (ceramic)
    **dict.fromkeys(("box", "crate"), "wood"),
    **dict.fromkeys(("bag", "suitcase", "umbrella", "rope", "scarf", "coat", "blanket"), "fabric"),
}


def seat_material(seat: str | None, scene: SceneBlock) -> str:
    """wood, metal, stone or upholstered: a named seat's own material, else the set's."""
    word = (seat or "").lower()
    if word in _UPHOLSTERED:
        return "upholstered"
    if word in _STONE:
        return "stone"
    if word in _METAL:
        return "metal"
    surface = surface_of(scene)
    if surface == "metal":
        return "metal"  # a bench bolted to a deck, a seat in a carriage
    if not word and scene.interior and scene.set_kind in _SOFT_ROOMS:
        return "upholstered"
    return "wood"  # benches, chairs, stools, crates


def prop_material(prop: str | None) -> str:
    """paper, metal, glass, wood or fabric for a known prop; generic for one of unknown material."""
    return PROP_MATERIAL.get((prop or "").lower(), "generic")
