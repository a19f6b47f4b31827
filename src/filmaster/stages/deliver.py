"""Deliver: the film, the timeline (OTIO and the editors' formats), the shot list and the storyboard."""

from __future__ import annotations

from pathlib import Path

from ..export.film import assemble_film
from ..export.otio_timeline import build_timeline, export_interchange, write_timeline
from ..export.shotlist import write_shotlist
from ..export.storyboard import storyboard_frames, write_storyboard
from ..model import Cut, Plan, SoundPlan
from ..progress import Reporter
from ..project import Project, content_key, file_digest, media_digest


def deliver(plan: Plan, cut: Cut, sound: SoundPlan, mix_wav: Path, project: Project, reporter: Reporter) -> list[Path]:
    out = project.out
    written: list[Path] = []

    timeline = build_timeline(cut, sound, plan, media_root=out)
    write_timeline(timeline, out / "film.otio")
    written.append(out / "film.otio")
    written += export_interchange(timeline, out)
    written += write_shotlist(plan, cut, out)

    pictures = media_digest(out, [clip.media for clip in cut.clips])
    film = out / "film.mp4"
    film_key = content_key("film", cut, pictures, file_digest(mix_wav))
    if film.is_file() and project.manifest().get("film_key") == film_key:
        project.cache.record("film", computed=False)
    else:
        with reporter.task("Encoding film.mp4", cut.frames) as advance:
            assemble_film(out, cut, mix_wav, film, progress=lambda done, total: advance(1))
        project.cache.record("film", computed=True)
        project.update_manifest(film_key=film_key)
    written.append(film)

    board = out / "storyboard.png"
    board_key = content_key("storyboard", cut, pictures)
    if not board.is_file() or project.manifest().get("storyboard_key") != board_key:
        headings = {scene.index: scene.heading for scene in plan.scenes}
        frames = storyboard_frames(plan, cut, out)
        write_storyboard(frames, board, title=plan.title, scene_headings=headings)
        project.update_manifest(storyboard_key=board_key)
    written.append(board)
    return written
