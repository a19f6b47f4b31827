"""Triangle-soup meshes built from boxes, spheres and capsules, with normals, colours and a material code.

Every vertex is 10 float32: position (3), normal (3), colour (3, sRGB 0..1) and a material code that the
fragment shader switches on. Meshes are plain numpy arrays so sets and figures can be concatenated into one
static vertex buffer per scene, and projected on the CPU for ground truth with the same matrices used to draw.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

Vec3: TypeAlias = Sequence[float] | npt.NDArray[np.floating]  # a point, size or colour: a tuple or an array
FLOATS_PER_VERTEX = 10
# What hangs on a set wall carries the wall's number in its material float: material + WALL_TAG × (wall + 1), so the
# vertex stage can fly it out with its wall (see sets.SetGeometry.walls).
WALL_TAG = 16
MAX_WALLS = 4


class Material(IntEnum):
    MATTE = 0
    FLOOR = 1  # planks/tiles pattern from world position
    GROUND = 2  # noisy terrain (grass, sand, asphalt)
    LAMP = 3  # emissive, scaled by the look's practical light
    WALL = 4  # one-sided: invisible from behind, so a camera outside a room sees in (a removed "fourth wall")
    WATER = 5
    SKIN = 6
    GLOSSY = 7
    WINDOW = 8  # emissive, tinted by the look's window/sky light
    SKY = 9  # the sky dome: positions are directions, it is drawn around the camera
    BACKDROP = 10  # unlit: a reference picture keeps its own colours


def _pack(pos: np.ndarray, nrm: np.ndarray, color: Vec3, material: Material) -> np.ndarray:
    out = np.empty((len(pos), FLOATS_PER_VERTEX), dtype=np.float32)
    out[:, 0:3] = pos
    out[:, 3:6] = nrm
    out[:, 6:9] = color
    out[:, 9] = float(material)
    return out


def box(center: Vec3, size: Vec3, color: Vec3, material: Material = Material.MATTE, yaw_deg: float = 0.0) -> np.ndarray:
    """An axis-aligned box (rotated about y by `yaw_deg`), 12 triangles."""
    hx, hy, hz = (s / 2 for s in size)
    faces = []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            n = np.zeros(3)
            n[axis] = sign
            u, v = [(a) for a in range(3) if a != axis]
            corners = []
            for cu, cv in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
                p = np.zeros(3)
                p[axis] = sign
                p[u], p[v] = cu, cv
                corners.append(p)
            c = np.array(corners) * (hx, hy, hz)
            tri = c[[0, 1, 2, 0, 2, 3]]
            faces.append((tri, np.repeat(n[None], 6, axis=0)))
    pos = np.concatenate([f[0] for f in faces])
    nrm = np.concatenate([f[1] for f in faces])
    rot = yaw_matrix(yaw_deg)
    return _pack(pos @ rot.T + np.asarray(center), nrm @ rot.T, color, material)


def quad(
    corner: Vec3,
    edge_u: Vec3,
    edge_v: Vec3,
    color: Vec3,
    material: Material = Material.MATTE,
    cell: float | None = None,
    steps_u: Sequence[float] | npt.NDArray[np.floating] | None = None,
    steps_v: Sequence[float] | npt.NDArray[np.floating] | None = None,
) -> np.ndarray:
    """A parallelogram; its normal is edge_u × edge_v (the side a WALL material is visible from).

    Lighting is computed per vertex, so large surfaces are split into cells of at most `cell` metres, or at
    the given fractions `steps_u`/`steps_v` (0…1) for a grid that is fine near the action and coarse far away.
    """
    c, u, v = (np.asarray(a, dtype=np.float64) for a in (corner, edge_u, edge_v))
    n = np.cross(u, v)
    n /= np.linalg.norm(n)

    def steps(edge: np.ndarray, given: Sequence[float] | npt.NDArray[np.floating] | None) -> np.ndarray:
        if given is not None:
            return np.asarray(given, dtype=np.float64)
        count = 1 if cell is None else max(1, int(np.ceil(np.linalg.norm(edge) / cell)))
        return np.linspace(0.0, 1.0, count + 1)

    su, sv = steps(u, steps_u), steps(v, steps_v)
    grid = c + su[:, None, None] * u + sv[None, :, None] * v
    a, b = grid[:-1, :-1], grid[1:, :-1]
    d, e = grid[1:, 1:], grid[:-1, 1:]
    pos = np.stack([a, b, d, a, d, e], axis=2).reshape(-1, 3)
    return _pack(pos, np.repeat(n[None], len(pos), axis=0), color, material)


def ground_steps(half_size: float, fine: float = 1.0, fine_half: float = 10.0) -> np.ndarray:
    """Fractions across [-half_size, half_size]: `fine` metres near the centre, then doubling outward."""
    near = np.arange(-fine_half, fine_half + 1e-9, fine)
    far = []
    step, x = fine * 2, fine_half
    while x < half_size:
        x = min(half_size, x + step)
        far.append(x)
        step *= 1.8
    coords = np.concatenate([-np.array(far[::-1]), near, np.array(far)])
    return (coords + half_size) / (2 * half_size)


def ellipsoid(
    center: Vec3,
    radii: Vec3,
    color: Vec3,
    material: Material = Material.MATTE,
    segments: int = 12,
    keep: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """A UV ellipsoid; `keep(unit_points)` may drop triangles (by centroid on the unit sphere), e.g. for hair caps."""
    rings = max(4, segments * 2 // 3)
    theta = np.linspace(0.0, np.pi, rings + 1)  # from +y down
    phi = np.linspace(0.0, 2.0 * np.pi, segments + 1)
    st, ct = np.sin(theta)[:, None], np.cos(theta)[:, None]
    grid = np.stack([st * np.cos(phi)[None], np.repeat(ct, segments + 1, 1), st * np.sin(phi)[None]], axis=-1)
    a, b = grid[:-1, :-1], grid[1:, :-1]
    c, d = grid[1:, 1:], grid[:-1, 1:]
    unit = np.concatenate([np.stack([a, b, c], 2), np.stack([a, c, d], 2)]).reshape(-1, 3, 3)
    if keep is not None:
        unit = unit[keep(unit.mean(axis=1))]
    points = unit.reshape(-1, 3)
    r = np.asarray(radii, dtype=np.float64)
    nrm = points / r
    nrm /= np.maximum(np.linalg.norm(nrm, axis=1, keepdims=True), 1e-9)
    return _pack(points * r + np.asarray(center), nrm, color, material)


def sphere(
    center: Vec3, radius: float, color: Vec3, material: Material = Material.MATTE, segments: int = 12
) -> np.ndarray:
    return ellipsoid(center, (radius, radius, radius), color, material, segments)


def cylinder(
    p0: Vec3,
    p1: Vec3,
    radius: float,
    color: Vec3,
    material: Material = Material.MATTE,
    segments: int = 12,
    radius1: float | None = None,
    caps: bool = True,
) -> np.ndarray:
    """A (possibly tapered, radius→radius1) cylinder from p0 to p1; radius1=0 gives a cone."""
    a, b = np.asarray(p0, dtype=np.float64), np.asarray(p1, dtype=np.float64)
    axis = b - a
    length = float(np.linalg.norm(axis))
    w = axis / length
    helper = np.array([1.0, 0.0, 0.0]) if abs(w[0]) < 0.9 else np.array([0.0, 0.0, 1.0])
    u = np.cross(w, helper)
    u /= np.linalg.norm(u)
    v = np.cross(w, u)
    r1 = radius if radius1 is None else radius1
    ang = np.linspace(0.0, 2.0 * np.pi, segments + 1)
    ring = np.cos(ang)[:, None] * u + np.sin(ang)[:, None] * v
    slope = (radius - r1) / length
    side_n = ring + slope * w
    side_n /= np.linalg.norm(side_n, axis=1, keepdims=True)
    bot, top = a + radius * ring, b + r1 * ring
    i, j = np.arange(segments), np.arange(1, segments + 1)
    pos = np.stack([bot[i], bot[j], top[j], bot[i], top[j], top[i]], 1).reshape(-1, 3)
    nrm = np.stack([side_n[i], side_n[j], side_n[j], side_n[i], side_n[j], side_n[i]], 1).reshape(-1, 3)
    parts = [(pos, nrm)]
    if caps:
        for centre, rim, n, r in ((a, bot, -w, radius), (b, top, w, r1)):
            if r <= 0:
                continue
            cap = np.stack([np.repeat(centre[None], segments, 0), rim[i], rim[j]], 1).reshape(-1, 3)
            parts.append((cap, np.repeat(n[None], len(cap), 0)))
    return _pack(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), color, material)


def capsule(
    p0: Vec3, p1: Vec3, radius: float, color: Vec3, material: Material = Material.MATTE, segments: int = 10
) -> np.ndarray:
    # The end caps are mostly hidden inside the neighbouring part: coarser spheres cost fewer triangles.
    cap = max(5, segments - 3)
    return np.concatenate(
        [
            cylinder(p0, p1, radius, color, material, segments, caps=False),
            sphere(p0, radius, color, material, cap),
            sphere(p1, radius, color, material, cap),
        ]
    )


def yaw_matrix(deg: float) -> np.ndarray:
    """Rotation about +y taking local forward (0, 0, -1) to the world facing (sin a, 0, -cos a)."""
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0.0, -s], [0.0, 1.0, 0.0], [s, 0.0, c]])


def transform(mesh: np.ndarray, rotation: np.ndarray, offset: Vec3, scale: float = 1.0) -> np.ndarray:
    """Rotate, uniformly scale, then translate a mesh (normals only rotate)."""
    out = mesh.copy()
    out[:, 0:3] = (mesh[:, 0:3] * scale) @ rotation.T + np.asarray(offset, dtype=np.float32)
    out[:, 3:6] = mesh[:, 3:6] @ rotation.T
    return out


def squash(mesh: np.ndarray, center: Vec3, factors: Vec3) -> np.ndarray:
    """Scale a mesh non-uniformly about `center`; normals take the inverse scale so shading stays right."""
    out = mesh.copy()
    f = np.asarray(factors, dtype=np.float32)
    c = np.asarray(center, dtype=np.float32)
    out[:, 0:3] = (mesh[:, 0:3] - c) * f + c
    n = mesh[:, 3:6] / f
    out[:, 3:6] = n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)
    return out


def sky_dome(radius: float = 450.0, segments: int = 32) -> np.ndarray:
    """A sphere around the origin with rings packed near the horizon, where the sky gradient changes fastest."""
    elev = np.radians([-90, -20, -6, -2, 0, 1, 2.5, 4, 6, 9, 13, 18, 25, 34, 45, 58, 72, 90])
    az = np.linspace(0.0, 2 * np.pi, segments + 1)
    grid = (
        np.stack(
            [
                np.cos(elev)[:, None] * np.cos(az)[None],
                np.repeat(np.sin(elev)[:, None], len(az), 1),
                np.cos(elev)[:, None] * np.sin(az)[None],
            ],
            axis=-1,
        )
        * radius
    )
    a, b = grid[:-1, :-1], grid[1:, :-1]
    c, d = grid[1:, 1:], grid[:-1, 1:]
    pos = np.stack([a, b, c, a, c, d], axis=2).reshape(-1, 3)
    return _pack(pos, -pos / radius, (1.0, 1.0, 1.0), Material.SKY)


def merge(parts: Sequence[np.ndarray]) -> np.ndarray:
    if not parts:
        return np.zeros((0, FLOATS_PER_VERTEX), dtype=np.float32)
    return np.concatenate(parts).astype(np.float32, copy=False)
