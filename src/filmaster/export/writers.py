"""One function per editors' format, each writing a timeline (`film.otio` as built or as edited) into an output
folder: plain functions that a command or a format registry can call by name. Relative media URLs resolve
against `out_dir`; FCPXML and FCP 7 XML get absolute file URLs for this machine, so writing them again after the
folder moved points them at its new place."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from ..atomic import write_text_atomic
from .edl import edl_texts
from .fcp7 import fcp7_text
from .fcpxml import fcpxml_text
from .otio_timeline import otio_json
from .timeline_view import fit_levels, view


def write_otio(timeline: otio.schema.Timeline, out_dir: Path, *, schema: str = "") -> list[Path]:
    """`film.otio`, in the schema versions of OTIO release `schema` when given (e.g. "0.14")."""
    return [write_text_atomic(Path(out_dir) / "film.otio", otio_json(timeline, schema=schema))]


def write_fcpxml(timeline: otio.schema.Timeline, out_dir: Path, *, start_frame: int = 0) -> list[Path]:
    """`film.fcpxml` (FCPXML 1.9), its timecode starting at `start_frame`."""
    shown = fit_levels(view(timeline, Path(out_dir)))
    return [write_text_atomic(Path(out_dir) / "film.fcpxml", fcpxml_text(shown, start_frame=start_frame))]


def write_fcp7(timeline: otio.schema.Timeline, out_dir: Path, *, start_frame: int = 0) -> list[Path]:
    """`film.xml` (Final Cut Pro 7 XML), its timecode starting at `start_frame`."""
    shown = fit_levels(view(timeline, Path(out_dir)))
    return [write_text_atomic(Path(out_dir) / "film.xml", fcp7_text(shown, start_frame=start_frame))]


def write_edls(timeline: otio.schema.Timeline, out_dir: Path, *, start_frame: int = 0) -> list[Path]:
    """`film.edl` (the picture), `film_audio.edl` (the sound, four tracks to a list) and more lists as needed."""
    shown = fit_levels(view(timeline, Path(out_dir)))
    return [
        write_text_atomic(Path(out_dir) / f"film{edl.name}.edl", edl.text)
        for edl in edl_texts(shown, start_frame=start_frame)
    ]


WRITERS = {"otio": write_otio, "fcpxml": write_fcpxml, "fcp7": write_fcp7, "edl": write_edls}
