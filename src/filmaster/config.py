"""Typed configuration: defaults, `filmaster.toml`, then command-line overrides — every bad option reported at once."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .backends.faults import FaultsConfig
from .errors import ConfigError
from .limits import LimitsConfig
from .model.frame_rate import EditorFrameRate

CONFIG_FILE_NAME = "filmaster.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RenderConfig(_Section):
    resolution: str = "960x540"
    fps: EditorFrameRate = Field(default=24, description="23.976, 24, 25, 29.97, 30, 50, 59.94 or 60 frames per second")
    draft: bool = False
    workers: int = Field(default=0, ge=0, le=64, description="render processes; 0 = one per core")
    executor: str = Field(default="local", description="local (process pool), ray, or ray://HOST:PORT")
    # Per backend, what one unit of its work holds on a Ray cluster, e.g. {diffusers = {num_gpus = 1}}.
    resources: dict[str, dict[Literal["num_cpus", "num_gpus"], float]] = Field(default_factory=dict)

    @field_validator("executor")
    @classmethod
    def _check_executor(cls, value: str) -> str:
        from .execution.choose import parse_executor

        parse_executor(value)  # a ConfigError names the choices
        return value.strip()

    @field_validator("resolution")
    @classmethod
    def _parse_resolution(cls, value: str) -> str:
        parts = value.lower().replace(" ", "").split("x")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise ValueError(f"'{value}' is not WIDTHxHEIGHT, e.g. 960x540")
        width, height = (int(p) for p in parts)
        if not (64 <= width <= 7680 and 64 <= height <= 4320) or width % 2 or height % 2:
            raise ValueError(f"'{value}': width and height must be even, 64..7680 x 64..4320")
        return f"{width}x{height}"

    @property
    def size(self) -> tuple[int, int]:
        width, height = self.resolution.split("x")
        return int(width), int(height)


# Delivery loudness targets: web/streaming, EBU R128 broadcast, ATSC A/85 (US broadcast, LKFS = LUFS).
LOUDNESS_TARGETS: dict[str, float] = {"web": -16.0, "ebu-r128": -23.0, "atsc-a85": -24.0}


class SoundConfig(_Section):
    sample_rate: int = Field(default=48000, ge=16000, le=96000)
    # A named target sets loudness_lufs unless loudness_lufs is given too (then that wins).
    target: Literal["web", "ebu-r128", "atsc-a85"] = "web"
    loudness_lufs: float = Field(default=-16.0, ge=-40.0, le=-5.0)
    true_peak_dbtp: float = Field(default=-1.0, ge=-12.0, le=0.0)
    duck_db: float = Field(default=-10.0, ge=-40.0, le=0.0)
    music_db: float = Field(default=-14.0, ge=-60.0, le=6.0, description="music bed level before the mix")
    ambience_db: float = Field(default=-22.0, ge=-60.0, le=6.0, description="ambience bed level before the mix")
    effects: bool = Field(default=True, description="effects the screenplay names and footsteps of the walks")
    sfx_db: float = Field(default=-10.0, ge=-60.0, le=6.0, description="effects level (in the lens) before the mix")
    foley_db: float = Field(default=-16.0, ge=-60.0, le=6.0, description="footsteps level (in the lens) before the mix")
    llm_events: bool = Field(default=False, description="the [backends] llm model proposes sounds the lexicon missed")

    @model_validator(mode="before")
    @classmethod
    def _loudness_from_target(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("target") in LOUDNESS_TARGETS and data.get("loudness_lufs") is None:
            return {**data, "loudness_lufs": LOUDNESS_TARGETS[data["target"]]}
        return data


def loudness_overrides(value: str | None) -> dict[str, Any]:
    """`make --loudness` as config overrides: a target's name, or a number of LUFS."""
    if value is None:
        return {}
    name = value.strip().lower()
    if name in LOUDNESS_TARGETS:
        return {"sound__target": name, "sound__loudness_lufs": LOUDNESS_TARGETS[name]}
    try:
        return {"sound__loudness_lufs": float(name)}
    except ValueError:
        raise ConfigError(
            f"--loudness {value!r}: use {', '.join(LOUDNESS_TARGETS)} or a loudness in LUFS such as -16"
        ) from None


