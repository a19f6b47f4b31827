"""One exception root. Every message says what failed, where, and what to do about it."""

from __future__ import annotations


class FilmasterError(Exception):
    """Base of every error filmaster reports to a user as one line."""


class ConfigError(FilmasterError):
    """A bad option, a bad filmaster.toml, or a bad command-line value."""


class InputError(FilmasterError):
    """An input file is missing, unreadable, empty or of the wrong kind."""


class ParseError(InputError):
    """The screenplay text cannot be turned into scenes."""


class PlanError(FilmasterError):
    """A plan (scene blocks, shots, camera specs) is inconsistent or cannot be satisfied."""


class BackendUnavailableError(FilmasterError):
    """A backend name is unknown, or it cannot be constructed here."""


class MissingDependencyError(BackendUnavailableError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, feature: str, install: str | None = None) -> None:
        hint = install or f"pip install {package}"
        super().__init__(f"{feature} needs the Python package '{package}', which is not installed; run: {hint}")
        self.package = package


class RenderError(FilmasterError):
    """Rendering or encoding a shot failed."""


class AudioError(FilmasterError):
    """Synthesising or mixing sound failed."""


class ExportError(FilmasterError):
    """Writing a deliverable (MP4, OTIO, shot list) failed."""


class OutputExistsError(FilmasterError):
    """The output folder holds another project's results."""


class ProjectBusyError(FilmasterError):
    """Another run is working in the same output folder."""


class GenerationError(RenderError):
    """A generative video service could not make a shot (the shot falls back to its previz take)."""


class ContentRefusedError(GenerationError):
    """The service refused the prompt or an image under its content policy; retrying will not help."""


class CostLimitError(GenerationError):
    """Generating a shot would spend more than --max-cost allows."""


class NotResentError(GenerationError):
    """A paid request whose answer was lost after it may have reached the vendor: never sent again, by any retry,
    so it is not billed twice (the unit falls back)."""
