"""What `filmaster develop` and `filmaster make "IDEA"` do before the pipeline: check the request, develop, report."""

from __future__ import annotations

from pathlib import Path

from ..backends.llm.base import LLMBackend
from ..budget import CostBudget
from ..config import Config
from ..errors import ConfigError, InputError, OutputExistsError
from ..formats.fountain import read_screenplay
from ..model.story import Synopsis
from ..project import Project
from . import Developed, develop_idea, develop_llm
from .looks import develop_folder
from .refs import reference_pictures
from .story import DevelopOptions

SCREENPLAY_SUFFIXES = {".fountain", ".spmd", ".fdx", ".txt"}
FILM_SCREENPLAY = "story.fountain"  # what `make "IDEA" -o OUT` develops into OUT


def is_idea(argument: Path) -> bool:
    """Whether `make`'s argument is an idea in quotes rather than a screenplay file (which may be misspelt)."""
    text = str(argument)
    return (
        not argument.exists()
        and any(c.isspace() for c in text)
        and argument.suffix.lower() not in (SCREENPLAY_SUFFIXES)
    )


def develop_options(scenes: int, minutes: float, refs: Path | None) -> DevelopOptions:
    if not 2 <= scenes <= 40:
        raise ConfigError(f"--scenes {scenes}: a film needs 2 to 40 scenes")
    if not 0.5 <= minutes <= 30:
        raise ConfigError(f"--minutes {minutes:g}: develop writes films of 0.5 to 30 minutes")
    return DevelopOptions(scenes=scenes, minutes=minutes, pictures=reference_pictures(refs))


def develop_command(
    idea: str | None,
    synopsis_file: Path | None,
    out: Path,
    options: DevelopOptions,
    config: Config,
    force: bool = False,
    llm: LLMBackend | None = None,
) -> Developed:
    """`filmaster develop`: one of an idea or a synopsis file in, the screenplay `out` written."""
    if (idea is None) == (synopsis_file is None):
        raise InputError('give either an idea in quotes (filmaster develop "A ferryman...") or --from synopsis.txt')
    if out.exists() and not force:
        raise OutputExistsError(
            f"{out} exists; pass --force to replace it (the answers are cached, nothing is asked again) or choose -o"
        )
    text = idea
    if synopsis_file is not None:
        try:
            text = synopsis_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                f"--from {synopsis_file}: cannot read it as text ({exc}); give a UTF-8 text file"
            ) from None
    assert text is not None
    if not text.strip():
        raise InputError("the idea is empty; describe the story in a sentence or two")
    return develop_idea(
        text,
        out,
        llm or develop_llm(config),
        options,
        CostBudget(config.generate.max_cost_usd),
        config.generate.llm_prices,
        synopsis_file,
    )


def develop_for_film(idea: str, out_dir: Path, options: DevelopOptions, config: Config, force: bool) -> Developed:
    """`make "IDEA" -o OUT`: the screenplay OUT/story.fountain, developed unless it already holds this idea's (then
    the writer's edits of it are kept)."""
    story = out_dir / FILM_SCREENPLAY
    synopsis = develop_folder(story) / "synopsis.json"
    if story.is_file() and synopsis.is_file() and Synopsis.load(synopsis).idea == idea:
        return Developed(story, read_screenplay(story), develop_folder(story), 0, 0.0, [])
    llm = develop_llm(config)  # no model configured: say so before the folder is touched
    Project(out_dir, story, force=force).close()  # the folder is this film's before anything is written into it
    return develop_command(idea, None, story, options, config, force=True, llm=llm)