class CinematographyConfig(_Section):
    retrieval: bool = True  # re-plan each scene from the top-k most similar scenes of the film corpus
    top_k: int = Field(default=3, ge=1, le=20)
    # "rules": the deterministic re-planner; "llm": the [backends] llm model re-plans with the references in its
    # prompt (schema-validated, one repair round, then the rules as a fallback).
    planner: Literal["rules", "llm"] = "rules"
    corpus: str | None = Field(default=None, description="your corpus JSON (default: $FILMASTER_HOME/corpus.json)")


class EditConfig(_Section):
    fine_cut: bool = True  # false: deliver the rough cut (takes whole, in script order)
    # Average shot length the fine cut aims at for a scene of middling intensity; calmer scenes hold longer,
    # more intense ones cut faster.
    target_pace_s: float = Field(default=3.0, ge=0.8, le=20.0)
    depth: float = Field(default=1.0, ge=0.0, le=1.0, description="how far the fine cut may go: 0 = trims only")
    max_speed: float = Field(default=1.4, ge=1.0, le=2.0, description="bound on accelerating slow movement")
    persona: str = ""  # a viewer persona for the audience critic, e.g. "a teenager who hates slow films"
    preferences: list[str] = Field(default_factory=list)  # what that viewer wants, e.g. ["fast pace"]


class BackendChoice(_Section):
    video: str = "previz"
    speech: str = "piper"
    music: str = "midi-score"
    embed: str = "minilm"
    llm: str = "openai-chat"
    # Per-backend settings, e.g. [backends.settings.speech] model_path = "voices/en_GB.onnx"
    settings: dict[str, dict[str, Any]] = Field(default_factory=dict)


class DeliverConfig(_Section):
    # What `make` writes beside film.mp4 and the storyboard; `filmaster export` writes any of them later.
    formats: list[str] = Field(
        default_factory=lambda: ["otio", "fcpxml", "fcp7", "edl", "kdenlive", "srt", "vtt", "shotlist"]
    )

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, value: list[str]) -> list[str]:
        from .export.formats import resolve_formats

        try:
            return resolve_formats(value, conversions=False)
        except ConfigError as exc:
            raise ValueError(str(exc)) from exc


class GenerateConfig(_Section):
    """Generative backends (video: kling, runway, luma, veo, fal, replicate; the LLM of `develop`): spending."""

    max_cost_usd: float | None = Field(default=None, ge=0.0, description="stop generating before spending more")
    # USD per million (prompt, completion) tokens of a language model, by model name; unlisted models cost 0
    # (local servers). E.g. llm_prices = { "gpt-4o-mini" = [0.15, 0.60] }. Counted toward max_cost_usd.
    llm_prices: dict[str, tuple[float, float]] = Field(default_factory=dict)
    # An image backend (openai-images, fal-flux, replicate-flux, diffusers-image) that paints each generated shot's
    # first frame from its previz frame before image-to-video (stages/keyframe.py); settings in [backends.settings].
    keyframe: str | None = None


class InterchangeConfig(_Section):
    """The editors' timelines (film.otio, FCPXML, FCP 7 XML, EDL)."""

    start_timecode: Literal["00:00:00:00", "01:00:00:00"] = "00:00:00:00"  # 01:00:00:00: the broadcast convention
    otio_schema: str = Field(default="", description="OTIO release whose schema versions film.otio uses, e.g. 0.15")


class Config(_Section):
    seed: int = 0
    render: RenderConfig = RenderConfig()
    sound: SoundConfig = SoundConfig()
    cinematography: CinematographyConfig = CinematographyConfig()
    edit: EditConfig = EditConfig()
    backends: BackendChoice = BackendChoice()
    limits: LimitsConfig = LimitsConfig()
    deliver: DeliverConfig = DeliverConfig()
    generate: GenerateConfig = GenerateConfig()
    interchange: InterchangeConfig = InterchangeConfig()
    faults: FaultsConfig = FaultsConfig()  # a testing aid: injected backend failures (backends/faults.py)


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def find_config_file(*folders: Path) -> Path | None:
    for folder in folders:
        candidate = folder / CONFIG_FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Build the configuration from defaults, an optional TOML file, then overrides (e.g. CLI flags)."""
    data: dict[str, Any] = {}
    source = "command line"
    if path is not None:
        source = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config {path}: {exc.strerror}") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or remove it") from exc
    data = _deep_merge(data, overrides or {})
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors(include_url=False)
        )
        raise ConfigError(f"invalid configuration ({source}): {problems}") from exc
