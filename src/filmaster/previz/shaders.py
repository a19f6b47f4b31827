"""GLSL for the previz, shaped for a CPU rasteriser (llvmpipe).

Everything is computed per vertex (lighting, fog, tone mapping, terrain mottling; large surfaces are
tessellated for it, the sky is a dome of coloured vertices). The fragment stage passes the colour through,
except on wooden floors, where a few ALU operations draw the boards: texture sampling or per-fragment
lighting costs several times more on a CPU. No shader discards, so early depth testing stays on; one-sided
walls are dropped in the vertex stage instead.
"""

from .geometry import MAX_WALLS, WALL_TAG

MAX_LAMPS = 8

SCENE_VS = f"""
#version 330
#define MAX_LAMPS {MAX_LAMPS}
#define MAX_WALLS {MAX_WALLS}
#define WALL_TAG {WALL_TAG}
"""
SCENE_VS += """
uniform mat4 u_vp;
uniform vec3 u_cam;
uniform vec3 u_key_dir;
uniform vec3 u_key_col;
uniform vec3 u_fill_dir;
uniform vec3 u_fill_col;
uniform vec3 u_amb_sky;
uniform vec3 u_amb_ground;
uniform vec3 u_practical;
uniform vec3 u_window;
uniform vec3 u_sky_zenith;
uniform vec3 u_sky_horizon;
uniform float u_fog;
uniform float u_exposure;
uniform vec3 u_grade;
uniform float u_saturation;
uniform int u_nlamps;
uniform vec3 u_lamps[MAX_LAMPS];
uniform vec4 u_walls[MAX_WALLS];  // a set's walls: inward normal, offset (see sets.SetGeometry.walls)
in vec3 in_pos;
in vec3 in_nrm;
in vec3 in_col;
in float in_mat;
out vec3 v_color;
out vec2 v_uv;
out float v_seam;  // how dark the board seams are: they fade out with distance instead of aliasing
flat out int v_boards;

float hash(vec2 p) {  // sine-free hash: cheap on a CPU
    vec3 p3 = fract(vec3(p.xyx) * 0.1031);
    p3 += dot(p3, p3.yzx + 33.33);
    return fract((p3.x + p3.y) * p3.z);
}

float value_noise(vec2 p) {
    vec2 i = floor(p);
    vec2 f = fract(p);
    f = f * f * (3.0 - 2.0 * f);
    float bottom = mix(hash(i), hash(i + vec2(1.0, 0.0)), f.x);
    float top = mix(hash(i + vec2(0.0, 1.0)), hash(i + vec2(1.0)), f.x);
    return mix(bottom, top, f.y);
}

vec3 sky(vec3 dir) {
    float e = clamp(dir.y, 0.0, 1.0);
    vec3 c = mix(u_sky_horizon, u_sky_zenith, sqrt(e));
    float glow = pow(max(dot(dir, u_key_dir), 0.0), 12.0) * max(0.0, 0.5 - u_key_dir.y);
    return c + u_key_col * glow * 0.6;
}

vec3 finish(vec3 c) {
    c = 1.0 - exp(-c * u_exposure);  // a soft shoulder instead of clipping
    c = mix(vec3(dot(c, vec3(0.2126, 0.7152, 0.0722))), c, u_saturation) * u_grade;  // the scene's grade
    return sqrt(clamp(c, 0.0, 1.0));  // back to display gamma (~2)
}

bool flown_out(int tag) {  // dressing of a wall the camera stands behind goes with the wall
    if (tag == 0) return false;
    vec4 wall = u_walls[tag - 1];
    return dot(wall.xyz, u_cam) + wall.w < 0.0;
}

void main() {
    int raw = int(in_mat + 0.5);
    int mat = raw % WALL_TAG;
    if (flown_out(raw / WALL_TAG)) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // every vertex of the part off-screen: no triangle
        return;
    }
    if (mat == 9) {  // the sky dome travels with the camera; its colour is the sky in that direction
        gl_Position = u_vp * vec4(in_pos + u_cam, 1.0);
        v_color = finish(sky(normalize(in_pos)));
        v_uv = vec2(0.0);
        v_seam = 0.0;
        v_boards = 0;
        return;
    }
    if (mat == 10) {  // a backdrop picture: already display colours, neither lit nor fogged
        gl_Position = u_vp * vec4(in_pos, 1.0);
        v_color = in_col;
        v_uv = vec2(0.0);
        v_seam = 0.0;
        v_boards = 0;
        return;
    }
    vec3 to_cam = u_cam - in_pos;
    if (mat == 4 && dot(in_nrm, to_cam) < 0.0) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // a wall seen from behind: every vertex off-screen, no triangle
        return;
    }
    gl_Position = u_vp * vec4(in_pos, 1.0);
    float dist = length(to_cam);
    vec3 V = to_cam / dist;
    vec3 n = normalize(in_nrm);
    if (dot(n, V) < 0.0) n = -n;  // thin parts are lit on the side we see
    vec3 albedo = in_col * in_col;  // authored in sRGB (gamma ~2), lit in linear light
    v_uv = in_pos.xz;
    v_boards = mat == 1 ? 1 : 0;
    v_seam = 0.45 * clamp(1.5 - dist / 6.0, 0.0, 1.0);
    if (mat == 2 || mat == 5) {  // terrain and water: mottled at metre scales, sampled at the vertices
        vec2 q = mat == 5 ? in_pos.xz * vec2(0.15, 0.6) : in_pos.xz;
        float g = 0.6 * value_noise(q * 0.23) + 0.4 * value_noise(q * 0.71);
        albedo *= 0.72 + 0.56 * g;
    }
    float fog = u_fog > 0.0 ? exp(-dist * u_fog) : 1.0;
    vec3 c;
    if (mat == 3 || mat == 8) {  // emitters: lamps glow with the practicals, windows with the daylight
        c = albedo * (mat == 3 ? u_practical * 1.5 + 0.06 : u_window);
    } else {
        float spec_k = mat == 7 ? 0.3 : (mat == 5 ? 0.8 : (mat == 6 ? 0.06 : 0.03));
        float shin = mat == 7 ? 50.0 : (mat == 5 ? 90.0 : 16.0);
        vec3 L = normalize(u_key_dir);
        vec3 light = u_key_col * max(dot(n, L), 0.0);
        light += u_fill_col * max(dot(n, normalize(u_fill_dir)), 0.0);
        light += mix(u_amb_ground, u_amb_sky, 0.5 + 0.5 * n.y);
        vec3 spec = u_key_col * pow(max(dot(n, normalize(L + V)), 0.0), shin) * spec_k;
        for (int i = 0; i < u_nlamps; ++i) {
            vec3 d = u_lamps[i] - in_pos;
            float r2 = dot(d, d);
            light += u_practical * (max(dot(n, d * inversesqrt(r2)), 0.0) * 0.9 + 0.12) / (1.0 + 0.35 * r2);
        }
        if (mat == 5) {  // water mirrors the sky at grazing angles
            float fres = 0.2 + 0.8 * pow(1.0 - max(dot(n, V), 0.0), 4.0);
            spec = mix(spec, sky(reflect(-V, n)), fres);
            light *= 1.0 - fres;
        }
        c = albedo * light + spec;
    }
    v_color = finish(mix(sky(-V), c, fog));
}
"""

