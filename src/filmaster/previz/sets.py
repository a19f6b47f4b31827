"""Parametric sets, one builder per SetKind, laid out around the actors' marks and deterministic per scene.

Furniture and scenery stay out of the acting area (the marks and the space where coverage cameras stand), so a
camera framed on an actor is not blocked. Interiors are a box whose walls are visible from inside only, which
lets a wide camera stand outside the room and look in, as on a studio set with a wall flown out. What hangs on or
stands against a wall (windows, skirting, a carriage's seats) is flown out with it: every part within
WALL_DRESSING_M of a wall carries that wall's number, and the renderer hides it whenever the camera stands behind
that wall, so a camera outside the room never films the back of the set's dressing instead of the actors.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..model import SceneBlock, SetKind
from .geometry import MAX_WALLS, WALL_TAG, Material, box, cylinder, ellipsoid, ground_steps, merge, quad, sphere

INTERIOR_KINDS = frozenset(
    {SetKind.ROOM, SetKind.KITCHEN, SetKind.OFFICE, SetKind.BAR, SetKind.CORRIDOR, SetKind.VEHICLE}
)
RGB = tuple[float, float, float]
WALL_DRESSING_M = 0.8  # a part lying wholly this close to a wall belongs to it (a seat's depth, a window's frame)
WALK_CLEAR_M = 6.0  # furniture keeps clear of a scene's walks this far from their marks (exits go further)


@dataclass
class SetGeometry:
    """What a set adds to the scene: its mesh, lamps that light it, and shadow blobs on the ground."""

    kind: SetKind
    interior: bool
    parts: list[np.ndarray] = field(default_factory=list)
    lamps: list[tuple[float, float, float]] = field(default_factory=list)
    blobs: list[tuple[float, float, float]] = field(default_factory=list)  # x, z, radius
    center: tuple[float, float] = (0.0, 0.0)  # middle of the acting area, for shots of the set itself
    # An interior's walls as planes (inward normal x, y, z, offset): n·p + offset is how far p is inside.
    walls: list[tuple[float, float, float, float]] = field(default_factory=list)

    @property
    def mesh(self) -> np.ndarray:
        return merge(self.parts)

    def add(self, *meshes: np.ndarray) -> None:
        self.parts.extend(self.on_wall(m) for m in meshes)

    def on_wall(self, part: np.ndarray) -> np.ndarray:
        """The part tagged with the wall it lies against (see the module's docstring), or as it is."""
        for number, (nx, ny, nz, offset) in enumerate(self.walls[:MAX_WALLS], start=1):
            inside = part[:, 0:3] @ np.array([nx, ny, nz], dtype=np.float32) + offset
            if len(inside) and inside.min() > -0.05 and inside.max() < WALL_DRESSING_M:
                tagged = part.copy()
                tagged[:, 9] += WALL_TAG * number
                return tagged
        return part


@dataclass(frozen=True)
class Area:
    """The acting area: marks and props, plus room for coverage cameras on either side of the line."""

    x0: float
    x1: float
    z0: float
    z1: float

    def clear_of(self, x: float, z: float, radius: float) -> bool:
        return not (self.x0 - radius < x < self.x1 + radius and self.z0 - radius < z < self.z1 + radius)


def acting_area(scene: SceneBlock) -> Area:
    """Marks, the on-set part of the scene's walks (within WALK_CLEAR_M of a mark) and props."""
    spots = [(m.x, m.z) for m in scene.marks.values()]
    for m in scene.marks.values():
        spots += [(x, z) for x, z in m.path if abs(x - m.x) + abs(z - m.z) < WALK_CLEAR_M]
    xs = [x for x, _ in spots] + [p.x for p in scene.props] or [0.0]
    zs = [z for _, z in spots] + [p.z for p in scene.props] or [0.0]
    return Area(min(xs) - 1.4, max(xs) + 1.4, min(zs) - 3.0, max(zs) + 2.6)


def scene_rng(scene: SceneBlock) -> np.random.Generator:
    key = f"{scene.index}|{scene.location}|{scene.set_kind}".encode()
    return np.random.default_rng(zlib.crc32(key))


# ---- furniture and scenery -------------------------------------------------------------------------------


def _table(g: SetGeometry, x: float, z: float, w: float, d: float, h: float, color: RGB, yaw: float = 0.0) -> None:
    g.add(box((x, h - 0.02, z), (w, 0.04, d), color, yaw_deg=yaw))
    c, s = np.cos(np.radians(yaw)), np.sin(np.radians(yaw))
    for lx, lz in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        ox, oz = lx * (w / 2 - 0.05), lz * (d / 2 - 0.05)
        g.add(box((x + c * ox - s * oz, (h - 0.04) / 2, z + s * ox + c * oz), (0.05, h - 0.04, 0.05), color))
    g.blobs.append((x, z, 0.5 * max(w, d)))


def _chair(g: SetGeometry, x: float, z: float, yaw: float, color: RGB) -> None:
    g.add(box((x, 0.45, z), (0.44, 0.05, 0.44), color, yaw_deg=yaw))
    back = np.array([np.sin(np.radians(yaw)), 0.0, -np.cos(np.radians(yaw))]) * -0.2
    g.add(box((x + back[0], 0.72, z + back[2]), (0.44, 0.5, 0.04), color, yaw_deg=yaw))
    for ox in (-0.18, 0.18):
        for oz in (-0.18, 0.18):
            g.add(box((x + ox, 0.22, z + oz), (0.04, 0.44, 0.04), color))
    g.blobs.append((x, z, 0.3))


def _lamp(g: SetGeometry, x: float, z: float, h: float = 1.6) -> None:
    g.add(cylinder((x, 0.0, z), (x, h - 0.2, z), 0.02, (0.15, 0.15, 0.15), segments=6))
    g.add(cylinder((x, h - 0.3, z), (x, h, z), 0.22, (1.0, 0.9, 0.7), Material.LAMP, 12, radius1=0.14))
    g.lamps.append((x, h - 0.1, z))
    g.blobs.append((x, z, 0.25))


def _shelf(g: SetGeometry, x: float, z: float, w: float, yaw: float, rng: np.random.Generator) -> None:
    wood = (0.42, 0.3, 0.2)
    g.add(box((x, 1.0, z), (w, 2.0, 0.35), wood, yaw_deg=yaw))
    c, s = np.cos(np.radians(yaw)), np.sin(np.radians(yaw))
    front = np.array([s, -c]) * -0.19  # books face the room
    for level in (0.45, 0.95, 1.45):
        u = -w / 2 + 0.08
        while u < w / 2 - 0.08:
            bw = float(rng.uniform(0.03, 0.07))
            bh = float(rng.uniform(0.22, 0.34))
            col = tuple(float(v) for v in rng.uniform(0.15, 0.8, 3))
            g.add(box((x + c * u + front[0], level + bh / 2, z + s * u + front[1]), (bw, bh, 0.2), col, yaw_deg=yaw))
            u += bw + 0.01


def _window(g: SetGeometry, origin: RGB, along: RGB, up: RGB, inward: RGB, w: float, h: float) -> None:
    """A glowing window pane with a frame, on a wall; `origin` is its lower-left corner."""
    o, a, u, n = (np.asarray(v, dtype=np.float64) for v in (origin, along, up, inward))
    pane = o + n * 0.01
    g.add(quad(pane, a * w, u * h, (1.0, 1.0, 1.0), Material.WINDOW))
    g.add(quad(pane + a * w, -a * w, u * h, (1.0, 1.0, 1.0), Material.WINDOW))  # seen from either side
    frame = (0.85, 0.85, 0.82)
    mid = o + n * 0.03
    for start, edge in (
        (mid, a * w),
        (mid + u * h, a * w),
        (mid + u * (h / 2), a * w),
        (mid, u * h),
        (mid + a * w, u * h),
        (mid + a * (w / 2), u * h),
    ):
        # Axis-aligned bars: the edge's extent plus a 5 cm section on the other axes.
        g.add(box(start + edge / 2, np.abs(edge) + 0.05 * (np.abs(edge) < 1e-6), frame))


def _room_shell(
    g: SetGeometry, hw: float, hd: float, h: float, wall: RGB, floor: RGB, windows: int, rng: np.random.Generator
) -> None:
    # The floor runs on past the open side of the set, so a wide camera standing outside still sees floor.
    g.add(
        quad(
            (-hw - 8.0, 0.0, -hd - 14.0),
            (0.0, 0.0, 2 * hd + 14.0),
            (2 * hw + 16.0, 0.0, 0.0),
            floor,
            Material.FLOOR,
            cell=1.5,
        )
    )
    g.add(
        quad(
            (-hw, h, -hd), (2 * hw, 0.0, 0.0), (0.0, 0.0, 2 * hd), tuple(0.9 * c for c in wall), Material.WALL, cell=2.0
        )
    )
    # Four walls, normals facing into the room; what is added from here on is tagged with the wall it is against.
    g.walls = [(0.0, 0.0, -1.0, hd), (0.0, 0.0, 1.0, hd), (1.0, 0.0, 0.0, hw), (-1.0, 0.0, 0.0, hw)]
    up = (0.0, h, 0.0)
    side = tuple(0.93 * c for c in wall)
    g.add(quad((-hw, 0.0, hd), up, (2 * hw, 0.0, 0.0), wall, Material.WALL, cell=1.5))
    g.add(quad((hw, 0.0, -hd), up, (-2 * hw, 0.0, 0.0), wall, Material.WALL, cell=1.5))
    g.add(quad((-hw, 0.0, -hd), up, (0.0, 0.0, 2 * hd), side, Material.WALL, cell=1.5))
    g.add(quad((hw, 0.0, hd), up, (0.0, 0.0, -2 * hd), side, Material.WALL, cell=1.5))
    skirting = tuple(0.6 * c for c in wall)
    g.add(
        box((0.0, 0.05, hd - 0.01), (2 * hw, 0.1, 0.02), skirting),
        box((0.0, 0.05, -hd + 0.01), (2 * hw, 0.1, 0.02), skirting),
    )
    # Windows on the back wall (seen behind the actors) and one on each side wall.
    for i in range(windows):
        cx = (i - (windows - 1) / 2) * 2.4 + float(rng.uniform(-0.2, 0.2))
        _window(g, (cx - 0.6, 1.0, hd), (1, 0, 0), (0, 1, 0), (0, 0, -1), 1.2, 1.3)
    _window(g, (-hw, 1.0, 1.0), (0, 0, -1), (0, 1, 0), (1, 0, 0), 1.4, 1.3)
    _window(g, (hw, 1.0, -1.5), (0, 0, 1), (0, 1, 0), (-1, 0, 0), 1.4, 1.3)


def _pick(rng: np.random.Generator, colors: list[RGB]) -> RGB:
    return colors[int(rng.integers(len(colors)))]


# ---- interiors -------------------------------------------------------------------------------------------


def _room(g: SetGeometry, a: Area, rng: np.random.Generator) -> None:
    hw, hd = max(5.0, a.x1 + 1.5), max(4.5, a.z1 + 1.0)
    wall = _pick(rng, [(0.72, 0.66, 0.55), (0.55, 0.62, 0.6), (0.7, 0.58, 0.52)])
    _room_shell(g, hw, hd, 2.9, wall, (0.5, 0.36, 0.24), 2, rng)
    sofa = _pick(rng, [(0.3, 0.35, 0.5), (0.5, 0.25, 0.2), (0.35, 0.4, 0.3)])
    g.add(
        box((-hw + 1.6, 0.25, hd - 0.5), (2.2, 0.5, 0.9), sofa), box((-hw + 1.6, 0.7, hd - 0.12), (2.2, 0.5, 0.2), sofa)
    )
    g.blobs.append((-hw + 1.6, hd - 0.5, 1.1))
    _table(g, -hw + 1.6, hd - 1.6, 1.0, 0.55, 0.42, (0.35, 0.24, 0.16))
    _shelf(g, hw - 1.6, hd - 0.2, 1.8, 0.0, rng)
    _lamp(g, hw - 0.5, hd - 0.5)
    _lamp(g, -hw + 0.5, -hd + 0.6)
    g.add(box((0.0, 0.006, 0.0), (4.0, 0.012, 3.0), (0.55, 0.2, 0.18)))  # rug
    for i, px in enumerate((-1.5, 1.5)):
        g.add(box((px, 1.75, hd - 0.02), (0.7, 0.5, 0.03), (0.2, 0.2, 0.2)))
        g.add(
            box(
                (px, 1.75, hd - 0.04),
                (0.6, 0.4, 0.01),
                _pick(rng, [(0.8, 0.5, 0.2), (0.2, 0.5, 0.7), (0.6, 0.7, 0.3)]) if i else (0.7, 0.3, 0.3),
            )
        )


def _kitchen(g: SetGeometry, a: Area, rng: np.random.Generator) -> None:
    hw, hd = max(4.5, a.x1 + 1.5), max(4.0, a.z1 + 1.0)
    _room_shell(g, hw, hd, 2.7, (0.86, 0.84, 0.76), (0.7, 0.7, 0.68), 1, rng)
    cab = _pick(rng, [(0.3, 0.45, 0.55), (0.8, 0.78, 0.7), (0.45, 0.55, 0.35)])
    g.add(box((0.0, 0.45, hd - 0.32), (2 * hw - 1.0, 0.9, 0.62), cab))
    g.add(box((0.0, 0.92, hd - 0.32), (2 * hw - 0.95, 0.04, 0.66), (0.2, 0.2, 0.22), Material.GLOSSY))
    g.add(box((0.0, 1.9, hd - 0.2), (2 * hw - 3.0, 0.7, 0.36), cab))
    g.add(box((hw - 0.9, 0.95, hd - 0.4), (0.8, 1.9, 0.7), (0.9, 0.9, 0.92), Material.GLOSSY))  # fridge
    for ox in (-0.25, 0.25):  # stove rings
        g.add(cylinder((-1.5 + ox, 0.94, hd - 0.35), (-1.5 + ox, 0.95, hd - 0.35), 0.1, (0.05, 0.05, 0.05)))
    g.blobs.append((0.0, hd - 0.3, 1.2))
    tx = -hw + 1.4
    _table(g, tx, -0.4, 1.0, 1.4, 0.76, (0.55, 0.4, 0.26))
    _chair(g, tx + 0.75, -0.4, 90.0, (0.4, 0.3, 0.2))
    _chair(g, tx, -1.4, 0.0, (0.4, 0.3, 0.2))
    g.lamps.append((0.0, 2.4, 0.5))
    g.add(cylinder((0.0, 2.7, 0.5), (0.0, 2.35, 0.5), 0.25, (1.0, 0.95, 0.8), Material.LAMP, 12, radius1=0.18))


def _office(g: SetGeometry, a: Area, rng: np.random.Generator) -> None:
    hw, hd = max(6.0, a.x1 + 2.0), max(4.5, a.z1 + 1.2)
    _room_shell(g, hw, hd, 2.8, (0.8, 0.8, 0.78), (0.36, 0.38, 0.42), 3, rng)
    for side in (-1.0, 1.0):
        for row in (0, 1):
            x, z = side * (hw - 1.2), hd - 1.0 - row * 2.2
            _table(g, x, z, 1.4, 0.75, 0.74, (0.75, 0.72, 0.66))
            g.add(box((x, 0.98, z + 0.15), (0.55, 0.34, 0.03), (0.08, 0.08, 0.1), Material.GLOSSY))
            g.add(box((x, 0.96, z + 0.16), (0.5, 0.28, 0.01), (0.35, 0.55, 0.8), Material.WINDOW))
            _chair(g, x, z - 0.7, 0.0, (0.15, 0.15, 0.18))
    for i in range(3):
        g.add(box((-hw + 0.25, 0.65, -1.0 + i * 0.55), (0.45, 1.3, 0.5), (0.5, 0.52, 0.55)))  # filing cabinets
    for px in (-2.5, 0.0, 2.5):
        g.add(box((px, 2.78, 0.0), (1.2, 0.02, 0.6), (1.0, 1.0, 1.0), Material.LAMP))
        g.lamps.append((px, 2.6, 0.0))
    g.add(cylinder((hw - 0.5, 0.0, -hd + 0.5), (hw - 0.5, 0.4, -hd + 0.5), 0.2, (0.6, 0.4, 0.3)))
    g.add(sphere((hw - 0.5, 0.9, -hd + 0.5), 0.45, (0.2, 0.5, 0.25)))


def _bar(g: SetGeometry, a: Area, rng: np.random.Generator) -> None:
    hw, hd = max(6.0, a.x1 + 2.0), max(4.5, a.z1 + 1.3)
    _room_shell(g, hw, hd, 3.0, (0.35, 0.18, 0.14), (0.3, 0.2, 0.13), 0, rng)
    wood = (0.35, 0.2, 0.1)
    g.add(box((0.0, 0.55, hd - 1.6), (2 * hw - 2.0, 1.1, 0.6), wood))
    g.add(box((0.0, 1.12, hd - 1.6), (2 * hw - 1.9, 0.05, 0.7), (0.2, 0.1, 0.05), Material.GLOSSY))
    g.add(box((0.0, 1.6, hd - 0.1), (2 * hw - 2.0, 1.2, 0.05), (1.0, 0.7, 0.4), Material.LAMP))  # lit back bar
    for level in (1.2, 1.7):
        g.add(box((0.0, level, hd - 0.25), (2 * hw - 2.0, 0.03, 0.3), (0.25, 0.15, 0.08)))
        for x in np.arange(-hw + 1.3, hw - 1.2, 0.18):
            col = _pick(rng, [(0.2, 0.5, 0.2), (0.6, 0.35, 0.1), (0.7, 0.7, 0.75), (0.4, 0.1, 0.1)])
            g.add(cylinder((x, level + 0.02, hd - 0.25), (x, level + 0.3, hd - 0.25), 0.035, col, Material.GLOSSY, 6))
    for x in np.arange(-hw + 1.5, hw - 1.4, 0.9):
        if a.clear_of(float(x), hd - 2.2, 0.2):
            g.add(cylinder((x, 0.0, hd - 2.2), (x, 0.75, hd - 2.2), 0.03, (0.1, 0.1, 0.1), segments=6))
            g.add(cylinder((x, 0.75, hd - 2.2), (x, 0.8, hd - 2.2), 0.18, (0.5, 0.1, 0.1), segments=10))
    for px in (-3.0, 0.0, 3.0):
        g.add(cylinder((px, 3.0, hd - 1.6), (px, 2.2, hd - 1.6), 0.01, (0.1, 0.1, 0.1), segments=4))
        g.add(
            cylinder((px, 2.1, hd - 1.6), (px, 2.25, hd - 1.6), 0.2, (1.0, 0.75, 0.45), Material.LAMP, 10, radius1=0.05)
        )
        g.lamps.append((px, 2.0, hd - 1.8))
    for side in (-1.0, 1.0):  # booths
        x = side * (hw - 0.9)
        g.add(
            box((x, 0.3, -0.5), (1.0, 0.6, 2.4), (0.5, 0.1, 0.12)),
            box((x + side * 0.45, 0.8, -0.5), (0.15, 0.8, 2.4), (0.5, 0.1, 0.12)),
        )
        g.blobs.append((x, -0.5, 1.0))


def _corridor(g: SetGeometry, a: Area, rng: np.random.Generator) -> None:
    hw, hd = max(12.0, a.x1 + 8.0), max(1.7, a.z1 - 1.0)
    _room_shell(g, hw, hd, 2.6, (0.7, 0.72, 0.66), (0.45, 0.45, 0.42), 0, rng)
    for x in np.arange(-hw + 2.0, hw - 1.0, 3.0):
        g.add(box((x, 1.05, hd - 0.02), (0.95, 2.1, 0.05), (0.45, 0.3, 0.2)))  # doors
        g.add(sphere((x + 0.35, 1.0, hd - 0.06), 0.03, (0.8, 0.7, 0.3), Material.GLOSSY, 6))
        g.add(box((x + 1.5, 2.58, 0.0), (0.8, 0.02, 0.3), (1.0, 1.0, 1.0), Material.LAMP))
    for x in np.arange(-hw + 3.0, hw - 1.0, 6.0):
        g.lamps.append((float(x), 2.4, 0.0))
    g.add(box((0.0, 0.9, hd - 0.03), (2 * hw, 0.04, 0.03), (0.5, 0.5, 0.45)))  # dado rail
    _window(g, (-hw, 0.9, -0.7), (0, 0, 1), (0, 1, 0), (1, 0, 0), 1.4, 1.4)


def _vehicle(g: SetGeometry, a: Area, rng: np.random.Generator) -> None:
    """A railway carriage: long seats under windows along both sides, grab poles, lit ceiling strip."""
    hw, hd = max(8.0, a.x1 + 5.0), 2.6
    _room_shell(g, hw, hd, 2.4, (0.75, 0.76, 0.74), (0.3, 0.32, 0.35), 0, rng)
    seat = _pick(rng, [(0.15, 0.3, 0.55), (0.5, 0.15, 0.15), (0.2, 0.4, 0.3)])
    for side in (-1.0, 1.0):
        z = side * (hd - 0.35)
        g.add(box((0.0, 0.25, z), (2 * hw - 1.0, 0.5, 0.6), (0.25, 0.25, 0.27)))
        g.add(box((0.0, 0.52, z), (2 * hw - 1.0, 0.08, 0.6), seat))
        g.add(box((0.0, 0.85, z + side * 0.27), (2 * hw - 1.0, 0.6, 0.08), seat))
        for x in np.arange(-hw + 1.0, hw - 1.5, 1.8):
            _window(g, (x, 1.1, side * hd), (1, 0, 0), (0, 1, 0), (0, 0, -side), 1.4, 0.8)
        g.blobs.append((0.0, z, 0.6))
    for x in np.arange(-hw + 2.0, hw - 1.0, 2.5):
        for z in (-1.0, 1.0):
            if a.clear_of(float(x), z, 0.15):
                g.add(cylinder((x, 0.0, z), (x, 2.4, z), 0.02, (0.8, 0.8, 0.82), Material.GLOSSY, 6))
    g.add(box((0.0, 2.38, 0.0), (2 * hw - 1.0, 0.02, 0.3), (1.0, 1.0, 1.0), Material.LAMP))
    g.lamps.extend([(-3.0, 2.2, 0.0), (3.0, 2.2, 0.0)])


# ---- exteriors -------------------------------------------------------------------------------------------


def _ground(g: SetGeometry, color: RGB) -> None:
    steps = ground_steps(300.0, fine=1.5)
    g.add(
        quad(
            (-300.0, 0.0, -300.0),
            (0.0, 0.0, 600.0),
            (600.0, 0.0, 0.0),
            color,
            Material.GROUND,
            steps_u=steps,
            steps_v=steps,
        )
    )


def _tree(g: SetGeometry, x: float, z: float, h: float, rng: np.random.Generator, conifer: bool, seg: int = 8) -> None:
    g.add(cylinder((x, 0.0, z), (x, h * 0.45, z), 0.04 * h, (0.3, 0.2, 0.12), segments=6, caps=False))
    leaf = tuple(float(v) for v in np.array([0.16, 0.36, 0.14]) * rng.uniform(0.7, 1.2))
    if conifer:
        g.add(cylinder((x, h * 0.25, z), (x, h, z), 0.22 * h, leaf, segments=seg, radius1=0.0))
    else:
        g.add(ellipsoid((x, h * 0.68, z), (0.28 * h, 0.3 * h, 0.28 * h), leaf, Material.MATTE, seg))
    g.blobs.append((x, z, 0.2 * h))


def _rock(g: SetGeometry, x: float, z: float, r: float) -> None:
    g.add(ellipsoid((x, r * 0.3, z), (r, r * 0.7, r * 0.8), (0.42, 0.4, 0.38), Material.MATTE, 7))
    g.blobs.append((x, z, r))


def _building(g: SetGeometry, x: float, z: float, w: float, d: float, h: float, rng: np.random.Generator) -> None:
    col = _pick(rng, [(0.6, 0.5, 0.42), (0.5, 0.5, 0.52), (0.72, 0.66, 0.55), (0.45, 0.32, 0.28)])
    g.add(box((x, h / 2, z), (w, h, d), col, Material.WALL))  # one-sided: a camera inside one sees out
    # Windows are flat panes on the facade toward the street (a box each would cost 6× the triangles).
    face = z - d / 2 - 0.02 if z > 0 else z + d / 2 + 0.02
    for fy in np.arange(1.2, h - 1.0, 3.0):
        for fx in np.arange(x - w / 2 + 1.0, x + w / 2 - 0.8, 2.0):
            lit = rng.random() < 0.45
            colour, material = ((1.0, 0.85, 0.6), Material.LAMP) if lit else ((0.15, 0.17, 0.2), Material.GLOSSY)
            g.add(quad((fx + 0.05, fy + 0.1, face), (1.1, 0.0, 0.0), (0.0, 1.3, 0.0), colour, material))


def _lamp_post(g: SetGeometry, x: float, z: float) -> None:
    g.add(cylinder((x, 0.0, z), (x, 4.2, z), 0.06, (0.15, 0.16, 0.17), segments=6))
    g.add(box((x, 4.25, z), (0.5, 0.12, 0.25), (1.0, 0.85, 0.6), Material.LAMP))
    g.lamps.append((x, 4.0, z))


def _car(g: SetGeometry, x: float, z: float, color: RGB) -> None:
    g.add(box((x, 0.55, z), (4.2, 0.7, 1.8), color, Material.GLOSSY))
    g.add(box((x - 0.2, 1.15, z), (2.2, 0.55, 1.65), (0.12, 0.14, 0.18), Material.GLOSSY))
    for wx in (-1.35, 1.35):
        for wz in (-0.85, 0.85):
            g.add(
                cylinder(
                    (x + wx, 0.33, z + wz - 0.1), (x + wx, 0.33, z + wz + 0.1), 0.33, (0.05, 0.05, 0.05), segments=10
                )
            )
    g.blobs.append((x, z, 2.0))


def _hills(g: SetGeometry, rng: np.random.Generator, color: RGB, z_sign: float = 1.0, count: int = 7) -> None:
    for i in range(count):
        x = -160.0 + i * 320.0 / (count - 1) + float(rng.uniform(-15, 15))
        g.add(
            ellipsoid(
                (x, -4.0, z_sign * float(rng.uniform(140, 180))),
                (float(rng.uniform(35, 60)), float(rng.uniform(12, 26)), 20.0),
                color,
                Material.MATTE,
                10,
            )
        )


def _scatter(
    g: SetGeometry, a: Area, rng: np.random.Generator, n: int, spread: float, fn: Callable[[float, float], None]
) -> None:
    placed = 0
    for _ in range(n * 8):
        if placed >= n:
            break
        x, z = (float(v) for v in rng.uniform(-spread, spread, 2))
        if a.clear_of(x, z, 1.5):
            fn(x, z)
            placed += 1


def _street(g: SetGeometry, a: Area, rng: np.random.Generator) -> None:
    _ground(g, (0.5, 0.5, 0.5))  # pavement
    road_z = a.z1 + 1.0
    g.add(box((0.0, 0.005, road_z + 4.0), (600.0, 0.01, 7.0), (0.13, 0.13, 0.14), Material.GROUND))
    g.add(box((0.0, 0.07, road_z + 0.35), (600.0, 0.14, 0.2), (0.7, 0.7, 0.68)))  # kerb
    for x in np.arange(-60.0, 60.0, 6.0):
        g.add(box((x, 0.012, road_z + 4.0), (3.0, 0.005, 0.15), (0.9, 0.9, 0.85)))
    for z_sign, base in ((1.0, road_z + 9.5), (-1.0, a.z0 - 9.0)):
        x = -70.0
        while x < 70.0:
            w, d, h = float(rng.uniform(7, 14)), 10.0, float(rng.uniform(8, 24))
            _building(g, x + w / 2, base + z_sign * d / 2, w, d, h, rng)
            x += w + float(rng.uniform(0.0, 1.5))
    for x in np.arange(-24.0, 25.0, 12.0):
        _lamp_post(g, float(x) + 3.0, road_z - 0.3)
    _car(g, a.x1 + 3.5, road_z + 2.0, _pick(rng, [(0.6, 0.1, 0.1), (0.15, 0.25, 0.5), (0.8, 0.8, 0.78)]))
    _car(g, a.x0 - 6.0, road_z + 2.0, _pick(rng, [(0.2, 0.2, 0.22), (0.5, 0.5, 0.1)]))


def _forest(g: SetGeometry, a: Area, rng: np.random.Generator) -> None:
    _ground(g, (0.3, 0.32, 0.16))
    _scatter(g, a, rng, 40, 22.0, lambda x, z: _tree(g, x, z, float(rng.uniform(5, 11)), rng, rng.random() < 0.6))
    _scatter(g, a, rng, 8, 10.0, lambda x, z: _rock(g, x, z, float(rng.uniform(0.2, 0.6))))
    for i in range(60):  # the distant treeline
        ang = i / 60 * 2 * np.pi
        r = float(rng.uniform(35, 55))
        _tree(g, r * np.cos(ang), r * np.sin(ang), float(rng.uniform(9, 15)), rng, True, 6)


def _shore(g: SetGeometry, a: Area, rng: np.random.Generator) -> None:
    _ground(g, (0.76, 0.68, 0.5))  # sand
    sea_z = a.z1 + 3.0
    g.add(
        quad(
            (-300.0, 0.03, sea_z),
            (0.0, 0.0, 300.0),
            (600.0, 0.0, 0.0),
            (0.1, 0.3, 0.42),
            Material.WATER,
            steps_u=np.array([0, 1, 2, 4, 7, 12, 20, 35, 60, 100, 170, 300]) / 300.0,
            steps_v=ground_steps(300.0),
        )
    )
    g.add(box((0.0, 0.02, sea_z + 0.2), (600.0, 0.03, 0.5), (0.9, 0.92, 0.92)))  # surf line
    _hills(g, rng, (0.28, 0.32, 0.3), 1.0, 3)
    _hills(g, rng, (0.45, 0.45, 0.3), -1.0, 7)
    _scatter(g, a, rng, 10, 15.0, lambda x, z: _rock(g, x, min(z, sea_z - 1.0), float(rng.uniform(0.3, 1.1))))
    for x in np.arange(-20.0, 21.0, 5.0):
        g.add(cylinder((x, 0.0, a.z0 - 6.0), (x, 1.2, a.z0 - 6.0), 0.06, (0.45, 0.35, 0.25), segments=6))


def _field(g: SetGeometry, a: Area, rng: np.random.Generator) -> None:
    _ground(g, (0.42, 0.5, 0.2))
    _hills(g, rng, (0.3, 0.4, 0.22), 1.0)
    _hills(g, rng, (0.3, 0.4, 0.22), -1.0)
    for _ in range(6):
        x, z = float(rng.uniform(-60, 60)), float(rng.choice([-1, 1]) * rng.uniform(30, 60))
        _tree(g, x, z, float(rng.uniform(6, 10)), rng, False)
    fence_z = a.z1 + 4.0
    for x in np.arange(-30.0, 30.0, 2.5):
        g.add(box((x, 0.55, fence_z), (0.1, 1.1, 0.1), (0.45, 0.35, 0.25)))
    for y in (0.5, 0.9):
        g.add(box((0.0, y, fence_z), (60.0, 0.06, 0.04), (0.5, 0.4, 0.3)))
    _scatter(
        g,
        a,
        rng,
        4,
        14.0,
        lambda x, z: g.add(cylinder((x, 0.6, z - 0.6), (x, 0.6, z + 0.6), 0.6, (0.75, 0.65, 0.3), segments=12)),
    )


_BUILDERS: dict[SetKind, Callable[[SetGeometry, Area, np.random.Generator], None]] = {
    SetKind.ROOM: _room,
    SetKind.KITCHEN: _kitchen,
    SetKind.OFFICE: _office,
    SetKind.BAR: _bar,
    SetKind.CORRIDOR: _corridor,
    SetKind.VEHICLE: _vehicle,
    SetKind.STREET: _street,
    SetKind.FOREST: _forest,
    SetKind.SHORE: _shore,
    SetKind.FIELD: _field,
}


def build_set(scene: SceneBlock) -> SetGeometry:
    area = acting_area(scene)
    g = SetGeometry(
        kind=scene.set_kind,
        interior=scene.set_kind in INTERIOR_KINDS,
        center=((area.x0 + area.x1) / 2, (area.z0 + area.z1) / 2 + 0.2),
    )
    _BUILDERS[scene.set_kind](g, area, scene_rng(scene))
    for prop in scene.props:
        _prop(g, prop.name, prop.x, prop.z, prop.size, prop.color)
    return g


def prop_top(size: float) -> float:
    """Height of a prop's centre: small props stand on a table, large ones on the ground."""
    return (0.76 if size <= 0.5 else 0.0) + size / 2


def _prop(g: SetGeometry, name: str, x: float, z: float, size: float, color: RGB) -> None:
    if size <= 0.5:
        _table(g, x, z, max(0.6, size * 2.2), max(0.5, size * 1.8), 0.76, (0.4, 0.3, 0.22))
    y = prop_top(size)
    shape = zlib.crc32(name.encode()) % 3
    if shape == 0:
        g.add(box((x, y, z), (size, size, size * 0.8), color, Material.GLOSSY))
    elif shape == 1:
        g.add(cylinder((x, y - size / 2, z), (x, y + size / 2, z), size * 0.35, color, Material.GLOSSY, 16))
    else:
        g.add(sphere((x, y, z), size / 2, color, Material.GLOSSY, 16))
    g.blobs.append((x, z, size * 0.7))
