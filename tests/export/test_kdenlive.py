"""The Kdenlive project of a hand-built cut — a trimmed clip, a clip at double speed, a take of another frame size —
rendered by melt frame for frame as the film assembles it (each frame's colour and grey say which take and which
of its frames it shows)."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import av
import numpy as np
import pytest

from filmaster.export.film import assemble_film
from filmaster.export.formats import ExportContext
from filmaster.export.kdenlive import kdenlive_text
from filmaster.export.otio_timeline import build_timeline

from .conftest import Project


def _context(project: Project, dest: Path) -> ExportContext:
    timeline = build_timeline(project.cut, project.sound, project.plan, media_root=project.out_dir)
    return ExportContext(
        out=project.out_dir,
        plan=project.plan,
        cut=project.cut,
        sound=project.sound,
        timeline=timeline,
        dest=dest,
        master_gain_db=0.0,
    )


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(container.streams.video[0])]


def test_clips_sit_at_their_cut_points_with_source_in_out(project: Project, tmp_path: Path) -> None:
    root = ET.fromstring(kdenlive_text(_context(project, tmp_path)))
    picture = next(
        t for t in root.findall("tractor") if t.findtext("property[@name='kdenlive:track_name']") == "Picture"
    )
    playlist = root.find(f"playlist[@id='{picture.find('track').get('producer')}']")  # type: ignore[union-attr]
    assert playlist is not None
    entries = [(e.get("in"), e.get("out")) for e in playlist.findall("entry")]
    # 12 frames from 0; 6 from frame 4; 6 at double speed from 0 (timewarp frames); 12 from 0.
    assert entries == [("0", "11"), ("4", "9"), ("0", "5"), ("0", "11")]
    producers = {p.get("id"): p for p in root.findall("producer")}
    warped = producers[playlist.findall("entry")[2].get("producer")]
    assert warped.findtext("property[@name='mlt_service']") == "timewarp"
    assert warped.findtext("property[@name='warp_speed']") == "2"
    # Media paths are relative to the project file.
    resource = producers[playlist.findall("entry")[0].get("producer")].findtext("property[@name='resource']") or ""
    assert not resource.startswith("/") and (tmp_path / resource).resolve().is_file()


@pytest.mark.skipif(shutil.which("melt") is None, reason="melt is installed by `bash scripts/install.sh --test`")
def test_melt_plays_trims_speed_and_sizes_as_the_film(project: Project, tmp_path: Path) -> None:
    film = assemble_film(project.out_dir, project.cut, project.mix, tmp_path / "film.mp4", preset="ultrafast").path
    kdenlive = tmp_path / "film.kdenlive"
    kdenlive.write_text(kdenlive_text(_context(project, tmp_path)), encoding="utf-8")
    rendered = tmp_path / "melt.mkv"
    subprocess.run(
        ["melt", "-silent", str(kdenlive), "-consumer", f"avformat:{rendered}", "vcodec=ffv1", "an=1"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    ours, theirs = _frames(film), _frames(rendered)
    assert len(theirs) == len(ours) == project.cut.frames
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
        assert 10 * np.log10(255**2 / max(mse, 1e-9)) >= 30, f"frame {i}"
