"""One function per editors' format, each writing a timeline (`film.otio` as built or as edited) into an output
folder: plain functions that a command or a format registry can call by name. Relative media URLs resolve
against `out_dir`; FCPXML and FCP 7 XML get absolute file URLs for this machine, so writing them again after the
folder moved points them at its new place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio

from ..atomic import write_text_atomic
from .otio_timeline import interchange_texts, otio_json


def write_otio(timeline: otio.schema.Timeline, out_dir: Path, *, schema: str = "") -> list[Path]:
    """`film.otio`, in the schema versions of OTIO release `schema` when given (e.g. "0.14")."""
    return [write_text_atomic(Path(out_dir) / "film.otio", otio_json(timeline, schema=schema))]


def _interchange_writer(name: str) -> Callable[..., list[Path]]:
    def write(timeline: otio.schema.Timeline, out_dir: Path, *, start_frame: int = 0) -> list[Path]:
        texts = interchange_texts(timeline, Path(out_dir), start_frame=start_frame, formats=(name,))
        return [write_text_atomic(path, text) for path, text in texts.items()]

    return write


# `film.fcpxml` (FCPXML 1.9); `film.xml` (Final Cut Pro 7 XML); `film.edl` (the picture) with `film_audio.edl` (the
# sound, four tracks to a list) and more lists as needed — each timecode starting at `start_frame`.
write_fcpxml = _interchange_writer("fcpxml")
write_fcp7 = _interchange_writer("fcp7")
write_edls = _interchange_writer("edl")

WRITERS = {"otio": write_otio, "fcpxml": write_fcpxml, "fcp7": write_fcp7, "edl": write_edls}
