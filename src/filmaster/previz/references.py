"""Reference images on the previz: a character's picture on its face and torso, a location's picture behind the set.

The renderer samples no textures (per-fragment sampling costs several times more on a CPU rasteriser), so an
image is baked into vertex colours: a planar front projection onto the figure, and a grid of flat cells on a
backdrop far behind the set. Detail is therefore as coarse as the mesh, which is what previz needs: the
colours and the broad layout of the reference read.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from ..errors import InputError
from .geometry import FLOATS_PER_VERTEX, WALL_TAG, Material

# The front projection covers head and torso of the 1.75 m reference figure (local metres).
FIGURE_X, FIGURE_Y0, FIGURE_Y1 = 0.3, 0.9, 1.75
BACKDROP_CELLS = (48, 27)


@lru_cache(maxsize=8)
def load_image(path: str) -> np.ndarray:
    """An image as H×W×3 float RGB in 0..1 (display sRGB, as vertex colours are authored)."""
    image = cv2.imread(str(Path(path).expanduser()), cv2.IMREAD_COLOR)
    if image is None:
        raise InputError(f"reference image {path}: missing or not an image; fix the path or remove it")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0


def _sample(image: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    cols = np.clip((u * w).astype(int), 0, w - 1)
    rows = np.clip((v * h).astype(int), 0, h - 1)
    return image[rows, cols]


def paint_front(mesh: np.ndarray, image: np.ndarray, materials: tuple[Material, ...]) -> np.ndarray:
    """Colour the front-facing vertices (local -z) of the given materials from the image, projected face-on."""
    out = mesh.copy()
    pos, nrm = out[:, 0:3], out[:, 3:6]
    picked = np.isin(np.rint(out[:, 9]).astype(int) % WALL_TAG, [int(m) for m in materials])
    front = picked & (nrm[:, 2] < 0.2) & (pos[:, 1] >= FIGURE_Y0) & (np.abs(pos[:, 0]) <= FIGURE_X)
    u = (pos[front, 0] + FIGURE_X) / (2 * FIGURE_X)
    v = (FIGURE_Y1 - pos[front, 1]) / (FIGURE_Y1 - FIGURE_Y0)
    out[front, 6:9] = _sample(image, u, v)
    return out


def backdrop(image: np.ndarray, centre_x: float, z: float, width: float, bottom: float) -> np.ndarray:
    """A vertical wall of flat colour cells facing -z (the camera side), `width` wide, as tall as the image's
    aspect makes it, its lower edge at `bottom`; unlit so the picture keeps its own colours."""
    nx, ny = BACKDROP_CELLS
    h, w = image.shape[:2]
    height = width * h / w
    xs = np.linspace(centre_x - width / 2, centre_x + width / 2, nx + 1)
    ys = np.linspace(bottom + height, bottom, ny + 1)  # image rows run top to bottom
    cu, cv = (np.arange(nx) + 0.5) / nx, (np.arange(ny) + 0.5) / ny
    colours = _sample(image, np.tile(cu, ny), np.repeat(cv, nx)).reshape(ny, nx, 3)
    x0, x1 = xs[:-1], xs[1:]
    tris = []
    for j in range(ny):
        for i in range(nx):
            a, b = (x0[i], ys[j + 1]), (x1[i], ys[j + 1])
            c, d = (x1[i], ys[j]), (x0[i], ys[j])
            for px, py in (a, b, c, a, c, d):
                tris.append((px, py, z, 0.0, 0.0, -1.0, *colours[j, i], float(Material.BACKDROP)))
    return np.array(tris, dtype=np.float32).reshape(-1, FLOATS_PER_VERTEX)
