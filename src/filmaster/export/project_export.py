"""`filmaster export`: a finished film's deliverables written again from its artifacts, rendering nothing.

The source of truth is the film's folder: `plan.json`, `.filmaster/cut.json` (the final cut) and
`.filmaster/sound.json`, the takes and the sound files under `media/`. With `--timeline`, an edited `film.otio`
replaces the timeline made from the cut, once every clip in it is checked against the media it points to.
"""

from __future__ import annotations

import json
import os
import wave
from pathlib import Path
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from ..atomic import write_text_atomic
from ..config import SoundConfig
from ..errors import ExportError, InputError
from ..model import Cut, Plan, SoundPlan
from .formats import CONVERSIONS, ExportContext, export_texts, resolve_formats
from .screenplay_export import screenplay_source

STATE_DIR = ".filmaster"
NEEDED = ("plan.json", f"{STATE_DIR}/cut.json", f"{STATE_DIR}/sound.json", f"{STATE_DIR}/manifest.json")


def load_context(
    out: Path,
    *,
    timeline: Path | None = None,
    dest: Path | None = None,
    mix: SoundConfig | None = None,
    names: tuple[str, ...] = (),
) -> ExportContext:
    """The finished film in `out` as an `ExportContext`, ready for the formats `names`; raises InputError when it
    is not one."""
    out = Path(os.path.abspath(out))
    if not out.is_dir():
        raise InputError(f"{out} is not a folder; pass the output folder of `filmaster make` (e.g. out/my_film)")
    missing = [name for name in NEEDED if not (out / name).is_file()]
    if missing:
        raise InputError(
            f"{out} is not a finished film ({', '.join(missing)} missing); run `filmaster make SCREENPLAY -o {out}` "
            "first"
        )
    plan, cut, sound = Plan.load(out / "plan.json"), Cut.load(out / NEEDED[1]), SoundPlan.load(out / NEEDED[2])
    absent = sorted({c.media for c in cut.clips if not (out / c.media).is_file()})
    absent += sorted({str(c.media) for c in sound.cues if c.media and not (out / c.media).is_file()})
    if absent:
        raise InputError(
            f"{out} is not a finished film: {len(absent)} media files are missing (first: {absent[0]}); "
            f"run `filmaster make` again into {out}"
        )
    try:
        manifest = json.loads((out / NEEDED[3]).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{out / NEEDED[3]} is unreadable ({exc}); run `filmaster make` again into {out}") from exc
    if timeline is None and (out / "film.otio").is_file():
        # The timeline make delivered: it carries the mix's levels, the critique's markers and the takes' records,
        # which the artifacts alone do not (a re-export writes the same files make did).
        built = load_edited_timeline(out / "film.otio", out)
    elif timeline is None:
        from .otio_timeline import build_timeline

        built = build_timeline(cut, sound, plan, media_root=out)
    else:
        built = load_edited_timeline(timeline, out)
    gain = manifest.get("master_gain_db")
    return ExportContext(
        out=out,
        plan=plan,
        cut=cut,
        sound=sound,
        timeline=built,
        dest=Path(os.path.abspath(dest)) if dest else out,
        master_gain_db=float(gain) if isinstance(gain, int | float) else None,
        mix=mix or SoundConfig(),
        screenplay=screenplay_source(manifest, out) if set(names) & set(CONVERSIONS) else None,
    )


def load_edited_timeline(path: Path, out: Path) -> otio.schema.Timeline:
    """An edited film.otio, checked against the film's media: every clip's file exists and holds its range."""
    if not path.is_file():
        raise InputError(f"timeline {path} does not exist; pass the edited film.otio with --timeline")
    try:
        timeline = otio.adapters.read_from_file(str(path), adapter_name="otio_json")
    except Exception as exc:  # the OTIO reader raises its own and json's errors
        raise InputError(f"{path} is not an OTIO timeline ({exc}); export it from your editor as .otio") from exc
    if not isinstance(timeline, otio.schema.Timeline):
        raise InputError(f"{path} holds a {type(timeline).__name__}, not a timeline; export the timeline as .otio")
    for track in timeline.tracks:
        for clip in track.find_clips():
            _check_clip(clip, track.name, path, out)
    return timeline


def _check_clip(clip: otio.schema.Clip, track: str, path: Path, out: Path) -> None:
    reference = clip.media_reference
    where = f"{path}: clip '{clip.name}' on track '{track}'"
    if not isinstance(reference, otio.schema.ExternalReference):
        raise InputError(f"{where} has no media file; relink it to the film's media and export the timeline again")
    url = reference.target_url
    parsed = urlparse(url)
    file = Path(unquote(parsed.path)) if parsed.scheme == "file" else out / unquote(url)
    if not file.is_file():
        raise InputError(
            f"{where} points to {url}, which is not in {out}; the timeline no longer matches the film's media — "
            "relink the clip or export from the film's own film.otio"
        )
    needed = clip.source_range.end_time_exclusive() if clip.source_range else None
    held = _media_seconds(file)
    if needed is not None and held is not None and needed.to_seconds() > held + 1e-3:
        raise InputError(
            f"{where} uses {file.name} up to {needed.to_seconds():.3f} s, but the file holds {held:.3f} s; the "
            "timeline no longer matches the film's media — re-run `filmaster make` or trim the clip"
        )


def _media_seconds(file: Path) -> float | None:
    """Length of a WAV or video file in seconds, or None when it cannot be read cheaply."""
    if file.suffix.lower() == ".wav":
        try:
            with wave.open(str(file), "rb") as wav:
                return wav.getnframes() / wav.getframerate()
        except (wave.Error, EOFError):
            return None
    import av

    try:
        with av.open(str(file)) as container:
            stream = container.streams.video[0]
            if stream.frames and stream.average_rate:
                return float(stream.frames / stream.average_rate)
            return float(container.duration / 1_000_000) if container.duration else None
    except (av.error.FFmpegError, IndexError):
        return None


def export_film(
    out: Path,
    formats: list[str],
    *,
    timeline: Path | None = None,
    dest: Path | None = None,
    mix: SoundConfig | None = None,
) -> list[Path]:
    """Write the `formats` of the finished film in `out` into `dest` (default: `out`). Every file is made in
    memory first, so a failure writes none; each is then replaced atomically."""
    names = resolve_formats(formats)  # an unknown name fails before the film is read
    context = load_context(out, timeline=timeline, dest=dest, mix=mix, names=tuple(names))
    texts = export_texts(context, names)
    if context.dest.exists() and not context.dest.is_dir():
        raise ExportError(f"output path {context.dest} is a file; pass a folder to --dest")
    return [write_text_atomic(path, text) for path, text in texts.items()]
