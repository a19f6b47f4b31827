"""Draw frames of a scene: the set and its figures in one static vertex buffer, lit by the scene's look.

Actors who hold their marks are part of the static buffer, so a frame of a still scene costs one draw call and
a read-back; only the camera uniforms change. Actors who walk are posed on the CPU each frame and streamed
into a small second buffer. Scenes are cached per process by their content, so the shots of one scene rendered
by the same worker share their geometry.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import CastMember, Mark, SceneBlock
from .blocking import Motion
from .camera import CameraPose
from .context import get_context
from .dof import DepthOfField
from .figures import Figure, FigureRig, build_figure, build_rig, walk_joints
from .geometry import MAX_WALLS, sky_dome
from .gesture_timing import has_seat
from .gestures import gesturing_figure, seat_mesh
from .id_pass import IdPass
from .lighting import Look, look_for
from .references import backdrop, load_image
from .sets import SetGeometry, build_set
from .shaders import BLOB_FS, BLOB_VS, MAX_LAMPS, SCENE_FS, SCENE_VS
from .subjects import cast_member

MSAA_SAMPLES = 4
# On a CPU rasteriser 4× MSAA costs about 3.5× the frame time, which breaks "faster than realtime" at 960×540,
# so the final (non-draft) quality gets multisampling only from a hardware OpenGL driver.
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software")
_SCENE_CACHE_SIZE = 2
BLOB_STRENGTH = 0.55  # darkness at the centre of a contact shadow
BLOB_LIFT_M = 0.015  # above the floor and rugs, below any foot
BACKDROP_BEHIND_M = 30.0  # a location picture hangs this far behind the set (interiors show it through windows)


def blob_mesh(blobs: list[tuple[float, float, float]], segments: int = 16) -> np.ndarray:
    """Soft dark discs (x, y, z, alpha) on the ground under figures and furniture: cheap contact shadows."""
    if not blobs:
        return np.zeros((0, 4), dtype=np.float32)
    ang = np.linspace(0.0, 2 * np.pi, segments + 1)
    rim = np.c_[np.cos(ang), np.sin(ang)]
    tris = []
    for x, z, r in blobs:
        for i in range(segments):
            for (px, pz), alpha in (((0.0, 0.0), 1.0), (rim[i] * r * 1.4, 0.0), (rim[i + 1] * r * 1.4, 0.0)):
                tris.append((x + px, BLOB_LIFT_M, z + pz, alpha))
    return np.array(tris, dtype=np.float32)


def _blob_radius(height: float) -> float:
    return 0.32 * height / 1.75


@dataclass(frozen=True)
class Walker:
    rig: FigureRig
    motion: Motion

    def figure(self, t_s: float) -> Figure:
        if self.motion.mark.gestures:  # sits, stands or reaches in place
            return gesturing_figure(self.rig, self.motion.mark, t_s)
        st = self.motion.at(t_s)
        return self.rig.figure(st.x, st.z, st.facing_deg, walk_joints(st.stride, st.swing))


@dataclass
class World:
    """Everything of a scene on the CPU side: geometry, figures for ground truth, lights."""

    set: SetGeometry
    figures: dict[str, Figure]  # those who hold their marks
    look: Look
    mesh: np.ndarray
    walkers: dict[str, Walker]

    def figures_at(self, t_s: float) -> dict[str, Figure]:
        """Every figure as it stands (or walks) `t_s` seconds into the shot."""
        if not self.walkers:
            return self.figures
        return {**self.figures, **{name: w.figure(t_s) for name, w in self.walkers.items()}}

    @classmethod
    def build(
        cls, scene: SceneBlock, cast: dict[str, CastMember], draft: bool, marks: dict[str, Mark] | None = None
    ) -> World:
        """The scene's world with its actors on `marks` (a shot's own blocking; default the scene's marks).
        The set is laid out from the scene's marks alone, so it stays the same in every shot of the scene."""
        set_geo = build_set(scene)
        figures: dict[str, Figure] = {}
        walkers: dict[str, Walker] = {}
        for name, mark in (scene.marks if marks is None else marks).items():
            member = cast_member(name, cast)
            motion = Motion(mark, member.height_m / 1.75)
            if mark.gestures:  # posed every frame like a walker; the seat it uses belongs to the set
                walkers[name] = Walker(build_rig(member, draft), motion)
                if has_seat(mark):
                    set_geo.add(seat_mesh(walkers[name].rig, mark))
            elif motion.moves and mark.pose == "stand":
                walkers[name] = Walker(build_rig(member, draft), motion)
            else:
                figures[name] = build_figure(member, mark, draft)
        if scene.reference_image:
            cx, cz = set_geo.center
            set_geo.add(backdrop(load_image(scene.reference_image), cx, cz + BACKDROP_BEHIND_M, 90.0, -1.0))
        for fig in figures.values():
            set_geo.blobs.insert(0, (float(fig.position[0]), float(fig.position[2]), _blob_radius(fig.height)))
        # Roughly front to back (figures, then furniture, then the room shell and ground, which were added
        # first), so the depth test rejects hidden fragments before they are shaded.
        # The sky dome comes last: an interior never shows it, and then it is not drawn at all (a fill colour
        # stands in for the rare glimpse past the set's open side).
        parts = [*(f.mesh for f in figures.values()), *set_geo.parts[::-1], sky_dome()]
        mesh = np.concatenate(parts).astype(np.float32)
        return cls(set_geo, figures, look_for(scene.time_of_day, set_geo.interior, scene.mood), mesh, walkers)


