"""The export formats by name: what `filmaster export --format NAME` and `make`'s delivery write.

A writer takes an `ExportContext` (the finished film's artifacts and its timeline) and returns the text of every
file it makes, by path; the caller writes them atomically, all or none. A writer renders nothing: it reads the
artifacts, the timeline and, at most, the sound files' samples. Another format plugs in with one entry in
`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import InterchangeConfig, SoundConfig
from ..errors import ConfigError, ExportError
from ..model import Cut, Plan, SoundPlan

if TYPE_CHECKING:  # OTIO loads its plugins on import: only the writers that need it import it
    import opentimelineio as otio


@dataclass(frozen=True)
class ExportContext:
    """What every writer may read. `out` is the film's folder (media paths in the artifacts and the timeline are
    relative to it); `dest` is the folder the files go to (the film's folder unless asked otherwise)."""

    out: Path
    plan: Plan
    cut: Cut
    sound: SoundPlan
    timeline: otio.schema.Timeline
    dest: Path
    master_gain_db: float | None = None  # the mix's static gain to the loudness target, when known
    mix: SoundConfig = field(
        default_factory=SoundConfig
    )  # the mix's settings ([sound]): ducking depth, true-peak ceiling
    interchange: InterchangeConfig = field(default_factory=InterchangeConfig)  # start timecode, OTIO schema
    screenplay: Path | None = None  # the screenplay the film was made from, for the conversions (fountain, fdx)


Writer = Callable[[ExportContext], dict[Path, str]]


def _otio(context: ExportContext) -> dict[Path, str]:
    from .otio_timeline import otio_json
    from .subtitles import subtitle_cues, with_subtitle_markers

    timeline = with_subtitle_markers(context.timeline, subtitle_cues(context))
    return {context.dest / "film.otio": otio_json(timeline, schema=context.interchange.otio_schema)}


def _interchange(name: str) -> Writer:
    def write(context: ExportContext) -> dict[Path, str]:
        from .otio_timeline import interchange_texts, start_frame

        start = start_frame(context.interchange.start_timecode, context.cut.fps)
        return interchange_texts(
            context.timeline, context.dest, start_frame=start, formats=(name,), media_root=context.out
        )

    return write


def _shotlist(context: ExportContext) -> dict[Path, str]:
    from .shotlist import shotlist_texts

    return shotlist_texts(context.plan, context.cut, context.dest)


def _kdenlive(context: ExportContext) -> dict[Path, str]:
    from .kdenlive import kdenlive_text

    return {context.dest / "film.kdenlive": kdenlive_text(context)}


def _srt(context: ExportContext) -> dict[Path, str]:
    from .subtitles import srt_text, subtitle_cues

    return {context.dest / "film.srt": srt_text(subtitle_cues(context))}


def _vtt(context: ExportContext) -> dict[Path, str]:
    from .subtitles import subtitle_cues, vtt_text

    return {context.dest / "film.vtt": vtt_text(subtitle_cues(context))}


def _screenplay(name: str) -> Writer:
    def write(context: ExportContext) -> dict[Path, str]:
        from .screenplay_export import screenplay_texts

        if context.screenplay is None:
            raise ExportError(
                f"the film's screenplay is not known here; convert it with `filmaster export OUT -f {name}`"
            )
        return screenplay_texts(context.screenplay, name, context.dest)

    return write


# name -> writer. Writers import their modules when called, so `filmaster export --format srt` loads no XML code.
FORMATS: dict[str, Writer] = {
    "otio": _otio,
    "fcpxml": _interchange("fcpxml"),
    "fcp7": _interchange("fcp7"),
    "edl": _interchange("edl"),
    "kdenlive": _kdenlive,
    "srt": _srt,
    "vtt": _vtt,
    "shotlist": _shotlist,
}
# The screenplay converted (asked by name only: `all` and `make` write the film's deliverables, not these).
CONVERSIONS: dict[str, Writer] = {"fountain": _screenplay("fountain"), "fdx": _screenplay("fdx")}
ALL = "all"
# What `make` writes unless `[deliver] formats` says otherwise.
DEFAULT_FORMATS: tuple[str, ...] = tuple(FORMATS)
# Formats that need the finished mix (its master gain): `make` writes them after the mix, the others beside it.
AFTER_MIX = frozenset({"kdenlive"})


def resolve_formats(names: list[str] | tuple[str, ...], *, conversions: bool = True) -> list[str]:
    """The format names asked for, `all` expanded, in registry order; an unknown name is a ConfigError (as are the
    screenplay conversions when `conversions` is false: `make` writes the film's deliverables only)."""
    known = FORMATS | CONVERSIONS if conversions else FORMATS
    unknown = [name for name in names if name != ALL and name not in known]
    if unknown:
        raise ConfigError(
            f"unknown export format {', '.join(repr(n) for n in unknown)}; choose from {', '.join(known)} or {ALL}"
        )
    wanted = set(names) | (set(FORMATS) if ALL in names else set())
    return [name for name in known if name in wanted]


def export_texts(context: ExportContext, names: list[str] | tuple[str, ...]) -> dict[Path, str]:
    """Every file of the formats `names`, by path (nothing written yet)."""
    texts: dict[Path, str] = {}
    for name in resolve_formats(names):
        texts |= (FORMATS | CONVERSIONS)[name](context)
    return texts
