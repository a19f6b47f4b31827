"""Command line: parse, call the public API, print a FilmasterError as one line and exit non-zero.

Set FILMASTER_DEBUG=1 or pass --debug to see the traceback instead.
"""

from __future__ import annotations

import logging
import os
import sys
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Protocol, TypeGuard

import typer
from rich.console import Console
from rich.markup import escape

from . import __version__
from .config import find_config_file, load_config, loudness_overrides
from .errors import ConfigError, FilmasterError
from .sound_library.cli import sounds_app

app = typer.Typer(
    name="filmaster",
    help="Turn a Fountain screenplay into an edited short film (MP4) and a multi-track OpenTimelineIO timeline, "
    "offline: breakdown and coverage, 3D previz shots, rough cut, dialogue, score and ambience, mix, delivery.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
_state: dict[str, Any] = {"debug": False, "quiet": False, "verbose": False}
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        print(f"filmaster {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and warnings.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print every stage and keep progress bars.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks (also FILMASTER_DEBUG=1).")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    _state.update(quiet=quiet, verbose=verbose, debug=debug or os.environ.get("FILMASTER_DEBUG") == "1")
    level = logging.DEBUG if _state["debug"] else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _overrides(**flags: Any) -> dict[str, Any]:
    """Command-line flags as a nested config dict; flags left unset do not override the config file."""
    nested: dict[str, Any] = {}
    for dotted, value in flags.items():
        if value is None:
            continue
        section, _, key = dotted.partition("__")
        if key:
            nested.setdefault(section, {})[key] = value
        else:
            nested[section] = value
    return nested


ScreenplayArg = Annotated[Path, typer.Argument(help="Screenplay: Fountain or Final Draft (.fdx).", show_default=False)]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder for the film and its timeline.")]


def _frame_rate(value: str | None) -> str | None:
    """A number (24, 23.976, 24000/1001), checked while the command line is read: 'abc' is a usage error (exit 2);
    a number no editor uses is the configuration's to report, with every other bad option."""
    if value is not None:
        try:
            Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise typer.BadParameter(f"'{value}' is not a frame rate; use e.g. 24, 23.976 or 29.97") from None
    return value


FpsOption = Annotated[
    str | None,
    typer.Option(help="Frames per second: 23.976, 24 (default), 25, 29.97, 30, 50, 59.94, 60.", callback=_frame_rate),
]
DEVELOP_SCENES, DEVELOP_MINUTES = 3, 2.0  # `develop`'s defaults, and `make "IDEA"`'s

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="A filmaster.toml (default: next to the screenplay, then the current folder)."),
]


