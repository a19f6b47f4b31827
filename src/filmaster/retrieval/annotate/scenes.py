"""Group consecutive shots into scenes by their look, with black gaps as hard scene breaks.

A scene keeps its place and light, so its shots share a palette even when the framing changes (shot/reverse
shot alternates two palettes of one room). A shot joins the current scene when its colour histogram is close
to any of the scene's last few shots; otherwise it opens a new scene. A (near) black shot - a fade-out or a
gap between recordings - always ends the scene and belongs to none.
"""

from __future__ import annotations

from collections.abc import Sequence

from .look import ShotLook, look_distance

# Bhattacharyya distance on the HSV histogram. Measured: shots within one scene 0.16-0.29 (Megamind's
# restaurant) and 0.32-0.56 (bikes' street montage); different places and lights 0.57-0.98.
SAME_SCENE_DISTANCE = 0.55
LOOK_BACK = 4  # compare with this many latest shots: covers A-B-A-B coverage without slow drift chaining
BLACK_LUMA = 0.04  # a shot darker than this is a gap (fade to black, slug), not content


def is_black(look: ShotLook) -> bool:
    return look.brightness < BLACK_LUMA


def group_scenes(looks: Sequence[ShotLook]) -> list[list[int]]:
    """Indices of the shots of each scene, in order. Black shots are left out (unless all shots are black)."""
    if looks and all(is_black(lk) for lk in looks):
        return [list(range(len(looks)))]
    scenes: list[list[int]] = []
    current: list[int] = []
    for i, look in enumerate(looks):
        if is_black(look):
            if current:
                scenes.append(current)
            current = []
            continue
        if current and min(look_distance(look, looks[j]) for j in current[-LOOK_BACK:]) > SAME_SCENE_DISTANCE:
            scenes.append(current)
            current = []
        current.append(i)
    if current:
        scenes.append(current)
    return scenes