def msaa_samples(ctx: Any, draft: bool) -> int:
    renderer = str(ctx.info.get("GL_RENDERER", "")).lower()
    if draft or any(name in renderer for name in SOFTWARE_RENDERERS):
        return 0
    return min(MSAA_SAMPLES, ctx.max_samples)


def _vec(v: Any) -> tuple[float, ...]:
    return tuple(float(x) for x in v)


class SceneRenderer:
    """Renders one scene at one resolution; create through `scene_renderer` to share the GL objects."""

    def __init__(self, world: World, width: int, height: int, draft: bool) -> None:
        self.ctx = get_context()
        self.world, self.width, self.height = world, width, height
        self.samples = msaa_samples(self.ctx, draft)
        self.prog, self.blob_prog = _programs(self.ctx)
        # Shared vertices are shaded once: the vertex stage runs on one thread in llvmpipe.
        vertices, index = np.unique(world.mesh, axis=0, return_inverse=True)
        self.indices_without_sky = len(world.mesh) - len(sky_dome())
        look = world.look
        self.backdrop = tuple(float(np.sqrt(1 - np.exp(-c * look.exposure))) for c in look.sky_horizon)
        self.vbo = self.ctx.buffer(vertices.astype(np.float32).tobytes())
        self.ibo = self.ctx.buffer(index.astype(np.uint32).reshape(-1).tobytes())
        self.vao = self.ctx.vertex_array(
            self.prog,
            [(self.vbo, "3f 3f 3f 1f", "in_pos", "in_nrm", "in_col", "in_mat")],
            index_buffer=self.ibo,
            index_element_size=4,
        )
        blobs = blob_mesh(world.set.blobs)
        self.blob_vbo = self.ctx.buffer(blobs.tobytes()) if len(blobs) else None
        self.blob_vao = (
            self.ctx.vertex_array(self.blob_prog, [(self.blob_vbo, "3f 1f", "in_pos", "in_alpha")])
            if self.blob_vbo is not None
            else None
        )
        self.fbo, self.resolve = _framebuffers(self.ctx, width, height, self.samples)
        cx, cz = world.set.center
        lamps = sorted(world.set.lamps, key=lambda q: (q[0] - cx) ** 2 + (q[2] - cz) ** 2)[:MAX_LAMPS]
        self.lamps = np.zeros((MAX_LAMPS, 3), dtype=np.float32)
        if lamps:
            self.lamps[: len(lamps)] = lamps
        self.lamp_count = len(lamps)
        # Unused slots hold a plane every camera is in front of: nothing tagged with them is ever flown out.
        self.walls = np.tile(np.array([0.0, 0.0, 0.0, 1.0], dtype=np.float32), (MAX_WALLS, 1))
        if world.set.walls:
            self.walls[: len(world.set.walls)] = world.set.walls[:MAX_WALLS]
        # Walkers: a buffer of constant size (a figure's triangle count does not change with its pose).
        self.walk_vbo = self.walk_vao = self.walk_blob_vbo = self.walk_blob_vao = None
        if world.walkers:
            sample = np.concatenate([w.figure(0.0).mesh for w in world.walkers.values()]).astype(np.float32)
            self.walk_vbo = self.ctx.buffer(reserve=sample.nbytes, dynamic=True)
            self.walk_vao = self.ctx.vertex_array(
                self.prog, [(self.walk_vbo, "3f 3f 3f 1f", "in_pos", "in_nrm", "in_col", "in_mat")]
            )
            blobs = blob_mesh([(0.0, 0.0, 1.0)] * len(world.walkers))
            self.walk_blob_vbo = self.ctx.buffer(reserve=blobs.nbytes, dynamic=True)
            self.walk_blob_vao = self.ctx.vertex_array(
                self.blob_prog, [(self.walk_blob_vbo, "3f 1f", "in_pos", "in_alpha")]
            )
        self.dof = DepthOfField(width, height)
        self._ids: IdPass | None = None  # made on first use: most frames never need it

    def stream_walkers(self, t_s: float) -> None:
        figures = [w.figure(t_s) for w in self.world.walkers.values()]
        assert self.walk_vbo is not None and self.walk_blob_vbo is not None
        self.walk_vbo.write(np.concatenate([f.mesh for f in figures]).astype(np.float32).tobytes())
        blobs = [(float(f.position[0]), float(f.position[2]), _blob_radius(f.height)) for f in figures]
        self.walk_blob_vbo.write(blob_mesh(blobs).tobytes())

    def _set_look_uniforms(self) -> None:
        """Write this scene's look into the programs. They are shared by every scene renderer of the context
        (compiled once), so this runs before each frame: otherwise a scene drawn after another renderer was made
        would be lit as that one's (a day exterior at night), and a take would depend on what its worker drew
        before."""
        look = self.world.look
        p = self.prog
        _set(p, "u_sky_zenith", look.sky_zenith)
        _set(p, "u_sky_horizon", look.sky_horizon)
        _set(p, "u_key_dir", _vec(look.key_unit()))
        _set(p, "u_key_col", look.key_color)
        _set(p, "u_exposure", look.exposure)
        _set(p, "u_grade", look.grade)
        _set(p, "u_saturation", look.saturation)
        _set(p, "u_fill_dir", _vec(look.fill_unit()))
        _set(p, "u_fill_col", look.fill_color)
        _set(p, "u_amb_sky", look.ambient_sky)
        _set(p, "u_amb_ground", look.ambient_ground)
        _set(p, "u_practical", look.practical)
        _set(p, "u_window", look.window)
        _set(p, "u_fog", look.fog_density)
        if "u_lamps" in p:
            p["u_lamps"].write(self.lamps.tobytes())
        p["u_nlamps"].value = self.lamp_count
        p["u_walls"].write(self.walls.tobytes())
        self.blob_prog["u_strength"].value = BLOB_STRENGTH

    def render(
        self, pose: CameraPose, t_s: float = 0.0, focus_m: float | None = None, aperture: float | None = None
    ) -> np.ndarray:
        """One frame `t_s` seconds into the shot as an H×W×3 uint8 array, top row first; with an `aperture`
        (f-number), what lies off the `focus_m` plane is blurred by its circle of confusion."""
        import moderngl

        ctx = self.ctx
        vp = pose.view_projection(self.width / self.height)
        vp_bytes = vp.T.astype("f4").tobytes()
        self.fbo.use()
        if self.world.set.interior:
            self.fbo.clear(*self.backdrop, depth=1.0)
        else:
            self.fbo.clear(depth=1.0)
        ctx.disable(moderngl.CULL_FACE | moderngl.BLEND)
        ctx.enable(moderngl.DEPTH_TEST)
        self._set_look_uniforms()
        self.prog["u_vp"].write(vp_bytes)
        self.prog["u_cam"].value = _vec(pose.position)
        self.vao.render(moderngl.TRIANGLES, vertices=self.indices_without_sky if self.world.set.interior else -1)
        if self.walk_vao is not None:
            self.stream_walkers(t_s)
            self.walk_vao.render(moderngl.TRIANGLES)
        blob_vaos = [v for v in (self.blob_vao, self.walk_blob_vao) if v is not None]
        if blob_vaos:  # contact shadows blend over the ground and never occlude
            self.fbo.depth_mask = False
            ctx.enable(moderngl.BLEND)
            ctx.blend_func = moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA
            self.blob_prog["u_vp"].write(vp_bytes)
            for vao in blob_vaos:
                vao.render(moderngl.TRIANGLES)
            ctx.disable(moderngl.BLEND)
            self.fbo.depth_mask = True
        if self.resolve is not self.fbo:
            ctx.copy_framebuffer(self.resolve, self.fbo)
        raw = self.resolve.read(components=3, alignment=1)
        image = np.frombuffer(raw, dtype=np.uint8).reshape(self.height, self.width, 3)[::-1]
        if aperture is None or self.samples:  # a multisampled depth buffer cannot be read back; no DOF there
            return image
        depth = np.frombuffer(self.fbo.read(components=1, attachment=-1, dtype="f4"), dtype=np.float32)
        depth = depth.reshape(self.height, self.width)[::-1]
        return self.dof.apply(image, depth, pose.lens_mm, focus_m or 3.0, aperture)

    def visibility(self, pose: CameraPose, t_s: float = 0.0) -> dict[str, float]:
        """The fraction of each character in view that the frame really shows (see `id_pass`)."""
        if self._ids is None:
            self._ids = IdPass(self)
        return self._ids.visibility(pose, t_s)

    def ids(self, pose: CameraPose, t_s: float = 0.0) -> tuple[np.ndarray, list[str]]:
        """The frame's object ids (0 = set, k + 1 = the k-th name) and the names (see `id_pass`)."""
        if self._ids is None:
            self._ids = IdPass(self)
        return self._ids.ids(pose, t_s), list(self._ids.names)

    def release(self) -> None:
        if self._ids is not None:
            self._ids.release()
        objects = (self.vao, self.vbo, self.ibo, self.blob_vao, self.blob_vbo)
        for obj in (*objects, self.walk_vao, self.walk_vbo, self.walk_blob_vao, self.walk_blob_vbo):
            if obj is not None:
                obj.release()


