"""The shot list: every planned shot with its camera, timing and words, as Markdown and CSV.

With a cut, timecodes are record times of the cut (out is exclusive, as in an EDL) and shots are listed in
the film's order within each scene; shots the edit dropped are listed last with empty timecodes. Without a
cut, timecodes follow the plan's durations back to back.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_text_atomic
from ..errors import ExportError
from ..model import Cut, Plan, SceneBlock, Shot, frame_rate
from .timecode import timecode

COLUMNS = (
    "#",
    "scene",
    "id",
    "in",
    "out",
    "duration",
    "speed",
    "kind",
    "scale",
    "angle",
    "movement",
    "lens",
    "subjects",
    "dialogue",
    "prompt",
)
DIALOGUE_CHARS = 80  # dialogue excerpt length in the table


@dataclass(frozen=True)
class _Timing:
    order: int  # 1-based position in the film
    start: int  # record frame
    frames: int
    speed: float = 1.0


def write_shotlist(plan: Plan, cut: Cut | None, out_dir: Path, *, fps: float = 24) -> list[Path]:
    """Write shotlist.md and shotlist.csv into `out_dir`; `fps` is used only without a cut."""
    return [write_text_atomic(path, text) for path, text in shotlist_texts(plan, cut, out_dir, fps=fps).items()]


def shotlist_texts(plan: Plan, cut: Cut | None, out_dir: Path, *, fps: float = 24) -> dict[Path, str]:
    """shotlist.md and shotlist.csv by their paths in `out_dir`, in the order of `cut` (the final cut)."""
    fps = cut.fps if cut is not None else fps
    if fps <= 0:
        raise ExportError(f"shot list needs a positive frame rate, got {fps}")
    timings = _timings(plan, cut, fps)
    total = cut.frames if cut is not None else sum(t.frames for t in timings.values())
    rows = [
        (scene, [_row(shot, timings.get(shot.id), fps) for shot in _ordered(scene, timings)]) for scene in plan.scenes
    ]
    out_dir = Path(out_dir)
    return {
        out_dir / "shotlist.md": _markdown(plan, rows, len(timings), total, fps),
        out_dir / "shotlist.csv": _csv(rows),
    }


def _timings(plan: Plan, cut: Cut | None, fps: float) -> dict[str, _Timing]:
    timings: dict[str, _Timing] = {}
    position = 0
    if cut is not None:
        for order, clip in enumerate(cut.clips, start=1):
            # A shot used twice is listed once, at its first use.
            timings.setdefault(clip.shot_id, _Timing(order, position, clip.frames, clip.speed))
            position += clip.frames
    else:
        for order, shot in enumerate(plan.shots, start=1):
            frames = round(shot.duration_s * fps)
            timings[shot.id] = _Timing(order, position, frames)
            position += frames
    return timings


def _ordered(scene: SceneBlock, timings: dict[str, _Timing]) -> list[Shot]:
    dropped = len(timings) + 1
    return sorted(scene.shots, key=lambda s: (timings[s.id].order if s.id in timings else dropped, s.number))


def _row(shot: Shot, timing: _Timing | None, fps: float) -> dict[str, str]:
    camera = shot.camera
    dialogue = " / ".join(f"{line.character}: {line.text}" for line in shot.dialogue)
    if len(dialogue) > DIALOGUE_CHARS:
        dialogue = dialogue[: DIALOGUE_CHARS - 3].rstrip() + "..."
    return {
        "#": str(timing.order) if timing else "",
        "scene": str(shot.scene_index + 1),
        "id": shot.id,
        "in": timecode(timing.start, fps) if timing else "",
        "out": timecode(timing.start + timing.frames, fps) if timing else "",
        "duration": f"{timing.frames / fps:.2f}" if timing else f"{shot.duration_s:.2f}",
        "speed": f"{timing.speed:g}" if timing else "",
        "kind": shot.kind.value,
        "scale": camera.scale.value,
        "angle": camera.angle.value,
        "movement": camera.movement.value + (f" {camera.direction}" if camera.direction else ""),
        "lens": f"{camera.lens_mm:g}mm",
        "subjects": ", ".join(camera.subjects),
        "dialogue": dialogue,
        "prompt": shot.prompt,
    }


def _markdown(
    plan: Plan, rows: list[tuple[SceneBlock, list[dict[str, str]]]], shots: int, total: int, fps: float
) -> str:
    lines = [
        f"# {plan.title} — shot list",
        "",
        f"{shots} shots, {timecode(total, fps)} at {frame_rate.label(fps)} fps (timecodes start at 00:00:00:00; "
        "out is exclusive; duration in seconds).",
    ]
    for scene, scene_rows in rows:
        lines += ["", f"## Scene {scene.index + 1}: {scene.heading}", ""]
        when = scene.time_of_day_text or scene.time_of_day.value
        lines.append(f"- **Time:** {when}  ")
        lines.append(f"- **Location:** {scene.location}{' (interior)' if scene.interior else ' (exterior)'}  ")
        lines.append(f"- **Characters:** {', '.join(scene.characters) or '—'}  ")
        lines.append(f"- **Objective:** {scene.objective or '—'}  ")
        lines.append(f"- **Mood:** {scene.mood.value}")
        lines.append("")
        header = [c for c in COLUMNS if c != "scene"]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" for _ in header) + "|")
        for row in scene_rows:
            lines.append("| " + " | ".join(_cell(row[c]) for c in header) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ") or " "


def _csv(rows: list[tuple[SceneBlock, list[dict[str, str]]]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for _, scene_rows in rows:
        writer.writerows(scene_rows)
    return buffer.getvalue()
