"""The format registry: names, `all`, unknown names, and what `make`'s delivery writes beside the mix and after it."""

from __future__ import annotations

import pytest

from filmaster.errors import ConfigError
from filmaster.export.formats import AFTER_MIX, FORMATS, resolve_formats
from filmaster.stages.deliver import prepare_timeline

from .conftest import Project


def test_all_is_every_format_in_registry_order() -> None:
    assert resolve_formats(["srt", "all"]) == list(FORMATS)
    assert resolve_formats(["vtt", "otio", "vtt"]) == ["otio", "vtt"]


def test_an_unknown_format_names_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"unknown export format 'mov'; choose from otio, .*kdenlive.* or all"):
        resolve_formats(["otio", "mov"])


def test_make_writes_only_the_formats_asked_and_leaves_the_mix_dependent_ones_for_after(project: Project) -> None:
    out = project.out_dir
    made = prepare_timeline(project.plan, project.cut, project.sound, out, {}, ["srt", "otio", "kdenlive"])
    assert sorted(path.name for path in made.texts) == ["film.otio", "film.srt"]
    assert made.after_mix == ["kdenlive"] and set(made.after_mix) <= AFTER_MIX
    # The fixture's lines are tones at 0.1 s and 0.4 s, heard from the first sample of their WAVs.
    srt = made.texts[out / "film.srt"]
    assert srt.startswith("1\n00:00:00,100 --> ")