@app.command()
def make(
    screenplay: Annotated[
        Path,
        typer.Argument(
            help='Screenplay (Fountain or Final Draft .fdx), or an idea in quotes: "A ferry pilot\'s last crossing…" '
            "is developed into OUT/story.fountain first.",
            show_default=False,
        ),
    ],
    out: OutOption,
    resolution: Annotated[str | None, typer.Option(help="Frame size WIDTHxHEIGHT (default: 960x540).")] = None,
    fps: FpsOption = None,
    draft: Annotated[
        bool | None, typer.Option("--draft/--final", help="Fast previz: 256x144 for 960x540, simpler figures.")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Render processes; 0 = one per core.")] = None,
    executor: Annotated[
        str | None, typer.Option(help="Where shots render: local (default), ray (a local Ray) or ray://HOST:PORT.")
    ] = None,
    loudness: Annotated[
        str | None,
        typer.Option(help="Loudness target: web (-16 LUFS), ebu-r128 (-23), atsc-a85 (-24) or LUFS (default: web)."),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for every random choice.")] = None,
    retrieval: Annotated[
        bool | None,
        typer.Option(
            "--retrieval/--no-retrieval", help="Re-plan each scene from its closest film scenes (default on)."
        ),
    ] = None,
    video_backend: Annotated[str | None, typer.Option(help="Video backend (default: previz).")] = None,
    speech_backend: Annotated[str | None, typer.Option(help="Speech backend (default: piper).")] = None,
    music_backend: Annotated[str | None, typer.Option(help="Music backend (default: midi-score).")] = None,
    config: ConfigOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace another film in the output folder.")] = False,
    no_fine_cut: Annotated[
        bool, typer.Option("--no-fine-cut", help="Screen the rough cut but deliver it as it is (no fine cut).")
    ] = False,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", help="Stop generating shots before spending more USD than this.")
    ] = None,
    scenes: Annotated[int | None, typer.Option("--scenes", help="With an idea: how many scenes (2..40).")] = None,
    minutes: Annotated[float | None, typer.Option("--minutes", help="With an idea: about how long it runs.")] = None,
) -> None:
    """Make the film: plan, shoot, cut, sound, mix and deliver film.mp4, film.otio, plan.json and a shot list.

    Re-running into the same folder re-uses every finished shot and sound: after editing the screenplay or
    plan.json only what changed is redone.
    """
    from .console import ConsoleReporter
    from .develop.command import is_idea
    from .pipeline import make_film

    if is_idea(screenplay):  # `make "A ferryman's last crossing..."`: develop the idea into OUT/story.fountain first
        screenplay, max_cost = _develop_for_make(str(screenplay), out, config, max_cost, force, scenes, minutes)
    elif scenes is not None or minutes is not None:
        flag = "--scenes" if scenes is not None else "--minutes"
        raise ConfigError(
            f"{flag} shapes a film developed from an idea, but {screenplay} is a screenplay file; "
            f'drop {flag}, or give an idea in quotes: filmaster make "A ferry pilot\'s last crossing..."'
        )
    cfg = load_config(
        config or find_config_file(screenplay.parent, Path.cwd()),
        _overrides(
            render__resolution=resolution,
            render__fps=fps,
            render__draft=draft,
            render__workers=workers,
            render__executor=executor,
            **loudness_overrides(loudness),
            seed=seed,
            cinematography__retrieval=retrieval,
            backends__video=video_backend,
            backends__speech=speech_backend,
            backends__music=music_backend,
            generate__max_cost_usd=max_cost,
        ),
    )
    reporter = ConsoleReporter(err_console, quiet=_state["quiet"], verbose=_state["verbose"])
    result = make_film(screenplay, out, cfg, force=force, reporter=reporter, fine_cut=not no_fine_cut)
    _print_summary(result)
    if not _state["quiet"]:
        work = result.work
        computed = sum(work.computed.values())
        reused = sum(work.reused.values())
        err_console.print(
            f"[bold green]done[/] {result.duration_s:.1f} s film, {len(result.plan.shots)} shots "
            f"({computed} units made, {reused} reused) → {result.film} and {result.timeline}",
            highlight=False,
        )


def _develop_for_make(
    idea: str,
    out: Path,
    config: Path | None,
    max_cost: float | None,
    force: bool,
    scenes: int | None = None,
    minutes: float | None = None,
) -> tuple[Path, float | None]:
    """The developed screenplay, and what --max-cost leaves for the shots once the model is paid."""
    from .develop.command import develop_for_film, develop_options

    cfg = load_config(config or find_config_file(Path.cwd()), _overrides(generate__max_cost_usd=max_cost))
    scenes = DEVELOP_SCENES if scenes is None else scenes
    options = develop_options(scenes, DEVELOP_MINUTES if minutes is None else minutes, None)
    developed = develop_for_film(idea, out, options, cfg, force)
    _print_developed(developed)
    limit = cfg.generate.max_cost_usd
    return developed.screenplay_path, None if limit is None else max(limit - developed.spent_usd, 0.0)


def _print_developed(developed: Any) -> None:
    for note in developed.notes:
        err_console.print(f"[yellow]filled:[/] {escape(note)}", highlight=False)
    if not _state["quiet"]:
        err_console.print(
            f"[bold green]developed[/] {len(developed.screenplay.scenes)} scenes → {developed.screenplay_path} "
            f"({developed.requests} model calls, {developed.spent_usd:.4f} USD; steps in {developed.folder})",
            highlight=False,
        )


@app.command()
def develop(
    idea: Annotated[
        str | None, typer.Argument(help="The idea in quotes: a logline or a few sentences.", show_default=False)
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The screenplay to write.")] = Path("story.fountain"),
    from_file: Annotated[
        Path | None, typer.Option("--from", help="Develop this synopsis (a text file) instead of an idea.")
    ] = None,
    refs: Annotated[
        Path | None, typer.Option("--refs", help="Pictures of characters and locations, named after them.")
    ] = None,
    scenes: Annotated[int, typer.Option("--scenes", help="How many scenes (2..40).")] = DEVELOP_SCENES,
    minutes: Annotated[float, typer.Option("--minutes", help="About how long the film runs.")] = DEVELOP_MINUTES,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", help="Stop before the language model costs more USD than this.")
    ] = None,
    config: ConfigOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the screenplay if it exists.")] = False,
) -> None:
    """Develop an idea into a Fountain screenplay through the chat model of filmaster.toml's backends.settings.llm:
    synopsis, cast and locations, scene outline, then each scene in full — every step kept in <name>.develop/."""
    from .develop.command import develop_command, develop_options

    cfg = load_config(config or find_config_file(Path.cwd()), _overrides(generate__max_cost_usd=max_cost))
    developed = develop_command(idea, from_file, out, develop_options(scenes, minutes, refs), cfg, force)
    _print_developed(developed)


def _print_summary(result: Any) -> None:
    """The closing summary: what was made, what fell back and why, what it cost (quiet: what fell back only)."""
    from .run_summary import summary_lines

    if result.summary is None:
        return
    lines = summary_lines(result.summary, quiet=_state["quiet"])
    if lines and not _state["quiet"]:
        err_console.print("[bold]summary[/]", highlight=False)
    for line in lines:
        err_console.print(f"  {escape(line)}", highlight=False, soft_wrap=True)  # a reason stays on its line


@app.command()
def reshoot(
    out: Annotated[Path, typer.Argument(help="The film's output folder (made by make).", show_default=False)],
    shot: Annotated[str, typer.Argument(help="The shot to film again, e.g. S01-02.", show_default=False)],
    backend: Annotated[str | None, typer.Option("--backend", help="Film it with this video backend.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the new take (default: last + 1).")] = None,
    max_cost: Annotated[float | None, typer.Option("--max-cost", help="Spend at most this many USD.")] = None,
    config: ConfigOption = None,
) -> None:
    """Generate one shot again (new seed or backend) and re-cut the film; everything else comes from the cache."""
    from .console import ConsoleReporter
    from .pipeline import make_film
    from .stages.reshoot import prepare_reshoot

    cfg = load_config(config or find_config_file(Path.cwd()), _overrides(generate__max_cost_usd=max_cost))
    source = prepare_reshoot(out, shot, backend, seed, cfg.seed)
    if config is None:  # the screenplay's own filmaster.toml, as make found it
        cfg = load_config(find_config_file(source.parent, Path.cwd()), _overrides(generate__max_cost_usd=max_cost))
    reporter = ConsoleReporter(err_console, quiet=_state["quiet"], verbose=_state["verbose"])
    result = make_film(source, out, cfg, reporter=reporter)
    _print_summary(result)
    if not _state["quiet"]:
        err_console.print(f"[bold green]done[/] reshot {shot} → {result.film}", highlight=False)


@app.command()
def critique(
    out: Annotated[Path, typer.Argument(help="Output folder of `filmaster make`.", show_default=False)],
) -> None:
    """Print the screening of the rough cut, the fine cut's edit decisions and what the delivered cut still shows."""
    from .post.report import critique_report

    print(critique_report(out))


@app.command()
def plan(
    screenplay: ScreenplayArg,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write plan.json here (default: print).")] = None,
    retrieval: Annotated[
        bool | None, typer.Option("--retrieval/--no-retrieval", help="Re-plan scenes from the film corpus.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Break a screenplay down into scenes and shots with camera specs, without rendering anything."""
    from .atomic import write_text_atomic
    from .console import ConsoleReporter
    from .develop.looks import apply_looks, story_cast_for
    from .pipeline import make_plan
    from .stages.develop import develop

    cfg = load_config(
        config or find_config_file(screenplay.parent, Path.cwd()), _overrides(cinematography__retrieval=retrieval)
    )
    result = make_plan(develop(screenplay), cfg, ConsoleReporter(err_console, quiet=True))
    if (looks := story_cast_for(screenplay)) is not None:  # developed from an idea: the cast's own looks
        result = apply_looks(result, looks)
    if out is None:
        print(result.to_json())
    else:
        write_text_atomic(out, result.to_json())


@app.command()
def previz(
    spec: Annotated[Path, typer.Argument(help="A shot spec JSON (see examples/shots/).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="The clip to write (.mp4).")] = Path("previz.mp4"),
    resolution: Annotated[str | None, typer.Option(help="Frame size WIDTHxHEIGHT (default: 960x540).")] = None,
    fps: FpsOption = None,
    draft: Annotated[bool | None, typer.Option("--draft/--final", help="Fast: 256x144 for 960x540.")] = None,
    still: Annotated[Path | None, typer.Option(help="Also write the middle frame as a PNG.")] = None,
) -> None:
    """Render one shot from a hand-written camera spec: set, characters, scale, angle, movement, lens.

    Writes the clip and, beside it, the renderer's ground truth (<clip>.json: camera path and the subjects'
    on-screen boxes per frame).
    """
    from .atomic import atomic_path
    from .errors import InputError
    from .model.shot_spec import ShotSpec
    from .pipeline import render_settings
    from .stages.shoot import ShootConfig, video_backend
    from .stages.shot_spec import shot_request

    for written in (out, out.with_suffix(".json"), still):
        if written is not None and spec.exists() and written.exists() and written.resolve() == spec.resolve():
            raise InputError(f"{written} would overwrite the spec {spec} it is made from; choose another -o")
    cfg = load_config(
        find_config_file(Path.cwd()), _overrides(render__resolution=resolution, render__fps=fps, render__draft=draft)
    )
    request = shot_request(ShotSpec.load(spec), render_settings(cfg), cfg.seed)
    backend = video_backend(
        ShootConfig(cfg.backends.video, cfg.backends.settings.get("video", {}), request.settings, cfg.seed, 1)
    )
    backend.check_shot(request)
    with atomic_path(out.with_suffix(".json")) as truth, atomic_path(out) as clip:
        result = backend.shoot(request, clip, truth)
    if still is not None:
        from PIL import Image

        from .previz import render_still

        with atomic_path(still) as tmp:
            Image.fromarray(render_still(request, request.shot.duration_s / 2)).save(tmp, format="PNG")
    if not _state["quiet"]:
        err_console.print(f"[bold green]done[/] {result.frames} frames → {out}", highlight=False)


@app.command()
def explain(
    scene: Annotated[int, typer.Argument(help="Scene number (1 = the first scene).", show_default=False)],
    plan_file: Annotated[Path, typer.Option("--plan", "-p", help="A plan.json, e.g. out/<film>/plan.json.")] = Path(
        "plan.json"
    ),
) -> None:
    """Show which film-corpus references a scene's camera plan came from, and why each of its sounds exists."""
    from .errors import InputError
    from .model import Plan
    from .stages.cinematography import explain_scene

    if not plan_file.is_file():
        raise InputError(f"{plan_file}: no such plan; pass --plan out/<film>/plan.json (written by make)")
    loaded = Plan.load(plan_file)
    if not 1 <= scene <= len(loaded.scenes):
        raise InputError(f"{plan_file} has scenes 1..{len(loaded.scenes)}; scene {scene} does not exist")
    print(explain_scene(loaded.scenes[scene - 1]))
    sound_file = plan_file.parent / ".filmaster" / "sound.json"  # written by make beside the plan
    if sound_file.is_file():
        from .model import SoundPlan
        from .sound_design.explain import explain_sounds

        print(explain_sounds(loaded.scenes[scene - 1], SoundPlan.load(sound_file)))


@app.command()
def export(
    out: Annotated[Path, typer.Argument(help="A finished film's folder (the -o of `make`).", show_default=False)],
    formats: Annotated[
        list[str],
        typer.Option(
            "--format",
            "-f",
            help="otio, fcpxml, fcp7, edl, kdenlive, srt, vtt, shotlist or all; fountain or fdx (the screenplay); "
            "repeat for several.",
        ),
    ] = ["all"],  # noqa: B006 - typer reads the default, never mutates it
    timeline: Annotated[
        Path | None, typer.Option("--timeline", "-t", help="Export from this edited film.otio instead of the cut.")
    ] = None,
    dest: Annotated[
        Path | None, typer.Option("--dest", help="Write the files here (default: the film's folder).")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="The filmaster.toml the film was made with (default: the current folder's)."
        ),
    ] = None,
) -> None:
    """Write a finished film's timeline, subtitles and shot list again in the formats asked, rendering nothing."""
    from .export.project_export import export_film

    cfg = load_config(config or find_config_file(Path.cwd()))
    written = export_film(out, formats, timeline=timeline, dest=dest, mix=cfg.sound)
    if not _state["quiet"]:
        err_console.print(f"[bold green]done[/] {', '.join(p.name for p in written)}", highlight=False)


corpus_app = typer.Typer(help="The cinematography corpus: teach filmaster from your own footage, inspect it.")
app.add_typer(corpus_app, name="corpus")
CorpusOption = Annotated[
    Path | None,
    typer.Option("--corpus", help="Your corpus file (default: $FILMASTER_HOME/corpus.json)."),
]
app.add_typer(sounds_app, name="sounds")
VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v", ".mpg", ".mpeg", ".mxf", ".wmv"}


@corpus_app.command("add")
def corpus_add(
    videos: Annotated[list[Path], typer.Argument(help="Video files or folders of videos.", show_default=False)],
    name: Annotated[str | None, typer.Option(help="Name of the film (one video only; default: file name).")] = None,
    corpus: CorpusOption = None,
) -> None:
    """Detect shots and scenes in your footage, annotate each shot from its pixels, add them to your corpus."""
    from .backends.registry import create_backend
    from .console import ConsoleReporter
    from .errors import InputError
    from .model import Corpus
    from .retrieval.annotate import annotate_many, annotate_video
    from .retrieval.corpus import load_corpus, merge, save_corpus
    from .retrieval.library import default_user_corpus, open_library_index

    files: list[Path] = []
    for path in videos:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES)
        else:
            files.append(path)
    if not files:
        raise InputError(f"no video files in {', '.join(map(str, videos))}; give .mp4/.mov/.mkv/.avi files")
    if name and len(files) > 1:
        raise InputError(f"--name names one film, but {len(files)} videos were given; add them one by one")
    target = corpus or default_user_corpus()
    existing = load_corpus(target) if target.is_file() else Corpus()
    reporter = ConsoleReporter(err_console, quiet=_state["quiet"], verbose=_state["verbose"])
    with reporter.task(f"Annotating {len(files)} video(s)", 100 * len(files)) as advance:
        shown: dict[Path, int] = {}

        def on_progress(path: Path, done: int, total: int) -> None:
            percent = done * 100 // max(total, 1)
            advance(percent - shown.get(path, 0))
            shown[path] = percent

        if name:
            try:
                results = [annotate_video(files[0], name, progress=lambda d, t: on_progress(files[0], d, t))]
                failures: list[tuple[Path, str]] = []
            except FilmasterError as exc:
                results, failures = [], [(files[0], str(exc))]
        else:
            results, failures = annotate_many(files, progress=on_progress)
    for result in results:
        reporter.info(result.summary())
        for warning in result.warnings:
            reporter.warn(warning)
    if results:
        updated = merge(existing, [entry for result in results for entry in result.entries])
        save_corpus(updated, target)
        # Bring the search index up to date now: only the new entries are embedded.
        cfg = load_config(find_config_file(Path.cwd()))
        embedder = create_backend("embed", cfg.backends.embed, **cfg.backends.settings.get("embed", {}))
        _, embedded = open_library_index(target, embedder)
        reporter.info(f"{target}: {len(updated.entries)} entries; {embedded} embedded into its index")
    for _, reason in failures:
        err_console.print(f"[yellow]skipped:[/] {escape(reason)}", highlight=False, soft_wrap=True)
    if failures:
        raise typer.Exit(1)


@corpus_app.command("stats")
def corpus_stats_command(
    corpus: CorpusOption = None,
    plot: Annotated[Path | None, typer.Option(help="Also draw the distributions to this PNG.")] = None,
    builtin_only: Annotated[bool, typer.Option("--builtin", help="Only the corpus shipped with filmaster.")] = False,
) -> None:
    """Shot-scale and movement distributions, average shot length, genres — of the built-in and your corpus."""
    from .retrieval.library import default_user_corpus, library
    from .retrieval.stats import corpus_stats, format_stats, plot_stats

    stats = corpus_stats(library(None if builtin_only else (corpus or default_user_corpus())))
    print(format_stats(stats))
    if plot is not None:
        plot_stats(stats, plot)
        print(f"plot: {plot}")


@corpus_app.command("reindex")
def corpus_reindex(corpus: CorpusOption = None, config: ConfigOption = None) -> None:
    """Rebuild the search index of the corpus from scratch (e.g. after changing the embedding backend)."""
    from .atomic import set_aside
    from .backends.registry import create_backend
    from .retrieval.index import index_paths
    from .retrieval.library import default_user_corpus, index_base, open_library_index

    cfg = load_config(config or find_config_file(Path.cwd()))
    user = corpus or default_user_corpus()
    embedder = create_backend("embed", cfg.backends.embed, **cfg.backends.settings.get("embed", {}))
    # The old index is moved aside, not deleted, until the new one is complete: a failing embedder keeps it.
    with set_aside(index_paths(index_base(user))):
        _, embedded = open_library_index(user, embedder)
    print(f"indexed {embedded} entries with '{cfg.backends.embed}' at {index_base(user)}.*")


cache_app = typer.Typer(help="A film's cache of finished shots and sounds: its size, and pruning what is unused.")
app.add_typer(cache_app, name="cache")
FolderArg = Annotated[Path, typer.Argument(help="The output folder of a film (make -o).", show_default=False)]


@cache_app.command("info")
def cache_info_command(folder: FolderArg) -> None:
    """Entries and size per kind of unit, and what the last run used."""
    from .cache_admin import cache_info

    print(cache_info(folder))


@cache_app.command("prune")
def cache_prune_command(
    folder: FolderArg,
    keep_last: Annotated[int, typer.Option(help="Keep what any of the last N runs used.")] = 1,
) -> None:
    """Delete cache entries that none of the last N runs used (the current film's are always kept)."""
    from .cache_admin import prune

    removed, freed = prune(folder, keep_last)
    print(f"removed {removed} entries, {freed / 1e6:.1f} MB")


@app.command()
def backends() -> None:
    """List the registered backends of every kind (plugins register through the `filmaster.backends` entry points)."""
    from .backends.registry import available_backends

    for kind in ("video", "image", "speech", "music", "embed", "llm"):
        names = ", ".join(available_backends(kind)) or "(none)"
        print(f"{kind:>7}: {names}")


_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


def _interrupted() -> int:
    err_console.print("interrupted; finished shots and sounds are cached — run the same command to resume")
    return _INTERRUPTED


class _UsageError(Protocol):
    """What filmaster uses of click's ClickException (from an installed click or typer's vendored copy)."""

    def show(self) -> None: ...


def _is_click_exception(exc: BaseException) -> TypeGuard[_UsageError]:
    """Whether `exc` is click's ClickException, from whichever click this typer uses.

    typer < 0.20 raises `click.ClickException`; newer typer vendors click as `typer._click`, whose classes are
    unrelated to an installed click's, so the class is recognised by name along the MRO.
    """
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__) and hasattr(exc, "show")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `filmaster` command; returns the exit code."""
    try:
        # Without standalone mode click returns a command's exit code (typer.Exit) instead of exiting.
        code = app(args=argv, standalone_mode=False)
    except FilmasterError as exc:
        if _state["debug"]:
            raise
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        return _interrupted()
    except OSError as exc:
        if _state["debug"]:
            raise
        from .os_errors import describe_os_error

        err_console.print(f"[bold red]error:[/] {escape(describe_os_error(exc))}", highlight=False, soft_wrap=True)
        return 1
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        return 1
    except Exception as exc:
        if _is_click_exception(exc):  # a usage error: unknown command or option, missing or malformed argument
            exc.show()
            return int(getattr(exc, "exit_code", 2))
        raise
    if code == _INTERRUPTED:  # typer turns Ctrl-C inside a command into this exit code
        return _interrupted()
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