def _set(prog: Any, name: str, value: Any) -> None:
    if name in prog:  # the GLSL compiler drops uniforms it can prove unused
        prog[name].value = value


_programs_cache: dict[int, tuple[Any, Any]] = {}
_fbo_cache: dict[tuple[int, int, int, int], tuple[Any, Any]] = {}
_scene_cache: OrderedDict[tuple[str, int, int, bool], SceneRenderer] = OrderedDict()


def _programs(ctx: Any) -> tuple[Any, Any]:
    key = id(ctx)
    if key not in _programs_cache:
        _programs_cache[key] = (
            ctx.program(vertex_shader=SCENE_VS, fragment_shader=SCENE_FS),
            ctx.program(vertex_shader=BLOB_VS, fragment_shader=BLOB_FS),
        )
    return _programs_cache[key]


def _framebuffers(ctx: Any, width: int, height: int, samples: int) -> tuple[Any, Any]:
    key = (id(ctx), width, height, samples)
    if key not in _fbo_cache:
        size = (width, height)
        fbo = ctx.framebuffer(
            color_attachments=[ctx.renderbuffer(size, 4, samples=samples)],
            depth_attachment=ctx.depth_renderbuffer(size, samples=samples),
        )
        resolve = ctx.framebuffer(color_attachments=[ctx.renderbuffer(size, 4)]) if samples else fbo
        _fbo_cache[key] = (fbo, resolve)
    return _fbo_cache[key]