# Boards: 20 cm wide, staggered 1.4 m lengths, each a little lighter or darker, with seams.
SCENE_FS = """
#version 330
in vec3 v_color;
in vec2 v_uv;
in float v_seam;
flat in int v_boards;
out vec4 f_color;

float hash(vec2 p) {
    vec3 p3 = fract(vec3(p.xyx) * 0.1031);
    p3 += dot(p3, p3.yzx + 33.33);
    return fract((p3.x + p3.y) * p3.z);
}

void main() {
    vec3 c = v_color;
    if (v_boards == 1) {
        float px = v_uv.x * 5.0;
        float board = floor(px);
        float pz = v_uv.y * 0.714 + hash(vec2(board, 3.0));
        c *= 0.86 + 0.24 * hash(vec2(board, floor(pz)));
        if (min(fract(px), fract(pz) * 7.0) < 0.06) c *= 1.0 - v_seam;
    }
    f_color = vec4(c, 1.0);
}
"""

BLOB_VS = """
#version 330
uniform mat4 u_vp;
in vec3 in_pos;
in float in_alpha;
out float v_alpha;
void main() {
    v_alpha = in_alpha;
    gl_Position = u_vp * vec4(in_pos, 1.0);
}
"""

BLOB_FS = """
#version 330
uniform float u_strength;
in float v_alpha;
out vec4 f_color;
void main() {
    f_color = vec4(0.0, 0.0, 0.0, v_alpha * u_strength);
}
"""

# The ID pass: each figure in its own flat value, the set as 0, with the colour pass's depth test and the same walls
# and dressing left out, so what it counts is what the frame shows.
ID_VS = """
#version 330
#define MAX_WALLS {MAX_WALLS}
#define WALL_TAG {WALL_TAG}
uniform mat4 u_vp;
uniform vec3 u_cam;
uniform vec4 u_walls[MAX_WALLS];
in vec3 in_pos;
in vec3 in_nrm;
in float in_mat;

void main() {
    int raw = int(in_mat + 0.5);
    int tag = raw / WALL_TAG;
    bool hidden = tag > 0 && dot(u_walls[tag - 1].xyz, u_cam) + u_walls[tag - 1].w < 0.0;
    hidden = hidden || (raw % WALL_TAG == 4 && dot(in_nrm, u_cam - in_pos) < 0.0);
    gl_Position = hidden ? vec4(2.0, 2.0, 2.0, 1.0) : u_vp * vec4(in_pos, 1.0);
}
""".replace("{MAX_WALLS}", str(MAX_WALLS)).replace("{WALL_TAG}", str(WALL_TAG))

ID_FS = """
#version 330
uniform float u_id;
out vec4 f_id;
void main() {
    f_id = vec4(u_id / 255.0, 0.0, 0.0, 1.0);
}
"""
