"""The ID pass: which character each pixel of a frame shows, occlusion by the set and by each other included.

Ground truth that projects a figure's vertices says where the figure *would* be; a wall, a seat or another actor
in front of it is invisible to that. This pass draws the same world from the same camera into a one-channel
target, the set as 0 and figure k as k + 1, with the colour pass's depth test and walls; a figure drawn alone
gives the pixels it would cover unhidden. Their ratio is the fraction of the figure the frame really shows.
It runs at a reduced size (ID_WIDTH wide): visibility is a coarse measure and the pass must stay cheap.
"""

from __future__ import annotations

from itertools import accumulate
from typing import TYPE_CHECKING

import numpy as np

from ..errors import PlanError
from .camera import CameraPose
from .shaders import ID_FS, ID_VS

if TYPE_CHECKING:
    from .renderer import SceneRenderer

ID_WIDTH = 240  # pixels across of the ID target
MAX_FIGURES = 254  # ids 1..254 in an 8-bit target


class IdPass:
    """Object ids of frames of one scene renderer's world."""

    def __init__(self, renderer: SceneRenderer) -> None:
        self.renderer = renderer
        ctx = renderer.ctx
        self.width = min(ID_WIDTH, renderer.width)
        self.height = max(1, round(renderer.height * self.width / renderer.width))
        self.prog = ctx.program(vertex_shader=ID_VS, fragment_shader=ID_FS)
        self.prog["u_walls"].write(renderer.walls.tobytes())
        self.vao = ctx.vertex_array(
            self.prog,
            [(renderer.vbo, "3f 3f 12x 1f", "in_pos", "in_nrm", "in_mat")],
            index_buffer=renderer.ibo,
            index_element_size=4,
        )
        self.walk_vao = (
            ctx.vertex_array(self.prog, [(renderer.walk_vbo, "3f 3f 12x 1f", "in_pos", "in_nrm", "in_mat")])
            if renderer.walk_vbo is not None
            else None
        )
        size = (self.width, self.height)
        self.fbo = ctx.framebuffer(
            color_attachments=[ctx.renderbuffer(size, 1)], depth_attachment=ctx.depth_renderbuffer(size)
        )
        world = renderer.world
        self.names = [*world.figures, *world.walkers]
        if len(self.names) > MAX_FIGURES:
            raise PlanError(
                f"a scene has {len(self.names)} characters; the previz tells {MAX_FIGURES} apart at most: split it"
            )
        # Held figures come first in the world's mesh (see World.build), walkers stream into their own buffer.
        sizes = [len(fig.mesh) for fig in world.figures.values()]
        self.held = _ranges(sizes)
        self.set_range = (sum(sizes), renderer.indices_without_sky - sum(sizes))
        walk_sizes = [len(w.figure(0.0).mesh) for w in world.walkers.values()]
        self.walking = _ranges(walk_sizes)

    def _draw_figure(self, k: int, with_id: int) -> None:
        self.prog["u_id"].value = float(with_id)
        if k < len(self.held):
            first, count = self.held[k]
            self.vao.render(vertices=count, first=first)
        else:
            assert self.walk_vao is not None
            first, count = self.walking[k - len(self.held)]
            self.walk_vao.render(vertices=count, first=first)

    def _read(self) -> np.ndarray:
        raw = self.fbo.read(components=1, alignment=1)
        return np.frombuffer(raw, dtype=np.uint8).reshape(self.height, self.width)[::-1]

    def ids(self, pose: CameraPose, t_s: float = 0.0) -> np.ndarray:
        """The frame's ids (H×W uint8, top row first; 0 = set, k + 1 = `names[k]`) at ID_WIDTH."""
        self._begin(pose, t_s)
        for k in range(len(self.names)):
            self._draw_figure(k, k + 1)
        self.prog["u_id"].value = 0.0
        first, count = self.set_range
        self.vao.render(vertices=count, first=first)
        return self._read()

    def visibility(self, pose: CameraPose, t_s: float = 0.0) -> dict[str, float]:
        """For each character in view: the fraction of the pixels it would cover alone that the frame shows."""
        shown = np.bincount(self.ids(pose, t_s).ravel(), minlength=len(self.names) + 1)
        out: dict[str, float] = {}
        for k, name in enumerate(self.names):
            self.fbo.clear(depth=1.0)
            self._draw_figure(k, k + 1)
            alone = int(np.count_nonzero(self._read()))
            if alone:
                out[name] = round(min(1.0, float(shown[k + 1]) / alone), 3)
        return out

    def _begin(self, pose: CameraPose, t_s: float) -> None:
        import moderngl

        r = self.renderer
        if r.walk_vbo is not None:
            r.stream_walkers(t_s)
        self.fbo.use()
        self.fbo.clear(depth=1.0)
        r.ctx.disable(moderngl.CULL_FACE | moderngl.BLEND)
        r.ctx.enable(moderngl.DEPTH_TEST)
        self.prog["u_vp"].write(pose.view_projection(self.width / self.height).T.astype("f4").tobytes())
        self.prog["u_cam"].value = tuple(float(v) for v in pose.position)

    def release(self) -> None:
        for obj in (self.vao, self.walk_vao, self.fbo, self.prog):
            if obj is not None:
                obj.release()


def _ranges(sizes: list[int]) -> list[tuple[int, int]]:
    """(first, count) of consecutive blocks of these sizes."""
    starts = [0, *accumulate(sizes)][: len(sizes)]
    return list(zip(starts, sizes, strict=True))