def scene_key(scene: SceneBlock, cast: dict[str, CastMember], marks: dict[str, Mark] | None = None) -> str:
    """Content hash of what the world is built from (the shots of a scene do not change it, unless a shot
    has its own blocking)."""
    marks = scene.marks if marks is None else marks
    payload = {
        "scene": scene.model_dump(mode="json", exclude={"shots"}),
        "marks": {n: m.model_dump(mode="json") for n, m in marks.items()},
        "cast": {n: cast[n].model_dump(mode="json") for n in sorted(cast) if n in marks},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def scene_renderer(
    scene: SceneBlock,
    cast: dict[str, CastMember],
    width: int,
    height: int,
    draft: bool,
    marks: dict[str, Mark] | None = None,
) -> SceneRenderer:
    """A renderer for this scene and size (actors on `marks`, default the scene's), reused while the process
    renders shots of the same scene."""
    get_context()  # a forked child must fail here, not draw with GL objects inherited from its parent
    key = (scene_key(scene, cast, marks), width, height, draft)
    if key in _scene_cache:
        _scene_cache.move_to_end(key)
        return _scene_cache[key]
    renderer = SceneRenderer(World.build(scene, cast, draft, marks), width, height, draft)
    _scene_cache[key] = renderer
    while len(_scene_cache) > _SCENE_CACHE_SIZE:
        _scene_cache.popitem(last=False)[1].release()
    return renderer
